// SPDX-License-Identifier: MIT
#pragma once

// Vectorised row kernels of the fast CPU backend. The same source (row_kernels_impl.h) is
// compiled once per instruction set (generic x86-64, AVX2, AVX-512) and the best table for the
// running CPU is chosen at run time; every variant is bit-identical to the reference because
// it calls the same scale rules (group_quant.h) and the exact branch-free value path
// (quantizedValue), and the build never contracts multiply-adds.

#include <cstddef>
#include <cstdint>

#include "core/io/dtype.h"
#include "core/quant/formats.h"
#include "core/quant/row_quant.h"

namespace pq::kernels::cpu {

/** One instruction set's kernels. All pointers are non-null. */
struct RowKernels
{
    const char *isa;

    /** Converts n elements of dtype F32/BF16/F16 at `src` to float32. */
    void (*toFloat)(core::DType dtype, const std::byte *src, float *dst, std::uint64_t n);

    /** Max |x| over n floats; +inf or NaN when any element is not finite. */
    float (*maxAbs)(const float *x, std::uint64_t n);

    /** decode(encode(row)) for weight format `id` with NVFP4 global scale g. */
    void (*fakeQuantRow)(
            core::quant::FormatId id, const float *w, float *out, std::uint64_t cols, float g);

    /** Same for any row format (activation quantizers). */
    void (*fakeQuantRowDynamic)(const core::quant::RowFormat &f,
                                const float *w,
                                float *out,
                                std::uint64_t cols,
                                float g);

    /** Element and scale codes of one row (scales: one per group). */
    void (*encodeRow)(core::quant::FormatId id,
                      const float *w,
                      std::uint64_t cols,
                      float g,
                      std::uint8_t *codes,
                      std::uint16_t *scales);

    /** sums[0] = Σ (w − q)², sums[1] = Σ f·(w − q)² (0 when f is null), in double. */
    void (*rowErrors)(
            const float *w, const float *q, const float *f, std::uint64_t n, double *sums);
};

/** The best kernels this CPU can run. */
const RowKernels &rowKernels();

/** Every variant compiled into this build that this CPU can run (for the bit-exactness tests). */
const RowKernels *const *availableRowKernels(std::size_t &count);

}  // namespace pq::kernels::cpu
