// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>

namespace pq::core {

/**
 * Runs body(begin, end) over [0, n) split into chunks of about `grain` items, on a process-wide
 * pool of worker threads (one per hardware thread; the calling thread works too). Blocks until
 * every chunk is done. Chunks are disjoint, so bodies that write per-index results need no locks.
 * Nested calls run inline on the calling thread. If a chunk throws, the chunks not yet started
 * are skipped and the first exception is rethrown on the calling thread once every worker has
 * let go of the job. Thread-safe.
 */
void parallelFor(std::uint64_t n,
                 std::uint64_t grain,
                 const std::function<void(std::uint64_t begin, std::uint64_t end)> &body);

/** Number of threads parallelFor uses (at least 1). */
unsigned parallelism();

}  // namespace pq::core
