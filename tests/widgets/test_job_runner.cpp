// SPDX-License-Identifier: MIT
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QThreadPool>

#include "widgets/jobs/job_runner.h"

using pq::widgets::JobRunner;
namespace core = pq::core;
using namespace std::chrono_literals;

namespace {

/** A job that spins until cancelled (or a generous deadline) and returns Cancelled. */
core::Status waitForCancel(core::JobContext &ctx)
{
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!ctx.isCancelled()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return core::makeError(core::ErrorCode::Io, "never cancelled");
        }
        std::this_thread::sleep_for(1ms);
    }
    return core::makeError(core::ErrorCode::Cancelled, "cancelled by the user");
}

}  // namespace

class TestJobRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signalsArriveInOrderOnGuiThread();
    void progressIsThrottledBySteps();
    void progressIsThrottledByTime();
    void cancelEndsLongJobWithCancelled();
    void resultCrossesThreads();
    void failureCarriesMessageAndCode();
    void exceptionBecomesFailure();
    void destructorWaitsForRunningJob();
    void destructorDropsQueuedJob();
};

void TestJobRunner::signalsArriveInOrderOnGuiThread()
{
    QThreadPool pool;
    std::atomic<bool> ranOffGui{false};
    QThread *gui = QThread::currentThread();
    JobRunner runner([&](core::JobContext &) -> core::Status {
        ranOffGui = QThread::currentThread() != gui;
        return {};
    });
    QStringList order;
    bool allOnGui = true;
    const auto record = [&](const char *name) {
        return [&, name] {
            order.append(QLatin1String(name));
            allOnGui = allOnGui && QThread::currentThread() == gui;
        };
    };
    connect(&runner, &JobRunner::started, this, record("started"));
    connect(&runner, &JobRunner::succeeded, this, record("succeeded"));
    connect(&runner, &JobRunner::finished, this, record("finished"));
    QSignalSpy finished(&runner, &JobRunner::finished);
    runner.start(pool);
    QVERIFY(finished.wait(10000));
    QVERIFY(ranOffGui);
    QVERIFY(allOnGui);
    QCOMPARE(order, QStringList({QStringLiteral("started"), QStringLiteral("succeeded"),
                                 QStringLiteral("finished")}));
}

void TestJobRunner::progressIsThrottledBySteps()
{
    constexpr std::uint64_t TOTAL = 200'000;
    QThreadPool pool;
    JobRunner runner([](core::JobContext &ctx) -> core::Status {
        for (std::uint64_t i = 1; i <= TOTAL; ++i) {
            ctx.reportProgress("scan", i, TOTAL);
        }
        return {};
    });
    int calls = 0;
    bool onGui = true;
    bool monotonic = true;
    quint64 lastDone = 0;
    connect(&runner, &JobRunner::progressChanged, this,
            [&](const QString &stage, quint64 done, quint64 total) {
                ++calls;
                onGui = onGui && QThread::currentThread() == qApp->thread();
                monotonic = monotonic && done >= lastDone && total == TOTAL &&
                            stage == QLatin1String("scan");
                lastDone = done;
            });
    QSignalSpy finished(&runner, &JobRunner::finished);
    QElapsedTimer clock;
    clock.start();
    runner.start(pool);
    QVERIFY(finished.wait(20000));
    QVERIFY(onGui);
    QVERIFY(monotonic);
    QCOMPARE(lastDone, TOTAL);  // the 100 % step always gets through
    // One signal per whole percent (0..100) plus at most one per elapsed interval.
    const qint64 bound = 101 + 1 + clock.elapsed() / JobRunner::PROGRESS_INTERVAL_MS;
    QVERIFY2(calls >= 2 && calls <= bound,
             qPrintable(QStringLiteral("%1 signals, bound %2").arg(calls).arg(bound)));
}

void TestJobRunner::progressIsThrottledByTime()
{
    // Unknown totals: only the time limit applies. ~600 reports over ~600 ms.
    QThreadPool pool;
    JobRunner runner([](core::JobContext &ctx) -> core::Status {
        const auto end = std::chrono::steady_clock::now() + 600ms;
        std::uint64_t done = 0;
        while (std::chrono::steady_clock::now() < end) {
            ctx.reportProgress("read", ++done, 0);
            std::this_thread::sleep_for(1ms);
        }
        return {};
    });
    QSignalSpy progress(&runner, &JobRunner::progressChanged);
    QSignalSpy finished(&runner, &JobRunner::finished);
    QElapsedTimer clock;
    clock.start();
    runner.start(pool);
    QVERIFY(finished.wait(20000));
    const qint64 bound = 1 + 1 + clock.elapsed() / JobRunner::PROGRESS_INTERVAL_MS;
    QVERIFY2(progress.count() >= 2 && progress.count() <= bound,
             qPrintable(QStringLiteral("%1 signals, bound %2").arg(progress.count()).arg(bound)));
}

