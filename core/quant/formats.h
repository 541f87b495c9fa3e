// SPDX-License-Identifier: MIT
#pragma once

// The number formats PrismaQuant measures and exports (DESIGN.md §3), and their byte layouts.
//
// Layout (compressed-tensors, reference/compressed-tensors.md §2): every format stores a Linear
// W [out, in] as planar tensors, groups running along `in`:
//
//   format        tensors written (dtype, shape)
//   BF16          weight (source dtype) [out, in]
//   FP8_DYNAMIC   weight F8_E4M3 [out, in]; weight_scale BF16 [out, 1]
//   MXFP8         weight F8_E4M3 [out, in]; weight_scale U8 (E8M0) [out, in/32]
//   NVFP4         weight_packed U8 [out, in/2]; weight_scale F8_E4M3 [out, in/16];
//                 weight_global_scale F32 [1]; input_global_scale F32 [1]
//   NVFP4A16      as NVFP4 without input_global_scale
//   MXFP4         weight_packed U8 [out, in/2]; weight_scale U8 [out, in/32]
//   W4A16         weight_packed I32 [out, in/8]; weight_scale BF16 [out, in/128]; weight_shape I64
//   [2] W8A16         weight_packed I32 [out, in/4]; weight_scale BF16 [out, in/128]; weight_shape
//   I64 [2] W8A16_CH      weight_packed I32 [out, in/4]; weight_scale BF16 [out, 1]; weight_shape
//   I64 [2] MXFP6_*       weight_packed U8 [out, in·3/4] (4 codes in 3 bytes, LSB first);
//   weight_scale U8
//                 [out, in/32] — our own layout: no serving stack reads MXFP6 from
//                 compressed-tensors
//
// FP4 packing: byte j of a row = code(2j) | code(2j+1) << 4 (even element in the low nibble).
// INT packing: u = q + 2^(b−1), element j in bits [b·j mod 32, +b) of 32-bit word b·j/32.
// This header is plain structs and constants so that nvcc can include it too.

#include <cstdint>

namespace pq::core::quant {

/** Every format, in menu order. The numeric values are not persisted (names are). */
enum class FormatId : std::uint8_t
{
    BF16,
    FP8Dynamic,
    MXFP8,
    NVFP4,
    NVFP4A16,
    MXFP4,
    W4A16,
    W8A16,
    W8A16Channel,
    MXFP6E2M3,
    MXFP6E3M2,
};

inline constexpr int FORMAT_COUNT = 11;

/** The activation quantizer a format implies at serve time. */
enum class ActivationQuant : std::uint8_t
{
    None,         ///< weight-only (A16)
    Nvfp4,        ///< E2M1 groups of 16, FP8 block scale under a calibrated global scale
    Mxfp4,        ///< E2M1 groups of 32, E8M0 scale
    Mxfp8,        ///< E4M3 groups of 32, E8M0 scale
    Fp8PerToken,  ///< E4M3, one float scale per token row
};

/** Group geometry of a format: how many elements share one scale. */
struct GroupLayout
{
    std::uint32_t groupSize;  ///< elements per scale along `in`; 0 = one scale per output row
    std::uint32_t elemBits;   ///< bits per stored element
    std::uint32_t scaleBits;  ///< bits per stored scale
};

inline constexpr GroupLayout NVFP4_LAYOUT{16, 4, 8};
inline constexpr GroupLayout MXFP4_LAYOUT{32, 4, 8};
inline constexpr GroupLayout MXFP6_LAYOUT{32, 6, 8};
inline constexpr GroupLayout MXFP8_LAYOUT{32, 8, 8};
inline constexpr GroupLayout FP8_CHANNEL_LAYOUT{0, 8, 16};
inline constexpr GroupLayout W4A16_LAYOUT{128, 4, 16};
inline constexpr GroupLayout W8A16_LAYOUT{128, 8, 16};
inline constexpr GroupLayout W8A16_CHANNEL_LAYOUT{0, 8, 16};

/** One NVFP4 group as stored: 16 E2M1 codes in 8 bytes plus one E4M3 scale. */
struct Nvfp4Group
{
    std::uint8_t packed[8];  ///< codes 2j (low nibble) and 2j+1 (high nibble)
    std::uint8_t scale;      ///< E4M3 block scale (relative to the global scale)
};

static_assert(sizeof(Nvfp4Group) == NVFP4_LAYOUT.groupSize * NVFP4_LAYOUT.elemBits / 8 + 1);

/** One MXFP4 group: 32 E2M1 codes in 16 bytes plus one E8M0 exponent. */
struct Mxfp4Group
{
    std::uint8_t packed[16];
    std::uint8_t scale;  ///< E8M0: 2^(scale − 127)
};

static_assert(sizeof(Mxfp4Group) == MXFP4_LAYOUT.groupSize * MXFP4_LAYOUT.elemBits / 8 + 1);

/** One MXFP6 group: 32 six-bit codes in 24 bytes plus one E8M0 exponent. */
struct Mxfp6Group
{
    std::uint8_t packed[24];  ///< 4 codes per 3 bytes, LSB first
    std::uint8_t scale;
};

static_assert(sizeof(Mxfp6Group) == MXFP6_LAYOUT.groupSize * MXFP6_LAYOUT.elemBits / 8 + 1);

/** One MXFP8 group: 32 E4M3 codes plus one E8M0 exponent. */
struct Mxfp8Group
{
    std::uint8_t codes[32];
    std::uint8_t scale;
};

static_assert(sizeof(Mxfp8Group) == MXFP8_LAYOUT.groupSize + 1);

/** INT4 words: 8 codes per little-endian 32-bit word, element 8k+i in bits 4i..4i+3. */
inline constexpr std::uint32_t INT4_PER_WORD = 32 / 4;
/** INT8 words: 4 codes per word, element 4k+i in byte i. */
inline constexpr std::uint32_t INT8_PER_WORD = 32 / 8;
static_assert(INT4_PER_WORD * W4A16_LAYOUT.elemBits == 32);

/** E4M3 encoding of 0.125, the block scale compressed-tensors substitutes for a zero scale. */
inline constexpr std::uint8_t E4M3_SCALE_EPS_CODE = 0x20;
/** BF16 epsilon (2^-7), substituted for a zero BF16 scale (compressed-tensors' _get_dtype_eps). */
inline constexpr float BF16_SCALE_EPS = 0.0078125F;

}  // namespace pq::core::quant
