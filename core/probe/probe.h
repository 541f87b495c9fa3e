// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/data/calibration.h"
#include "core/data/sensitivity_report.h"
#include "core/probe/causal_lm.h"
#include "core/quant/quant_backend.h"
#include "core/util/job_context.h"

namespace pq::probe {

/** What the probe measures and how. */
struct ProbeSettings
{
    std::vector<core::quant::FormatId> formats;  ///< candidate formats (BF16 is implicit, cost 0)
    std::uint64_t outputTokens = 256;  ///< tokens per Linear for the output-space cost C_y
    /** Experts routed fewer tokens than this get the layer's prior Fisher and are flagged. */
    std::uint64_t minExpertTokens = 16;
    /**
     * Where the resumable state lives (RUN_DIR/probe-state): after each layer of the backward
     * walk its results and the gradient entering the next layer are written there, so a rerun
     * with the same model, calibration and settings continues at the next layer. Empty = none.
     */
    std::string stateDir;
    /**
     * Memory the layer-boundary hidden states may take; beyond it they are spilled to files in
     * `stateDir` (or the system's temporary directory). 0 = half of the physical memory.
     */
    std::uint64_t memoryLimitBytes = 0;
    RuntimeOptions runtime;

    /**
     * Measure only shard `index` (1-based) of `count` contiguous slices of the calibration
     * windows (core::data::planShard). The report is a shard report for `prismaquant merge`:
     * the token subsample uses the whole set's stride, the other windows run forward once for
     * the input maxima, and rarely routed experts carry both their own values and the prior's.
     */
    struct Shard
    {
        std::uint64_t index = 1;
        std::uint64_t count = 1;
    };

    std::optional<Shard> shard;
};

using core::data::LinearSensitivity;
using core::data::SensitivityReport;

/**
 * Measures every Linear's sensitivity on the calibration windows with a streamed
 * forward/backward (DESIGN.md §4): the forward keeps only the hidden states at layer
 * boundaries; the backward walks the layers in reverse, recomputing one layer at a time with
 * gradients and passing ∂L/∂h down. The loss is the summed token cross-entropy. Per Linear: the
 * diagonal empirical Fisher from per-token squares, C_w for every format (production quantizers
 * through `backend`), C_y on a token subsample with the format's activation quantizer, the
 * per-channel Fisher sums and trace, and the input maximum. MoE experts are measured on the
 * tokens routed to them; rarely routed experts get the layer's prior (flagged). Progress is
 * reported per layer; cancellation is checked between layers and windows; with
 * `settings.stateDir` an interrupted run resumes at the next unfinished layer.
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

/**
 * The streamed Fisher of every Linear (same layout), without the costs. `headChunkRows` = lm_head
 * rows per vocabulary chunk of the loss (0: runProbe's choice, about 16 MiB of float32), so a
 * test can force several chunks on a tiny vocabulary.
 */
core::Result<std::map<std::string, std::vector<double>>>
streamedFisher(const std::string &modelDir,
               const core::data::CalibrationSet &calibration,
               std::int64_t headChunkRows = 0);

}  // namespace pq::probe
