// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>

#include <QColor>
#include <QCoreApplication>
#include <QString>

#include "core/quant/formats.h"
#include "widgets/sensitivity/heatmap_data.h"

class QFontMetrics;
class QLocale;
class QPainter;
class QPalette;
class QRect;

namespace pq::widgets {

/**
 * The colours of the sensitivity heatmap and its two legends. Predicted Δloss uses viridis on a
 * log10 scale (perceptually uniform, readable with every common colour-vision deficiency and in
 * grey); formats use the Okabe–Ito palette, and the two pairs of formats that have to share a
 * colour are told apart by hatching. What has no colour of its own (no cost, no format, mixed
 * formats) is hatched on the base colour, so it never reads as a value of the scale.
 * Stateless helpers; the painting ones are for the GUI thread.
 */
class HeatmapLegend
{
    Q_DECLARE_TR_FUNCTIONS(pq::widgets::HeatmapLegend)

public:
    static constexpr int SWATCH = 12;    ///< colour-bar width and swatch size, in pixels
    static constexpr int LABEL_PAD = 6;  ///< between a swatch and its label

    /** Viridis at `t` in [0, 1] (clamped), interpolated between 11 samples of matplotlib's. */
    static QColor viridis(double t);

    /** The Okabe–Ito colour of a format. */
    static QColor formatColour(core::quant::FormatId format);

    /** Whether the format shares its colour with another one and is drawn hatched. */
    static bool formatHatched(core::quant::FormatId format);

    /** "10⁻³": a power of ten with a superscript exponent. */
    static QString powerOfTen(int exponent);

    /** The format's colour, hatched where formatHatched(). */
    static void fillFormat(QPainter &painter, const QRect &rect, core::quant::FormatId format);

    /** Cross-hatched: the Linears of a cell were given different formats. */
    static void fillMixed(QPainter &painter, const QRect &rect, const QPalette &palette);

    /** Diagonally hatched: no cost for the format shown, or no format assigned. */
    static void fillMissing(QPainter &painter, const QRect &rect, const QPalette &palette);

    /**
     * The fill of a routed expert the calibration never reached: Okabe–Ito vermillion, a hue
     * viridis never takes, so such experts stand out on the token map in every palette.
     */
    static QColor unreachedColour();

    /** Black or white, whichever reads better on `fill`: marks drawn over a cell. */
    static QColor markColour(const QColor &fill);

    /**
     * The mark of an expert whose sensitivity is its layer's prior: a square dot in the middle
     * of `rect` (at least 2 px, so it shows on the thinnest cells) in markColour(`fill`).
     */
    static void paintPriorMark(QPainter &painter, const QRect &rect, const QColor &fill);

    /** The width paintColourBar() needs for `format`. */
    static int colourBarWidth(const QFontMetrics &metrics, core::quant::FormatId format);

    /** The width paintSwatches() needs for the formats of `data`. */
    static int swatchesWidth(const QFontMetrics &metrics, const HeatmapData &data);

    /**
     * The Sensitivity legend inside `rect`: a title naming the format, then a vertical viridis
     * bar (low Δloss at the bottom) with ticks at the powers of ten inside `range`, or the two
     * ends' values when it spans less than a decade. Without a range it says there are no costs.
     */
    static void paintColourBar(QPainter &painter,
                               const QRect &rect,
                               core::quant::FormatId format,
                               const std::optional<LogRange> &range,
                               const QLocale &locale);

    /** What the colour bar's values are: real numbers, or counts (labelled as integers). */
    enum class BarValues : std::uint8_t
    {
        Real,
        Count,
    };

    /**
     * A vertical viridis bar for any log10 range, as above, under `title`; `empty` is shown
     * instead when there is no range. Counts label the decades 1 … 10⁶ in full ("1,000").
     */
    static void paintColourBar(QPainter &painter,
                               const QRect &rect,
                               const QString &title,
                               const std::optional<LogRange> &range,
                               const QLocale &locale,
                               const QString &empty,
                               BarValues values = BarValues::Real);

    /**
     * The Assignment legend inside `rect`: a title, then one swatch per chosen format and one
     * for "mixed" when a cell is; without an allocation it says so.
     */
    static void paintSwatches(QPainter &painter,
                              const QRect &rect,
                              const HeatmapData &data,
                              const QPalette &palette);

private:
    static int paintTitle(QPainter &painter, const QRect &rect, const QString &title);
};

}  // namespace pq::widgets
