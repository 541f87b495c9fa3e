// SPDX-License-Identifier: MIT
#include "widgets/probe/probe_view.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QVBoxLayout>

#include "core/probe/causal_lm.h"
#include "core/probe/probe_run.h"
#include "widgets/common/bundled_examples.h"
#include "widgets/jobs/error_text.h"
#include "widgets/jobs/job_runner.h"
#include "widgets/model/display_text.h"

namespace pq::widgets {
namespace {

/**
 * Where the probe of `modelDir` writes: "<model>-run" beside the model, unless that folder
 * cannot be written to (a model on a read-only share) or the model is the bundled demo (the
 * install or source tree is no place for results): then under the user's data folder.
 */
QString proposedRunDirectory(const QString &modelDir)
{
    const QFileInfo model(modelDir);
    if (QDir::cleanPath(modelDir) != demoModelDirectory() &&
        QFileInfo(model.absolutePath()).isWritable()) {
        return modelDir + QStringLiteral("-run");
    }
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
           QStringLiteral("/runs/") + model.fileName() + QStringLiteral("-run");
}

QSpinBox *spin(int lo, int hi, int value, QWidget *parent)
{
    auto *box = new QSpinBox(parent);
    box->setRange(lo, hi);
    box->setValue(value);
    return box;
}

}  // namespace

ProbeView::ProbeView(core::quant::QuantBackend &backend, QWidget *parent)
    : QWidget(parent)
    , m_backend(backend)
{
    m_pool.setMaxThreadCount(1);
    m_model = new QLabel(tr("Open a model folder first."), this);
    m_model->setWordWrap(true);
    m_calib = new QLineEdit(this);
    m_calib->setPlaceholderText(tr(".txt or .jsonl text (optionally .gz), or a folder of them"));
    m_calib->setAccessibleName(tr("Calibration text"));
    auto *browse = new QPushButton(tr("Browse\u2026"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(
                this, tr("Calibration text"), QString(),
                tr("Text (*.txt *.txt.gz *.jsonl *.jsonl.gz);;All files (*)"));
        if (!file.isEmpty()) {
            m_calib->setText(file);
        }
    });
    auto *bundled = new QPushButton(tr("Bundled Text"), this);
    bundled->setToolTip(tr("The King James Bible that comes with PrismaQuant (public domain): "
                           "fine for trying things out; text like what the model will see in "
                           "use measures better"));
    bundled->setEnabled(!bundledCalibrationText().isEmpty());
    connect(bundled, &QPushButton::clicked, this,
            [this] { m_calib->setText(bundledCalibrationText()); });
    auto *calibRow = new QHBoxLayout;
    calibRow->addWidget(m_calib, 1);
    calibRow->addWidget(browse);
    calibRow->addWidget(bundled);
    m_runDir = new QLineEdit(this);
    m_runDir->setAccessibleName(tr("Run directory"));
    m_samples = spin(1, 100000, 32, this);
    m_samples->setToolTip(tr("Calibration windows: more give steadier measurements and take "
                             "longer (the probe's time grows with samples × length)"));
    m_seqLen = spin(2, 1048576, 512, this);
    m_seqLen->setToolTip(tr("Tokens per window"));
    m_heldOut = spin(1, 100000, 16, this);
    m_heldOut->setToolTip(tr("Windows kept apart for evaluating the result, never measured on"));
    m_device = new QComboBox(this);
    m_device->setAccessibleName(tr("Device the probe runs on"));
    m_device->addItem(tr("CPU"), static_cast<int>(probe::Device::Cpu));
    m_device->addItem(tr("GPU (CUDA)"), static_cast<int>(probe::Device::Cuda));
    // the GPU entry is shown, so that people know it exists, and enabled once libtorch says it
    // can run there — asked on a worker: starting the CUDA driver can take seconds
    auto *gpu = qobject_cast<QStandardItemModel *>(m_device->model())->item(1);
    gpu->setEnabled(false);
    gpu->setToolTip(tr("Checking for a GPU\u2026"));
    auto *check = JobRunner::withResult<bool>(
            [](core::JobContext &) -> core::Result<bool> { return probe::cudaAvailable(); }, this);
    connect(check, &JobRunner::succeeded, this, [this, check, gpu] {
        const bool available = *check->result<bool>();
        gpu->setEnabled(available);
        gpu->setToolTip(available ? QString()
                                  : tr("This build's libtorch has no CUDA, or no GPU is visible"));
        m_deviceChecked = true;
    });
    connect(check, &JobRunner::finished, check, &QObject::deleteLater);
    check->start(m_pool);
    m_device->setToolTip(tr("The GPU computes in bfloat16 and is much faster on large models; "
                            "the CPU computes in float32"));

    auto *form = new QFormLayout;
    form->addRow(tr("Model:"), m_model);
    form->addRow(tr("Calibration text:"), calibRow);
    form->addRow(tr("Run directory:"), m_runDir);
    form->addRow(tr("Samples:"), m_samples);
    form->addRow(tr("Tokens per sample:"), m_seqLen);
    form->addRow(tr("Held-out samples:"), m_heldOut);
    form->addRow(tr("Device:"), m_device);

    m_run = new QPushButton(tr("Run the probe"), this);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setEnabled(false);
    connect(m_run, &QPushButton::clicked, this, &ProbeView::start);
    connect(m_cancel, &QPushButton::clicked, this, &ProbeView::cancel);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);
    buttons->addStretch(1);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_log = new QPlainTextEdit(this);
    m_log->setReadOnly(true);
    m_log->setAccessibleName(tr("The probe's log"));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_log, 1);
}

ProbeView::~ProbeView()
{
    if (m_job != nullptr) {
        disconnect(m_job, nullptr, this, nullptr);
        m_job->requestCancel();
    }
    m_pool.waitForDone();
}

