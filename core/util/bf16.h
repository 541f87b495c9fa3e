// SPDX-License-Identifier: MIT
#pragma once

#include <bit>
#include <cstdint>

namespace pq::core {

/** bfloat16 bits → float (exact). */
inline float bf16ToFloat(std::uint16_t bits)
{
    return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16U);
}

/** float → bfloat16 bits, round to nearest, ties to even; NaN stays a (quiet) NaN. */
inline std::uint16_t floatToBf16(float value)
{
    const auto u = std::bit_cast<std::uint32_t>(value);
    if ((u & 0x7F800000U) == 0x7F800000U && (u & 0x007FFFFFU) != 0) {
        return static_cast<std::uint16_t>((u >> 16U) | 0x0040U);
    }
    const std::uint32_t rounding = 0x7FFFU + ((u >> 16U) & 1U);
    return static_cast<std::uint16_t>((u + rounding) >> 16U);
}

}  // namespace pq::core
