// SPDX-License-Identifier: MIT
#include "widgets/allocation/allocation_table_model.h"

#include "core/quant/format_spec.h"
#include "widgets/model/display_text.h"

namespace pq::widgets {
namespace {

QString fromView(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

}  // namespace

AllocationTableModel::AllocationTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void AllocationTableModel::setRun(std::shared_ptr<const core::ModelInventory> inventory,
                                  std::shared_ptr<const core::alloc::LinearCosts> costs)
{
    beginResetModel();
    m_inventory = std::move(inventory);
    m_costs = std::move(costs);
    m_allocation.reset();
    m_names.clear();
    m_roles.clear();
    if (m_inventory != nullptr) {
        for (const core::LinearInfo &l : m_inventory->linears) {
            m_names.push_back(QString::fromStdString(l.name));
            m_roles.push_back(fromView(core::linearRoleName(l.role)));
        }
    }
    endResetModel();
}

void AllocationTableModel::setAllocation(std::shared_ptr<const core::alloc::Allocation> allocation)
{
    m_allocation = std::move(allocation);
    if (rowCount() > 0) {
        Q_EMIT dataChanged(index(0, columnIndex(Column::Format)),
                           index(rowCount() - 1, columnIndex(Column::Pinned)));
    }
}

core::quant::FormatId AllocationTableModel::formatAt(int row) const
{
    if (m_allocation == nullptr || row < 0 ||
        static_cast<std::size_t>(row) >= m_allocation->linearFormats.size()) {
        return core::quant::FormatId::BF16;
    }
    return m_allocation->linearFormats[static_cast<std::size_t>(row)];
}

bool AllocationTableModel::isPinned(int row) const
{
    if (m_allocation == nullptr || row < 0 || row >= rowCount()) {
        return false;
    }
    const std::size_t group = m_inventory->linears[static_cast<std::size_t>(row)].group;
    return group < m_allocation->groups.size() && m_allocation->groups[group].pinned;
}

std::vector<core::quant::FormatId> AllocationTableModel::formatsFor(int row) const
{
    std::vector<core::quant::FormatId> out;
    const auto linear = m_costs->byLinear.find(nameAt(row));
    for (const core::quant::FormatInfo &f : core::quant::allFormats()) {
        if (f.id == core::quant::FormatId::BF16 ||
            (linear != m_costs->byLinear.end() && linear->second.count(f.id) != 0)) {
            out.push_back(f.id);
        }
    }
    return out;
}

std::string AllocationTableModel::nameAt(int row) const
{
    return m_inventory->linears[static_cast<std::size_t>(row)].name;
}

std::optional<double> AllocationTableModel::deltaLoss(int row) const
{
    const core::quant::FormatId f = formatAt(row);
    if (f == core::quant::FormatId::BF16) {
        return 0.0;  // the source precision costs nothing
    }
    const auto linear =
            m_costs->byLinear.find(m_inventory->linears[static_cast<std::size_t>(row)].name);
    if (linear == m_costs->byLinear.end()) {
        return std::nullopt;
    }
    const auto cost = linear->second.find(f);
    return cost == linear->second.end() ? std::nullopt : std::optional<double>(cost->second);
}

bool AllocationTableModel::rowMatches(int row, const QStringList &terms) const
{
    const auto r = static_cast<std::size_t>(row);
    const QString format = fromView(core::quant::formatInfo(formatAt(row)).name);
    for (const QString &term : terms) {
        if (!m_names[r].contains(term, Qt::CaseInsensitive) &&
            !m_roles[r].contains(term, Qt::CaseInsensitive) &&
            !format.contains(term, Qt::CaseInsensitive)) {
            return false;
        }
    }
    return true;
}

int AllocationTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_names.size());
}

int AllocationTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : COLUMN_COUNT;
}

QVariant AllocationTableModel::value(int row, Column column, bool forSorting) const
{
    const core::LinearInfo &l = m_inventory->linears[static_cast<std::size_t>(row)];
    switch (column) {
    case Column::Name:
        return m_names[static_cast<std::size_t>(row)];
    case Column::Layer:
        if (forSorting) {
            return static_cast<qlonglong>(l.layer);
        }
        return l.layer < 0 ? QString() : QString::number(l.layer);
    case Column::Role:
        return m_roles[static_cast<std::size_t>(row)];
    case Column::Params:
        return forSorting ? QVariant(static_cast<qulonglong>(l.params()))
                          : QVariant(DisplayText::params(l.params()));
    case Column::Format:
        return fromView(core::quant::formatInfo(formatAt(row)).name);
    case Column::Bytes: {
        const std::uint64_t bytes =
                core::quant::formatBytes(formatAt(row), l.outFeatures, l.inFeatures, l.sourceDtype);
        return forSorting ? QVariant(static_cast<qulonglong>(bytes))
                          : QVariant(DisplayText::bytes(bytes));
    }
    case Column::DeltaLoss: {
        const auto d = deltaLoss(row);
        if (forSorting) {
            return d ? *d : -1.0;
        }
        return d ? QString::number(*d, 'g', 3) : tr("n/a");
    }
    case Column::Pinned:
        if (forSorting) {
            return isPinned(row) ? 1 : 0;
        }
        return isPinned(row) ? tr("pinned") : QString();
    }
    return {};
}

QVariant AllocationTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= COLUMN_COUNT) {
        return {};
    }
    const auto column = static_cast<Column>(index.column());
    if (role == Qt::DisplayRole) {
        return value(index.row(), column, false);
    }
    if (role == SORT_ROLE) {
        return value(index.row(), column, true);
    }
    if (role == Qt::TextAlignmentRole && column != Column::Name && column != Column::Role &&
        column != Column::Format) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant AllocationTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= COLUMN_COUNT) {
        return {};
    }
    const auto column = static_cast<Column>(section);
    if (role == Qt::DisplayRole) {
        switch (column) {
        case Column::Name:
            return tr("Linear");
        case Column::Layer:
            return tr("Layer");
        case Column::Role:
            return tr("Role");
        case Column::Params:
            return tr("Parameters");
        case Column::Format:
            return tr("Format");
        case Column::Bytes:
            return tr("Bytes");
        case Column::DeltaLoss:
            return tr("Predicted Δloss");
        case Column::Pinned:
            return tr("Pin");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (column) {
        case Column::Format:
            return tr("The number format the allocation gives this Linear at the chosen budget");
        case Column::Bytes:
            return tr("What the Linear's weights take in that format, scales included");
        case Column::DeltaLoss:
            return tr("How much the model's loss is predicted to rise (nats per token) when this "
                      "Linear is stored in that format; 0 for BF16, the source precision");
        case Column::Pinned:
            return tr("Pinned Linears keep the format you chose at every budget (right-click a "
                      "row to pin or unpin it)");
        default:
            return {};
        }
    }
    return {};
}

}  // namespace pq::widgets
