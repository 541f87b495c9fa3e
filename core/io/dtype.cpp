// SPDX-License-Identifier: MIT
#include "core/io/dtype.h"

#include <array>
#include <utility>

namespace pq::core {
namespace {

struct DTypeRow
{
    DType dtype;
    std::string_view token;
    unsigned bits;
};

constexpr std::array<DTypeRow, 22> DTYPES = {{
        {DType::Bool, "BOOL", 8},
        {DType::F4, "F4", 4},
        {DType::F6E2M3, "F6_E2M3", 6},
        {DType::F6E3M2, "F6_E3M2", 6},
        {DType::U8, "U8", 8},
        {DType::I8, "I8", 8},
        {DType::F8E5M2, "F8_E5M2", 8},
        {DType::F8E4M3, "F8_E4M3", 8},
        {DType::F8E8M0, "F8_E8M0", 8},
        {DType::F8E4M3Fnuz, "F8_E4M3FNUZ", 8},
        {DType::F8E5M2Fnuz, "F8_E5M2FNUZ", 8},
        {DType::I16, "I16", 16},
        {DType::U16, "U16", 16},
        {DType::F16, "F16", 16},
        {DType::BF16, "BF16", 16},
        {DType::I32, "I32", 32},
        {DType::U32, "U32", 32},
        {DType::F32, "F32", 32},
        {DType::C64, "C64", 64},
        {DType::F64, "F64", 64},
        {DType::I64, "I64", 64},
        {DType::U64, "U64", 64},
}};

const DTypeRow &row(DType dtype)
{
    return DTYPES.at(static_cast<std::size_t>(dtype));
}

}  // namespace

std::string_view dtypeName(DType dtype)
{
    return row(dtype).token;
}

std::optional<DType> parseDType(std::string_view token)
{
    for (const DTypeRow &r : DTYPES) {
        if (r.token == token) {
            return r.dtype;
        }
    }
    return std::nullopt;
}

unsigned dtypeBits(DType dtype)
{
    return row(dtype).bits;
}

bool isDenseFloat(DType dtype)
{
    return dtype == DType::F32 || dtype == DType::F16 || dtype == DType::BF16 ||
           dtype == DType::F64;
}

}  // namespace pq::core
