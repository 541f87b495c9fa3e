// SPDX-License-Identifier: MIT
#include "widgets/sensitivity/expert_grid_data.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace pq::widgets {
namespace {

/** A row: (section, layer), Text before Mtp, then by layer (as the heatmap orders them). */
using RowKey = std::pair<core::Section, std::int64_t>;

RowKey rowKey(const core::LinearInfo &l)
{
    return {l.section == core::Section::Mtp ? core::Section::Mtp : core::Section::Text,
            std::max<std::int64_t>(l.layer, 0)};
}

ExpertGridCell
measuredCell(std::size_t linear, const core::LinearInfo &l, const core::data::LinearSensitivity *s)
{
    ExpertGridCell cell;
    cell.linear = linear;
    cell.name = l.name;
    if (s == nullptr) {
        cell.reach = ExpertReach::NotMeasured;
        return cell;
    }
    cell.tokens = s->tokens;
    cell.reach = s->tokens == 0 ? ExpertReach::Unreached
                 : s->prior     ? ExpertReach::Prior
                                : ExpertReach::Reached;
    return cell;
}

/** The token range and the counts of unreached and prior experts. */
void summarise(ExpertGridData &grid)
{
    for (const ExpertGridCell &cell : grid.cells) {
        grid.unreached += cell.reach == ExpertReach::Unreached ? 1 : 0;
        grid.priors += cell.reach == ExpertReach::Prior ? 1 : 0;
        if (cell.tokens == 0) {
            continue;
        }
        const double v = std::log10(static_cast<double>(cell.tokens));
        if (!grid.tokenRange) {
            grid.tokenRange = LogRange{v, v};
        } else {
            grid.tokenRange->min = std::min(grid.tokenRange->min, v);
            grid.tokenRange->max = std::max(grid.tokenRange->max, v);
        }
    }
}

}  // namespace

const ExpertGridCell &ExpertGridData::cell(int row, int expert) const
{
    return cells.at(static_cast<std::size_t>(row) * static_cast<std::size_t>(experts) +
                    static_cast<std::size_t>(expert));
}

int ExpertGridData::rowOf(core::Section section, std::int64_t layer) const
{
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].section == section && rows[i].layer == layer) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

ExpertGridData buildExpertGrid(const core::ModelInventory &inv,
                               const core::data::SensitivityReport &report,
                               core::LinearRole role)
{
    std::unordered_map<std::string_view, const core::data::LinearSensitivity *> measured;
    for (const core::data::LinearSensitivity &s : report.linears) {
        measured.emplace(s.name, &s);
    }
    std::map<RowKey, std::vector<std::size_t>> byRow;
    std::int64_t experts = 0;
    for (std::size_t i = 0; i < inv.linears.size(); ++i) {
        const core::LinearInfo &l = inv.linears[i];
        if (l.role == role && l.expert >= 0) {
            byRow[rowKey(l)].push_back(i);
            experts = std::max(experts, l.expert + 1);
        }
    }
    ExpertGridData grid;
    grid.role = role;
    grid.experts = static_cast<int>(experts);
    grid.minExpertTokens = report.minExpertTokens;
    grid.cells.resize(byRow.size() * static_cast<std::size_t>(experts));
    std::size_t row = 0;
    for (const auto &[key, linears] : byRow) {
        grid.rows.push_back({key.first, key.second, HeatmapText::rowLabel(key.first, key.second)});
        for (const std::size_t i : linears) {
            const core::LinearInfo &l = inv.linears[i];
            const auto found = measured.find(l.name);
            grid.cells[row * static_cast<std::size_t>(experts) +
                       static_cast<std::size_t>(l.expert)] =
                    measuredCell(i, l, found == measured.end() ? nullptr : found->second);
        }
        ++row;
    }
    summarise(grid);
    return grid;
}

}  // namespace pq::widgets
