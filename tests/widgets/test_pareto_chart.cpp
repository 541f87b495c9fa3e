// SPDX-License-Identifier: MIT
// widgets/pareto/pareto_chart.h: points are placed by size (x) and log Δloss (y); clicking
// snaps to a nearby point or asks for the budget under the cursor, dragging follows the mouse,
// the arrow keys step along the hull, and the budget line is drawn where the budget is.
// Uniform baselines and measured evaluations are marked where their numbers say, the axis grows
// to hold them, and their tooltips say what they are.
#include <QSignalSpy>
#include <QTest>

#include "widgets/pareto/pareto_chart.h"
#include "widgets/sensitivity/heatmap_legend.h"

using pq::core::alloc::CurvePoint;
using pq::core::quant::FormatId;
using pq::widgets::ParetoChart;

namespace {

std::vector<CurvePoint> curve()
{
    // 1000 Linear parameters + 100 fixed bytes: bytes = 100 + bits · 1000 / 8
    std::vector<CurvePoint> c;
    const double bits[] = {4.0, 5.0, 8.0, 16.0};
    const double cost[] = {1e-2, 1e-3, 1e-5, 0.0};
    for (int i = 0; i < 4; ++i) {
        CurvePoint p;
        p.bitsPerLinearParam = bits[i];
        p.totalBytes = 100 + static_cast<std::uint64_t>(bits[i] * 1000 / 8);
        p.cost = cost[i];
        p.counts = {{FormatId::NVFP4, static_cast<std::size_t>(3 - i)},
                    {FormatId::BF16, static_cast<std::size_t>(i)}};
        p.label = "hull";
        c.push_back(p);
    }
    return c;
}

}  // namespace

class TestParetoChart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void pointsArePlacedBySizeAndLoss();
    void clickSnapsToAPointOrTakesTheCursor();
    void dragFollowsTheMouse();
    void keysStepAlongTheHull();
    void budgetLineIsDrawn();
    void pointTextGivesTheNumbers();
    void baselinesAndMeasuredPointsAreMarked();

private:
    std::unique_ptr<ParetoChart> m_chart;
};

void TestParetoChart::init()
{
    m_chart = std::make_unique<ParetoChart>();
    m_chart->resize(640, 400);
    m_chart->setCurve(curve(), {1, "test"});
    m_chart->setBudgetBytes(curve()[1].totalBytes);
    m_chart->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_chart.get()));
}

void TestParetoChart::pointsArePlacedBySizeAndLoss()
{
    for (std::size_t i = 1; i < 4; ++i) {
        QVERIFY(m_chart->pointPosition(i).x() > m_chart->pointPosition(i - 1).x());
        QVERIFY(m_chart->pointPosition(i).y() > m_chart->pointPosition(i - 1).y());  // lower loss
    }
    // log scale: a decade is the same height wherever it is
    const double d01 = m_chart->pointPosition(1).y() - m_chart->pointPosition(0).y();
    const double d12 = m_chart->pointPosition(2).y() - m_chart->pointPosition(1).y();
    QVERIFY2(std::abs(d12 - 2 * d01) < 1.0, qPrintable(QStringLiteral("%1 %2").arg(d01).arg(d12)));
}

void TestParetoChart::clickSnapsToAPointOrTakesTheCursor()
{
    QSignalSpy asked(m_chart.get(), &ParetoChart::budgetRequested);
    const QPointF p2 = m_chart->pointPosition(2);
    QTest::mouseClick(m_chart.get(), Qt::LeftButton, {}, (p2 + QPointF(3, 20)).toPoint());
    QCOMPARE(asked.count(), 1);
    QCOMPARE(asked.at(0).at(0).value<std::uint64_t>(), curve()[2].totalBytes);
    // halfway between points 2 and 3: the bytes under the cursor
    const double x = (p2.x() + m_chart->pointPosition(3).x()) / 2;
    QTest::mouseClick(m_chart.get(), Qt::LeftButton, {}, QPointF(x, p2.y()).toPoint());
    const auto bytes = asked.at(1).at(0).value<std::uint64_t>();
    QVERIFY(bytes > curve()[2].totalBytes && bytes < curve()[3].totalBytes);
    QCOMPARE(m_chart->budgetAt(-100), curve().front().totalBytes);  // clamped to the curve
    QCOMPARE(m_chart->budgetAt(10000), curve().back().totalBytes);
}

