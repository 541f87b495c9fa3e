// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>

#include <QPointer>
#include <QString>
#include <QThreadPool>
#include <QWidget>

#include "core/model/inventory.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTableView;
class QTimer;

namespace pq::widgets {

class InventoryTableModel;
class JobRunner;
class LinearFilterProxyModel;
class ModelSummaryWidget;

/**
 * The "Model" view: what the engine found in one model folder. Composes the summary, a filter
 * box and the table of Linears. openModelDirectory() reads the folder in a JobRunner on the
 * view's own pool, so the GUI never blocks; engine errors are shown inside the view, in plain
 * words with the engine's detail beside them. GUI thread only.
 */
class ModelView : public QWidget
{
    Q_OBJECT

public:
    enum class State : std::uint8_t
    {
        Empty,    ///< nothing opened yet
        Loading,  ///< a folder is being read
        Loaded,   ///< showing a model
        Failed,   ///< the last folder could not be read; the error is shown
    };

    explicit ModelView(QWidget *parent = nullptr);
    /** Cancels a running load and waits for its worker to return. */
    ~ModelView() override;

    /**
     * Starts reading `dir`: a model folder, or a run directory of the CLI (run.json or
     * sensitivity.json), whose recorded model is then shown. A load still running is abandoned
     * (its result is ignored).
     */
    void openModelDirectory(const QString &dir);
    /** Abandons the running load and shows what was shown before it. */
    void cancelLoading();

    State state() const { return m_state; }

    /** The folder of the model shown (empty when none). */
    QString modelDirectory() const { return m_modelDir; }

    /** The run directory it was opened through (empty when a model folder was opened). */
    QString runDirectory() const { return m_runDir; }

    std::shared_ptr<const core::ModelInventory> inventory() const { return m_inventory; }

    /** The error shown in the Failed state: headline, hint and the engine's detail. */
    QString errorMessage() const;

    ModelSummaryWidget *summary() const { return m_summary; }

    InventoryTableModel *tableModel() const { return m_model; }

    LinearFilterProxyModel *proxyModel() const { return m_proxy; }

    QTableView *tableView() const { return m_table; }

    QLineEdit *filterEdit() const { return m_filter; }

Q_SIGNALS:
    void loadStarted(const QString &dir);
    /** `dir` is what was opened: the model folder, or the run directory. */
    void modelLoaded(const QString &dir);
    void loadFailed(const QString &dir, const QString &message);
    /** The user asked, from inside the view, to choose a folder. */
    void openRequested();

private:
    void setupUi();
    QWidget *createEmptyPage();
    QWidget *createLoadingPage();
    QWidget *createErrorPage();
    QWidget *createContentPage();
    QWidget *createTablePane();
    void setupTable();
    void setState(State state);
    void abandonJob();

    void onLoadProgress(const QString &stage, quint64 done, quint64 total);
    void onLoadSucceeded();
    void onLoadFailed(const QString &message, int code);
    void showError(const QString &dir, const QString &message, int code);
    void applyFilter();
    void updateCount();
    void resizeColumns();

    QThreadPool m_pool;
    QPointer<JobRunner> m_job;
    QString m_loadingDir;
    QString m_modelDir;
    QString m_runDir;
    std::shared_ptr<const core::ModelInventory> m_inventory;
    State m_state = State::Empty;
    State m_stateBeforeLoad = State::Empty;

    QStackedWidget *m_pages = nullptr;
    QWidget *m_emptyPage = nullptr;
    QWidget *m_loadingPage = nullptr;
    QWidget *m_errorPage = nullptr;
    QWidget *m_contentPage = nullptr;
    QTimer *m_busyDelay = nullptr;

    QLabel *m_loadingLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_errorTitle = nullptr;
    QLabel *m_errorHint = nullptr;
    QLabel *m_errorDetail = nullptr;
    QPushButton *m_retryButton = nullptr;

    QSplitter *m_splitter = nullptr;
    ModelSummaryWidget *m_summary = nullptr;
    QLineEdit *m_filter = nullptr;
    QTimer *m_filterDelay = nullptr;
    QLabel *m_count = nullptr;
    QTableView *m_table = nullptr;
    InventoryTableModel *m_model = nullptr;
    LinearFilterProxyModel *m_proxy = nullptr;
};

}  // namespace pq::widgets
