// SPDX-License-Identifier: MIT
// widgets/sensitivity/weight_histogram*.h: a Linear's weights counted in units of its format's
// element grid, read from the checkpoint in the background (issue 9). Known tensors give known
// counts; NVFP4's grid is E2M1's values; a result for a Linear no longer selected is dropped.
#include <future>
#include <numeric>
#include <vector>

#include <QImage>
#include <QSignalSpy>
#include <QTest>

#include "core/export/export_plan.h"
#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/quant/weight_rows.h"
#include "tests/support/synthetic_run.h"
#include "widgets/run/run_document.h"
#include "widgets/sensitivity/sensitivity_heatmap.h"
#include "widgets/sensitivity/sensitivity_view.h"
#include "widgets/sensitivity/weight_histogram.h"
#include "widgets/sensitivity/weight_histogram_view.h"

using pq::core::quant::FormatId;
using pq::widgets::representableValues;
using pq::widgets::weightHistogram;
using pq::widgets::WeightHistogram;
using pq::widgets::WeightHistogramResult;
using pq::widgets::WeightHistogramView;
using State = WeightHistogramView::State;

namespace {

const std::string EXAMPLE = PQ_SOURCE_DIR "/examples/tiny-random-llama";
constexpr int TIMEOUT_MS = 20000;

/** FP4 E2M1's values (OCP MX spec), the grid of NVFP4 and MXFP4. */
const std::vector<double> E2M1 = {-6, -4, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 6};

std::uint64_t sum(const std::vector<std::uint64_t> &counts)
{
    return std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
}

/** A histogram job's result with `total` weights, for the stale-result tests. */
WeightHistogramResult fakeResult(std::uint64_t total)
{
    WeightHistogramResult r;
    r.histogram.format = FormatId::NVFP4;
    r.histogram.scaled = true;
    r.histogram.groupSize = 16;
    r.histogram.lo = -7.5;
    r.histogram.hi = 7.5;
    r.histogram.grid = E2M1;
    r.histogram.counts.assign(31, 0);
    r.histogram.counts[15] = total;
    r.histogram.total = total;
    return r;
}

}  // namespace

class TestWeightHistogram : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void representableValuesOfFormats_data();
    void representableValuesOfFormats();
    void bf16CountsRawWeights();
    void nvfp4CountsInGridUnits();
    void mxfp4SaturatedValuesBeyondGrid();
    void refusesShapesAndNonFinite();
    void readsLinearFromCheckpoint();
    void staleResultIsDropped();
    void clearDropsRunningJob();
    void marksGridUnderPlot();
    void viewShowsSelectedLinear();
};

void TestWeightHistogram::representableValuesOfFormats_data()
{
    QTest::addColumn<int>("formatId");
    QTest::addColumn<int>("count");
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::newRow("BF16") << static_cast<int>(FormatId::BF16) << 0 << 0.0 << 0.0;
    QTest::newRow("NVFP4") << static_cast<int>(FormatId::NVFP4) << 15 << -6.0 << 6.0;
    QTest::newRow("MXFP4") << static_cast<int>(FormatId::MXFP4) << 15 << -6.0 << 6.0;
    QTest::newRow("MXFP6E2M3") << static_cast<int>(FormatId::MXFP6E2M3) << 63 << -7.5 << 7.5;
    QTest::newRow("MXFP6E3M2") << static_cast<int>(FormatId::MXFP6E3M2) << 63 << -28.0 << 28.0;
    QTest::newRow("MXFP8") << static_cast<int>(FormatId::MXFP8) << 253 << -448.0
                           << 448.0;  // E4M3 without NaN
    QTest::newRow("FP8Dynamic") << static_cast<int>(FormatId::FP8Dynamic) << 253 << -448.0 << 448.0;
    QTest::newRow("W4A16") << static_cast<int>(FormatId::W4A16) << 16 << -8.0 << 7.0;
    QTest::newRow("W8A16") << static_cast<int>(FormatId::W8A16) << 256 << -128.0 << 127.0;
    QTest::newRow("W8A16Channel") << static_cast<int>(FormatId::W8A16Channel) << 256 << -128.0
                                  << 127.0;
}

