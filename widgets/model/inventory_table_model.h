// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <QAbstractTableModel>
#include <QString>
#include <QStringList>

#include "core/model/inventory.h"

namespace pq::widgets {

/**
 * A read-only table over the Linears of a model inventory: one row per Linear, in inventory
 * order. Sort through a proxy on SORT_ROLE, which returns numbers as numbers (see
 * LinearFilterProxyModel). Holds the inventory by shared pointer and never copies the Linears;
 * the strings a view asks for repeatedly are converted once in setInventory(). GUI thread only.
 */
class InventoryTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Column : std::uint8_t
    {
        Name,
        Layer,
        Role,
        Expert,
        Shape,
        Params,
        SourceBytes,
        VllmModule,
        Group,
    };
    static constexpr int COLUMN_COUNT = 9;
    /** Data role whose value sorts correctly: numbers for numeric columns, text otherwise. */
    static constexpr int SORT_ROLE = Qt::UserRole + 1;

    static constexpr int columnIndex(Column column) { return static_cast<int>(column); }

    explicit InventoryTableModel(QObject *parent = nullptr);

    /** Replaces the model's contents (a reset); null clears it. */
    void setInventory(std::shared_ptr<const core::ModelInventory> inventory);

    const std::shared_ptr<const core::ModelInventory> &inventory() const { return m_inventory; }

    /** The Linear shown in `row`, or null when out of range. */
    const core::LinearInfo *linearAt(int row) const;
    /** True when every term occurs, ignoring case, in the row's name, role or vLLM module. */
    bool rowMatches(int row, const QStringList &terms) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString name;
        QString vllmModule;
        QString role;
    };

    static QString columnTitle(Column column);
    static QString columnToolTip(Column column);
    QVariant displayData(int row, Column column) const;
    QVariant sortData(int row, Column column) const;
    QVariant toolTip(int row, Column column) const;
    QString layerText(const core::LinearInfo &linear) const;
    QString groupToolTip(const core::LinearInfo &linear) const;

    std::shared_ptr<const core::ModelInventory> m_inventory;
    std::vector<Row> m_rows;
};

}  // namespace pq::widgets
