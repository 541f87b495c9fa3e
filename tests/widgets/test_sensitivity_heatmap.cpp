// SPDX-License-Identifier: MIT
#include <cmath>
#include <string>

#include <QElapsedTimer>
#include <QHelpEvent>
#include <QImage>
#include <QLocale>
#include <QPixmap>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>

#include "core/model/inventory.h"
#include "core/model/synthetic_checkpoint.h"
#include "core/quant/format_spec.h"
#include "widgets/model/display_text.h"
#include "widgets/sensitivity/heatmap_data.h"
#include "widgets/sensitivity/heatmap_legend.h"
#include "widgets/sensitivity/sensitivity_heatmap.h"

using pq::core::LinearRole;
using pq::core::ModelInventory;
using pq::core::alloc::Allocation;
using pq::core::alloc::LinearCosts;
using pq::core::quant::FormatId;
using pq::widgets::buildHeatmap;
using pq::widgets::HeatmapData;
using pq::widgets::HeatmapIndex;
using pq::widgets::HeatmapLegend;
using pq::widgets::SensitivityHeatmap;
using Mode = SensitivityHeatmap::Mode;

namespace {

const QString EXAMPLE = QStringLiteral(PQ_SOURCE_DIR "/examples/tiny-random-llama");

/** A qwen3_moe model: layer 0 routes 8 experts, layer 1 is dense (as in tests/probe). */
constexpr const char *QWEN3_MOE_CONFIG = R"({
    "model_type": "qwen3_moe", "hidden_size": 64, "intermediate_size": 96,
    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
    "head_dim": 16, "vocab_size": 128, "rms_norm_eps": 1e-6, "tie_word_embeddings": false,
    "torch_dtype": "float32", "num_experts_per_tok": 2, "num_experts": 8,
    "moe_intermediate_size": 32, "norm_topk_prob": true, "mlp_only_layers": [1]})";

/** Synthetic Δloss: (layer + 1) × (role + 1) × 10⁻² for NVFP4, × 10⁻⁴ for MXFP8, 0 for BF16. */
double syntheticCost(const pq::core::LinearInfo &l, FormatId format)
{
    const double scale = format == FormatId::NVFP4 ? 1e-2 : format == FormatId::MXFP8 ? 1e-4 : 0.0;
    return static_cast<double>(l.layer + 1) * (static_cast<int>(l.role) + 1) * scale;
}

LinearCosts syntheticCosts(const ModelInventory &inv)
{
    LinearCosts costs;
    for (const pq::core::LinearInfo &l : inv.linears) {
        for (const FormatId f : {FormatId::BF16, FormatId::MXFP8, FormatId::NVFP4}) {
            costs.byLinear[l.name][f] = syntheticCost(l, f);
        }
    }
    return costs;
}

ModelInventory exampleInventory()
{
    auto inv = pq::core::inventoryModelDir(EXAMPLE.toStdString());
    if (!inv) {
        qFatal("%s", inv.error().message().c_str());
    }
    return std::move(*inv);
}

pq::core::LinearInfo
linear(std::string name, LinearRole role, pq::core::Section section, std::int64_t layer)
{
    pq::core::LinearInfo l;
    l.name = std::move(name);
    l.role = role;
    l.section = section;
    l.layer = layer;
    l.outFeatures = 8;
    l.inFeatures = 4;
    return l;
}

/** The widget, shown at a size where every label fits, with the example's data. */
struct ShownHeatmap
{
    SensitivityHeatmap widget;

    explicit ShownHeatmap(HeatmapData data)
    {
        widget.setData(std::move(data));
        widget.setFormat(FormatId::NVFP4);
        widget.resize(480, 320);
        widget.show();
    }
};

QColor pixelAt(const QImage &image, QPoint pos)
{
    return image.pixelColor(pos);
}

}  // namespace

class TestSensitivityHeatmap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void denseGrid();
    void missingCostDropsFormat();
    void chosenFormat();
    void mtpRowsComeLast();
    void moeExpertsAggregate();
    void rendersColours();
    void assignmentColours();
    void clickSelects();
    void keyboardMoves();
    void tooltipShowsNumbers();
    void formatFallsBackToOneWithCosts();
    void largeGridRenders();
};

