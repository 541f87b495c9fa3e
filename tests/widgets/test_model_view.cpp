// SPDX-License-Identifier: MIT
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QPointer>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "widgets/model/inventory_table_model.h"
#include "widgets/model/linear_filter_proxy.h"
#include "widgets/model/model_summary_widget.h"
#include "widgets/model/model_view.h"

using pq::widgets::ModelSummaryWidget;
using pq::widgets::ModelView;
using Field = ModelSummaryWidget::Field;
using State = ModelView::State;

namespace {

const QString EXAMPLE = QStringLiteral(PQ_SOURCE_DIR "/examples/tiny-random-llama");
constexpr int LOAD_TIMEOUT_MS = 10000;

/** Copies the example's config.json into `dir`, with `extra` JSON members added at the top. */
bool writeConfig(const QString &dir, const QByteArray &extra)
{
    QFile source(EXAMPLE + QStringLiteral("/config.json"));
    if (!source.open(QIODevice::ReadOnly)) {
        return false;
    }
    QByteArray json = source.readAll();
    json.insert(json.indexOf('{') + 1, extra);
    QFile target(dir + QStringLiteral("/config.json"));
    return target.open(QIODevice::WriteOnly) && target.write(json) == json.size();
}

}  // namespace

class TestModelView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startsEmpty();
    void loadsExample();
    void missingDirectoryShowsError();
    void directoryWithoutConfigShowsError();
    void alreadyQuantizedIsRefused();
    void filterBoxFiltersTable();
    void cancelRestoresPreviousState();
    void newestOpenWins();
    void destroyWhileLoading();
    void opensRunDirectory();
    void runDirectoryOfAMissingModelShowsError();
};

namespace {

/** Writes `name` with `text` into `dir`. */
bool writeFile(const QString &dir, const QString &name, const QByteArray &text)
{
    QFile f(dir + QLatin1Char('/') + name);
    return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
}

}  // namespace

void TestModelView::opensRunDirectory()
{
    // as `prismaquant run` records it (run.json), and as `probe`/`merge` do (sensitivity.json)
    QTemporaryDir run;
    QTemporaryDir probe;
    const QByteArray model = QDir::cleanPath(EXAMPLE).toUtf8();
    QVERIFY(writeFile(run.path(), QStringLiteral("run.json"),
                      R"({"schema_version": 2, "model_dir": ")" + model + R"(", "stages": {}})"));
    QVERIFY(writeFile(probe.path(), QStringLiteral("sensitivity.json"),
                      R"({"schema": "prismaquant.sensitivity/1", "model_dir": ")" + model +
                              R"("})"));
    for (const QString &dir : {run.path(), probe.path()}) {
        ModelView view;
        QSignalSpy loaded(&view, &ModelView::modelLoaded);
        view.openModelDirectory(dir);
        QTRY_COMPARE_WITH_TIMEOUT(view.state(), State::Loaded, LOAD_TIMEOUT_MS);
        QCOMPARE(view.modelDirectory(), QDir::cleanPath(EXAMPLE));
        QCOMPARE(view.runDirectory(), QDir::cleanPath(dir));
        QCOMPARE(loaded.at(0).at(0).toString(), QDir::cleanPath(dir));
        QCOMPARE(view.tableModel()->rowCount(), 14);
    }
    // a model folder opened afterwards is no run
    ModelView view;
    view.openModelDirectory(run.path());
    QTRY_COMPARE_WITH_TIMEOUT(view.state(), State::Loaded, LOAD_TIMEOUT_MS);
    view.openModelDirectory(EXAMPLE);
    QTRY_COMPARE_WITH_TIMEOUT(view.modelDirectory(), QDir::cleanPath(EXAMPLE), LOAD_TIMEOUT_MS);
    QTRY_VERIFY_WITH_TIMEOUT(view.runDirectory().isEmpty(), LOAD_TIMEOUT_MS);
}

void TestModelView::runDirectoryOfAMissingModelShowsError()
{
    // a run made on another machine whose model is not here
    QTemporaryDir run;
    QVERIFY(writeFile(
            run.path(), QStringLiteral("run.json"),
            R"({"schema_version": 2, "model_dir": "/srv/models/Qwen3-235B", "stages": {}})"));
    ModelView view;
    view.openModelDirectory(run.path());
    QTRY_COMPARE_WITH_TIMEOUT(view.state(), State::Failed, LOAD_TIMEOUT_MS);
    QVERIFY2(view.errorMessage().contains(QLatin1String("/srv/models/Qwen3-235B")) &&
                     view.errorMessage().contains(QLatin1String("not on this computer")),
             qPrintable(view.errorMessage()));
    QVERIFY2(!view.errorMessage().contains(QLatin1String("no config.json")),
             qPrintable(view.errorMessage()));
}

void TestModelView::startsEmpty()
{
    ModelView view;
    QCOMPARE(view.state(), State::Empty);
    QVERIFY(view.modelDirectory().isEmpty());
    QVERIFY(!view.inventory());
    QVERIFY(view.errorMessage().isEmpty());
}

