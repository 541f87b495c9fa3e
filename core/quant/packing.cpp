// SPDX-License-Identifier: MIT
#include "core/quant/packing.h"

#include "core/quant/format_spec.h"

namespace pq::core::quant {
namespace {

enum class Packing
{
    Bytes,  ///< one code per byte (FP8)
    Fp4,    ///< two codes per byte, low nibble first
    Fp6,    ///< four codes per three bytes, LSB first
    Int4,   ///< eight codes per 32-bit word
    Int8,   ///< four codes per 32-bit word
};

Packing packingOf(FormatId id)
{
    switch (id) {
    case FormatId::NVFP4:
    case FormatId::NVFP4A16:
    case FormatId::MXFP4:
        return Packing::Fp4;
    case FormatId::MXFP6E2M3:
    case FormatId::MXFP6E3M2:
        return Packing::Fp6;
    case FormatId::W4A16:
        return Packing::Int4;
    case FormatId::W8A16:
    case FormatId::W8A16Channel:
        return Packing::Int8;
    case FormatId::BF16:
    case FormatId::FP8Dynamic:
    case FormatId::MXFP8:
        break;
    }
    return Packing::Bytes;
}

void putWord(std::byte *out, std::uint32_t w)
{
    for (int b = 0; b < 4; ++b) {
        out[b] = static_cast<std::byte>((w >> (8U * static_cast<unsigned>(b))) & 0xFFU);
    }
}

std::uint32_t getWord(const std::byte *in)
{
    std::uint32_t w = 0;
    for (int b = 3; b >= 0; --b) {
        w = (w << 8U) | std::to_integer<std::uint32_t>(in[b]);
    }
    return w;
}

void packWords(std::span<const std::uint8_t> codes, unsigned bits, std::byte *out)
{
    const std::size_t perWord = 32 / bits;
    for (std::size_t k = 0; k * perWord < codes.size(); ++k) {
        std::uint32_t w = 0;
        for (std::size_t i = 0; i < perWord && k * perWord + i < codes.size(); ++i) {
            w |= static_cast<std::uint32_t>(codes[k * perWord + i]) << (bits * i);
        }
        putWord(out + 4 * k, w);
    }
}

void unpackWords(const std::byte *in, unsigned bits, std::span<std::uint8_t> codes)
{
    const std::size_t perWord = 32 / bits;
    const std::uint32_t mask = (1U << bits) - 1U;
    for (std::size_t j = 0; j < codes.size(); ++j) {
        const std::uint32_t w = getWord(in + 4 * (j / perWord));
        codes[j] = static_cast<std::uint8_t>((w >> (bits * (j % perWord))) & mask);
    }
}

}  // namespace

std::uint64_t packedRowBytes(FormatId id, std::uint64_t cols)
{
    switch (packingOf(id)) {
    case Packing::Fp4:
        return cols / 2;
    case Packing::Fp6:
        return cols * 3 / 4;
    case Packing::Int4:
        return (cols + 7) / 8 * 4;
    case Packing::Int8:
        return (cols + 3) / 4 * 4;
    case Packing::Bytes:
        break;
    }
    return cols;
}

void packRow(FormatId id, std::span<const std::uint8_t> codes, std::byte *out)
{
    switch (packingOf(id)) {
    case Packing::Bytes:
        for (std::size_t j = 0; j < codes.size(); ++j) {
            out[j] = static_cast<std::byte>(codes[j]);
        }
        return;
    case Packing::Fp4:
        for (std::size_t j = 0; 2 * j < codes.size(); ++j) {
            out[j] = static_cast<std::byte>((codes[2 * j] & 0xFU) |
                                            ((codes[2 * j + 1] & 0xFU) << 4U));
        }
        return;
    case Packing::Fp6:
        for (std::size_t k = 0; 4 * k < codes.size(); ++k) {
            const std::uint32_t v = (codes[4 * k] & 0x3FU) | ((codes[4 * k + 1] & 0x3FU) << 6U) |
                                    ((codes[4 * k + 2] & 0x3FU) << 12U) |
                                    ((codes[4 * k + 3] & 0x3FU) << 18U);
            out[3 * k] = static_cast<std::byte>(v & 0xFFU);
            out[3 * k + 1] = static_cast<std::byte>((v >> 8U) & 0xFFU);
            out[3 * k + 2] = static_cast<std::byte>((v >> 16U) & 0xFFU);
        }
        return;
    case Packing::Int4:
        packWords(codes, 4, out);
        return;
    case Packing::Int8:
        packWords(codes, 8, out);
        return;
    }
}

void unpackRow(FormatId id, const std::byte *in, std::span<std::uint8_t> codes)
{
    switch (packingOf(id)) {
    case Packing::Bytes:
        for (std::size_t j = 0; j < codes.size(); ++j) {
            codes[j] = std::to_integer<std::uint8_t>(in[j]);
        }
        return;
    case Packing::Fp4:
        for (std::size_t j = 0; j < codes.size(); ++j) {
            const auto b = std::to_integer<std::uint8_t>(in[j / 2]);
            codes[j] = static_cast<std::uint8_t>(j % 2 == 0 ? (b & 0xFU) : (b >> 4U));
        }
        return;
    case Packing::Fp6:
        for (std::size_t k = 0; 4 * k < codes.size(); ++k) {
            const std::uint32_t v = std::to_integer<std::uint32_t>(in[3 * k]) |
                                    (std::to_integer<std::uint32_t>(in[3 * k + 1]) << 8U) |
                                    (std::to_integer<std::uint32_t>(in[3 * k + 2]) << 16U);
            for (unsigned i = 0; i < 4; ++i) {
                codes[4 * k + i] = static_cast<std::uint8_t>((v >> (6U * i)) & 0x3FU);
            }
        }
        return;
    case Packing::Int4:
        unpackWords(in, 4, codes);
        return;
    case Packing::Int8:
        unpackWords(in, 8, codes);
        return;
    }
}

std::uint32_t scaleBytes(FormatId id)
{
    return formatInfo(id).layout.scaleBits / 8;
}

void storeScale(FormatId id, std::uint16_t code, std::byte *out)
{
    out[0] = static_cast<std::byte>(code & 0xFFU);
    if (scaleBytes(id) == 2) {
        out[1] = static_cast<std::byte>(code >> 8U);
    }
}

std::uint16_t loadScale(FormatId id, const std::byte *in)
{
    std::uint16_t code = std::to_integer<std::uint16_t>(in[0]);
    if (scaleBytes(id) == 2) {
        code = static_cast<std::uint16_t>(code | (std::to_integer<std::uint16_t>(in[1]) << 8U));
    }
    return code;
}

}  // namespace pq::core::quant
