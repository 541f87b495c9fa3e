// SPDX-License-Identifier: MIT
#include "widgets/pareto/pareto_view.h"

#include <QLabel>
#include <QVBoxLayout>

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
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_chart, 1);

    connect(m_chart, &ParetoChart::budgetRequested, m_document, &RunDocument::setBudgetBytes);
    connect(m_document, &RunDocument::budgetChanged, m_chart, &ParetoChart::setBudgetBytes);
    connect(m_document, &RunDocument::loaded, this, &ParetoView::onLoaded);
    connect(m_document, &RunDocument::loadStarted, this, [this] {
        m_chart->clear();
        m_summary->setText(tr("Reading the run\u2026"));
    });
    connect(m_document, &RunDocument::allocationChanged, this, &ParetoView::onAllocationChanged);
    connect(m_document, &RunDocument::allocationFailed, this,
            [this](const QString &message) { m_summary->setText(message); });
}

void ParetoView::onLoaded()
{
    const auto run = m_document->run();
    m_chart->setCurve(run->curve, run->knee);
    m_chart->setBudgetBytes(m_document->budgetBytes());
}

void ParetoView::onAllocationChanged()
{
    const auto a = m_document->allocation();
    m_summary->setText(
            tr("%1 · predicted loss increase %2 nats per token")
                    .arg(QString::fromStdString(a->summary()), QString::number(a->cost, 'g', 3)));
}

QString ParetoView::summaryText() const
{
    return m_summary->text();
}

}  // namespace pq::widgets
