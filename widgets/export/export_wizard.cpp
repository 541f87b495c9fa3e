// SPDX-License-Identifier: MIT
#include "widgets/export/export_wizard.h"

#include <QApplication>
#include <QButtonGroup>
#include <QCheckBox>
#include <QClipboard>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QStorageInfo>
#include <QVBoxLayout>

#include "core/export/exporter.h"
#include "core/pipeline/evaluations.h"
#include "widgets/jobs/error_text.h"
#include "widgets/jobs/job_runner.h"
#include "widgets/model/display_text.h"
#include "widgets/run/run_document.h"

namespace pq::widgets {

/** Page 5: runs the export when shown; complete once it has succeeded. */
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

/** "12 NVFP4A16 · 16 BF16": Linears per format of what will be written. */
QString mixText(const core::ct::FormatMap &formats)
{
    std::map<core::quant::FormatId, std::size_t> counts;
    for (const auto &[name, format] : formats) {
        ++counts[format];
    }
    QStringList mix;
    for (const auto &[format, n] : counts) {
        const std::string_view name = core::quant::formatInfo(format).name;
        mix << QStringLiteral("%1 %2").arg(n).arg(
                QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())));
    }
    return mix.join(QStringLiteral(" · "));
}

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
    setPage(OutputPage, output);

    // 3. options
    QWizardPage *options =
            makePage(tr("Options"),
                     tr("The defaults suit most people; each option says what it changes."), this);
    m_w4a4 = new QRadioButton(tr("4-bit activations (W4A4)"), options);
    m_w4a4->setToolTip(tr("Each NVFP4 Linear's inputs are quantized to 4 bits as well: the "
                          "fastest on GPUs with FP4 arithmetic (NVIDIA Blackwell: RTX 50 series, "
                          "B200, DGX Spark)"));
    m_a16 = new QRadioButton(tr("16-bit activations (A16)"), options);
    m_a16->setToolTip(tr("The inputs stay in 16 bits and only the weights are 4-bit: a little "
                         "more accurate, and what GPUs before Blackwell compute anyway"));
    m_w4a4->setChecked(true);
    auto *activations = new QButtonGroup(options);
    activations->addButton(m_w4a4);
    activations->addButton(m_a16);
    m_activationNote = new QLabel(options);
    m_activationNote->setWordWrap(true);
    m_shardGb = new QDoubleSpinBox(options);
    m_shardGb->setRange(0.1, 100.0);
    m_shardGb->setDecimals(1);
    m_shardGb->setValue(5.0);
    m_shardGb->setSuffix(tr(" GB"));
    m_shardGb->setAccessibleName(tr("Largest file of the checkpoint"));
    m_shardGb->setToolTip(tr("The checkpoint is split into files of at most this size "
                             "(model-00001-of-0000N.safetensors), as Hugging Face does"));
    m_replace = new QCheckBox(tr("Replace an earlier export in this folder"), options);
    m_replace->setToolTip(tr("A folder holding an earlier export (or nothing) is replaced, once "
                             "the new checkpoint is complete; a folder with other files is "
                             "always refused, so nothing of yours is lost"));
    auto *optionsLayout = new QFormLayout(options);
    auto *activationBox = new QVBoxLayout;
    activationBox->addWidget(m_w4a4);
    activationBox->addWidget(m_a16);
    activationBox->addWidget(m_activationNote);
    optionsLayout->addRow(tr("NVFP4 Linears:"), activationBox);
    optionsLayout->addRow(tr("File size:"), m_shardGb);
    optionsLayout->addRow(QString(), m_replace);
    setPage(OptionsPage, options);

    // 4. summary
    QWizardPage *summary =
            makePage(tr("Summary"), tr("This is what will be written. Export starts it."), this);
    m_summary = new QLabel(summary);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *summaryLayout = new QVBoxLayout(summary);
    summaryLayout->addWidget(m_summary);
    summaryLayout->addStretch(1);
    summary->setCommitPage(true);
    summary->setButtonText(QWizard::CommitButton, tr("Export"));
    setPage(SummaryPage, summary);
    connect(this, &QWizard::currentIdChanged, this, [this](int id) {
        if (id == OptionsPage) {
            updateOptions();
        } else if (id == SummaryPage) {
            updateSummary();
        }
    });
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

core::ct::FormatMap ExportWizard::exportFormats() const
{
    const auto run = m_document->run();
    const auto allocation = m_document->allocation();
    if (run == nullptr || allocation == nullptr) {
        return {};
    }
    core::ct::FormatMap formats = core::pipeline::formatsOf(run->costs.inventory, *allocation);
    if (m_a16->isChecked()) {
        for (auto &[name, format] : formats) {
            if (format == core::quant::FormatId::NVFP4) {
                format = core::quant::FormatId::NVFP4A16;  // same weights, inputs left in 16 bits
            }
        }
    }
    return formats;
}

void ExportWizard::updateOptions()
{
    const auto allocation = m_document->allocation();
    const auto counts = allocation != nullptr ? allocation->counts()
                                              : std::map<core::quant::FormatId, std::size_t>{};
    const auto nvfp4 = counts.find(core::quant::FormatId::NVFP4);
    const bool any = nvfp4 != counts.end() && nvfp4->second > 0;
    m_w4a4->setEnabled(any);
    m_a16->setEnabled(any);
    m_activationNote->setText(
            any ? tr("The recipe gives %n Linear(s) NVFP4 with 4-bit activations.", "",
                     static_cast<int>(nvfp4->second))
                : tr("The recipe has no NVFP4 Linear with 4-bit activations: nothing to choose."));
}

QString ExportWizard::summaryText() const
{
    return m_summary->text();
}

void ExportWizard::updateSummary()
{
    const auto run = m_document->run();
    if (run == nullptr || m_document->allocation() == nullptr) {
        m_summary->setText(recipeText());
        return;
    }
    const core::ct::FormatMap formats = exportFormats();

    const core::ModelInventory &inv = run->costs.inventory;
    const std::uint64_t bytes = core::pipeline::artifactBytes(
            inv, inv.totals().bytes - inv.linearSourceBytes(), formats);
    const auto shardBytes = static_cast<std::uint64_t>(m_shardGb->value() * 1e9);
    const std::uint64_t shards = std::max<std::uint64_t>(1, (bytes + shardBytes - 1) / shardBytes);
    m_summary->setText(
            tr("Linears: %1\nSize: about %2 in %3 file(s) of at most %4\nFolder: %5%6\n"
               "Also copied from the model folder: its tokenizer, chat template and generation "
               "settings, where it has them.\nThe model folder itself is only read.")
                    .arg(mixText(formats), DisplayText::bytes(bytes))
                    .arg(shards)
                    .arg(DisplayText::bytes(shardBytes),
                         QDir::toNativeSeparators(
                                 QDir::cleanPath(QDir(m_output->text()).absolutePath())),
                         m_replace->isChecked() ? tr(" (an earlier export there is replaced)")
                                                : QString()));
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
    req.formats = exportFormats();
    req.maxShardBytes = static_cast<std::uint64_t>(m_shardGb->value() * 1e9);
    req.force = m_replace->isChecked();
    req.inputAmax = run->costs.report.inputMaxima();
    req.recipe = "PrismaQuant Studio: " + mixText(req.formats).toStdString();
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
