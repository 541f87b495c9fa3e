// SPDX-License-Identifier: MIT
#include "widgets/sensitivity/cell_grid.h"

#include <algorithm>

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

namespace pq::widgets {
namespace {

constexpr int PAGE_ROWS = 10;

}  // namespace

CellGrid::CellGrid(QWidget *parent)
    : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

bool CellGrid::hasCell(HeatmapIndex index) const
{
    return index.row >= 0 && index.row < rowCount() && index.column >= 0 &&
           index.column < columnCount();
}

QRect CellGrid::cellRect(int row, int column) const
{
    if (!hasCell({row, column})) {
        return {};
    }
    const CellGeometry &g = cellGeometry();
    return {g.grid.left() + column * g.cellWidth, g.grid.top() + row * g.cellHeight, g.cellWidth,
            g.cellHeight};
}

HeatmapIndex CellGrid::cellAt(QPoint pos) const
{
    const CellGeometry &g = cellGeometry();
    if (!g.grid.contains(pos) || g.cellWidth <= 0 || g.cellHeight <= 0) {
        return {};
    }
    const HeatmapIndex index{(pos.y() - g.grid.top()) / g.cellHeight,
                             (pos.x() - g.grid.left()) / g.cellWidth};
    return hasCell(index) ? index : HeatmapIndex{};
}

void CellGrid::setSelectedCell(int row, int column)
{
    HeatmapIndex index{row, column};
    if (!hasCell(index)) {
        index = {};
    }
    if (index == m_selected) {
        return;
    }
    m_selected = index;
    updateAccessibleDescription();
    update();
    Q_EMIT cellSelected(m_selected.row, m_selected.column);
}

void CellGrid::updateAccessibleDescription()
{
    setAccessibleDescription(m_selected.isValid() ? tooltipText(m_selected.row, m_selected.column)
                                                  : accessibleSummary());
}

void CellGrid::revalidateSelection()
{
    if (!hasCell(m_selected)) {
        setSelectedCell(-1, -1);
    }
    updateAccessibleDescription();
}

void CellGrid::paintSelection(QPainter &painter) const
{
    if (!m_selected.isValid()) {
        return;
    }
    // Two rings, light inside dark, so the outline shows on every colour of both palettes.
    const QRect rect = cellRect(m_selected.row, m_selected.column);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
    painter.drawRect(rect.adjusted(-1, -1, 0, 0));
    painter.setPen(QPen(palette().color(QPalette::HighlightedText), 1));
    painter.drawRect(rect.adjusted(1, 1, -2, -2));
}

void CellGrid::paintFocusFrame(QPainter &painter, const QRect &grid) const
{
    if (hasFocus() && !grid.isEmpty()) {
        painter.setPen(QPen(palette().color(QPalette::Highlight), 1, Qt::DotLine));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(grid.adjusted(-2, -2, 1, 1));
    }
}

// --- events ------------------------------------------------------------------------------------

bool CellGrid::event(QEvent *event)
{
    if (const auto *help = dynamic_cast<QHelpEvent *>(event);
        help != nullptr && event->type() == QEvent::ToolTip) {
        const HeatmapIndex index = cellAt(help->pos());
        if (index.isValid()) {
            QToolTip::showText(help->globalPos(), tooltipText(index.row, index.column), this,
                               cellRect(index.row, index.column));
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    return QWidget::event(event);
}

void CellGrid::changeEvent(QEvent *event)
{
    const QEvent::Type type = event->type();
    if (type == QEvent::FontChange || type == QEvent::PaletteChange ||
        type == QEvent::StyleChange) {
        relayout();
    }
    QWidget::changeEvent(event);
}

void CellGrid::resizeEvent(QResizeEvent *event)
{
    relayout();
    QWidget::resizeEvent(event);
}

void CellGrid::mousePressEvent(QMouseEvent *event)
{
    const HeatmapIndex index = cellAt(event->position().toPoint());
    if (event->button() == Qt::LeftButton && index.isValid()) {
        setSelectedCell(index.row, index.column);
        event->accept();
        return;
    }
    QWidget::mousePressEvent(event);
}

void CellGrid::mouseDoubleClickEvent(QMouseEvent *event)
{
    const HeatmapIndex index = cellAt(event->position().toPoint());
    if (event->button() == Qt::LeftButton && index.isValid()) {
        setSelectedCell(index.row, index.column);
        Q_EMIT cellActivated(index.row, index.column);
        event->accept();
        return;
    }
    QWidget::mouseDoubleClickEvent(event);
}

void CellGrid::moveSelection(int rows, int columns)
{
    if (rowCount() == 0 || columnCount() == 0) {
        return;
    }
    if (!m_selected.isValid()) {
        setSelectedCell(0, 0);
        return;
    }
    setSelectedCell(std::clamp(m_selected.row + rows, 0, rowCount() - 1),
                    std::clamp(m_selected.column + columns, 0, columnCount() - 1));
}

void CellGrid::keyPressEvent(QKeyEvent *event)
{
    // Home and End move by a whole row's width, which the clamp turns into the first and last
    // column; PageUp and PageDown move by PAGE_ROWS rows.
    const int columns = columnCount();
    switch (event->key()) {
    case Qt::Key_Up:
        moveSelection(-1, 0);
        break;
    case Qt::Key_Down:
        moveSelection(1, 0);
        break;
    case Qt::Key_Left:
        moveSelection(0, -1);
        break;
    case Qt::Key_Right:
        moveSelection(0, 1);
        break;
    case Qt::Key_PageUp:
        moveSelection(-PAGE_ROWS, 0);
        break;
    case Qt::Key_PageDown:
        moveSelection(PAGE_ROWS, 0);
        break;
    case Qt::Key_Home:
        moveSelection(0, -columns);
        break;
    case Qt::Key_End:
        moveSelection(0, columns);
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (m_selected.isValid()) {
            Q_EMIT cellActivated(m_selected.row, m_selected.column);
        }
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

}  // namespace pq::widgets
