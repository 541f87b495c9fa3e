// SPDX-License-Identifier: MIT
// A probe run's variants measured on the probe's own held-out windows: the source model, uniform
// formats and one recipe of the run, each as the exporter would write it. `prismaquant compare`
// and the Studio's Evaluate job both go through measureRun(), so their points agree.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/data/calibration.h"
#include "core/data/text_source.h"
#include "core/pipeline/evaluations.h"
#include "core/pipeline/run_costs.h"
#include "core/probe/evaluate.h"
#include "core/quant/quant_backend.h"
#include "core/util/job_context.h"

namespace pq::probe {

/**
 * The text and window settings the probe calibrated on (sensitivity.json's calibration record),
 * read from `calibOverride` when given (else the one file the probe recorded) and checked to be
 * the same bytes, so the held-out windows are the ones the probe kept apart. Errors:
 * InvalidFormat (no record, or another text: SHA-256 differs), InvalidArgument (the probe read
 * several files and none was given), the text source's own errors.
 */
core::Result<std::pair<core::data::TextCorpus, core::data::CalibrationSettings>>
probeCalibration(const core::data::SensitivityReport &report,
                 const std::string &runDir,
                 const std::string &calibOverride = {});

/**
 * A variant with the formats the exporter would write: NVFP4 global and input scales shared over
 * vLLM's fused sets exactly as in the exported checkpoint (ct::sharedScales), so an evaluated
 * recipe is the artifact that ships. W4A4 formats need the probe's input maxima (`amax`).
 */
core::Result<EvalVariant> exportedVariant(const core::ModelInventory &inventory,
                                          const core::Checkpoint &source,
                                          std::string label,
                                          core::ct::FormatMap formats,
                                          const std::map<std::string, float> &amax);

/** What measureRun() evaluates beside the source model. */
struct MeasureRequest
{
    std::vector<core::quant::FormatId> uniform;  ///< as `export --uniform` writes each
    std::optional<core::ct::FormatMap> recipe;   ///< every Linear's format (BF16 included)
    std::string recipeLabel = "recipe";
    std::optional<double> recipePredicted;  ///< the allocator's predicted Δloss for it
    std::string calibOverride;              ///< see probeCalibration()
};

/** measureRun()'s answer. */
struct Measurement
{
    core::data::CalibrationSet heldOut;                 ///< the windows it was measured on
    std::vector<core::pipeline::MeasuredPoint> points;  ///< source, uniform…, recipe
    std::vector<std::string> notes;  ///< e.g. a uniform format no Linear can take, left out
};

/**
 * Measures the source model, each uniform format and the recipe of `run` on the probe's held-out
 * windows (perplexity, mean loss and KL against the source), with each variant's artifact size
 * and the probe's predicted Δloss beside it (none for a uniform format the probe did not
 * measure). Progress per variant through `ctx`; cancellable between variants (Cancelled).
 */
core::Result<Measurement> measureRun(const core::pipeline::RunCosts &run,
                                     const std::string &runDir,
                                     const MeasureRequest &request,
                                     core::quant::QuantBackend &backend,
                                     const core::JobContext &ctx);

}  // namespace pq::probe
