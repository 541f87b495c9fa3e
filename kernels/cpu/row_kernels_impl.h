// SPDX-License-Identifier: MIT
// Included once per instruction set, inside namespace pq::kernels::cpu::PQ_KERNEL_ISA (see
// row_kernels.h). Loops are written so GCC vectorises them: fixed-width lane arrays for the
// reductions (no reassociation is needed), branch-free element math, group sizes known at
// compile time per format.
//
// Notation: w = one row of the weight (float32), G = group size, eff = effective scale.

#include <cstring>

#include "core/quant/row_quant.h"

using core::DType;
using core::quant::FormatId;
using core::quant::RowFormat;

inline constexpr std::uint64_t LANES = 16;

inline void toFloatImpl(DType dtype, const std::byte *src, float *dst, std::uint64_t n)
{
    if (dtype == DType::F32) {
        std::memcpy(dst, src, n * 4);
        return;
    }
    const auto *h = reinterpret_cast<const std::uint16_t *>(src);
    if (dtype == DType::BF16) {
        for (std::uint64_t i = 0; i < n; ++i) {
            const std::uint32_t u = static_cast<std::uint32_t>(h[i]) << 16U;
            std::memcpy(dst + i, &u, 4);
        }
        return;
    }
    for (std::uint64_t i = 0; i < n; ++i) {  // F16: exact conversion through the bits
        const std::uint32_t x = h[i];
        const std::uint32_t sign = (x & 0x8000U) << 16U;
        const std::uint32_t exp = (x >> 10U) & 0x1FU;
        const std::uint32_t man = x & 0x3FFU;
        float v = 0.0F;
        if (exp == 0) {
            v = static_cast<float>(man) * 5.9604644775390625e-08F;  // 2^-24
        } else if (exp == 31) {
            const std::uint32_t u = 0x7F800000U | (man << 13U);
            std::memcpy(&v, &u, 4);
        } else {
            const std::uint32_t u = ((exp + 112U) << 23U) | (man << 13U);
            std::memcpy(&v, &u, 4);
        }
        std::uint32_t b = 0;
        std::memcpy(&b, &v, 4);
        b |= sign;
        std::memcpy(dst + i, &b, 4);
    }
}

inline float maxAbsImpl(const float *x, std::uint64_t n)
{
    // Compare |x| as integers: order-preserving for non-negative floats, and inf/NaN bit patterns
    // exceed every finite one, so a non-finite element shows up in the result.
    std::uint32_t lane[LANES] = {};
    std::uint64_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        for (std::uint64_t l = 0; l < LANES; ++l) {
            std::uint32_t b = 0;
            std::memcpy(&b, x + i + l, 4);
            b &= 0x7FFFFFFFU;
            lane[l] = b > lane[l] ? b : lane[l];
        }
    }
    std::uint32_t m = 0;
    const std::uint64_t tail = n - i;
    for (std::uint64_t t = 0; t < tail; ++t) {
        std::uint32_t b = 0;
        std::memcpy(&b, x + i + t, 4);
        b &= 0x7FFFFFFFU;
        m = b > m ? b : m;
    }
    for (const std::uint32_t v : lane) {
        m = v > m ? v : m;
    }
    float out = 0.0F;
    std::memcpy(&out, &m, 4);
    return out;
}

inline float groupEffective(const RowFormat &f, float amax, float g)
{
    if (f.scale == core::quant::ScaleKind::Float32) {
        return amax > 0.0F ? amax / f.divisor : 1.0F;
    }
    return core::quant::effectiveScale(f, core::quant::scaleCode(f, amax, g), g);
}

template <FormatId F>
void fakeQuantRowT(const float *w, float *out, std::uint64_t cols, float g)
{
    constexpr RowFormat f = core::quant::rowFormat(F);
    const std::uint64_t len = f.groupSize == 0 ? cols : f.groupSize;
    for (std::uint64_t k = 0; k < cols; k += len) {
        const float eff = groupEffective(f, maxAbsImpl(w + k, len), g);
        for (std::uint64_t i = 0; i < len; ++i) {
            out[k + i] = core::quant::quantizedValue(f, w[k + i], eff);
        }
    }
}

inline void
fakeQuantRowDynamicImpl(const RowFormat &f, const float *w, float *out, std::uint64_t cols, float g)
{
    const std::uint64_t len = f.groupSize == 0 ? cols : f.groupSize;
    for (std::uint64_t k = 0; k < cols; k += len) {
        const float eff = groupEffective(f, maxAbsImpl(w + k, len), g);
        for (std::uint64_t i = 0; i < len; ++i) {
            out[k + i] = core::quant::quantizedValue(f, w[k + i], eff);
        }
    }
}

