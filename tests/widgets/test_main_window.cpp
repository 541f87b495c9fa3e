// SPDX-License-Identifier: MIT
#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QCommandLinkButton>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QThreadPool>
#include <QToolBar>
#include <QToolButton>

#include "app/gui/language.h"
#include "app/gui/main_window.h"
#include "app/gui/recent_menu.h"
#include "tests/support/synthetic_run.h"
#include "widgets/common/bundled_examples.h"
#include "widgets/jobs/job_list.h"
#include "widgets/jobs/job_runner.h"
#include "widgets/model/model_view.h"
#include "widgets/pareto/pareto_chart.h"
#include "widgets/pareto/pareto_view.h"
#include "widgets/run/run_document.h"
#include "widgets/sensitivity/linear_detail.h"
#include "widgets/sensitivity/sensitivity_heatmap.h"
#include "widgets/sensitivity/sensitivity_view.h"
#include "widgets/welcome/welcome_page.h"

using pq::gui::MainWindow;
using pq::gui::RecentMenu;
using pq::widgets::ModelView;
using pq::widgets::WelcomePage;

namespace {

const QString EXAMPLE = QStringLiteral(PQ_SOURCE_DIR "/examples/tiny-random-llama");
const QString DEMO = QStringLiteral(PQ_SOURCE_DIR "/examples/demo-llama");
constexpr int LOAD_TIMEOUT_MS = 10000;

QAction *findAction(const QMenu &menu, const QString &text)
{
    const auto actions = menu.actions();
    for (QAction *action : actions) {
        if (action->text() == text) {
            return action;
        }
    }
    return nullptr;
}

/** The window's action called `text` (menus, toolbar and all). */
QAction *findWindowAction(const MainWindow &window, const QString &text)
{
    const auto actions = window.findChildren<QAction *>();
    for (QAction *action : actions) {
        if (action->text() == text) {
            return action;
        }
    }
    return nullptr;
}

/** The message box the window has open (they are opened, not executed), or null. */
QMessageBox *openMessageBox(const MainWindow &window)
{
    const auto boxes = window.findChildren<QMessageBox *>();
    for (QMessageBox *box : boxes) {
        if (box->isVisible()) {
            return box;
        }
    }
    return nullptr;
}

}  // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void openingAModelUpdatesTitleAndRecent();
    void failedOpenIsNotRemembered();
    void recentKeepsFiveNewestFirst();
    void geometryIsRestored();
    void runDirectoryOpensThePareto();
    void welcomePageUntilSomethingOpens();
    void demoButtonSaysWhyWhenAbsent();
    void welcomeListsRecentFolders();
    void openRunRefusesAModelFolder();
    void toolbarHasTheMainActions();
    void languageMenuRoundTrips();
    void languageSelectsTheLocale_data();
    void languageSelectsTheLocale();
    void jobsShowInTheDockAndTheStatusBar();
};

void TestMainWindow::init()
{
    // XDG_CONFIG_HOME points into the build tree (CMakeLists.txt); start each test clean.
    QSettings().clear();
}

void TestMainWindow::openingAModelUpdatesTitleAndRecent()
{
    MainWindow window;
    window.show();
    auto *view = window.findChild<ModelView *>();
    QVERIFY(view);
    window.openModelDirectory(EXAMPLE);
    QTRY_COMPARE_WITH_TIMEOUT(view->state(), ModelView::State::Loaded, LOAD_TIMEOUT_MS);
    QVERIFY2(window.windowTitle().startsWith(QLatin1String("tiny-random-llama")),
             qPrintable(window.windowTitle()));
    const auto *recent = window.findChild<RecentMenu *>();
    QVERIFY(recent);
    QCOMPARE(recent->directories(), QStringList{QDir::cleanPath(EXAMPLE)});
    QVERIFY(recent->menuAction()->isEnabled());
}

void TestMainWindow::failedOpenIsNotRemembered()
{
    MainWindow window;
    auto *view = window.findChild<ModelView *>();
    window.openModelDirectory(QStringLiteral("/nonexistent/prismaquant-model"));
    QTRY_COMPARE_WITH_TIMEOUT(view->state(), ModelView::State::Failed, LOAD_TIMEOUT_MS);
    QCOMPARE(window.windowTitle(), QStringLiteral("PrismaQuant Studio"));
    QVERIFY(window.findChild<RecentMenu *>()->directories().isEmpty());
}

