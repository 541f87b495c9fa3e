// SPDX-License-Identifier: MIT
#include "widgets/jobs/job_list_view.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

#include "widgets/jobs/job_list.h"

namespace pq::widgets {
namespace {

/** The progress column as the platform's progress bar (busy while the total is unknown). */
class ProgressDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter,
               const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        const double fraction = index.data(JobList::FRACTION_ROLE).toDouble();
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(2, 2, -2, -2);
        bar.minimum = 0;
        bar.maximum = fraction < 0.0 ? 0 : 1000;  // 0..0: the style's busy indicator
        bar.progress = fraction < 0.0 ? 0 : static_cast<int>(fraction * 1000.0);
        bar.text = index.data(Qt::DisplayRole).toString();
        bar.textVisible = !bar.text.isEmpty();
        bar.state = option.state | QStyle::State_Horizontal;
        const QWidget *widget = option.widget;
        QStyle *style = widget != nullptr ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
    }
};

}  // namespace

JobListView::JobListView(JobList *jobs, QWidget *parent)
    : QWidget(parent)
    , m_jobs(jobs)
{
    m_table = new QTableView(this);
    m_table->setModel(m_jobs);
    m_table->setItemDelegateForColumn(JobList::ProgressColumn, new ProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(JobList::JobColumn,
                                                      QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(JobList::StateColumn, QHeaderView::Stretch);
    m_table->setAccessibleName(tr("Jobs"));
    m_cancel = new QPushButton(tr("Cancel Job"), this);
    m_cancel->setToolTip(tr("Ask the selected job to stop at its next step"));
    m_clear = new QPushButton(tr("Clear Finished"), this);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_clear);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);

    connect(m_cancel, &QPushButton::clicked, this, [this] {
        const QModelIndex current = m_table->currentIndex();
        m_jobs->cancel(current.isValid() ? current.row() : m_jobs->activeRow());
    });
    connect(m_clear, &QPushButton::clicked, m_jobs, &JobList::clearFinished);
    connect(m_jobs, &JobList::activeChanged, this, &JobListView::updateButtons);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &JobListView::updateButtons);
    updateButtons();
}

void JobListView::updateButtons()
{
    const QModelIndex current = m_table->currentIndex();
    const int row = current.isValid() ? current.row() : m_jobs->activeRow();
    m_cancel->setEnabled(row >= 0 && row < m_jobs->rowCount() &&
                         m_jobs->state(row) == JobList::State::Running);
    bool finished = false;
    for (int r = 0; r < m_jobs->rowCount(); ++r) {
        finished = finished || m_jobs->state(r) != JobList::State::Running;
    }
    m_clear->setEnabled(finished);
}

}  // namespace pq::widgets
