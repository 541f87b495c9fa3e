// SPDX-License-Identifier: MIT
#include "widgets/model/model_view.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "core/pipeline/run_directory.h"
#include "widgets/jobs/error_text.h"
#include "widgets/jobs/job_runner.h"
#include "widgets/model/inventory_table_model.h"
#include "widgets/model/linear_filter_proxy.h"
#include "widgets/model/model_summary_widget.h"

namespace pq::widgets {
namespace {

// A load that ends sooner than this never shows the busy page, so quick loads do not flicker.
constexpr int BUSY_DELAY_MS = 150;
// Typing pauses this long before the filter runs over tens of thousands of rows.
constexpr int FILTER_DELAY_MS = 150;

/** What a load found: the inventory, and the run directory it came through ("" for none). */
struct OpenedModel
{
    core::ModelInventory inventory;
    std::string modelDir;
    std::string runDir;
};

/** Reads a model folder, or the model a run directory of the CLI was made from (worker thread). */
core::Result<OpenedModel> openModel(const std::string &path)
{
    OpenedModel out;
    out.modelDir = path;
    if (core::pipeline::isRunDirectory(path)) {
        auto run = core::pipeline::openRunModel(path);
        if (!run) {
            return std::move(run).error();
        }
        out.runDir = path;
        out.modelDir = run->modelDir;
    }
    auto inventory = core::inventoryModelDir(out.modelDir);
    if (!inventory) {
        return std::move(inventory).error();
    }
    out.inventory = std::move(*inventory);
    return out;
}

QLabel *wrappedLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    return label;
}

/** A page that centres `content` and keeps it at a readable width. */
QWidget *centredPage(QWidget *content, QWidget *parent)
{
    auto *page = new QWidget(parent);
    auto *outer = new QVBoxLayout(page);
    auto *row = new QHBoxLayout;
    content->setMaximumWidth(640);
    row->addStretch(1);
    row->addWidget(content, 4);
    row->addStretch(1);
    outer->addStretch(1);
    outer->addLayout(row);
    outer->addStretch(2);
    return page;
}

}  // namespace

ModelView::ModelView(QWidget *parent)
    : QWidget(parent)
{
    // Reading a folder is I/O-bound and short; one worker keeps loads in the order requested.
    m_pool.setMaxThreadCount(1);
    setupUi();
    setState(State::Empty);
}

ModelView::~ModelView()
{
    // Runners still working (the current one and abandoned ones) must be gone before m_pool:
    // each destructor cancels its job and waits for it.
    const auto runners = findChildren<JobRunner *>(Qt::FindDirectChildrenOnly);
    for (JobRunner *runner : runners) {
        runner->requestCancel();
    }
    qDeleteAll(runners);
}

void ModelView::setupUi()
{
    setAccessibleName(tr("Model view"));
    m_pages = new QStackedWidget(this);
    m_emptyPage = createEmptyPage();
    m_loadingPage = createLoadingPage();
    m_errorPage = createErrorPage();
    m_contentPage = createContentPage();
    for (QWidget *page : {m_emptyPage, m_loadingPage, m_errorPage, m_contentPage}) {
        m_pages->addWidget(page);
    }
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_pages);
    m_busyDelay = new QTimer(this);
    m_busyDelay->setSingleShot(true);
    m_busyDelay->setInterval(BUSY_DELAY_MS);
    connect(m_busyDelay, &QTimer::timeout, this, [this] {
        if (m_state == State::Loading) {
            m_pages->setCurrentWidget(m_loadingPage);
        }
    });
}

QWidget *ModelView::createEmptyPage()
{
    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    auto *title = wrappedLabel(tr("No model open"), content);
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    title->setFont(big);
    auto *text = wrappedLabel(
            tr("Open a Hugging Face model folder: the folder with config.json and, usually, the "
               "*.safetensors weights. A folder with only config.json works too; PrismaQuant then "
               "derives the tensor shapes from the config."),
            content);
    auto *open = new QPushButton(tr("Open Model Directory\u2026"), content);
    open->setAccessibleName(tr("Open model directory"));
    connect(open, &QPushButton::clicked, this, &ModelView::openRequested);
    layout->addWidget(title);
    layout->addWidget(text);
    layout->addWidget(open, 0, Qt::AlignLeft);
    return centredPage(content, this);
}

QWidget *ModelView::createLoadingPage()
{
    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    m_loadingLabel = wrappedLabel(QString(), content);
    m_progress = new QProgressBar(content);
    m_progress->setAccessibleName(tr("Loading progress"));
    m_progress->setRange(0, 0);
    auto *cancel = new QPushButton(tr("Cancel"), content);
    cancel->setAccessibleName(tr("Cancel loading"));
    connect(cancel, &QPushButton::clicked, this, &ModelView::cancelLoading);
    layout->addWidget(m_loadingLabel);
    layout->addWidget(m_progress);
    layout->addWidget(cancel, 0, Qt::AlignRight);
    return centredPage(content, this);
}

