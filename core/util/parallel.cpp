// SPDX-License-Identifier: MIT
#include "core/util/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace pq::core {
namespace {

thread_local bool t_insideParallel = false;

/** One parallelFor call: chunks handed out by an atomic counter. Lives on the caller's stack. */
struct Job
{
    const std::function<void(std::uint64_t)> *chunk = nullptr;
    std::uint64_t chunks = 0;
    std::atomic<std::uint64_t> next{0};
    std::uint64_t done = 0;    ///< guarded by Pool::m_mutex
    unsigned active = 0;       ///< workers holding a pointer to this job; guarded by m_mutex
    std::exception_ptr error;  ///< the first exception a chunk threw; guarded by m_mutex
    std::atomic<bool> failed{false};
};

/** A fixed pool of workers; one job at a time (later callers wait their turn). */
class Pool
{
public:
    Pool()
    {
        const unsigned n = std::max(1U, std::thread::hardware_concurrency());
        for (unsigned i = 1; i < n; ++i) {
            m_workers.emplace_back([this] { workerLoop(); });
        }
    }

    ~Pool()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        for (std::thread &t : m_workers) {
            t.join();
        }
    }

    Pool(const Pool &) = delete;
    Pool &operator=(const Pool &) = delete;

    unsigned size() const { return static_cast<unsigned>(m_workers.size()) + 1; }

    void run(std::uint64_t chunks, const std::function<void(std::uint64_t)> &chunk)
    {
        const std::lock_guard serial(m_jobMutex);
        Job job;
        job.chunk = &chunk;
        job.chunks = chunks;
        {
            const std::lock_guard lock(m_mutex);
            m_job = &job;
            ++m_generation;
        }
        m_wake.notify_all();
        finish(job, work(job));
        std::unique_lock lock(m_mutex);
        // The job lives on this stack frame: wait until no worker still refers to it, even when a
        // chunk threw (the remaining chunks are skipped, not abandoned half-way).
        m_finished.wait(lock, [&] { return job.done == job.chunks && job.active == 0; });
        m_job = nullptr;
        if (job.error) {
            std::rethrow_exception(job.error);
        }
    }

private:
    /**
     * Runs chunks until none is left and returns how many it took. After a chunk throws, the
     * rest are taken but skipped, so every chunk is still counted and run() can finish.
     */
    std::uint64_t work(Job &job)
    {
        const bool outer = t_insideParallel;
        t_insideParallel = true;
        std::uint64_t taken = 0;
        for (std::uint64_t i = job.next.fetch_add(1); i < job.chunks; i = job.next.fetch_add(1)) {
            ++taken;
            if (job.failed.load(std::memory_order_relaxed)) {
                continue;
            }
            try {
                (*job.chunk)(i);
            } catch (...) {
                const std::lock_guard lock(m_mutex);
                if (!job.error) {
                    job.error = std::current_exception();
                }
                job.failed.store(true, std::memory_order_relaxed);
            }
        }
        t_insideParallel = outer;
        return taken;
    }

    void finish(Job &job, std::uint64_t finished)
    {
        const std::lock_guard lock(m_mutex);
        job.done += finished;
        m_finished.notify_all();
    }

    void workerLoop()
    {
        std::uint64_t seen = 0;  // generation of the last job this worker joined
        for (;;) {
            Job *job = nullptr;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock,
                            [&] { return m_stop || (m_job != nullptr && m_generation != seen); });
                if (m_stop) {
                    return;
                }
                job = m_job;
                seen = m_generation;
                ++job->active;
            }
            const std::uint64_t finished = work(*job);
            const std::lock_guard lock(m_mutex);
            job->done += finished;
            --job->active;
            m_finished.notify_all();
        }
    }

    std::vector<std::thread> m_workers;
    std::mutex m_jobMutex;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_finished;
    Job *m_job = nullptr;
    std::uint64_t m_generation = 0;
    bool m_stop = false;
};

Pool &pool()
{
    static Pool p;
    return p;
}

}  // namespace

unsigned parallelism()
{
    return pool().size();
}

void parallelFor(std::uint64_t n,
                 std::uint64_t grain,
                 const std::function<void(std::uint64_t, std::uint64_t)> &body)
{
    if (n == 0) {
        return;
    }
    grain = std::max<std::uint64_t>(1, grain);
    const std::uint64_t chunks = (n + grain - 1) / grain;
    if (chunks == 1 || t_insideParallel || parallelism() == 1) {
        body(0, n);
        return;
    }
    pool().run(chunks, [&](std::uint64_t c) { body(c * grain, std::min(n, (c + 1) * grain)); });
}

}  // namespace pq::core