void TestMainWindow::recentKeepsFiveNewestFirst()
{
    {
        RecentMenu menu;
        QVERIFY(!menu.menuAction()->isEnabled());
        for (int i = 1; i <= 7; ++i) {
            menu.addDirectory(QStringLiteral("/models/m%1").arg(i));
        }
        menu.addDirectory(QStringLiteral("/models/m5"));  // again: moves to the front
        QCOMPARE(menu.directories(),
                 QStringList({QStringLiteral("/models/m5"), QStringLiteral("/models/m7"),
                              QStringLiteral("/models/m6"), QStringLiteral("/models/m4"),
                              QStringLiteral("/models/m3")}));
    }
    RecentMenu reloaded;  // from QSettings
    QCOMPARE(reloaded.directories().size(), RecentMenu::MAX_ENTRIES);
    QSignalSpy triggered(&reloaded, &RecentMenu::directoryTriggered);
    QAction *first = findAction(reloaded, QStringLiteral("&1 /models/m5"));
    QVERIFY(first);
    first->trigger();
    QCOMPARE(triggered.count(), 1);
    QCOMPARE(triggered.at(0).at(0).toString(), QStringLiteral("/models/m5"));
    QAction *clear = findAction(reloaded, QStringLiteral("&Clear Menu"));
    QVERIFY(clear);
    clear->trigger();
    QVERIFY(reloaded.directories().isEmpty());
    QVERIFY(!reloaded.menuAction()->isEnabled());
    QVERIFY(RecentMenu().directories().isEmpty());
}

void TestMainWindow::geometryIsRestored()
{
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.resize(900, 640);
        QTRY_COMPARE(window.size(), QSize(900, 640));
        window.close();
    }
    MainWindow restored;
    QCOMPARE(restored.size(), QSize(900, 640));
}