void TestWeightHistogram::representableValuesOfFormats()
{
    QFETCH(int, formatId);
    const auto format = static_cast<FormatId>(formatId);
    QFETCH(int, count);
    QFETCH(double, min);
    QFETCH(double, max);
    const std::vector<double> grid = representableValues(format);
    QCOMPARE(static_cast<int>(grid.size()), count);
    QVERIFY(std::is_sorted(grid.begin(), grid.end()));
    QVERIFY(std::adjacent_find(grid.begin(), grid.end()) == grid.end());
    if (count > 0) {
        QCOMPARE(grid.front(), min);
        QCOMPARE(grid.back(), max);
        QVERIFY(std::binary_search(grid.begin(), grid.end(), 0.0));
    }
    if (format == FormatId::NVFP4 || format == FormatId::MXFP4) {
        QVERIFY(grid == E2M1);
    }
}

void TestWeightHistogram::bf16CountsRawWeights()
{
    const std::vector<float> w = {-1.0F, -0.5F, 0.0F, 0.0F, 0.5F, 1.0F, 0.25F, -0.25F};
    const auto h = weightHistogram(pq::core::quant::viewOf(w, 2, 4, "w"), FormatId::BF16, 4);
    QVERIFY2(h.has_value(), h ? "" : h.error().message().c_str());
    QVERIFY(!h->scaled);
    QVERIFY(h->grid.empty());
    QCOMPARE(h->lo, -1.0);
    QCOMPARE(h->hi, 1.0);
    // bins of 0.5 from −1: [−1, −0.5) [−0.5, 0) [0, 0.5) [0.5, 1]; the top edge joins the last
    QCOMPARE(h->counts, (std::vector<std::uint64_t>{1, 2, 3, 2}));
    QCOMPARE(h->total, std::uint64_t{8});
    QCOMPARE(h->maxAbs, 1.0);
    QCOMPARE(h->beyondGrid, std::uint64_t{0});
}

void TestWeightHistogram::nvfp4CountsInGridUnits()
{
    // Row 0: every E2M1 value × 2^-6 (and 6 twice); row 1: the same × 2^-4. Each group's scale
    // is then exactly 2^-6 or 2^-4 (E4M3 block scales 112 and 448 under the global scale), so
    // w / eff gives back the grid values themselves, whatever the group's magnitude.
    std::vector<float> w;
    for (const double scale : {0x1p-6, 0x1p-4}) {
        for (const double v : E2M1) {
            w.push_back(static_cast<float>(v * scale));
        }
        w.push_back(static_cast<float>(6.0 * scale));
    }
    const auto h = weightHistogram(pq::core::quant::viewOf(w, 2, 16, "w"), FormatId::NVFP4, 30);
    QVERIFY2(h.has_value(), h ? "" : h.error().message().c_str());
    QVERIFY(h->scaled);
    QCOMPARE(h->groupSize, 16U);
    QVERIFY(h->grid == E2M1);
    QCOMPARE(h->lo, -7.5);  // 1.25 × 6: saturated values would show past the end marks
    QCOMPARE(h->hi, 7.5);
    QCOMPARE(h->binWidth(), 0.5);
    QCOMPARE(h->total, std::uint64_t{32});
    QCOMPARE(sum(h->counts), std::uint64_t{32});
    for (const double v : E2M1) {
        const std::uint64_t expected = v == 6.0 ? 4 : 2;  // each row holds every value once
        QCOMPARE(h->counts[h->binOf(v)], expected);
    }
    QCOMPARE(h->maxAbs, 6.0);
    QCOMPARE(h->beyondGrid, std::uint64_t{0});
    QCOMPARE(h->binCentre(h->binOf(1.0)), 1.25);
}

void TestWeightHistogram::mxfp4SaturatedValuesBeyondGrid()
{
    // amax 6.5 rounds down to the power of two 4 (fraction 0.625 < 0.75), so the E8M0 scale is
    // 2^0 and 6.5 lies beyond E2M1's 6: the format clips it, and the histogram says so.
    std::vector<float> w(32, 0.0F);
    w[0] = 6.5F;
    w[1] = -3.0F;
    const auto h = weightHistogram(pq::core::quant::viewOf(w, 1, 32, "w"), FormatId::MXFP4, 30);
    QVERIFY(h.has_value());
    QCOMPARE(h->groupSize, 32U);
    QCOMPARE(h->beyondGrid, std::uint64_t{1});
    QCOMPARE(h->maxAbs, 6.5);
    QCOMPARE(h->counts[h->binOf(6.5)], std::uint64_t{1});
    QCOMPARE(h->counts[h->binOf(-3.0)], std::uint64_t{1});
    QCOMPARE(h->counts[h->binOf(0.0)], std::uint64_t{30});
}

