// SPDX-License-Identifier: MIT
#include "widgets/pareto/evaluate_bar.h"

#include <algorithm>

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

#include "core/pipeline/evaluations.h"
#include "core/probe/evaluate_run.h"
#include "widgets/jobs/error_text.h"
#include "widgets/jobs/job_runner.h"
#include "widgets/model/display_text.h"
#include "widgets/run/run_document.h"

namespace pq::widgets {
namespace {

using core::pipeline::MeasuredPoint;
using core::pipeline::VariantKind;

/** What an evaluation job hands back. */
struct Outcome
{
    std::vector<MeasuredPoint> all;       ///< evaluations.json after recording
    std::vector<MeasuredPoint> measured;  ///< what this job measured
    std::vector<std::string> notes;       ///< e.g. a format left out
};

/** The uniform formats of the run's baselines that evaluations.json has no point for yet. */
std::vector<core::quant::FormatId> unmeasuredBaselines(const RunDocument::Run &run,
                                                       const std::vector<MeasuredPoint> &measured)
{
    std::vector<core::quant::FormatId> out;
    for (const core::pipeline::UniformBaseline &b : run.baselines) {
        const core::quant::FormatInfo &info = core::quant::formatInfo(b.format);
        const bool done = std::any_of(measured.begin(), measured.end(), [&](const auto &m) {
            return m.kind == VariantKind::Uniform && m.variant == info.name && m.bytes == b.bytes;
        });
        if (b.format != core::quant::FormatId::BF16 && info.servable && !done) {
            out.push_back(b.format);
        }
    }
    return out;
}

}  // namespace

EvaluateBar::EvaluateBar(RunDocument *document, core::quant::QuantBackend &backend, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_backend(backend)
{
    m_pool.setMaxThreadCount(1);
    m_evaluate = new QPushButton(tr("&Evaluate"), this);
    m_evaluate->setToolTip(
            tr("Measure the recipe at this budget on the text the probe kept apart: how far its "
               "predictions drift from the original model's (KL divergence). The first "
               "evaluation also measures each single-format baseline."));
    m_evaluate->setAccessibleName(tr("Evaluate the recipe at this budget"));
    m_text = new QPushButton(tr("Text\u2026"), this);
    m_text->setAccessibleName(tr("Calibration text for the evaluation"));
    m_text->setToolTip(tr("The text the probe calibrated on, if it is not where the probe "
                          "recorded it (a run made on another machine)"));
    connect(m_text, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(
                this, tr("The probe's calibration text"), QString(),
                tr("Text (*.txt *.txt.gz *.jsonl *.jsonl.gz);;All files (*)"));
        if (!file.isEmpty()) {
            setCalibrationText(file);
        }
    });
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setAccessibleName(tr("Cancel the evaluation"));
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(160);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setAccessibleName(tr("Evaluation progress"));
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_evaluate);
    row->addWidget(m_text);
    row->addWidget(m_cancel);
    row->addWidget(m_progress);
    row->addWidget(m_status, 1);
    connect(m_evaluate, &QPushButton::clicked, this, &EvaluateBar::start);
    connect(m_cancel, &QPushButton::clicked, this, &EvaluateBar::cancel);
    connect(m_document, &RunDocument::allocationChanged, this, &EvaluateBar::updateEnabled);
    connect(m_document, &RunDocument::loadStarted, this, [this] {
        cancel();
        setCalibrationText({});  // another run: the recorded text again
        m_status->clear();
        updateEnabled();
    });
    setRunning(false);
}

EvaluateBar::~EvaluateBar()
{
    delete m_job;  // cancels and waits: the job uses the backend and the document's run
}

void EvaluateBar::setRunning(bool running)
{
    m_cancel->setEnabled(running);
    updateEnabled();
}

void EvaluateBar::updateEnabled()
{
    m_evaluate->setEnabled(m_job == nullptr && m_document->allocation() != nullptr &&
                           m_document->state() == RunDocument::State::Ready);
}

void EvaluateBar::setCalibrationText(const QString &path)
{
    m_calibration = path;
    m_text->setText(path.isEmpty() ? tr("Text\u2026") : QFileInfo(path).fileName());
}

bool EvaluateBar::isRunning() const
{
    return m_job != nullptr;
}

