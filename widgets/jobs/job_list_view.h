// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QPushButton;
class QTableView;

namespace pq::widgets {

class JobList;

/**
 * The jobs of a JobList as a table with a progress bar per job, a Cancel button for the selected
 * running job and Clear Finished; a failed job's tooltip gives the error in plain words. Shown
 * in the main window's Jobs dock. GUI thread only.
 */
class JobListView : public QWidget
{
    Q_OBJECT

public:
    explicit JobListView(JobList *jobs, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }

    QPushButton *cancelButton() const { return m_cancel; }

    QPushButton *clearButton() const { return m_clear; }

private:
    void updateButtons();

    JobList *m_jobs = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_clear = nullptr;
};

}  // namespace pq::widgets