void TestMainWindow::runDirectoryOpensThePareto()
{
    // a run directory: the model shows, the Pareto tab opens at the knee, and picking another
    // point on the curve changes the allocation in the view and the status bar
    QTemporaryDir dir;
    const QString run = dir.filePath(QStringLiteral("run"));
    QVERIFY(pq::test::writeSyntheticRun(EXAMPLE.toStdString(), run.toStdString()).has_value());
    MainWindow window;
    window.show();
    auto *tabs = window.findChild<QTabWidget *>();
    auto *pareto = window.findChild<pq::widgets::ParetoView *>();
    QVERIFY(tabs && pareto);
    QVERIFY(!tabs->isTabEnabled(tabs->indexOf(pareto)));
    window.openModelDirectory(run);
    pq::widgets::RunDocument *doc = window.document();
    QTRY_VERIFY_WITH_TIMEOUT(doc->allocation() != nullptr, LOAD_TIMEOUT_MS);
    QVERIFY(tabs->isTabEnabled(tabs->indexOf(pareto)));
    QCOMPARE(window.findChild<ModelView *>()->runDirectory(), QDir::cleanPath(run));
    QAction *exportAction = nullptr;
    for (QAction *a : window.findChildren<QAction *>()) {
        exportAction = a->text() == QStringLiteral("&Export Checkpoint\u2026") ? a : exportAction;
    }
    QVERIFY(exportAction != nullptr && exportAction->isEnabled());
    const std::string knee = doc->allocation()->summary();
    QTRY_VERIFY_WITH_TIMEOUT(pareto->summaryText().contains(QString::fromStdString(knee)),
                             LOAD_TIMEOUT_MS);
    bool inStatus = false;
    for (const QLabel *label : window.findChildren<QLabel *>()) {
        inStatus = inStatus || label->text() == QString::fromStdString(knee);
    }
    QVERIFY(inStatus);

    tabs->setCurrentWidget(pareto);
    pq::widgets::ParetoChart *chart = pareto->chart();
    const auto &curve = doc->run()->curve;
    QCOMPARE(chart->curve().size(), curve.size());
    QCOMPARE(chart->budgetBytes(), doc->budgetBytes());
    // "fits my GPU": a GPU that holds everything moves the budget to the largest recipe; one
    // smaller than the runtime overhead says so and moves nothing
    pareto->vramBox()->setValue(1.0);
    const std::uint64_t before = doc->budgetBytes();
    pareto->fitGpu();
    QVERIFY2(pareto->fitText().contains(QLatin1String("VRAM")) ||
                     pareto->fitText().contains(QLatin1String("needs more")),
             qPrintable(pareto->fitText()));
    QCOMPARE(doc->budgetBytes(), before);
    pareto->vramBox()->setValue(24.0);
    pareto->fitGpu();
    QVERIFY2(pareto->fitText().contains(QLatin1String("left for the weights")),
             qPrintable(pareto->fitText()));
    QCOMPARE(doc->budgetBytes(), curve.back().totalBytes);  // clamped to the curve
    QTRY_VERIFY_WITH_TIMEOUT(!doc->isSolving(), LOAD_TIMEOUT_MS);
    // the batch multiplies the KV cache's tokens; FP8 halves its bytes per element
    pareto->contextBox()->setValue(4096);
    pareto->batchBox()->setValue(4);
    pareto->fitGpu();
    const QString bf16 = pareto->fitArithmetic();
    QVERIFY2(bf16.contains(QStringLiteral("16384 tokens (4096 context × 4 batch)")),
             qPrintable(bf16));
    pareto->kvTypeBox()->setCurrentIndex(1);
    pareto->fitGpu();
    const QString fp8 = pareto->fitArithmetic();
    QVERIFY2(fp8 != bf16 && fp8.contains(QStringLiteral("× 1 B")), qPrintable(fp8));
    QTRY_VERIFY_WITH_TIMEOUT(!doc->isSolving(), LOAD_TIMEOUT_MS);
    doc->setBudgetBytes(curve.front().totalBytes);
    QTRY_VERIFY_WITH_TIMEOUT(!doc->isSolving(), LOAD_TIMEOUT_MS);
    QTest::keyClick(chart, Qt::Key_End);  // all BF16
    QCOMPARE(doc->budgetBytes(), curve.back().totalBytes);
    QTRY_VERIFY_WITH_TIMEOUT(!doc->isSolving(), LOAD_TIMEOUT_MS);
    QCOMPARE(doc->allocation()->totalBytes, curve.back().totalBytes);
    QVERIFY(pareto->summaryText().contains(QLatin1String("BF16")));
    QCOMPARE(chart->budgetBytes(), curve.back().totalBytes);

    // the Sensitivity tab: the model's 2 layers × 7 roles, recoloured by the allocation
    auto *sensitivity = window.findChild<pq::widgets::SensitivityView *>();
    QVERIFY(tabs->isTabEnabled(tabs->indexOf(sensitivity)));
    tabs->setCurrentWidget(sensitivity);
    pq::widgets::SensitivityHeatmap *heatmap = sensitivity->heatmap();
    QCOMPARE(heatmap->data().rowCount(), 2);
    QCOMPARE(heatmap->data().columnCount(), 7);
    QVERIFY(heatmap->data().hasAllocation);
    QCOMPARE(heatmap->data().chosenFormats,
             std::vector<pq::core::quant::FormatId>{pq::core::quant::FormatId::BF16});
    QVERIFY(sensitivity->formatBox()->count() >= 3);  // the costed formats, BF16 not among them
    sensitivity->modeBox()->setCurrentIndex(1);
    QCOMPARE(heatmap->mode(), pq::widgets::SensitivityHeatmap::Mode::Assignment);
    QVERIFY(!sensitivity->formatBox()->isEnabled());
    heatmap->setSelectedCell(1, 6);
    QVERIFY2(sensitivity->detailText().contains(QLatin1String("down_proj")),
             qPrintable(sensitivity->detailText()));
    // the detail panel: Δloss and bytes per format, the channel profile of the one Linear
    const pq::widgets::LinearDetailData &detail = sensitivity->detail()->data();
    QVERIFY(detail.title.contains(QLatin1String("layers.1.mlp.down_proj")));
    QVERIFY(detail.deltaLoss.size() >= 2);
    QCOMPARE(detail.bytes.size(), detail.deltaLoss.size());
    QCOMPARE(detail.channelProfile.size(), std::size_t{64});  // down_proj's output channels
    QVERIFY(detail.chosen.has_value());
    const auto worst =
            std::max_element(detail.deltaLoss.begin(), detail.deltaLoss.end(),
                             [](const auto &a, const auto &b) { return a.second < b.second; });
    const auto best =
            std::min_element(detail.deltaLoss.begin(), detail.deltaLoss.end(),
                             [](const auto &a, const auto &b) { return a.second < b.second; });
    QVERIFY(sensitivity->detail()->barRect(worst->first).width() >
            sensitivity->detail()->barRect(best->first).width());
    QVERIFY(detail.bytes.at(worst->first) < detail.bytes.at(best->first));  // fewer bits, more loss
    tabs->setCurrentWidget(pareto);
    QTest::keyClick(chart, Qt::Key_Home);  // the smallest recipe: the heatmap follows
    QTRY_VERIFY_WITH_TIMEOUT(!doc->isSolving(), LOAD_TIMEOUT_MS);
    QTRY_VERIFY_WITH_TIMEOUT(
            heatmap->data().chosenFormats !=
                    std::vector<pq::core::quant::FormatId>{pq::core::quant::FormatId::BF16},
            LOAD_TIMEOUT_MS);
    QCOMPARE(heatmap->selectedCell().row, 1);  // the selection stays
}

