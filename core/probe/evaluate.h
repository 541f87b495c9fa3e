// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/data/calibration.h"
#include "core/probe/causal_lm.h"
#include "core/quant/quant_backend.h"
#include "core/util/job_context.h"

namespace pq::probe {

/**
 * A model variant to evaluate: each named Linear fake-quantized with its format (weights through
 * the production quantizer; inputs through the format's serve-time activation quantizer with the
 * calibrated input maximum). Linears not listed stay in their source precision; an empty map is
 * the source model itself.
 */
struct EvalVariant
{
    std::string label;                                     ///< "source", "NVFP4", "recipe"
    std::map<std::string, core::quant::FormatId> formats;  ///< Linear name → format
    std::map<std::string, float> inputAmax;                ///< Linear name → max |x| (W4A4/W8A8)
};

/** Held-out quality of one variant against the source model. */
struct EvalResult
{
    std::string label;
    std::uint64_t tokens = 0;  ///< predicted tokens (windows × (L − 1))
    double meanLoss = 0.0;     ///< mean token cross-entropy (nats)
    double perplexity = 0.0;   ///< exp(meanLoss)
    double meanKl = 0.0;       ///< mean per-token KL(source ‖ variant) (nats)
};

/**
 * Evaluates every variant on the held-out windows of `calibration`: perplexity and the mean
 * per-token KL divergence from the source model's next-token distribution. The source's
 * log-probabilities are computed once and kept for the KL (memory: windows × L × vocab floats).
 * Progress per variant; cancellable between variants. Runs where `runtime` says (float32 on the
 * CPU by default); log-probabilities and the KL are computed in float32 in every case.
 */
core::Result<std::vector<EvalResult>> evaluate(const std::string &modelDir,
                                               const core::data::CalibrationSet &calibration,
                                               const std::vector<EvalVariant> &variants,
                                               core::quant::QuantBackend &backend,
                                               const core::JobContext &ctx,
                                               const RuntimeOptions &runtime = {});

}  // namespace pq::probe
