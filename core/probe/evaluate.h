// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/data/calibration.h"
#include "core/export/compressed_checkpoint.h"
#include "core/probe/causal_lm.h"
#include "core/quant/quant_backend.h"
#include "core/util/job_context.h"

namespace pq::probe {

/**
 * A model variant to evaluate: each named Linear fake-quantized with its format (weights through
 * the production quantizer; inputs through the format's serve-time activation quantizer with the
 * calibrated input maximum), or read back from an exported checkpoint. Linears not listed stay
 * in their source precision; an empty variant is the source model itself.
 */
struct EvalVariant
{
    std::string label;                                     ///< "source", "NVFP4", "recipe"
    std::map<std::string, core::quant::FormatId> formats;  ///< Linear name → format
    std::map<std::string, float> inputAmax;                ///< Linear name → max |x| (W4A4)
    /** NVFP4: Linear name → the max |w| its global scale comes from (the fused set's, as the
     *  exporter shares it: core::ct::sharedScales); absent = the Linear's own. */
    std::map<std::string, float> globalAmax;
    /**
     * An exported checkpoint instead of `formats`: each Linear it quantizes is dequantized from
     * the checkpoint's bytes and its inputs go through its scheme's activation quantizer; the
     * rest of the model is the source's. Not owned; must outlive evaluate().
     */
    const core::ct::CompressedCheckpoint *checkpoint = nullptr;
};

/** The source model itself, as a variant (label "source"). */
inline EvalVariant sourceVariant()
{
    EvalVariant v;
    v.label = "source";
    return v;
}

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
