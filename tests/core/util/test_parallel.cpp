// SPDX-License-Identifier: MIT
// core::parallelFor: every index exactly once, nested calls inline, and an exception in a chunk
// rethrown on the caller after the workers let go of the job (the pool stays usable).
#include <atomic>
#include <stdexcept>
#include <vector>

#include <QtTest>

#include "core/util/parallel.h"

using namespace pq::core;

class TestParallel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyIndexOnce();
    void nestedCallsRunInline();
    void exceptionIsRethrownAndPoolSurvives();
};

void TestParallel::everyIndexOnce()
{
    for (const std::uint64_t grain : {1ULL, 7ULL, 1000ULL}) {
        std::vector<std::atomic<int>> hits(10'001);
        parallelFor(hits.size(), grain, [&](std::uint64_t b, std::uint64_t e) {
            for (std::uint64_t i = b; i < e; ++i) {
                hits[i].fetch_add(1);
            }
        });
        for (const auto &h : hits) {
            QCOMPARE(h.load(), 1);
        }
    }
    QVERIFY(parallelism() >= 1);
}

void TestParallel::nestedCallsRunInline()
{
    std::atomic<std::uint64_t> total{0};
    parallelFor(8, 1, [&](std::uint64_t, std::uint64_t) {
        parallelFor(100, 10, [&](std::uint64_t b, std::uint64_t e) { total += e - b; });
    });
    QCOMPARE(total.load(), std::uint64_t{800});
}

void TestParallel::exceptionIsRethrownAndPoolSurvives()
{
    for (int round = 0; round < 20; ++round) {
        bool caught = false;
        try {
            parallelFor(64, 1, [&](std::uint64_t b, std::uint64_t) {
                if (b == 5) {
                    throw std::runtime_error("chunk 5 failed");
                }
            });
        } catch (const std::runtime_error &e) {
            caught = std::string(e.what()) == "chunk 5 failed";
        }
        QVERIFY(caught);
    }
    std::atomic<std::uint64_t> n{0};
    parallelFor(1000, 10, [&](std::uint64_t b, std::uint64_t e) { n += e - b; });
    QCOMPARE(n.load(), std::uint64_t{1000});
}

QTEST_APPLESS_MAIN(TestParallel)
#include "test_parallel.moc"