void TestSensitivityHeatmap::denseGrid()
{
    const ModelInventory inv = exampleInventory();
    const HeatmapData data = buildHeatmap(inv, syntheticCosts(inv), nullptr);
    QCOMPARE(data.rowCount(), 2);
    QCOMPARE(data.rows[0].label, QStringLiteral("0"));
    QCOMPARE(data.rows[1].label, QStringLiteral("1"));
    const std::vector<LinearRole> roles = {
            LinearRole::AttnQ,   LinearRole::AttnK, LinearRole::AttnV,  LinearRole::AttnO,
            LinearRole::MlpGate, LinearRole::MlpUp, LinearRole::MlpDown};
    QVERIFY(data.columns == roles);
    QCOMPARE(data.cells.size(), std::size_t{14});
    QVERIFY(!data.hasAllocation);
    for (int row = 0; row < data.rowCount(); ++row) {
        for (int column = 0; column < data.columnCount(); ++column) {
            const auto &cell = data.cell(row, column);
            QCOMPARE(cell.linears.size(), std::size_t{1});
            const pq::core::LinearInfo &l = inv.linears[cell.linears[0]];
            QCOMPARE(l.layer, row);
            QCOMPARE(l.role, roles[static_cast<std::size_t>(column)]);
            QCOMPARE(cell.module, l.name);
            QCOMPARE(cell.params, l.params());
            QCOMPARE(cell.experts, std::int64_t{0});
            QCOMPARE(*cell.cost(FormatId::NVFP4), syntheticCost(l, FormatId::NVFP4));
            QCOMPARE(*cell.cost(FormatId::BF16), 0.0);
            QVERIFY(!cell.chosen && !cell.mixed);
        }
    }
    QCOMPARE(data.cell(0, 0).params, std::uint64_t{64 * 64});   // q
    QCOMPARE(data.cell(0, 1).params, std::uint64_t{32 * 64});   // k: 2 KV heads of 16
    QCOMPARE(data.cell(1, 6).params, std::uint64_t{64 * 176});  // down
    // menu order, and log10 ranges over positive costs only (BF16 has none)
    QVERIFY((data.formats == std::vector{FormatId::BF16, FormatId::MXFP8, FormatId::NVFP4}));
    QVERIFY(!data.logRange.contains(FormatId::BF16));
    const double hi = std::log10(2 * (static_cast<int>(LinearRole::MlpDown) + 1) * 1e-2);
    QCOMPARE(data.logRange.at(FormatId::NVFP4).min, -2.0);
    QCOMPARE(data.logRange.at(FormatId::NVFP4).max, hi);
    QCOMPARE(data.logRange.at(FormatId::MXFP8).min, -4.0);
}

void TestSensitivityHeatmap::missingCostDropsFormat()
{
    const ModelInventory inv = exampleInventory();
    LinearCosts costs = syntheticCosts(inv);
    costs.byLinear[inv.linears[0].name].erase(FormatId::MXFP8);
    costs.byLinear.erase(inv.linears[1].name);
    const HeatmapData data = buildHeatmap(inv, costs, nullptr);
    QVERIFY(!data.cell(0, 0).cost(FormatId::MXFP8));
    QVERIFY(data.cell(0, 0).cost(FormatId::NVFP4));
    QVERIFY(data.cell(0, 1).costs.empty());
    QVERIFY(!data.cell(0, 1).empty());
}

void TestSensitivityHeatmap::chosenFormat()
{
    const ModelInventory inv = exampleInventory();
    Allocation allocation;
    allocation.linearFormats.assign(inv.linears.size(), FormatId::NVFP4);
    const HeatmapData plain = buildHeatmap(inv, syntheticCosts(inv), nullptr);
    const std::size_t q1 = plain.cell(1, 0).linears[0];
    allocation.linearFormats[q1] = FormatId::MXFP8;
    HeatmapData data = buildHeatmap(inv, syntheticCosts(inv), &allocation);
    QVERIFY(data.hasAllocation);
    QCOMPARE(*data.cell(1, 0).chosen, FormatId::MXFP8);
    QCOMPARE(*data.cell(0, 0).chosen, FormatId::NVFP4);
    QVERIFY(!data.cell(1, 0).mixed);
    QVERIFY((data.chosenFormats == std::vector{FormatId::MXFP8, FormatId::NVFP4}));
    // an allocation shorter than the inventory leaves the rest unassigned, not mixed
    allocation.linearFormats.resize(1);
    data = buildHeatmap(inv, syntheticCosts(inv), &allocation);
    QVERIFY(data.cell(0, 0).chosen);
    QVERIFY(!data.cell(1, 6).chosen && !data.cell(1, 6).mixed);
}