void TestModelView::loadsExample()
{
    ModelView view;
    view.resize(1200, 800);
    view.show();
    QSignalSpy started(&view, &ModelView::loadStarted);
    QSignalSpy loaded(&view, &ModelView::modelLoaded);
    view.openModelDirectory(EXAMPLE);
    QCOMPARE(view.state(), State::Loading);  // the load runs on a worker, not in this call
    QCOMPARE(started.count(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(view.state(), State::Loaded, LOAD_TIMEOUT_MS);
    QCOMPARE(loaded.count(), 1);
    QCOMPARE(view.modelDirectory(), QDir::cleanPath(EXAMPLE));
    QCOMPARE(view.tableModel()->rowCount(), 14);
    QCOMPARE(view.proxyModel()->rowCount(), 14);

    const ModelSummaryWidget *summary = view.summary();
    const QString linears = summary->text(Field::Linears);
    QVERIFY2(linears.startsWith(QLatin1String("14 (fused groups: 8)")), qPrintable(linears));
    const QString status = summary->text(Field::Status);
    QVERIFY2(status.contains(QLatin1String("every tensor is classified")), qPrintable(status));
    QCOMPARE(summary->verdict(), ModelSummaryWidget::Verdict::Ready);
    QVERIFY(summary->text(Field::Architecture).contains(QLatin1String("LlamaForCausalLM")));
    QVERIFY(summary->text(Field::Source).startsWith(QLatin1String("Weights")));
    QVERIFY(summary->text(Field::Experts).contains(QLatin1String("dense")));
    QCOMPARE(summary->text(Field::Mtp), QStringLiteral("None"));
    QVERIFY(summary->toPlainText().contains(QLatin1String("Linears: 14 (fused groups: 8)")));
}

void TestModelView::missingDirectoryShowsError()
{
    ModelView view;
    view.show();
    QSignalSpy failed(&view, &ModelView::loadFailed);
    view.openModelDirectory(QStringLiteral("/nonexistent/prismaquant-model"));
    QTRY_COMPARE_WITH_TIMEOUT(view.state(), State::Failed, LOAD_TIMEOUT_MS);
    QCOMPARE(failed.count(), 1);
    const QString message = view.errorMessage();
    QVERIFY2(message.contains(QLatin1String("config.json")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("does not exist")), qPrintable(message));
    QCOMPARE(failed.at(0).at(1).toString(), message);

    // The view stays usable: the next folder opens normally, and a failure after it drops it.
    QVERIFY(view.isEnabled());
    view.openModelDirectory(EXAMPLE);
    QTRY_COMPARE_WITH_TIMEOUT(view.state(), State::Loaded, LOAD_TIMEOUT_MS);
    QVERIFY(view.errorMessage().isEmpty());
    view.openModelDirectory(QStringLiteral("/nonexistent/prismaquant-model"));
    QTRY_COMPARE_WITH_TIMEOUT(view.state(), State::Failed, LOAD_TIMEOUT_MS);
    QVERIFY(!view.inventory());
    QVERIFY(view.modelDirectory().isEmpty());
    QCOMPARE(view.tableModel()->rowCount(), 0);
}

void TestModelView::directoryWithoutConfigShowsError()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ModelView view;
    view.show();
    view.openModelDirectory(dir.path());
    QTRY_COMPARE_WITH_TIMEOUT(view.state(), State::Failed, LOAD_TIMEOUT_MS);
    const QString message = view.errorMessage();
    QVERIFY2(message.contains(QLatin1String("has no config.json")), qPrintable(message));
    QVERIFY(view.isEnabled());
    QVERIFY(!view.inventory());
}

void TestModelView::alreadyQuantizedIsRefused()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeConfig(dir.path(), "\"quantization_config\": {\"quant_method\": \"fp8\"},"));
    ModelView view;
    view.openModelDirectory(dir.path());
    QTRY_COMPARE_WITH_TIMEOUT(view.state(), State::Loaded, LOAD_TIMEOUT_MS);
    const ModelSummaryWidget *summary = view.summary();
    QCOMPARE(summary->verdict(), ModelSummaryWidget::Verdict::Refused);
    const QString status = summary->text(Field::Status);
    QVERIFY2(status.startsWith(QLatin1String("Refused")) && status.contains(QLatin1String("fp8")),
             qPrintable(status));
    QVERIFY(summary->text(Field::Source).startsWith(QLatin1String("config.json only")));
}

void TestModelView::filterBoxFiltersTable()
{
    ModelView view;
    view.show();
    view.openModelDirectory(EXAMPLE);
    QTRY_COMPARE_WITH_TIMEOUT(view.state(), State::Loaded, LOAD_TIMEOUT_MS);
    QTest::keyClicks(view.filterEdit(), QStringLiteral("down"));
    QTRY_COMPARE(view.proxyModel()->rowCount(), 2);
    view.filterEdit()->clear();
    QTRY_COMPARE(view.proxyModel()->rowCount(), 14);
}

void TestModelView::cancelRestoresPreviousState()
{
    ModelView view;
    view.openModelDirectory(EXAMPLE);
    view.cancelLoading();  // before the worker can report: its result must be ignored
    QCOMPARE(view.state(), State::Empty);
    QTest::qWait(300);
    QCOMPARE(view.state(), State::Empty);
    QVERIFY(!view.inventory());
}

void TestModelView::newestOpenWins()
{
    ModelView view;
    QSignalSpy failed(&view, &ModelView::loadFailed);
    QSignalSpy loaded(&view, &ModelView::modelLoaded);
    view.openModelDirectory(QStringLiteral("/nonexistent/prismaquant-model"));
    view.openModelDirectory(EXAMPLE);
    QTRY_COMPARE_WITH_TIMEOUT(view.state(), State::Loaded, LOAD_TIMEOUT_MS);
    QTest::qWait(100);
    QCOMPARE(loaded.count(), 1);
    QCOMPARE(failed.count(), 0);
}

void TestModelView::destroyWhileLoading()
{
    auto *view = new ModelView;
    QPointer<ModelView> guard(view);
    view->openModelDirectory(EXAMPLE);
    delete view;  // waits for the worker; must neither crash nor deliver to a dead view
    QVERIFY(guard.isNull());
    QTest::qWait(100);
}

QTEST_MAIN(TestModelView)
#include "test_model_view.moc"
