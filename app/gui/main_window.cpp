// SPDX-License-Identifier: MIT
#include "app/gui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

#include "app/gui/recent_menu.h"
#include "kernels/cpu/cpu_backend.h"
#include "widgets/allocation/allocation_view.h"
#include "widgets/export/export_wizard.h"
#include "widgets/model/display_text.h"
#include "widgets/model/model_view.h"
#include "widgets/pareto/pareto_view.h"
#ifdef PQ_HAVE_TORCH
#include "widgets/probe/probe_view.h"
#endif
#include "widgets/run/run_document.h"
#include "widgets/sensitivity/sensitivity_view.h"

namespace pq::gui {
namespace {

constexpr const char *GEOMETRY_KEY = "mainWindow/geometry";
constexpr const char *STATE_KEY = "mainWindow/state";
constexpr const char *LAST_DIR_KEY = "mainWindow/lastModelDirectory";

}  // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_backend(kernels::cpu::makeCpuBackend())
{
    setupCentralView();
    setupActions();
    setupMenus();
    setupStatusBar();
    restoreWindowState();
}

MainWindow::~MainWindow()
{
    // Qt deletes children after this destructor, i.e. after m_backend: the probe and the
    // export wizard wait for their workers in their destructors, and those use the backend
    for (widgets::ExportWizard *wizard : findChildren<widgets::ExportWizard *>()) {
        delete wizard;
    }
    delete m_tabs;
}

void MainWindow::setupCentralView()
{
    setWindowTitle(tr("PrismaQuant Studio"));
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_view = new widgets::ModelView(m_tabs);
    m_tabs->addTab(m_view, tr("Model"));
    m_document = new widgets::RunDocument(this);
#ifdef PQ_HAVE_TORCH
    m_probe = new widgets::ProbeView(*m_backend, m_tabs);
    m_tabs->addTab(m_probe, tr("Probe"));
    m_tabs->setTabEnabled(m_tabs->indexOf(m_probe), false);
    m_tabs->setTabToolTip(m_tabs->indexOf(m_probe),
                          tr("Measure how much each Linear minds each format, on a text"));
    connect(m_probe, &widgets::ProbeView::probeFinished, this, &MainWindow::openModelDirectory);
#endif
    m_pareto = new widgets::ParetoView(m_document, m_tabs);
    m_tabs->addTab(m_pareto, tr("Pareto"));
    m_tabs->setTabToolTip(m_tabs->indexOf(m_pareto),
                          tr("Size against predicted quality: open a run directory of the "
                             "prismaquant command line to see it"));
    m_sensitivity = new widgets::SensitivityView(m_document, m_tabs);
    m_tabs->addTab(m_sensitivity, tr("Sensitivity"));
    m_tabs->setTabToolTip(m_tabs->indexOf(m_sensitivity),
                          tr("Which layers mind quantization, and which format each one got: "
                             "open a run directory of the prismaquant command line to see it"));
    m_allocation = new widgets::AllocationView(m_document, m_tabs);
    m_tabs->addTab(m_allocation, tr("Allocation"));
    m_tabs->setTabToolTip(m_tabs->indexOf(m_allocation),
                          tr("Every Linear with the format it gets at the chosen budget"));
    setRunTabsEnabled(false);
    setCentralWidget(m_tabs);
    connect(m_document, &widgets::RunDocument::loaded, this, [this] {
        setRunTabsEnabled(true);
        if (m_probe != nullptr) {
            m_probe->showRun(m_document->runDirectory(),
                             m_document->run()->costs.report.calibrationJson);
        }
    });
    connect(m_document, &widgets::RunDocument::loadFailed, this, [this](const QString &message) {
        statusBar()->showMessage(tr("The run's results could not be read: %1").arg(message));
    });
    connect(m_document, &widgets::RunDocument::allocationChanged, this,
            &MainWindow::onAllocationChanged);
    connect(m_view, &widgets::ModelView::openRequested, this, &MainWindow::chooseModelDirectory);
    connect(m_view, &widgets::ModelView::loadStarted, this, &MainWindow::onLoadStarted);
    connect(m_view, &widgets::ModelView::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(m_view, &widgets::ModelView::loadFailed, this, &MainWindow::onLoadFailed);
}

void MainWindow::setupActions()
{
    m_openAction = new QAction(tr("&Open Model Directory\u2026"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    m_openAction->setStatusTip(tr("Open a Hugging Face model folder (the one with config.json)"));
    connect(m_openAction, &QAction::triggered, this, &MainWindow::chooseModelDirectory);
    m_exportAction = new QAction(tr("&Export Checkpoint\u2026"), this);
    m_exportAction->setShortcut(Qt::CTRL | Qt::Key_E);
    m_exportAction->setStatusTip(
            tr("Write the allocation at the chosen budget as a checkpoint vLLM serves"));
    m_exportAction->setEnabled(false);
    connect(m_exportAction, &QAction::triggered, this, &MainWindow::showExportWizard);
    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
    m_aboutAction = new QAction(tr("&About PrismaQuant Studio"), this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
    m_aboutQtAction = new QAction(tr("About &Qt"), this);
    m_aboutQtAction->setMenuRole(QAction::AboutQtRole);
    connect(m_aboutQtAction, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::setupMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openAction);
    m_recent = new RecentMenu(this);
    connect(m_recent, &RecentMenu::directoryTriggered, this, &MainWindow::openModelDirectory);
    file->addMenu(m_recent);
    file->addSeparator();
    file->addAction(m_exportAction);
    file->addSeparator();
    file->addAction(m_quitAction);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_aboutAction);
    help->addAction(m_aboutQtAction);
}

void MainWindow::setupStatusBar()
{
    m_budgetStatus = new QLabel(this);
    m_budgetStatus->setAccessibleName(tr("The allocation at the chosen budget"));
    statusBar()->addPermanentWidget(m_budgetStatus);
    m_modelStatus = new QLabel(this);
    m_modelStatus->setAccessibleName(tr("Model in one line"));
    statusBar()->addPermanentWidget(m_modelStatus);
    statusBar()->showMessage(
            tr("Open a model folder to begin (File \u25B8 Open Model Directory)."));
}

void MainWindow::restoreWindowState()
{
    const QSettings settings;
    if (!restoreGeometry(settings.value(QLatin1String(GEOMETRY_KEY)).toByteArray())) {
        const QSize available = screen()->availableSize();
        resize(qMin(1280, available.width()), qMin(800, available.height()));
    }
    restoreState(settings.value(QLatin1String(STATE_KEY)).toByteArray());
}

void MainWindow::saveWindowState() const
{
    QSettings settings;
    settings.setValue(QLatin1String(GEOMETRY_KEY), saveGeometry());
    settings.setValue(QLatin1String(STATE_KEY), saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveWindowState();
    event->accept();
}

void MainWindow::openModelDirectory(const QString &dir)
{
    m_view->openModelDirectory(dir);
}

void MainWindow::chooseModelDirectory()
{
    QSettings settings;
    const QString start = settings.value(QLatin1String(LAST_DIR_KEY), QDir::homePath()).toString();
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Model Directory"), start);
    if (dir.isEmpty()) {
        return;
    }
    settings.setValue(QLatin1String(LAST_DIR_KEY), dir);
    openModelDirectory(dir);
}

void MainWindow::showExportWizard()
{
    auto *wizard = new widgets::ExportWizard(m_document, *m_backend, this);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    wizard->open();
}

void MainWindow::setRunTabsEnabled(bool enabled)
{
    if (m_exportAction != nullptr) {  // the views are set up before the actions
        m_exportAction->setEnabled(enabled);
    }
    m_tabs->setTabEnabled(m_tabs->indexOf(m_pareto), enabled);
    m_tabs->setTabEnabled(m_tabs->indexOf(m_sensitivity), enabled);
    m_tabs->setTabEnabled(m_tabs->indexOf(m_allocation), enabled);
}

void MainWindow::onAllocationChanged()
{
    m_budgetStatus->setText(QString::fromStdString(m_document->allocation()->summary()));
}

void MainWindow::showAbout()
{
    QMessageBox::about(
            this, tr("About PrismaQuant Studio"),
            tr("<h3>PrismaQuant Studio %1</h3>"
               "<p>Sensitivity-driven mixed-precision quantization of large language models: "
               "measure how much each layer minds being quantized, then choose a number format "
               "per layer for the size you can afford.</p>"
               "<p>Built with Qt %2. Licensed under the MIT licence.</p>")
                    .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
}

void MainWindow::onLoadStarted(const QString &dir)
{
    statusBar()->showMessage(tr("Reading %1\u2026").arg(QDir::toNativeSeparators(dir)));
}

void MainWindow::onModelLoaded(const QString &dir)
{
    if (m_probe != nullptr) {
        m_tabs->setTabEnabled(m_tabs->indexOf(m_probe), true);
        m_probe->setModelDirectory(m_view->modelDirectory());
    }

    const QString run = m_view->runDirectory();
    setRunTabsEnabled(false);
    m_budgetStatus->clear();
    if (!run.isEmpty()) {
        m_document->open(run);
    } else {
        m_document->close();  // a model folder: no run, and no late load re-enabling the tabs
    }

    const QString name = QFileInfo(dir).fileName();
    setWindowTitle(tr("%1 \u2014 PrismaQuant Studio").arg(name));
    m_recent->addDirectory(dir);
    const auto inventory = m_view->inventory();
    m_modelStatus->setText(tr("%1 · %2 Linears · %3 parameters · %4")
                                   .arg(name,
                                        widgets::DisplayText::count(inventory->linears.size()),
                                        widgets::DisplayText::params(inventory->totals().params),
                                        widgets::DisplayText::bytes(inventory->totals().bytes)));
    statusBar()->showMessage(tr("Loaded %1").arg(QDir::toNativeSeparators(dir)), 5000);
}

void MainWindow::onLoadFailed(const QString &dir)
{
    setWindowTitle(tr("PrismaQuant Studio"));
    m_modelStatus->clear();
    statusBar()->showMessage(tr("Could not open %1").arg(QDir::toNativeSeparators(dir)), 5000);
}

}  // namespace pq::gui
