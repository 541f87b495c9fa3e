// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pq::core {

/**
 * Element types of safetensors files, in the reference implementation's enum order (which is
 * ascending alignment). Tokens are the exact strings of the file format ("F8_E4M3", "BF16").
 */
enum class DType : std::uint8_t
{
    Bool,
    F4,
    F6E2M3,
    F6E3M2,
    U8,
    I8,
    F8E5M2,
    F8E4M3,
    F8E8M0,
    F8E4M3Fnuz,
    F8E5M2Fnuz,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    C64,
    F64,
    I64,
    U64,
};

/** The file-format token, e.g. "BF16". */
std::string_view dtypeName(DType dtype);

/** Parses a file-format token; nullopt for anything unknown (case-sensitive, like the format). */
std::optional<DType> parseDType(std::string_view token);

/** Bits per element (4 for F4, 6 for F6_*, 8 for U8, ...). */
unsigned dtypeBits(DType dtype);

/** True for the floating-point element types a Linear weight may be stored in (F32/F16/BF16/F64).
 */
bool isDenseFloat(DType dtype);

}  // namespace pq::core
