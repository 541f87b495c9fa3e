// SPDX-License-Identifier: MIT
#pragma once

#include <QPointer>
#include <QThreadPool>
#include <QWidget>

#include "core/quant/quant_backend.h"
#include "widgets/jobs/job_runner.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace pq::widgets {

class RunDocument;

/**
 * The Pareto tab's Evaluate job: measures the recipe at the chosen budget on the probe's
 * held-out windows — what `prismaquant compare` does (probe::measureRun) — together with every
 * uniform format the run has not measured yet, so the first evaluation draws the baselines'
 * measurements too and later ones only add the recipe. The points are added to
 * RUN_DIR/evaluations.json and handed to the document, whose chart draws them. In the
 * background, with progress and Cancel; errors in plain words. Built only with the probe
 * (libtorch). GUI thread only.
 */
class EvaluateBar : public QWidget
{
    Q_OBJECT

public:
    /** `backend` quantizes the variants (it must outlive the bar). */
    EvaluateBar(RunDocument *document,
                core::quant::QuantBackend &backend,
                QWidget *parent = nullptr);
    /** Cancels a running evaluation and waits for it to stop. */
    ~EvaluateBar() override;

    void start();
    void cancel();

    bool isRunning() const;

    /** The line beside the buttons: what is being measured, the result or the error. */
    QString statusText() const;

    QPushButton *evaluateButton() const { return m_evaluate; }

    /**
     * The calibration text to cut the held-out windows from, when it is not where the probe
     * recorded it (a run made on another machine); empty: the recorded one. It must be the same
     * text (its SHA-256 is checked).
     */
    void setCalibrationText(const QString &path);

    QString calibrationText() const { return m_calibration; }

Q_SIGNALS:
    /** Sent when an evaluation ends: `ok` false when it failed or was cancelled. */
    void evaluationFinished(bool ok);
    /** A long job started (for the Jobs dock: JobList::track); `job` lives until it ends. */
    void jobStarted(pq::widgets::JobRunner *job, const QString &title);

private:
    void setRunning(bool running);
    void updateEnabled();

    RunDocument *m_document = nullptr;
    core::quant::QuantBackend &m_backend;
    QThreadPool m_pool;
    QPointer<JobRunner> m_job;
    QPushButton *m_evaluate = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_text = nullptr;
    QString m_calibration;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
};

}  // namespace pq::widgets
