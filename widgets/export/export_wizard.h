// SPDX-License-Identifier: MIT
#pragma once

#include <QPointer>
#include <QThreadPool>
#include <QWizard>

#include "core/export/export_plan.h"
#include "core/quant/quant_backend.h"
#include "widgets/jobs/job_runner.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QRadioButton;

namespace pq::widgets {

class RunDocument;

/**
 * The export wizard (issue 9, for newcomers): 1. the recipe at the document's budget (with the
 * knee one click away), 2. the output folder with the free space it has against what the
 * checkpoint needs, 3. options (NVFP4 with 4- or 16-bit activations, shard size, replacing an
 * existing folder), 4. a summary of what will be written, 5. the export itself in the
 * background — per-tensor progress, Cancel stops it and leaves nothing behind — ending with the
 * `vllm serve` command to copy. Writes exactly what `prismaquant export --recipe` writes
 * (core::ct::exportCheckpoint). GUI thread only.
 */
class ExportWizard : public QWizard
{
    Q_OBJECT

public:
    enum PageId
    {
        BudgetPage,
        OutputPage,
        OptionsPage,
        SummaryPage,
        ExportPage,
    };

    /** `backend` quantizes (it must outlive the wizard). */
    ExportWizard(RunDocument *document,
                 core::quant::QuantBackend &backend,
                 QWidget *parent = nullptr);
    ~ExportWizard() override;

    QLineEdit *outputEdit() const { return m_output; }

    /** NVFP4 Linears with 16-bit activations (NVFP4A16) instead of 4-bit ones (W4A4). */
    QRadioButton *a16Button() const { return m_a16; }

    /** Shard size in GB. */
    QDoubleSpinBox *shardBox() const { return m_shardGb; }

    /** Replace an existing output folder (once the new checkpoint is complete). */
    QCheckBox *replaceBox() const { return m_replace; }

    /** The summary page's text: formats, size, folder, shards, options. */
    QString summaryText() const;

    /** The command shown when the export is done ("vllm serve /path"); empty before. */
    QString serveCommand() const { return m_serve; }

    /** Whether the export finished successfully. */
    bool exported() const { return m_done; }

    /** The export's error, if it failed. */
    QString errorText() const { return m_error; }

    void reject() override;

Q_SIGNALS:
    void exportFinished(bool ok);
    /** A long job started (for the Jobs dock: JobList::track); `job` lives until it ends. */
    void jobStarted(pq::widgets::JobRunner *job, const QString &title);

private:
    friend class ExportRunPage;
    void startExport();
    QString recipeText() const;
    /** The allocation's formats with the options applied (NVFP4 → NVFP4A16 when A16). */
    core::ct::FormatMap exportFormats() const;
    void updateOptions();
    void updateSummary();

    RunDocument *m_document = nullptr;
    core::quant::QuantBackend &m_backend;
    QThreadPool m_pool;
    QPointer<JobRunner> m_job;
    QWizardPage *m_runPage = nullptr;
    QLabel *m_recipe = nullptr;
    QLineEdit *m_output = nullptr;
    QLabel *m_space = nullptr;
    QRadioButton *m_w4a4 = nullptr;
    QRadioButton *m_a16 = nullptr;
    QLabel *m_activationNote = nullptr;
    QDoubleSpinBox *m_shardGb = nullptr;
    QCheckBox *m_replace = nullptr;
    QLabel *m_summary = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_command = nullptr;
    QString m_serve;
    QString m_error;
    bool m_done = false;
};

}  // namespace pq::widgets
