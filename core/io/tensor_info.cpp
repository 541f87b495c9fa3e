// SPDX-License-Identifier: MIT
#include "core/io/tensor_info.h"

#include <limits>

namespace pq::core {

std::optional<std::uint64_t> TensorInfo::numel() const
{
    std::uint64_t n = 1;
    for (const std::uint64_t d : shape) {
        if (d != 0 && n > std::numeric_limits<std::uint64_t>::max() / d) {
            return std::nullopt;
        }
        n *= d;
    }
    return n;
}

std::optional<std::uint64_t> TensorInfo::byteSize() const
{
    const auto n = numel();
    if (!n) {
        return std::nullopt;
    }
    const std::uint64_t bits = dtypeBits(dtype);
    if (*n > std::numeric_limits<std::uint64_t>::max() / bits) {
        return std::nullopt;
    }
    const std::uint64_t totalBits = *n * bits;
    if (totalBits % 8 != 0) {
        return std::nullopt;
    }
    return totalBits / 8;
}

}  // namespace pq::core
