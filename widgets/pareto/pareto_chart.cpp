// SPDX-License-Identifier: MIT
#include "widgets/pareto/pareto_chart.h"

#include <algorithm>
#include <cmath>

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include "core/quant/format_spec.h"
#include "widgets/model/display_text.h"
#include "widgets/sensitivity/heatmap_legend.h"

namespace pq::widgets {
namespace {

constexpr double POINT_RADIUS = 3.5;
constexpr int MARGIN_LEFT = 64;
constexpr int MARGIN_RIGHT = 16;
constexpr int MARGIN_TOP = 40;
constexpr int MARGIN_BOTTOM = 44;
constexpr double MARKER_HALF = 4.5;  ///< half the side of a baseline's square, a triangle's height

QString formatName(core::quant::FormatId format)
{
    const std::string_view name = core::quant::formatInfo(format).name;
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

QPolygonF triangle(const QPointF &c)
{
    return QPolygonF({c + QPointF(0, -MARKER_HALF - 1), c + QPointF(MARKER_HALF + 1, MARKER_HALF),
                      c + QPointF(-MARKER_HALF - 1, MARKER_HALF)});
}

}  // namespace

ParetoChart::ParetoChart(QWidget *parent)
    : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
    setAccessibleName(tr("Pareto curve: predicted quality loss against model size"));
    setAccessibleDescription(tr("Click or drag to choose the size budget; Left and Right step "
                                "between the recipes on the curve."));
}

void ParetoChart::setCurve(std::vector<core::alloc::CurvePoint> curve,
                           const core::alloc::Knee &knee)
{
    m_curve = std::move(curve);
    m_knee = knee;
    updateRanges();
    update();
}

void ParetoChart::setBaselines(std::vector<core::pipeline::UniformBaseline> baselines)
{
    m_baselines = std::move(baselines);
    updateRanges();
    update();
}

void ParetoChart::setMeasured(std::vector<core::pipeline::MeasuredPoint> measured)
{
    m_measured = std::move(measured);
    updateRanges();
    update();
}

bool ParetoChart::drawsMeasured(std::size_t i) const
{
    return m_measured[i].kind != core::pipeline::VariantKind::Source;
}

void ParetoChart::updateRanges()
{
    double lowest = 0.0;
    double highest = 0.0;
    const auto takeCost = [&](double c) {
        if (c > 0.0 && std::isfinite(c)) {
            lowest = lowest == 0.0 ? c : std::min(lowest, c);
            highest = std::max(highest, c);
        }
    };
    m_xLo = m_curve.empty() ? 0 : m_curve.front().totalBytes;
    m_xHi = m_curve.empty() ? 0 : m_curve.back().totalBytes;
    const auto takeBytes = [this](std::uint64_t b) {
        m_xLo = std::min(m_xLo, b);
        m_xHi = std::max(m_xHi, b);
    };
    for (const core::alloc::CurvePoint &p : m_curve) {
        takeCost(p.cost);
    }
    if (!m_curve.empty()) {  // markers without a curve have no axis to sit on
        for (const core::pipeline::UniformBaseline &b : m_baselines) {
            takeCost(b.predicted);
            takeBytes(b.bytes);
        }
        for (std::size_t i = 0; i < m_measured.size(); ++i) {
            if (drawsMeasured(i)) {
                takeCost(m_measured[i].meanKl);
                takeCost(m_measured[i].predicted.value_or(0.0));
                takeBytes(m_measured[i].bytes);
            }
        }
    }
    if (highest > 0.0) {
        m_logMin = std::floor(std::log10(lowest)) - 0.25;
        m_logMax = std::ceil(std::log10(highest) + 0.05);
    } else {
        m_logMin = -6.0;
        m_logMax = 0.0;
    }
}

void ParetoChart::clear()
{
    m_curve.clear();
    m_baselines.clear();
    m_measured.clear();
    m_budget = 0;
    updateRanges();
    update();
}

void ParetoChart::setBudgetBytes(std::uint64_t bytes)
{
    if (bytes != m_budget) {
        m_budget = bytes;
        update();
    }
}

QSize ParetoChart::sizeHint() const
{
    return {720, 420};
}

QSize ParetoChart::minimumSizeHint() const
{
    return {320, 200};
}

QRectF ParetoChart::plotRect() const
{
    return QRectF(rect()).adjusted(MARGIN_LEFT, MARGIN_TOP, -MARGIN_RIGHT, -MARGIN_BOTTOM);
}

double ParetoChart::xOf(std::uint64_t bytes) const
{
    const QRectF r = plotRect();
    if (m_xHi <= m_xLo) {
        return r.center().x();
    }
    const auto lo = static_cast<double>(m_xLo);
    const auto hi = static_cast<double>(m_xHi);
    return r.left() + (static_cast<double>(bytes) - lo) / (hi - lo) * r.width();
}

double ParetoChart::yOf(double cost) const
{
    const QRectF r = plotRect();
    const double v = cost > 0.0 ? std::clamp(std::log10(cost), m_logMin, m_logMax) : m_logMin;
    return r.bottom() - (v - m_logMin) / (m_logMax - m_logMin) * r.height();
}

double ParetoChart::bitsOf(std::uint64_t bytes) const
{
    // bits per Linear parameter is affine in the total bytes: interpolate the curve's ends
    if (m_curve.size() < 2) {
        return m_curve.empty() ? 0.0 : m_curve.front().bitsPerLinearParam;
    }
    const auto &a = m_curve.front();
    const auto &b = m_curve.back();
    const double t = (static_cast<double>(bytes) - static_cast<double>(a.totalBytes)) /
                     (static_cast<double>(b.totalBytes) - static_cast<double>(a.totalBytes));
    return a.bitsPerLinearParam + t * (b.bitsPerLinearParam - a.bitsPerLinearParam);
}

QPointF ParetoChart::pointPosition(std::size_t i) const
{
    return {xOf(m_curve[i].totalBytes), yOf(m_curve[i].cost)};
}

QPointF ParetoChart::baselinePosition(std::size_t i) const
{
    return {xOf(m_baselines[i].bytes), yOf(m_baselines[i].predicted)};
}

QPointF ParetoChart::measuredPosition(std::size_t i) const
{
    return {xOf(m_measured[i].bytes), yOf(m_measured[i].meanKl)};
}

std::optional<std::size_t> ParetoChart::pointAt(const QPointF &p) const
{
    std::optional<std::size_t> best;
    double bestDistance = SNAP_PX;
    for (std::size_t i = 0; i < m_curve.size(); ++i) {
        const QPointF d = pointPosition(i) - p;
        const double distance = std::hypot(d.x(), d.y());
        if (distance <= bestDistance) {
            best = i;
            bestDistance = distance;
        }
    }
    return best;
}

std::uint64_t ParetoChart::budgetAt(double x) const
{
    if (m_curve.empty()) {
        return 0;
    }
    for (std::size_t i = 0; i < m_curve.size(); ++i) {
        if (std::abs(pointPosition(i).x() - x) <= SNAP_PX) {
            return m_curve[i].totalBytes;
        }
    }
    const QRectF r = plotRect();
    const double t = std::clamp((x - r.left()) / r.width(), 0.0, 1.0);
    const auto lo = static_cast<double>(m_xLo);
    const auto hi = static_cast<double>(m_xHi);
    const auto bytes = static_cast<std::uint64_t>(std::llround(lo + t * (hi - lo)));
    return std::clamp(bytes, m_curve.front().totalBytes, m_curve.back().totalBytes);
}

std::size_t ParetoChart::nearestPoint(std::uint64_t bytes) const
{
    std::size_t best = 0;
    for (std::size_t i = 1; i < m_curve.size(); ++i) {
        const auto gap = [bytes](std::uint64_t b) { return b > bytes ? b - bytes : bytes - b; };
        if (gap(m_curve[i].totalBytes) < gap(m_curve[best].totalBytes)) {
            best = i;
        }
    }
    return best;
}

QString ParetoChart::pointText(std::size_t i) const
{
    const core::alloc::CurvePoint &p = m_curve[i];
    QStringList counts;
    for (const auto &[format, n] : p.counts) {
        const std::string_view name = core::quant::formatInfo(format).name;
        counts << QStringLiteral("%1 %2").arg(n).arg(
                QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())));
    }
    QString text =
            tr("%1 bits per Linear parameter · %2\npredicted loss increase: %3 nats per token\n%4")
                    .arg(QString::number(p.bitsPerLinearParam, 'f', 2),
                         DisplayText::bytes(p.totalBytes), QString::number(p.cost, 'g', 3),
                         counts.join(QStringLiteral(" · ")));
    if (i == m_knee.index) {
        text += QLatin1Char('\n') + tr("the knee: beyond it, extra bytes buy little quality");
    }
    return text;
}

