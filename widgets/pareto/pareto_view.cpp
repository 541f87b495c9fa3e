// SPDX-License-Identifier: MIT
#include "widgets/pareto/pareto_view.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "widgets/model/display_text.h"
#include "widgets/pareto/pareto_chart.h"
#include "widgets/run/run_document.h"

namespace pq::widgets {

ParetoView::ParetoView(RunDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
{
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setAccessibleName(tr("Allocation at the chosen budget"));
    m_chart = new ParetoChart(this);

    m_vram = new QDoubleSpinBox(this);
    m_vram->setRange(1.0, 2048.0);
    m_vram->setDecimals(0);
    m_vram->setValue(24.0);
    m_vram->setSuffix(tr(" GB"));
    m_vram->setAccessibleName(tr("GPU memory"));
    m_context = new QSpinBox(this);
    m_context->setRange(256, 1048576);
    m_context->setSingleStep(1024);
    m_context->setValue(8192);
    m_context->setSuffix(tr(" tokens"));
    m_context->setAccessibleName(tr("Context length"));
    m_batch = new QSpinBox(this);
    m_batch->setRange(1, 4096);
    m_batch->setValue(1);
    m_batch->setPrefix(tr("× "));
    m_batch->setAccessibleName(tr("Sequences at once"));
    m_batch->setToolTip(tr("How many conversations the server runs at once: each keeps its own "
                           "KV cache of the context's length"));
    m_kvType = new QComboBox(this);
    m_kvType->addItem(tr("KV cache BF16"), 2);
    m_kvType->addItem(tr("KV cache FP8"), 1);
    m_kvType->setAccessibleName(tr("KV cache type"));
    m_kvType->setToolTip(tr("FP8 halves the memory the KV cache takes (vllm serve "
                            "--kv-cache-dtype fp8)"));
    auto *fit = new QPushButton(tr("Fit"), this);
    fit->setToolTip(tr("Move the budget to the largest recipe whose weights, KV cache for this "
                       "context and about 1.5 GiB of runtime fit the GPU"));
    m_fit = new QLabel(this);
    connect(fit, &QPushButton::clicked, this, &ParetoView::fitGpu);
    auto *fitRow = new QHBoxLayout;
    auto *fitLabel = new QLabel(tr("Fits my GPU:"), this);
    fitLabel->setBuddy(m_vram);
    fitRow->addWidget(fitLabel);
    fitRow->addWidget(m_vram);
    fitRow->addWidget(new QLabel(tr("at"), this));
    fitRow->addWidget(m_context);
    fitRow->addWidget(m_batch);
    fitRow->addWidget(m_kvType);
    fitRow->addWidget(fit);
    fitRow->addWidget(m_fit, 1);

    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->setVisible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addLayout(fitRow);
    layout->addWidget(m_chart, 1);
    layout->addWidget(m_note);

    connect(m_chart, &ParetoChart::budgetRequested, m_document, &RunDocument::setBudgetBytes);
    connect(m_document, &RunDocument::budgetChanged, m_chart, &ParetoChart::setBudgetBytes);
    connect(m_document, &RunDocument::loaded, this, &ParetoView::onLoaded);
    connect(m_document, &RunDocument::loadStarted, this, [this] {
        m_chart->clear();
        m_summary->setText(tr("Reading the run\u2026"));
    });
    connect(m_document, &RunDocument::allocationChanged, this, &ParetoView::onAllocationChanged);
    connect(m_document, &RunDocument::measuredPointsChanged, this,
            &ParetoView::onMeasuredPointsChanged);
    connect(m_document, &RunDocument::allocationFailed, this,
            [this](const QString &message) { m_summary->setText(message); });
}

void ParetoView::onLoaded()
{
    const auto run = m_document->run();
    m_chart->setCurve(run->curve, run->knee);
    m_chart->setBaselines(run->baselines);
    m_chart->setBudgetBytes(m_document->budgetBytes());
    m_note->setText(run->measuredError.empty()
                            ? QString()
                            : tr("The measured evaluations could not be read: %1")
                                      .arg(QString::fromStdString(run->measuredError)));
    m_note->setVisible(!m_note->text().isEmpty());
}

void ParetoView::onMeasuredPointsChanged()
{
    m_chart->setMeasured(m_document->measuredPoints());
}

void ParetoView::setEvaluateControls(QWidget *controls)
{
    controls->setParent(this);
    static_cast<QVBoxLayout *>(layout())->insertWidget(3, controls);
}

QString ParetoView::noteText() const
{
    return m_note->text();
}

void ParetoView::onAllocationChanged()
{
    const auto a = m_document->allocation();
    m_summary->setText(
            tr("%1 · predicted loss increase %2 nats per token")
                    .arg(QString::fromStdString(a->summary()), QString::number(a->cost, 'g', 3)));
}

void ParetoView::fitGpu()
{
    const auto run = m_document->run();
    if (run == nullptr) {
        return;
    }
    core::alloc::VramTarget target;
    target.vramBytes = static_cast<std::uint64_t>(m_vram->value() * 1e9);
    target.context = static_cast<std::uint64_t>(m_context->value());
    target.batch = static_cast<std::uint64_t>(m_batch->value());
    target.kvBytesPerElement = static_cast<std::uint64_t>(m_kvType->currentData().toInt());
    const auto budget = core::alloc::vramBudget(run->costs.inventory.config, target);
    if (!budget) {
        m_fit->setText(QString::fromStdString(budget.error().message()));
        m_fit->setToolTip(QString());
        return;
    }
    m_fit->setToolTip(QString::fromStdString(budget->arithmetic));
    if (budget->budgetBytes < run->curve.front().totalBytes) {
        m_fit->setText(tr("Even the smallest recipe (%1) needs more: %2 are left for the weights.")
                               .arg(DisplayText::bytes(run->curve.front().totalBytes),
                                    DisplayText::bytes(budget->budgetBytes)));
        return;
    }
    m_fit->setText(tr("%1 left for the weights (hover for the arithmetic)")
                           .arg(DisplayText::bytes(budget->budgetBytes)));
    m_document->setBudgetBytes(budget->budgetBytes);
}

QString ParetoView::fitText() const
{
    return m_fit->text();
}

QString ParetoView::fitArithmetic() const
{
    return m_fit->toolTip();
}

QString ParetoView::summaryText() const
{
    return m_summary->text();
}

}  // namespace pq::widgets