void TestSensitivityHeatmap::mtpRowsComeLast()
{
    using pq::core::Section;
    ModelInventory inv;
    inv.linears = {linear("model.layers.0.self_attn.q_proj", LinearRole::AttnQ, Section::Text, 0),
                   linear("model.layers.1.mlp.down_proj", LinearRole::MlpDown, Section::Text, 1),
                   linear("mtp.fc", LinearRole::MtpProj, Section::Mtp, -1),
                   linear("mtp.layers.0.self_attn.q_proj", LinearRole::AttnQ, Section::Mtp, 0)};
    const HeatmapData data = buildHeatmap(inv, {}, nullptr);
    QCOMPARE(data.rowCount(), 3);
    QCOMPARE(data.rows[2].label, QStringLiteral("MTP 0"));
    QVERIFY((data.columns ==
             std::vector{LinearRole::AttnQ, LinearRole::MlpDown, LinearRole::MtpProj}));
    QCOMPARE(data.cell(2, 0).linears, std::vector<std::size_t>{3});
    QCOMPARE(data.cell(2, 2).linears, std::vector<std::size_t>{2});  // mtp.fc joins MTP 0
    QVERIFY(data.cell(0, 1).empty() && data.cell(1, 0).empty() && data.cell(2, 1).empty());
    QVERIFY(data.formats.empty() && data.logRange.empty());
}

void TestSensitivityHeatmap::moeExpertsAggregate()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string model = dir.filePath(QStringLiteral("qwen3_moe")).toStdString();
    const auto written = pq::core::writeSyntheticCheckpoint(QWEN3_MOE_CONFIG, model, 7, {}, {});
    QVERIFY2(written.has_value(), written ? "" : written.error().message().c_str());
    const auto inv = pq::core::inventoryModelDir(model);
    QVERIFY2(inv.has_value(), inv ? "" : inv.error().message().c_str());
    Allocation allocation;
    allocation.linearFormats.assign(inv->linears.size(), FormatId::NVFP4);
    for (std::size_t i = 0; i < inv->linears.size(); ++i) {
        const pq::core::LinearInfo &l = inv->linears[i];
        if (l.role == LinearRole::ExpertDown && l.expert == 7) {
            allocation.linearFormats[i] = FormatId::MXFP8;
        }
    }
    const LinearCosts costs = syntheticCosts(*inv);
    const HeatmapData data = buildHeatmap(*inv, costs, &allocation);
    const std::vector<LinearRole> roles = {LinearRole::AttnQ,    LinearRole::AttnK,
                                           LinearRole::AttnV,    LinearRole::AttnO,
                                           LinearRole::MlpGate,  LinearRole::MlpUp,
                                           LinearRole::MlpDown,  LinearRole::ExpertGate,
                                           LinearRole::ExpertUp, LinearRole::ExpertDown};
    QVERIFY(data.columns == roles);
    QCOMPARE(data.rowCount(), 2);
    for (int column = 7; column < 10; ++column) {
        const auto &cell = data.cell(0, column);
        QCOMPARE(cell.linears.size(), std::size_t{8});
        QCOMPARE(cell.experts, std::int64_t{8});
        QCOMPARE(cell.params, std::uint64_t{8 * 32 * 64});
        double sum = 0.0;
        for (const std::size_t i : cell.linears) {
            QCOMPARE(inv->linears[i].role, roles[static_cast<std::size_t>(column)]);
            sum += costs.byLinear.at(inv->linears[i].name).at(FormatId::NVFP4);
        }
        QCOMPARE(*cell.cost(FormatId::NVFP4), sum);
        QVERIFY(data.cell(1, column).empty());  // layer 1 is dense
        QVERIFY(data.cell(0, column - 3).empty());
    }
    QVERIFY(data.cell(0, 7).chosen && !data.cell(0, 7).mixed);
    QVERIFY(!data.cell(0, 9).chosen && data.cell(0, 9).mixed);  // expert 7 differs
    QVERIFY(!data.cell(1, 4).empty());
}

void TestSensitivityHeatmap::rendersColours()
{
    const ModelInventory inv = exampleInventory();
    ShownHeatmap shown(buildHeatmap(inv, syntheticCosts(inv), nullptr));
    SensitivityHeatmap &w = shown.widget;
    QCOMPARE(w.mode(), Mode::Sensitivity);
    const QImage image = w.grab().toImage();
    QCOMPARE(image.size(), w.size());
    const QRect low = w.cellRect(0, 0);   // smallest cost: the bottom of viridis
    const QRect high = w.cellRect(1, 6);  // largest cost: the top
    QVERIFY(w.rect().contains(low) && w.rect().contains(high));
    QCOMPARE(pixelAt(image, low.center()), HeatmapLegend::viridis(0.0));
    QCOMPARE(pixelAt(image, high.center()), HeatmapLegend::viridis(1.0));
    QCOMPARE(pixelAt(image, w.cellRect(1, 0).center()), w.cellColour(1, 0));
    QVERIFY(pixelAt(image, w.cellRect(1, 0).center()) != pixelAt(image, low.center()));
    // another format rescales: MXFP8 has the same relative spread, so the same colours
    w.setFormat(FormatId::MXFP8);
    QCOMPARE(w.grab().toImage().pixelColor(high.center()), HeatmapLegend::viridis(1.0));
}

