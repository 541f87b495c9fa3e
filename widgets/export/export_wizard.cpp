// SPDX-License-Identifier: MIT
#include "widgets/export/export_wizard.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStorageInfo>
#include <QVBoxLayout>

#include "core/export/exporter.h"
#include "core/pipeline/evaluations.h"
#include "widgets/jobs/error_text.h"
#include "widgets/jobs/job_runner.h"
#include "widgets/model/display_text.h"
#include "widgets/run/run_document.h"

namespace pq::widgets {

/** Page 3: runs the export when shown; complete once it has succeeded. */
class ExportRunPage : public QWizardPage
{
public:
    explicit ExportRunPage(ExportWizard *wizard)
        : QWizardPage(wizard)
        , m_wizard(wizard)
    {}

    void initializePage() override { m_wizard->startExport(); }

    bool isComplete() const override { return m_wizard->m_done; }

private:
    ExportWizard *m_wizard;
};

namespace {

QWizardPage *makePage(const QString &title, const QString &subTitle, QWidget *parent)
{
    auto *p = new QWizardPage(parent);
    p->setTitle(title);
    p->setSubTitle(subTitle);
    return p;
}

}  // namespace

ExportWizard::ExportWizard(RunDocument *document,
                           core::quant::QuantBackend &backend,
                           QWidget *parent)
    : QWizard(parent)
    , m_document(document)
    , m_backend(backend)
{
    setWindowTitle(tr("Export a checkpoint"));
    setOption(QWizard::NoBackButtonOnLastPage);
    m_pool.setMaxThreadCount(1);

    // 1. the recipe
    QWizardPage *budget =
            makePage(tr("The recipe"),
                     tr("Each Linear gets the format below: the allocation at the budget "
                        "chosen on the Pareto curve. The knee is usually the best "
                        "trade: beyond it, extra bytes buy little quality."),
                     this);
    m_recipe = new QLabel(budget);
    m_recipe->setWordWrap(true);
    auto *knee = new QPushButton(tr("Use the knee"), budget);
    knee->setToolTip(tr("Move the budget to the knee of the Pareto curve"));
    connect(knee, &QPushButton::clicked, this, [this] {
        if (const auto run = m_document->run()) {
            m_document->setBudgetBytes(run->curve[run->knee.index].totalBytes);
        }
    });
    // another run (or none) replaces the one this wizard exports: it no longer applies
    connect(m_document, &RunDocument::loadStarted, this, [this] {
        if (m_job == nullptr) {
            reject();
        }
    });
    connect(m_document, &RunDocument::allocationChanged, this,
            [this] { m_recipe->setText(recipeText()); });
    auto *budgetLayout = new QVBoxLayout(budget);
    budgetLayout->addWidget(m_recipe);
    budgetLayout->addWidget(knee, 0, Qt::AlignLeft);
    budgetLayout->addStretch(1);
    setPage(BudgetPage, budget);

    // 2. where
    QWizardPage *output = makePage(tr("Where to write it"),
                                   tr("A new folder for the checkpoint. Nothing is written there "
                                      "until the export is complete; the source model is never "
                                      "modified."),
                                   this);
    m_output = new QLineEdit(output);
    m_output->setAccessibleName(tr("Output folder"));
    auto *browse = new QPushButton(tr("Browse\u2026"), output);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export into"));
        if (!dir.isEmpty()) {
            m_output->setText(QDir(dir).filePath(QStringLiteral("quantized")));
        }
    });
    m_space = new QLabel(output);
    m_space->setWordWrap(true);
    connect(m_output, &QLineEdit::textChanged, this, [this](const QString &path) {
        QString probe = QFileInfo(path).absolutePath();
        while (!probe.isEmpty() && !QFileInfo::exists(probe) && probe != QDir::rootPath()) {
            probe = QFileInfo(probe).absolutePath();
        }
        const QStorageInfo disk(probe);
        const auto allocation = m_document->allocation();
        m_space->setText(tr("The checkpoint takes about %1; %2 are free there.")
                                 .arg(DisplayText::bytes(allocation ? allocation->totalBytes : 0),
                                      DisplayText::bytes(static_cast<quint64>(
                                              std::max<qint64>(0, disk.bytesAvailable())))));
    });
    auto *row = new QHBoxLayout;
    row->addWidget(m_output, 1);
    row->addWidget(browse);
    auto *outputLayout = new QVBoxLayout(output);
    outputLayout->addLayout(row);
    outputLayout->addWidget(m_space);
    outputLayout->addStretch(1);
    output->setCommitPage(true);
    output->setButtonText(QWizard::CommitButton, tr("Export"));
    setPage(OutputPage, output);
    if (!m_document->runDirectory().isEmpty()) {
        m_output->setText(QDir(m_document->runDirectory()).filePath(QStringLiteral("export")));
    }

    // 3. the export
    auto *run = new ExportRunPage(this);
    m_runPage = run;
    run->setTitle(tr("Exporting"));
    m_progress = new QProgressBar(run);
    m_status = new QLabel(run);
    m_status->setWordWrap(true);
    m_command = new QPlainTextEdit(run);
    m_command->setReadOnly(true);
    m_command->setMaximumHeight(m_command->fontMetrics().height() * 3);
    m_command->setAccessibleName(tr("The command that serves the checkpoint"));
    m_command->hide();
    auto *copy = new QPushButton(tr("Copy the command"), run);
    copy->hide();
    connect(copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_serve); });
    connect(this, &ExportWizard::exportFinished, copy, &QWidget::setVisible);
    auto *runLayout = new QVBoxLayout(run);
    runLayout->addWidget(m_progress);
    runLayout->addWidget(m_status);
    runLayout->addWidget(m_command);
    runLayout->addWidget(copy, 0, Qt::AlignLeft);
    runLayout->addStretch(1);
    setPage(ExportPage, run);

    m_recipe->setText(recipeText());
}

