// SPDX-License-Identifier: MIT
#include "app/gui/main_window.h"

#include <utility>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>

#include "app/gui/language.h"
#include "app/gui/recent_menu.h"
#include "core/pipeline/run_directory.h"
#include "kernels/cpu/cpu_backend.h"
#include "widgets/allocation/allocation_view.h"
#include "widgets/common/bundled_examples.h"
#include "widgets/export/export_wizard.h"
#include "widgets/jobs/job_list.h"
#include "widgets/jobs/job_list_view.h"
#include "widgets/model/display_text.h"
#include "widgets/model/model_view.h"
#include "widgets/pareto/pareto_view.h"
#ifdef PQ_HAVE_TORCH
#include "widgets/pareto/evaluate_bar.h"
#include "widgets/probe/probe_view.h"
#endif
#include "widgets/run/run_document.h"
#include "widgets/sensitivity/sensitivity_view.h"
#include "widgets/welcome/welcome_page.h"

namespace pq::gui {
namespace {

constexpr const char *GEOMETRY_KEY = "mainWindow/geometry";
constexpr const char *STATE_KEY = "mainWindow/state";
constexpr const char *LAST_DIR_KEY = "mainWindow/lastModelDirectory";
constexpr const char *LAST_RUN_DIR_KEY = "mainWindow/lastRunDirectory";

}  // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_backend(kernels::cpu::makeCpuBackend())
{
    setupJobs();
    setupCentralView();
    setupActions();
    setupToolBar();
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
    m_central = new QStackedWidget(this);
    m_welcome = new widgets::WelcomePage(m_central);
    m_welcome->setDemoDirectory(widgets::demoModelDirectory());
    m_central->addWidget(m_welcome);
    setupTabs();
    m_central->addWidget(m_tabs);
    m_central->setCurrentWidget(m_welcome);
    setCentralWidget(m_central);
    connect(m_welcome, &widgets::WelcomePage::directoryRequested, this,
            &MainWindow::openModelDirectory);
    connect(m_welcome, &widgets::WelcomePage::openModelRequested, this,
            &MainWindow::chooseModelDirectory);
    connect(m_welcome, &widgets::WelcomePage::openRunRequested, this,
            &MainWindow::chooseRunDirectory);
}

void MainWindow::setupTabs()
{
    m_tabs = new QTabWidget(m_central);
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
    connect(m_probe, &widgets::ProbeView::jobStarted, this, &MainWindow::trackJob);
#endif
    m_pareto = new widgets::ParetoView(m_document, m_tabs);
#ifdef PQ_HAVE_TORCH
    m_evaluate = new widgets::EvaluateBar(m_document, *m_backend);
    m_pareto->setEvaluateControls(m_evaluate);
    connect(m_evaluate, &widgets::EvaluateBar::jobStarted, this, &MainWindow::trackJob);
#endif
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
    connect(m_document, &widgets::RunDocument::loaded, this, [this] {
        setRunTabsEnabled(true);
#ifdef PQ_HAVE_TORCH  // ProbeView is only declared without the probe
        m_probe->showRun(m_document->runDirectory(),
                         m_document->run()->costs.report.calibrationJson);
#endif
    });
    connect(m_document, &widgets::RunDocument::loadFailed, this, [this](const QString &message) {
        statusBar()->showMessage(tr("The run's results could not be read: %1").arg(message));
    });
    connect(m_document, &widgets::RunDocument::allocationChanged, this,
            &MainWindow::onAllocationChanged);
    connect(m_document, &widgets::RunDocument::saveFailed, this, [this](const QString &message) {
        statusBar()->showMessage(
                tr("The budget could not be kept in the run directory: %1").arg(message), 10000);
    });
    connect(m_view, &widgets::ModelView::openRequested, this, &MainWindow::chooseModelDirectory);
    connect(m_view, &widgets::ModelView::loadStarted, this, &MainWindow::onLoadStarted);
    connect(m_view, &widgets::ModelView::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(m_view, &widgets::ModelView::loadFailed, this, &MainWindow::onLoadFailed);
}

void MainWindow::setupActions()
{
    m_openAction = new QAction(tr("&Open Model Directory\u2026"), this);
    m_openAction->setIconText(tr("Open Model"));
    m_openAction->setIcon(style()->standardIcon(QStyle::SP_DirOpenIcon));
    m_openAction->setShortcut(QKeySequence::Open);
    m_openAction->setStatusTip(tr("Open a Hugging Face model folder (the one with config.json)"));
    connect(m_openAction, &QAction::triggered, this, &MainWindow::chooseModelDirectory);
    m_openRunAction = new QAction(tr("Open &Run Directory\u2026"), this);
    m_openRunAction->setIconText(tr("Open Run"));
    m_openRunAction->setIcon(style()->standardIcon(QStyle::SP_FileDialogContentsView));
    m_openRunAction->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_O);
    m_openRunAction->setStatusTip(
            tr("Open a folder written by prismaquant run or probe: its model and results"));
    connect(m_openRunAction, &QAction::triggered, this, &MainWindow::chooseRunDirectory);
    m_exportAction = new QAction(tr("&Export Checkpoint\u2026"), this);
    m_exportAction->setIconText(tr("Export\u2026"));
    m_exportAction->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));
    m_exportAction->setShortcut(Qt::CTRL | Qt::Key_E);
    m_exportAction->setStatusTip(
            tr("Write the allocation at the chosen budget as a checkpoint vLLM serves"));
    m_exportAction->setEnabled(false);
    connect(m_exportAction, &QAction::triggered, this, &MainWindow::showExportWizard);
