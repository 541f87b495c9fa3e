// SPDX-License-Identifier: MIT
// widgets/run/run_document.h: a run directory loads in the background into its curve, knee and
// the knee's allocation; budgets are solved in the background, the newest request winning;
// what cannot be opened fails with the engine's words. The budget the user chose is restored
// when the run is reopened; the uniform baselines and the measured evaluations come with the run.
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "tests/support/synthetic_run.h"
#include "widgets/run/run_document.h"

using pq::widgets::RunDocument;
using State = RunDocument::State;

namespace {

const std::string EXAMPLE = PQ_SOURCE_DIR "/examples/tiny-random-llama";
constexpr int TIMEOUT_MS = 20000;

}  // namespace

class TestRunDocument : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void loadsTheRunAtTheKnee();
    void budgetsAreSolvedNewestFirst();
    void runWithoutProbeFails();
    void pinsRerunTheAllocatorAndPersist();
    void chosenBudgetIsRestoredOnReopening();
    void budgetThatCannotBeKeptIsReported();
    void baselinesAndMeasuredPointsComeWithTheRun();

private:
    QTemporaryDir m_dir;
    QString m_run;
};

void TestRunDocument::initTestCase()
{
    m_run = m_dir.filePath(QStringLiteral("run"));
    const auto st = pq::test::writeSyntheticRun(EXAMPLE, m_run.toStdString());
    QVERIFY2(st.has_value(), st ? "" : st.error().message().c_str());
}

void TestRunDocument::loadsTheRunAtTheKnee()
{
    RunDocument doc;
    QSignalSpy loaded(&doc, &RunDocument::loaded);
    QSignalSpy allocated(&doc, &RunDocument::allocationChanged);
    doc.open(m_run);
    QCOMPARE(doc.state(), State::Loading);  // read on a worker, not in this call
    QTRY_COMPARE_WITH_TIMEOUT(doc.state(), State::Ready, TIMEOUT_MS);
    QCOMPARE(loaded.count(), 1);
    const auto run = doc.run();
    QVERIFY(run != nullptr);
    QCOMPARE(run->costs.inventory.linears.size(), std::size_t{14});
    QVERIFY(run->curve.size() >= 3);
    for (std::size_t i = 1; i < run->curve.size(); ++i) {
        QVERIFY(run->curve[i].totalBytes > run->curve[i - 1].totalBytes);
        QVERIFY(run->curve[i].cost <= run->curve[i - 1].cost);
    }
    QCOMPARE(doc.budgetBytes(), run->curve[run->knee.index].totalBytes);
    QTRY_COMPARE_WITH_TIMEOUT(allocated.count(), 1, TIMEOUT_MS);
    QVERIFY(doc.allocation()->totalBytes <= doc.budgetBytes());
    QCOMPARE(doc.allocation()->linearFormats.size(), std::size_t{14});
}

void TestRunDocument::budgetsAreSolvedNewestFirst()
{
    RunDocument doc;
    doc.open(m_run);
    QTRY_VERIFY_WITH_TIMEOUT(doc.allocation() != nullptr, TIMEOUT_MS);
    const auto run = doc.run();
    QSignalSpy budget(&doc, &RunDocument::budgetChanged);
    // a drag: many budgets in a row; only the last one's allocation must stay
    const std::uint64_t lo = run->curve.front().totalBytes;
    const std::uint64_t hi = run->curve.back().totalBytes;
    for (int i = 0; i <= 10; ++i) {
        doc.setBudgetBytes(lo + (hi - lo) * static_cast<std::uint64_t>(i) / 10);
    }
    QCOMPARE(budget.count(), 11);
    QCOMPARE(doc.budgetBytes(), hi);
    QTRY_VERIFY_WITH_TIMEOUT(!doc.isSolving(), TIMEOUT_MS);
    QCOMPARE(doc.allocation()->totalBytes, run->curve.back().totalBytes);  // all BF16
    // below the smallest recipe: clamped to it
    doc.setBudgetBytes(1);
    QCOMPARE(doc.budgetBytes(), lo);
    QTRY_VERIFY_WITH_TIMEOUT(!doc.isSolving(), TIMEOUT_MS);
    QCOMPARE(doc.allocation()->totalBytes, lo);
}

void TestRunDocument::runWithoutProbeFails()
{
    QTemporaryDir empty;
    RunDocument doc;
    QSignalSpy failed(&doc, &RunDocument::loadFailed);
    doc.open(empty.path());
    QTRY_COMPARE_WITH_TIMEOUT(doc.state(), State::Failed, TIMEOUT_MS);
    QCOMPARE(failed.count(), 1);
    QVERIFY2(doc.errorMessage().contains(QLatin1String("no probe results")),
             qPrintable(doc.errorMessage()));
    QVERIFY(doc.run() == nullptr);
    doc.setBudgetBytes(1000);  // ignored
    QVERIFY(!doc.isSolving());
}

