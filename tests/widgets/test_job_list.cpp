// SPDX-License-Identifier: MIT
// widgets/jobs/job_list.h and job_list_view.h: tracked jobs appear newest first with their
// stage and progress, keep their final state (done, failed with the error in plain words,
// cancelled) after the runner is gone, can be cancelled from the list's button, and finished
// ones can be cleared; the active job is the newest running one.
#include <atomic>
#include <chrono>
#include <thread>

#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QThreadPool>

#include "widgets/jobs/job_list.h"
#include "widgets/jobs/job_list_view.h"
#include "widgets/jobs/job_runner.h"

using pq::widgets::JobList;
using pq::widgets::JobListView;
using pq::widgets::JobRunner;
namespace core = pq::core;
using namespace std::chrono_literals;

namespace {

constexpr int TIMEOUT_MS = 20000;

/** Reports "layers" 3 of 8, then waits until cancelled and returns Cancelled. */
core::Status progressThenWait(core::JobContext &ctx)
{
    ctx.reportProgress("layers", 3, 8);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!ctx.isCancelled()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return core::makeError(core::ErrorCode::Io, "never cancelled");
        }
        std::this_thread::sleep_for(1ms);
    }
    return core::makeError(core::ErrorCode::Cancelled, "cancelled by the user");
}

/** Starts `job` on `pool`, deleted when it ends (as the views do), tracked by `list`. */
JobRunner *startTracked(JobList &list, QThreadPool &pool, JobRunner::Job job, const QString &title)
{
    auto *runner = new JobRunner(std::move(job));
    QObject::connect(runner, &JobRunner::finished, runner, &QObject::deleteLater);
    list.track(runner, title);
    runner->start(pool);
    return runner;
}

}  // namespace

class TestJobList : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jobsKeepTheirFinalState();
    void viewCancelsTheSelectedJobAndClears();
    void runnerDeletedMidJobEndsItsRow();
};

void TestJobList::jobsKeepTheirFinalState()
{
    QThreadPool pool;
    JobList list;
    QSignalSpy active(&list, &JobList::activeChanged);
    startTracked(
            list, pool, [](core::JobContext &) { return core::Status{}; },
            QStringLiteral("Export"));
    QTRY_COMPARE_WITH_TIMEOUT(list.state(0), JobList::State::Succeeded, TIMEOUT_MS);
    QCOMPARE(list.activeRow(), -1);
    QCOMPARE(list.data(list.index(0, JobList::StateColumn)).toString(), QStringLiteral("done"));
    QCOMPARE(list.data(list.index(0, JobList::ProgressColumn), JobList::FRACTION_ROLE).toDouble(),
             1.0);

    startTracked(
            list, pool,
            [](core::JobContext &) -> core::Status {
                return core::makeError(core::ErrorCode::NoSpace, "disk full").withPath("/out");
            },
            QStringLiteral("Export again"));
    QCOMPARE(list.rowCount(), 2);
    QCOMPARE(list.data(list.index(0, JobList::JobColumn)).toString(),
             QStringLiteral("Export again"));  // newest first
    QTRY_COMPARE_WITH_TIMEOUT(list.state(0), JobList::State::Failed, TIMEOUT_MS);
    const QString tip = list.data(list.index(0, JobList::StateColumn), Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QLatin1String("disk full")) && tip.contains(QLatin1String("/out")),
             qPrintable(tip));

    JobRunner *waiting = startTracked(list, pool, progressThenWait, QStringLiteral("Probe"));
    QTRY_COMPARE_WITH_TIMEOUT(list.data(list.index(0, JobList::StateColumn))
                                      .toString()
                                      .startsWith(QLatin1String("layers: 3 of 8")),
                              true, TIMEOUT_MS);
    QCOMPARE(list.activeRow(), 0);
    QVERIFY2(list.summary(0).contains(QLatin1String("Probe")), qPrintable(list.summary(0)));
    QCOMPARE(list.data(list.index(0, JobList::ProgressColumn), JobList::FRACTION_ROLE).toDouble(),
             3.0 / 8.0);
    QVERIFY(active.count() >= 4);
    QPointer<JobRunner> gone(waiting);
    list.cancel(0);
    QTRY_COMPARE_WITH_TIMEOUT(list.state(0), JobList::State::Cancelled, TIMEOUT_MS);
    QTRY_VERIFY_WITH_TIMEOUT(gone == nullptr, TIMEOUT_MS);  // the runner is deleted…
    QCOMPARE(list.state(0), JobList::State::Cancelled);     // …its row stays
    QCOMPARE(list.activeRow(), -1);
    list.clearFinished();
    QCOMPARE(list.rowCount(), 0);
}

void TestJobList::viewCancelsTheSelectedJobAndClears()
{
    QThreadPool pool;
    JobList list;
    JobListView view(&list);
    QVERIFY(!view.cancelButton()->isEnabled());
    QVERIFY(!view.clearButton()->isEnabled());
    startTracked(list, pool, progressThenWait, QStringLiteral("Evaluate"));
    QTRY_VERIFY_WITH_TIMEOUT(view.cancelButton()->isEnabled(), TIMEOUT_MS);
    view.table()->selectRow(0);
    QTest::mouseClick(view.cancelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(list.state(0), JobList::State::Cancelled, TIMEOUT_MS);
    QVERIFY(!view.cancelButton()->isEnabled());
    QVERIFY(view.clearButton()->isEnabled());
    QTest::mouseClick(view.clearButton(), Qt::LeftButton);
    QCOMPARE(list.rowCount(), 0);
}

void TestJobList::runnerDeletedMidJobEndsItsRow()
{
    // as when the export wizard is closed while it exports: its runner goes with it, and the
    // outcome it queued is never delivered
    QThreadPool pool;
    JobList list;
    auto *runner = new JobRunner(progressThenWait);  // not deleted on finished()
    list.track(runner, QStringLiteral("Export"));
    runner->start(pool);
    QTRY_VERIFY_WITH_TIMEOUT(list.data(list.index(0, JobList::StateColumn))
                                     .toString()
                                     .startsWith(QLatin1String("layers")),
                             TIMEOUT_MS);
    delete runner;  // cancels, waits, and drops the queued failed()/finished()
    QCOMPARE(list.state(0), JobList::State::Cancelled);
    QCOMPARE(list.activeRow(), -1);
    QCOMPARE(list.data(list.index(0, JobList::ProgressColumn), JobList::FRACTION_ROLE).toDouble(),
             0.0);   // no busy bar for a job that has ended
    list.cancel(0);  // nothing to cancel any more: no crash
    list.clearFinished();
    QCOMPARE(list.rowCount(), 0);
}

QTEST_MAIN(TestJobList)
#include "test_job_list.moc"