#ifdef PQ_HAVE_TORCH  // EvaluateBar is only declared with the probe
    m_evaluateAction = new QAction(tr("E&valuate at This Budget"), this);
    m_evaluateAction->setIconText(tr("Evaluate"));
    m_evaluateAction->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_evaluateAction->setShortcut(Qt::CTRL | Qt::Key_R);
    m_evaluateAction->setStatusTip(
            tr("Measure the recipe at the chosen budget on the text the probe kept apart"));
    m_evaluateAction->setEnabled(false);
    connect(m_evaluateAction, &QAction::triggered, this, [this] {
        m_tabs->setCurrentWidget(m_pareto);  // where the measured points appear
        m_evaluate->start();
    });
#endif
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
    file->addAction(m_openRunAction);
    m_recent = new RecentMenu(this);
    connect(m_recent, &RecentMenu::directoryTriggered, this, &MainWindow::openModelDirectory);
    file->addMenu(m_recent);
    m_welcome->setRecentDirectories(m_recent->directories());
    connect(m_recent, &RecentMenu::directoriesChanged, this,
            [this] { m_welcome->setRecentDirectories(m_recent->directories()); });
    file->addSeparator();
    if (m_evaluateAction != nullptr) {
        file->addAction(m_evaluateAction);
    }
    file->addAction(m_exportAction);
    file->addSeparator();
    file->addAction(m_quitAction);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_toolBar->toggleViewAction());
    view->addAction(m_jobsDock->toggleViewAction());
    view->addSeparator();
    setupLanguageMenu(view->addMenu(tr("&Language")));
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_aboutAction);
    help->addAction(m_aboutQtAction);
}

void MainWindow::setupLanguageMenu(QMenu *menu)
{
    m_languages = new QActionGroup(this);
    m_languages->setExclusive(true);
    const QString chosen = chosenLanguage();
    const auto addLanguage = [this, menu, &chosen](const QString &text, const QString &code) {
        QAction *action = menu->addAction(text);
        action->setCheckable(true);
        action->setData(code);
        action->setChecked(code == chosen);
        m_languages->addAction(action);
    };
    addLanguage(tr("System Default"), QString());
    menu->addSeparator();
    for (const UiLanguage &language : UI_LANGUAGES) {
        // each in its own language, untranslated: its speakers must find it whatever is shown
        addLanguage(QString::fromUtf8(language.nativeName), QLatin1String(language.code));
    }
    connect(m_languages, &QActionGroup::triggered, this,
            [this](const QAction *action) { setLanguage(action->data().toString()); });
}

