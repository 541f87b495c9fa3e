// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include <QMainWindow>
#include <QString>

#include "core/quant/quant_backend.h"

class QAction;
class QLabel;
class QTabWidget;

namespace pq::widgets {
class AllocationView;
class ModelView;
class ParetoView;
class ProbeView;
class RunDocument;
class SensitivityView;
}  // namespace pq::widgets

namespace pq::gui {

class RecentMenu;

/**
 * PrismaQuant Studio's main window: the Model view and, once a run directory of the CLI is
 * opened, the Pareto, Sensitivity and Allocation views of its RunDocument (the allocation at the
 * budget is in the status bar). The
 * File menu opens model folders or run directories (dialog or recent list), and the window's
 * geometry is kept in QSettings.
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

    widgets::RunDocument *document() const { return m_document; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void setupCentralView();
    void setupActions();
    void setupMenus();
    void setupStatusBar();
    void restoreWindowState();
    void saveWindowState() const;

    void chooseModelDirectory();
    void showAbout();
    void onLoadStarted(const QString &dir);
    void onModelLoaded(const QString &dir);
    void onLoadFailed(const QString &dir);
    void onAllocationChanged();
    void showExportWizard();
    void setRunTabsEnabled(bool enabled);

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
    QAction *m_exportAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_aboutQtAction = nullptr;
    QLabel *m_modelStatus = nullptr;
};

}  // namespace pq::gui
