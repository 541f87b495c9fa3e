// SPDX-License-Identifier: MIT
#pragma once

// Element codecs: the number grids every format is built from.
//
// Minifloats (OCP definitions, subnormals included, no infinities; E4M3 is the "fn" variant
// whose only NaN codes 0x7F/0xFF are never produced):
//
//   name   exp  man  bias  max     positive values
//   E2M1    2    1    1    6       0.5 1 1.5 2 3 4 6                 (+0)
//   E2M3    2    3    1    7.5     0.125 .. 7.5 in 31 steps           (+0)
//   E3M2    3    2    3    28      0.0625 .. 28, 31 values            (+0)
//   E4M3    4    3    7    448     2^-9 .. 448, 126 values            (+0)
//
// encodeMinifloat(x): clamp |x| to the format maximum, then round to nearest with ties to even
// (an even mantissa code), sign taken from the IEEE sign bit (so −0.0 and small negatives that
// round to zero give the "−0" code, as compressed-tensors' cast does). decodeMinifloat is exact.
//
// E8M0 (MX block scales): a biased power-of-two exponent, value 2^(E−127); 255 (NaN) is never
// produced. mxScaleExponent(amax, offset) is compressed-tensors' rule: round amax to a power of
// two (up when the mantissa fraction is ≥ 0.75), then E = 127 + log2(p2) − offset, clamped to
// [0, 254], where offset = floor(log2(element max)) (2 for FP4, 8 for FP8, 2 for E2M3, 4 for E3M2).
//
// Everything here is header-only, branch-light and marked PQ_HOST_DEVICE so the CPU reference,
// the vectorised CPU kernels and the CUDA kernels share one definition.

#include <cstdint>
#include <cstring>

// PQ_HOST_DEVICE marks the shared element/scale functions. On the host they are `static`:
// each translation unit keeps its own copy, so a copy compiled with -mavx512f in an ISA-specific
// kernel TU can never be chosen by the linker for callers in generic code.
#if defined(__CUDACC__)
#define PQ_HOST_DEVICE __host__ __device__ static
#else
#define PQ_HOST_DEVICE static
#endif

