// SPDX-License-Identifier: MIT
// widgets/export/export_wizard.h: from a run's allocation to a checkpoint on disk without a
// terminal — the wizard writes the allocation's formats, read-back (core::ct::
// CompressedCheckpoint) accepts what it wrote, and the last page gives the vllm command; an
// output folder that exists is refused and left as it was, unless the option to replace it is
// chosen; the A16 option writes NVFP4 Linears with 16-bit activations; the summary says what
// will be written.
#include <QCheckBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/export/compressed_checkpoint.h"
#include "core/export/exporter.h"
#include "kernels/cpu/cpu_backend.h"
#include "tests/support/synthetic_run.h"
#include "widgets/export/export_wizard.h"
#include "widgets/run/run_document.h"

using pq::widgets::ExportWizard;
using pq::widgets::RunDocument;

namespace {

const std::string EXAMPLE = PQ_SOURCE_DIR "/examples/tiny-random-llama";
constexpr int TIMEOUT_MS = 30000;

}  // namespace

class TestExportWizard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void exportsTheAllocation();
    void existingFolderIsRefused();
    void optionsShapeTheCheckpoint();

private:
    /** Opens the run at its knee and walks the wizard to its export page. */
    void runWizard(ExportWizard &wizard, const QString &out);

    QTemporaryDir m_dir;
    QString m_run;
    std::unique_ptr<pq::core::quant::QuantBackend> m_backend = pq::kernels::cpu::makeCpuBackend();
};

void TestExportWizard::initTestCase()
{
    m_run = m_dir.filePath(QStringLiteral("run"));
    QVERIFY(pq::test::writeSyntheticRun(EXAMPLE, m_run.toStdString()).has_value());
}

void TestExportWizard::runWizard(ExportWizard &wizard, const QString &out)
{
    wizard.show();
    QCOMPARE(wizard.currentId(), int{ExportWizard::BudgetPage});
    wizard.next();
    QCOMPARE(wizard.currentId(), int{ExportWizard::OutputPage});
    wizard.outputEdit()->setText(out);
    wizard.next();
    QCOMPARE(wizard.currentId(), int{ExportWizard::OptionsPage});
    wizard.next();
    QCOMPARE(wizard.currentId(), int{ExportWizard::SummaryPage});
    QVERIFY2(wizard.summaryText().contains(QDir::toNativeSeparators(out)),
             qPrintable(wizard.summaryText()));
    wizard.next();  // the commit page: the export starts
    QCOMPARE(wizard.currentId(), int{ExportWizard::ExportPage});
}

void TestExportWizard::exportsTheAllocation()
{
    RunDocument doc;
    doc.open(m_run);
    QTRY_VERIFY_WITH_TIMEOUT(doc.allocation() != nullptr && !doc.isSolving(), TIMEOUT_MS);
    ExportWizard wizard(&doc, *m_backend);
    // the output folder starts inside the run directory
    QCOMPARE(wizard.outputEdit()->text(), QDir(m_run).filePath(QStringLiteral("export")));
    const QString out = m_dir.filePath(QStringLiteral("exported"));
    QSignalSpy finished(&wizard, &ExportWizard::exportFinished);
    runWizard(wizard, out);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, TIMEOUT_MS);
    QVERIFY2(wizard.exported(), qPrintable(wizard.errorText()));
    QCOMPARE(wizard.serveCommand(), QStringLiteral("vllm serve ") + out);
    QVERIFY(QFile::exists(out + QStringLiteral("/") +
                          QString::fromLatin1(pq::core::ct::MANIFEST_FILE)));

    auto back = pq::core::ct::CompressedCheckpoint::open(out.toStdString());
    QVERIFY2(back.has_value(), back ? "" : back.error().message().c_str());
    const auto &inv = doc.run()->costs.inventory;
    const auto &formats = doc.allocation()->linearFormats;
    std::size_t quantized = 0;
    for (std::size_t i = 0; i < inv.linears.size(); ++i) {
        const auto *module = back->find(inv.linears[i].name);
        if (formats[i] == pq::core::quant::FormatId::BF16) {
            QVERIFY2(module == nullptr, inv.linears[i].name.c_str());
            continue;
        }
        ++quantized;
        QVERIFY2(module != nullptr && module->format == formats[i], inv.linears[i].name.c_str());
    }
    QVERIFY(quantized > 0);
    QCOMPARE(back->modules().size(), quantized);
}

