// SPDX-License-Identifier: MIT
#include "widgets/sensitivity/sensitivity_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "core/quant/format_spec.h"
#include "widgets/run/run_document.h"
#include "widgets/sensitivity/heatmap_data.h"
#include "widgets/sensitivity/linear_detail.h"
#include "widgets/sensitivity/sensitivity_heatmap.h"

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
    layout->addWidget(m_linear);

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
        }
    });
    connect(m_heatmap, &SensitivityHeatmap::cellSelected, this, &SensitivityView::showSelection);
    connect(m_document, &RunDocument::loaded, this, &SensitivityView::rebuild);
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
}

QString SensitivityView::detailText() const
{
    return m_detail->text();
}

}  // namespace pq::widgets
