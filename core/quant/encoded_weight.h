// SPDX-License-Identifier: MIT
#pragma once

// Pieces every backend shares when it builds or reads an EncodedWeight: the empty tensor set of
// a format, the per-tensor values (global scales, weight_shape), validation of untrusted
// encoded tensors, and the scalar decode of one row. Decode is not a hot path (read-back and
// tests), so all backends use this one.

#include <cstdint>
#include <optional>
#include <span>

#include "core/quant/quant_backend.h"

namespace pq::core::quant {

/** The tensors `id` writes for `w`, allocated and zero-filled. */
EncodedWeight makeEncodedShell(FormatId id, const WeightView &w);

/** Fills weight_global_scale (g), input_global_scale (from inputAmax) and weight_shape. */
void fillPerTensorValues(EncodedWeight &e, float globalScale, std::optional<float> inputAmax);

/** Checks that `e` holds exactly the tensors its format writes, with the right sizes. */
Status checkEncoded(const EncodedWeight &e);

/** Decodes row `r` of a checked EncodedWeight into `out` (e.cols floats). */
void decodeRow(const EncodedWeight &e, std::uint64_t r, std::span<float> out);

/** Writes row r's element codes and scale codes into the weight and scale tensors. */
void storeRow(EncodedWeight &e,
              std::uint64_t r,
              std::span<const std::uint8_t> codes,
              std::span<const std::uint16_t> scales);

/**
 * Checks per-call options against the weight: a fused-group maximum must be finite and at least
 * this weight's own maximum (the group includes it); a calibrated input maximum must be finite
 * and positive. Errors are InvalidArgument naming the tensor.
 */
Status checkQuantOptions(const WeightView &w, float tensorAmax, const QuantOptions &o);

/** The NVFP4 global scale of a call: the fused group's amax when given, else the tensor's. */
float globalScaleFor(FormatId id, float tensorAmax, const QuantOptions &o);

/** Validates measure() inputs: the view, every format's shape rule, the Fisher tensor's size. */
Status checkMeasureInputs(std::span<const FormatId> ids,
                          const WeightView &w,
                          std::span<const float> fisher);

/** Metrics for `formats` formats with per-row vectors for `rows` rows (no Fisher rows without F).
 */
std::vector<ErrorMetrics> makeMetrics(std::size_t formats, std::uint64_t rows, bool withFisher);

/** Sums the per-row values into sse and fisherSse, in row order. */
void sumRows(std::vector<ErrorMetrics> &metrics);

/** The global scale an activation quantizer uses: NVFP4's from the calibrated input maximum. */
float activationGlobalScale(ActivationQuant a, float inputAmax);

/** The error for an NVFP4 (W4A4) encode without a calibrated input maximum. */
Error missingInputAmaxError(const WeightView &w);

}  // namespace pq::core::quant
