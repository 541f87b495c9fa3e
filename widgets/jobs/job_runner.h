// SPDX-License-Identifier: MIT
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <typeinfo>

#include <QElapsedTimer>
#include <QObject>
#include <QRunnable>
#include <QString>

#include "core/util/job_context.h"
#include "core/util/result.h"

class QThreadPool;

namespace pq::widgets {

/**
 * Runs one engine job on a worker thread of a QThreadPool and reports back on the GUI thread
 * (the qBittorrent TorrentCreator pattern, house style 7.2).
 *
 * The job is a plain function of a core::JobContext. It checks ctx.isCancelled() at tensor
 * granularity and returns ErrorCode::Cancelled when set; requestCancel() only sets that flag,
 * threads are never terminated.
 *
 * Signals are always emitted on the thread this object lives in (the GUI thread), never on the
 * worker, so receivers may touch widgets. Progress is throttled on the worker: progressChanged
 * is sent when the stage changes, when the whole percentage advances, when a stage completes,
 * and otherwise at most every PROGRESS_INTERVAL_MS.
 *
 * Lifetime: single-shot. The destructor requests cancellation and blocks until the job has
 * returned, so an owner may simply delete the runner. To abandon a running job without blocking
 * the GUI, disconnect it, call requestCancel() and delete it on finished() (deleteLater).
 * The pool passed to start() must outlive the runner.
 */
class JobRunner
    : public QObject
    , public QRunnable
{
    Q_OBJECT

public:
    using Job = std::function<core::Status(core::JobContext &)>;

    static constexpr qint64 PROGRESS_INTERVAL_MS = 100;

    explicit JobRunner(Job job, QObject *parent = nullptr);
    ~JobRunner() override;

    JobRunner(const JobRunner &) = delete;
    JobRunner &operator=(const JobRunner &) = delete;

    /** A runner for a job that produces a value; after succeeded(), result<T>() returns it. */
    template <typename T>
    static JobRunner *withResult(std::function<core::Result<T>(core::JobContext &)> job,
                                 QObject *parent = nullptr);

    /** Queues the job on `pool`. Call once; later calls are ignored. */
    void start(QThreadPool &pool);
    /** Asks the job to stop at its next check. Thread-safe; returns at once. */
    void requestCancel();
    bool isCancelRequested() const;

    /** The value of a withResult<T>() job after succeeded(); null otherwise or for another T. */
    template <typename T>
    std::shared_ptr<const T> result() const;

    /** The error of a failed job, valid after failed(). */
    const core::Error &error() const { return m_error; }

Q_SIGNALS:
    void started();
    void progressChanged(const QString &stage, quint64 done, quint64 total);
    /** A line the engine logged (JobContext::log): what happened, for a live log. */
    void logged(const QString &message);
    void succeeded();
    /** `message` is the engine's one-line English message; `code` a core::ErrorCode. */
    void failed(const QString &message, int code);
    /** Sent last, after succeeded() or failed(); a good moment for deleteLater(). */
    void finished();

private:
    enum class State : std::uint8_t
    {
        Idle,
        Queued,
        Running,
        Done,
    };

    void run() override;
    core::Status runJob();
    void emitOutcome(core::Status status);
    void onProgress(std::string_view stage, std::uint64_t done, std::uint64_t total);
    void setState(State state);

    Job m_job;
    core::Error m_error;
    std::shared_ptr<const void> m_result;
    const std::type_info *m_resultType = nullptr;

    QThreadPool *m_pool = nullptr;
    mutable std::mutex m_mutex;
    std::condition_variable m_stateChanged;
    State m_state = State::Idle;

    // Throttling state; touched only by the worker thread.
    QElapsedTimer m_clock;
    std::string m_lastStage;
    int m_lastPercent = -1;
    qint64 m_lastEmitMs = 0;

    core::JobContext m_context;
};

template <typename T>
JobRunner *JobRunner::withResult(std::function<core::Result<T>(core::JobContext &)> job,
                                 QObject *parent)
{
    auto *runner = new JobRunner({}, parent);
    runner->m_job = [runner, job = std::move(job)](core::JobContext &ctx) -> core::Status {
        core::Result<T> value = job(ctx);
        if (!value) {
            return core::unexpected(std::move(value).error());
        }
        runner->m_result = std::make_shared<const T>(std::move(value).value());
        runner->m_resultType = &typeid(T);
        return {};
    };
    return runner;
}

template <typename T>
std::shared_ptr<const T> JobRunner::result() const
{
    if (m_resultType == nullptr || *m_resultType != typeid(T)) {
        return nullptr;
    }
    return std::static_pointer_cast<const T>(m_result);
}

}  // namespace pq::widgets