void TestParetoChart::dragFollowsTheMouse()
{
    QSignalSpy asked(m_chart.get(), &ParetoChart::budgetRequested);
    const QPoint start = m_chart->pointPosition(0).toPoint();
    QTest::mousePress(m_chart.get(), Qt::LeftButton, {}, start);
    QMouseEvent move(QEvent::MouseMove, QPointF(start + QPoint(150, 0)),
                     m_chart->mapToGlobal(QPointF(start + QPoint(150, 0))), Qt::NoButton,
                     Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_chart.get(), &move);
    QTest::mouseRelease(m_chart.get(), Qt::LeftButton, {}, start + QPoint(150, 0));
    QCOMPARE(asked.count(), 2);
    QVERIFY(asked.at(1).at(0).value<std::uint64_t>() > asked.at(0).at(0).value<std::uint64_t>());
}

void TestParetoChart::keysStepAlongTheHull()
{
    QSignalSpy asked(m_chart.get(), &ParetoChart::budgetRequested);
    QTest::keyClick(m_chart.get(), Qt::Key_Right);
    QTest::keyClick(m_chart.get(), Qt::Key_Left);
    QTest::keyClick(m_chart.get(), Qt::Key_End);
    QTest::keyClick(m_chart.get(), Qt::Key_Home);
    m_chart->setBudgetBytes(curve()[3].totalBytes);
    QTest::keyClick(m_chart.get(), Qt::Key_K);
    const auto at = [&](int i) { return asked.at(i).at(0).value<std::uint64_t>(); };
    QCOMPARE(asked.count(), 5);
    QCOMPARE(at(0), curve()[2].totalBytes);
    QCOMPARE(at(1), curve()[0].totalBytes);
    QCOMPARE(at(2), curve()[3].totalBytes);
    QCOMPARE(at(3), curve()[0].totalBytes);
    QCOMPARE(at(4), curve()[1].totalBytes);  // the knee
}

void TestParetoChart::budgetLineIsDrawn()
{
    // rows where a pixel within one of x has the budget line's colour
    const QImage img = m_chart->grab().toImage();
    const QColor link = m_chart->palette().color(QPalette::Link);
    const auto column = [&](double x) {
        int hits = 0;
        const int px = static_cast<int>(std::lround(x * img.devicePixelRatio()));
        for (int y = 0; y < img.height(); ++y) {
            bool hit = false;
            for (int dx = -1; dx <= 1; ++dx) {
                const QColor c = img.pixelColor(px + dx, y);
                hit = hit || std::abs(c.red() - link.red()) + std::abs(c.green() - link.green()) +
                                             std::abs(c.blue() - link.blue()) <
                                     40;
            }
            hits += hit ? 1 : 0;
        }
        return hits;
    };
    const double budgetX = m_chart->pointPosition(1).x();
    const double elsewhere = (m_chart->pointPosition(2).x() + m_chart->pointPosition(3).x()) / 2;
    QVERIFY2(column(budgetX) > 50, qPrintable(QString::number(column(budgetX))));
    QCOMPARE(column(elsewhere), 0);
}

void TestParetoChart::pointTextGivesTheNumbers()
{
    const QString knee = m_chart->pointText(1);
    QVERIFY2(knee.contains(QLatin1String("5.00 bits per Linear parameter")) &&
                     knee.contains(QLatin1String("0.001")) &&
                     knee.contains(QLatin1String("2 NVFP4")) &&
                     knee.contains(QLatin1String("knee")),
             qPrintable(knee));
    QVERIFY(!m_chart->pointText(2).contains(QLatin1String("knee")));
    QCOMPARE(m_chart->pointAt(m_chart->pointPosition(3) + QPointF(2, 2)),
             std::optional<std::size_t>(3));
    QVERIFY(!m_chart->pointAt(QPointF(1, 1)).has_value());
}

