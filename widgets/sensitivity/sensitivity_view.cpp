// SPDX-License-Identifier: MIT
#include "widgets/sensitivity/sensitivity_view.h"

#include <algorithm>
#include <vector>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "core/quant/format_spec.h"
#include "widgets/run/run_document.h"
#include "widgets/sensitivity/expert_grid.h"
#include "widgets/sensitivity/expert_grid_data.h"
#include "widgets/sensitivity/expert_grid_dialog.h"
#include "widgets/sensitivity/heatmap_data.h"
#include "widgets/sensitivity/linear_detail.h"
#include "widgets/sensitivity/sensitivity_heatmap.h"
#include "widgets/sensitivity/weight_histogram_view.h"

namespace pq::widgets {
namespace {

QString formatName(core::quant::FormatId id)
{
    const std::string_view name = core::quant::formatInfo(id).name;
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

}  // namespace

SensitivityView::SensitivityView(RunDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
{
    m_mode = new QComboBox(this);
    m_mode->addItem(tr("Predicted loss increase of a format"));
    m_mode->addItem(tr("Format chosen at the budget"));
    m_mode->setAccessibleName(tr("Colour the cells by"));
    m_format = new QComboBox(this);
    m_format->setAccessibleName(tr("Format whose predicted loss increase colours the cells"));
    m_heatmap = new SensitivityHeatmap(this);
    m_detail = new QLabel(this);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_linear = new LinearDetail(this);
    m_histogram = new WeightHistogramView(this);

    auto *controls = new QHBoxLayout;
    auto *colourBy = new QLabel(tr("Colour by:"), this);
    colourBy->setBuddy(m_mode);
    controls->addWidget(colourBy);
    controls->addWidget(m_mode);
    controls->addWidget(m_format);
    controls->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_heatmap, 1);
    layout->addWidget(m_detail);
    auto *details = new QHBoxLayout;
    details->addWidget(m_linear, 3);
    details->addWidget(m_histogram, 2);
    layout->addLayout(details);

    connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int index) {
        const bool assignment = index == 1;
        m_heatmap->setMode(assignment ? SensitivityHeatmap::Mode::Assignment
                                      : SensitivityHeatmap::Mode::Sensitivity);
        m_format->setEnabled(!assignment);
    });
    connect(m_format, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0) {
            m_heatmap->setFormat(
                    static_cast<core::quant::FormatId>(m_format->itemData(index).toInt()));
            showSelection();  // without an allocation, the histogram's format is this one
        }
    });
    connect(m_heatmap, &SensitivityHeatmap::cellSelected, this, [this] {
        m_shownLinear.reset();
        showSelection();
    });
    connect(m_heatmap, &SensitivityHeatmap::cellActivated, this, &SensitivityView::openExperts);
    connect(m_document, &RunDocument::loaded, this, &SensitivityView::rebuild);
    connect(m_document, &RunDocument::loaded, this, &SensitivityView::refreshExperts);
    connect(m_document, &RunDocument::allocationChanged, this, &SensitivityView::rebuild);
    showSelection();
}

void SensitivityView::rebuild()
{
    const auto run = m_document->run();
    if (run == nullptr) {
        return;
    }
    const auto allocation = m_document->allocation();
    m_heatmap->setData(buildHeatmap(run->costs.inventory, run->costs.costs, allocation.get()));
    fillFormats();
    showSelection();
}

void SensitivityView::fillFormats()
{
    const HeatmapData &data = m_heatmap->data();
    const QSignalBlocker block(m_format);
    m_format->clear();
    for (const core::quant::FormatId id : data.formats) {
        if (data.logRange.count(id) != 0) {  // BF16 costs nothing: nothing to colour
            m_format->addItem(formatName(id), static_cast<int>(id));
        }
    }
    m_format->setCurrentIndex(m_format->findData(static_cast<int>(m_heatmap->format())));
}

void SensitivityView::showSelection()
{
    const HeatmapIndex at = m_heatmap->selectedCell();
    const auto run = m_document->run();
    if (!m_heatmap->data().contains(at) || run == nullptr) {
        m_detail->setText(tr("Click a cell (or use the arrow keys) to see its numbers; hover for "
                             "a summary."));
        m_linear->clear();
        m_histogram->clear();
        return;
    }
    m_detail->setText(m_heatmap->tooltipText(at.row, at.column));
    const HeatmapCell &cell = m_heatmap->data().cell(at.row, at.column);
    LinearDetailData d;
    d.title = QString::fromStdString(cell.module);
    d.deltaLoss = cell.costs;
    d.chosen = cell.chosen;
    const core::ModelInventory &inv = run->costs.inventory;
    for (const auto &[format, cost] : cell.costs) {
        std::uint64_t bytes = 0;
        for (const std::size_t i : cell.linears) {
            const core::LinearInfo &l = inv.linears[i];
            bytes += core::quant::formatBytes(format, l.outFeatures, l.inFeatures, l.sourceDtype);
        }
        d.bytes[format] = bytes;
    }
    if (cell.linears.size() == 1) {  // a layer's experts have no single profile
        const std::string &name = inv.linears[cell.linears.front()].name;
        for (const core::data::LinearSensitivity &l : run->costs.report.linears) {
            if (l.name == name) {
                d.channelProfile = l.channelFisher;
                break;
            }
        }
    }
    m_linear->setData(std::move(d));
    showHistogram(cell);
}

