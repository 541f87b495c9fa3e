// SPDX-License-Identifier: MIT
#pragma once

// A probe from a model folder and a text to a run directory: the whole of `prismaquant probe`
// (and of the Studio's Probe tab) short of printing, so both behave the same.

#include <string>

#include "core/data/calibration.h"
#include "core/probe/probe.h"

namespace pq::probe {

/** What to probe, on which text, into which run directory. */
struct ProbeRunRequest
{
    std::string modelDir;
    std::string calib;   ///< .txt / .jsonl (optionally .gz) or a directory of them
    std::string outDir;  ///< the run directory: sensitivity.json, calibration.json
    core::data::CalibrationSettings calibration;  ///< `bos` is taken from the tokenizer
    ProbeSettings settings;                       ///< stateDir: RUN_DIR/probe-state when empty
    bool restart = false;                         ///< drop the state an interrupted probe left
};

/** What the probe wrote. */
struct ProbeRunResult
{
    SensitivityReport report;
    std::string calibrationSummary;  ///< CalibrationSet::summary()
};

/**
 * Checks the model (GGUF, quantized or unsupported models are refused before any tokenizing)
 * and the runtime, builds the calibration windows with the model's tokenizer (progress stage
 * "tokenize"), runs the probe (resuming an interrupted one with the same inputs), writes
 * RUN_DIR/calibration.json and RUN_DIR/sensitivity.json atomically and removes the resume
 * state. The model directory is recorded as an absolute path. Errors as the steps give them;
 * Cancelled leaves the resume state for the next run.
 */
core::Result<ProbeRunResult> probeIntoRunDirectory(ProbeRunRequest request,
                                                   core::quant::QuantBackend &backend,
                                                   const core::JobContext &ctx);

}  // namespace pq::probe
