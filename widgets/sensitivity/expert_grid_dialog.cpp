// SPDX-License-Identifier: MIT
#include "widgets/sensitivity/expert_grid_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

#include "widgets/model/display_text.h"
#include "widgets/sensitivity/expert_grid.h"

namespace pq::widgets {

ExpertGridDialog::ExpertGridDialog(QWidget *parent)
    : QDialog(parent)
    , m_summary(new QLabel(this))
    , m_grid(new ExpertGrid(this))
    , m_scroll(new QScrollArea(this))
    , m_detail(new QLabel(this))
{
    setModal(false);
    m_summary->setWordWrap(true);
    m_scroll->setWidget(m_grid);
    m_scroll->setWidgetResizable(true);  // the grid fills the window, scrolls below its minimum
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setFocusPolicy(Qt::NoFocus);  // Tab goes from the grid to the button
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_scroll, 1);
    layout->addWidget(m_detail);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_grid, &ExpertGrid::cellSelected, this, &ExpertGridDialog::showSelection);
    connect(m_grid, &ExpertGrid::cellActivated, this, [this](int row, int expert) {
        const ExpertGridCell &cell = m_grid->data().cell(row, expert);
        if (cell.linear) {
            Q_EMIT expertActivated(static_cast<int>(*cell.linear));
        }
    });
    showSelection();
    resize(860, 520);
}

void ExpertGridDialog::setData(ExpertGridData data, int row)
{
    const core::LinearRole role = data.role;
    const int unreached = data.unreached;
    const int priors = data.priors;
    const int experts = data.experts;
    const int layers = data.rowCount();
    m_grid->setData(std::move(data));
    setWindowTitle(tr("Routed tokens per expert: %1").arg(DisplayText::roleDescription(role)));
    m_summary->setText(
            tr("How many calibration tokens the router sent to each expert (%n layer(s) × %1 "
               "experts), on a log scale. An expert few tokens reach is measured poorly: %2 "
               "were never reached and %3 got their layer's average (a prior estimate), so "
               "their predicted loss is a guess. Double-click an expert (or press Enter) to see "
               "its weights in the Sensitivity tab.",
               "", layers)
                    .arg(experts)
                    .arg(unreached)
                    .arg(priors));
    m_grid->setSelectedCell(row, row >= 0 ? 0 : -1);
    m_grid->setFocus();
    showSelection();
}

void ExpertGridDialog::showSelection()
{
    const HeatmapIndex at = m_grid->selectedCell();
    if (at.isValid()) {  // 256 experts may not fit: keep the keyboard's cell in view
        const QRect cell = m_grid->cellRect(at.row, at.column);
        m_scroll->ensureVisible(cell.center().x(), cell.center().y(), cell.width(), cell.height());
    }
    m_detail->setText(at.isValid() ? m_grid->tooltipText(at.row, at.column)
                                   : tr("Click an expert (or use the arrow keys) to see its "
                                        "numbers; hover for a summary."));
}

QString ExpertGridDialog::summaryText() const
{
    return m_summary->text();
}

QString ExpertGridDialog::detailText() const
{
    return m_detail->text();
}

}  // namespace pq::widgets
