// SPDX-License-Identifier: MIT
#pragma once

// The allocator (DESIGN.md §5): which format each Linear gets under a size budget.
// Items are the inventory's coupling groups (fused q/k/v, gate/up, all experts of a MoE layer,
// single Linears); options are the formats the whole group can legally take, with exact bytes
// (quant::formatBytes: weights and every scale tensor) and the summed predicted Δloss of its
// Linears. The budget covers the whole artifact: the Linears plus every fixed tensor
// (embeddings, norms, routers, lm_head, passthrough towers) in its source dtype.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/alloc/knapsack.h"
#include "core/data/sensitivity_report.h"
#include "core/model/inventory.h"
#include "core/quant/formats.h"
#include "core/util/result.h"

namespace pq::core::alloc {

/** What the user allows. */
struct Constraints
{
    /** Formats on the menu; empty = every format the costs cover, plus BF16. */
    std::vector<quant::FormatId> menu;
    /** ECMAScript regex (searched in the Linear name) → format the Linear's group must take. */
    std::vector<std::pair<std::string, quant::FormatId>> pins;
    /** regex → format the matching Linears' groups must not take. */
    std::vector<std::pair<std::string, quant::FormatId>> forbids;
    bool mix4bitFamilies = false;  ///< allow NVFP4, MXFP4 and INT4 in one recipe
    bool allowUnservable = false;  ///< allow formats vLLM cannot load
};

/** Predicted Δloss per Linear and format. */
struct LinearCosts
{
    std::map<std::string, std::map<quant::FormatId, double>> byLinear;
    /** Plain weight MSE without a probe: the output says so. */
    bool dataFree = false;
};

/**
 * The allocator's costs from a probe run: C_y where it was measured, else C_w (DESIGN.md §4.4).
 * BF16 costs 0.
 */
LinearCosts costsFromReport(const data::SensitivityReport &report);

/** "Fits my GPU": VRAM minus the KV cache for a context minus a runtime overhead. */
struct VramTarget
{
    std::uint64_t vramBytes = 0;
    std::uint64_t context = 8192;
    std::uint64_t batch = 1;
    std::uint64_t kvBytesPerElement = 2;       ///< 2 = bf16, 1 = fp8
    std::uint64_t overheadBytes = 1610612736;  ///< 1.5 GiB
};

struct VramBudget
{
    std::uint64_t kvBytes = 0;
    std::uint64_t budgetBytes = 0;  ///< for the whole artifact
    std::string arithmetic;         ///< the computation, line by line, for the user to check
};

/**
 * KV-cache bytes from config.json: full-attention layers × KV heads × head dim × 2 (K and V) ×
 * element bytes × tokens (context × batch); MLA layers cache (kv_lora_rank + qk_rope_head_dim)
 * per token instead. Linear-attention and sliding-window layers are not counted (their state
 * does not grow with the context; the arithmetic says so). Error when nothing is left for the
 * weights.
 */
Result<VramBudget> vramBudget(const ModelConfig &config, const VramTarget &target);

/** One coupling group's choice. */
struct GroupChoice
{
    std::size_t group = 0;  ///< index into ModelInventory::groups
    quant::FormatId format = quant::FormatId::BF16;
    std::uint64_t bytes = 0;
    double cost = 0.0;
    bool pinned = false;
};

/** A recipe: every Linear's format and what it costs. */
struct Allocation
{
    std::vector<GroupChoice> groups;             ///< per inventory group
    std::vector<quant::FormatId> linearFormats;  ///< per inventory Linear
    std::uint64_t linearBytes = 0;
    std::uint64_t fixedBytes = 0;
    std::uint64_t totalBytes = 0;
    std::uint64_t linearParams = 0;
    std::uint64_t totalParams = 0;
    double cost = 0.0;        ///< predicted Δloss (nats per token)
    double lowerBound = 0.0;  ///< Lagrangian lower bound at this budget
    bool exact = true;
    std::string family4;  ///< the 4-bit family this recipe uses ("nv", "mx", "int" or "")

    double bitsPerLinearParam() const;
    double bitsPerParam() const;
    /** Linears per format. */
    std::map<quant::FormatId, std::size_t> counts() const;
    /** Stored bytes of the Linears per format (scales included). */
    std::map<quant::FormatId, std::uint64_t> bytesByFormat() const;
    /** "127 NVFP4 · 26 MXFP8 · 252 BF16 — 21.9 GB, 4.75 bpp" (bpp over the Linears). */
    std::string summary() const;
};

/** A point of the predicted size/quality curve. */
struct CurvePoint
{
    std::uint64_t totalBytes = 0;
    double cost = 0.0;
    double bitsPerLinearParam = 0.0;
    std::map<quant::FormatId, std::size_t> counts;
    std::string family4;
    std::string label;  ///< "hull", or the target that asked for it
};

/** Kneedle on the normalised curve: the index of the knee and why. */
struct Knee
{
    std::size_t index = 0;
    std::string reason;
};

Knee findKnee(const std::vector<CurvePoint> &curve);

class Allocator
{
public:
    /**
     * Builds the groups' options. Errors: a pin or forbid that is not a valid regex, pins that
     * disagree inside one fused group, a pinned format the group's shapes cannot take, an
     * unservable format on the menu without allowUnservable, two pinned 4-bit families without
     * mix4bitFamilies, a Linear without costs, a group left without any format.
     */
    static Result<Allocator> create(const ModelInventory &inventory,
                                    const LinearCosts &costs,
                                    const Constraints &constraints);

    /** Bytes of every tensor that is not a quantizable Linear (kept in its source dtype). */
    std::uint64_t fixedBytes() const { return m_fixedBytes; }

    /** The smallest artifact the constraints allow. */
    std::uint64_t minTotalBytes() const;

    /** Total bytes for `bits` per quantizable-Linear parameter (plus the fixed tensors). */
    std::uint64_t bytesForBits(double bits) const;

    /**
     * The best recipe within `totalBytes`. Error (InvalidArgument: the target is a command-line
     * value) when the budget is below the smallest feasible artifact, stating that size and how
     * to get lower (a 4-bit format on the menu, fewer pins).
     */
    Result<Allocation> allocate(std::uint64_t totalBytes) const;

    /** Every hull vertex (over the allowed 4-bit families: their lower envelope), by size. */
    std::vector<CurvePoint> hull() const;

    CurvePoint point(const Allocation &a, std::string label) const;

    const ModelInventory &inventory() const { return *m_inv; }

    bool dataFree() const { return m_dataFree; }

private:
    struct Variant
    {
        std::string family4;
        std::vector<std::vector<quant::FormatId>> formats;  ///< per group, per option
        std::optional<Knapsack> knapsack;
    };

    Allocation make(const Variant &v, const Selection &s) const;
    /** The error for a budget below minTotalBytes(): that size, and how to get lower. */
    Error belowSmallest(std::uint64_t totalBytes) const;

    const ModelInventory *m_inv = nullptr;
    std::vector<Variant> m_variants;
    std::vector<bool> m_pinned;  ///< per group
    std::uint64_t m_fixedBytes = 0;
    std::uint64_t m_linearParams = 0;
    std::uint64_t m_totalParams = 0;
    bool m_dataFree = false;
};

/** recipe.json (schema "prismaquant.recipe/1"; docs/recipe-json.md). */
std::string
recipeJson(const Allocator &allocator, const Allocation &allocation, const std::string &target);

/** pareto.csv: one row per curve point. */
std::string paretoCsv(const std::vector<CurvePoint> &curve, const std::optional<Knee> &knee);

}  // namespace pq::core::alloc
