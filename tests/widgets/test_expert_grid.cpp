// SPDX-License-Identifier: MIT
// widgets/sensitivity/expert_grid*.h: the MoE layer × expert grid of routed tokens (issue 9).
// Built from a synthetic qwen3_moe run whose experts the calibration reached unevenly: one
// never, one too rarely (prior); the grid's cells, colours, marks and tooltips say which, and a
// double-click (or Enter) on the heatmap's experts cell opens it.
#include <cmath>
#include <string>

#include <QElapsedTimer>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/model/synthetic_checkpoint.h"
#include "core/pipeline/run_costs.h"
#include "tests/support/synthetic_run.h"
#include "widgets/run/run_document.h"
#include "widgets/sensitivity/expert_grid.h"
#include "widgets/sensitivity/expert_grid_data.h"
#include "widgets/sensitivity/expert_grid_dialog.h"
#include "widgets/sensitivity/heatmap_legend.h"
#include "widgets/sensitivity/sensitivity_heatmap.h"
#include "widgets/sensitivity/sensitivity_view.h"
#include "widgets/sensitivity/weight_histogram_view.h"

using pq::core::LinearRole;
using pq::widgets::buildExpertGrid;
using pq::widgets::ExpertGrid;
using pq::widgets::ExpertGridData;
using pq::widgets::ExpertReach;
using pq::widgets::HeatmapIndex;
using pq::widgets::HeatmapLegend;

namespace {

constexpr int TIMEOUT_MS = 20000;

/** A qwen3_moe model: layer 0 routes 8 experts, layer 1 is dense (as in tests/probe). */
constexpr const char *QWEN3_MOE_CONFIG = R"({
    "model_type": "qwen3_moe", "hidden_size": 64, "intermediate_size": 96,
    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
    "head_dim": 16, "vocab_size": 128, "rms_norm_eps": 1e-6, "tie_word_embeddings": false,
    "torch_dtype": "float32", "num_experts_per_tok": 2, "num_experts": 8,
    "moe_intermediate_size": 32, "norm_topk_prob": true, "mlp_only_layers": [1]})";

constexpr std::int64_t UNREACHED = 3;  ///< no routed token
constexpr std::int64_t RARE = 5;       ///< 2 tokens: the layer's prior

/** Routed tokens of expert e: 100·(e + 1), except the unreached and the rare one. */
std::uint64_t expertTokens(std::int64_t e)
{
    return e == UNREACHED ? 0 : e == RARE ? 2 : 100 * static_cast<std::uint64_t>(e + 1);
}

void setExpertTokens(const pq::core::LinearInfo &l, pq::core::data::LinearSensitivity &s)
{
    if (l.expert >= 0) {
        s.tokens = expertTokens(l.expert);
        s.prior = l.expert == UNREACHED || l.expert == RARE;
    }
}

/** Centre pixel of a cell in a grab of the widget. */
QColor centre(const QImage &image, const QRect &cell)
{
    return image.pixelColor(cell.center());
}

}  // namespace

class TestExpertGrid : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void gridFromReport();
    void missingLinearIsNotMeasured();
    void paintsTokensAndMarks();
    void tooltipAndKeyboard();
    void largeGridRenders();
    void doubleClickOpensGrid();
    void enterOpensGridOnlyForExperts();

private:
    pq::core::pipeline::RunCosts costs() const;

    QTemporaryDir m_dir;
    std::string m_model;
    QString m_run;
};

void TestExpertGrid::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_model = m_dir.filePath(QStringLiteral("qwen3_moe")).toStdString();
    const auto written = pq::core::writeSyntheticCheckpoint(QWEN3_MOE_CONFIG, m_model, 7, {}, {});
    QVERIFY2(written.has_value(), written ? "" : written.error().message().c_str());
    m_run = m_dir.filePath(QStringLiteral("run"));
    const auto run = pq::test::writeSyntheticRun(m_model, m_run.toStdString(), setExpertTokens);
    QVERIFY2(run.has_value(), run ? "" : run.error().message().c_str());
}

pq::core::pipeline::RunCosts TestExpertGrid::costs() const
{
    auto costs = pq::core::pipeline::loadRunCosts(m_run.toStdString());
    if (!costs) {
        qFatal("%s", costs.error().message().c_str());
    }
    return std::move(*costs);
}