void TestParetoChart::baselinesAndMeasuredPointsAreMarked()
{
    using pq::core::pipeline::MeasuredPoint;
    using pq::core::pipeline::UniformBaseline;
    using pq::core::pipeline::VariantKind;
    const double curveLeft = m_chart->pointPosition(0).x();
    // MXFP4 is smaller than the curve's smallest recipe (not on the allocator's menu)
    UniformBaseline mxfp4{FormatId::MXFP4, 100 + 3 * 1000 / 8, 3.0, 5e-2, 0};
    UniformBaseline nvfp4{FormatId::NVFP4, curve()[0].totalBytes, 4.0, 1e-2, 2};
    m_chart->setBaselines({mxfp4, nvfp4});
    QVERIFY(m_chart->baselinePosition(0).x() < m_chart->pointPosition(0).x());
    QVERIFY(m_chart->pointPosition(0).x() > curveLeft);                 // the axis grew to the left
    QCOMPARE(m_chart->baselinePosition(1), m_chart->pointPosition(0));  // same size and Δloss
    // a click left of the curve still asks for a budget the curve has
    QCOMPARE(m_chart->budgetAt(m_chart->baselinePosition(0).x()), curve()[0].totalBytes);

    MeasuredPoint source;
    source.variant = "source";
    source.kind = VariantKind::Source;
    source.bytes = curve()[3].totalBytes;
    MeasuredPoint recipe;
    recipe.variant = "recipe: 2 NVFP4 · 1 BF16";
    recipe.kind = VariantKind::Recipe;
    recipe.bytes = curve()[1].totalBytes;
    recipe.bitsPerLinearParam = 5.0;
    recipe.predicted = 1e-3;
    recipe.meanKl = 1e-2;  // ten times the prediction: one decade above the knee
    recipe.perplexity = 12.5;
    m_chart->setMeasured({source, recipe});
    const QPointF measured = m_chart->measuredPosition(1);
    QCOMPARE(measured.x(), m_chart->pointPosition(1).x());
    QVERIFY2(std::abs(measured.y() - m_chart->pointPosition(0).y()) < 0.5,
             "a KL of 1e-2 sits at the height of the 1e-2 point");

    // the triangle is filled with the curve's colour; the baseline's square edge has its format's
    const QImage img = m_chart->grab().toImage();
    const auto near = [&img](QPointF at, const QColor &want) {  // in a 3 × 3 patch
        bool hit = false;
        for (int dx = -1; dx <= 1; ++dx) {
            for (int dy = -1; dy <= 1; ++dy) {
                const QColor c =
                        img.pixelColor((at * img.devicePixelRatio()).toPoint() + QPoint(dx, dy));
                hit = hit || std::abs(c.red() - want.red()) + std::abs(c.green() - want.green()) +
                                             std::abs(c.blue() - want.blue()) <
                                     40;
            }
        }
        return hit;
    };
    // (beside the budget line, which runs through it)
    QVERIFY(near(measured + QPointF(2.5, 2), m_chart->palette().color(QPalette::Highlight)));
    QVERIFY(near(m_chart->baselinePosition(0) + QPointF(-4.5, 0),
                 pq::widgets::HeatmapLegend::formatColour(FormatId::MXFP4)));

    const QString measuredText = m_chart->toolTipAt(measured);
    QVERIFY2(measuredText.contains(QLatin1String("measured")) &&
                     measuredText.contains(QLatin1String("0.01")) &&
                     measuredText.contains(QLatin1String("12.500")) &&
                     measuredText.contains(QLatin1String("0.001")),
             qPrintable(measuredText));
    const QString baselineText = m_chart->toolTipAt(m_chart->baselinePosition(0));
    QVERIFY2(baselineText.contains(QLatin1String("MXFP4")) &&
                     baselineText.contains(QLatin1String("predicted")) &&
                     baselineText.contains(QLatin1String("0.05")),
             qPrintable(baselineText));
    // nothing is hit far from every marker (and point)
    QCOMPARE(m_chart->toolTipAt(m_chart->baselinePosition(0) + QPointF(0, 40)), QString());
    // the source (KL 0 by definition) is not drawn: its position gives no measured tooltip
    QVERIFY(!m_chart->toolTipAt(m_chart->measuredPosition(0)).contains(QLatin1String("source")));

    // another run: clear() drops the markers too
    m_chart->clear();
    QVERIFY(m_chart->baselines().empty() && m_chart->measured().empty());
    QCOMPARE(m_chart->toolTipAt(QPointF(measured)), QString());
}

QTEST_MAIN(TestParetoChart)
#include "test_pareto_chart.moc"
