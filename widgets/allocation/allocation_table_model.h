// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <QAbstractTableModel>
#include <QString>
#include <QStringList>

#include "core/alloc/allocation.h"
#include "core/model/inventory.h"

namespace pq::widgets {

/**
 * The Allocation table: every Linear of a run with the format the allocation at the current
 * budget gives it, the bytes that format stores and its predicted Δloss. One row per Linear in
 * inventory order; a new allocation changes the format, bytes and Δloss columns in place
 * (dataChanged, not a reset, so sorting, filtering and the selection survive). Sort through a
 * proxy on SORT_ROLE (numbers as numbers). GUI thread only.
 */
class AllocationTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Column : std::uint8_t
    {
        Name,
        Layer,
        Role,
        Params,
        Format,
        Bytes,
        DeltaLoss,
        Pinned,
    };
    static constexpr int COLUMN_COUNT = 8;
    static constexpr int SORT_ROLE = Qt::UserRole + 1;

    static constexpr int columnIndex(Column column) { return static_cast<int>(column); }

    explicit AllocationTableModel(QObject *parent = nullptr);

    /** The Linears and their costs (a reset); null clears the table. */
    void setRun(std::shared_ptr<const core::ModelInventory> inventory,
                std::shared_ptr<const core::alloc::LinearCosts> costs);
    /** The allocation to show (indexed like the inventory's Linears); null shows none. */
    void setAllocation(std::shared_ptr<const core::alloc::Allocation> allocation);

    /** The format of the Linear in `row` (BF16 when there is no allocation). */
    core::quant::FormatId formatAt(int row) const;
    /** Whether the allocation's choice for the Linear in `row` is a pin (its fused group's). */
    bool isPinned(int row) const;
    /** The formats the Linear in `row` can take (those it has a cost for, and BF16). */
    std::vector<core::quant::FormatId> formatsFor(int row) const;
    /** The Linear's checkpoint name. */
    std::string nameAt(int row) const;
    /** True when every term occurs, ignoring case, in the row's name, role or format. */
    bool rowMatches(int row, const QStringList &terms) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant value(int row, Column column, bool forSorting) const;
    /** The predicted Δloss of the Linear in `row` in its format, or empty without a cost. */
    std::optional<double> deltaLoss(int row) const;

    std::shared_ptr<const core::ModelInventory> m_inventory;
    std::shared_ptr<const core::alloc::LinearCosts> m_costs;
    std::shared_ptr<const core::alloc::Allocation> m_allocation;
    std::vector<QString> m_names;
    std::vector<QString> m_roles;
};

}  // namespace pq::widgets
