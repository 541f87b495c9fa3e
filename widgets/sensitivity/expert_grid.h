// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
#include <QImage>
#include <QRect>
#include <QString>

#include "widgets/sensitivity/cell_grid.h"
#include "widgets/sensitivity/expert_grid_data.h"

namespace pq::widgets {

/**
 * The MoE layer × expert grid (UI.md "Sensitivity heatmap"): a row per layer that routes
 * experts, a column per expert, each cell coloured by the calibration tokens the router sent to
 * that expert, on viridis over log10(tokens). Experts the calibration never reached are filled
 * in vermillion, a hue viridis never takes; experts that got their layer's prior (too few
 * tokens) carry a dot; experts missing from the report are hatched. The legend says so.
 *
 * Like SensitivityHeatmap, the cells are painted into one cached QImage (94 layers × 256
 * experts is a single image, never one widget per cell), rebuilt only when the data, size or
 * palette change. Hover shows an expert's numbers, a click or the arrow keys select, a
 * double-click or Enter activates; that interaction and its signals come from CellGrid, with a
 * cell's column being its expert index. GUI thread only.
 */
class ExpertGrid : public CellGrid
{
    Q_OBJECT

public:
    explicit ExpertGrid(QWidget *parent = nullptr);

    /** Shows `data`; keeps the selection when it still lies inside the new grid. */
    void setData(ExpertGridData data);

    const ExpertGridData &data() const { return m_data; }

    /**
     * The cell's fill: viridis of its tokens (Reached and Prior), unreachedColour() (Unreached);
     * invalid for Absent and NotMeasured cells, which have no colour of their own.
     */
    QColor cellColour(int row, int expert) const;

    /** The hover text: layer, expert, Linear, routed tokens, whether it is a prior estimate. */
    QString tooltipText(int row, int expert) const override;

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
    struct Layout : CellGeometry
    {
        QRect legend;
        int labelWidth = 0;  ///< row labels, left of the grid
        int headerHeight = 0;
        int rowLabelStep = 1;
        int columnLabelStep = 1;  ///< a power of two: expert counts usually are
    };

    void rebuildImage();
    void paintCell(QPainter &painter, const QRect &rect, const ExpertGridCell &cell) const;
    void paintLabels(QPainter &painter) const;
    void paintLegend(QPainter &painter) const;
    int legendWidth() const;
    QColor tokenColour(std::uint64_t tokens) const;

    ExpertGridData m_data;
    Layout m_layout;
    QImage m_image;  ///< the cells, device pixels; null when it must be rebuilt
};

}  // namespace pq::widgets
