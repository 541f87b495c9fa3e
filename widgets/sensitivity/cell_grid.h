// SPDX-License-Identifier: MIT
#pragma once

#include <QPoint>
#include <QRect>
#include <QString>
#include <QWidget>

#include "widgets/sensitivity/heatmap_data.h"

class QPainter;

namespace pq::widgets {

/**
 * The interaction shared by the custom-painted grids (SensitivityHeatmap, ExpertGrid): one
 * selected cell, a click selects it, a double-click or Enter activates it, the arrow keys,
 * PageUp/PageDown (ten rows) and Home/End (first/last column) move it, hovering shows
 * tooltipText(), and the accessible description follows the selection. Any change of size, font,
 * palette or style calls relayout().
 *
 * The subclass owns the data, the layout (handing its cells' part over by cellGeometry()) and
 * all painting, and so every user-visible string: translation contexts are per class, so this
 * class has none (its own context would be a third, untranslated one). It calls
 * paintSelection() and paintFocusFrame() from its paintEvent(), after the cells, so the rings
 * lie on top. GUI thread only.
 */
class CellGrid : public QWidget
{
    Q_OBJECT

public:
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

    /** The hover text of a cell, also its accessible description while selected. */
    virtual QString tooltipText(int row, int column) const = 0;

Q_SIGNALS:
    /** The selection moved to (row, column): a click, the keyboard, or setSelectedCell(). */
    void cellSelected(int row, int column);
    /** The user double-clicked (row, column) or pressed Enter on it. */
    void cellActivated(int row, int column);

protected:
    /**
     * Where the cells lie: rowCount() × columnCount() cells of one size, row 0 at the top. A
     * subclass's layout struct derives from it, so the geometry is stored once.
     */
    struct CellGeometry
    {
        QRect grid;  ///< the cells, an exact multiple of the cell size
        int cellWidth = 0;
        int cellHeight = 0;
    };

    /** Takes keyboard focus on click and Tab (the keys are half the interaction) and expands. */
    explicit CellGrid(QWidget *parent = nullptr);

    virtual int rowCount() const = 0;
    virtual int columnCount() const = 0;

    /** The geometry of the last relayout(); cellRect(), cellAt() and the selection read it. */
    virtual const CellGeometry &cellGeometry() const = 0;

    /**
     * Recomputes where cells, labels and legend go and schedules a repaint. Called on every
     * resize, font, palette and style change; subclasses also call it when their data changes
     * (not from the constructor here: a virtual call there would not reach them).
     */
    virtual void relayout() = 0;

    /** The accessible description while no cell is selected: what the whole grid shows. */
    virtual QString accessibleSummary() const = 0;

    /**
     * Sets the accessible description from the selection (tooltipText()) or, with none,
     * accessibleSummary(). The selection calls it itself; subclasses call it when the data
     * behind either text changes.
     */
    void updateAccessibleDescription();

    /**
     * For a subclass's setData(), after its relayout(): clears a selection the new grid no
     * longer contains (emitting cellSelected(-1, -1)), else keeps it, and refreshes the
     * accessible description, whose numbers may have changed even where the cell did not.
     */
    void revalidateSelection();

    /** The selected cell's outline; nothing without a selection. */
    void paintSelection(QPainter &painter) const;

    /** A dotted frame around `grid` (the cells' rectangle) while the widget has focus. */
    void paintFocusFrame(QPainter &painter, const QRect &grid) const;

    bool event(QEvent *event) override;
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    bool hasCell(HeatmapIndex index) const;

    /** Moves by (rows, columns), clamped to the grid; with no selection, selects (0, 0). */
    void moveSelection(int rows, int columns);

    HeatmapIndex m_selected;
};

}  // namespace pq::widgets
