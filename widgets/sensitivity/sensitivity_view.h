// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;

namespace pq::widgets {

class LinearDetail;
class RunDocument;
class SensitivityHeatmap;

/**
 * The Sensitivity tab: the heatmap of a RunDocument's run, coloured by the predicted Δloss of a
 * chosen format or by the format the allocation at the current budget gave each cell, with the
 * two choices above it and the selected cell's numbers below. Follows the document: a new run
 * rebuilds the grid, a new allocation recolours it (the selection stays). GUI thread only.
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

private:
    void rebuild();
    void fillFormats();
    void showSelection();

    RunDocument *m_document = nullptr;
    SensitivityHeatmap *m_heatmap = nullptr;
    QComboBox *m_mode = nullptr;
    QComboBox *m_format = nullptr;
    QLabel *m_detail = nullptr;
    LinearDetail *m_linear = nullptr;
};

}  // namespace pq::widgets
