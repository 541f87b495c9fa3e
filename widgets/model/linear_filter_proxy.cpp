// SPDX-License-Identifier: MIT
#include "widgets/model/linear_filter_proxy.h"

#include "widgets/model/inventory_table_model.h"

namespace pq::widgets {

LinearFilterProxyModel::LinearFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(InventoryTableModel::SORT_ROLE);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void LinearFilterProxyModel::setSourceModel(QAbstractItemModel *sourceModel)
{
    m_table = qobject_cast<InventoryTableModel *>(sourceModel);
    QSortFilterProxyModel::setSourceModel(sourceModel);
}

void LinearFilterProxyModel::setFilterWords(const QString &text)
{
    QStringList words = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words == m_words) {
        return;
    }
    m_words = std::move(words);
    invalidateFilter();
}

bool LinearFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_words.isEmpty() || sourceParent.isValid()) {
        return true;
    }
    return m_table == nullptr || m_table->rowMatches(sourceRow, m_words);
}

}  // namespace pq::widgets
