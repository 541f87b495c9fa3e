// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include <QColor>
#include <QImage>
#include <QRect>
#include <QString>
#include <QWidget>

#include "core/quant/formats.h"
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
 * never one widget per cell. Labels, legend and selection are drawn over it. GUI thread only.
 */
class SensitivityHeatmap : public QWidget
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

    HeatmapIndex selectedCell() const { return m_selected; }

    /**
     * Selects (row, column); an index outside the grid clears the selection. Emits
     * cellSelected() when the selection changes, whoever changed it.
     */
    void setSelectedCell(int row, int column);

    /** Where the cell is drawn, in widget coordinates; empty for an index outside the grid. */
    QRect cellRect(int row, int column) const;

    /** The cell under `pos` (widget coordinates); invalid outside the grid. */
    HeatmapIndex cellAt(QPoint pos) const;

    /** The cell's fill colour in the current mode; invalid for an empty cell. */
    QColor cellColour(int row, int column) const;

    /** The hover text of a cell: layer, role, module, Linears, params, Δloss, chosen format. */
    QString tooltipText(int row, int column) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    /** The selection moved to (row, column): a click, the keyboard, or setSelectedCell(). */
    void cellSelected(int row, int column);
    /** The user double-clicked (row, column) or pressed Enter on it. */
    void cellActivated(int row, int column);

protected:
    bool event(QEvent *event) override;
    void changeEvent(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    /** Where everything goes at the current size, font and mode. */
    struct Layout
    {
        QRect grid;  ///< the cells, an exact multiple of the cell size
        QRect legend;
        int cellWidth = 0;
        int cellHeight = 0;
        int labelWidth = 0;    ///< row labels, left of the grid
        int headerHeight = 0;  ///< column labels, above the grid
        bool rotatedHeader = false;
        int rowLabelStep = 1;  ///< every n-th row is labelled when rows are thin
        int columnLabelStep = 1;
    };

    void relayout();
    void invalidateImage();
    void rebuildImage();
    void paintCell(QPainter &painter, const QRect &rect, int row, int column) const;
    void paintRowLabels(QPainter &painter) const;
    void paintColumnLabels(QPainter &painter) const;
    void paintLegend(QPainter &painter) const;
    void paintSelection(QPainter &painter) const;
    void moveSelection(int rows, int columns);
    void updateAccessibleDescription();
    int legendWidth() const;
    int columnLabelWidth() const;
    double normalised(double cost) const;

    HeatmapData m_data;
    Mode m_mode = Mode::Sensitivity;
    core::quant::FormatId m_format = core::quant::FormatId::NVFP4;
    HeatmapIndex m_selected;
    Layout m_layout;
    QImage m_image;  ///< the grid, device pixels; null when it must be rebuilt
};

}  // namespace pq::widgets
