// SPDX-License-Identifier: MIT
#pragma once

// RUN_DIR/sensitivity.json (schema "prismaquant.sensitivity/1", docs/sensitivity-json.md): what
// the probe measured, read back by the allocator, the Studio and `prismaquant eval --run`.
// Plain data and JSON only (no torch), so builds without libtorch can read a probe run made on
// another machine.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/quant/formats.h"
#include "core/util/result.h"

namespace pq::core::data {

/** Everything measured for one Linear (DESIGN.md §4). Costs are predicted Δloss (nats/token). */
struct LinearSensitivity
{
    std::string name;                   ///< checkpoint module, e.g. model.layers.3.mlp.down_proj
    std::uint64_t tokens = 0;           ///< tokens that reached it (routed tokens for an expert)
    double fisherTrace = 0.0;           ///< Σ F (F = Σ_t δ²·x² / calibration tokens)
    std::vector<double> channelFisher;  ///< Σ_in F per output channel
    float inputAmax = 0.0F;             ///< max |x| over the tokens that reached it
    /** An expert that saw fewer tokens than the threshold: its Fisher is the layer's prior. */
    bool prior = false;
    std::map<quant::FormatId, double> weightCost;  ///< C_w(f) = ½ Σ F (W − Q_f(W))²
    std::map<quant::FormatId, double>
            outputCost;  ///< C_y(f) on the token subsample (may be absent)
};

/** The probe's result. */
struct SensitivityReport
{
    std::string modelDir;
    std::string modelFingerprint;  ///< core::Checkpoint::fingerprint()
    std::uint64_t tokens = 0;      ///< calibration tokens that carry a loss (N × (L − 1))
    double meanLoss = 0.0;         ///< mean token cross-entropy of the unquantized model
    std::vector<LinearSensitivity> linears;
    std::string calibrationJson;  ///< CalibrationSet::toJson()
    std::vector<quant::FormatId> formats;
    std::uint64_t outputTokens = 0;
    std::uint64_t minExpertTokens = 0;
    std::string runtime;  ///< "libtorch 2.x, cpu, float32"

    std::string toJson() const;

    /** Parses and validates a sensitivity.json (untrusted input: every field is checked). */
    static Result<SensitivityReport> fromJson(std::string_view json);
};

/** The per-Linear objects of the schema (also the probe's per-layer resume files). */
/**
 * The calibrated input maxima (Linear → max |x|) of a probe run: RUN_DIR/sensitivity.json.
 * Errors name the file (missing, unreadable, not a sensitivity report).
 */
Result<std::map<std::string, float>> readInputMaxima(const std::string &runDir);

std::string linearsToJson(const std::vector<LinearSensitivity> &linears);
Result<std::vector<LinearSensitivity>> linearsFromJson(std::string_view json);

}  // namespace pq::core::data
