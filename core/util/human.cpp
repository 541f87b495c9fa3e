// SPDX-License-Identifier: MIT
#include "core/util/human.h"

#include <array>

#include <fmt/format.h>

namespace pq::core {

std::string formatBytes(std::uint64_t bytes)
{
    static constexpr std::array<const char *, 5> UNITS = {"B", "kB", "MB", "GB", "TB"};
    auto v = static_cast<double>(bytes);
    std::size_t u = 0;
    while (v >= 1000.0 && u + 1 < UNITS.size()) {
        v /= 1000.0;
        ++u;
    }
    return u == 0 ? fmt::format("{} B", bytes)
                  : fmt::format("{:.{}f} {}", v, v < 10 ? 2 : 1, UNITS[u]);
}

std::string formatCount(std::uint64_t n)
{
    const auto v = static_cast<double>(n);
    if (n >= 1'000'000'000ULL) {
        return fmt::format("{:.2f} B", v / 1e9);
    }
    if (n >= 1'000'000ULL) {
        return fmt::format("{:.1f} M", v / 1e6);
    }
    if (n >= 10'000ULL) {
        return fmt::format("{:.1f} k", v / 1e3);
    }
    return fmt::format("{}", n);
}

}  // namespace pq::core
