// SPDX-License-Identifier: MIT
#pragma once

// Row quantizers: one row of W (float32, `cols` elements) → element codes + scale codes, and
// back. This is the single implementation behind encode, decode, fake-quant, the error metrics
// and the activation quantizers, on every backend (CPU reference, CPU fast path, CUDA).
//
// Notation: G = group size along the row (cols for per-channel formats), n = cols / G groups.
// Element codes are one byte per element: the minifloat code (E2M1, E2M3, E3M2, E4M3) or, for
// INT formats, the unsigned storage value u = q + 2^(b−1). Scale codes are 16 bits per group:
// an E4M3 code (NVFP4), an E8M0 exponent (MX) or BF16 bits (FP8 per channel, INT). FP8 per-token
// activations keep a float32 scale, which is never stored.

#include <cstdint>

#include "core/quant/formats.h"
#include "core/quant/group_quant.h"

namespace pq::core::quant {

/** How a format turns a group maximum into a stored scale and an effective scale. */
enum class ScaleKind : std::uint8_t
{
    Nvfp4,    ///< E4M3 relative to a global scale
    Mx,       ///< E8M0 power of two
    Bf16,     ///< BF16 value of amax / divisor
    Float32,  ///< float32 amax / divisor (FP8 per-token activations; not stored)
    None,     ///< identity (BF16 format)
};

/** Everything the row kernels need to know about a format. Plain data, usable on the device. */
struct RowFormat
{
    ScaleKind scale = ScaleKind::None;
    std::uint32_t groupSize = 0;  ///< 0: one group per row
    bool integer = false;         ///< INT element codes
    MinifloatSpec elem = E2M1;    ///< minifloat element (when !integer)
    int intBits = 0;              ///< 4 or 8 (when integer)
    float divisor = 1.0F;         ///< amax / divisor for Bf16/Float32 scales (448, 7.5, 127.5)
};

/** The row description of a weight format. */
PQ_HOST_DEVICE constexpr RowFormat rowFormat(FormatId id)
{
    switch (id) {
    case FormatId::FP8Dynamic:
        return {ScaleKind::Bf16, 0, false, E4M3, 0, 448.0F};
    case FormatId::MXFP8:
        return {ScaleKind::Mx, 32, false, E4M3, 0, 1.0F};
    case FormatId::NVFP4:
    case FormatId::NVFP4A16:
        return {ScaleKind::Nvfp4, 16, false, E2M1, 0, 1.0F};
    case FormatId::MXFP4:
        return {ScaleKind::Mx, 32, false, E2M1, 0, 1.0F};
    case FormatId::W4A16:
        return {ScaleKind::Bf16, 128, true, E2M1, 4, 7.5F};
    case FormatId::W8A16:
        return {ScaleKind::Bf16, 128, true, E2M1, 8, 127.5F};
    case FormatId::W8A16Channel:
        return {ScaleKind::Bf16, 0, true, E2M1, 8, 127.5F};
    case FormatId::MXFP6E2M3:
        return {ScaleKind::Mx, 32, false, E2M3, 0, 1.0F};
    case FormatId::MXFP6E3M2:
        return {ScaleKind::Mx, 32, false, E3M2, 0, 1.0F};
    case FormatId::BF16:
        break;
    }
    return {};
}

/** The row description of a serve-time activation quantizer. */
PQ_HOST_DEVICE constexpr RowFormat activationRowFormat(ActivationQuant a)
{
    switch (a) {
    case ActivationQuant::Nvfp4:
        return {ScaleKind::Nvfp4, 16, false, E2M1, 0, 1.0F};
    case ActivationQuant::Mxfp4:
        return {ScaleKind::Mx, 32, false, E2M1, 0, 1.0F};
    case ActivationQuant::Mxfp8:
        return {ScaleKind::Mx, 32, false, E4M3, 0, 1.0F};
    case ActivationQuant::Fp8PerToken:
        return {ScaleKind::Float32, 0, false, E4M3, 0, 448.0F};
    case ActivationQuant::None:
        break;
    }
    return {};
}

/** Stored scale code of a group with maximum `amax` (globalScale: NVFP4 only). */
PQ_HOST_DEVICE inline std::uint16_t scaleCode(const RowFormat &f, float amax, float globalScale)
{
    switch (f.scale) {
    case ScaleKind::Nvfp4:
        return nvfp4ScaleCode(amax, globalScale);
    case ScaleKind::Mx:
        return mxScaleExponent(amax, mxOffset(f.elem));
    case ScaleKind::Bf16:
        return bf16ScaleBits(amax, f.divisor);
    case ScaleKind::Float32:
    case ScaleKind::None:
        break;
    }
    return 0;
}

/** Effective scale of a stored scale code. */
PQ_HOST_DEVICE inline float
effectiveScale(const RowFormat &f, std::uint16_t code, float globalScale)
{
    switch (f.scale) {
    case ScaleKind::Nvfp4:
        return nvfp4EffectiveScale(static_cast<std::uint8_t>(code), globalScale);
    case ScaleKind::Mx:
        return mxScaleValue(static_cast<std::uint8_t>(code));
    case ScaleKind::Bf16:
        return fromBf16Bits(code);
    case ScaleKind::Float32:
    case ScaleKind::None:
        break;
    }
    return 1.0F;
}

/** Element code of w under effective scale eff. */
PQ_HOST_DEVICE inline std::uint8_t elementCode(const RowFormat &f, float w, float eff)
{
    if (f.integer) {
        const int half = 1 << (f.intBits - 1);
        return static_cast<std::uint8_t>(intCode(w, eff, -half, half - 1) + half);
    }
    return encodeMinifloat(w / eff, f.elem);
}

/** Value of an element code under effective scale eff. */
PQ_HOST_DEVICE inline float elementValue(const RowFormat &f, std::uint8_t code, float eff)
{
    if (f.integer) {
        const int half = 1 << (f.intBits - 1);
        return static_cast<float>(static_cast<int>(code) - half) * eff;
    }
    return decodeMinifloat(code, f.elem) * eff;
}

/** elementValue(elementCode(w, eff), eff) without the code (branch-free; see
 * quantizeMinifloatValue). */
PQ_HOST_DEVICE inline float quantizedValue(const RowFormat &f, float w, float eff)
{
    if (f.integer) {
        const int half = 1 << (f.intBits - 1);
        const float r = roundHalfEvenSigned(w / eff);
        const float lo = static_cast<float>(-half);
        const float hi = static_cast<float>(half - 1);
        // + 0.0F turns −0 into +0: an integer code has no negative zero.
        return ((r < lo ? lo : (r > hi ? hi : r)) + 0.0F) * eff;
    }
    return quantizeMinifloatValue(w / eff, f.elem) * eff;
}

/** Group size of a row of `cols` elements. */
PQ_HOST_DEVICE inline std::uint64_t groupLength(const RowFormat &f, std::uint64_t cols)
{
    return f.groupSize == 0 ? cols : f.groupSize;
}

/**
 * Quantizes one group: writes `len` element codes (if `codes` is non-null), the dequantized
 * values (if `values` is non-null) and returns the scale code. The group maximum is computed
 * here. For ScaleKind::Float32 the effective scale is returned through `effOut`.
 */
PQ_HOST_DEVICE inline std::uint16_t quantizeGroup(const RowFormat &f,
                                                  const float *w,
                                                  std::uint64_t len,
                                                  float globalScale,
                                                  std::uint8_t *codes,
                                                  float *values,
                                                  float *effOut = nullptr)
{
    float amax = 0.0F;
    for (std::uint64_t i = 0; i < len; ++i) {
        const float a = absf(w[i]);
        amax = a > amax ? a : amax;
    }
    std::uint16_t sc = 0;
    float eff = 1.0F;
    if (f.scale == ScaleKind::Float32) {
        eff = amax > 0.0F ? amax / f.divisor : 1.0F;
    } else {
        sc = scaleCode(f, amax, globalScale);
        eff = effectiveScale(f, sc, globalScale);
    }
    for (std::uint64_t i = 0; i < len; ++i) {
        const std::uint8_t c = elementCode(f, w[i], eff);
        if (codes != nullptr) {
            codes[i] = c;
        }
        if (values != nullptr) {
            values[i] = elementValue(f, c, eff);
        }
    }
    if (effOut != nullptr) {
        *effOut = eff;
    }
    return sc;
}

}  // namespace pq::core::quant
