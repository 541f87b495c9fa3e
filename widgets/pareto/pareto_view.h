// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QLabel;

namespace pq::widgets {

class ParetoChart;
class RunDocument;

/**
 * The Pareto tab: the chart of a RunDocument's curve with the budget it holds, and above it the
 * allocation at that budget in one line ("16 NVFP4A16 · 11 W4A16 — 3.87 MB, 4.49 bpp") with its
 * predicted Δloss. Clicking, dragging or stepping on the chart sets the document's budget; the
 * document solves it and the line follows. GUI thread only.
 */
class ParetoView : public QWidget
{
    Q_OBJECT

public:
    explicit ParetoView(RunDocument *document, QWidget *parent = nullptr);

    ParetoChart *chart() const { return m_chart; }

    /** The one-line summary shown above the chart. */
    QString summaryText() const;

private:
    void onLoaded();
    void onAllocationChanged();

    RunDocument *m_document = nullptr;
    ParetoChart *m_chart = nullptr;
    QLabel *m_summary = nullptr;
};

}  // namespace pq::widgets