void TestRunDocument::pinsRerunTheAllocatorAndPersist()
{
    QTemporaryDir dir;
    const QString runDir = dir.filePath(QStringLiteral("run"));
    QVERIFY(pq::test::writeSyntheticRun(EXAMPLE, runDir.toStdString()).has_value());
    RunDocument doc;
    doc.open(runDir);
    QTRY_VERIFY_WITH_TIMEOUT(doc.allocation() != nullptr && !doc.isSolving(), TIMEOUT_MS);
    // at the smallest recipe nothing is BF16; pin the first MLP down_proj to BF16
    doc.setBudgetBytes(0);
    QTRY_VERIFY_WITH_TIMEOUT(!doc.isSolving(), TIMEOUT_MS);
    const auto first = doc.run();  // each pin replaces the document's run: keep this one
    const auto &inv = first->costs.inventory;
    std::size_t down = 0;
    while (inv.linears[down].role != pq::core::LinearRole::MlpDown) {
        ++down;
    }
    const std::uint64_t smallest = doc.run()->curve.front().totalBytes;
    QVERIFY(doc.allocation()->linearFormats[down] != pq::core::quant::FormatId::BF16);
    QSignalSpy loaded(&doc, &RunDocument::loaded);
    doc.setPin(inv.linears[down].name, pq::core::quant::FormatId::BF16);
    QVERIFY(doc.isSolving());
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() == 1 && !doc.isSolving(), TIMEOUT_MS);
    QCOMPARE(doc.allocation()->linearFormats[down], pq::core::quant::FormatId::BF16);
    QVERIFY(doc.allocation()->groups[inv.linears[down].group].pinned);
    QVERIFY(doc.run()->curve.front().totalBytes > smallest);  // the floor rose with the pin
    QCOMPARE(doc.budgetBytes(), doc.run()->curve.front().totalBytes);
    const auto saved = pq::core::pipeline::readPins(runDir.toStdString());
    QVERIFY(saved.has_value());
    QCOMPARE(saved->size(), std::size_t{1});
    QCOMPARE(saved->front().format, pq::core::quant::FormatId::BF16);

    // the run reopened keeps its pin
    RunDocument again;
    again.open(runDir);
    QTRY_VERIFY_WITH_TIMEOUT(again.allocation() != nullptr && !again.isSolving(), TIMEOUT_MS);
    QCOMPARE(again.run()->pins.size(), std::size_t{1});
    again.setBudgetBytes(0);
    QTRY_VERIFY_WITH_TIMEOUT(!again.isSolving(), TIMEOUT_MS);
    QCOMPARE(again.allocation()->linearFormats[down], pq::core::quant::FormatId::BF16);

    // a pin the shapes cannot take is refused and changes nothing
    QSignalSpy refused(&doc, &RunDocument::allocationFailed);
    doc.setPin(inv.linears[down].name, pq::core::quant::FormatId::MXFP4);  // in = 176: no groups
    QTRY_COMPARE_WITH_TIMEOUT(refused.count(), 1, TIMEOUT_MS);
    QCOMPARE(doc.run()->pins.size(), std::size_t{1});
    QCOMPARE(pq::core::pipeline::readPins(runDir.toStdString())->front().format,
             pq::core::quant::FormatId::BF16);

    // unpinned: the file goes, the floor comes back
    doc.setPin(inv.linears[down].name, std::nullopt);
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() == 2 && !doc.isSolving(), TIMEOUT_MS);
    QCOMPARE(doc.run()->curve.front().totalBytes, smallest);
    QVERIFY(!QFile::exists(runDir + QStringLiteral("/pins.json")));
}

void TestRunDocument::chosenBudgetIsRestoredOnReopening()
{
    QTemporaryDir dir;
    const QString runDir = dir.filePath(QStringLiteral("run"));
    QVERIFY(pq::test::writeSyntheticRun(EXAMPLE, runDir.toStdString()).has_value());
    const QString studio = runDir + QStringLiteral("/studio.json");
    std::uint64_t chosen = 0;
    {
        RunDocument doc;
        doc.open(runDir);
        QTRY_VERIFY_WITH_TIMEOUT(doc.allocation() != nullptr && !doc.isSolving(), TIMEOUT_MS);
        QVERIFY(!QFile::exists(studio));  // opening alone writes nothing into the run
        const auto &curve = doc.run()->curve;
        QVERIFY(doc.run()->knee.index != 1);
        chosen = curve[1].totalBytes;
        doc.setBudgetBytes(chosen);
        QTRY_VERIFY_WITH_TIMEOUT(!doc.isSolving(), TIMEOUT_MS);
        QVERIFY(QFile::exists(studio));
    }
    RunDocument again;
    QSignalSpy allocated(&again, &RunDocument::allocationChanged);
    again.open(runDir);
    QTRY_VERIFY_WITH_TIMEOUT(allocated.count() == 1, TIMEOUT_MS);
    QCOMPARE(again.budgetBytes(), chosen);
    QCOMPARE(again.allocation()->totalBytes, chosen);

    // a damaged studio.json costs the restored budget, not the run: back at the knee
    QFile damaged(studio);
    QVERIFY(damaged.open(QIODevice::WriteOnly | QIODevice::Truncate));
    damaged.write("{\"schema\": \"prismaquant.studio/1\", \"budget_bytes\": -5}");
    damaged.close();
    RunDocument third;
    third.open(runDir);
    QTRY_VERIFY_WITH_TIMEOUT(third.allocation() != nullptr && !third.isSolving(), TIMEOUT_MS);
    QCOMPARE(third.budgetBytes(), third.run()->curve[third.run()->knee.index].totalBytes);
}