void TestExpertGrid::gridFromReport()
{
    const auto run = costs();
    const ExpertGridData grid = buildExpertGrid(run.inventory, run.report, LinearRole::ExpertDown);
    QCOMPARE(grid.role, LinearRole::ExpertDown);
    QCOMPARE(grid.rowCount(), 1);  // layer 1 is dense
    QCOMPARE(grid.columnCount(), 8);
    QCOMPARE(grid.rows[0].layer, std::int64_t{0});
    QCOMPARE(grid.rowOf(pq::core::Section::Text, 0), 0);
    QCOMPARE(grid.rowOf(pq::core::Section::Text, 1), -1);
    for (int e = 0; e < 8; ++e) {
        const auto &cell = grid.cell(0, e);
        QVERIFY(cell.linear.has_value());
        const pq::core::LinearInfo &l = run.inventory.linears[*cell.linear];
        QCOMPARE(l.role, LinearRole::ExpertDown);
        QCOMPARE(l.expert, std::int64_t{e});
        QCOMPARE(cell.name, l.name);
        QCOMPARE(cell.tokens, expertTokens(e));
        const ExpertReach reach = e == UNREACHED ? ExpertReach::Unreached
                                  : e == RARE    ? ExpertReach::Prior
                                                 : ExpertReach::Reached;
        QCOMPARE(cell.reach, reach);
        QCOMPARE(cell.estimated(), e == UNREACHED || e == RARE);
    }
    QCOMPARE(grid.unreached, 1);
    QCOMPARE(grid.priors, 1);
    QVERIFY(grid.tokenRange.has_value());
    QCOMPARE(grid.tokenRange->min, std::log10(2.0));
    QCOMPARE(grid.tokenRange->max, std::log10(800.0));
    // a role no Linear has gives an empty grid
    const ExpertGridData none = buildExpertGrid(run.inventory, run.report, LinearRole::SharedUp);
    QCOMPARE(none.rowCount(), 0);
    QCOMPARE(none.columnCount(), 0);
    QVERIFY(!none.tokenRange);
}

void TestExpertGrid::missingLinearIsNotMeasured()
{
    auto run = costs();
    const std::string dropped = "model.layers.0.mlp.experts.6.gate_proj";
    std::erase_if(run.report.linears, [&](const auto &s) { return s.name == dropped; });
    const ExpertGridData grid = buildExpertGrid(run.inventory, run.report, LinearRole::ExpertGate);
    QCOMPARE(grid.cell(0, 6).reach, ExpertReach::NotMeasured);
    QCOMPARE(grid.cell(0, 6).name, dropped);
    QCOMPARE(grid.cell(0, 7).reach, ExpertReach::Reached);
    ExpertGrid w;
    w.setData(grid);
    QVERIFY(!w.cellColour(0, 6).isValid());  // hatched, no colour of the scale
}

void TestExpertGrid::paintsTokensAndMarks()
{
    const auto run = costs();
    ExpertGrid w;
    w.setData(buildExpertGrid(run.inventory, run.report, LinearRole::ExpertGate));
    QVERIFY(!w.accessibleName().isEmpty());
    w.resize(700, 300);
    w.show();
    const QImage image = w.grab().toImage();
    // the busiest expert is the top of viridis, the rarely reached one the bottom
    QCOMPARE(centre(image, w.cellRect(0, 7)), HeatmapLegend::viridis(1.0));
    QCOMPARE(w.cellColour(0, 7), HeatmapLegend::viridis(1.0));
    QCOMPARE(w.cellColour(0, RARE), HeatmapLegend::viridis(0.0));
    const double t1 = (std::log10(200.0) - std::log10(2.0)) / (std::log10(800.0) - std::log10(2.0));
    QCOMPARE(centre(image, w.cellRect(0, 1)), HeatmapLegend::viridis(t1));
    // never reached: vermillion, a colour the token scale never takes
    const QColor unreached = centre(image, w.cellRect(0, UNREACHED));
    QCOMPARE(unreached, HeatmapLegend::unreachedColour());
    for (int i = 0; i <= 100; ++i) {
        QVERIFY(HeatmapLegend::viridis(i / 100.0) != unreached);
    }
    // prior: its token colour with a dot in the middle
    const QRect rare = w.cellRect(0, RARE);
    const QColor fill = HeatmapLegend::viridis(0.0);
    QCOMPARE(centre(image, rare), HeatmapLegend::markColour(fill));
    QCOMPARE(image.pixelColor(rare.topLeft() + QPoint(1, 1)), fill);
    QVERIFY(centre(image, w.cellRect(0, 0)) != HeatmapLegend::markColour(fill));
}

