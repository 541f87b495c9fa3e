// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>

#include "widgets/sensitivity/expert_grid_data.h"

class QLabel;
class QScrollArea;

namespace pq::widgets {

class ExpertGrid;

/**
 * A non-modal window around an ExpertGrid: a sentence saying what the grid shows and how many
 * experts are estimates, the grid (scrollable when 256 experts do not fit), and the selected
 * expert's numbers under it, so keyboard users read what hover shows. The Sensitivity tab opens
 * it on a double-click (or Enter) on an experts cell; a double-click (or Enter) on an expert
 * asks the tab to show that expert's weights. GUI thread only.
 */
class ExpertGridDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ExpertGridDialog(QWidget *parent = nullptr);

    /** Shows `data` and selects `row`'s first expert (no selection for -1). */
    void setData(ExpertGridData data, int row);

    ExpertGrid *grid() const { return m_grid; }

    /** The sentence above the grid. */
    QString summaryText() const;

    /** The line under the grid: the selected expert's numbers, or a hint. */
    QString detailText() const;

Q_SIGNALS:
    /** The user double-clicked an expert or pressed Enter on it: the index of its Linear. */
    void expertActivated(int linear);

private:
    void showSelection();

    QLabel *m_summary = nullptr;
    ExpertGrid *m_grid = nullptr;
    QScrollArea *m_scroll = nullptr;
    QLabel *m_detail = nullptr;
};

}  // namespace pq::widgets
