// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "core/quant/quant_backend.h"

namespace pq::kernels::cpu {

/**
 * The fast CPU backend: rows spread over core::parallelFor's thread pool, row kernels
 * vectorised for the best instruction set of this CPU (row_kernels.h). Encoded bytes, decoded
 * values and fake-quantized weights are bit-identical to the reference backend; summed metrics
 * agree to MAX_METRIC_REL_DIFF (the summation order differs). Thread-compatible.
 */
std::unique_ptr<core::quant::QuantBackend> makeCpuBackend();

struct RowKernels;

/** The same backend on a given instruction-set variant (tests compare every variant). */
std::unique_ptr<core::quant::QuantBackend> makeCpuBackend(const RowKernels &kernels);

/** Relative difference allowed between this backend's summed metrics and the reference's. */
inline constexpr double MAX_METRIC_REL_DIFF = 1e-12;

}  // namespace pq::kernels::cpu