void TestMainWindow::welcomePageUntilSomethingOpens()
{
    // issue 9: the welcome page until something opens; its demo button opens the bundled model
    MainWindow window;
    window.show();
    auto *welcome = window.findChild<WelcomePage *>();
    auto *tabs = window.findChild<QTabWidget *>();
    QVERIFY(welcome && tabs);
    QVERIFY(welcome->isVisible());
    QVERIFY(!tabs->isVisible());
    QCOMPARE(pq::widgets::demoModelDirectory(), QDir::cleanPath(DEMO));  // the build tree's
    QCOMPARE(welcome->demoDirectory(), QDir::cleanPath(DEMO));
    QVERIFY(welcome->demoButton()->isEnabled());
    QTest::mouseClick(welcome->demoButton(), Qt::LeftButton);
    auto *view = window.findChild<ModelView *>();
    QTRY_COMPARE_WITH_TIMEOUT(view->state(), ModelView::State::Loaded, LOAD_TIMEOUT_MS);
    QCOMPARE(view->modelDirectory(), QDir::cleanPath(DEMO));
    QVERIFY(!welcome->isVisible());
    QVERIFY(tabs->isVisible());
    QCOMPARE(tabs->currentWidget(), view);
}

void TestMainWindow::demoButtonSaysWhyWhenAbsent()
{
    WelcomePage page;
    QSignalSpy requested(&page, &WelcomePage::directoryRequested);
    page.setDemoDirectory(QString());
    QVERIFY(!page.demoButton()->isEnabled());
    QVERIFY(page.demoButton()->toolTip().contains(QLatin1String("not part of this installation")));
    page.demoButton()->click();
    QCOMPARE(requested.count(), 0);
    page.setDemoDirectory(DEMO);
    QVERIFY(page.demoButton()->isEnabled());
    page.demoButton()->click();
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).toString(), DEMO);
}

void TestMainWindow::welcomeListsRecentFolders()
{
    const QString other = QStringLiteral("/models/R&D model");
    QSettings().setValue(QLatin1String(RecentMenu::SETTINGS_KEY), QStringList{EXAMPLE, other});
    MainWindow window;
    window.show();
    auto *welcome = window.findChild<WelcomePage *>();
    QList<QCommandLinkButton *> buttons = welcome->recentButtons();
    QCOMPARE(buttons.size(), 2);
    QCOMPARE(buttons[0]->text(), QStringLiteral("tiny-random-llama"));
    QCOMPARE(buttons[0]->description(), QDir::toNativeSeparators(EXAMPLE));
    QCOMPARE(buttons[1]->text(), QStringLiteral("R&&D model"));  // not a mnemonic
    QCOMPARE(buttons[1]->description(), QStringLiteral("/models/R&&D model"));
    QVERIFY(buttons[1]->isVisible());

    QTest::mouseClick(buttons[0], Qt::LeftButton);
    auto *view = window.findChild<ModelView *>();
    QTRY_COMPARE_WITH_TIMEOUT(view->state(), ModelView::State::Loaded, LOAD_TIMEOUT_MS);
    QCOMPARE(view->modelDirectory(), QDir::cleanPath(EXAMPLE));
    // the opened folder moved to the front of both lists
    buttons = welcome->recentButtons();
    QCOMPARE(buttons.size(), 2);
    QCOMPARE(buttons[0]->description(), QDir::toNativeSeparators(QDir::cleanPath(EXAMPLE)));
    QCOMPARE(buttons[1]->text(), QStringLiteral("R&&D model"));
    auto *recent = window.findChild<RecentMenu *>();
    findAction(*recent, QStringLiteral("&Clear Menu"))->trigger();
    QVERIFY(welcome->recentButtons().isEmpty());
}

