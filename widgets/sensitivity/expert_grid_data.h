// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/data/sensitivity_report.h"
#include "core/model/inventory.h"
#include "widgets/sensitivity/heatmap_data.h"

namespace pq::widgets {

/** How the calibration reached one routed expert's Linear (DESIGN.md §4.6). */
enum class ExpertReach : std::uint8_t
{
    Absent,       ///< the layer has no expert of this index (or routes none)
    NotMeasured,  ///< the probe's report has no entry for the Linear
    Reached,      ///< measured from its own routed tokens
    Prior,        ///< too few routed tokens: it was given its layer's prior
    Unreached,    ///< the router sent it no calibration token at all
};

/** One (layer, expert) cell of the grid. */
struct ExpertGridCell
{
    std::optional<std::size_t> linear;  ///< index into ModelInventory::linears; empty if Absent
    std::string name;                   ///< the expert Linear's module name
    std::uint64_t tokens = 0;           ///< routed calibration tokens (LinearSensitivity::tokens)
    ExpertReach reach = ExpertReach::Absent;

    /** Whether the cell's numbers are an estimate rather than the expert's own measurement. */
    bool estimated() const
    {
        return reach == ExpertReach::Prior || reach == ExpertReach::Unreached;
    }
};

/**
 * The layer × expert grid of one expert role (UI.md "Sensitivity heatmap", MoE): a row per
 * decoder layer that routes experts (text layers in order, then MTP layers), a column per expert
 * index, each cell the routed-token count of that expert's Linear of the role. A value type with
 * no reference to its inputs.
 */
struct ExpertGridData
{
    core::LinearRole role = core::LinearRole::ExpertGate;
    std::vector<HeatmapRow> rows;
    int experts = 0;                    ///< columns: expert indices 0 .. experts − 1
    std::vector<ExpertGridCell> cells;  ///< row-major, rows.size() × experts
    /** log10 of the smallest and largest positive token count; empty when no expert has one. */
    std::optional<LogRange> tokenRange;
    /** The probe's threshold: experts with fewer routed tokens got their layer's prior. */
    std::uint64_t minExpertTokens = 0;
    int unreached = 0;  ///< cells with ExpertReach::Unreached
    int priors = 0;     ///< cells with ExpertReach::Prior

    int rowCount() const { return static_cast<int>(rows.size()); }

    int columnCount() const { return experts; }

    bool contains(HeatmapIndex index) const
    {
        return index.row >= 0 && index.row < rowCount() && index.column >= 0 &&
               index.column < columnCount();
    }

    /** The cell of (row, expert). Precondition: contains({row, expert}). */
    const ExpertGridCell &cell(int row, int expert) const;

    /** The row of a layer, or -1 when the layer routes no expert of this role. */
    int rowOf(core::Section section, std::int64_t layer) const;
};

/**
 * Builds the grid of `role` (ExpertGate, ExpertUp or ExpertDown; any role works, but only
 * Linears with an expert index take part) from the inventory and the probe's report, matched
 * by Linear name. A Linear with no routed token is Unreached whatever its prior flag says: that
 * is the case a user most needs to see.
 */
ExpertGridData buildExpertGrid(const core::ModelInventory &inv,
                               const core::data::SensitivityReport &report,
                               core::LinearRole role);

}  // namespace pq::widgets
