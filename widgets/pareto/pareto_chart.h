// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <QWidget>

#include "core/alloc/allocation.h"
#include "core/pipeline/evaluations.h"

namespace pq::widgets {

/**
 * The Pareto view (UI.md "the steering wheel"): predicted Δloss (log scale) against bits per
 * Linear parameter (bottom axis) and artifact size (top axis) along the allocator's hull, the
 * knee marked, and the current budget as a vertical line. Uniform formats are marked where the
 * probe predicts them (hollow squares in the format's colour), and measured evaluations (held-out
 * KL against the source) as filled triangles, joined to the prediction at their size by a dotted
 * line — the distance between the two is how far the cost model is off. Clicking or dragging sets
 * the budget
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

    /** Uniform formats as the probe predicts them (marked, not part of the curve). */
    void setBaselines(std::vector<core::pipeline::UniformBaseline> baselines);

    /** Measured evaluations (the source, KL 0, is not drawn). */
    void setMeasured(std::vector<core::pipeline::MeasuredPoint> measured);

    const std::vector<core::pipeline::UniformBaseline> &baselines() const { return m_baselines; }

    const std::vector<core::pipeline::MeasuredPoint> &measured() const { return m_measured; }

    /** Where baseline `i` and measured point `i` are drawn (widget coordinates). */
    QPointF baselinePosition(std::size_t i) const;
    QPointF measuredPosition(std::size_t i) const;

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
    /** The tooltip at widget position `p`: a hull point, a baseline or a measured point. */
    QString toolTipAt(const QPointF &p) const;

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
    /** The axes' ranges: the curve, the baselines and the measured points all fit. */
    void updateRanges();
    bool drawsMeasured(std::size_t i) const;
    void drawAxes(QPainter &p, const QRectF &r) const;
    void drawCurve(QPainter &p) const;
    void drawMarkers(QPainter &p) const;
    void drawLegend(QPainter &p, const QRectF &r) const;
    void drawBudget(QPainter &p, const QRectF &r) const;

    std::vector<core::alloc::CurvePoint> m_curve;
    core::alloc::Knee m_knee;
    std::vector<core::pipeline::UniformBaseline> m_baselines;
    std::vector<core::pipeline::MeasuredPoint> m_measured;
    std::uint64_t m_budget = 0;
    std::uint64_t m_xLo = 0;  ///< the x axis' ends (bytes)
    std::uint64_t m_xHi = 0;
    double m_logMin = -6.0;  ///< log10 of the lowest Δloss drawn (zero costs sit on it)
    double m_logMax = 0.0;
};

}  // namespace pq::widgets
