// SPDX-License-Identifier: MIT
#pragma once

// Packing of element and scale codes into the bytes compressed-tensors stores, and back.
// Layouts: see formats.h. All multi-byte values are little-endian.

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/quant/formats.h"

namespace pq::core::quant {

/** Bytes one row of `cols` element codes occupies in the format's weight tensor. */
std::uint64_t packedRowBytes(FormatId id, std::uint64_t cols);

/** Packs one row of element codes (one byte each) into `out` (packedRowBytes bytes). */
void packRow(FormatId id, std::span<const std::uint8_t> codes, std::byte *out);

/** Unpacks one row of packed bytes back into element codes. */
void unpackRow(FormatId id, const std::byte *in, std::span<std::uint8_t> codes);

/** Bytes per stored scale (1 for E4M3/E8M0, 2 for BF16). */
std::uint32_t scaleBytes(FormatId id);

/** Writes one scale code in its storage form. */
void storeScale(FormatId id, std::uint16_t code, std::byte *out);

/** Reads one stored scale code. */
std::uint16_t loadScale(FormatId id, const std::byte *in);

}  // namespace pq::core::quant