void TestExpertGrid::tooltipAndKeyboard()
{
    const auto run = costs();
    ExpertGrid w;
    w.setData(buildExpertGrid(run.inventory, run.report, LinearRole::ExpertUp));
    w.resize(700, 300);
    w.show();
    const QString unreached = w.tooltipText(0, UNREACHED);
    for (const QString &part : {QStringLiteral("Layer 0"), QStringLiteral("expert 3"),
                                QStringLiteral("model.layers.0.mlp.experts.3.up_proj"),
                                QStringLiteral("Routed tokens: 0"), QStringLiteral("Never reached"),
                                QStringLiteral("prior estimate")}) {
        QVERIFY2(unreached.contains(part),
                 qPrintable(part + QStringLiteral(" not in ") + unreached));
    }
    QVERIFY(w.tooltipText(0, RARE).contains(QStringLiteral("Prior estimate")));
    QVERIFY(w.tooltipText(0, RARE).contains(QStringLiteral("Routed tokens: 2")));
    const QString reached = w.tooltipText(0, 7);
    QVERIFY(reached.contains(QStringLiteral("not a prior estimate")));
    QVERIFY(!reached.contains(QStringLiteral("Never reached")));
    QVERIFY(w.tooltipText(1, 0).isEmpty());
    // the arrow keys move the selection, Enter activates; the description follows
    QSignalSpy selected(&w, &ExpertGrid::cellSelected);
    QSignalSpy activated(&w, &ExpertGrid::cellActivated);
    QTest::keyClick(&w, Qt::Key_Right);  // nothing selected: starts at the first expert
    QCOMPARE(w.selectedCell(), (HeatmapIndex{0, 0}));
    for (int i = 0; i < UNREACHED; ++i) {
        QTest::keyClick(&w, Qt::Key_Right);
    }
    QCOMPARE(w.selectedCell(), (HeatmapIndex{0, UNREACHED}));
    QCOMPARE(w.accessibleDescription(), unreached);
    QTest::keyClick(&w, Qt::Key_Down);  // one row: stays
    QTest::keyClick(&w, Qt::Key_End);
    QCOMPARE(w.selectedCell(), (HeatmapIndex{0, 7}));
    QCOMPARE(selected.count(), 5);
    QTest::keyClick(&w, Qt::Key_Return);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(1).toInt(), 7);
    QTest::mouseClick(&w, Qt::LeftButton, {}, w.cellRect(0, 2).center());
    QCOMPARE(w.selectedCell(), (HeatmapIndex{0, 2}));
}

void TestExpertGrid::largeGridRenders()
{
    // 94 layers × 256 experts (DeepSeek-V3's shape): one image, painted well inside a second
    ExpertGridData data;
    data.experts = 256;
    for (int layer = 0; layer < 94; ++layer) {
        data.rows.push_back({pq::core::Section::Text, layer, QString::number(layer)});
        for (int e = 0; e < 256; ++e) {
            pq::widgets::ExpertGridCell cell;
            cell.linear = static_cast<std::size_t>(layer * 256 + e);
            cell.tokens = static_cast<std::uint64_t>((layer * 256 + e) % 997);
            cell.reach = cell.tokens == 0 ? ExpertReach::Unreached : ExpertReach::Reached;
            data.cells.push_back(cell);
        }
    }
    data.tokenRange = pq::widgets::LogRange{0.0, std::log10(996.0)};
    ExpertGrid w;
    w.setData(std::move(data));
    w.resize(w.minimumSizeHint().expandedTo(QSize(1200, 900)));
    w.show();
    QElapsedTimer timer;
    timer.start();
    const QImage image = w.grab().toImage();
    qInfo("94 x 256 expert grid painted in %lld ms", static_cast<long long>(timer.elapsed()));
    QVERIFY(timer.elapsed() < 2000);  // generous: a frame on a desktop, slow CI included
    const QRect last = w.cellRect(93, 255);
    QVERIFY(w.rect().contains(last));
    QCOMPARE(centre(image, w.cellRect(0, 0)), HeatmapLegend::unreachedColour());
    QCOMPARE(w.cellAt(last.center()), (HeatmapIndex{93, 255}));
}