void TestRunDocument::budgetThatCannotBeKeptIsReported()
{
    QTemporaryDir dir;
    const QString runDir = dir.filePath(QStringLiteral("run"));
    QVERIFY(pq::test::writeSyntheticRun(EXAMPLE, runDir.toStdString()).has_value());
    // a folder where studio.json should go: no file can replace it (even for root)
    QVERIFY(QDir(runDir).mkpath(QStringLiteral("studio.json/x")));
    RunDocument doc;
    doc.open(runDir);
    QTRY_VERIFY_WITH_TIMEOUT(doc.allocation() != nullptr && !doc.isSolving(), TIMEOUT_MS);
    QSignalSpy saveFailed(&doc, &RunDocument::saveFailed);
    QSignalSpy allocated(&doc, &RunDocument::allocationChanged);
    doc.setBudgetBytes(doc.run()->curve.front().totalBytes);
    QTRY_COMPARE_WITH_TIMEOUT(saveFailed.count(), 1, TIMEOUT_MS);
    QCOMPARE(allocated.count(), 1);  // the allocation is there all the same
    QCOMPARE(doc.allocation()->totalBytes, doc.run()->curve.front().totalBytes);
    QVERIFY2(saveFailed.front().front().toString().contains(QLatin1String("studio.json")),
             qPrintable(saveFailed.front().front().toString()));
}

void TestRunDocument::baselinesAndMeasuredPointsComeWithTheRun()
{
    using pq::core::pipeline::MeasuredPoint;
    using pq::core::pipeline::VariantKind;
    QTemporaryDir dir;
    const QString runDir = dir.filePath(QStringLiteral("run"));
    const std::string run = runDir.toStdString();
    QVERIFY(pq::test::writeSyntheticRun(EXAMPLE, run).has_value());
    MeasuredPoint recipe;
    recipe.variant = "recipe: 14 MXFP8";
    recipe.kind = VariantKind::Recipe;
    recipe.bytes = 123456;
    recipe.meanKl = 0.004;
    recipe.predicted = 0.003;
    recipe.tokens = 100;
    QVERIFY(pq::core::pipeline::recordEvaluations(run, {recipe}));

    RunDocument doc;
    QSignalSpy measuredChanged(&doc, &RunDocument::measuredPointsChanged);
    doc.open(runDir);
    QTRY_VERIFY_WITH_TIMEOUT(doc.allocation() != nullptr && !doc.isSolving(), TIMEOUT_MS);
    QCOMPARE(measuredChanged.count(), 1);
    QCOMPARE(doc.measuredPoints().size(), std::size_t{1});
    QCOMPARE(doc.measuredPoints().front(), recipe);
    QVERIFY(doc.run()->measuredError.empty());
    const auto &baselines = doc.run()->baselines;
    QVERIFY(baselines.size() >= 3);  // BF16 and the measured formats the shapes allow
    QCOMPARE(baselines.back().format, pq::core::quant::FormatId::BF16);  // the largest
    QCOMPARE(baselines.back().bytes, doc.run()->curve.back().totalBytes);

    MeasuredPoint second = recipe;
    second.bytes = 99999;
    doc.setMeasuredPoints({recipe, second});
    QCOMPARE(measuredChanged.count(), 2);
    QCOMPARE(doc.measuredPoints().size(), std::size_t{2});

    // a damaged evaluations.json: the run opens, without points, and says why
    QFile damaged(runDir + QStringLiteral("/evaluations.json"));
    QVERIFY(damaged.open(QIODevice::WriteOnly | QIODevice::Truncate));
    damaged.write("not json");
    damaged.close();
    RunDocument again;
    again.open(runDir);
    QTRY_COMPARE_WITH_TIMEOUT(again.state(), State::Ready, TIMEOUT_MS);
    QVERIFY(again.measuredPoints().empty());
    QVERIFY2(again.run()->measuredError.find("evaluations.json") != std::string::npos,
             again.run()->measuredError.c_str());
}

QTEST_MAIN(TestRunDocument)
#include "test_run_document.moc"
