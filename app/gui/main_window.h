// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <QMainWindow>
#include <QString>

#include "core/quant/quant_backend.h"

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QStackedWidget;
class QTabWidget;
class QToolBar;
class QToolButton;

namespace pq::widgets {
class AllocationView;
class EvaluateBar;
class JobList;
class JobRunner;
class ModelView;
class ParetoView;
class ProbeView;
class RunDocument;
class SensitivityView;
class WelcomePage;
}  // namespace pq::widgets

namespace pq::gui {

class RecentMenu;

/**
 * PrismaQuant Studio's main window. Until something is opened it shows the welcome page (the
 * demo model, a model or run folder, the recent folders); then the Model view and, once a run
 * directory of the CLI is opened, the Pareto, Sensitivity and Allocation views of its
 * RunDocument (the allocation at the budget is in the status bar). The File menu and the
 * toolbar open model folders or run directories (dialog or recent list), View ▸ Language picks
 * the language of the next start, and the window's geometry is kept in QSettings. The probe,
 * the evaluation and the export are listed in the Jobs dock; the status bar shows the active
 * one with its progress and a button to cancel it.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    /** Ends the views and dialogs whose workers use the backend before the backend goes. */
    ~MainWindow() override;

    /**
     * Opens `dir` — a model folder or a run directory — in the Model view (asynchronously;
     * errors are shown in the view); a run directory's results then load into the run views.
     */
    void openModelDirectory(const QString &dir);

    /**
     * Opens `dir` like openModelDirectory() if it is a run directory (run.json or
     * sensitivity.json); otherwise says so in a message box (not modal to the application) and
     * returns false.
     */
    bool openRunDirectory(const QString &dir);

    widgets::RunDocument *document() const { return m_document; }

    widgets::JobList *jobs() const { return m_jobs; }

    /**
     * Lists `job` in the Jobs dock, which shows, and in the status bar while it runs (with a
     * button that cancels it). The views' jobStarted() signals come here.
     */
    void trackJob(widgets::JobRunner *job, const QString &title);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void setupCentralView();
    void setupTabs();
    void setupActions();
    void setupMenus();
    void setupLanguageMenu(QMenu *menu);
    void setupToolBar();
    void setupStatusBar();
    void setupJobs();
    void onJobsChanged();
    void restoreWindowState();
    void saveWindowState() const;

    void chooseModelDirectory();
    void chooseRunDirectory();
    void setLanguage(const QString &code);
    void showAbout();
    void onLoadStarted(const QString &dir);
    void onModelLoaded(const QString &dir);
    void onLoadFailed(const QString &dir);
    void onAllocationChanged();
    void showExportWizard();
    void setRunTabsEnabled(bool enabled);

    QStackedWidget *m_central = nullptr;  ///< the welcome page, then the tabs
    widgets::WelcomePage *m_welcome = nullptr;
    QTabWidget *m_tabs = nullptr;
    widgets::ModelView *m_view = nullptr;
    widgets::RunDocument *m_document = nullptr;
    widgets::ParetoView *m_pareto = nullptr;
    widgets::SensitivityView *m_sensitivity = nullptr;
    widgets::AllocationView *m_allocation = nullptr;
    widgets::ProbeView *m_probe = nullptr;  ///< null in builds without the probe
    QLabel *m_budgetStatus = nullptr;
    std::unique_ptr<core::quant::QuantBackend> m_backend;  ///< the export's quantizers
    RecentMenu *m_recent = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_openRunAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_aboutQtAction = nullptr;
    QActionGroup *m_languages = nullptr;  ///< View ▸ Language, exclusive
    QToolBar *m_toolBar = nullptr;
    QLabel *m_modelStatus = nullptr;
    widgets::JobList *m_jobs = nullptr;
    QDockWidget *m_jobsDock = nullptr;
    QLabel *m_jobStatus = nullptr;
    QProgressBar *m_jobProgress = nullptr;
    QToolButton *m_jobCancel = nullptr;
    widgets::EvaluateBar *m_evaluate = nullptr;  ///< null in builds without the probe
    QAction *m_evaluateAction = nullptr;         ///< null in builds without the probe
};

}  // namespace pq::gui
