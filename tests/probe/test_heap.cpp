// SPDX-License-Identifier: MIT
// The probe's allocator policy (core/probe/heap.h): programs that run the probe are served by
// jemalloc (unless configured without it), a HeapScope keeps freed memory for reuse instead of
// letting jemalloc's decay return and re-fault it per window, releaseFreedMemory hands it back,
// and the scope's end restores the allocator's own policy.
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include <QtTest>

#include "core/probe/heap.h"

namespace {

constexpr std::size_t BLOCK = 1 << 20;  // under glibc's fixed 8 MiB mmap threshold too
constexpr int BLOCKS = 64;
constexpr double MB = 1e6;

/** Allocates and touches 64 MiB in 1 MiB blocks, then frees them. */
void churn()
{
    std::vector<void *> blocks;
    for (int i = 0; i < BLOCKS; ++i) {
        void *p = std::malloc(BLOCK);
        QVERIFY(p != nullptr);
        std::memset(p, i + 1, BLOCK);
        blocks.push_back(p);
    }
    for (void *p : blocks) {
        std::free(p);
    }
}

}  // namespace

class TestHeap : public QObject
{
    Q_OBJECT

private Q_SLOTS:

    void allocatorIsTheConfiguredOne()
    {
        const std::string name = pq::probe::heapAllocatorName();
#if PQ_WITH_JEMALLOC
        // linked through core_probe, jemalloc must be what serves malloc here, ahead of libc
        QVERIFY2(name.starts_with("jemalloc 5."), name.c_str());
        // malloc itself goes through jemalloc: its count of allocated bytes sees a new block
        const std::uint64_t before = pq::probe::heapStats().allocated;
        void *block = std::malloc(4 * BLOCK);
        QVERIFY(block != nullptr);
        std::memset(block, 1, 4 * BLOCK);
        const std::uint64_t during = pq::probe::heapStats().allocated;
        std::free(block);
        QVERIFY2(during >= before + 3 * BLOCK,  // other frees may interleave
                 fmt::format("allocated {} -> {} bytes", before, during).c_str());
#else
        QCOMPARE(name, std::string("glibc malloc"));
#endif
    }

    void scopeRetainsUntilReleasedAndRestoresOnExit()
    {
        pq::probe::releaseFreedMemory();
        QVERIFY(!pq::probe::heapRetainsFreedMemory());
        {
            const pq::probe::HeapScope outer;
            const double heldBefore = static_cast<double>(pq::probe::heapStats().held);
            churn();
#if PQ_WITH_JEMALLOC
            QVERIFY(pq::probe::heapRetainsFreedMemory());
            const double heldAfterFree = static_cast<double>(pq::probe::heapStats().held);
            // all 64 MiB freed, and still held: the next window reuses them without page faults
            QVERIFY2(heldAfterFree - heldBefore > 0.9 * BLOCKS * BLOCK,
                     fmt::format("held {:.1f} MB -> {:.1f} MB", heldBefore / MB, heldAfterFree / MB)
                             .c_str());
            {
                const pq::probe::HeapScope inner;  // a nested scope must not end the policy
            }
            QVERIFY(pq::probe::heapRetainsFreedMemory());
#endif
            pq::probe::releaseFreedMemory();
            const double heldReleased = static_cast<double>(pq::probe::heapStats().held);
            QVERIFY2(heldReleased - heldBefore < 0.25 * BLOCKS * BLOCK,
                     fmt::format("held {:.1f} MB -> {:.1f} MB after release", heldBefore / MB,
                                 heldReleased / MB)
                             .c_str());
        }
        QVERIFY(!pq::probe::heapRetainsFreedMemory());
    }
};

QTEST_APPLESS_MAIN(TestHeap)
#include "test_heap.moc"