QWidget *ModelView::createErrorPage()
{
    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    auto *header = new QHBoxLayout;
    auto *icon = new QLabel(content);
    const int size = style()->pixelMetric(QStyle::PM_LargeIconSize, nullptr, this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(size, size));
    m_errorTitle = wrappedLabel(QString(), content);
    QFont bold = m_errorTitle->font();
    bold.setBold(true);
    m_errorTitle->setFont(bold);
    m_errorTitle->setAccessibleName(tr("Error"));
    header->addWidget(icon, 0, Qt::AlignTop);
    header->addWidget(m_errorTitle, 1);
    m_errorHint = wrappedLabel(QString(), content);
    m_errorDetail = wrappedLabel(QString(), content);
    m_errorDetail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorDetail->setAccessibleName(tr("Error details"));
    auto *buttons = new QHBoxLayout;
    m_retryButton = new QPushButton(tr("Try Again"), content);
    auto *other = new QPushButton(tr("Open Another Directory\u2026"), content);
    connect(m_retryButton, &QPushButton::clicked, this,
            [this] { openModelDirectory(m_loadingDir); });
    connect(other, &QPushButton::clicked, this, &ModelView::openRequested);
    buttons->addStretch(1);
    buttons->addWidget(m_retryButton);
    buttons->addWidget(other);
    layout->addLayout(header);
    layout->addWidget(m_errorHint);
    layout->addWidget(m_errorDetail);
    layout->addLayout(buttons);
    return centredPage(content, this);
}

QWidget *ModelView::createContentPage()
{
    m_summary = new ModelSummaryWidget(this);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_summary);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(m_summary->fontMetrics().averageCharWidth() * 40);
    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(scroll);
    m_splitter->addWidget(createTablePane());
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({m_summary->fontMetrics().averageCharWidth() * 72, 1000});
    return m_splitter;
}

QWidget *ModelView::createTablePane()
{
    auto *pane = new QWidget(this);
    auto *layout = new QVBoxLayout(pane);
    // The summary beside it brings its own margins; keep the table off the window's edges.
    const int margin = style()->pixelMetric(QStyle::PM_LayoutRightMargin, nullptr, this);
    layout->setContentsMargins(0, margin, margin, 0);
    auto *bar = new QHBoxLayout;
    m_filter = new QLineEdit(pane);
    m_filter->setPlaceholderText(tr("Filter by name, role or vLLM module, e.g. \"layers.3 down\""));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter Linears"));
    m_count = new QLabel(pane);
    m_count->setAccessibleName(tr("Number of Linears shown"));
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_count);
    m_filterDelay = new QTimer(this);
    m_filterDelay->setSingleShot(true);
    m_filterDelay->setInterval(FILTER_DELAY_MS);
    connect(m_filter, &QLineEdit::textChanged, m_filterDelay, qOverload<>(&QTimer::start));
    connect(m_filterDelay, &QTimer::timeout, this, &ModelView::applyFilter);
    m_table = new QTableView(pane);
    setupTable();
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    return pane;
}

void ModelView::setupTable()
{
    m_model = new InventoryTableModel(this);
    m_proxy = new LinearFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_table->setModel(m_proxy);
    m_table->setAccessibleName(tr("Linears"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    // Names share long prefixes ("model.language_model.layers."); the end tells them apart.
    m_table->setTextElideMode(Qt::ElideLeft);
    // Fixed row heights and a bounded resize precision keep 30,000-row models fast.
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setResizeContentsPrecision(200);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->setSortingEnabled(true);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &ModelView::updateCount);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &ModelView::updateCount);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &ModelView::updateCount);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &ModelView::updateCount);
}

void ModelView::setState(State state)
{
    m_state = state;
    switch (state) {
    case State::Empty:
        m_pages->setCurrentWidget(m_emptyPage);
        break;
    case State::Loading:
        m_busyDelay->start();
        break;
    case State::Loaded:
        m_pages->setCurrentWidget(m_contentPage);
        break;
    case State::Failed:
        m_pages->setCurrentWidget(m_errorPage);
        break;
    }
}

void ModelView::openModelDirectory(const QString &dir)
{
    abandonJob();
    if (m_state != State::Loading) {
        m_stateBeforeLoad = m_state;
    }
    m_loadingDir = QDir::cleanPath(QDir(dir).absolutePath());
    const std::string path =
            QFile::encodeName(QDir::toNativeSeparators(m_loadingDir)).toStdString();
    m_job = JobRunner::withResult<OpenedModel>(
            [path](core::JobContext &) { return openModel(path); }, this);
    connect(m_job, &JobRunner::progressChanged, this, &ModelView::onLoadProgress);
    connect(m_job, &JobRunner::succeeded, this, &ModelView::onLoadSucceeded);
    connect(m_job, &JobRunner::failed, this, &ModelView::onLoadFailed);
    connect(m_job, &JobRunner::finished, m_job, &QObject::deleteLater);
    m_loadingLabel->setText(tr("Reading the model folder\n%1").arg(m_loadingDir));
    m_progress->setRange(0, 0);
    setState(State::Loading);
    Q_EMIT loadStarted(m_loadingDir);
    m_job->start(m_pool);
}

