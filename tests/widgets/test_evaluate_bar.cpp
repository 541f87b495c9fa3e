// SPDX-License-Identifier: MIT
// widgets/pareto/evaluate_bar.h on a real probe of stories260K: the Evaluate job measures the
// recipe at the document's budget and, the first time, each uniform baseline; the points land in
// RUN_DIR/evaluations.json and in the document with the allocator's size and prediction beside
// them; evaluating again adds only the recipe; a cancelled evaluation records nothing.
#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/pipeline/evaluations.h"
#include "core/probe/probe_run.h"
#include "kernels/cpu/cpu_backend.h"
#include "tests/support/shared_data.h"
#include "tests/support/stories260k.h"
#include "widgets/pareto/evaluate_bar.h"
#include "widgets/run/run_document.h"

using pq::core::pipeline::MeasuredPoint;
using pq::core::pipeline::VariantKind;
using pq::widgets::EvaluateBar;
using pq::widgets::RunDocument;

namespace {

constexpr int TIMEOUT_MS = 120000;

std::size_t countKind(const std::vector<MeasuredPoint> &points, VariantKind kind)
{
    return static_cast<std::size_t>(std::count_if(
            points.begin(), points.end(), [kind](const auto &p) { return p.kind == kind; }));
}

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestEvaluateBar : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void measuresTheRecipeAndTheBaselines();
    void cancelledEvaluationRecordsNothing();
    void reprobingRetiresThePoints();

private:
    /** A document on the probed run, ready with an allocation. */
    void openRun(RunDocument &doc);

    QTemporaryDir m_dir;
    QString m_run;
    pq::probe::ProbeRunRequest m_request;  ///< the probe of the run
    std::unique_ptr<pq::core::quant::QuantBackend> m_backend = pq::kernels::cpu::makeCpuBackend();
};

void TestEvaluateBar::initTestCase()
{
    const QString model = m_dir.filePath(QStringLiteral("stories260K"));
    QVERIFY(pq::test::importStories260K(model.toStdString()));
    m_run = m_dir.filePath(QStringLiteral("run"));
    pq::probe::ProbeRunRequest &request = m_request;
    request.modelDir = model.toStdString();
    request.calib = pq::test::sharedData("text/tinyshakespeare/input.txt");
    request.outDir = m_run.toStdString();
    request.calibration.samples = 2;
    request.calibration.seqLen = 32;
    request.calibration.heldOutSamples = 2;
    using pq::core::quant::FormatId;
    request.settings.formats = {FormatId::NVFP4A16, FormatId::MXFP8, FormatId::FP8Dynamic};
    const pq::core::JobContext ctx;
    const auto probed = pq::probe::probeIntoRunDirectory(request, *m_backend, ctx);
    QVERIFY2(probed, probed ? "" : probed.error().message().c_str());
}

void TestEvaluateBar::openRun(RunDocument &doc)
{
    doc.open(m_run);
    QTRY_VERIFY_WITH_TIMEOUT(doc.allocation() != nullptr && !doc.isSolving(), TIMEOUT_MS);
}