void TestExportWizard::existingFolderIsRefused()
{
    RunDocument doc;
    doc.open(m_run);
    QTRY_VERIFY_WITH_TIMEOUT(doc.allocation() != nullptr && !doc.isSolving(), TIMEOUT_MS);
    const QString out = m_dir.filePath(QStringLiteral("taken"));
    QVERIFY(QDir().mkpath(out));
    QFile mine(out + QStringLiteral("/notes.txt"));
    QVERIFY(mine.open(QIODevice::WriteOnly));
    mine.write("mine");
    mine.close();
    ExportWizard wizard(&doc, *m_backend);
    QSignalSpy finished(&wizard, &ExportWizard::exportFinished);
    runWizard(wizard, out);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, TIMEOUT_MS);
    QVERIFY(!wizard.exported());
    QVERIFY(!wizard.errorText().isEmpty());
    QVERIFY(wizard.serveCommand().isEmpty());
    QCOMPARE(QDir(out).entryList(QDir::Files), QStringList{QStringLiteral("notes.txt")});
}

void TestExportWizard::optionsShapeTheCheckpoint()
{
    // a run that measured NVFP4 (W4A4) too, every Linear pinned to it
    const QString runDir = m_dir.filePath(QStringLiteral("run-nvfp4"));
    using pq::core::quant::FormatId;
    QVERIFY(pq::test::writeSyntheticRun(
                    EXAMPLE, runDir.toStdString(),
                    [](const pq::core::LinearInfo &, pq::core::data::LinearSensitivity &s) {
                        if (const auto a16 = s.weightCost.find(FormatId::NVFP4A16);
                            a16 != s.weightCost.end()) {
                            s.weightCost[FormatId::NVFP4] = a16->second * 1.5;
                        }
                    })
                    .has_value());
    RunDocument doc;
    doc.open(runDir);
    QTRY_VERIFY_WITH_TIMEOUT(doc.allocation() != nullptr && !doc.isSolving(), TIMEOUT_MS);
    doc.setPinPattern(".", FormatId::NVFP4);
    QTRY_VERIFY_WITH_TIMEOUT(doc.run()->pins.size() == 1 && !doc.isSolving(), TIMEOUT_MS);
    const std::size_t linears = doc.run()->costs.inventory.linears.size();
    QCOMPARE(doc.allocation()->counts().at(FormatId::NVFP4), linears);

    // the folder exists: replaced, because the option says so
    const QString out = m_dir.filePath(QStringLiteral("replaced"));
    QVERIFY(QDir().mkpath(out));
    ExportWizard wizard(&doc, *m_backend);
    QSignalSpy finished(&wizard, &ExportWizard::exportFinished);
    wizard.show();
    wizard.next();
    wizard.outputEdit()->setText(out);
    wizard.next();
    QCOMPARE(wizard.currentId(), int{ExportWizard::OptionsPage});
    QVERIFY(wizard.a16Button()->isEnabled());
    wizard.a16Button()->setChecked(true);
    wizard.replaceBox()->setChecked(true);
    wizard.shardBox()->setValue(0.1);
    wizard.next();
    QCOMPARE(wizard.currentId(), int{ExportWizard::SummaryPage});
    const QString summary = wizard.summaryText();
    QVERIFY2(summary.contains(QStringLiteral("%1 NVFP4A16").arg(linears)) &&
                     summary.contains(QLatin1String("an earlier export there is replaced")),
             qPrintable(summary));
    wizard.next();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, TIMEOUT_MS);
    QVERIFY2(wizard.exported(), qPrintable(wizard.errorText()));
    auto back = pq::core::ct::CompressedCheckpoint::open(out.toStdString());
    QVERIFY2(back.has_value(), back ? "" : back.error().message().c_str());
    QCOMPARE(back->modules().size(), linears);
    for (const auto &module : back->modules()) {
        QVERIFY2(module.format == FormatId::NVFP4A16, module.name.c_str());
    }
    // the manifest's recipe names what was written, not the allocation before the option
    QFile manifest(out + QStringLiteral("/") + QString::fromLatin1(pq::core::ct::MANIFEST_FILE));
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    const QString recipe = QJsonDocument::fromJson(manifest.readAll())
                                   .object()
                                   .value(QLatin1String("recipe"))
                                   .toString();
    QCOMPARE(recipe, QStringLiteral("PrismaQuant Studio: %1 NVFP4A16").arg(linears));
}

QTEST_MAIN(TestExportWizard)
#include "test_export_wizard.moc"
