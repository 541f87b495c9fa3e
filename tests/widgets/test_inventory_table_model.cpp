// SPDX-License-Identifier: MIT
#include <algorithm>
#include <memory>

#include <QDir>
#include <QElapsedTimer>
#include <QLocale>
#include <QTest>

#include "core/model/inventory.h"
#include "widgets/model/inventory_table_model.h"
#include "widgets/model/linear_filter_proxy.h"

using pq::widgets::InventoryTableModel;
using pq::widgets::LinearFilterProxyModel;
using Column = InventoryTableModel::Column;
namespace core = pq::core;

namespace {

std::shared_ptr<const core::ModelInventory> loadInventory(const QString &dir)
{
    auto inventory = core::inventoryModelDir(QFile::encodeName(dir).toStdString());
    if (!inventory) {
        qWarning("%s", inventory.error().message().c_str());
        return nullptr;
    }
    return std::make_shared<const core::ModelInventory>(std::move(inventory).value());
}

int col(Column column)
{
    return InventoryTableModel::columnIndex(column);
}

int findRow(const QAbstractItemModel &model, const QString &name)
{
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.index(row, col(Column::Name)).data().toString() == name) {
            return row;
        }
    }
    return -1;
}

/** The SORT_ROLE values of `column` in the proxy's current order. */
QList<quint64> sortValues(const QAbstractItemModel &proxy, Column column)
{
    QList<quint64> values;
    for (int row = 0; row < proxy.rowCount(); ++row) {
        values.append(
                proxy.index(row, col(column)).data(InventoryTableModel::SORT_ROLE).toULongLong());
    }
    return values;
}

}  // namespace

class TestInventoryTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void countsAndHeaders();
    void knownRow();
    void sortsNumericallyThroughProxy_data();
    void sortsNumericallyThroughProxy();
    void filtersByWords_data();
    void filtersByWords();
    void emptyModel();
    void largeModelStaysFast();

private:
    std::shared_ptr<const core::ModelInventory> m_inventory;
};

void TestInventoryTableModel::initTestCase()
{
    m_inventory = loadInventory(QStringLiteral(PQ_SOURCE_DIR "/examples/tiny-random-llama"));
    QVERIFY(m_inventory);
}

