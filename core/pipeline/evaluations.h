// SPDX-License-Identifier: MIT
// The points a run's Pareto chart shows beside the allocator's curve: uniform-format baselines
// (predicted from the probe's costs, as the curve is) and measured evaluations (held-out KL
// against the source model, from `prismaquant compare` or the Studio's Evaluate job).
//
// RUN_DIR/evaluations.json (schema "prismaquant.evaluations/1") accumulates measured points over
// several evaluations — compare.json keeps only the last comparison — so a run evaluated at
// several budgets on a server shows every one of them when the Studio opens it on a laptop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/export/export_plan.h"
#include "core/pipeline/run_costs.h"
#include "core/quant/formats.h"
#include "core/util/result.h"

namespace pq::core::pipeline {

/** What an evaluated variant is. */
enum class VariantKind : std::uint8_t
{
    Source,   ///< the unquantized model (KL 0 by definition)
    Uniform,  ///< one format for every Linear that can take it
    Recipe,   ///< an allocation of the run at some budget
};

/** One evaluated variant: its size, what the probe predicted, what the evaluation measured. */
struct MeasuredPoint
{
    std::string variant;  ///< "source", "NVFP4", "recipe: 12 NVFP4 · 16 MXFP8"
    VariantKind kind = VariantKind::Recipe;
    std::uint64_t bytes = 0;  ///< the artifact that ships it
    double bitsPerLinearParam = 0.0;
    std::optional<double> predicted;  ///< predicted Δloss (nats/token); none for the source
    double perplexity = 0.0;
    double meanLoss = 0.0;  ///< mean held-out token cross-entropy (nats)
    double meanKl = 0.0;    ///< mean per-token KL(source ‖ variant) (nats)
    std::uint64_t tokens = 0;

    friend bool operator==(const MeasuredPoint &, const MeasuredPoint &) = default;
};

/**
 * RUN_DIR/evaluations.json's points, oldest first; a missing file means none. InvalidFormat
 * naming the file when it is not what it should be (non-finite or negative numbers included).
 */
Result<std::vector<MeasuredPoint>> readEvaluations(const std::string &runDir);

/**
 * Adds `points` to RUN_DIR/evaluations.json (atomically): a point of the same kind, variant and
 * size as an earlier one replaces it, so evaluating the same recipe again keeps one point.
 */
Status recordEvaluations(const std::string &runDir, const std::vector<MeasuredPoint> &points);

/** Every Linear's format in `allocation` (BF16 included), by name: what an export writes. */
ct::FormatMap formatsOf(const ModelInventory &inventory, const alloc::Allocation &allocation);

/** The variant name of an allocation's recipe: "recipe: 12 NVFP4 · 16 MXFP8". */
std::string recipeVariantName(const alloc::Allocation &allocation);

/**
 * A new probe report makes the run's measured points stale (their predictions came from the old
 * one, and the held-out text may differ): RUN_DIR/evaluations.json is renamed to
 * evaluations.previous.json (replacing an older one), kept, but no longer drawn. Returns whether
 * there was a file to retire; Io when the rename fails.
 */
Result<bool> retireEvaluations(const std::string &runDir);

/** Bytes of the artifact that ships `formats`; a Linear absent from it keeps its source dtype. */
std::uint64_t artifactBytes(const ModelInventory &inventory,
                            std::uint64_t fixedBytes,
                            const ct::FormatMap &formats);

/** 8 × (bytes − fixedBytes) / the quantizable Linears' parameters. */
double
bitsPerLinearParam(const ModelInventory &inventory, std::uint64_t fixedBytes, std::uint64_t bytes);

/**
 * The probe's predicted Δloss of `formats`: the sum of each Linear's cost in its format (a
 * Linear absent from the map, or in BF16, costs what BF16 costs). NotFound naming the Linear and
 * the format when the probe did not measure it.
 */
Result<double> predictedDeltaLoss(const ModelInventory &inventory,
                                  const alloc::LinearCosts &costs,
                                  const ct::FormatMap &formats);

/** A uniform format as the chart marks it: its size and predicted Δloss. */
struct UniformBaseline
{
    quant::FormatId format = quant::FormatId::BF16;
    std::uint64_t bytes = 0;
    double bitsPerLinearParam = 0.0;
    double predicted = 0.0;
    std::size_t keptBf16 = 0;  ///< Linears whose fused group cannot take the format
};

/**
 * BF16 and every format the probe measured, each as `export --uniform` would write it
 * (ct::uniformFormats), by size. A format no Linear of the model can take is left out.
 */
std::vector<UniformBaseline> uniformBaselines(const RunCosts &run, std::uint64_t fixedBytes);

}  // namespace pq::core::pipeline
