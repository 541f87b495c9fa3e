// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

namespace pq::core {

/**
 * What a long job needs from whoever runs it: a place to report progress and a cancel flag.
 *
 * Jobs call reportProgress() at a granularity of about one tensor or row block and check
 * isCancelled() at the same points, returning ErrorCode::Cancelled when it is set.
 * Thread-safety: requestCancel() and isCancelled() may be called from any thread; the progress
 * callback is invoked on the job's thread (the GUI's JobRunner marshals it to the UI thread).
 */
class JobContext
{
public:
    using ProgressFn =
            std::function<void(std::string_view stage, std::uint64_t done, std::uint64_t total)>;

    JobContext() = default;

    /** Receives one-line messages a user should see (what the job decided, and why). */
    using LogFn = std::function<void(std::string_view message)>;

    explicit JobContext(ProgressFn progress, LogFn log = {})
        : m_progress(std::move(progress))
        , m_log(std::move(log))
    {}

    void reportProgress(std::string_view stage, std::uint64_t done, std::uint64_t total) const
    {
        if (m_progress) {
            m_progress(stage, done, total);
        }
    }

    void log(std::string_view message) const
    {
        if (m_log) {
            m_log(message);
        }
    }

    bool isCancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

    void requestCancel() { m_cancelled.store(true, std::memory_order_relaxed); }

private:
    ProgressFn m_progress;
    LogFn m_log;
    std::atomic<bool> m_cancelled{false};
};

}  // namespace pq::core