void ModelView::cancelLoading()
{
    if (m_state != State::Loading) {
        return;
    }
    abandonJob();
    setState(m_stateBeforeLoad);
}

void ModelView::abandonJob()
{
    if (m_job == nullptr) {
        return;
    }
    // The engine may not stop at once; the runner then finishes in the background and deletes
    // itself (finished → deleteLater). Its result no longer reaches this view.
    disconnect(m_job, nullptr, this, nullptr);
    m_job->requestCancel();
    m_job = nullptr;
}

void ModelView::onLoadProgress(const QString &stage, quint64 done, quint64 total)
{
    if (total == 0) {
        m_progress->setRange(0, 0);
    } else {
        m_progress->setRange(0, 1000);
        m_progress->setValue(
                static_cast<int>(1000.0 * static_cast<double>(done) / static_cast<double>(total)));
    }
    m_progress->setFormat(stage.isEmpty() ? QStringLiteral("%p%") : stage + QStringLiteral(" %p%"));
}

void ModelView::onLoadSucceeded()
{
    const auto opened = m_job->result<OpenedModel>();
    m_job = nullptr;
    m_inventory = std::shared_ptr<const core::ModelInventory>(opened, &opened->inventory);
    m_modelDir = QDir::cleanPath(QFile::decodeName(opened->modelDir.c_str()));
    m_runDir = opened->runDir.empty() ? QString() : m_loadingDir;
    m_filter->blockSignals(true);
    m_filter->clear();
    m_filter->blockSignals(false);
    m_proxy->setFilterWords(QString());
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_model->setInventory(m_inventory);
    m_summary->setInventory(*m_inventory, m_modelDir);
    resizeColumns();
    setState(State::Loaded);
    Q_EMIT modelLoaded(m_runDir.isEmpty() ? m_modelDir : m_runDir);
}

void ModelView::onLoadFailed(const QString &message, int code)
{
    m_job = nullptr;
    // The error page replaces the model shown before; keep nothing that no longer shows.
    m_inventory.reset();
    m_modelDir.clear();
    m_runDir.clear();
    m_model->setInventory(nullptr);
    m_summary->clear();
    showError(m_loadingDir, message, code);
    setState(State::Failed);
    Q_EMIT loadFailed(m_loadingDir, errorMessage());
}

void ModelView::showError(const QString &dir, const QString &message, int code)
{
    const QFileInfo folder(dir);
    const bool folderMissing = !folder.isDir();
    const bool configMissing =
            !folderMissing && !QFileInfo(QDir(dir), QStringLiteral("config.json")).exists() &&
            !core::pipeline::isRunDirectory(QFile::encodeName(dir).toStdString());
    if (folderMissing) {
        m_errorTitle->setText(tr("The folder %1 does not exist.").arg(dir));
    } else if (configMissing) {
        m_errorTitle->setText(
                tr("The folder %1 has no config.json, so it is not a model folder.").arg(dir));
    } else {
        m_errorTitle->setText(ErrorText::summary(code));
    }
    m_errorHint->setText(
            folderMissing || configMissing
                    ? tr("Choose the folder that holds the model's config.json and, usually, its "
                         "*.safetensors weights.")
                    : QString());
    m_errorHint->setVisible(!m_errorHint->text().isEmpty());
    m_errorDetail->setText(tr("Details: %1").arg(message));
    m_retryButton->setVisible(!folderMissing);
}

QString ModelView::errorMessage() const
{
    if (m_state != State::Failed) {
        return {};
    }
    QStringList parts{m_errorTitle->text()};
    if (!m_errorHint->text().isEmpty()) {
        parts.append(m_errorHint->text());
    }
    parts.append(m_errorDetail->text());
    return parts.join(QLatin1Char('\n'));
}

void ModelView::applyFilter()
{
    m_proxy->setFilterWords(m_filter->text());
    updateCount();
}

void ModelView::updateCount()
{
    m_count->setText(tr("%1 of %2 Linears")
                             .arg(QLocale().toString(m_proxy->rowCount()),
                                  QLocale().toString(m_model->rowCount())));
}

void ModelView::resizeColumns()
{
    using Column = InventoryTableModel::Column;
    bool experts = false;
    for (const core::LinearInfo &linear : m_inventory->linears) {
        experts = experts || linear.expert >= 0;
    }
    m_table->setColumnHidden(InventoryTableModel::columnIndex(Column::Expert), !experts);
    m_table->resizeColumnsToContents();
    // Long module names are elided rather than pushing the numbers off screen.
    const int charWidth = m_table->fontMetrics().averageCharWidth();
    const int nameColumn = InventoryTableModel::columnIndex(Column::Name);
    const int vllmColumn = InventoryTableModel::columnIndex(Column::VllmModule);
    m_table->setColumnWidth(nameColumn, qMin(m_table->columnWidth(nameColumn), charWidth * 56));
    m_table->setColumnWidth(vllmColumn, qMin(m_table->columnWidth(vllmColumn), charWidth * 44));
}

}  // namespace pq::widgets