void TestSensitivityHeatmap::assignmentColours()
{
    const ModelInventory inv = exampleInventory();
    Allocation allocation;
    allocation.linearFormats.assign(inv.linears.size(), FormatId::NVFP4);
    allocation.linearFormats[0] = FormatId::MXFP8;
    ShownHeatmap shown(buildHeatmap(inv, syntheticCosts(inv), &allocation));
    SensitivityHeatmap &w = shown.widget;
    w.setMode(Mode::Assignment);
    const QImage image = w.grab().toImage();
    QCOMPARE(pixelAt(image, w.cellRect(0, 0).center()),
             HeatmapLegend::formatColour(FormatId::MXFP8));
    QCOMPARE(pixelAt(image, w.cellRect(1, 3).center()),
             HeatmapLegend::formatColour(FormatId::NVFP4));
    QCOMPARE(w.cellColour(1, 3), HeatmapLegend::formatColour(FormatId::NVFP4));
}

void TestSensitivityHeatmap::clickSelects()
{
    const ModelInventory inv = exampleInventory();
    ShownHeatmap shown(buildHeatmap(inv, syntheticCosts(inv), nullptr));
    SensitivityHeatmap &w = shown.widget;
    QSignalSpy selected(&w, &SensitivityHeatmap::cellSelected);
    QSignalSpy activated(&w, &SensitivityHeatmap::cellActivated);
    QTest::mouseClick(&w, Qt::LeftButton, {}, w.cellRect(1, 2).center());
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.at(0).at(0).toInt(), 1);
    QCOMPARE(selected.at(0).at(1).toInt(), 2);
    QCOMPARE(w.selectedCell(), (HeatmapIndex{1, 2}));
    // clicking the same cell again changes nothing; outside the grid neither
    QTest::mouseClick(&w, Qt::LeftButton, {}, w.cellRect(1, 2).center());
    QTest::mouseClick(&w, Qt::LeftButton, {}, QPoint(1, 1));
    QCOMPARE(selected.count(), 1);
    QCOMPARE(w.cellAt(QPoint(1, 1)), HeatmapIndex{});
    QTest::mouseDClick(&w, Qt::LeftButton, {}, w.cellRect(0, 5).center());
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toInt(), 0);
    QCOMPARE(activated.at(0).at(1).toInt(), 5);
    QCOMPARE(w.selectedCell(), (HeatmapIndex{0, 5}));
}

void TestSensitivityHeatmap::keyboardMoves()
{
    const ModelInventory inv = exampleInventory();
    ShownHeatmap shown(buildHeatmap(inv, syntheticCosts(inv), nullptr));
    SensitivityHeatmap &w = shown.widget;
    QCOMPARE(w.focusPolicy(), Qt::StrongFocus);
    QVERIFY(!w.accessibleName().isEmpty());
    QSignalSpy selected(&w, &SensitivityHeatmap::cellSelected);
    QSignalSpy activated(&w, &SensitivityHeatmap::cellActivated);
    QTest::keyClick(&w, Qt::Key_Down);  // nothing selected yet: starts at the top left
    QCOMPARE(w.selectedCell(), (HeatmapIndex{0, 0}));
    QTest::keyClick(&w, Qt::Key_Right);
    QTest::keyClick(&w, Qt::Key_Right);
    QTest::keyClick(&w, Qt::Key_Down);
    QCOMPARE(w.selectedCell(), (HeatmapIndex{1, 2}));
    QTest::keyClick(&w, Qt::Key_Down);  // clamped at the last row: no signal
    QCOMPARE(w.selectedCell(), (HeatmapIndex{1, 2}));
    QCOMPARE(selected.count(), 4);
    QTest::keyClick(&w, Qt::Key_End);
    QCOMPARE(w.selectedCell(), (HeatmapIndex{1, 6}));
    QTest::keyClick(&w, Qt::Key_Up);
    QTest::keyClick(&w, Qt::Key_Left);
    QCOMPARE(w.selectedCell(), (HeatmapIndex{0, 5}));
    QTest::keyClick(&w, Qt::Key_Return);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toInt(), 0);
    QCOMPARE(activated.at(0).at(1).toInt(), 5);
    QCOMPARE(selected.last().at(1).toInt(), 5);
    // new data of the same shape keeps the selection; an empty grid clears it
    w.setData(buildHeatmap(inv, syntheticCosts(inv), nullptr));
    QCOMPARE(w.selectedCell(), (HeatmapIndex{0, 5}));
    w.setData({});
    QCOMPARE(w.selectedCell(), HeatmapIndex{});
    QCOMPARE(selected.last().at(0).toInt(), -1);
}