void TestMainWindow::openRunRefusesAModelFolder()
{
    MainWindow window;
    window.show();
    QAction *openRun = findWindowAction(window, QStringLiteral("Open &Run Directory\u2026"));
    QVERIFY(openRun);
    QCOMPARE(openRun->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    auto *view = window.findChild<ModelView *>();
    QVERIFY(!window.openRunDirectory(EXAMPLE));
    QMessageBox *box = openMessageBox(window);
    QVERIFY(box);
    QVERIFY2(box->text().contains(QLatin1String("is not a run directory")),
             qPrintable(box->text()));
    QVERIFY(box->text().contains(QDir::toNativeSeparators(EXAMPLE)));
    QVERIFY(window.findChild<WelcomePage *>()->isVisible());  // nothing was opened
    QCOMPARE(view->state(), ModelView::State::Empty);
    box->accept();
    QTRY_VERIFY(openMessageBox(window) == nullptr);

    QTemporaryDir dir;
    const QString run = dir.filePath(QStringLiteral("run"));
    QVERIFY(pq::test::writeSyntheticRun(EXAMPLE.toStdString(), run.toStdString()).has_value());
    QVERIFY(window.openRunDirectory(run));
    QVERIFY(openMessageBox(window) == nullptr);
    QTRY_COMPARE_WITH_TIMEOUT(view->state(), ModelView::State::Loaded, LOAD_TIMEOUT_MS);
    QCOMPARE(view->runDirectory(), QDir::cleanPath(run));
}

void TestMainWindow::toolbarHasTheMainActions()
{
    MainWindow window;
    auto *toolBar = window.findChild<QToolBar *>(QStringLiteral("mainToolBar"));
    QVERIFY(toolBar);
    QStringList texts;
    const auto actions = toolBar->actions();
    for (const QAction *action : actions) {
        if (!action->isSeparator()) {
            texts.append(action->iconText());
        }
    }
#ifdef PQ_HAVE_TORCH  // the Evaluate job needs the probe's runtime
    QCOMPARE(texts, QStringList({QStringLiteral("Open Model"), QStringLiteral("Open Run"),
                                 QStringLiteral("Evaluate"), QStringLiteral("Export\u2026")}));
#else
    QCOMPARE(texts, QStringList({QStringLiteral("Open Model"), QStringLiteral("Open Run"),
                                 QStringLiteral("Export\u2026")}));
#endif
    QVERIFY(!toolBar->accessibleName().isEmpty());
}

void TestMainWindow::languageMenuRoundTrips()
{
    {
        MainWindow window;
        window.show();
        auto *group = window.findChild<QActionGroup *>();
        QVERIFY(group && group->isExclusive());
        QStringList texts;
        const auto actions = group->actions();
        for (const QAction *action : actions) {
            texts.append(action->text());
        }
        QCOMPARE(texts, QStringList({QStringLiteral("System Default"), QStringLiteral("English"),
                                     QStringLiteral("Deutsch"), QStringLiteral("简体中文")}));
        QVERIFY(group->checkedAction() == actions[0]);
        QCOMPARE(pq::gui::translationLocale(), QLocale::system());

        actions[2]->trigger();  // Deutsch
        QCOMPARE(QSettings().value(QLatin1String(pq::gui::LANGUAGE_KEY)).toString(),
                 QStringLiteral("de"));
        QMessageBox *box = openMessageBox(window);
        QVERIFY(box);
        QVERIFY2(box->text().contains(QLatin1String("next time")), qPrintable(box->text()));
        QCOMPARE(pq::gui::translationLocale().name(), QStringLiteral("de_DE"));
    }
    MainWindow reopened;  // the choice is read back
    auto *group = reopened.findChild<QActionGroup *>();
    QVERIFY(group->checkedAction());
    QCOMPARE(group->checkedAction()->data().toString(), QStringLiteral("de"));
    group->actions()[0]->trigger();  // System Default
    QCOMPARE(QSettings().value(QLatin1String(pq::gui::LANGUAGE_KEY)).toString(), QString());
    QCOMPARE(pq::gui::translationLocale(), QLocale::system());
}

void TestMainWindow::languageSelectsTheLocale_data()
{
    QTest::addColumn<QVariant>("stored");
    QTest::addColumn<QString>("locale");  // empty: the system's
    QTest::newRow("unset") << QVariant() << QString();
    QTest::newRow("system") << QVariant(QString()) << QString();
    QTest::newRow("English") << QVariant(QStringLiteral("en")) << QStringLiteral("en_US");
    QTest::newRow("German") << QVariant(QStringLiteral("de")) << QStringLiteral("de_DE");
    QTest::newRow("Chinese") << QVariant(QStringLiteral("zh_CN")) << QStringLiteral("zh_CN");
    QTest::newRow("unknown") << QVariant(QStringLiteral("xx")) << QString();
}

void TestMainWindow::languageSelectsTheLocale()
{
    // installTranslators() loads the catalogues of translationLocale()
    QFETCH(QVariant, stored);
    QFETCH(QString, locale);
    if (stored.isValid()) {
        QSettings().setValue(QLatin1String(pq::gui::LANGUAGE_KEY), stored);
    }
    const QString expected = locale.isEmpty() ? QLocale::system().name() : locale;
    QCOMPARE(pq::gui::translationLocale().name(), expected);
    QCOMPARE(pq::gui::chosenLanguage().isEmpty(), locale.isEmpty());
}

void TestMainWindow::jobsShowInTheDockAndTheStatusBar()
{
    using pq::widgets::JobList;
    using pq::widgets::JobRunner;
    MainWindow window;
    window.show();
    auto *dock = window.findChild<QDockWidget *>(QStringLiteral("jobsDock"));
    QVERIFY(dock);
    QVERIFY(!dock->isVisible());                                           // no job yet
    QVERIFY(findWindowAction(window, QStringLiteral("Jobs")) != nullptr);  // View ▸ Jobs
    auto *progress = window.findChild<QProgressBar *>(QStringLiteral("jobProgress"));
    auto *cancel = window.findChild<QToolButton *>(QStringLiteral("jobCancel"));
    QVERIFY(progress && cancel);
    QVERIFY(!progress->isVisible());

    QThreadPool pool;
    auto *job = new JobRunner([](pq::core::JobContext &ctx) -> pq::core::Status {
        ctx.reportProgress("layers", 1, 4);
        while (!ctx.isCancelled()) {
            QThread::msleep(1);
        }
        return pq::core::makeError(pq::core::ErrorCode::Cancelled, "cancelled");
    });
    QObject::connect(job, &JobRunner::finished, job, &QObject::deleteLater);
    window.trackJob(job, QStringLiteral("Probe demo-llama"));
    job->start(pool);
    QVERIFY(dock->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(progress->isVisible() && progress->value() == 250, LOAD_TIMEOUT_MS);
    const auto labels = window.statusBar()->findChildren<QLabel *>();
    QVERIFY(std::any_of(labels.begin(), labels.end(), [](const QLabel *l) {
        return l->text().startsWith(QLatin1String("Probe demo-llama")) &&
               l->text().contains(QLatin1String("layers: 1 of 4"));
    }));
    QTest::mouseClick(cancel, Qt::LeftButton);  // the status bar's ✕ cancels the active job
    QTRY_COMPARE_WITH_TIMEOUT(window.jobs()->state(0), JobList::State::Cancelled, LOAD_TIMEOUT_MS);
    QVERIFY(!progress->isVisible());
    QVERIFY(!cancel->isVisible());
}

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