namespace pq::core::quant {

/** Geometry of one minifloat element type. */
struct MinifloatSpec
{
    int expBits;
    int manBits;
    int bias;
    float maxValue;
};

inline constexpr MinifloatSpec E2M1{2, 1, 1, 6.0F};
inline constexpr MinifloatSpec E2M3{2, 3, 1, 7.5F};
inline constexpr MinifloatSpec E3M2{3, 2, 3, 28.0F};
inline constexpr MinifloatSpec E4M3{4, 3, 7, 448.0F};

PQ_HOST_DEVICE inline std::uint32_t floatBits(float f)
{
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

PQ_HOST_DEVICE inline float bitsFloat(std::uint32_t u)
{
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

/** 2^e as a float for e in [-126, 127] (exact, built from the bits). */
PQ_HOST_DEVICE inline float pow2(int e)
{
    return bitsFloat(static_cast<std::uint32_t>(e + 127) << 23U);
}

/** Round half to even on a non-negative float below 2^23 (no FP environment dependence). */
PQ_HOST_DEVICE inline float roundHalfEven(float y)
{
    // Adding and subtracting 2^23 rounds to an integer in round-to-nearest-even, the IEEE
    // default on both CPU and GPU. The build never enables -ffast-math (which could fold the
    // pair away) and compiles with -ffp-contract=off / --fmad=false.
    constexpr float MAGIC = 8388608.0F;
    const float t = y + MAGIC;
    return t - MAGIC;
}

/** Encodes x (already divided by its scale) into an element code of `spec`. */
PQ_HOST_DEVICE inline std::uint8_t encodeMinifloat(float x, MinifloatSpec spec)
{
    const std::uint32_t sign = floatBits(x) >> 31U;
    float a = bitsFloat(floatBits(x) & 0x7FFFFFFFU);
    a = a < spec.maxValue ? a : spec.maxValue;  // saturate (also maps +inf to max)
    const int emin = 1 - spec.bias;
    int e = static_cast<int>((floatBits(a) >> 23U) & 0xFFU) - 127;
    e = e < emin ? emin : e;
    const float r = roundHalfEven(a * pow2(spec.manBits - e));  // integer in [0, 2^(M+1)]
    int m = static_cast<int>(r);
    const int implicit = 1 << spec.manBits;
    int biased = 0;
    if (m >= 2 * implicit) {  // rounded up into the next binade
        m = implicit;
        ++e;
    }
    if (m >= implicit) {
        biased = e + spec.bias;
        m -= implicit;
    }
    return static_cast<std::uint8_t>(
            (sign << static_cast<unsigned>(spec.expBits + spec.manBits)) |
            (static_cast<unsigned>(biased) << static_cast<unsigned>(spec.manBits)) |
            static_cast<unsigned>(m));
}

/** Decodes an element code of `spec` to its exact float value. */
PQ_HOST_DEVICE inline float decodeMinifloat(std::uint8_t code, MinifloatSpec spec)
{
    const unsigned man = code & ((1U << static_cast<unsigned>(spec.manBits)) - 1U);
    const unsigned biased = (code >> static_cast<unsigned>(spec.manBits)) &
                            ((1U << static_cast<unsigned>(spec.expBits)) - 1U);
    const bool negative = ((code >> static_cast<unsigned>(spec.expBits + spec.manBits)) & 1U) != 0;
    float v = 0.0F;
    if (biased == 0) {
        v = static_cast<float>(man) * pow2(1 - spec.bias - spec.manBits);
    } else {
        v = static_cast<float>((1U << static_cast<unsigned>(spec.manBits)) + man) *
            pow2(static_cast<int>(biased) - spec.bias - spec.manBits);
    }
    return negative ? -v : v;
}

/** decode(encode(x)) written for the reference: through the code. */
PQ_HOST_DEVICE inline float roundMinifloat(float x, MinifloatSpec spec)
{
    return decodeMinifloat(encodeMinifloat(x, spec), spec);
}

/**
 * decode(encode(x)) without building the code: branch-free, so the fast CPU kernels vectorise
 * it and the GPU runs it without divergence. Equal to roundMinifloat bit for bit (every step is
 * exact: the rounding happens once, in roundHalfEven); tests check it exhaustively.
 */
PQ_HOST_DEVICE inline float quantizeMinifloatValue(float x, MinifloatSpec spec)
{
    const std::uint32_t sign = floatBits(x) & 0x80000000U;
    float a = bitsFloat(floatBits(x) & 0x7FFFFFFFU);
    a = a < spec.maxValue ? a : spec.maxValue;
    const int emin = 1 - spec.bias;
    int e = static_cast<int>((floatBits(a) >> 23U) & 0xFFU) - 127;
    e = e < emin ? emin : e;
    const float r = roundHalfEven(a * pow2(spec.manBits - e));
    return bitsFloat(floatBits(r * pow2(e - spec.manBits)) | sign);
}

/** E8M0 block-scale exponent for a block maximum (see the file comment). */
PQ_HOST_DEVICE inline std::uint8_t mxScaleExponent(float amax, int offset)
{
    const std::uint32_t p2 = (floatBits(amax) + (1U << 21U)) & 0xFF800000U;
    const int biased = static_cast<int>((p2 >> 23U) & 0xFFU);
    if (biased == 0) {
        return 0;  // amax zero (or a tiny denormal): the smallest scale
    }
    const int e = biased - offset;
    return static_cast<std::uint8_t>(e < 0 ? 0 : (e > 254 ? 254 : e));
}

/** The value of an E8M0 exponent, 2^(E−127); E = 0 gives 2^-127 (a float denormal). */
PQ_HOST_DEVICE inline float mxScaleValue(std::uint8_t e)
{
    if (e == 0) {
        return bitsFloat(0x00400000U);  // 2^-127
    }
    return bitsFloat(static_cast<std::uint32_t>(e) << 23U);
}

/** Round half to even on any finite float (for integer formats), result as float. */
PQ_HOST_DEVICE inline float roundHalfEvenSigned(float y)
{
    const float a = bitsFloat(floatBits(y) & 0x7FFFFFFFU);
    if (!(a < 8388608.0F)) {
        return y;  // already an integer
    }
    const float r = roundHalfEven(a);
    return (floatBits(y) >> 31U) != 0 ? -r : r;
}

}  // namespace pq::core::quant