void TestSensitivityHeatmap::tooltipShowsNumbers()
{
    const ModelInventory inv = exampleInventory();
    Allocation allocation;
    allocation.linearFormats.assign(inv.linears.size(), FormatId::NVFP4);
    ShownHeatmap shown(buildHeatmap(inv, syntheticCosts(inv), &allocation));
    SensitivityHeatmap &w = shown.widget;
    const auto &cell = w.data().cell(1, 4);  // layer 1 gate
    const QString text = w.tooltipText(1, 4);
    const QLocale locale = w.locale();
    const double nvfp4 = *cell.cost(FormatId::NVFP4);
    const double mxfp8 = *cell.cost(FormatId::MXFP8);
    for (const QString &part :
         {QStringLiteral("Layer 1"), QStringLiteral("gate"), QString::fromStdString(cell.module),
          pq::widgets::DisplayText::count(cell.params), QStringLiteral("NVFP4"),
          locale.toString(nvfp4, 'g', 3), locale.toString(mxfp8, 'g', 3),
          QStringLiteral("Chosen format: NVFP4")}) {
        QVERIFY2(text.contains(part), qPrintable(part + QStringLiteral(" not in ") + text));
    }
    QVERIFY(w.tooltipText(5, 0).isEmpty());
    // the widget answers a tooltip event with the same text
    QHelpEvent help(QEvent::ToolTip, w.cellRect(1, 4).center(),
                    w.mapToGlobal(w.cellRect(1, 4).center()));
    QVERIFY(QCoreApplication::sendEvent(&w, &help));
    QTRY_COMPARE(QToolTip::text(), text);
    QToolTip::hideText();
}

void TestSensitivityHeatmap::formatFallsBackToOneWithCosts()
{
    const ModelInventory inv = exampleInventory();
    LinearCosts costs = syntheticCosts(inv);
    for (auto &[name, byFormat] : costs.byLinear) {
        byFormat.erase(FormatId::NVFP4);
    }
    SensitivityHeatmap w;
    w.setFormat(FormatId::NVFP4);
    w.setData(buildHeatmap(inv, costs, nullptr));
    QCOMPARE(w.format(), FormatId::MXFP8);  // BF16 has costs, but all zero
    w.setFormat(FormatId::BF16);            // an explicit choice stands
    QCOMPARE(w.format(), FormatId::BF16);
    w.resize(400, 300);
    QVERIFY(!w.grab().isNull());
}

void TestSensitivityHeatmap::largeGridRenders()
{
    // 100 layers × 20 roles, built by hand: the grid must stay a single cheap image
    HeatmapData data;
    for (int row = 0; row < 100; ++row) {
        data.rows.push_back({pq::core::Section::Text, row, QString::number(row)});
    }
    for (int column = 0; column < 20; ++column) {
        data.columns.push_back(static_cast<LinearRole>(column));
    }
    for (int i = 0; i < 100 * 20; ++i) {
        pq::widgets::HeatmapCell cell;
        cell.linears = {static_cast<std::size_t>(i)};
        cell.costs[FormatId::NVFP4] = std::pow(10.0, -6.0 + 5.0 * i / 2000.0);
        data.cells.push_back(std::move(cell));
    }
    data.formats = {FormatId::NVFP4};
    data.logRange[FormatId::NVFP4] = {-6.0, -1.0};
    SensitivityHeatmap w;
    w.setData(std::move(data));
    w.resize(900, 800);
    w.show();
    QElapsedTimer timer;
    timer.start();
    const QImage image = w.grab().toImage();
    qInfo("100 x 20 grid painted in %lld ms", static_cast<long long>(timer.elapsed()));
    QVERIFY(timer.elapsed() < 2000);  // generous: a frame on a desktop, slow CI included
    const QRect last = w.cellRect(99, 19);
    QVERIFY(w.rect().contains(last));
    QVERIFY(pixelAt(image, w.cellRect(0, 0).center()) != pixelAt(image, last.center()));
}

QTEST_MAIN(TestSensitivityHeatmap)
#include "test_sensitivity_heatmap.moc"