void TestWeightHistogram::refusesShapesAndNonFinite()
{
    const std::vector<float> odd(10, 0.5F);
    const auto shape =
            weightHistogram(pq::core::quant::viewOf(odd, 1, 10, "w"), FormatId::NVFP4, 10);
    QVERIFY(!shape);
    QCOMPARE(shape.error().code, pq::core::ErrorCode::InvalidArgument);
    std::vector<float> nan(16, 0.5F);
    nan[3] = std::nanf("");
    QVERIFY(!weightHistogram(pq::core::quant::viewOf(nan, 1, 16, "w"), FormatId::BF16, 10));
    pq::core::JobContext cancelled;
    cancelled.requestCancel();
    const auto c = weightHistogram(pq::core::quant::viewOf(odd, 1, 10, "w"), FormatId::BF16, 10,
                                   &cancelled);
    QVERIFY(!c);
    QCOMPARE(c.error().code, pq::core::ErrorCode::Cancelled);
}

void TestWeightHistogram::readsLinearFromCheckpoint()
{
    auto inv = pq::core::inventoryModelDir(EXAMPLE);
    QVERIFY(inv.has_value());
    auto cp = pq::core::Checkpoint::open(EXAMPLE);
    QVERIFY(cp.has_value());
    const std::size_t down = inv->linears.size() - 1;  // the last layer's down_proj
    const pq::core::LinearInfo &l = inv->linears[down];
    // the reference: the weight's own maximum, through the exporter's view
    std::vector<std::byte> scratch;
    const auto view = pq::core::ct::linearWeightView(*inv, *cp, l, scratch);
    QVERIFY(view.has_value());
    const auto amax = pq::core::quant::weightMaxAbs(*view);
    QVERIFY(amax.has_value());
    const auto bf16 = pq::widgets::readWeightHistogram(*cp, *inv, down, FormatId::BF16, 101);
    QVERIFY2(bf16.has_value(), bf16 ? "" : bf16.error().message().c_str());
    QCOMPARE(bf16->total, l.params());
    QCOMPARE(sum(bf16->counts), l.params());
    QCOMPARE(bf16->maxAbs, static_cast<double>(*amax));
    QCOMPARE(bf16->hi, static_cast<double>(*amax));
    // N(0, σ²) weights: the middle bin holds the most, the tails the fewest
    const auto top = std::max_element(bf16->counts.begin(), bf16->counts.end());
    QVERIFY(std::abs(static_cast<int>(top - bf16->counts.begin()) - 50) <= 5);
    const auto nvfp4 = pq::widgets::readWeightHistogram(*cp, *inv, down, FormatId::NVFP4, 101);
    QVERIFY(nvfp4.has_value());
    QCOMPARE(sum(nvfp4->counts), l.params());
    QVERIFY(nvfp4->grid == E2M1);
    // every group's largest weight lands near 6: the scale is chosen for it (E4M3-rounded)
    QVERIFY(nvfp4->maxAbs > 5.0 && nvfp4->maxAbs < 7.0);
    QVERIFY(!pq::widgets::readWeightHistogram(*cp, *inv, inv->linears.size(), FormatId::BF16, 9));
}

void TestWeightHistogram::staleResultIsDropped()
{
    WeightHistogramView view;
    QSignalSpy shown(&view, &WeightHistogramView::histogramShown);
    std::promise<void> gate;
    std::shared_future<void> open = gate.get_future().share();
    std::promise<void> aReturned;
    // A holds the (single) worker until released, then returns; B was asked for meanwhile.
    view.start(QStringLiteral("A"), [open, &aReturned](pq::core::JobContext &) {
        open.wait();
        aReturned.set_value();
        return pq::core::Result<WeightHistogramResult>(fakeResult(1));
    });
    QCOMPARE(view.state(), State::Loading);
    view.start(QStringLiteral("B"), [](pq::core::JobContext &) {
        return pq::core::Result<WeightHistogramResult>(fakeResult(2));
    });
    gate.set_value();
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, TIMEOUT_MS);
    QCOMPARE(shown.at(0).at(0).toString(), QStringLiteral("B"));
    QVERIFY(aReturned.get_future().wait_for(std::chrono::seconds(0)) == std::future_status::ready);
    QTest::qWait(100);  // whatever A delivered has been handled by now
    QCOMPARE(shown.count(), 1);
    QCOMPARE(view.state(), State::Ready);
    QCOMPARE(view.title(), QStringLiteral("B"));
    QCOMPARE(view.histogram()->total, std::uint64_t{2});
}

