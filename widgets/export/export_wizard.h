// SPDX-License-Identifier: MIT
#pragma once

#include <QPointer>
#include <QThreadPool>
#include <QWizard>

#include "core/quant/quant_backend.h"
#include "widgets/jobs/job_runner.h"

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;

namespace pq::widgets {

class RunDocument;

/**
 * The export wizard (issue 9, for newcomers): 1. the recipe at the document's budget (with the
 * knee one click away), 2. the output folder with the free space it has against what the
 * checkpoint needs, 3. the export itself in the background — per-tensor progress, Cancel stops
 * it and leaves nothing behind — ending with the `vllm serve` command to copy. Writes exactly
 * what `prismaquant export --recipe` writes (core::ct::exportCheckpoint). GUI thread only.
 */
class ExportWizard : public QWizard
{
    Q_OBJECT

public:
    enum PageId
    {
        BudgetPage,
        OutputPage,
        ExportPage,
    };

    /** `backend` quantizes (it must outlive the wizard). */
    ExportWizard(RunDocument *document,
                 core::quant::QuantBackend &backend,
                 QWidget *parent = nullptr);
    ~ExportWizard() override;

    QLineEdit *outputEdit() const { return m_output; }

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

    RunDocument *m_document = nullptr;
    core::quant::QuantBackend &m_backend;
    QThreadPool m_pool;
    QPointer<JobRunner> m_job;
    QWizardPage *m_runPage = nullptr;
    QLabel *m_recipe = nullptr;
    QLineEdit *m_output = nullptr;
    QLabel *m_space = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_command = nullptr;
    QString m_serve;
    QString m_error;
    bool m_done = false;
};

}  // namespace pq::widgets
