// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <QWidget>

#include "core/alloc/allocation.h"

namespace pq::widgets {

/**
 * The Pareto view (UI.md "the steering wheel"): predicted Δloss (log scale) against bits per
 * Linear parameter (bottom axis) and artifact size (top axis) along the allocator's hull, the
 * knee marked, and the current budget as a vertical line. Clicking or dragging sets the budget
 * (snapping to a hull point within a few pixels), Left/Right step between hull points, Home/End
 * jump to the ends; each asks with budgetRequested() — the owner solves it and calls
 * setBudgetBytes(). Hovering a point shows its numbers. Painted by hand (no chart library).
 */
class ParetoChart : public QWidget
{
    Q_OBJECT

public:
    explicit ParetoChart(QWidget *parent = nullptr);

    /** The curve (sorted by size, as Allocator::hull() returns it) and its knee. */
    void setCurve(std::vector<core::alloc::CurvePoint> curve, const core::alloc::Knee &knee);
    void clear();

    void setBudgetBytes(std::uint64_t bytes);

    std::uint64_t budgetBytes() const { return m_budget; }

    const std::vector<core::alloc::CurvePoint> &curve() const { return m_curve; }

    /** Where point `i` is drawn (widget coordinates); for tests and tooltips. */
    QPointF pointPosition(std::size_t i) const;
    /** The budget a click at widget x would ask for (snapped to a point within SNAP_PX). */
    std::uint64_t budgetAt(double x) const;
    /** The hull point nearest to widget position `p` within SNAP_PX, if any. */
    std::optional<std::size_t> pointAt(const QPointF &p) const;
    /** The tooltip of point `i`: bpp, size, predicted Δloss, format counts. */
    QString pointText(std::size_t i) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    static constexpr double SNAP_PX = 8.0;

Q_SIGNALS:
    void budgetRequested(std::uint64_t bytes);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool event(QEvent *event) override;

private:
    QRectF plotRect() const;
    double xOf(std::uint64_t bytes) const;
    double yOf(double cost) const;
    double bitsOf(std::uint64_t bytes) const;
    std::size_t nearestPoint(std::uint64_t bytes) const;
    void drawAxes(QPainter &p, const QRectF &r) const;
    void drawCurve(QPainter &p) const;
    void drawBudget(QPainter &p, const QRectF &r) const;

    std::vector<core::alloc::CurvePoint> m_curve;
    core::alloc::Knee m_knee;
    std::uint64_t m_budget = 0;
    double m_logMin = -6.0;  ///< log10 of the lowest Δloss drawn (zero costs sit on it)
    double m_logMax = 0.0;
};

}  // namespace pq::widgets