void SensitivityView::showHistogram(const HeatmapCell &cell)
{
    const auto run = m_document->run();
    if (run == nullptr || cell.empty()) {
        m_histogram->clear(run == nullptr ? QString() : tr("No Linear of this role here."));
        return;
    }
    std::size_t index = cell.linears.front();
    if (m_shownLinear &&
        std::find(cell.linears.begin(), cell.linears.end(), *m_shownLinear) != cell.linears.end()) {
        index = *m_shownLinear;
    }
    const core::LinearInfo &l = run->costs.inventory.linears[index];
    const auto allocation = m_document->allocation();
    const bool allocated = allocation != nullptr && index < allocation->linearFormats.size();
    WeightHistogramRequest request;
    request.modelDir = run->costs.modelDir;
    request.inventory = std::shared_ptr<const core::ModelInventory>(run, &run->costs.inventory);
    request.linear = index;
    request.format = allocated ? allocation->linearFormats[index] : m_heatmap->format();
    QString format = allocated ? tr("%1 (chosen at the budget)").arg(formatName(request.format))
                               : tr("%1 (colouring the map)").arg(formatName(request.format));
    if (!core::quant::checkShape(request.format, l.outFeatures, l.inFeatures)) {
        // The map's format may be one this shape cannot take (a hatched cell): plain weights.
        format = tr("BF16 (%1 cannot store this shape)").arg(formatName(request.format));
        request.format = core::quant::FormatId::BF16;
    }
    const QString name = QString::fromStdString(l.name);
    request.title = cell.experts > 0 ? tr("%1 in %2; expert %3 of the layer's %4")
                                               .arg(name, format)
                                               .arg(l.expert)
                                               .arg(cell.experts)
                                     : tr("%1 in %2").arg(name, format);
    m_histogram->request(request);
}

void SensitivityView::openExperts(int row, int column)
{
    const HeatmapData &data = m_heatmap->data();
    const auto run = m_document->run();
    if (run == nullptr || !data.contains({row, column}) || data.cell(row, column).experts == 0) {
        return;
    }
    const HeatmapRow &r = data.rows[static_cast<std::size_t>(row)];
    ExpertGridData grid = buildExpertGrid(run->costs.inventory, run->costs.report,
                                          data.columns[static_cast<std::size_t>(column)]);
    const int gridRow = grid.rowOf(r.section, r.layer);
    if (m_experts == nullptr) {
        m_experts = new ExpertGridDialog(this);
        connect(m_experts, &ExpertGridDialog::expertActivated, this, &SensitivityView::showLinear);
    }
    m_experts->setData(std::move(grid), gridRow);
    m_experts->show();
    m_experts->raise();
    m_experts->activateWindow();
}

void SensitivityView::showLinear(int linear)
{
    const auto run = m_document->run();
    if (run == nullptr || linear < 0 ||
        static_cast<std::size_t>(linear) >= run->costs.inventory.linears.size()) {
        return;
    }
    const auto index = static_cast<std::size_t>(linear);
    const core::LinearRole role = run->costs.inventory.linears[index].role;
    const HeatmapData &data = m_heatmap->data();
    for (int row = 0; row < data.rowCount(); ++row) {
        for (int column = 0; column < data.columnCount(); ++column) {
            const std::vector<std::size_t> &in = data.cell(row, column).linears;
            if (data.columns[static_cast<std::size_t>(column)] == role &&
                std::find(in.begin(), in.end(), index) != in.end()) {
                m_heatmap->setSelectedCell(row, column);  // clears m_shownLinear
                m_shownLinear = index;
                showSelection();
                return;
            }
        }
    }
}

void SensitivityView::refreshExperts()
{
    if (m_experts == nullptr || !m_experts->isVisible()) {
        return;
    }
    const auto run = m_document->run();
    if (run == nullptr) {
        m_experts->hide();
        return;
    }
    // Another run (or the same one re-planned): the same role, the same expert where it exists.
    const HeatmapIndex at = m_experts->grid()->selectedCell();
    m_experts->setData(buildExpertGrid(run->costs.inventory, run->costs.report,
                                       m_experts->grid()->data().role),
                       at.row);
    m_experts->grid()->setSelectedCell(at.row, at.column);
}

QString SensitivityView::detailText() const
{
    return m_detail->text();
}

}  // namespace pq::widgets
