// SPDX-License-Identifier: MIT
#include "widgets/sensitivity/heatmap_legend.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

#include <QFontMetrics>
#include <QLinearGradient>
#include <QLocale>
#include <QPainter>
#include <QPalette>
#include <QRect>

#include "core/quant/format_spec.h"

namespace pq::widgets {
namespace {

using core::quant::FormatId;

/** matplotlib's viridis sampled at 0, 0.1, ..., 1. */
constexpr std::array<QRgb, 11> VIRIDIS = {0x440154, 0x482475, 0x414487, 0x355f8d,
                                          0x2a788e, 0x21918c, 0x22a884, 0x44bf70,
                                          0x7ad151, 0xbddf26, 0xfde725};

/** Okabe–Ito (with its grey) per FormatId; W8A16Channel and MXFP6E3M2 repeat, hatched. */
constexpr std::array<QRgb, core::quant::FORMAT_COUNT> FORMAT_COLOURS = {
        0x999999,  // BF16: grey, kept as is
        0x0072b2,  // FP8Dynamic: blue
        0x56b4e9,  // MXFP8: sky blue
        0xd55e00,  // NVFP4: vermillion
        0xe69f00,  // NVFP4A16: orange
        0xcc79a7,  // MXFP4: reddish purple
        0xf0e442,  // W4A16: yellow
        0x009e73,  // W8A16: bluish green
        0x009e73,  // W8A16Channel: bluish green, hatched
        0x000000,  // MXFP6E2M3: black
        0x000000,  // MXFP6E3M2: black, hatched
};

QString formatName(FormatId format)
{
    const std::string_view name = core::quant::formatInfo(format).name;
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

QString colourBarTitle(FormatId format)
{
    return HeatmapLegend::tr("Δloss, %1").arg(formatName(format));
}

}  // namespace

QColor HeatmapLegend::viridis(double t)
{
    const double x = std::clamp(t, 0.0, 1.0) * static_cast<double>(VIRIDIS.size() - 1);
    const auto i = std::min(static_cast<std::size_t>(x), VIRIDIS.size() - 2);
    const double f = x - static_cast<double>(i);
    const QColor a(VIRIDIS.at(i));
    const QColor b(VIRIDIS.at(i + 1));
    const auto mix = [f](int u, int v) { return static_cast<int>(std::lround(u + (v - u) * f)); };
    return {mix(a.red(), b.red()), mix(a.green(), b.green()), mix(a.blue(), b.blue())};
}

QColor HeatmapLegend::formatColour(core::quant::FormatId format)
{
    return {FORMAT_COLOURS.at(static_cast<std::size_t>(format))};
}

bool HeatmapLegend::formatHatched(core::quant::FormatId format)
{
    return format == FormatId::W8A16Channel || format == FormatId::MXFP6E3M2;
}

QString HeatmapLegend::powerOfTen(int exponent)
{
    static constexpr std::u16string_view DIGITS = u"⁰¹²³⁴⁵⁶⁷⁸⁹";
    QString text = QStringLiteral("10");
    if (exponent < 0) {
        text += QChar(u'⁻');
    }
    const QString digits = QString::number(std::abs(exponent));
    for (const QChar c : digits) {
        text += QChar(DIGITS[static_cast<std::size_t>(c.digitValue())]);
    }
    return text;
}

void HeatmapLegend::fillFormat(QPainter &painter, const QRect &rect, core::quant::FormatId format)
{
    const QColor colour = formatColour(format);
    painter.fillRect(rect, colour);
    if (formatHatched(format)) {
        painter.fillRect(rect, QBrush(markColour(colour), Qt::BDiagPattern));
    }
}

void HeatmapLegend::fillMixed(QPainter &painter, const QRect &rect, const QPalette &palette)
{
    painter.fillRect(rect, palette.color(QPalette::Base));
    painter.fillRect(rect, QBrush(palette.color(QPalette::Text), Qt::DiagCrossPattern));
}

void HeatmapLegend::fillMissing(QPainter &painter, const QRect &rect, const QPalette &palette)
{
    painter.fillRect(rect, palette.color(QPalette::Base));
    painter.fillRect(rect, QBrush(palette.color(QPalette::Mid), Qt::BDiagPattern));
}

QColor HeatmapLegend::unreachedColour()
{
    return QColor(QRgb{0xd55e00});  // Okabe–Ito vermillion
}

QColor HeatmapLegend::markColour(const QColor &fill)
{
    return fill.lightness() < 128 ? QColor(Qt::white) : QColor(Qt::black);
}

void HeatmapLegend::paintPriorMark(QPainter &painter, const QRect &rect, const QColor &fill)
{
    const int side = std::max(2, std::min(rect.width(), rect.height()) * 2 / 5);
    QRect dot(0, 0, side, side);
    dot.moveCenter(rect.center());
    painter.fillRect(dot, markColour(fill));
}

int HeatmapLegend::colourBarWidth(const QFontMetrics &metrics, core::quant::FormatId format)
{
    const int ticks = std::max(metrics.horizontalAdvance(powerOfTen(-88)),
                               metrics.horizontalAdvance(QStringLiteral("8.8e-88")));
    return std::max({metrics.horizontalAdvance(colourBarTitle(format)),
                     metrics.horizontalAdvance(tr("No costs")), SWATCH + LABEL_PAD + ticks});
}

int HeatmapLegend::swatchesWidth(const QFontMetrics &metrics, const HeatmapData &data)
{
    int labels = metrics.horizontalAdvance(tr("Mixed"));
    for (const FormatId f : data.chosenFormats) {
        labels = std::max(labels, metrics.horizontalAdvance(formatName(f)));
    }
    return std::max({metrics.horizontalAdvance(tr("Format")),
                     metrics.horizontalAdvance(tr("No allocation")), SWATCH + LABEL_PAD + labels});
}

int HeatmapLegend::paintTitle(QPainter &painter, const QRect &rect, const QString &title)
{
    const int height = painter.fontMetrics().height();
    painter.drawText(QRect(rect.topLeft(), QSize(rect.width(), height)),
                     Qt::AlignLeft | Qt::AlignVCenter | Qt::TextDontClip, title);
    return height + LABEL_PAD;
}

void HeatmapLegend::paintColourBar(QPainter &painter,
                                   const QRect &rect,
                                   core::quant::FormatId format,
                                   const std::optional<LogRange> &range,
                                   const QLocale &locale)
{
    paintColourBar(painter, rect, colourBarTitle(format), range, locale, tr("No costs"));
}

void HeatmapLegend::paintColourBar(QPainter &painter,
                                   const QRect &rect,
                                   const QString &title,
                                   const std::optional<LogRange> &range,
                                   const QLocale &locale,
                                   const QString &empty,
                                   BarValues values)
{
    const QRect legend = rect.adjusted(0, paintTitle(painter, rect, title), 0, 0);
    if (!range) {
        painter.drawText(legend, Qt::AlignLeft | Qt::AlignTop, empty);
        return;
    }
    // Inset by half a label, so the end labels stay inside the legend.
    const int textHeight = painter.fontMetrics().height();
    const QRect bar(legend.left(), legend.top() + textHeight / 2, SWATCH,
                    legend.height() - textHeight);
    QLinearGradient gradient(bar.bottomLeft(), bar.topLeft());  // low values at the bottom
    for (std::size_t i = 0; i < VIRIDIS.size(); ++i) {
        gradient.setColorAt(static_cast<double>(i) / static_cast<double>(VIRIDIS.size() - 1),
                            QColor(VIRIDIS.at(i)));
    }
    painter.fillRect(bar, gradient);
    const double lo = range->min;
    const double hi = range->max;
    const auto tick = [&](double v, const QString &text) {
        const double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
        const int y = bar.bottom() - static_cast<int>(std::lround(t * bar.height()));
        painter.drawLine(bar.right() + 1, y, bar.right() + 3, y);
        painter.drawText(QRect(bar.right() + LABEL_PAD, y - textHeight / 2,
                               legend.width() - SWATCH - LABEL_PAD, textHeight),
                         Qt::AlignLeft | Qt::AlignVCenter | Qt::TextDontClip, text);
    };
    const bool counts = values == BarValues::Count;
    const auto valueText = [&](double v) {
        return counts ? locale.toString(std::llround(std::pow(10.0, v)))
                      : locale.toString(std::pow(10.0, v), 'g', 2);
    };
    const int first = static_cast<int>(std::ceil(lo));
    const int last = static_cast<int>(std::floor(hi));
    if (last < first) {  // less than a decade: label the ends with their values
        tick(hi, valueText(hi));
        if (hi > lo) {
            tick(lo, valueText(lo));
        }
        return;
    }
    const int fit = std::max(1, bar.height() / (textHeight + 2));
    const int step = std::max(1, (last - first + fit) / fit);
    for (int e = first; e <= last; e += step) {
        tick(e, counts && e >= 0 && e <= 6 ? valueText(e) : powerOfTen(e));
    }
}

void HeatmapLegend::paintSwatches(QPainter &painter,
                                  const QRect &rect,
                                  const HeatmapData &data,
                                  const QPalette &palette)
{
    const int top = rect.top() + paintTitle(painter, rect, tr("Format"));
    const int line = std::max(SWATCH, painter.fontMetrics().height()) + 4;
    QRect row(rect.left(), top, rect.width(), line);
    if (!data.hasAllocation) {
        painter.drawText(row, Qt::AlignLeft | Qt::AlignVCenter, tr("No allocation"));
        return;
    }
    const auto entry = [&](const QString &text, const auto &fill) {
        fill(QRect(row.left(), row.center().y() - SWATCH / 2, SWATCH, SWATCH));
        painter.drawText(row.adjusted(SWATCH + LABEL_PAD, 0, 0, 0),
                         Qt::AlignLeft | Qt::AlignVCenter, text);
        row.translate(0, line);
    };
    for (const FormatId f : data.chosenFormats) {
        entry(formatName(f), [&](const QRect &swatch) { fillFormat(painter, swatch, f); });
    }
    if (std::any_of(data.cells.begin(), data.cells.end(),
                    [](const HeatmapCell &c) { return c.mixed; })) {
        entry(tr("Mixed"), [&](const QRect &swatch) { fillMixed(painter, swatch, palette); });
    }
}

}  // namespace pq::widgets
