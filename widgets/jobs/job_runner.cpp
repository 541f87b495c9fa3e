// SPDX-License-Identifier: MIT
#include "widgets/jobs/job_runner.h"

#include <algorithm>
#include <exception>

#include <QThreadPool>

namespace pq::widgets {

JobRunner::JobRunner(Job job, QObject *parent)
    : QObject(parent)
    , m_job(std::move(job))
    , m_context(
              [this](std::string_view stage, std::uint64_t done, std::uint64_t total) {
                  onProgress(stage, done, total);
              },
              [this](std::string_view message) {
                  const QString text =
                          QString::fromUtf8(message.data(), static_cast<qsizetype>(message.size()));
                  QMetaObject::invokeMethod(
                          this, [this, text] { Q_EMIT logged(text); }, Qt::QueuedConnection);
              })
{
    // The owner deletes the runner; the pool must never do it behind the owner's back.
    setAutoDelete(false);
}

JobRunner::~JobRunner()
{
    requestCancel();
    std::unique_lock lock(m_mutex);
    // Still queued: take it out of the pool so that it never runs. Otherwise wait for run() to
    // return, because the worker uses this object until its very last statement.
    if (m_state == State::Queued && m_pool != nullptr && m_pool->tryTake(this)) {
        m_state = State::Done;
        return;
    }
    m_stateChanged.wait(lock, [this] { return m_state == State::Idle || m_state == State::Done; });
}

void JobRunner::start(QThreadPool &pool)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_state != State::Idle) {
            return;
        }
        m_state = State::Queued;
        m_pool = &pool;
    }
    pool.start(this);
}

void JobRunner::requestCancel()
{
    m_context.requestCancel();
}

bool JobRunner::isCancelRequested() const
{
    return m_context.isCancelled();
}

void JobRunner::run()
{
    setState(State::Running);
    m_clock.start();
    QMetaObject::invokeMethod(
            this, [this] { Q_EMIT started(); }, Qt::QueuedConnection);
    emitOutcome(runJob());
    // The last touch of `this` on the worker: from here on the destructor may complete.
    setState(State::Done);
}

core::Status JobRunner::runJob()
{
    // Core promises not to throw, but an exception escaping a pool thread would end the
    // application, so anything unexpected becomes an error (qBittorrent's catch-all).
    try {
        return m_job(m_context);
    } catch (const std::exception &e) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               std::string("unexpected internal error: ") + e.what());
    } catch (...) {
        return core::makeError(core::ErrorCode::InvalidArgument, "unexpected internal error");
    }
}

void JobRunner::emitOutcome(core::Status status)
{
    if (status) {
        QMetaObject::invokeMethod(
                this,
                [this] {
                    Q_EMIT succeeded();
                    Q_EMIT finished();
                },
                Qt::QueuedConnection);
        return;
    }
    m_error = std::move(status).error();
    const QString message = QString::fromStdString(m_error.message());
    const int code = static_cast<int>(m_error.code);
    QMetaObject::invokeMethod(
            this,
            [this, message, code] {
                Q_EMIT failed(message, code);
                Q_EMIT finished();
            },
            Qt::QueuedConnection);
}

void JobRunner::onProgress(std::string_view stage, std::uint64_t done, std::uint64_t total)
{
    const qint64 now = m_clock.elapsed();
    const int percent = total == 0 ? -1
                                   : static_cast<int>(static_cast<double>(std::min(done, total)) *
                                                      100.0 / static_cast<double>(total));
    const bool due = now - m_lastEmitMs >= PROGRESS_INTERVAL_MS;
    if (stage == m_lastStage && percent == m_lastPercent && !due) {
        return;
    }
    m_lastStage.assign(stage);
    m_lastPercent = percent;
    m_lastEmitMs = now;
    const QString stageText = QString::fromUtf8(stage.data(), static_cast<qsizetype>(stage.size()));
    QMetaObject::invokeMethod(
            this,
            [this, stageText, done, total] { Q_EMIT progressChanged(stageText, done, total); },
            Qt::QueuedConnection);
}

void JobRunner::setState(State state)
{
    // Notify while holding the lock, so that a waiting destructor cannot destroy the condition
    // variable before notify_all() has returned.
    std::lock_guard lock(m_mutex);
    m_state = state;
    m_stateChanged.notify_all();
}

}  // namespace pq::widgets
