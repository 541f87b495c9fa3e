// SPDX-License-Identifier: MIT
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/main_window.h"
#include "app/gui/recent_menu.h"
#include "tests/support/synthetic_run.h"
#include "widgets/model/model_view.h"
#include "widgets/pareto/pareto_chart.h"
#include "widgets/pareto/pareto_view.h"
#include "widgets/run/run_document.h"
#include "widgets/sensitivity/linear_detail.h"
#include "widgets/sensitivity/sensitivity_heatmap.h"
#include "widgets/sensitivity/sensitivity_view.h"

using pq::gui::MainWindow;
using pq::gui::RecentMenu;
using pq::widgets::ModelView;

namespace {

const QString EXAMPLE = QStringLiteral(PQ_SOURCE_DIR "/examples/tiny-random-llama");
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

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
