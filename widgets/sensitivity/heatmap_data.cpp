// SPDX-License-Identifier: MIT
#include "widgets/sensitivity/heatmap_data.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "core/quant/format_spec.h"

namespace pq::widgets {
namespace {

using core::quant::FormatId;

/** A row: (section, layer), ordered Text before Mtp, then by layer. */
using RowKey = std::pair<core::Section, std::int64_t>;

RowKey rowKey(const core::LinearInfo &l)
{
    // An MTP Linear outside the MTP layers (Qwen3.5's mtp.fc, layer -1) feeds MTP layer 0.
    return {l.section == core::Section::Mtp ? core::Section::Mtp : core::Section::Text,
            std::max<std::int64_t>(l.layer, 0)};
}

/** Positions of `keys` in their sorted order. */
template <typename Key>
std::map<Key, int> positions(const std::set<Key> &keys)
{
    std::map<Key, int> pos;
    for (const Key &k : keys) {
        pos.emplace(k, static_cast<int>(pos.size()));
    }
    return pos;
}

/** Sums the costs of the cell's Linears, keeping only formats every Linear has. */
void sumCosts(HeatmapCell &cell,
              const core::ModelInventory &inv,
              const core::alloc::LinearCosts &costs)
{
    bool first = true;
    for (const std::size_t i : cell.linears) {
        const auto it = costs.byLinear.find(inv.linears[i].name);
        if (it == costs.byLinear.end()) {
            cell.costs.clear();
            return;
        }
        if (first) {
            cell.costs = it->second;
            first = false;
            continue;
        }
        for (auto c = cell.costs.begin(); c != cell.costs.end();) {
            const auto own = it->second.find(c->first);
            if (own == it->second.end()) {
                c = cell.costs.erase(c);
            } else {
                c->second += own->second;
                ++c;
            }
        }
    }
}

/** The allocation's format for the cell, or mixed when its Linears differ. */
void chooseFormat(HeatmapCell &cell, const core::alloc::Allocation &allocation)
{
    for (const std::size_t i : cell.linears) {
        if (i >= allocation.linearFormats.size()) {
            cell.chosen.reset();
            return;  // unassigned: neither a format nor mixed
        }
        const FormatId f = allocation.linearFormats[i];
        if (!cell.chosen) {
            cell.chosen = f;
        } else if (*cell.chosen != f) {
            cell.chosen.reset();
            cell.mixed = true;
            return;
        }
    }
}

/** Fills the cell's summary fields once its Linears are known. */
void finishCell(HeatmapCell &cell, const core::ModelInventory &inv)
{
    std::set<std::int64_t> experts;
    for (const std::size_t i : cell.linears) {
        const core::LinearInfo &l = inv.linears[i];
        cell.params += l.params();
        if (l.expert >= 0) {
            experts.insert(l.expert);
        }
    }
    cell.experts = static_cast<std::int64_t>(experts.size());
    const core::LinearInfo &first = inv.linears[cell.linears.front()];
    cell.module = cell.linears.size() == 1 ? first.name : first.vllmModule;
}

/** Formats in menu order, restricted to `present`. */
std::vector<FormatId> inMenuOrder(const std::set<FormatId> &present)
{
    std::vector<FormatId> out;
    for (const core::quant::FormatInfo &f : core::quant::allFormats()) {
        if (present.contains(f.id)) {
            out.push_back(f.id);
        }
    }
    return out;
}

/** The per-format log10 ranges, the format list and the chosen-format list. */
void summarise(HeatmapData &data)
{
    std::set<FormatId> formats;
    std::set<FormatId> chosen;
    for (const HeatmapCell &cell : data.cells) {
        if (cell.chosen) {
            chosen.insert(*cell.chosen);
        }
        for (const auto &[format, cost] : cell.costs) {
            formats.insert(format);
            if (!(cost > 0.0) || !std::isfinite(cost)) {
                continue;
            }
            const double v = std::log10(cost);
            const auto [it, inserted] = data.logRange.try_emplace(format, LogRange{v, v});
            if (!inserted) {
                it->second.min = std::min(it->second.min, v);
                it->second.max = std::max(it->second.max, v);
            }
        }
    }
    data.formats = inMenuOrder(formats);
    data.chosenFormats = inMenuOrder(chosen);
}

}  // namespace

std::optional<double> HeatmapCell::cost(core::quant::FormatId format) const
{
    const auto it = costs.find(format);
    if (it == costs.end()) {
        return std::nullopt;
    }
    return it->second;
}

const HeatmapCell &HeatmapData::cell(int row, int column) const
{
    return cells.at(static_cast<std::size_t>(row) * columns.size() +
                    static_cast<std::size_t>(column));
}

HeatmapData buildHeatmap(const core::ModelInventory &inv,
                         const core::alloc::LinearCosts &costs,
                         const core::alloc::Allocation *allocation)
{
    std::set<RowKey> rowKeys;
    std::set<core::LinearRole> roles;
    for (const core::LinearInfo &l : inv.linears) {
        rowKeys.insert(rowKey(l));
        roles.insert(l.role);
    }
    const std::map<RowKey, int> rowOf = positions(rowKeys);
    const std::map<core::LinearRole, int> columnOf = positions(roles);

    HeatmapData data;
    data.hasAllocation = allocation != nullptr;
    for (const RowKey &k : rowKeys) {
        data.rows.push_back({k.first, k.second, HeatmapText::rowLabel(k.first, k.second)});
    }
    data.columns.assign(roles.begin(), roles.end());
    data.cells.resize(rowKeys.size() * roles.size());
    for (std::size_t i = 0; i < inv.linears.size(); ++i) {
        const core::LinearInfo &l = inv.linears[i];
        const auto cell = static_cast<std::size_t>(rowOf.at(rowKey(l))) * roles.size() +
                          static_cast<std::size_t>(columnOf.at(l.role));
        data.cells[cell].linears.push_back(i);
    }
    for (HeatmapCell &cell : data.cells) {
        if (cell.empty()) {
            continue;
        }
        finishCell(cell, inv);
        sumCosts(cell, inv, costs);
        if (allocation != nullptr) {
            chooseFormat(cell, *allocation);
        }
    }
    summarise(data);
    return data;
}

QString HeatmapText::rowLabel(core::Section section, std::int64_t layer)
{
    if (section == core::Section::Mtp) {
        return tr("MTP %1").arg(layer);
    }
    return QString::number(layer);
}

}  // namespace pq::widgets
