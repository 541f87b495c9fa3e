// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/data/calibration.h"
#include "core/probe/causal_lm.h"
#include "core/quant/quant_backend.h"
#include "core/util/job_context.h"

namespace pq::probe {

/** What the probe measures and how. */
struct ProbeSettings
{
    std::vector<core::quant::FormatId> formats;  ///< candidate formats (BF16 is implicit, cost 0)
    std::uint64_t outputTokens = 256;  ///< tokens per Linear for the output-space cost C_y
    RuntimeOptions runtime;
};

/** Everything measured for one Linear (DESIGN.md §4). Costs are predicted Δloss (nats). */
struct LinearSensitivity
{
    std::string name;                   ///< checkpoint module, e.g. model.layers.3.mlp.down_proj
    std::uint64_t tokens = 0;           ///< tokens that reached it
    double fisherTrace = 0.0;           ///< Σ F (F = mean over tokens of δ²·x²)
    std::vector<double> channelFisher;  ///< Σ_in F per output channel
    float inputAmax = 0.0F;             ///< max |x| over the calibration tokens
    std::map<core::quant::FormatId, double> weightCost;  ///< C_w(f) = ½ Σ F (W − Q_f(W))²
    std::map<core::quant::FormatId, double> outputCost;  ///< C_y(f) on the token subsample
};

/** The probe's result, written to RUN_DIR/sensitivity.json. */
struct SensitivityReport
{
    std::string modelDir;
    std::uint64_t tokens = 0;  ///< calibration tokens that carry a loss (N × (L − 1))
    double meanLoss = 0.0;     ///< mean token cross-entropy of the unquantized model
    std::vector<LinearSensitivity> linears;
    std::string calibrationJson;  ///< CalibrationSet::toJson()
    ProbeSettings settings;

    std::string toJson() const;
};

/**
 * Measures every Linear's sensitivity on the calibration windows with a streamed
 * forward/backward (DESIGN.md §4): the forward keeps only the hidden states at layer
 * boundaries; the backward walks the layers in reverse, recomputing one layer at a time with
 * gradients and passing ∂L/∂h down. The loss is the summed token cross-entropy. Per Linear: the
 * diagonal empirical Fisher from per-token squares, C_w for every format (production quantizers
 * through `backend`), C_y on a token subsample with the format's activation quantizer, the
 * per-channel Fisher sums and trace, and the input maximum. Progress is reported per layer;
 * cancellation is checked between layers.
 */
core::Result<SensitivityReport> runProbe(const std::string &modelDir,
                                         const core::data::CalibrationSet &calibration,
                                         const ProbeSettings &settings,
                                         core::quant::QuantBackend &backend,
                                         const core::JobContext &ctx);

/**
 * The Fisher matrices of every Linear computed the slow, obvious way: one full-model autograd
 * pass per window (no streaming), then an explicit loop over tokens accumulating δ_t² x_tᵀ².
 * For the exactness test only (tiny models). Map: Linear name → row-major [out × in].
 */
core::Result<std::map<std::string, std::vector<double>>>
referenceFisher(const std::string &modelDir, const core::data::CalibrationSet &calibration);

/** The streamed Fisher of every Linear (same layout), without the costs. */
core::Result<std::map<std::string, std::vector<double>>>
streamedFisher(const std::string &modelDir, const core::data::CalibrationSet &calibration);

}  // namespace pq::probe
