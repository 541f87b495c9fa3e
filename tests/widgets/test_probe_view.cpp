// SPDX-License-Identifier: MIT
// widgets/probe/probe_view.h on the real stories260K: the probe runs in the background into
// the run directory (sensitivity.json, calibration.json), shows its stage and log, and names
// the run directory when done; a cancelled probe writes no results; missing inputs are said.
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "core/probe/causal_lm.h"
#include "kernels/cpu/cpu_backend.h"
#include "tests/support/shared_data.h"
#include "tests/support/stories260k.h"
#include "widgets/probe/probe_view.h"

using pq::widgets::ProbeView;

namespace {

constexpr int TIMEOUT_MS = 120000;

}  // namespace

class TestProbeView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void probesIntoTheRunDirectory();
    void cancelWritesNoResults();
    void missingInputsAreSaid();
    void deviceChoiceFollowsTheMachine();
    void newcomerDefaultsForTheDemo();

private:
    void fill(ProbeView &view, const QString &runDir);

    QTemporaryDir m_dir;
    QString m_model;
    std::unique_ptr<pq::core::quant::QuantBackend> m_backend = pq::kernels::cpu::makeCpuBackend();
};

void TestProbeView::initTestCase()
{
    m_model = m_dir.filePath(QStringLiteral("stories260K"));
    QVERIFY(pq::test::importStories260K(m_model.toStdString()));
}

void TestProbeView::fill(ProbeView &view, const QString &runDir)
{
    view.setModelDirectory(m_model);
    QCOMPARE(view.runDirectoryEdit()->text(), m_model + QStringLiteral("-run"));
    view.calibrationEdit()->setText(
            QString::fromStdString(pq::test::sharedData("text/tinyshakespeare/input.txt")));
    view.runDirectoryEdit()->setText(runDir);
    view.samplesBox()->setValue(2);
    view.seqLenBox()->setValue(32);
    view.heldOutBox()->setValue(1);
}

void TestProbeView::probesIntoTheRunDirectory()
{
    ProbeView view(*m_backend);
    const QString run = m_dir.filePath(QStringLiteral("run"));
    fill(view, run);
    QSignalSpy finished(&view, &ProbeView::probeFinished);
    view.start();
    QVERIFY(view.isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, TIMEOUT_MS);
    QCOMPARE(finished.at(0).at(0).toString(), run);
    QVERIFY(!view.isRunning());
    QVERIFY(QFile::exists(run + QStringLiteral("/sensitivity.json")));
    QVERIFY(QFile::exists(run + QStringLiteral("/calibration.json")));
    QVERIFY2(view.statusText().contains(QLatin1String("35 Linears")),
             qPrintable(view.statusText()));
    QVERIFY2(view.logText().contains(QLatin1String("calibration: 2 ")), qPrintable(view.logText()));

    // a run opened later fills the form with what it was probed with
    QFile record(run + QStringLiteral("/calibration.json"));
    QVERIFY(record.open(QIODevice::ReadOnly));
    ProbeView again(*m_backend);
    again.setModelDirectory(m_model);
    again.showRun(run, record.readAll().toStdString());
    QCOMPARE(again.runDirectoryEdit()->text(), run);
    QCOMPARE(again.calibrationEdit()->text(), view.calibrationEdit()->text());
    QCOMPARE(again.samplesBox()->value(), 2);
    QCOMPARE(again.seqLenBox()->value(), 32);
    QCOMPARE(again.heldOutBox()->value(), 1);
}

void TestProbeView::cancelWritesNoResults()
{
    ProbeView view(*m_backend);
    const QString run = m_dir.filePath(QStringLiteral("cancelled"));
    fill(view, run);
    view.start();
    view.cancel();  // before the worker has tokenized anything
    QTRY_VERIFY_WITH_TIMEOUT(!view.isRunning(), TIMEOUT_MS);
    QVERIFY2(view.statusText().contains(QLatin1String("Cancelled")), qPrintable(view.statusText()));
    QVERIFY(!QFile::exists(run + QStringLiteral("/sensitivity.json")));
}

void TestProbeView::missingInputsAreSaid()
{
    ProbeView view(*m_backend);
    view.start();
    QVERIFY(!view.isRunning());
    QVERIFY(view.statusText().contains(QLatin1String("calibration text")));
}

void TestProbeView::deviceChoiceFollowsTheMachine()
{
    ProbeView view(*m_backend);
    QComboBox *device = view.deviceBox();
    QCOMPARE(device->count(), 2);
    QCOMPARE(device->currentIndex(), 0);  // the CPU, which every build has
    const auto *model = qobject_cast<QStandardItemModel *>(device->model());
    QVERIFY(model != nullptr);
    // the GPU can be chosen exactly where libtorch sees one (asked on a worker)
    QTRY_VERIFY_WITH_TIMEOUT(view.deviceChecked(), TIMEOUT_MS);
    QCOMPARE(model->item(1)->isEnabled(), pq::probe::cudaAvailable());
    if (!pq::probe::cudaAvailable()) {
        QVERIFY(!model->item(1)->toolTip().isEmpty());
    }
}

void TestProbeView::newcomerDefaultsForTheDemo()
{
    QStandardPaths::setTestModeEnabled(true);  // only a path is proposed; nothing is created
    ProbeView view(*m_backend);
    const QString demo = QDir::cleanPath(QStringLiteral(PQ_SOURCE_DIR "/examples/demo-llama"));
    view.setModelDirectory(demo);
    // the bundled text, so that Run works at once
    QCOMPARE(view.calibrationEdit()->text(),
             QDir::cleanPath(QStringLiteral(PQ_SOURCE_DIR "/examples/calibration/kjv.txt.gz")));
    // results of the bundled demo go to the user's data folder, not into the examples
    const QString data = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    QCOMPARE(view.runDirectoryEdit()->text(), data + QStringLiteral("/runs/demo-llama-run"));
    // a text the user chose is kept when another model is opened
    view.calibrationEdit()->setText(QStringLiteral("/data/mine.jsonl"));
    view.setModelDirectory(m_model);
    QCOMPARE(view.calibrationEdit()->text(), QStringLiteral("/data/mine.jsonl"));
    QCOMPARE(view.runDirectoryEdit()->text(), m_model + QStringLiteral("-run"));
}

QTEST_MAIN(TestProbeView)
#include "test_probe_view.moc"
