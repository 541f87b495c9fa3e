// SPDX-License-Identifier: MIT
#include "widgets/sensitivity/expert_grid.h"

#include <algorithm>
#include <cmath>

#include <QFontMetrics>
#include <QLocale>
#include <QPainter>
#include <QStringList>

#include "widgets/model/display_text.h"
#include "widgets/sensitivity/heatmap_legend.h"

namespace pq::widgets {
namespace {

constexpr int MARGIN = 4;
constexpr int LABEL_PAD = HeatmapLegend::LABEL_PAD;
constexpr int LEGEND_GAP = 14;
constexpr int MIN_CELL_WIDTH = 3;
constexpr int MAX_CELL_WIDTH = 28;
constexpr int PREFERRED_CELL_WIDTH = 8;
constexpr int MIN_CELL_HEIGHT = 4;
constexpr int MAX_CELL_HEIGHT = 24;
constexpr int PREFERRED_CELL_HEIGHT = 10;
constexpr int MAX_PREFERRED_WIDTH = 1200;
constexpr int MAX_PREFERRED_HEIGHT = 800;
constexpr int MIN_LEGEND_HEIGHT = 220;

QString unreachedText()
{
    return ExpertGrid::tr("Never reached: no calibration token");
}

QString priorText()
{
    return ExpertGrid::tr("Prior estimate: too few tokens");
}

QString notMeasuredText()
{
    return ExpertGrid::tr("Not in the probe's report");
}

QString barTitle()
{
    return ExpertGrid::tr("Routed tokens");
}

bool anyNotMeasured(const ExpertGridData &data)
{
    return std::any_of(data.cells.begin(), data.cells.end(),
                       [](const ExpertGridCell &c) { return c.reach == ExpertReach::NotMeasured; });
}

/** The smallest power of two ≥ n. */
int powerOfTwoAtLeast(int n)
{
    int p = 1;
    while (p < n) {
        p *= 2;
    }
    return p;
}

}  // namespace

ExpertGrid::ExpertGrid(QWidget *parent)
    : CellGrid(parent)
{
    setAccessibleName(tr("Routed tokens per layer and expert"));
    // Named: a constructor reaches no override of a subclass, and the call says so.
    ExpertGrid::relayout();
    updateAccessibleDescription();
}

void ExpertGrid::setData(ExpertGridData data)
{
    m_data = std::move(data);
    relayout();
    updateGeometry();
    revalidateSelection();
}

QColor ExpertGrid::tokenColour(std::uint64_t tokens) const
{
    const std::optional<LogRange> &range = m_data.tokenRange;
    if (!range || tokens == 0) {
        return HeatmapLegend::viridis(0.0);
    }
    const double span = range->max - range->min;
    const double v = std::log10(static_cast<double>(tokens));
    return HeatmapLegend::viridis(span > 0.0 ? (v - range->min) / span : 0.5);
}

QColor ExpertGrid::cellColour(int row, int expert) const
{
    if (!m_data.contains({row, expert})) {
        return {};
    }
    const ExpertGridCell &cell = m_data.cell(row, expert);
    switch (cell.reach) {
    case ExpertReach::Reached:
    case ExpertReach::Prior:
        return tokenColour(cell.tokens);
    case ExpertReach::Unreached:
        return HeatmapLegend::unreachedColour();
    case ExpertReach::Absent:
    case ExpertReach::NotMeasured:
        break;
    }
    return {};
}

QString ExpertGrid::tooltipText(int row, int expert) const
{
    if (!m_data.contains({row, expert})) {
        return {};
    }
    const HeatmapRow &r = m_data.rows[static_cast<std::size_t>(row)];
    QStringList lines;
    lines << (r.section == core::Section::Mtp ? tr("MTP layer %1 · expert %2")
                                              : tr("Layer %1 · expert %2"))
                     .arg(r.layer)
                     .arg(expert);
    const ExpertGridCell &cell = m_data.cell(row, expert);
    if (cell.reach == ExpertReach::Absent) {
        lines << tr("This layer has no expert %1").arg(expert);
        return lines.join(QLatin1Char('\n'));
    }
    lines << QString::fromStdString(cell.name);
    if (cell.reach == ExpertReach::NotMeasured) {
        lines << tr("Not in the probe's report: no routed-token count");
        return lines.join(QLatin1Char('\n'));
    }
    lines << tr("Routed tokens: %1").arg(DisplayText::count(cell.tokens));
    if (cell.reach == ExpertReach::Unreached) {
        lines << tr("Never reached: the calibration routed no token to this expert, so its "
                    "sensitivity is its layer's prior estimate");
    } else if (cell.reach == ExpertReach::Prior) {
        lines << tr("Prior estimate: too few tokens reached it (the probe's minimum is %1), so "
                    "it was given its layer's average sensitivity")
                         .arg(DisplayText::count(m_data.minExpertTokens));
    } else {
        lines << tr("Measured from its own routed tokens (not a prior estimate)");
    }
    return lines.join(QLatin1Char('\n'));
}

QString ExpertGrid::accessibleSummary() const
{
    return tr("%n layer(s) by %1 expert(s); %2 never reached, %3 prior estimates", "",
              m_data.rowCount())
            .arg(m_data.columnCount())
            .arg(m_data.unreached)
            .arg(m_data.priors);
}

// --- layout ------------------------------------------------------------------------------------

int ExpertGrid::legendWidth() const
{
    const QFontMetrics fm(font());
    int labels = std::max(fm.horizontalAdvance(unreachedText()), fm.horizontalAdvance(priorText()));
    if (anyNotMeasured(m_data)) {
        labels = std::max(labels, fm.horizontalAdvance(notMeasuredText()));
    }
    const int ticks = fm.horizontalAdvance(QStringLiteral("1,000,000"));
    return std::max({fm.horizontalAdvance(barTitle()),
                     HeatmapLegend::SWATCH + HeatmapLegend::LABEL_PAD + std::max(labels, ticks)});
}

void ExpertGrid::relayout()
{
    const QFontMetrics fm(font());
    Layout l;
    for (const HeatmapRow &row : m_data.rows) {
        l.labelWidth = std::max(l.labelWidth, fm.horizontalAdvance(row.label) + LABEL_PAD);
    }
    const int rows = std::max(1, m_data.rowCount());
    const int columns = std::max(1, m_data.columnCount());
    const int legend = legendWidth();
    const int freeWidth = width() - 2 * MARGIN - l.labelWidth - LEGEND_GAP - legend;
    l.cellWidth = std::clamp(freeWidth / columns, MIN_CELL_WIDTH, MAX_CELL_WIDTH);
    l.headerHeight = fm.height() + LABEL_PAD;
    const int freeHeight = height() - 2 * MARGIN - l.headerHeight;
    l.cellHeight = std::clamp(freeHeight / rows, MIN_CELL_HEIGHT, MAX_CELL_HEIGHT);
    l.rowLabelStep = std::max(1, (fm.height() + l.cellHeight - 1) / l.cellHeight);
    const int indexWidth = fm.horizontalAdvance(QString::number(columns - 1)) + LABEL_PAD;
    l.columnLabelStep = powerOfTwoAtLeast((indexWidth + l.cellWidth - 1) / l.cellWidth);
    l.grid = QRect(MARGIN + l.labelWidth, MARGIN + l.headerHeight,
                   l.cellWidth * m_data.columnCount(), l.cellHeight * m_data.rowCount());
    l.legend = QRect(l.grid.left() + l.cellWidth * columns + LEGEND_GAP, l.grid.top(), legend,
                     std::max(l.grid.height(), MIN_LEGEND_HEIGHT));
    m_layout = l;
    m_image = QImage();
    update();
}

QSize ExpertGrid::sizeHint() const
{
    const QFontMetrics fm(font());
    const int columns = std::max(1, m_data.columnCount());
    const int rows = std::max(1, m_data.rowCount());
    const int width = 2 * MARGIN + m_layout.labelWidth + columns * PREFERRED_CELL_WIDTH +
                      LEGEND_GAP + legendWidth();
    const int height = 2 * MARGIN + fm.height() + LABEL_PAD +
                       std::max(rows * PREFERRED_CELL_HEIGHT, MIN_LEGEND_HEIGHT);
    return {std::min(width, MAX_PREFERRED_WIDTH), std::min(height, MAX_PREFERRED_HEIGHT)};
}

QSize ExpertGrid::minimumSizeHint() const
{
    const QFontMetrics fm(font());
    const int columns = std::max(1, m_data.columnCount());
    const int rows = std::max(1, m_data.rowCount());
    return {2 * MARGIN + m_layout.labelWidth + columns * MIN_CELL_WIDTH + LEGEND_GAP +
                    legendWidth(),
            2 * MARGIN + fm.height() + LABEL_PAD +
                    std::max(rows * MIN_CELL_HEIGHT, MIN_LEGEND_HEIGHT)};
}

// --- painting ----------------------------------------------------------------------------------

void ExpertGrid::rebuildImage()
{
    const qreal dpr = devicePixelRatioF();
    m_image = QImage((QSizeF(m_layout.grid.size()) * dpr).toSize(),
                     QImage::Format_ARGB32_Premultiplied);
    m_image.setDevicePixelRatio(dpr);
    m_image.fill(Qt::transparent);
    QPainter painter(&m_image);
    // Cells of 6 px and more keep a 1 px gap; thinner ones touch, or the colour would vanish.
    const int gapX = m_layout.cellWidth >= 6 ? 1 : 0;
    const int gapY = m_layout.cellHeight >= 6 ? 1 : 0;
    for (int row = 0; row < m_data.rowCount(); ++row) {
        for (int expert = 0; expert < m_data.columnCount(); ++expert) {
            const QRect rect(expert * m_layout.cellWidth, row * m_layout.cellHeight,
                             m_layout.cellWidth - gapX, m_layout.cellHeight - gapY);
            paintCell(painter, rect, m_data.cell(row, expert));
        }
    }
}

void ExpertGrid::paintCell(QPainter &painter, const QRect &rect, const ExpertGridCell &cell) const
{
    switch (cell.reach) {
    case ExpertReach::Absent:
        return;  // the background shows through
    case ExpertReach::NotMeasured:
        HeatmapLegend::fillMissing(painter, rect, palette());
        return;
    case ExpertReach::Unreached:
        painter.fillRect(rect, HeatmapLegend::unreachedColour());
        return;
    case ExpertReach::Prior: {
        const QColor fill = tokenColour(cell.tokens);
        painter.fillRect(rect, fill);
        HeatmapLegend::paintPriorMark(painter, rect, fill);
        return;
    }
    case ExpertReach::Reached:
        painter.fillRect(rect, tokenColour(cell.tokens));
        return;
    }
}

void ExpertGrid::paintEvent(QPaintEvent * /*event*/)
{
    const bool stale = m_image.isNull() || m_image.devicePixelRatio() != devicePixelRatioF();
    if (stale && !m_layout.grid.isEmpty()) {
        rebuildImage();
    }
    QPainter painter(this);
    painter.drawImage(m_layout.grid.topLeft(), m_image);
    painter.setPen(palette().color(QPalette::WindowText));
    paintLabels(painter);
    paintLegend(painter);
    paintSelection(painter);
    paintFocusFrame(painter, m_layout.grid);
}

void ExpertGrid::paintLabels(QPainter &painter) const
{
    for (int row = 0; row < m_data.rowCount(); row += m_layout.rowLabelStep) {
        const QRect cell = cellRect(row, 0);
        painter.drawText(QRect(MARGIN, cell.top(), m_layout.labelWidth - LABEL_PAD, cell.height()),
                         Qt::AlignRight | Qt::AlignVCenter | Qt::TextDontClip,
                         m_data.rows[static_cast<std::size_t>(row)].label);
    }
    const int bottom = m_layout.grid.top() - LABEL_PAD / 2;
    for (int expert = 0; expert < m_data.columnCount(); expert += m_layout.columnLabelStep) {
        const QRect cell = cellRect(0, expert);
        painter.drawText(QRect(cell.left(), MARGIN, cell.width(), bottom - MARGIN),
                         Qt::AlignLeft | Qt::AlignBottom | Qt::TextDontClip,
                         QString::number(expert));
    }
}

void ExpertGrid::paintLegend(QPainter &painter) const
{
    const QRect &legend = m_layout.legend;
    const int line = std::max(HeatmapLegend::SWATCH, painter.fontMetrics().height()) + 4;
    const bool notMeasured = anyNotMeasured(m_data);
    const int swatches = line * (notMeasured ? 3 : 2);
    HeatmapLegend::paintColourBar(painter, legend.adjusted(0, 0, 0, -(swatches + LABEL_PAD)),
                                  barTitle(), m_data.tokenRange, locale(), tr("No routed tokens"),
                                  HeatmapLegend::BarValues::Count);
    QRect row(legend.left(), legend.bottom() - swatches + 1, legend.width(), line);
    const auto entry = [&](const QString &text, const auto &fill) {
        const QRect swatch(row.left(), row.center().y() - HeatmapLegend::SWATCH / 2,
                           HeatmapLegend::SWATCH, HeatmapLegend::SWATCH);
        fill(swatch);
        painter.drawText(row.adjusted(HeatmapLegend::SWATCH + HeatmapLegend::LABEL_PAD, 0, 0, 0),
                         Qt::AlignLeft | Qt::AlignVCenter, text);
        row.translate(0, line);
    };
    entry(unreachedText(),
          [&](const QRect &swatch) { painter.fillRect(swatch, HeatmapLegend::unreachedColour()); });
    entry(priorText(), [&](const QRect &swatch) {
        const QColor fill = HeatmapLegend::viridis(0.5);
        painter.fillRect(swatch, fill);
        HeatmapLegend::paintPriorMark(painter, swatch, fill);
    });
    if (notMeasured) {
        entry(notMeasuredText(),
              [&](const QRect &swatch) { HeatmapLegend::fillMissing(painter, swatch, palette()); });
    }
}

}  // namespace pq::widgets