void ParetoChart::paintEvent(QPaintEvent * /*event*/)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const QRectF r = plotRect();
    if (m_curve.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter,
                   tr("No curve yet: open a run directory with probe results."));
        return;
    }
    drawAxes(p, r);
    drawCurve(p);
    drawMarkers(p);
    drawBudget(p, r);
    drawLegend(p, r);
}

void ParetoChart::drawAxes(QPainter &p, const QRectF &r) const
{
    const QColor text = palette().color(QPalette::Text);
    QColor grid = palette().color(QPalette::Mid);
    grid.setAlpha(90);
    p.setPen(QPen(grid, 1, Qt::DotLine));
    const QFontMetrics fm(font());
    // y: one tick per decade of Δloss
    for (int e = static_cast<int>(std::ceil(m_logMin)); e <= static_cast<int>(m_logMax); ++e) {
        const double y = yOf(std::pow(10.0, e));
        p.setPen(QPen(grid, 1, Qt::DotLine));
        p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y));
        p.setPen(text);
        p.drawText(QRectF(0, y - fm.height() / 2.0, r.left() - 6, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("1e%1").arg(e));
    }
    // x: bits per Linear parameter below, size above, at the same positions
    const double b0 = bitsOf(m_xLo);
    const double b1 = bitsOf(m_xHi);
    const double step = b1 - b0 > 12.0 ? 2.0 : (b1 - b0 > 5.0 ? 1.0 : 0.5);
    double topRight = -1e9;  // sizes are wider than bit counts: skip those that would overlap
    for (double b = std::ceil(b0 / step) * step; b <= b1 + 1e-9; b += step) {
        const double t = b1 > b0 ? (b - b0) / (b1 - b0) : 0.5;
        const double x = r.left() + t * r.width();
        const auto lo = static_cast<double>(m_xLo);
        const auto hi = static_cast<double>(m_xHi);
        const auto bytes = static_cast<std::uint64_t>(std::llround(lo + t * (hi - lo)));
        p.setPen(QPen(grid, 1, Qt::DotLine));
        p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()));
        p.setPen(text);
        p.drawText(QRectF(x - 40, r.bottom() + 4, 80, fm.height()), Qt::AlignHCenter,
                   QString::number(b, 'g', 3));
        const QString size = DisplayText::bytes(bytes);
        const double half = fm.horizontalAdvance(size) / 2.0 + 4;
        if (x - half > topRight && x + half <= width()) {
            p.drawText(QRectF(x - half, r.top() - fm.height() - 4, 2 * half, fm.height()),
                       Qt::AlignHCenter, size);
            topRight = x + half;
        }
    }
    p.setPen(text);
    p.drawRect(r);
    p.drawText(QRectF(r.left(), r.bottom() + fm.height() + 8, r.width(), fm.height()),
               Qt::AlignHCenter, tr("bits per Linear parameter"));
    p.save();
    p.translate(14, r.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-r.height() / 2, -fm.height(), r.height(), fm.height() * 1.5),
               Qt::AlignCenter, tr("predicted Δloss (nats/token)"));
    p.restore();
}

