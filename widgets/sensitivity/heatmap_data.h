// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <QCoreApplication>
#include <QString>

#include "core/alloc/allocation.h"
#include "core/model/inventory.h"
#include "core/quant/formats.h"

namespace pq::widgets {

/** A cell of the heatmap grid by position; both -1 when nothing is meant. */
struct HeatmapIndex
{
    int row = -1;
    int column = -1;

    bool isValid() const { return row >= 0 && column >= 0; }

    friend bool operator==(const HeatmapIndex &, const HeatmapIndex &) = default;
};

/** One row of the heatmap: a decoder layer of the language model or of the MTP block. */
struct HeatmapRow
{
    core::Section section = core::Section::Text;  ///< Text or Mtp
    std::int64_t layer = 0;                       ///< MTP layers count from 0 inside the block
    QString label;                                ///< "3" or "MTP 0", translated
};

/**
 * The Linears of one (row, role) cell: one Linear, or every routed expert of the layer for an
 * expert role (aggregated: params and costs are sums over the experts).
 */
struct HeatmapCell
{
    std::vector<std::size_t> linears;  ///< indices into ModelInventory::linears, in order
    std::string module;                ///< the Linear's name; the vLLM module for several (experts)
    std::uint64_t params = 0;
    std::int64_t experts = 0;  ///< distinct routed experts in the cell (0 for a plain Linear)
    /** Predicted Δloss per format, summed over the cell's Linears; a format is present only
     *  when every Linear of the cell has a cost for it. */
    std::map<core::quant::FormatId, double> costs;
    /** The allocation's format when all Linears of the cell share one; empty otherwise. */
    std::optional<core::quant::FormatId> chosen;
    bool mixed = false;  ///< the allocation gives the cell's Linears different formats

    bool empty() const { return linears.empty(); }

    /** The cell's Δloss for `format`, or empty when it has none. */
    std::optional<double> cost(core::quant::FormatId format) const;
};

/** Lowest and highest log10 of the positive cell costs of one format. */
struct LogRange
{
    double min = 0.0;
    double max = 0.0;
};

/**
 * Everything the sensitivity heatmap shows, computed once from an inventory, the predicted
 * costs and optionally an allocation: rows (text layers in order, then MTP layers), columns (the
 * Linear roles present, in model order), one cell per (row, column), and the colour scale's
 * range per format. A value type with no reference to its inputs; cheap to copy into a widget.
 */
struct HeatmapData
{
    std::vector<HeatmapRow> rows;
    std::vector<core::LinearRole> columns;
    std::vector<HeatmapCell> cells;  ///< row-major, rows.size() × columns.size()
    /** The formats with a cost in any cell, in menu order (core::quant::allFormats()). */
    std::vector<core::quant::FormatId> formats;
    /** The formats the allocation chose, in menu order; empty without an allocation. */
    std::vector<core::quant::FormatId> chosenFormats;
    /** Per format: the range of log10(cost) over cells with a positive cost. Formats whose
     *  costs are all zero (BF16) or missing have no entry. */
    std::map<core::quant::FormatId, LogRange> logRange;
    bool hasAllocation = false;

    int rowCount() const { return static_cast<int>(rows.size()); }

    int columnCount() const { return static_cast<int>(columns.size()); }

    bool contains(HeatmapIndex index) const
    {
        return index.row >= 0 && index.row < rowCount() && index.column >= 0 &&
               index.column < columnCount();
    }

    /** The cell at (row, column). Precondition: contains({row, column}). */
    const HeatmapCell &cell(int row, int column) const;
};

/**
 * Builds the heatmap of `inv`. Rows come from LinearInfo::layer (an MTP Linear outside any MTP
 * layer, such as Qwen3.5's mtp.fc, joins MTP layer 0); columns from LinearInfo::role in enum
 * order, which is the order the inventory lists a layer's Linears in. Costs are looked up by
 * LinearInfo::name in `costs.byLinear`. `allocation` may be null; when given, its linearFormats
 * must be indexed like inv.linears (Linears past its end count as unassigned).
 */
HeatmapData buildHeatmap(const core::ModelInventory &inv,
                         const core::alloc::LinearCosts &costs,
                         const core::alloc::Allocation *allocation);

/** Translated words of the heatmap data (row labels). */
class HeatmapText
{
    Q_DECLARE_TR_FUNCTIONS(pq::widgets::HeatmapText)

public:
    /** "12" for a text layer, "MTP 0" for an MTP layer. */
    static QString rowLabel(core::Section section, std::int64_t layer);
};

}  // namespace pq::widgets
