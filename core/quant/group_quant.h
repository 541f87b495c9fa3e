// SPDX-License-Identifier: MIT
#pragma once

// Scale rules of every format: the one definition shared by the CPU reference, the fast CPU
// kernels and the CUDA kernels (all PQ_HOST_DEVICE, all float32 arithmetic).
//
// Notation: a row of W is split into groups along `in`; `amax` is max |w| over a group (or the
// whole row for per-channel formats, the whole tensor — or fused group — for NVFP4's global).
// A group's scale is stored in its storage type, and the *stored* value gives the effective
// scale `eff` with which codes are chosen (code = round(w / eff)) and decoded (w' = value·eff):
//
//   NVFP4     G = 448·6 / max(amax_tensor, FLT_MIN)  (1 if not finite)      [stored F32]
//             s = E4M3(min(G · (amax/6), 448)), 0 → 0.125 (E4M3 eps)          [stored E4M3]
//             eff = s / G
//   MX*       E = mxScaleExponent(amax, offset), eff = 2^(E−127)               [stored E8M0]
//   FP8 ch.   s = BF16(amax / 448), 0 → 2^-7 (BF16 eps), eff = s               [stored BF16]
//   INT4/8    s = BF16(amax / 7.5 | 127.5), 0 → 2^-7, eff = s                  [stored BF16]
//             q = clamp(rne(w / eff), −8..7 | −128..127)
//
// These follow compressed-tensors' calculate_qparams / generate_gparam / generate_mx_scales
// (reference/compressed-tensors.md §2.2–2.3), computed in float32.

#include <cfloat>
#include <cstdint>

#include "core/quant/element_codecs.h"
#include "core/quant/formats.h"

namespace pq::core::quant {

PQ_HOST_DEVICE inline float absf(float x)
{
    return bitsFloat(floatBits(x) & 0x7FFFFFFFU);
}

PQ_HOST_DEVICE inline bool isFiniteFloat(float x)
{
    return (floatBits(x) & 0x7F800000U) != 0x7F800000U;
}

/** float → bfloat16 bits, round to nearest even (inputs are finite). */
PQ_HOST_DEVICE inline std::uint16_t toBf16Bits(float v)
{
    const std::uint32_t u = floatBits(v);
    return static_cast<std::uint16_t>((u + 0x7FFFU + ((u >> 16U) & 1U)) >> 16U);
}

PQ_HOST_DEVICE inline float fromBf16Bits(std::uint16_t b)
{
    return bitsFloat(static_cast<std::uint32_t>(b) << 16U);
}

// ---- NVFP4 ------------------------------------------------------------------------------------

/** The NVFP4 global scale (a divisor) for a tensor or fused group whose max |w| is `amax`. */
PQ_HOST_DEVICE inline float nvfp4GlobalScale(float amax)
{
    const float a = amax > FLT_MIN ? amax : FLT_MIN;
    const float g = 448.0F * 6.0F / a;
    return isFiniteFloat(g) ? g : 1.0F;
}

/** E4M3 code of a block scale. */
PQ_HOST_DEVICE inline std::uint8_t nvfp4ScaleCode(float blockAmax, float globalScale)
{
    float s = globalScale * (blockAmax / 6.0F);
    s = s < 448.0F ? s : 448.0F;
    const std::uint8_t code = encodeMinifloat(s, E4M3);
    return (code & 0x7FU) == 0 ? E4M3_SCALE_EPS_CODE : code;
}

/** The effective scale of a stored block scale. */
PQ_HOST_DEVICE inline float nvfp4EffectiveScale(std::uint8_t scaleCode, float globalScale)
{
    return decodeMinifloat(scaleCode, E4M3) / globalScale;
}

// ---- MX ---------------------------------------------------------------------------------------

/** floor(log2(element max)) used by the MX exponent rule. */
PQ_HOST_DEVICE inline int mxOffset(MinifloatSpec spec)
{
    return spec.maxValue >= 448.0F ? 8 : (spec.maxValue >= 28.0F ? 4 : 2);
}

// ---- BF16-scaled formats (FP8 per channel, INT) -----------------------------------------------

/** BF16 bits of amax / divisor, with compressed-tensors' zero replacement (BF16 eps). */
PQ_HOST_DEVICE inline std::uint16_t bf16ScaleBits(float amax, float divisor)
{
    const std::uint16_t b = toBf16Bits(amax / divisor);
    return (b & 0x7FFFU) == 0 ? toBf16Bits(BF16_SCALE_EPS) : b;
}

/** Symmetric integer code (as a signed value) of w with effective scale eff. */
PQ_HOST_DEVICE inline int intCode(float w, float eff, int qmin, int qmax)
{
    const float r = roundHalfEvenSigned(w / eff);
    const float c = r < static_cast<float>(qmin)
                            ? static_cast<float>(qmin)
                            : (r > static_cast<float>(qmax) ? static_cast<float>(qmax) : r);
    return static_cast<int>(c);
}

}  // namespace pq::core::quant