ExportWizard::~ExportWizard()
{
    if (m_job != nullptr) {
        disconnect(m_job, nullptr, this, nullptr);
        m_job->requestCancel();
    }
    m_pool.waitForDone();
}

QString ExportWizard::recipeText() const
{
    const auto a = m_document->allocation();
    if (a == nullptr) {
        return tr("No allocation yet: open a run directory and choose a budget first.");
    }
    return tr("%1\npredicted loss increase: %2 nats per token")
            .arg(QString::fromStdString(a->summary()), QString::number(a->cost, 'g', 3));
}

void ExportWizard::startExport()
{
    const auto run = m_document->run();
    const auto allocation = m_document->allocation();
    if (m_job != nullptr) {
        return;
    }
    if (run == nullptr || allocation == nullptr) {
        m_error = tr("The run is no longer open: open it again and export from there.");
        m_status->setText(m_error);
        Q_EMIT exportFinished(false);
        return;
    }
    core::ct::ExportRequest req;
    req.modelDir = run->costs.modelDir;
    req.outDir =
            QFile::encodeName(QDir::cleanPath(QDir(m_output->text()).absolutePath())).toStdString();
    req.formats = core::pipeline::formatsOf(run->costs.inventory, *allocation);
    req.inputAmax = run->costs.report.inputMaxima();
    req.recipe = "PrismaQuant Studio: " + allocation->summary();
    req.toolVersion = QCoreApplication::applicationVersion().toStdString();
    core::quant::QuantBackend *backend = &m_backend;
    m_job = JobRunner::withResult<core::ct::ExportResult>(
            [req, backend](core::JobContext &ctx) {
                return core::ct::exportCheckpoint(req, *backend, ctx);
            },
            this);
    connect(m_job, &JobRunner::progressChanged, this,
            [this](const QString &, quint64 done, quint64 total) {
                m_progress->setRange(0, static_cast<int>(std::min<quint64>(total, 1U << 30U)));
                m_progress->setValue(static_cast<int>(std::min<quint64>(done, 1U << 30U)));
            });
    connect(m_job, &JobRunner::succeeded, this, [this] {
        const auto result = m_job->result<core::ct::ExportResult>();
        m_job = nullptr;
        m_done = true;
        const QString dir = QFile::decodeName(result->outDir.c_str());
        m_serve = QStringLiteral("vllm serve %1").arg(dir);
        m_progress->setValue(m_progress->maximum());
        m_status->setText(tr("Done: %1 in %2 (%3 tensors). Serve it with:")
                                  .arg(dir, DisplayText::bytes(result->tensorBytes))
                                  .arg(result->tensors));
        m_command->setPlainText(m_serve);
        m_command->show();
        Q_EMIT m_runPage->completeChanged();
        Q_EMIT exportFinished(true);
    });
    connect(m_job, &JobRunner::failed, this, [this](const QString &message, int code) {
        m_job = nullptr;
        m_error = message;
        m_status->setText(tr("%1\n%2").arg(ErrorText::summary(code), message));
        Q_EMIT exportFinished(false);
    });
    connect(m_job, &JobRunner::finished, m_job, &QObject::deleteLater);
    m_status->setText(tr("Writing %1\u2026").arg(QString::fromStdString(req.outDir)));
    Q_EMIT jobStarted(m_job, tr("Export to %1").arg(QDir::toNativeSeparators(m_output->text())));
    m_job->start(m_pool);
}

void ExportWizard::reject()
{
    if (m_job != nullptr) {
        m_job->requestCancel();  // the exporter removes what it wrote
    }
    QWizard::reject();
}

}  // namespace pq::widgets
