// SPDX-License-Identifier: MIT
#include "widgets/jobs/job_list.h"

#include <algorithm>

#include "core/util/error.h"
#include "widgets/jobs/error_text.h"
#include "widgets/jobs/job_runner.h"
#include "widgets/model/display_text.h"

namespace pq::widgets {

JobList::JobList(QObject *parent)
    : QAbstractTableModel(parent)
{}

void JobList::track(JobRunner *job, const QString &title)
{
    beginInsertRows({}, 0, 0);
    Entry e;
    e.runner = job;
    e.id = job;
    e.title = title;
    e.stageClock.start();
    m_jobs.insert(m_jobs.begin(), std::move(e));
    endInsertRows();
    connect(job, &JobRunner::progressChanged, this,
            [this, job](const QString &stage, quint64 done, quint64 total) {
                const int row = rowOf(job);
                if (row < 0) {
                    return;
                }
                Entry &e = m_jobs[static_cast<std::size_t>(row)];
                if (stage != e.stage) {
                    e.stage = stage;
                    e.stageClock.start();
                }
                e.done = done;
                e.total = total;
                changed(row);
            });
    connect(job, &JobRunner::succeeded, this, [this, job] {
        if (const int row = rowOf(job); row >= 0) {
            m_jobs[static_cast<std::size_t>(row)].state = State::Succeeded;
            changed(row);
        }
    });
    connect(job, &JobRunner::failed, this, [this, job](const QString &message, int code) {
        if (const int row = rowOf(job); row >= 0) {
            Entry &e = m_jobs[static_cast<std::size_t>(row)];
            const bool cancelled = code == static_cast<int>(core::ErrorCode::Cancelled);
            e.state = cancelled ? State::Cancelled : State::Failed;
            e.message =
                    cancelled ? QString() : ErrorText::summary(code) + QLatin1Char('\n') + message;
            changed(row);
        }
    });
    // an owner that closes mid-job deletes the runner with the queued outcome undelivered (the
    // export wizard, cancelled): the job has stopped, and its row must not run forever
    connect(job, &QObject::destroyed, this, [this, job] {
        if (const int row = rowOf(job); row >= 0) {
            Entry &e = m_jobs[static_cast<std::size_t>(row)];
            e.id = nullptr;  // the address may be reused by the next runner
            if (e.state == State::Running) {
                e.state = State::Cancelled;
                changed(row);
            }
        }
    });
    Q_EMIT activeChanged();
}

int JobList::rowOf(const JobRunner *job) const
{
    const auto it = std::find_if(m_jobs.begin(), m_jobs.end(),
                                 [job](const Entry &e) { return e.id == job; });
    return it == m_jobs.end() ? -1 : static_cast<int>(it - m_jobs.begin());
}

void JobList::changed(int row)
{
    Q_EMIT dataChanged(index(row, 0), index(row, COLUMN_COUNT - 1));
    Q_EMIT activeChanged();
}

void JobList::cancel(int row)
{
    if (row < 0 || row >= rowCount()) {
        return;
    }
    Entry &e = m_jobs[static_cast<std::size_t>(row)];
    if (e.state == State::Running && e.runner != nullptr) {
        e.runner->requestCancel();
        e.stage = tr("cancelling");
        changed(row);
    }
}

void JobList::clearFinished()
{
    for (int row = rowCount() - 1; row >= 0; --row) {
        if (m_jobs[static_cast<std::size_t>(row)].state != State::Running) {
            beginRemoveRows({}, row, row);
            m_jobs.erase(m_jobs.begin() + row);
            endRemoveRows();
        }
    }
    Q_EMIT activeChanged();
}

int JobList::activeRow() const
{
    const auto it = std::find_if(m_jobs.begin(), m_jobs.end(),
                                 [](const Entry &e) { return e.state == State::Running; });
    return it == m_jobs.end() ? -1 : static_cast<int>(it - m_jobs.begin());
}

QString JobList::etaText(const Entry &e) const
{
    if (e.state != State::Running || e.done == 0 || e.total <= e.done) {
        return {};
    }
    const auto elapsed = static_cast<double>(e.stageClock.elapsed());
    const auto left = elapsed * static_cast<double>(e.total - e.done) / static_cast<double>(e.done);
    return tr("about %1 left").arg(DisplayText::duration(static_cast<qint64>(left)));
}

QString JobList::stateText(const Entry &e) const
{
    switch (e.state) {
    case State::Running: {
        if (e.stage.isEmpty()) {
            return tr("starting");
        }
        const QString eta = etaText(e);
        const QString progress =
                e.total > 0 ? tr("%1: %2 of %3").arg(e.stage).arg(e.done).arg(e.total) : e.stage;
        return eta.isEmpty() ? progress : tr("%1, %2").arg(progress, eta);
    }
    case State::Succeeded:
        return tr("done");
    case State::Failed:
        return tr("failed");
    case State::Cancelled:
        return tr("cancelled");
    }
    return {};
}

QString JobList::summary(int row) const
{
    if (row < 0 || row >= rowCount()) {
        return {};
    }
    const Entry &e = m_jobs[static_cast<std::size_t>(row)];
    return tr("%1 \u2014 %2").arg(e.title, stateText(e));
}

int JobList::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_jobs.size());
}

int JobList::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : COLUMN_COUNT;
}

QVariant JobList::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const Entry &e = m_jobs[static_cast<std::size_t>(index.row())];
    if (role == Qt::ToolTipRole) {
        return e.message.isEmpty() ? summary(index.row()) : e.message;
    }
    switch (index.column()) {
    case JobColumn:
        return role == Qt::DisplayRole ? QVariant(e.title) : QVariant();
    case StateColumn:
        return role == Qt::DisplayRole ? QVariant(stateText(e)) : QVariant();
    case ProgressColumn:
        if (role == FRACTION_ROLE) {
            if (e.state != State::Running) {  // no busy bar for a job that has ended
                return e.state == State::Succeeded ? 1.0 : 0.0;
            }
            return e.total > 0 ? static_cast<double>(e.done) / static_cast<double>(e.total) : -1.0;
        }
        if (role == Qt::DisplayRole) {
            return e.total > 0 && e.state == State::Running
                           ? QVariant(QStringLiteral("%1 %").arg(100 * e.done / e.total))
                           : QVariant();
        }
        return {};
    default:
        return {};
    }
}

QVariant JobList::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case JobColumn:
        return tr("Job");
    case StateColumn:
        return tr("State");
    case ProgressColumn:
        return tr("Progress");
    default:
        return {};
    }
}

}  // namespace pq::widgets
