// SPDX-License-Identifier: MIT
#pragma once

// RUN_DIR/sensitivity.json (schema "prismaquant.sensitivity/1", docs/sensitivity-json.md): what
// the probe measured, read back by the allocator, the Studio and `prismaquant eval --run`.
// Plain data and JSON only (no torch), so builds without libtorch can read a probe run made on
// another machine.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/quant/formats.h"
#include "core/util/result.h"

namespace pq::core::data {

/**
 * What the layer's prior gives a rarely routed expert (DESIGN.md §4.6). Only shard reports carry
 * it, beside the expert's own measurement: whether the expert is rare is only known once the
 * shards' token counts are added (core/data/shard_merge.h).
 */
struct PriorEstimate
{
    double fisherTrace = 0.0;
    std::vector<double> channelFisher;
    std::map<quant::FormatId, double> weightCost;
};

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
            outputCost;                 ///< C_y(f) on the token subsample (may be absent)
    std::uint64_t subsampleTokens = 0;  ///< tokens C_y was measured on (0: no C_y)
    /** Shard reports: the prior's values for an expert rare in this shard (its own are above). */
    std::optional<PriorEstimate> priorEstimate;
};

/**
 * Which part of the calibration windows a sharded probe (`prismaquant probe --shard I/N`)
 * measured: windows [firstWindow, firstWindow + windows) of the calibration set. Its Fisher
 * values and costs are divided by its own calibration tokens; `prismaquant merge` weighs them
 * back together (core/data/shard_merge.h).
 */
struct ShardInfo
{
    std::uint64_t index = 1;  ///< 1-based
    std::uint64_t count = 1;
    std::uint64_t firstWindow = 0;
    std::uint64_t windows = 0;
    std::uint64_t calibrationTokens = 0;  ///< windows × tokens per window
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
    std::string runtime;             ///< "libtorch 2.x, cpu, float32"
    std::optional<ShardInfo> shard;  ///< set: one shard of a split probe, not a whole report

    std::string toJson() const;

    /**
     * Refuses a shard report (InvalidFormat) where a whole one is needed (allocation, evaluation,
     * export): the message says which shard it is and that `prismaquant merge` combines them.
     * `path` names the file in the error.
     */
    Status checkWhole(const std::string &path) const;

    /** Linear → calibrated max |x| (what W4A4 formats need for their input scale). */
    std::map<std::string, float> inputMaxima() const;

    /** Parses and validates a sensitivity.json (untrusted input: every field is checked). */
    static Result<SensitivityReport> fromJson(std::string_view json);
};

/**
 * The calibrated input maxima (Linear → max |x|) of a probe run: RUN_DIR/sensitivity.json.
 * Errors name the file (missing, unreadable, not a sensitivity report).
 */
Result<std::map<std::string, float>> readInputMaxima(const std::string &runDir);

/** The per-Linear objects of the schema (also the probe's per-layer resume files). */
std::string linearsToJson(const std::vector<LinearSensitivity> &linears);
Result<std::vector<LinearSensitivity>> linearsFromJson(std::string_view json);

}  // namespace pq::core::data
