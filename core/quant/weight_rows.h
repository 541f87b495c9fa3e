// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>

#include "core/quant/quant_backend.h"

namespace pq::core::quant {

/** Converts row `r` of `w` to float32 (exact for F32, BF16, F16). */
void loadRow(const WeightView &w, std::uint64_t r, std::span<float> out);

/** Checks that `w` is a usable input (dtype, non-empty, data present, stride ≥ cols). */
Status checkView(const WeightView &w);

/** An InvalidArgument error naming the tensor and the first non-finite element. */
Error nonFiniteError(const WeightView &w, std::uint64_t row, std::uint64_t col, float value);

/** The error for a format the shape rules refuse, naming the tensor. */
Status checkShapeFor(FormatId id, const WeightView &w);

/**
 * Max |w| over a whole weight, or an error naming the first non-finite element. The exporter
 * takes the maximum over fused siblings and passes it as QuantOptions::globalAmax, so that an
 * NVFP4 group (q/k/v, gate/up) shares one global scale.
 */
Result<float> weightMaxAbs(const WeightView &w);

/**
 * Checks activation rows for an activation quantizer: rowLen divides the data and the group
 * size, and every value is finite (the error names the row and column, like weights').
 */
Status checkActivations(ActivationQuant a, std::span<const float> rows, std::uint64_t rowLen);

/** Max |x| of a row, or the index of its first non-finite element (returns false then). */
bool rowAmax(std::span<const float> row, float &amax, std::uint64_t &badCol);

}  // namespace pq::core::quant
