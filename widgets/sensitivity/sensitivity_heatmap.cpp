// SPDX-License-Identifier: MIT
#include "widgets/sensitivity/sensitivity_heatmap.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include <QFontMetrics>
#include <QLocale>
#include <QPainter>
#include <QStringList>

#include "core/model/tensor_role.h"
#include "core/quant/format_spec.h"
#include "widgets/model/display_text.h"
#include "widgets/sensitivity/heatmap_legend.h"

namespace pq::widgets {
namespace {

using core::quant::FormatId;

constexpr int MARGIN = 4;
constexpr int LABEL_PAD = HeatmapLegend::LABEL_PAD;  // between a label and the grid
constexpr int LEGEND_GAP = 14;                       // between the grid and the legend
constexpr int MIN_CELL_WIDTH = 8;
constexpr int MAX_CELL_WIDTH = 64;
constexpr int PREFERRED_CELL_WIDTH = 28;
constexpr int MIN_CELL_HEIGHT = 3;
constexpr int MAX_CELL_HEIGHT = 32;
constexpr int PREFERRED_CELL_HEIGHT = 16;
constexpr int MAX_PREFERRED_HEIGHT = 900;
constexpr int MIN_LEGEND_HEIGHT = 160;

QString fromStd(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString formatName(FormatId format)
{
    return fromStd(core::quant::formatInfo(format).name);
}

}  // namespace

SensitivityHeatmap::SensitivityHeatmap(QWidget *parent)
    : CellGrid(parent)
{
    setAccessibleName(tr("Sensitivity heatmap"));
    // Named: a constructor reaches no override of a subclass, and the call says so.
    SensitivityHeatmap::relayout();
}

void SensitivityHeatmap::setData(HeatmapData data)
{
    m_data = std::move(data);
    if (!m_data.logRange.contains(m_format) && !m_data.logRange.empty()) {
        for (const FormatId f : m_data.formats) {
            if (m_data.logRange.contains(f)) {
                m_format = f;
                break;
            }
        }
    }
    relayout();
    revalidateSelection();
}

void SensitivityHeatmap::setMode(Mode mode)
{
    if (mode != m_mode) {
        m_mode = mode;
        relayout();  // the legend's width depends on the mode
    }
}

void SensitivityHeatmap::setFormat(core::quant::FormatId format)
{
    if (format != m_format) {
        m_format = format;
        relayout();
    }
}

double SensitivityHeatmap::normalised(double cost) const
{
    const auto range = m_data.logRange.find(m_format);
    if (range == m_data.logRange.end() || !(cost > 0.0)) {
        return 0.0;  // zero Δloss (BF16) sits at the bottom of the scale
    }
    const double span = range->second.max - range->second.min;
    return span > 0.0 ? (std::log10(cost) - range->second.min) / span : 0.5;
}

QColor SensitivityHeatmap::cellColour(int row, int column) const
{
    if (!m_data.contains({row, column}) || m_data.cell(row, column).empty()) {
        return {};
    }
    const HeatmapCell &cell = m_data.cell(row, column);
    if (m_mode == Mode::Sensitivity) {
        const std::optional<double> cost = cell.cost(m_format);
        return cost ? HeatmapLegend::viridis(normalised(*cost)) : palette().color(QPalette::Base);
    }
    return cell.chosen ? HeatmapLegend::formatColour(*cell.chosen)
                       : palette().color(QPalette::Base);
}

QString SensitivityHeatmap::tooltipText(int row, int column) const
{
    if (!m_data.contains({row, column})) {
        return {};
    }
    const HeatmapRow &r = m_data.rows[static_cast<std::size_t>(row)];
    const QString role =
            fromStd(core::linearRoleName(m_data.columns[static_cast<std::size_t>(column)]));
    QStringList lines;
    lines << (r.section == core::Section::Mtp ? tr("MTP layer %1 · %2") : tr("Layer %1 · %2"))
                     .arg(r.layer)
                     .arg(role);
    const HeatmapCell &cell = m_data.cell(row, column);
    if (cell.empty()) {
        lines << tr("No Linear of this role in this layer");
        return lines.join(QLatin1Char('\n'));
    }
    const auto linears = static_cast<int>(cell.linears.size());
    lines << fromStd(cell.module);
    lines << (cell.experts > 0 ? tr("%n Linear(s) across %1 experts", "", linears).arg(cell.experts)
                               : tr("%n Linear(s)", "", linears));
    lines << tr("Parameters: %1").arg(DisplayText::count(cell.params));
    if (cell.costs.empty()) {
        lines << tr("No predicted Δloss");
    } else {
        lines << tr("Predicted Δloss:");
        for (const FormatId f : m_data.formats) {
            if (const std::optional<double> cost = cell.cost(f)) {
                lines << QStringLiteral("    %1: %2")
                                 .arg(formatName(f), locale().toString(*cost, 'g', 3));
            }
        }
    }
    if (m_data.hasAllocation) {
        lines << (cell.chosen  ? tr("Chosen format: %1").arg(formatName(*cell.chosen))
                  : cell.mixed ? tr("Chosen format: mixed")
                               : tr("Chosen format: none"));
    }
    return lines.join(QLatin1Char('\n'));
}

QString SensitivityHeatmap::accessibleSummary() const
{
    return tr("%n layer(s) by %1 Linear role(s); no cell selected", "", m_data.rowCount())
            .arg(m_data.columnCount());
}

// --- layout ------------------------------------------------------------------------------------

int SensitivityHeatmap::columnLabelWidth() const
{
    const QFontMetrics fm(font());
    int width = 0;
    for (const core::LinearRole role : m_data.columns) {
        width = std::max(width, fm.horizontalAdvance(fromStd(core::linearRoleName(role))));
    }
    return width;
}

int SensitivityHeatmap::legendWidth() const
{
    const QFontMetrics fm(font());
    return m_mode == Mode::Sensitivity ? HeatmapLegend::colourBarWidth(fm, m_format)
                                       : HeatmapLegend::swatchesWidth(fm, m_data);
}

void SensitivityHeatmap::relayout()
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
    const int labelWidth = columnLabelWidth();
    l.rotatedHeader = labelWidth + 4 > l.cellWidth;
    l.headerHeight = (l.rotatedHeader ? labelWidth : fm.height()) + LABEL_PAD;
    const int freeHeight = height() - 2 * MARGIN - l.headerHeight;
    l.cellHeight = std::clamp(freeHeight / rows, MIN_CELL_HEIGHT, MAX_CELL_HEIGHT);
    l.rowLabelStep = std::max(1, (fm.height() + l.cellHeight - 1) / l.cellHeight);
    l.columnLabelStep =
            l.rotatedHeader ? std::max(1, (fm.height() + l.cellWidth - 1) / l.cellWidth) : 1;
    l.grid = QRect(MARGIN + l.labelWidth, MARGIN + l.headerHeight,
                   l.cellWidth * m_data.columnCount(), l.cellHeight * m_data.rowCount());
    l.legend = QRect(l.grid.left() + l.cellWidth * columns + LEGEND_GAP, l.grid.top(), legend,
                     std::max(l.grid.height(), MIN_LEGEND_HEIGHT));
    m_layout = l;
    invalidateImage();
}

QSize SensitivityHeatmap::sizeHint() const
{
    const int columns = std::max(1, m_data.columnCount());
    const int rows = std::max(1, m_data.rowCount());
    const int width = 2 * MARGIN + m_layout.labelWidth + columns * PREFERRED_CELL_WIDTH +
                      LEGEND_GAP + legendWidth();
    const int height = 2 * MARGIN + columnLabelWidth() + LABEL_PAD +
                       std::max(rows * PREFERRED_CELL_HEIGHT, MIN_LEGEND_HEIGHT);
    return {width, std::min(height, MAX_PREFERRED_HEIGHT)};
}

QSize SensitivityHeatmap::minimumSizeHint() const
{
    const int columns = std::max(1, m_data.columnCount());
    const int rows = std::max(1, m_data.rowCount());
    const int width = 2 * MARGIN + m_layout.labelWidth + columns * MIN_CELL_WIDTH + LEGEND_GAP +
                      legendWidth();
    const int height = 2 * MARGIN + columnLabelWidth() + LABEL_PAD +
                       std::max(rows * MIN_CELL_HEIGHT, MIN_LEGEND_HEIGHT);
    return {width, height};
}

// --- painting ----------------------------------------------------------------------------------

void SensitivityHeatmap::invalidateImage()
{
    m_image = QImage();
    update();
}

void SensitivityHeatmap::rebuildImage()
{
    const qreal dpr = devicePixelRatioF();
    const QSize size = m_layout.grid.size();
    m_image = QImage((QSizeF(size) * dpr).toSize(), QImage::Format_ARGB32_Premultiplied);
    m_image.setDevicePixelRatio(dpr);
    m_image.fill(Qt::transparent);
    QPainter painter(&m_image);
    // Cells of 6 px and more keep a 1 px gap, so the grid stays readable; thinner ones touch.
    const int gapX = m_layout.cellWidth >= 6 ? 1 : 0;
    const int gapY = m_layout.cellHeight >= 6 ? 1 : 0;
    for (int row = 0; row < m_data.rowCount(); ++row) {
        for (int column = 0; column < m_data.columnCount(); ++column) {
            const QRect rect(column * m_layout.cellWidth, row * m_layout.cellHeight,
                             m_layout.cellWidth - gapX, m_layout.cellHeight - gapY);
            paintCell(painter, rect, row, column);
        }
    }
}

void SensitivityHeatmap::paintCell(QPainter &painter, const QRect &rect, int row, int column) const
{
    const HeatmapCell &cell = m_data.cell(row, column);
    if (cell.empty()) {
        return;  // the widget's background shows through: no Linear of this role here
    }
    if (m_mode == Mode::Sensitivity) {
        if (const std::optional<double> cost = cell.cost(m_format)) {
            painter.fillRect(rect, HeatmapLegend::viridis(normalised(*cost)));
        } else {
            HeatmapLegend::fillMissing(painter, rect, palette());
        }
    } else if (cell.chosen) {
        HeatmapLegend::fillFormat(painter, rect, *cell.chosen);
    } else if (cell.mixed) {
        HeatmapLegend::fillMixed(painter, rect, palette());
    } else {
        HeatmapLegend::fillMissing(painter, rect, palette());
    }
}

void SensitivityHeatmap::paintEvent(QPaintEvent * /*event*/)
{
    // A move to a screen of another pixel ratio needs the image again, at the new resolution.
    const bool stale = m_image.isNull() || m_image.devicePixelRatio() != devicePixelRatioF();
    if (stale && !m_layout.grid.isEmpty()) {
        rebuildImage();
    }
    QPainter painter(this);
    painter.drawImage(m_layout.grid.topLeft(), m_image);
    painter.setPen(palette().color(QPalette::WindowText));
    paintRowLabels(painter);
    paintColumnLabels(painter);
    paintLegend(painter);
    paintSelection(painter);
    paintFocusFrame(painter, m_layout.grid);
}

void SensitivityHeatmap::paintRowLabels(QPainter &painter) const
{
    for (int row = 0; row < m_data.rowCount(); row += m_layout.rowLabelStep) {
        const QRect cell = cellRect(row, 0);
        const QRect label(MARGIN, cell.top(), m_layout.labelWidth - LABEL_PAD, cell.height());
        painter.drawText(label, Qt::AlignRight | Qt::AlignVCenter | Qt::TextDontClip,
                         m_data.rows[static_cast<std::size_t>(row)].label);
    }
}

void SensitivityHeatmap::paintColumnLabels(QPainter &painter) const
{
    const int bottom = m_layout.grid.top() - LABEL_PAD / 2;
    for (int column = 0; column < m_data.columnCount(); column += m_layout.columnLabelStep) {
        const QRect cell = cellRect(0, column);
        const QString text =
                fromStd(core::linearRoleName(m_data.columns[static_cast<std::size_t>(column)]));
        if (!m_layout.rotatedHeader) {
            painter.drawText(QRect(cell.left(), MARGIN, cell.width(), bottom - MARGIN),
                             Qt::AlignHCenter | Qt::AlignBottom | Qt::TextDontClip, text);
            continue;
        }
        // Read bottom-to-top, as axis labels are, ending just above the column.
        painter.save();
        painter.translate(cell.center().x(), bottom);
        painter.rotate(-90);
        const int h = painter.fontMetrics().height();
        painter.drawText(QRect(0, -h / 2, m_layout.headerHeight, h),
                         Qt::AlignLeft | Qt::AlignVCenter | Qt::TextDontClip, text);
        painter.restore();
    }
}

void SensitivityHeatmap::paintLegend(QPainter &painter) const
{
    if (m_mode == Mode::Assignment) {
        HeatmapLegend::paintSwatches(painter, m_layout.legend, m_data, palette());
        return;
    }
    const auto range = m_data.logRange.find(m_format);
    HeatmapLegend::paintColourBar(
            painter, m_layout.legend, m_format,
            range == m_data.logRange.end() ? std::nullopt : std::optional<LogRange>(range->second),
            locale());
}

}  // namespace pq::widgets
