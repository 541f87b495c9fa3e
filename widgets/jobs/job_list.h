// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QPointer>
#include <QString>

namespace pq::widgets {

class JobRunner;

/**
 * The Studio's long jobs (probe, evaluation, export) as one table (UI.md "Jobs"): what each is,
 * its state, stage and progress with an ETA, and the error in plain words when it failed.
 * Views hand their JobRunner to track() when they start one; the list follows its signals and
 * keeps the final state after the runner is gone (a runner deleted before it could report — its
 * owner closed mid-job — ends as cancelled). cancel() asks a running job to stop.
 * Newest job first. GUI thread only.
 */
class JobList : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column : std::uint8_t
    {
        JobColumn,
        StateColumn,
        ProgressColumn,
        COLUMN_COUNT,
    };

    enum class State : std::uint8_t
    {
        Running,
        Succeeded,
        Failed,
        Cancelled,
    };

    /** Progress as a fraction in [0, 1] (ProgressColumn; −1 while the total is unknown). */
    static constexpr int FRACTION_ROLE = Qt::UserRole + 1;

    explicit JobList(QObject *parent = nullptr);

    /** Follows `job` under the name `title` ("Probe stories260K"); it becomes row 0. */
    void track(JobRunner *job, const QString &title);

    /** Asks the job of `row` to stop at its next check (nothing when it is not running). */
    void cancel(int row);

    /** Drops the jobs that are no longer running. */
    void clearFinished();

    State state(int row) const { return m_jobs[static_cast<std::size_t>(row)].state; }

    /** The running job that started last (−1 when none runs): what the status bar shows. */
    int activeRow() const;

    /** "Probe: layers 3 of 8, about 2 min left", for the status bar. */
    QString summary(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

Q_SIGNALS:
    /** The running jobs, or the active one's progress, changed. */
    void activeChanged();

private:
    struct Entry
    {
        QPointer<JobRunner> runner;
        const JobRunner *id = nullptr;  ///< the runner's address: rows are found by it
        QString title;
        State state = State::Running;
        QString stage;
        quint64 done = 0;
        quint64 total = 0;
        QString message;  ///< the error of a failed job
        QElapsedTimer stageClock;
    };

    int rowOf(const JobRunner *job) const;
    void changed(int row);
    QString stateText(const Entry &e) const;
    QString etaText(const Entry &e) const;

    std::vector<Entry> m_jobs;  ///< newest first
};

}  // namespace pq::widgets
