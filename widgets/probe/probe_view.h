// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QPointer>
#include <QThreadPool>
#include <QWidget>

#include "core/quant/quant_backend.h"
#include "widgets/jobs/job_runner.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace pq::widgets {

/**
 * The Probe tab: measures how much each Linear of the open model minds each format, on a
 * calibration text, into a run directory — what `prismaquant probe` does
 * (probe::probeIntoRunDirectory), in the background: Run / Cancel, the stage with done/total
 * and an ETA, and the engine's log. Cancelling keeps the probe's resume state, so running again
 * continues at the next layer. When it succeeds, probeFinished() names the run directory (the
 * main window opens it). GUI thread only.
 */
class ProbeView : public QWidget
{
    Q_OBJECT

public:
    /** `backend` measures the formats' errors (it must outlive the view). */
    explicit ProbeView(core::quant::QuantBackend &backend, QWidget *parent = nullptr);
    /** Cancels a running probe and waits for it to stop. */
    ~ProbeView() override;

    /** The model to probe; proposes RUN_DIR = "<model>-run" beside it. */
    void setModelDirectory(const QString &dir);

    /**
     * Fills the form from an opened run: its directory, and the text and window counts its
     * calibration record (CalibrationSet::toJson) names — so running again repeats that probe.
     */
    void showRun(const QString &runDir, const std::string &calibrationJson);

    void start();
    void cancel();

    bool isRunning() const;

    QLineEdit *calibrationEdit() const { return m_calib; }

    QLineEdit *runDirectoryEdit() const { return m_runDir; }

    QSpinBox *samplesBox() const { return m_samples; }

    QSpinBox *seqLenBox() const { return m_seqLen; }

    QSpinBox *heldOutBox() const { return m_heldOut; }

    /** CPU, or the GPU (CUDA; disabled, with the reason, where this build or machine has none). */
    QComboBox *deviceBox() const { return m_device; }

    /** Whether the worker has said whether the GPU can be used (the entry follows). */
    bool deviceChecked() const { return m_deviceChecked; }

    /** The status line under the progress bar (stage, ETA, result or error). */
    QString statusText() const;

    QString logText() const;

Q_SIGNALS:
    void probeFinished(const QString &runDir);
    /** A long job started (for the Jobs dock: JobList::track); `job` lives until it ends. */
    void jobStarted(pq::widgets::JobRunner *job, const QString &title);

private:
    void onProgress(const QString &stage, quint64 done, quint64 total);
    void setRunning(bool running);

    core::quant::QuantBackend &m_backend;
    QThreadPool m_pool;
    QPointer<JobRunner> m_job;
    QElapsedTimer m_stageClock;
    QString m_stage;
    QString m_modelDir;
    QLabel *m_model = nullptr;
    QLineEdit *m_calib = nullptr;
    QLineEdit *m_runDir = nullptr;
    QSpinBox *m_samples = nullptr;
    QSpinBox *m_seqLen = nullptr;
    QSpinBox *m_heldOut = nullptr;
    QComboBox *m_device = nullptr;
    bool m_deviceChecked = false;
    QPushButton *m_run = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_log = nullptr;
};

}  // namespace pq::widgets