void TestWeightHistogram::clearDropsRunningJob()
{
    WeightHistogramView view;
    QSignalSpy shown(&view, &WeightHistogramView::histogramShown);
    QSignalSpy failed(&view, &WeightHistogramView::histogramFailed);
    std::promise<void> gate;
    std::shared_future<void> open = gate.get_future().share();
    view.start(QStringLiteral("C"), [open](pq::core::JobContext &) {
        open.wait();
        return pq::core::Result<WeightHistogramResult>(fakeResult(3));
    });
    view.clear(QStringLiteral("nothing selected"));
    gate.set_value();
    QTest::qWait(200);
    QCOMPARE(shown.count(), 0);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(view.state(), State::Empty);
    QVERIFY(view.histogram() == nullptr);
    QCOMPARE(view.message(), QStringLiteral("nothing selected"));
}

void TestWeightHistogram::marksGridUnderPlot()
{
    WeightHistogramView view;
    view.resize(520, 300);
    view.show();
    QSignalSpy shown(&view, &WeightHistogramView::histogramShown);
    view.start(QStringLiteral("grid"), [](pq::core::JobContext &) {
        return pq::core::Result<WeightHistogramResult>(fakeResult(1000));
    });
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, TIMEOUT_MS);
    QVERIFY(view.axisText().contains(QStringLiteral("16 weights")));
    QVERIFY(view.axisText().contains(QStringLiteral("log scale")));
    QVERIFY(view.summaryText().contains(QStringLiteral("1,000 weights")) ||
            view.summaryText().contains(QStringLiteral("1000 weights")));
    const QImage image = view.grab().toImage();
    const QRectF plot = view.plotArea();
    const QColor mark = view.palette().color(QPalette::WindowText);
    const int y = static_cast<int>(plot.bottom()) + 4;
    for (const double v : E2M1) {
        const int x = static_cast<int>(std::floor(view.xAt(v)));
        QCOMPARE(image.pixelColor(x, y), mark);
    }
    // between two marks, nothing is drawn in the mark strip
    const int between = static_cast<int>(std::floor(view.xAt(5.0)));
    QVERIFY(image.pixelColor(between, y) != mark);
    // the one full bin (around 0) is drawn, an empty one is not
    const QColor bar = view.palette().color(QPalette::Highlight);
    QCOMPARE(
            image.pixelColor(static_cast<int>(view.xAt(0.12)), static_cast<int>(plot.bottom()) - 2),
            bar);
    QVERIFY(image.pixelColor(static_cast<int>(view.xAt(2.6)),
                             static_cast<int>(plot.bottom()) - 2) != bar);
}

void TestWeightHistogram::viewShowsSelectedLinear()
{
    QTemporaryDir dir;
    const QString runDir = dir.filePath(QStringLiteral("run"));
    QVERIFY(pq::test::writeSyntheticRun(EXAMPLE, runDir.toStdString()).has_value());
    pq::widgets::RunDocument doc;
    pq::widgets::SensitivityView view(&doc);
    view.resize(1000, 800);
    view.show();
    QCOMPARE(view.histogram()->state(), State::Empty);
    doc.open(runDir);
    QTRY_VERIFY_WITH_TIMEOUT(doc.allocation() != nullptr && !doc.isSolving(), TIMEOUT_MS);
    WeightHistogramView *histogram = view.histogram();
    QSignalSpy shown(histogram, &WeightHistogramView::histogramShown);
    // two selections in a row: only the second one's histogram may appear
    view.heatmap()->setSelectedCell(1, 1);
    view.heatmap()->setSelectedCell(0, 6);
    QTRY_COMPARE_WITH_TIMEOUT(histogram->state(), State::Ready, TIMEOUT_MS);
    QTest::qWait(100);
    QCOMPARE(shown.count(), 1);
    const auto run = doc.run();
    const std::size_t index = view.heatmap()->data().cell(0, 6).linears.front();
    const pq::core::LinearInfo &l = run->costs.inventory.linears[index];
    QVERIFY2(histogram->title().contains(QString::fromStdString(l.name)),
             qPrintable(histogram->title()));
    QCOMPARE(histogram->histogram()->total, l.params());
    QCOMPARE(histogram->histogram()->format, doc.allocation()->linearFormats[index]);
    // a new allocation shows the selection again: the same Linear and format, nothing re-read
    doc.setBudgetBytes(doc.budgetBytes());
    QTRY_VERIFY_WITH_TIMEOUT(!doc.isSolving(), TIMEOUT_MS);
    QTest::qWait(200);
    QCOMPARE(histogram->state(), State::Ready);
    QCOMPARE(shown.count(), 1);
    // no selection, no histogram
    view.heatmap()->setSelectedCell(-1, -1);
    QCOMPARE(histogram->state(), State::Empty);
}

QTEST_MAIN(TestWeightHistogram)
#include "test_weight_histogram.moc"
