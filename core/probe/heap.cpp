// SPDX-License-Identifier: MIT
#include "core/probe/heap.h"

#include <map>
#include <mutex>
#include <string_view>

#include <fmt/format.h>

#if PQ_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#elif defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pq::probe {
namespace {

/** Scopes alive now; the first one in changes the allocator, the last one out restores it. */
std::mutex g_scopeMutex;
int g_scopes = 0;
std::int64_t g_savedDecayMs = 0;  ///< jemalloc's default dirty decay before the first scope
constexpr std::int64_t NOT_READ = -2;
/** Each initialised arena's own dirty decay before the first scope (jemalloc gives its arena for
 *  huge allocations 0, not the default), restored one by one; arenas created inside a scope are
 *  set to the saved default at its end. */
std::map<unsigned, std::int64_t> g_savedArenaDecayMs;

#if PQ_WITH_JEMALLOC

template <typename T>
bool readCtl(const char *name, T &value)
{
    std::size_t size = sizeof(T);
    return mallctl(name, &value, &size, nullptr, 0) == 0;
}

template <typename T>
bool writeCtl(const char *name, T value)
{
    return mallctl(name, nullptr, nullptr, &value, sizeof(T)) == 0;
}

std::string arenaDecayName(unsigned arena)
{
    return fmt::format("arena.{}.dirty_decay_ms", arena);
}

/** Turns decay purging off in every initialised arena and for arenas created later, saving the
 *  values it replaces. Reads fail (EFAULT) for arena slots not initialised yet: skipped. */
void disableDecay()
{
    writeCtl("arenas.dirty_decay_ms", ssize_t{-1});
    unsigned arenas = 0;
    if (!readCtl("arenas.narenas", arenas)) {
        return;
    }
    g_savedArenaDecayMs.clear();
    for (unsigned i = 0; i < arenas; ++i) {
        ssize_t ms = 0;
        if (readCtl(arenaDecayName(i).c_str(), ms)) {
            g_savedArenaDecayMs[i] = ms;
            writeCtl(arenaDecayName(i).c_str(), ssize_t{-1});
        }
    }
}

/** Puts back what disableDecay replaced; arenas made since take the saved default. */
void restoreDecay()
{
    const auto fallback = static_cast<ssize_t>(g_savedDecayMs);
    writeCtl("arenas.dirty_decay_ms", fallback);
    unsigned arenas = 0;
    if (!readCtl("arenas.narenas", arenas)) {
        return;
    }
    for (unsigned i = 0; i < arenas; ++i) {
        const auto saved = g_savedArenaDecayMs.find(i);
        writeCtl(arenaDecayName(i).c_str(), saved != g_savedArenaDecayMs.end()
                                                    ? static_cast<ssize_t>(saved->second)
                                                    : fallback);
    }
}

#endif

}  // namespace

std::string heapAllocatorName()
{
#if PQ_WITH_JEMALLOC
    const char *version = nullptr;
    if (!readCtl("version", version) || version == nullptr) {
        return "jemalloc";
    }
    const std::string_view v(version);  // "5.3.0-0-g54eaed1…": release, commits since, commit
    return fmt::format("jemalloc {}", v.substr(0, v.find('-')));
#else
    return "glibc malloc";
#endif
}

HeapStats heapStats()
{
    HeapStats s;
#if PQ_WITH_JEMALLOC
    std::uint64_t epoch = 1;
    writeCtl("epoch", epoch);
    std::size_t allocated = 0;
    std::size_t resident = 0;
    readCtl("stats.allocated", allocated);
    readCtl("stats.resident", resident);
    s.allocated = allocated;
    s.held = resident;
#elif defined(__GLIBC__)
    const struct mallinfo2 mi = mallinfo2();
    s.allocated = mi.uordblks + mi.hblkhd;
    s.held = mi.arena + mi.hblkhd;
#endif
    return s;
}

bool heapRetainsFreedMemory()
{
#if PQ_WITH_JEMALLOC
    ssize_t ms = 0;
    unsigned arena = 0;  // the arena serving this thread, not just the default for new ones
    return readCtl("thread.arena", arena) && readCtl(arenaDecayName(arena).c_str(), ms) && ms < 0;
#else
    return false;
#endif
}

void releaseFreedMemory()
{
#if PQ_WITH_JEMALLOC
    mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);
    mallctl(fmt::format("arena.{}.purge", MALLCTL_ARENAS_ALL).c_str(), nullptr, nullptr, nullptr,
            0);
#elif defined(__GLIBC__)
    malloc_trim(0);
#endif
}

HeapScope::HeapScope()
{
    const std::lock_guard<std::mutex> lock(g_scopeMutex);
    if (g_scopes++ > 0) {
        return;
    }
#if PQ_WITH_JEMALLOC
    ssize_t ms = 0;
    g_savedDecayMs = readCtl("arenas.dirty_decay_ms", ms) ? ms : NOT_READ;
    if (g_savedDecayMs != NOT_READ) {
        disableDecay();  // -1: never purge on its own
    }
#elif defined(__GLIBC__)
    // glibc raises its mmap threshold each time a block above it is freed (up to 32 MiB), after
    // which the walk's weights, boundaries and accumulators come from the heap, whose holes it
    // keeps. A fixed 8 MiB keeps them in their own mappings and the per-window temporaries in it.
    static const bool fixed = [] { return mallopt(M_MMAP_THRESHOLD, 8 << 20) == 1; }();
    (void)fixed;
#endif
}

HeapScope::~HeapScope()
{
    const std::lock_guard<std::mutex> lock(g_scopeMutex);
    if (--g_scopes > 0) {
        return;
    }
#if PQ_WITH_JEMALLOC
    if (g_savedDecayMs != NOT_READ) {
        restoreDecay();
    }
#endif
    releaseFreedMemory();
}

}  // namespace pq::probe
