// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>

#include <QWidget>

class QComboBox;
class QLabel;

namespace pq::widgets {

class ExpertGridDialog;
class LinearDetail;
class RunDocument;
class SensitivityHeatmap;
class WeightHistogramView;
struct HeatmapCell;

/**
 * The Sensitivity tab: the heatmap of a RunDocument's run, coloured by the predicted Δloss of a
 * chosen format or by the format the allocation at the current budget gave each cell, with the
 * two choices above it and the selected cell's numbers below: its Δloss per format, and a
 * histogram of its weights against the values its format can store (read in the background).
 * Double-clicking an experts cell (or Enter on it) opens the MoE layer × expert grid of routed
 * tokens. Follows the document: a new run rebuilds the grid, a new allocation recolours it (the
 * selection stays). GUI thread only.
 */
class SensitivityView : public QWidget
{
    Q_OBJECT

public:
    explicit SensitivityView(RunDocument *document, QWidget *parent = nullptr);

    SensitivityHeatmap *heatmap() const { return m_heatmap; }

    QComboBox *modeBox() const { return m_mode; }

    QComboBox *formatBox() const { return m_format; }

    /** The line under the grid: the selected cell's numbers, or a hint. */
    QString detailText() const;

    /** The selected cell's Δloss per format and channel profile. */
    LinearDetail *detail() const { return m_linear; }

    /**
     * The selected Linear's weight histogram. For an experts cell it is the layer's first
     * expert's (every expert of a cell shares the role and shape; reading all would be slow),
     * or the expert last activated in the expert grid.
     */
    WeightHistogramView *histogram() const { return m_histogram; }

    /** The MoE grid window; null until an experts cell was first activated. */
    ExpertGridDialog *expertDialog() const { return m_experts; }

    /**
     * Opens the layer × expert grid of the cell's expert role with the cell's layer selected;
     * ignored for a cell that is not an experts cell.
     */
    void openExperts(int row, int column);

    /**
     * Selects the heatmap cell of Linear `linear` (an index into the inventory) and shows that
     * very Linear's weights, not its cell's first: what activating an expert in the grid does.
     */
    void showLinear(int linear);

private:
    void rebuild();
    void fillFormats();
    void showSelection();
    void showHistogram(const HeatmapCell &cell);
    void refreshExperts();

    RunDocument *m_document = nullptr;
    SensitivityHeatmap *m_heatmap = nullptr;
    QComboBox *m_mode = nullptr;
    QComboBox *m_format = nullptr;
    QLabel *m_detail = nullptr;
    LinearDetail *m_linear = nullptr;
    WeightHistogramView *m_histogram = nullptr;
    ExpertGridDialog *m_experts = nullptr;
    /** The Linear showLinear() asked for; cleared when the user selects another cell. */
    std::optional<std::size_t> m_shownLinear;
};

}  // namespace pq::widgets