void ParetoChart::drawCurve(QPainter &p) const
{
    const QColor line = palette().color(QPalette::Highlight);
    QPainterPath path(pointPosition(0));
    for (std::size_t i = 1; i < m_curve.size(); ++i) {
        path.lineTo(pointPosition(i));
    }
    p.setPen(QPen(line, 2));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
    p.setBrush(line);
    for (std::size_t i = 0; i < m_curve.size(); ++i) {
        p.drawEllipse(pointPosition(i), POINT_RADIUS, POINT_RADIUS);
    }
    if (m_knee.index < m_curve.size()) {
        const QPointF k = pointPosition(m_knee.index);
        p.setPen(QPen(palette().color(QPalette::Text), 2));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(k, POINT_RADIUS * 2.2, POINT_RADIUS * 2.2);
        p.drawText(k + QPointF(10, -10), tr("knee"));
    }
}

void ParetoChart::drawMarkers(QPainter &p) const
{
    const QFontMetrics fm(font());
    // what a label must not cover: the markers, then the labels already placed; a label with no
    // free place is left to the tooltip
    std::vector<QRectF> taken;
    const auto around = [](const QPointF &c) {
        const double h = MARKER_HALF + 1;
        return QRectF(c.x() - h, c.y() - h, 2 * h, 2 * h);
    };
    for (std::size_t i = 0; i < m_baselines.size(); ++i) {
        taken.push_back(around(baselinePosition(i)));
    }
    for (std::size_t i = 0; i < m_measured.size(); ++i) {
        if (drawsMeasured(i)) {
            taken.push_back(around(measuredPosition(i)));
        }
    }
    for (std::size_t i = 0; i < m_baselines.size(); ++i) {
        const QPointF c = baselinePosition(i);
        p.setPen(QPen(HeatmapLegend::formatColour(m_baselines[i].format), 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(
                QRectF(c.x() - MARKER_HALF, c.y() - MARKER_HALF, 2 * MARKER_HALF, 2 * MARKER_HALF));
        const QString name = formatName(m_baselines[i].format);
        const QSizeF size(fm.horizontalAdvance(name) + 2, fm.height());
        const double gap = MARKER_HALF + 3;
        // right of the marker, below it, above it, left of it: the first place that is free
        // inside the plot (the axes have their own text)
        const QPointF corners[] = {{c.x() + gap, c.y() - size.height() / 2},
                                   {c.x() - size.width() / 2, c.y() + gap},
                                   {c.x() - size.width() / 2, c.y() - gap - size.height()},
                                   {c.x() - gap - size.width(), c.y() - size.height() / 2}};
        for (const QPointF &corner : corners) {
            const QRectF label(corner, size);
            const bool free = plotRect().contains(label) &&
                              std::none_of(taken.begin(), taken.end(), [&label](const QRectF &o) {
                                  return o.intersects(label);
                              });
            if (free) {
                p.setPen(palette().color(QPalette::Text));
                p.drawText(label, Qt::AlignLeft | Qt::AlignVCenter, name);
                taken.push_back(label);
                break;
            }
        }
    }
    for (std::size_t i = 0; i < m_measured.size(); ++i) {
        if (!drawsMeasured(i)) {
            continue;
        }
        const core::pipeline::MeasuredPoint &m = m_measured[i];
        const auto format = m.kind == core::pipeline::VariantKind::Uniform
                                    ? core::quant::parseFormatName(m.variant)
                                    : std::nullopt;
        const QColor colour = format ? HeatmapLegend::formatColour(*format)
                                     : palette().color(QPalette::Highlight);
        const QPointF c = measuredPosition(i);
        if (m.predicted) {  // how far the prediction at this size is from the measurement
            p.setPen(QPen(colour, 1, Qt::DotLine));
            p.drawLine(QPointF(c.x(), yOf(*m.predicted)), c);
        }
        p.setPen(QPen(palette().color(QPalette::Text), 1));
        p.setBrush(colour);
        p.drawPolygon(triangle(c));
    }
}

void ParetoChart::drawLegend(QPainter &p, const QRectF &r) const
{
    const QFontMetrics fm(font());
    const double row = fm.height() + 2;
    const QString curveText = tr("recipes the allocator can make (predicted)");
    const QString baselineText = tr("one format for every Linear (predicted)");
    const QString measuredText = tr("measured on held-out text (KL against the original)");
    int textWidth = 0;
    for (const QString *t : {&curveText, &baselineText, &measuredText}) {
        textWidth = std::max(textWidth, fm.horizontalAdvance(*t));
    }
    // top right, below the budget's label: the curve falls from the top left to the bottom right
    QPointF at(std::max(r.left() + 10, r.right() - 24 - textWidth), r.top() + row * 1.5 + 8);
    const auto entry = [&](const QString &text, const auto &drawMark) {
        drawMark(at);
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRectF(at.x() + 12, at.y() - row / 2, textWidth + 4, row),
                   Qt::AlignLeft | Qt::AlignVCenter, text);
        at.ry() += row;
    };
    const QColor line = palette().color(QPalette::Highlight);
    entry(curveText, [&](const QPointF &c) {
        p.setPen(QPen(line, 2));
        p.setBrush(line);
        p.drawEllipse(c, POINT_RADIUS, POINT_RADIUS);
    });
    if (!m_baselines.empty()) {
        entry(baselineText, [&](const QPointF &c) {
            p.setPen(QPen(palette().color(QPalette::Text), 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(QRectF(c.x() - MARKER_HALF, c.y() - MARKER_HALF, 2 * MARKER_HALF,
                              2 * MARKER_HALF));
        });
    }
    const bool measured = std::any_of(m_measured.begin(), m_measured.end(),
                                      [](const core::pipeline::MeasuredPoint &m) {
                                          return m.kind != core::pipeline::VariantKind::Source;
                                      });
    if (measured) {
        entry(measuredText, [&](const QPointF &c) {
            p.setPen(QPen(palette().color(QPalette::Text), 1));
            p.setBrush(line);
            p.drawPolygon(triangle(c));
        });
    }
}

QString ParetoChart::toolTipAt(const QPointF &pos) const
{
    if (const auto i = pointAt(pos)) {
        return pointText(*i);
    }
    const auto near = [&pos](const QPointF &c) {
        return std::hypot(c.x() - pos.x(), c.y() - pos.y()) <= SNAP_PX;
    };
    for (std::size_t i = 0; i < m_measured.size(); ++i) {
        if (!drawsMeasured(i) || !near(measuredPosition(i))) {
            continue;
        }
        const core::pipeline::MeasuredPoint &m = m_measured[i];
        QString text = tr("%1 \u2014 measured\n%2 bits per Linear parameter · %3\n"
                          "KL against the original: %4 nats per token\nperplexity %5")
                               .arg(QString::fromStdString(m.variant),
                                    QString::number(m.bitsPerLinearParam, 'f', 2),
                                    DisplayText::bytes(m.bytes), QString::number(m.meanKl, 'g', 3),
                                    QString::number(m.perplexity, 'f', 3));
        if (m.predicted) {
            text += QLatin1Char('\n') + tr("predicted Δloss at this size: %1")
                                                .arg(QString::number(*m.predicted, 'g', 3));
        }
        return text;
    }
    for (std::size_t i = 0; i < m_baselines.size(); ++i) {
        if (!near(baselinePosition(i))) {
            continue;
        }
        const core::pipeline::UniformBaseline &b = m_baselines[i];
        QString text =
                tr("every Linear in %1 (predicted)\n%2 bits per Linear parameter · %3\n"
                   "predicted loss increase: %4 nats per token")
                        .arg(formatName(b.format), QString::number(b.bitsPerLinearParam, 'f', 2),
                             DisplayText::bytes(b.bytes), QString::number(b.predicted, 'g', 3));
        if (b.keptBf16 > 0) {
            text += QLatin1Char('\n') +
                    tr("%n Linear(s) stay BF16: their fused group cannot take the format", "",
                       static_cast<int>(b.keptBf16));
        }
        return text;
    }
    return {};
}

void ParetoChart::drawBudget(QPainter &p, const QRectF &r) const
{
    if (m_budget == 0) {
        return;
    }
    const double x = xOf(m_budget);
    QColor c = palette().color(QPalette::Link);
    p.setPen(QPen(c, 2, Qt::DashLine));
    p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()));
    p.setPen(palette().color(QPalette::Text));
    const QString label =
            tr("budget %1 · %2 bpp")
                    .arg(DisplayText::bytes(m_budget), QString::number(bitsOf(m_budget), 'f', 2));
    const QFontMetrics fm(font());
    const double w = fm.horizontalAdvance(label) + 8;
    const double left = x + w + 4 <= r.right() ? x + 4 : x - w - 4;
    p.drawText(QRectF(left, r.top() + 4, w, fm.height()), Qt::AlignLeft, label);
}

void ParetoChart::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && !m_curve.empty()) {
        Q_EMIT budgetRequested(budgetAt(event->position().x()));
    }
}

void ParetoChart::mouseMoveEvent(QMouseEvent *event)
{
    if ((event->buttons() & Qt::LeftButton) != 0 && !m_curve.empty()) {
        Q_EMIT budgetRequested(budgetAt(event->position().x()));
    }
}

void ParetoChart::keyPressEvent(QKeyEvent *event)
{
    if (m_curve.empty()) {
        QWidget::keyPressEvent(event);
        return;
    }
    const std::size_t here = nearestPoint(m_budget);
    std::size_t to = here;
    switch (event->key()) {
    case Qt::Key_Left:
        to = here > 0 ? here - 1 : 0;
        break;
    case Qt::Key_Right:
        to = std::min(here + 1, m_curve.size() - 1);
        break;
    case Qt::Key_Home:
        to = 0;
        break;
    case Qt::Key_End:
        to = m_curve.size() - 1;
        break;
    case Qt::Key_K:
        to = m_knee.index;
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    Q_EMIT budgetRequested(m_curve[to].totalBytes);
}

bool ParetoChart::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        if (const QString text = toolTipAt(help->pos()); !text.isEmpty()) {
            QToolTip::showText(help->globalPos(), text, this);
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    return QWidget::event(event);
}

}  // namespace pq::widgets
