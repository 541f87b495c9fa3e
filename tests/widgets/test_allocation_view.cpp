// SPDX-License-Identifier: MIT
// widgets/allocation: the table lists every Linear of the run with the format, bytes and
// predicted Δloss the document's allocation gives it, follows a new budget without a reset,
// filters by words and sorts numbers as numbers; the summary counts Linears and bytes per format.
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QMenu>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "core/quant/format_spec.h"
#include "tests/support/synthetic_run.h"
#include "widgets/allocation/allocation_table_model.h"
#include "widgets/allocation/allocation_view.h"
#include "widgets/allocation/pin_pattern_dialog.h"
#include "widgets/run/run_document.h"

using pq::core::quant::FormatId;
using pq::widgets::AllocationTableModel;
using pq::widgets::AllocationView;
using pq::widgets::PinPatternDialog;
using pq::widgets::RunDocument;
using Column = AllocationTableModel::Column;

namespace {

const std::string EXAMPLE = PQ_SOURCE_DIR "/examples/tiny-random-llama";
constexpr int TIMEOUT_MS = 20000;

QString cell(const QAbstractItemModel &m, int row, Column c, int role = Qt::DisplayRole)
{
    return m.data(m.index(row, AllocationTableModel::columnIndex(c)), role).toString();
}

/**
 * Writes a synthetic run of the example model into `dir`, opens it in `doc` and waits for the
 * knee's allocation. The run directory, or empty when that failed.
 */
QString openSyntheticRun(const QTemporaryDir &dir, RunDocument &doc)
{
    const QString run = dir.filePath(QStringLiteral("run"));
    if (!pq::test::writeSyntheticRun(EXAMPLE, run.toStdString())) {
        return {};
    }
    doc.open(run);
    const bool ready = QTest::qWaitFor(
            [&doc] { return doc.allocation() != nullptr && !doc.isSolving(); }, TIMEOUT_MS);
    return ready ? run : QString();
}

/** The action at `path` ("Pin to/BF16") of a context menu, or null. */
QAction *menuAction(QMenu *menu, const QString &path)
{
    QMenu *at = menu;
    const QStringList parts = path.split(QLatin1Char('/'));
    for (int i = 0; i < parts.size(); ++i) {
        QAction *found = nullptr;
        for (QAction *a : at->actions()) {
            found = a->text() == parts[i] ? a : found;
        }
        if (found == nullptr || i + 1 == parts.size()) {
            return found;
        }
        at = found->menu();
    }
    return nullptr;
}

}  // namespace

class TestAllocationView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tableFollowsTheBudget();
    void filterAndSort();
    void pinMatchingPinsEveryMatchedLinear();
    void pinFromTheContextMenu();
};

void TestAllocationView::tableFollowsTheBudget()
{
    QTemporaryDir dir;
    RunDocument doc;
    AllocationView view(&doc);
    const QString run = openSyntheticRun(dir, doc);
    QVERIFY(!run.isEmpty());
    const AllocationTableModel &m = *view.tableModel();
    QCOMPARE(m.rowCount(), 14);
    const auto &inv = doc.run()->costs.inventory;
    const auto &costs = doc.run()->costs.costs;
    double sum = 0.0;
    for (int r = 0; r < m.rowCount(); ++r) {
        const FormatId f = doc.allocation()->linearFormats[static_cast<std::size_t>(r)];
        QCOMPARE(m.formatAt(r), f);
        QCOMPARE(cell(m, r, Column::Name), QString::fromStdString(inv.linears[r].name));
        QCOMPARE(cell(m, r, Column::Format),
                 QString::fromUtf8(pq::core::quant::formatInfo(f).name.data()));
        const double d = m.data(m.index(r, AllocationTableModel::columnIndex(Column::DeltaLoss)),
                                AllocationTableModel::SORT_ROLE)
                                 .toDouble();
        QCOMPARE(d, f == FormatId::BF16 ? 0.0 : costs.byLinear.at(inv.linears[r].name).at(f));
        sum += d;
    }
    // the rows' Δloss add up to the allocation's predicted Δloss
    QVERIFY2(std::abs(sum - doc.allocation()->cost) <= 1e-9 * std::max(sum, 1e-30),
             qPrintable(QStringLiteral("%1 vs %2").arg(sum).arg(doc.allocation()->cost)));
    QVERIFY2(view.summaryText().contains(QString::fromStdString(doc.allocation()->summary())),
             qPrintable(view.summaryText()));

    // a new budget changes the columns in place: no reset
    QSignalSpy reset(view.tableModel(), &QAbstractItemModel::modelReset);
    QSignalSpy changed(view.tableModel(), &QAbstractItemModel::dataChanged);
    doc.setBudgetBytes(doc.run()->curve.back().totalBytes);
    QTRY_VERIFY_WITH_TIMEOUT(!doc.isSolving() && changed.count() > 0, TIMEOUT_MS);
    QCOMPARE(reset.count(), 0);
    for (int r = 0; r < m.rowCount(); ++r) {
        QCOMPARE(cell(m, r, Column::Format), QStringLiteral("BF16"));
        QCOMPARE(cell(m, r, Column::DeltaLoss), QStringLiteral("0"));
    }
    QVERIFY2(view.summaryText().contains(QLatin1String("BF16: 14 Linears")),
             qPrintable(view.summaryText()));
}

