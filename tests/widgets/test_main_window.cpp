// SPDX-License-Identifier: MIT
#include <QAction>
#include <QDir>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>

#include "app/gui/main_window.h"
#include "app/gui/recent_menu.h"
#include "widgets/model/model_view.h"

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

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