void TestExpertGrid::doubleClickOpensGrid()
{
    pq::widgets::RunDocument doc;
    pq::widgets::SensitivityView view(&doc);
    view.resize(1000, 800);
    view.show();
    doc.open(m_run);
    QTRY_VERIFY_WITH_TIMEOUT(doc.allocation() != nullptr && !doc.isSolving(), TIMEOUT_MS);
    pq::widgets::SensitivityHeatmap *heatmap = view.heatmap();
    const auto &columns = heatmap->data().columns;
    const auto down = std::find(columns.begin(), columns.end(), LinearRole::ExpertDown);
    QVERIFY(down != columns.end());
    const int column = static_cast<int>(down - columns.begin());
    QCOMPARE(heatmap->data().cell(0, column).experts, std::int64_t{8});
    QVERIFY(view.expertDialog() == nullptr);
    QTest::mouseDClick(heatmap, Qt::LeftButton, {}, heatmap->cellRect(0, column).center());
    QVERIFY(view.expertDialog() != nullptr);
    QVERIFY(view.expertDialog()->isVisible());
    ExpertGrid *grid = view.expertDialog()->grid();
    QCOMPARE(grid->data().role, LinearRole::ExpertDown);
    QCOMPARE(grid->data().rowCount(), 1);
    QCOMPARE(grid->data().columnCount(), 8);
    QCOMPARE(grid->selectedCell(), (HeatmapIndex{0, 0}));  // the clicked layer
    QCOMPARE(grid->cellColour(0, UNREACHED), HeatmapLegend::unreachedColour());
    QTRY_VERIFY(grid->width() > 0);
    const QImage image = grid->grab().toImage();
    QCOMPARE(centre(image, grid->cellRect(0, UNREACHED)), HeatmapLegend::unreachedColour());
    const QString summary = view.expertDialog()->summaryText();
    QVERIFY2(summary.contains(QStringLiteral("1 were never reached")), qPrintable(summary));
    QVERIFY(view.expertDialog()->detailText().contains(QStringLiteral("expert 0")));
    grid->setSelectedCell(0, UNREACHED);
    QVERIFY(view.expertDialog()->detailText().contains(QStringLiteral("Never reached")));

    // the histogram shows the cell's first expert; activating an expert shows that one's
    pq::widgets::WeightHistogramView *histogram = view.histogram();
    QTRY_VERIFY_WITH_TIMEOUT(histogram->title().contains(QStringLiteral("experts.0.down_proj")),
                             TIMEOUT_MS);
    QSignalSpy activated(view.expertDialog(), &pq::widgets::ExpertGridDialog::expertActivated);
    QTest::mouseDClick(grid, Qt::LeftButton, {}, grid->cellRect(0, UNREACHED).center());
    QCOMPARE(activated.count(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(histogram->title().contains(QStringLiteral("experts.3.down_proj")),
                             TIMEOUT_MS);
    QCOMPARE(histogram->state(), pq::widgets::WeightHistogramView::State::Ready);
    QCOMPARE(histogram->histogram()->total, std::uint64_t{64 * 32});
    QCOMPARE(heatmap->selectedCell(), (HeatmapIndex{0, column}));
    // Enter on another expert does the same; selecting another cell goes back to first experts
    grid->setSelectedCell(0, 6);
    QTest::keyClick(grid, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(histogram->title().contains(QStringLiteral("experts.6.down_proj")),
                             TIMEOUT_MS);
    heatmap->setSelectedCell(0, column - 1);
    QTRY_VERIFY_WITH_TIMEOUT(histogram->title().contains(QStringLiteral("experts.0.up_proj")),
                             TIMEOUT_MS);
}

void TestExpertGrid::enterOpensGridOnlyForExperts()
{
    pq::widgets::RunDocument doc;
    pq::widgets::SensitivityView view(&doc);
    view.resize(1000, 800);
    view.show();
    doc.open(m_run);
    QTRY_VERIFY_WITH_TIMEOUT(doc.allocation() != nullptr && !doc.isSolving(), TIMEOUT_MS);
    pq::widgets::SensitivityHeatmap *heatmap = view.heatmap();
    heatmap->setSelectedCell(0, 0);  // q_proj: no experts
    QTest::keyClick(heatmap, Qt::Key_Return);
    QVERIFY(view.expertDialog() == nullptr);
    QTest::mouseDClick(heatmap, Qt::LeftButton, {}, heatmap->cellRect(1, 4).center());  // dense
    QVERIFY(view.expertDialog() == nullptr);
    const auto &columns = heatmap->data().columns;
    const int gate = static_cast<int>(
            std::find(columns.begin(), columns.end(), LinearRole::ExpertGate) - columns.begin());
    heatmap->setSelectedCell(0, gate);
    QTest::keyClick(heatmap, Qt::Key_Enter);
    QVERIFY(view.expertDialog() != nullptr && view.expertDialog()->isVisible());
    QCOMPARE(view.expertDialog()->grid()->data().role, LinearRole::ExpertGate);
}

QTEST_MAIN(TestExpertGrid)
#include "test_expert_grid.moc"