void TestAllocationView::filterAndSort()
{
    QTemporaryDir dir;
    RunDocument doc;
    AllocationView view(&doc);
    const QString run = openSyntheticRun(dir, doc);
    QVERIFY(!run.isEmpty());
    QSortFilterProxyModel &p = *view.proxyModel();
    view.filterEdit()->setText(QStringLiteral("down"));
    QCOMPARE(p.rowCount(), 2);
    view.filterEdit()->setText(QStringLiteral("layers.1 PROJ"));
    QCOMPARE(p.rowCount(), 7);
    view.filterEdit()->clear();
    QCOMPARE(p.rowCount(), 14);
    // by parameters, largest first: numbers, not text ("45,056" would sort before "4,096")
    view.tableView()->sortByColumn(AllocationTableModel::columnIndex(Column::Params),
                                   Qt::DescendingOrder);
    for (int r = 1; r < p.rowCount(); ++r) {
        QVERIFY(p.data(p.index(r - 1, AllocationTableModel::columnIndex(Column::Params)),
                       AllocationTableModel::SORT_ROLE)
                        .toULongLong() >=
                p.data(p.index(r, AllocationTableModel::columnIndex(Column::Params)),
                       AllocationTableModel::SORT_ROLE)
                        .toULongLong());
    }
    QVERIFY(cell(p, 0, Column::Name).contains(QLatin1String("mlp")));
}

void TestAllocationView::pinFromTheContextMenu()
{
    QTemporaryDir dir;
    RunDocument doc;
    AllocationView view(&doc);
    const QString run = openSyntheticRun(dir, doc);
    QVERIFY(!run.isEmpty());
    const AllocationTableModel &m = *view.tableModel();
    // row 0 is layer 0's q_proj (inventory order): pin it to BF16
    std::unique_ptr<QMenu> menu(view.contextMenuFor(0));
    QVERIFY(menu != nullptr);
    QVERIFY(!menuAction(menu.get(), QStringLiteral("Unpin"))->isEnabled());
    QAction *bf16 = menuAction(menu.get(), QStringLiteral("Pin to/BF16"));
    QVERIFY(bf16 != nullptr);
    QVERIFY(menuAction(menu.get(), QStringLiteral("Pin to/NVFP4A16")) != nullptr);
    bf16->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(doc.run()->pins.size() == 1 && !doc.isSolving(), TIMEOUT_MS);
    QTRY_VERIFY_WITH_TIMEOUT(m.isPinned(0), TIMEOUT_MS);
    QCOMPARE(m.formatAt(0), FormatId::BF16);
    QCOMPARE(cell(m, 0, Column::Pinned), QStringLiteral("pinned"));
    QVERIFY(QFile::exists(run + QStringLiteral("/pins.json")));
    menu.reset(view.contextMenuFor(0));
    QAction *unpin = menuAction(menu.get(), QStringLiteral("Unpin"));
    QVERIFY(unpin->isEnabled());
    unpin->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(doc.run()->pins.empty() && !doc.isSolving(), TIMEOUT_MS);
    QTRY_VERIFY_WITH_TIMEOUT(!m.isPinned(0), TIMEOUT_MS);
    QVERIFY(!QFile::exists(run + QStringLiteral("/pins.json")));
}

