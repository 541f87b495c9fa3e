// SPDX-License-Identifier: MIT
// A probe run's results as the allocator needs them: the report, the model it was measured on
// (checked to be the same files) and the per-Linear costs. Shared by `prismaquant allocate`,
// `pareto`, `compare` and the Studio.
#pragma once

#include <string>

#include "core/alloc/allocation.h"
#include "core/data/sensitivity_report.h"
#include "core/model/inventory.h"
#include "core/util/result.h"

namespace pq::core::pipeline {

struct RunCosts
{
    data::SensitivityReport report;
    std::string modelDir;  ///< the model the costs are for
    ModelInventory inventory;
    alloc::LinearCosts costs;
};

/**
 * Reads RUN_DIR/sensitivity.json and the model it names (or `modelDir` when not empty), and
 * builds the allocator's costs. Errors: NotFound when there are no probe results (saying how to
 * make them); the report's own errors naming the file; a shard report (merge first); a model
 * that cannot be quantized; InvalidFormat when the model's files changed since the probe
 * (fingerprint differs).
 */
Result<RunCosts> loadRunCosts(const std::string &runDir, const std::string &modelDir = {});

}  // namespace pq::core::pipeline
