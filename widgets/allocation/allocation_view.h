// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QLabel;
class QMenu;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace pq::widgets {

class AllocationTableModel;
class PinPatternDialog;
class RunDocument;

/**
 * The Allocation tab: the allocation at the document's budget in one line, Linears and bytes
 * per format, and a sortable table of every Linear with its format, bytes and predicted Δloss,
 * filtered by the words typed above it (name, role or format). Right-click a row to pin its
 * Linear (and so its fused group) to a format or to unpin it, or to pin every Linear a pattern
 * matches ("Pin Matching…", proposing the row's role in every layer) and to remove such a
 * pattern's pin: the document re-runs the allocator and keeps the pins in the run directory.
 * Follows the document. GUI thread only.
 */
class AllocationView : public QWidget
{
    Q_OBJECT

public:
    explicit AllocationView(RunDocument *document, QWidget *parent = nullptr);

    AllocationTableModel *tableModel() const { return m_model; }

    QSortFilterProxyModel *proxyModel() const { return m_proxy; }

    QTableView *tableView() const { return m_table; }

    QLineEdit *filterEdit() const { return m_filter; }

    /** The summary and per-format lines above the table. */
    QString summaryText() const;

    /** Why the last pin was refused (empty once a pin or a run was accepted since). */
    QString refusalText() const;

    /** The context menu of a proxy row (what right-clicking it shows); the caller owns it. */
    QMenu *contextMenuFor(int proxyRow);

    /**
     * Opens "Pin Matching…" for a proxy row (window-modal, not blocking): accepted, its pattern
     * and format become a pin of the document. Deleted when closed.
     */
    PinPatternDialog *openPinDialog(int proxyRow);

    /**
     * The pattern "Pin Matching…" proposes for `name`: the same module in every layer
     * ("model.layers.3.mlp.down_proj" → "\.mlp\.down_proj$"), else the name itself.
     */
    static QString proposedPattern(const std::string &name);

private:
    void onLoaded();
    void onAllocationChanged();
    void showContextMenu(const QPoint &pos);

    RunDocument *m_document = nullptr;
    AllocationTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_refusal = nullptr;
    QLineEdit *m_filter = nullptr;
    QTableView *m_table = nullptr;
};

}  // namespace pq::widgets
