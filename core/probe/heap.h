// SPDX-License-Identifier: MIT
// The process's allocator as the probe sees it. The streamed walk frees tens of MB per window and
// hundreds per layer; how the allocator keeps or returns that memory decides whether the probe
// stays inside its RSS budget and how much time it loses to page faults (docs/benchmarks.md,
// "Probe"). Builds with PQ_WITH_JEMALLOC (the default) run on jemalloc; others on glibc malloc.
#pragma once

#include <cstdint>
#include <string>

namespace pq::probe {

/** What the allocator reports about itself. Bytes. */
struct HeapStats
{
    std::uint64_t allocated = 0;  ///< handed out and not yet freed
    std::uint64_t held = 0;       ///< resident pages the allocator holds, free ones included
};

/** "jemalloc 5.3.0-…" or "glibc malloc": what serves malloc in this process. */
std::string heapAllocatorName();

/** Current figures; refreshes jemalloc's statistics first (takes its locks briefly). */
HeapStats heapStats();

/** Whether freed memory now stays with the allocator until releaseFreedMemory: true on jemalloc
 *  while a HeapScope is alive (its decay purging is off), false otherwise. */
bool heapRetainsFreedMemory();

/** Returns every freed page the allocator still holds to the system (jemalloc: purge all arenas;
 *  glibc: malloc_trim). Costs a few ms and the page faults of re-touching that memory later. */
void releaseFreedMemory();

/**
 * For the probe's lifetime: freed memory stays with the allocator until releaseFreedMemory, which
 * the walk calls between layers. jemalloc otherwise returns dirty pages on a 10 s decay while the
 * walk re-faults them per window (8 % of the probe's CPU time); glibc otherwise raises its mmap
 * threshold so multi-MB blocks land in a heap whose holes it keeps. The destructor restores
 * jemalloc's decay and releases what is left; glibc's fixed threshold stays (process-wide, like the
 * thread count the probe sets).
 */
class HeapScope
{
public:
    HeapScope();
    ~HeapScope();
    HeapScope(const HeapScope &) = delete;
    HeapScope &operator=(const HeapScope &) = delete;
    HeapScope(HeapScope &&) = delete;
    HeapScope &operator=(HeapScope &&) = delete;
};

}  // namespace pq::probe