void TestEvaluateBar::measuresTheRecipeAndTheBaselines()
{
    RunDocument doc;
    openRun(doc);
    EvaluateBar bar(&doc, *m_backend);
    QVERIFY(bar.evaluateButton()->isEnabled());
    QSignalSpy finished(&bar, &EvaluateBar::evaluationFinished);
    QSignalSpy changed(&doc, &RunDocument::measuredPointsChanged);
    const auto allocation = doc.allocation();
    bar.start();
    QVERIFY(bar.isRunning());
    QVERIFY(!bar.evaluateButton()->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, TIMEOUT_MS);
    QVERIFY2(finished.front().front().toBool(), qPrintable(bar.statusText()));
    QCOMPARE(changed.count(), 1);

    const auto recorded = pq::core::pipeline::readEvaluations(m_run.toStdString());
    QVERIFY(recorded);
    QCOMPARE(doc.measuredPoints(), *recorded);
    // the source, the three formats the probe measured, the recipe
    QCOMPARE(recorded->size(), std::size_t{5});
    QCOMPARE(countKind(*recorded, VariantKind::Source), std::size_t{1});
    QCOMPARE(countKind(*recorded, VariantKind::Uniform), std::size_t{3});
    const MeasuredPoint &recipe = recorded->back();
    QCOMPARE(recipe.kind, VariantKind::Recipe);
    QCOMPARE(recipe.bytes, allocation->totalBytes);
    QCOMPARE(*recipe.predicted, allocation->cost);
    QCOMPARE(recipe.variant, pq::core::pipeline::recipeVariantName(*allocation));
    for (const MeasuredPoint &p : *recorded) {
        QVERIFY(std::isfinite(p.meanKl) && p.perplexity > 1.0);
        QCOMPARE(p.tokens, std::uint64_t{2 * 31});  // two held-out windows of 32 tokens
        QCOMPARE(p.kind == VariantKind::Source, p.meanKl == 0.0);
        // each uniform point's size is its baseline's
        if (p.kind == VariantKind::Uniform) {
            const auto &baselines = doc.run()->baselines;
            QVERIFY(std::any_of(baselines.begin(), baselines.end(), [&p](const auto &b) {
                return b.bytes == p.bytes && *p.predicted == b.predicted;
            }));
        }
    }
    QVERIFY2(bar.statusText().contains(QLatin1String("KL")), qPrintable(bar.statusText()));

    // at another budget: only the recipe (and the source it is measured against) is new
    doc.setBudgetBytes(doc.run()->curve.front().totalBytes);
    QTRY_VERIFY_WITH_TIMEOUT(!doc.isSolving() && doc.allocation() != allocation, TIMEOUT_MS);
    bar.start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, TIMEOUT_MS);
    QVERIFY(finished.back().front().toBool());
    const auto again = pq::core::pipeline::readEvaluations(m_run.toStdString());
    QCOMPARE(again->size(), std::size_t{6});
    QCOMPARE(countKind(*again, VariantKind::Uniform), std::size_t{3});
    QCOMPARE(countKind(*again, VariantKind::Recipe), std::size_t{2});
    QCOMPARE(doc.measuredPoints(), *again);
}

void TestEvaluateBar::cancelledEvaluationRecordsNothing()
{
    RunDocument doc;
    openRun(doc);
    EvaluateBar bar(&doc, *m_backend);
    const QString file = m_run + QStringLiteral("/evaluations.json");
    const QByteArray before = fileBytes(file);
    QSignalSpy finished(&bar, &EvaluateBar::evaluationFinished);
    bar.start();
    bar.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, TIMEOUT_MS);
    QVERIFY(!finished.front().front().toBool());
    QVERIFY2(bar.statusText().contains(QLatin1String("Cancelled")), qPrintable(bar.statusText()));
    QCOMPARE(fileBytes(file), before);
    QVERIFY(bar.evaluateButton()->isEnabled());
}

void TestEvaluateBar::reprobingRetiresThePoints()
{
    // a new probe into the run: the points measured against the old predictions are set aside
    const QString file = m_run + QStringLiteral("/evaluations.json");
    QVERIFY(QFile::exists(file));
    const QByteArray before = fileBytes(file);
    const pq::core::JobContext ctx;
    const auto probed = pq::probe::probeIntoRunDirectory(m_request, *m_backend, ctx);
    QVERIFY2(probed, probed ? "" : probed.error().message().c_str());
    QVERIFY(!QFile::exists(file));
    QCOMPARE(fileBytes(m_run + QStringLiteral("/evaluations.previous.json")), before);
    RunDocument doc;
    openRun(doc);
    QVERIFY(doc.measuredPoints().empty());
}

QTEST_MAIN(TestEvaluateBar)
#include "test_evaluate_bar.moc"
