// SPDX-License-Identifier: MIT
#include "widgets/model/inventory_table_model.h"

#include "core/model/tensor_role.h"
#include "widgets/model/display_text.h"

namespace pq::widgets {
namespace {

using Column = InventoryTableModel::Column;

QString fromStd(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

bool isNumeric(Column column)
{
    return column == Column::Layer || column == Column::Expert || column == Column::Params ||
           column == Column::SourceBytes || column == Column::Group;
}

}  // namespace

InventoryTableModel::InventoryTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void InventoryTableModel::setInventory(std::shared_ptr<const core::ModelInventory> inventory)
{
    beginResetModel();
    m_inventory = std::move(inventory);
    m_rows.clear();
    if (m_inventory) {
        m_rows.reserve(m_inventory->linears.size());
        for (const core::LinearInfo &linear : m_inventory->linears) {
            m_rows.push_back({fromStd(linear.name), fromStd(linear.vllmModule),
                              fromStd(core::linearRoleName(linear.role))});
        }
    }
    endResetModel();
}

const core::LinearInfo *InventoryTableModel::linearAt(int row) const
{
    if (row < 0 || row >= rowCount()) {
        return nullptr;
    }
    return &m_inventory->linears[static_cast<std::size_t>(row)];
}

bool InventoryTableModel::rowMatches(int row, const QStringList &terms) const
{
    const Row &r = m_rows[static_cast<std::size_t>(row)];
    for (const QString &term : terms) {
        if (!r.name.contains(term, Qt::CaseInsensitive) &&
            !r.vllmModule.contains(term, Qt::CaseInsensitive) &&
            !r.role.contains(term, Qt::CaseInsensitive)) {
            return false;
        }
    }
    return true;
}

int InventoryTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int InventoryTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : COLUMN_COUNT;
}

QVariant InventoryTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= COLUMN_COUNT) {
        return {};
    }
    const auto column = static_cast<Column>(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(index.row(), column);
    case SORT_ROLE:
        return sortData(index.row(), column);
    case Qt::ToolTipRole:
        return toolTip(index.row(), column);
    case Qt::TextAlignmentRole:
        return isNumeric(column) ? QVariant((Qt::AlignRight | Qt::AlignVCenter).toInt())
                                 : QVariant();
    default:
        return {};
    }
}

QVariant InventoryTableModel::displayData(int row, Column column) const
{
    const core::LinearInfo &linear = *linearAt(row);
    const Row &r = m_rows[static_cast<std::size_t>(row)];
    switch (column) {
    case Column::Name:
        return r.name;
    case Column::Layer:
        return layerText(linear);
    case Column::Role:
        return r.role;
    case Column::Expert:
        return linear.expert < 0 ? QString() : QString::number(linear.expert);
    case Column::Shape:
        return QStringLiteral("%1 \u00D7 %2").arg(linear.outFeatures).arg(linear.inFeatures);
    case Column::Params:
        return DisplayText::count(linear.params());
    case Column::SourceBytes:
        return DisplayText::bytes(linear.sourceBytes());
    case Column::VllmModule:
        return r.vllmModule;
    case Column::Group:
        return QString::number(linear.group);
    }
    return {};
}

QVariant InventoryTableModel::sortData(int row, Column column) const
{
    const core::LinearInfo &linear = *linearAt(row);
    switch (column) {
    case Column::Layer: {
        // MTP blocks count their layers from 0; sort them after the decoder layers.
        const qint64 offset = linear.section == core::Section::Mtp ? (qint64{1} << 32) : 0;
        return QVariant::fromValue(static_cast<qint64>(offset + linear.layer));
    }
    case Column::Role:
        return static_cast<int>(linear.role);  // model order: q, k, v, o, gate, up, down, ...
    case Column::Expert:
        return QVariant::fromValue(static_cast<qint64>(linear.expert));
    case Column::Shape:
        return QVariant::fromValue(
                static_cast<quint64>((linear.outFeatures << 32U) | linear.inFeatures));
    case Column::Params:
        return QVariant::fromValue(static_cast<quint64>(linear.params()));
    case Column::SourceBytes:
        return QVariant::fromValue(static_cast<quint64>(linear.sourceBytes()));
    case Column::Group:
        return QVariant::fromValue(static_cast<quint64>(linear.group));
    case Column::Name:
    case Column::VllmModule:
        return displayData(row, column);
    }
    return {};
}

QVariant InventoryTableModel::toolTip(int row, Column column) const
{
    const core::LinearInfo &linear = *linearAt(row);
    switch (column) {
    case Column::Name: {
        const auto &tensor = m_inventory->tensors[linear.source.tensor].info;
        return tr("%1\nStored in the tensor %2")
                .arg(displayData(row, column).toString(), fromStd(tensor.name));
    }
    case Column::Role:
        return DisplayText::roleDescription(linear.role);
    case Column::Group:
        return groupToolTip(linear);
    default:
        return {};
    }
}

QString InventoryTableModel::layerText(const core::LinearInfo &linear) const
{
    if (linear.layer < 0) {
        return {};
    }
    if (linear.section == core::Section::Mtp) {
        return tr("MTP %1", "layer of the multi-token prediction block").arg(linear.layer);
    }
    return QString::number(linear.layer);
}

QString InventoryTableModel::groupToolTip(const core::LinearInfo &linear) const
{
    const core::FusedGroup &group = m_inventory->groups[linear.group];
    return tr("Fused group %1 (Linears in it: %2). vLLM loads them as one module, %3, so they "
              "share one format.")
            .arg(QString::number(linear.group), DisplayText::count(group.linears.size()),
                 fromStd(group.vllmModule));
}

QVariant InventoryTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= COLUMN_COUNT) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    if (role == Qt::DisplayRole) {
        return columnTitle(static_cast<Column>(section));
    }
    if (role == Qt::ToolTipRole) {
        return columnToolTip(static_cast<Column>(section));
    }
    if (role == Qt::TextAlignmentRole) {
        return isNumeric(static_cast<Column>(section))
                       ? QVariant((Qt::AlignRight | Qt::AlignVCenter).toInt())
                       : QVariant((Qt::AlignLeft | Qt::AlignVCenter).toInt());
    }
    return {};
}

QString InventoryTableModel::columnTitle(Column column)
{
    switch (column) {
    case Column::Name:
        return tr("Name");
    case Column::Layer:
        return tr("Layer");
    case Column::Role:
        return tr("Role");
    case Column::Expert:
        return tr("Expert");
    case Column::Shape:
        return tr("Shape");
    case Column::Params:
        return tr("Params");
    case Column::SourceBytes:
        return tr("Source bytes");
    case Column::VllmModule:
        return tr("vLLM module");
    case Column::Group:
        return tr("Group");
    }
    return {};
}

QString InventoryTableModel::columnToolTip(Column column)
{
    switch (column) {
    case Column::Name:
        return tr("The Linear's module name in the checkpoint");
    case Column::Layer:
        return tr("Decoder layer (MTP: layer of the multi-token prediction block)");
    case Column::Role:
        return tr("What the Linear does inside its layer");
    case Column::Expert:
        return tr("Index of the routed expert (empty for dense and shared Linears)");
    case Column::Shape:
        return tr("Weight shape: output features × input features");
    case Column::Params:
        return tr("Number of weights: output features times input features");
    case Column::SourceBytes:
        return tr("Size of the weights in the checkpoint's number format");
    case Column::VllmModule:
        return tr("The module vLLM loads this Linear into");
    case Column::Group:
        return tr("Linears with the same group are fused by vLLM and share one format");
    }
    return {};
}

}  // namespace pq::widgets