void TestJobRunner::cancelEndsLongJobWithCancelled()
{
    QThreadPool pool;
    JobRunner runner(waitForCancel);
    QSignalSpy started(&runner, &JobRunner::started);
    QSignalSpy succeeded(&runner, &JobRunner::succeeded);
    QSignalSpy failed(&runner, &JobRunner::failed);
    runner.start(pool);
    QVERIFY(started.wait(10000));
    QVERIFY(!runner.isCancelRequested());
    runner.requestCancel();
    QVERIFY(runner.isCancelRequested());
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
    QCOMPARE(succeeded.count(), 0);
    QCOMPARE(failed.at(0).at(1).toInt(), static_cast<int>(core::ErrorCode::Cancelled));
    QVERIFY(failed.at(0).at(0).toString().contains(QLatin1String("cancelled by the user")));
    QCOMPARE(runner.error().code, core::ErrorCode::Cancelled);
}

void TestJobRunner::resultCrossesThreads()
{
    QThreadPool pool;
    std::unique_ptr<JobRunner> runner(JobRunner::withResult<std::vector<int>>(
            [](core::JobContext &) -> core::Result<std::vector<int>> {
                return std::vector<int>{1, 2, 3};
            }));
    QSignalSpy succeeded(runner.get(), &JobRunner::succeeded);
    runner->start(pool);
    QVERIFY(succeeded.wait(10000));
    const auto value = runner->result<std::vector<int>>();
    QVERIFY(value);
    QCOMPARE(*value, std::vector<int>({1, 2, 3}));
    QVERIFY(!runner->result<int>());  // asking for another type gives nothing
}

void TestJobRunner::failureCarriesMessageAndCode()
{
    QThreadPool pool;
    std::unique_ptr<JobRunner> runner(
            JobRunner::withResult<int>([](core::JobContext &) -> core::Result<int> {
                return core::makeError(core::ErrorCode::NotFound, "no such tensor")
                        .withPath("/models/x/config.json");
            }));
    QSignalSpy failed(runner.get(), &JobRunner::failed);
    runner->start(pool);
    QVERIFY(failed.wait(10000));
    QCOMPARE(failed.at(0).at(1).toInt(), static_cast<int>(core::ErrorCode::NotFound));
    const QString message = failed.at(0).at(0).toString();
    QVERIFY2(message.contains(QLatin1String("/models/x/config.json")) &&
                     message.contains(QLatin1String("no such tensor")),
             qPrintable(message));
    QVERIFY(!runner->result<int>());
}

void TestJobRunner::exceptionBecomesFailure()
{
    QThreadPool pool;
    JobRunner runner([](core::JobContext &) -> core::Status { throw std::runtime_error("boom"); });
    QSignalSpy failed(&runner, &JobRunner::failed);
    runner.start(pool);
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.at(0).at(0).toString().contains(QLatin1String("boom")));
}

void TestJobRunner::destructorWaitsForRunningJob()
{
    QThreadPool pool;
    std::atomic<bool> returned{false};
    auto *runner = new JobRunner([&](core::JobContext &ctx) -> core::Status {
        const core::Status status = waitForCancel(ctx);
        std::this_thread::sleep_for(50ms);  // still working after the cancel request
        returned = true;
        return status;
    });
    QSignalSpy started(runner, &JobRunner::started);
    runner->start(pool);
    QVERIFY(started.wait(10000));
    delete runner;  // cancels, then blocks until the job has returned
    QVERIFY(returned);
}

void TestJobRunner::destructorDropsQueuedJob()
{
    QThreadPool pool;
    pool.setMaxThreadCount(1);
    JobRunner blocker(waitForCancel);
    std::atomic<bool> queuedRan{false};
    auto *queued = new JobRunner([&](core::JobContext &) -> core::Status {
        queuedRan = true;
        return {};
    });
    QSignalSpy started(&blocker, &JobRunner::started);
    blocker.start(pool);
    QVERIFY(started.wait(10000));
    queued->start(pool);
    delete queued;  // never started: taken out of the queue, no wait
    blocker.requestCancel();
    QVERIFY(pool.waitForDone(10000));
    QVERIFY(!queuedRan);
}

QTEST_MAIN(TestJobRunner)
#include "test_job_runner.moc"