void TestAllocationView::pinMatchingPinsEveryMatchedLinear()
{
    QCOMPARE(AllocationView::proposedPattern("model.layers.3.mlp.down_proj"),
             QStringLiteral("\\.mlp\\.down_proj$"));
    QCOMPARE(AllocationView::proposedPattern("lm_head"), QStringLiteral("^lm_head$"));

    QTemporaryDir dir;
    RunDocument doc;
    AllocationView view(&doc);
    const QString run = openSyntheticRun(dir, doc);
    QVERIFY(!run.isEmpty());
    const AllocationTableModel &m = *view.tableModel();
    int down = 0;
    while (!m.nameAt(down).ends_with("mlp.down_proj")) {
        ++down;
    }
    std::unique_ptr<QMenu> menu(view.contextMenuFor(down));
    QVERIFY(menuAction(menu.get(), QStringLiteral("Pin Matching\u2026")) != nullptr);
    QVERIFY(menuAction(menu.get(), QStringLiteral("Remove Pattern Pin")) == nullptr);

    PinPatternDialog *dialog = view.openPinDialog(down);
    QVERIFY(dialog != nullptr && dialog->isVisible());
    QCOMPARE(dialog->pattern(), QStringLiteral("\\.mlp\\.down_proj$"));
    const auto &inv = doc.run()->costs.inventory;
    const auto downs = std::count_if(inv.linears.begin(), inv.linears.end(), [](const auto &l) {
        return l.role == pq::core::LinearRole::MlpDown;
    });
    QCOMPARE(dialog->matchCount(), static_cast<int>(downs));  // one per layer
    QVERIFY(downs >= 2);
    // refusals: not a regex, no match, a format the shape cannot take (in = 176: no MXFP groups)
    dialog->patternEdit()->setText(QStringLiteral("("));
    QVERIFY(!dialog->isAcceptable());
    QVERIFY2(dialog->statusText().contains(QLatin1String("Not a valid pattern")),
             qPrintable(dialog->statusText()));
    dialog->patternEdit()->setText(QStringLiteral("no_such_module"));
    QVERIFY(!dialog->isAcceptable());
    QCOMPARE(dialog->matchCount(), 0);
    dialog->patternEdit()->setText(QStringLiteral("\\.mlp\\.down_proj$"));
    dialog->formatBox()->setCurrentIndex(dialog->formatBox()->findText(QStringLiteral("MXFP8")));
    QVERIFY(dialog->formatBox()->currentIndex() >= 0);
    QVERIFY(!dialog->isAcceptable());
    QVERIFY2(dialog->statusText().contains(QLatin1String("cannot store")),
             qPrintable(dialog->statusText()));
    dialog->formatBox()->setCurrentIndex(dialog->formatBox()->findText(QStringLiteral("BF16")));
    QVERIFY(dialog->isAcceptable());
    dialog->accept();

    // one pin, for every down_proj; kept in pins.json
    QTRY_VERIFY_WITH_TIMEOUT(doc.run()->pins.size() == 1 && !doc.isSolving(), TIMEOUT_MS);
    QCOMPARE(doc.run()->pins.front().pattern, std::string(R"(\.mlp\.down_proj$)"));
    for (int row = 0; row < m.rowCount(); ++row) {
        QCOMPARE(m.isPinned(row), m.nameAt(row).ends_with("mlp.down_proj"));
        if (m.isPinned(row)) {
            QCOMPARE(m.formatAt(row), FormatId::BF16);
        }
    }
    QCOMPARE(pq::core::pipeline::readPins(run.toStdString())->size(), std::size_t{1});

    // another pattern holding the same Linears with another format: refused in the dialog…
    PinPatternDialog *second = view.openPinDialog(down);
    second->patternEdit()->setText(QStringLiteral("down_proj"));
    second->formatBox()->setCurrentIndex(second->formatBox()->findText(QStringLiteral("NVFP4A16")));
    QVERIFY(!second->isAcceptable());
    QVERIFY2(second->statusText().contains(QLatin1String("pinned to BF16 already")),
             qPrintable(second->statusText()));
    second->reject();
    // …and, asked for from the menu, refused by the allocator, which the tab says
    QVERIFY(view.refusalText().isEmpty());
    menu.reset(view.contextMenuFor(down));
    menuAction(menu.get(), QStringLiteral("Pin to/NVFP4A16"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!view.refusalText().isEmpty(), TIMEOUT_MS);
    QVERIFY2(view.refusalText().startsWith(QLatin1String("Not pinned: ")),
             qPrintable(view.refusalText()));
    QTRY_VERIFY_WITH_TIMEOUT(!doc.isSolving(), TIMEOUT_MS);
    QCOMPARE(doc.run()->pins.size(), std::size_t{1});

    // the pattern's pin is offered for removal on each Linear it holds, and removed from there
    menu.reset(view.contextMenuFor(down));
    QVERIFY(!menuAction(menu.get(), QStringLiteral("Unpin"))->isEnabled());  // not an exact pin
    QAction *remove = menuAction(
            menu.get(), QStringLiteral("Remove Pattern Pin/\\.mlp\\.down_proj$ \u2192 BF16"));
    QVERIFY(remove != nullptr);
    remove->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(doc.run()->pins.empty() && !doc.isSolving(), TIMEOUT_MS);
    QVERIFY(!QFile::exists(run + QStringLiteral("/pins.json")));
}

QTEST_MAIN(TestAllocationView)
#include "test_allocation_view.moc"
