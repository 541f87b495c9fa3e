// SPDX-License-Identifier: MIT
#pragma once

#include <QSortFilterProxyModel>
#include <QStringList>

namespace pq::widgets {

class InventoryTableModel;

/**
 * Sorts an InventoryTableModel numerically (on its SORT_ROLE) and filters it by words: a row is
 * shown when every whitespace-separated word of the filter occurs, ignoring case, in its name,
 * role or vLLM module ("layers.3 down" keeps layer 3's down projections). GUI thread only.
 */
class LinearFilterProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit LinearFilterProxyModel(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *sourceModel) override;
    /** Sets the filter words; an empty or blank text shows every row. */
    void setFilterWords(const QString &text);

    const QStringList &filterWords() const { return m_words; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    InventoryTableModel *m_table = nullptr;
    QStringList m_words;
};

}  // namespace pq::widgets