template <FormatId F>
void encodeRowT(
        const float *w, std::uint64_t cols, float g, std::uint8_t *codes, std::uint16_t *scales)
{
    constexpr RowFormat f = core::quant::rowFormat(F);
    const std::uint64_t len = f.groupSize == 0 ? cols : f.groupSize;
    for (std::uint64_t k = 0; k * len < cols; ++k) {
        const std::uint16_t sc = core::quant::scaleCode(f, maxAbsImpl(w + k * len, len), g);
        const float eff = core::quant::effectiveScale(f, sc, g);
        scales[k] = sc;
        for (std::uint64_t i = 0; i < len; ++i) {
            codes[k * len + i] = core::quant::elementCode(f, w[k * len + i], eff);
        }
    }
}

inline void fakeQuantRowImpl(FormatId id, const float *w, float *out, std::uint64_t cols, float g)
{
    switch (id) {
    case FormatId::FP8Dynamic:
        return fakeQuantRowT<FormatId::FP8Dynamic>(w, out, cols, g);
    case FormatId::MXFP8:
        return fakeQuantRowT<FormatId::MXFP8>(w, out, cols, g);
    case FormatId::NVFP4:
    case FormatId::NVFP4A16:
        return fakeQuantRowT<FormatId::NVFP4>(w, out, cols, g);
    case FormatId::MXFP4:
        return fakeQuantRowT<FormatId::MXFP4>(w, out, cols, g);
    case FormatId::W4A16:
        return fakeQuantRowT<FormatId::W4A16>(w, out, cols, g);
    case FormatId::W8A16:
        return fakeQuantRowT<FormatId::W8A16>(w, out, cols, g);
    case FormatId::W8A16Channel:
        return fakeQuantRowT<FormatId::W8A16Channel>(w, out, cols, g);
    case FormatId::MXFP6E2M3:
        return fakeQuantRowT<FormatId::MXFP6E2M3>(w, out, cols, g);
    case FormatId::MXFP6E3M2:
        return fakeQuantRowT<FormatId::MXFP6E3M2>(w, out, cols, g);
    case FormatId::BF16:
        std::memcpy(out, w, cols * 4);
        return;
    }
}

inline void encodeRowImpl(FormatId id,
                          const float *w,
                          std::uint64_t cols,
                          float g,
                          std::uint8_t *codes,
                          std::uint16_t *scales)
{
    switch (id) {
    case FormatId::FP8Dynamic:
        return encodeRowT<FormatId::FP8Dynamic>(w, cols, g, codes, scales);
    case FormatId::MXFP8:
        return encodeRowT<FormatId::MXFP8>(w, cols, g, codes, scales);
    case FormatId::NVFP4:
    case FormatId::NVFP4A16:
        return encodeRowT<FormatId::NVFP4>(w, cols, g, codes, scales);
    case FormatId::MXFP4:
        return encodeRowT<FormatId::MXFP4>(w, cols, g, codes, scales);
    case FormatId::W4A16:
        return encodeRowT<FormatId::W4A16>(w, cols, g, codes, scales);
    case FormatId::W8A16:
        return encodeRowT<FormatId::W8A16>(w, cols, g, codes, scales);
    case FormatId::W8A16Channel:
        return encodeRowT<FormatId::W8A16Channel>(w, cols, g, codes, scales);
    case FormatId::MXFP6E2M3:
        return encodeRowT<FormatId::MXFP6E2M3>(w, cols, g, codes, scales);
    case FormatId::MXFP6E3M2:
        return encodeRowT<FormatId::MXFP6E3M2>(w, cols, g, codes, scales);
    case FormatId::BF16:
        return;
    }
}

inline void
rowErrorsImpl(const float *w, const float *q, const float *f, std::uint64_t n, double *sums)
{
    constexpr std::uint64_t DL = 8;  // double lanes
    double s[DL] = {};
    double fs[DL] = {};
    std::uint64_t i = 0;
    if (f == nullptr) {
        for (; i + DL <= n; i += DL) {
            for (std::uint64_t l = 0; l < DL; ++l) {
                const double d = static_cast<double>(w[i + l]) - static_cast<double>(q[i + l]);
                s[l] += d * d;
            }
        }
    } else {
        for (; i + DL <= n; i += DL) {
            for (std::uint64_t l = 0; l < DL; ++l) {
                const double d = static_cast<double>(w[i + l]) - static_cast<double>(q[i + l]);
                s[l] += d * d;
                fs[l] += static_cast<double>(f[i + l]) * d * d;
            }
        }
    }
    double sse = 0.0;
    double fsse = 0.0;
    for (std::uint64_t l = 0; l < DL; ++l) {
        sse += s[l];
        fsse += fs[l];
    }
    for (; i < n; ++i) {
        const double d = static_cast<double>(w[i]) - static_cast<double>(q[i]);
        sse += d * d;
        fsse += f != nullptr ? static_cast<double>(f[i]) * d * d : 0.0;
    }
    sums[0] = sse;
    sums[1] = fsse;
}

inline const RowKernels &table()
{
    static const RowKernels t = {
            PQ_KERNEL_ISA_NAME,      toFloatImpl,   maxAbsImpl,   fakeQuantRowImpl,
            fakeQuantRowDynamicImpl, encodeRowImpl, rowErrorsImpl};
    return t;
}