void ProbeView::setModelDirectory(const QString &dir)
{
    m_modelDir = dir;
    m_model->setText(dir);
    m_runDir->setText(proposedRunDirectory(dir));
    if (m_calib->text().isEmpty()) {  // something that works, for a first try
        m_calib->setText(bundledCalibrationText());
    }
}

void ProbeView::showRun(const QString &runDir, const std::string &calibrationJson)
{
    m_runDir->setText(runDir);
    const QJsonObject c =
            QJsonDocument::fromJson(QByteArray::fromStdString(calibrationJson)).object();
    const QJsonArray files = c.value(QLatin1String("files")).toArray();
    if (files.size() == 1) {
        m_calib->setText(files.first().toObject().value(QLatin1String("path")).toString());
    }
    for (const auto &[key, box] : {std::pair{"samples", m_samples}, std::pair{"seq_len", m_seqLen},
                                   std::pair{"held_out_samples", m_heldOut}}) {
        const int v = c.value(QLatin1String(key)).toInt(0);
        if (v > 0) {
            box->setValue(v);
        }
    }
}

bool ProbeView::isRunning() const
{
    return m_job != nullptr;
}

void ProbeView::setRunning(bool running)
{
    m_run->setEnabled(!running);
    m_cancel->setEnabled(running);
}

void ProbeView::start()
{
    if (m_job != nullptr) {
        return;
    }
    if (m_modelDir.isEmpty() || m_calib->text().isEmpty() || m_runDir->text().isEmpty()) {
        m_status->setText(tr("Choose the model, a calibration text and the run directory first."));
        return;
    }
    probe::ProbeRunRequest request;
    request.modelDir = QFile::encodeName(m_modelDir).toStdString();
    request.calib = QFile::encodeName(m_calib->text()).toStdString();
    request.outDir = QFile::encodeName(QDir(m_runDir->text()).absolutePath()).toStdString();
    request.calibration.samples = static_cast<std::uint64_t>(m_samples->value());
    request.calibration.seqLen = static_cast<std::uint64_t>(m_seqLen->value());
    request.calibration.heldOutSamples = static_cast<std::uint64_t>(m_heldOut->value());
    request.settings.runtime.device = static_cast<probe::Device>(m_device->currentData().toInt());
    // the CLI's default menu (prismaquant probe --formats)
    using core::quant::FormatId;
    request.settings.formats = {FormatId::NVFP4, FormatId::NVFP4A16,   FormatId::MXFP4,
                                FormatId::MXFP8, FormatId::FP8Dynamic, FormatId::W4A16,
                                FormatId::W8A16};
    core::quant::QuantBackend *backend = &m_backend;
    m_job = JobRunner::withResult<probe::ProbeRunResult>(
            [request, backend](core::JobContext &ctx) {
                return probe::probeIntoRunDirectory(request, *backend, ctx);
            },
            this);
    connect(m_job, &JobRunner::progressChanged, this, &ProbeView::onProgress);
    connect(m_job, &JobRunner::logged, this,
            [this](const QString &line) { m_log->appendPlainText(line); });
    const QString runDir = QString::fromStdString(request.outDir);
    connect(m_job, &JobRunner::succeeded, this, [this, runDir] {
        const auto result = m_job->result<probe::ProbeRunResult>();
        m_job = nullptr;
        setRunning(false);
        m_progress->setRange(0, 1);
        m_progress->setValue(1);
        m_status->setText(
                tr("Done: %1 Linears measured on %2 tokens (mean loss %3). Results in %4.")
                        .arg(result->report.linears.size())
                        .arg(result->report.tokens)
                        .arg(result->report.meanLoss, 0, 'f', 4)
                        .arg(runDir));
        Q_EMIT probeFinished(runDir);
    });
    connect(m_job, &JobRunner::failed, this, [this](const QString &message, int code) {
        m_job = nullptr;
        setRunning(false);
        m_status->setText(code == static_cast<int>(core::ErrorCode::Cancelled)
                                  ? tr("Cancelled. Running again continues where it stopped.")
                                  : tr("%1\n%2").arg(ErrorText::summary(code), message));
    });
    connect(m_job, &JobRunner::finished, m_job, &QObject::deleteLater);
    m_log->clear();
    m_stage.clear();
    m_status->setText(tr("Starting\u2026"));
    setRunning(true);
    Q_EMIT jobStarted(m_job, tr("Probe %1").arg(QFileInfo(m_modelDir).fileName()));
    m_job->start(m_pool);
}

void ProbeView::cancel()
{
    if (m_job != nullptr) {
        m_job->requestCancel();
        m_status->setText(tr("Cancelling at the next layer\u2026"));
    }
}

void ProbeView::onProgress(const QString &stage, quint64 done, quint64 total)
{
    if (stage != m_stage) {
        m_stage = stage;
        m_stageClock.start();
    }
    const auto clampInt = [](quint64 v) {
        return static_cast<int>(std::min<quint64>(v, 1U << 30U));
    };
    m_progress->setRange(0, clampInt(std::max<quint64>(total, 1)));
    m_progress->setValue(clampInt(done));
    QString eta;
    if (done > 0 && total > done) {
        const qint64 elapsed = m_stageClock.elapsed();
        eta = tr(", about %1 left")
                      .arg(DisplayText::duration(static_cast<qint64>(
                              static_cast<double>(elapsed) * static_cast<double>(total - done) /
                              static_cast<double>(done))));
    }
    m_status->setText(tr("%1: %2 of %3%4").arg(stage).arg(done).arg(total).arg(eta));
}

QString ProbeView::statusText() const
{
    return m_status->text();
}

QString ProbeView::logText() const
{
    return m_log->toPlainText();
}

}  // namespace pq::widgets
