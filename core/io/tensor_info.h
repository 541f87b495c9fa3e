// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/io/dtype.h"

namespace pq::core {

/** Name, element type and shape of one tensor (row-major, no strides), wherever it lives. */
struct TensorInfo
{
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::uint64_t> shape;  ///< empty = scalar

    /** Number of elements; nullopt when the product overflows 64 bits. */
    std::optional<std::uint64_t> numel() const;

    /** Bytes the elements occupy; nullopt on overflow or when bits×numel is not whole bytes. */
    std::optional<std::uint64_t> byteSize() const;
};

}  // namespace pq::core