void TestInventoryTableModel::countsAndHeaders()
{
    InventoryTableModel model;
    model.setInventory(m_inventory);
    QCOMPARE(model.rowCount(), 14);
    QCOMPARE(model.columnCount(), 9);
    const QStringList expected{
            QStringLiteral("Name"),         QStringLiteral("Layer"),       QStringLiteral("Role"),
            QStringLiteral("Expert"),       QStringLiteral("Shape"),       QStringLiteral("Params"),
            QStringLiteral("Source bytes"), QStringLiteral("vLLM module"), QStringLiteral("Group")};
    for (int section = 0; section < expected.size(); ++section) {
        QCOMPARE(model.headerData(section, Qt::Horizontal).toString(), expected[section]);
        QVERIFY(!model.headerData(section, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
    }
}

void TestInventoryTableModel::knownRow()
{
    InventoryTableModel model;
    model.setInventory(m_inventory);
    const int row = findRow(model, QStringLiteral("model.layers.0.self_attn.q_proj"));
    QVERIFY(row >= 0);
    const auto cell = [&](Column column, int role = Qt::DisplayRole) {
        return model.index(row, col(column)).data(role);
    };
    QCOMPARE(cell(Column::Layer).toString(), QStringLiteral("0"));
    QCOMPARE(cell(Column::Role).toString(), QStringLiteral("q"));
    QCOMPARE(cell(Column::Expert).toString(), QString());
    QCOMPARE(cell(Column::Shape).toString(), QStringLiteral("64 \u00D7 64"));
    QCOMPARE(cell(Column::Params).toString(), QLocale().toString(4096));
    QCOMPARE(cell(Column::Params, InventoryTableModel::SORT_ROLE).toULongLong(), 4096ULL);
    QCOMPARE(cell(Column::SourceBytes, InventoryTableModel::SORT_ROLE).toULongLong(), 8192ULL);
    QCOMPARE(cell(Column::VllmModule).toString(),
             QStringLiteral("model.layers.0.self_attn.qkv_proj"));
    QVERIFY(cell(Column::Role, Qt::ToolTipRole).toString().contains(QLatin1String("query")));
    QVERIFY(cell(Column::Group, Qt::ToolTipRole)
                    .toString()
                    .contains(QLatin1String("Linears in it: 3")));
    QCOMPARE(model.linearAt(row)->name, std::string("model.layers.0.self_attn.q_proj"));
    QVERIFY(model.linearAt(-1) == nullptr);
    QVERIFY(model.linearAt(14) == nullptr);
}

void TestInventoryTableModel::sortsNumericallyThroughProxy_data()
{
    QTest::addColumn<int>("column");
    QTest::newRow("params") << col(Column::Params);
    QTest::newRow("source bytes") << col(Column::SourceBytes);
    QTest::newRow("layer") << col(Column::Layer);
}

void TestInventoryTableModel::sortsNumericallyThroughProxy()
{
    QFETCH(int, column);
    const auto which = static_cast<Column>(column);
    InventoryTableModel model;
    model.setInventory(m_inventory);
    LinearFilterProxyModel proxy;
    proxy.setSourceModel(&model);

    proxy.sort(column, Qt::AscendingOrder);
    const QList<quint64> ascending = sortValues(proxy, which);
    QVERIFY(std::is_sorted(ascending.begin(), ascending.end()));
    proxy.sort(column, Qt::DescendingOrder);
    const QList<quint64> descending = sortValues(proxy, which);
    QVERIFY(std::is_sorted(descending.rbegin(), descending.rend()));
    QCOMPARE(descending.size(), 14);

    // The display texts would sort differently ("11,264" or "22.5 kB" before "4,096"/"8.2 kB"):
    // the largest value must come first, proving the numeric role is used.
    if (which == Column::Params) {
        QCOMPARE(descending.front(), 11264ULL);  // 176 × 64 MLP projections
        QCOMPARE(descending.back(), 2048ULL);    // 32 × 64 key/value projections
    }
}

void TestInventoryTableModel::filtersByWords_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<int>("rows");
    QTest::newRow("empty") << QString() << 14;
    QTest::newRow("blank") << QStringLiteral("   ") << 14;
    QTest::newRow("one word") << QStringLiteral("q_proj") << 2;
    QTest::newRow("ignores case, vLLM module") << QStringLiteral("QKV") << 6;
    QTest::newRow("two words") << QStringLiteral("layers.1 down") << 1;
    QTest::newRow("name only") << QStringLiteral("gate_proj") << 2;
    QTest::newRow("name or vLLM module") << QStringLiteral("gate") << 4;
    QTest::newRow("no match") << QStringLiteral("experts") << 0;
}

void TestInventoryTableModel::filtersByWords()
{
    QFETCH(QString, filter);
    QFETCH(int, rows);
    InventoryTableModel model;
    model.setInventory(m_inventory);
    LinearFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setFilterWords(filter);
    QCOMPARE(proxy.rowCount(), rows);
}

void TestInventoryTableModel::emptyModel()
{
    InventoryTableModel model;
    QCOMPARE(model.rowCount(), 0);
    model.setInventory(m_inventory);
    model.setInventory(nullptr);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.index(0, 0).data().isValid());
    QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Name"));
}

void TestInventoryTableModel::largeModelStaysFast()
{
    const QString dir = QStringLiteral(PQ_SHARED_DATA_DIR "/configs/qwen3.6-35b-a3b");
    if (!QDir(dir).exists()) {
        QSKIP("shared data not present");
    }
    const auto inventory = loadInventory(dir);
    QVERIFY(inventory);
    InventoryTableModel model;
    LinearFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QElapsedTimer clock;
    clock.start();
    model.setInventory(inventory);
    const qint64 resetMs = clock.restart();
    proxy.sort(col(Column::Params), Qt::DescendingOrder);
    const qint64 sortMs = clock.restart();
    proxy.setFilterWords(QStringLiteral("layers.7 experts down"));
    const qint64 filterMs = clock.elapsed();
    qInfo("31,806 Linears: reset %lld ms, sort %lld ms, filter %lld ms", resetMs, sortMs, filterMs);
    QCOMPARE(model.rowCount(), 31806);
    QCOMPARE(proxy.rowCount(), 256);
    // Generous bounds for a loaded 2-core CI machine; a per-row widget design takes far longer.
    QVERIFY(resetMs < 2000 && sortMs < 5000 && filterMs < 2000);
}

QTEST_MAIN(TestInventoryTableModel)
#include "test_inventory_table_model.moc"
