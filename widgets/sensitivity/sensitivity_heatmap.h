// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include <QColor>
#include <QImage>
#include <QRect>
#include <QString>

#include "core/quant/formats.h"
#include "widgets/sensitivity/cell_grid.h"
#include "widgets/sensitivity/heatmap_data.h"

namespace pq::widgets {

/**
 * The Studio's sensitivity heatmap (UI.md): rows are decoder layers (0 at the top, MTP layers
 * last), columns are Linear roles in model order, one cell per Linear (all routed experts of a
 * layer share one cell per expert role).
 *
 * In Sensitivity mode a cell's colour is log10 of its predicted Δloss under format(), on the
 * viridis colour map scaled to the range of that format over the whole model; in Assignment mode
 * it is the format the allocation chose, from the colour-blind-safe Okabe–Ito palette (formats
 * that share a colour are hatched). A legend explains either. Hovering shows the numbers, a click
 * selects a cell, a double-click or Enter activates it; the arrow keys move the selection.
 *
 * The grid is painted into a cached QImage, rebuilt only when the data, mode, format, size or
 * palette change, so a model of 100 layers × 20 roles repaints in well under a frame; there is
 * never one widget per cell. Labels, legend and selection are drawn over it. Selection, keys,
 * tooltips and the cellSelected()/cellActivated() signals come from CellGrid, shared with
 * ExpertGrid. GUI thread only.
 */
class SensitivityHeatmap : public CellGrid
{
    Q_OBJECT

public:
    enum class Mode : std::uint8_t
    {
        Sensitivity,  ///< colour = log10 predicted Δloss of format()
        Assignment,   ///< colour = the format the allocation chose
    };

    explicit SensitivityHeatmap(QWidget *parent = nullptr);

    /**
     * Shows `data`. Keeps the selection when it still lies inside the new grid (otherwise clears
     * it). When the data has no positive cost for format(), the first format that has some
     * becomes format().
     */
    void setData(HeatmapData data);

    const HeatmapData &data() const { return m_data; }

    void setMode(Mode mode);

    Mode mode() const { return m_mode; }

    /** Which format's predicted Δloss colours the Sensitivity mode. */
    void setFormat(core::quant::FormatId format);

    core::quant::FormatId format() const { return m_format; }

    /** The cell's fill colour in the current mode; invalid for an empty cell. */
    QColor cellColour(int row, int column) const;

    /** The hover text of a cell: layer, role, module, Linears, params, Δloss, chosen format. */
    QString tooltipText(int row, int column) const override;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    int rowCount() const override { return m_data.rowCount(); }

    int columnCount() const override { return m_data.columnCount(); }

    const CellGeometry &cellGeometry() const override { return m_layout; }

    void relayout() override;
    QString accessibleSummary() const override;
    void paintEvent(QPaintEvent *event) override;

private:
    /** Where everything goes at the current size, font and mode. */
    struct Layout : CellGeometry
    {
        QRect legend;
        int labelWidth = 0;    ///< row labels, left of the grid
        int headerHeight = 0;  ///< column labels, above the grid
        bool rotatedHeader = false;
        int rowLabelStep = 1;  ///< every n-th row is labelled when rows are thin
        int columnLabelStep = 1;
    };

    void invalidateImage();
    void rebuildImage();
    void paintCell(QPainter &painter, const QRect &rect, int row, int column) const;
    void paintRowLabels(QPainter &painter) const;
    void paintColumnLabels(QPainter &painter) const;
    void paintLegend(QPainter &painter) const;
    int legendWidth() const;
    int columnLabelWidth() const;
    double normalised(double cost) const;

    HeatmapData m_data;
    Mode m_mode = Mode::Sensitivity;
    core::quant::FormatId m_format = core::quant::FormatId::NVFP4;
    Layout m_layout;
    QImage m_image;  ///< the grid, device pixels; null when it must be rebuilt
};

}  // namespace pq::widgets