void MainWindow::setupToolBar()
{
    m_toolBar = addToolBar(tr("Main Toolbar"));
    m_toolBar->setObjectName(QStringLiteral("mainToolBar"));  // saveState() knows it by name
    m_toolBar->setAccessibleName(tr("Main toolbar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->addAction(m_openAction);
    m_toolBar->addAction(m_openRunAction);
    m_toolBar->addSeparator();
    if (m_evaluateAction != nullptr) {
        m_toolBar->addAction(m_evaluateAction);
    }
    m_toolBar->addAction(m_exportAction);
}

void MainWindow::setupStatusBar()
{
    m_budgetStatus = new QLabel(this);
    m_budgetStatus->setAccessibleName(tr("The allocation at the chosen budget"));
    statusBar()->addPermanentWidget(m_budgetStatus);
    m_modelStatus = new QLabel(this);
    m_modelStatus->setAccessibleName(tr("Model in one line"));
    statusBar()->addPermanentWidget(m_modelStatus);
    m_jobStatus = new QLabel(this);
    m_jobStatus->setAccessibleName(tr("The running job"));
    m_jobProgress = new QProgressBar(this);
    m_jobProgress->setObjectName(QStringLiteral("jobProgress"));
    m_jobProgress->setMaximumWidth(120);
    m_jobProgress->setTextVisible(false);
    m_jobProgress->setAccessibleName(tr("Progress of the running job"));
    m_jobCancel = new QToolButton(this);
    m_jobCancel->setObjectName(QStringLiteral("jobCancel"));
    m_jobCancel->setText(QStringLiteral("✕"));
    m_jobCancel->setAutoRaise(true);
    m_jobCancel->setToolTip(tr("Cancel the running job"));
    m_jobCancel->setAccessibleName(tr("Cancel the running job"));
    connect(m_jobCancel, &QToolButton::clicked, this,
            [this] { m_jobs->cancel(m_jobs->activeRow()); });
    statusBar()->addPermanentWidget(m_jobStatus);
    statusBar()->addPermanentWidget(m_jobProgress);
    statusBar()->addPermanentWidget(m_jobCancel);
    onJobsChanged();
    statusBar()->showMessage(
            tr("Open a model folder to begin (File \u25B8 Open Model Directory)."));
}

void MainWindow::setupJobs()
{
    m_jobs = new widgets::JobList(this);
    m_jobsDock = new QDockWidget(tr("Jobs"), this);
    m_jobsDock->setObjectName(QStringLiteral("jobsDock"));  // saveState() knows it by name
    m_jobsDock->setWidget(new widgets::JobListView(m_jobs, m_jobsDock));
    addDockWidget(Qt::BottomDockWidgetArea, m_jobsDock);
    m_jobsDock->hide();  // shown by the first job (or View ▸ Jobs); restoreState may differ
    connect(m_jobs, &widgets::JobList::activeChanged, this, &MainWindow::onJobsChanged);
}

void MainWindow::trackJob(widgets::JobRunner *job, const QString &title)
{
    m_jobs->track(job, title);
    m_jobsDock->show();
}

void MainWindow::onJobsChanged()
{
    const int row = m_jobs->activeRow();
    m_jobStatus->setVisible(row >= 0);
    m_jobProgress->setVisible(row >= 0);
    m_jobCancel->setVisible(row >= 0);
    if (row < 0) {
        return;
    }
    m_jobStatus->setText(m_jobs->summary(row));
    const double fraction = m_jobs->data(m_jobs->index(row, widgets::JobList::ProgressColumn),
                                         widgets::JobList::FRACTION_ROLE)
                                    .toDouble();
    m_jobProgress->setRange(0, fraction < 0.0 ? 0 : 1000);  // busy while the total is unknown
    m_jobProgress->setValue(fraction < 0.0 ? 0 : static_cast<int>(fraction * 1000.0));
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

bool MainWindow::openRunDirectory(const QString &dir)
{
    if (core::pipeline::isRunDirectory(QDir::cleanPath(dir).toStdString())) {
        openModelDirectory(dir);
        return true;
    }
    // not modal to the application: nothing waits on the answer, and no nested event loop
    auto *box = new QMessageBox(
            QMessageBox::Warning, tr("Not a Run Directory"),
            tr("%1 is not a run directory: it holds neither run.json nor sensitivity.json.")
                    .arg(QDir::toNativeSeparators(dir)),
            QMessageBox::Ok, this);
    box->setInformativeText(tr("Run directories are the folders that prismaquant run and "
                               "prismaquant probe write. To look at a model folder, use File "
                               "\u25B8 Open Model Directory."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    return false;
}

void MainWindow::chooseRunDirectory()
{
    QSettings settings;
    const QString start =
            settings.value(QLatin1String(LAST_RUN_DIR_KEY), QDir::homePath()).toString();
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Run Directory"), start);
    if (dir.isEmpty()) {
        return;
    }
    settings.setValue(QLatin1String(LAST_RUN_DIR_KEY), dir);
    openRunDirectory(dir);
}

void MainWindow::setLanguage(const QString &code)
{
    if (code == chosenLanguage()) {
        return;
    }
    QSettings().setValue(QLatin1String(LANGUAGE_KEY), code);
    // The widgets translate their texts once, when they are built (none handles LanguageChange),
    // so a new language takes effect with a new start rather than leaving the window half
    // translated.
    auto *box = new QMessageBox(QMessageBox::Information, tr("Language"),
                                tr("The new language takes effect the next time PrismaQuant "
                                   "Studio starts."),
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::showExportWizard()
{
    auto *wizard = new widgets::ExportWizard(m_document, *m_backend, this);
    connect(wizard, &widgets::ExportWizard::jobStarted, this, &MainWindow::trackJob);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    wizard->open();
}

void MainWindow::setRunTabsEnabled(bool enabled)
{
    if (m_exportAction != nullptr) {  // the views are set up before the actions
        m_exportAction->setEnabled(enabled);
    }
    if (m_evaluateAction != nullptr) {
        m_evaluateAction->setEnabled(enabled);
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
    m_central->setCurrentWidget(m_tabs);  // the Model view shows the progress, or the error
    statusBar()->showMessage(tr("Reading %1\u2026").arg(QDir::toNativeSeparators(dir)));
}

void MainWindow::onModelLoaded(const QString &dir)
{
#ifdef PQ_HAVE_TORCH
    m_tabs->setTabEnabled(m_tabs->indexOf(m_probe), true);
    m_probe->setModelDirectory(m_view->modelDirectory());
#endif

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
