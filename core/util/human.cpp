// SPDX-License-Identifier: MIT
#include "core/util/human.h"

#include <array>
#include <cctype>
#include <cmath>
#include <ctime>
#include <string>

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

Result<std::uint64_t> parseByteSize(std::string_view text)
{
    const auto bad = [&] {
        return makeError(
                ErrorCode::InvalidArgument,
                fmt::format("'{}' is not a size (write e.g. 22GB, 20GiB or 512MiB)", text));
    };
    std::size_t i = 0;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) != 0 || text[i] == '.')) {
        ++i;
    }
    const std::string number(text.substr(0, i));
    if (number.empty() || number.find('.') != number.rfind('.') || number == ".") {
        return bad();
    }
    std::string unit;
    for (char c : text.substr(i)) {
        if (c != ' ') {
            unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    static const std::pair<const char *, double> UNITS[] = {{"", 1.0},
                                                            {"b", 1.0},
                                                            {"kb", 1e3},
                                                            {"mb", 1e6},
                                                            {"gb", 1e9},
                                                            {"tb", 1e12},
                                                            {"kib", 1024.0},
                                                            {"mib", 1048576.0},
                                                            {"gib", 1073741824.0},
                                                            {"tib", 1099511627776.0}};
    for (const auto &[name, scale] : UNITS) {
        if (unit == name) {
            const double v = std::stod(number) * scale;
            if (!(v >= 0.0) || v > 1.8e19) {
                return bad();
            }
            return static_cast<std::uint64_t>(std::llround(v));
        }
    }
    return bad();
}

std::string utcTimestamp()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace pq::core
