// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace pq::widgets {

class ParetoChart;
class RunDocument;

/**
 * The Pareto tab: the chart of a RunDocument's curve with the budget it holds, and above it the
 * allocation at that budget in one line ("16 NVFP4A16 · 11 W4A16 — 3.87 MB, 4.49 bpp") with its
 * predicted Δloss. Clicking, dragging or stepping on the chart sets the document's budget; the
 * document solves it and the line follows. The chart also marks the uniform formats and the
 * run's measured evaluations. GUI thread only.
 */
class ParetoView : public QWidget
{
    Q_OBJECT

public:
    explicit ParetoView(RunDocument *document, QWidget *parent = nullptr);

    ParetoChart *chart() const { return m_chart; }

    /** The one-line summary shown above the chart. */
    QString summaryText() const;

    QDoubleSpinBox *vramBox() const { return m_vram; }

    QSpinBox *contextBox() const { return m_context; }

    /** Sequences served at once (each holds its own KV cache). */
    QSpinBox *batchBox() const { return m_batch; }

    /** The KV cache's element type: BF16 (2 bytes) or FP8 (1 byte). */
    QComboBox *kvTypeBox() const { return m_kvType; }

    /** The arithmetic of the last fit (the result line's tooltip). */
    QString fitArithmetic() const;

    /**
     * "Fits my GPU": the largest budget whose weights, KV cache for the context and batch (in
     * the chosen KV type) and runtime overhead fit the VRAM (core::alloc::vramBudget), clamped
     * to the curve; the arithmetic
     * goes to the result line's tooltip. Says so when not even the smallest recipe fits.
     */
    void fitGpu();

    /** The line beside the fit controls: what the last fit found. */
    QString fitText() const;

    /** Puts the Evaluate job's controls under the chart (builds with the probe). */
    void setEvaluateControls(QWidget *controls);

    /** The line under the chart: why evaluations.json could not be read, if it could not. */
    QString noteText() const;

private:
    void onLoaded();
    void onAllocationChanged();
    void onMeasuredPointsChanged();

    RunDocument *m_document = nullptr;
    ParetoChart *m_chart = nullptr;
    QLabel *m_summary = nullptr;
    QDoubleSpinBox *m_vram = nullptr;
    QSpinBox *m_context = nullptr;
    QSpinBox *m_batch = nullptr;
    QComboBox *m_kvType = nullptr;
    QLabel *m_fit = nullptr;
    QLabel *m_note = nullptr;
};

}  // namespace pq::widgets