void EvaluateBar::start()
{
    const auto run = m_document->run();
    const auto allocation = m_document->allocation();
    if (m_job != nullptr || run == nullptr || allocation == nullptr) {
        return;
    }
    probe::MeasureRequest request;
    request.uniform = unmeasuredBaselines(*run, m_document->measuredPoints());
    request.recipe = core::pipeline::formatsOf(run->costs.inventory, *allocation);
    request.recipeLabel = core::pipeline::recipeVariantName(*allocation);
    request.recipePredicted = allocation->cost;
    request.calibOverride = QFile::encodeName(m_calibration).toStdString();
    const QString runDir = m_document->runDirectory();
    const std::string dir = QFile::encodeName(runDir).toStdString();
    core::quant::QuantBackend *backend = &m_backend;
    m_job = JobRunner::withResult<Outcome>(
            [run, request, dir, backend](core::JobContext &ctx) -> core::Result<Outcome> {
                auto measured = probe::measureRun(run->costs, dir, request, *backend, ctx);
                if (!measured) {
                    return std::move(measured).error();
                }
                PQ_TRY_STATUS(core::pipeline::recordEvaluations(dir, measured->points));
                auto all = core::pipeline::readEvaluations(dir);
                if (!all) {
                    return std::move(all).error();
                }
                Outcome out{std::move(*all), std::move(measured->points),
                            std::move(measured->notes)};
                return out;
            },
            this);
    connect(m_job, &JobRunner::progressChanged, this,
            [this](const QString &stage, quint64 done, quint64 total) {
                const auto clampInt = [](quint64 v) {
                    return static_cast<int>(std::min<quint64>(v, 1U << 30U));
                };
                m_progress->setRange(0, clampInt(std::max<quint64>(total, 1)));
                m_progress->setValue(clampInt(done));
                m_status->setText(tr("%1: %2 of %3").arg(stage).arg(done).arg(total));
            });
    connect(m_job, &JobRunner::succeeded, this, [this, runDir] {
        const auto outcome = m_job->result<Outcome>();
        m_job = nullptr;
        setRunning(false);
        const auto &now = outcome->measured;
        const auto recipe = std::find_if(now.begin(), now.end(), [](const auto &p) {
            return p.kind == VariantKind::Recipe;
        });
        QString text = tr("Measured %n variant(s).", "", static_cast<int>(now.size()));
        if (recipe != now.end()) {
            text += QLatin1Char(' ') +
                    tr("The recipe: KL %1 nats per token (predicted %2).")
                            .arg(QString::number(recipe->meanKl, 'g', 3),
                                 recipe->predicted ? QString::number(*recipe->predicted, 'g', 3)
                                                   : QStringLiteral("?"));
        }
        for (const std::string &note : outcome->notes) {
            text += QLatin1Char('\n') + QString::fromStdString(note);
        }
        m_status->setText(text);
        if (m_document->runDirectory() == runDir) {  // not another run opened meanwhile
            m_document->setMeasuredPoints(outcome->all);
        }
        Q_EMIT evaluationFinished(true);
    });
    connect(m_job, &JobRunner::failed, this, [this](const QString &message, int code) {
        m_job = nullptr;
        setRunning(false);
        m_progress->setValue(0);
        m_status->setText(code == static_cast<int>(core::ErrorCode::Cancelled)
                                  ? tr("Cancelled; nothing was recorded.")
                                  : tr("%1\n%2").arg(ErrorText::summary(code), message));
        Q_EMIT evaluationFinished(false);
    });
    connect(m_job, &JobRunner::finished, m_job, &QObject::deleteLater);
    m_status->setText(tr("Measuring %1 on held-out text\u2026")
                              .arg(DisplayText::bytes(allocation->totalBytes)));
    setRunning(true);
    Q_EMIT jobStarted(
            m_job, tr("Evaluate the recipe at %1").arg(DisplayText::bytes(allocation->totalBytes)));
    m_job->start(m_pool);
}

void EvaluateBar::cancel()
{
    if (m_job != nullptr) {
        m_job->requestCancel();
        m_status->setText(tr("Cancelling after the current variant\u2026"));
    }
}

QString EvaluateBar::statusText() const
{
    return m_status->text();
}

}  // namespace pq::widgets
