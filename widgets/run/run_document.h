// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>

#include "core/alloc/allocation.h"
#include "core/pipeline/evaluations.h"
#include "core/pipeline/pins.h"
#include "core/pipeline/run_costs.h"

namespace pq::widgets {

class JobRunner;

/**
 * One run directory as the Studio shows it (UI.md: one run directory is one document): the
 * probe's report, the model's inventory, the allocator over the report's costs, its Pareto
 * curve and knee, and the allocation at the current budget — which every view reacts to.
 *
 * open() reads the run on the document's own worker pool; setBudgetBytes() solves the knapsack
 * there too (well under a second). Requests made while a solve runs are coalesced: the latest
 * budget is solved next, so dragging along the curve never queues stale work, and the views
 * keep showing the last result until the new one arrives. GUI thread only.
 */
class RunDocument : public QObject
{
    Q_OBJECT

public:
    enum class State : std::uint8_t
    {
        Empty,    ///< nothing opened
        Loading,  ///< open() is reading the run
        Ready,    ///< the run, its curve and an allocation are available
        Failed,   ///< the last open() failed; errorMessage() says why
    };

    /** What open() loaded; immutable and shared with the worker that solves budgets. */
    struct Run
    {
        core::pipeline::RunCosts costs;
        std::vector<core::pipeline::Pin> pins;  ///< RUN_DIR/pins.json, honoured by `allocator`
        std::optional<core::alloc::Allocator> allocator;  ///< points into `costs.inventory`
        std::vector<core::alloc::CurvePoint> curve;
        core::alloc::Knee knee;
        std::vector<core::pipeline::UniformBaseline> baselines;  ///< by size
        /** RUN_DIR/studio.json's budget: where the last session left it (none: the knee). */
        std::optional<std::uint64_t> savedBudget;
        /** RUN_DIR/evaluations.json when the run was read (later ones: measuredPoints()). */
        std::vector<core::pipeline::MeasuredPoint> measured;
        /** Why evaluations.json could not be read (the run opens without its points). */
        std::string measuredError;
    };

    explicit RunDocument(QObject *parent = nullptr);
    /** Cancels running work and waits for the workers to return. */
    ~RunDocument() override;

    /** Starts reading `runDir`; a load still running is abandoned. */
    void open(const QString &runDir);

    /** Back to Empty: running work is abandoned, nothing of the last run stays. */
    void close();

    State state() const { return m_state; }

    QString runDirectory() const { return m_runDir; }

    /** The error of the Failed state: the engine's message. */
    QString errorMessage() const { return m_error; }

    /** The loaded run (null unless Ready). */
    std::shared_ptr<const Run> run() const { return m_run; }

    /** The budget the allocation is for (total artifact bytes). */
    std::uint64_t budgetBytes() const { return m_budget; }

    /** The allocation at budgetBytes() (null until the first one is solved). */
    std::shared_ptr<const core::alloc::Allocation> allocation() const { return m_allocation; }

    /** The run's measured evaluations (RUN_DIR/evaluations.json), oldest first. */
    const std::vector<core::pipeline::MeasuredPoint> &measuredPoints() const { return m_measured; }

    /**
     * Replaces the measured points (an evaluation job recorded new ones in evaluations.json and
     * passes the file's points); measuredPointsChanged() follows. Ignored unless Ready.
     */
    void setMeasuredPoints(std::vector<core::pipeline::MeasuredPoint> points);

    /** Whether a budget or a pin is being solved. */
    bool isSolving() const;

    /**
     * Sets the budget (total bytes, clamped to the curve's range) and solves it in the
     * background; allocationChanged() follows. The solved budget is kept in RUN_DIR/studio.json,
     * so reopening the run restores it (a run directory that cannot be written to is reported
     * with saveFailed() and works on). Ignored unless Ready.
     */
    void setBudgetBytes(std::uint64_t bytes);

    /**
     * Pins the Linear named `linear` (and so its fused group) to `format`, or unpins it
     * (nullopt). In the background: the allocator is rebuilt with the run's pins, RUN_DIR/
     * pins.json is rewritten, then loaded() (new curve) and the allocation at the budget follow.
     * A pin the allocator refuses (a format the group's shapes cannot take, pins that disagree
     * inside a group) changes nothing and is reported with allocationFailed(). A pin asked for
     * while another is being planned follows it. Ignored unless Ready.
     */
    void setPin(const std::string &linear, std::optional<core::quant::FormatId> format);

    /**
     * As setPin(), for every Linear a pattern matches (an ECMAScript regex searched in the names,
     * as `allocate --pin` takes it); nullopt removes the pin of exactly this pattern. A pattern
     * that is not a valid regex is refused with allocationFailed().
     */
    void setPinPattern(const std::string &pattern, std::optional<core::quant::FormatId> format);

Q_SIGNALS:
    void loadStarted(const QString &runDir);
    /** The run is Ready; the knee's allocation follows with allocationChanged(). */
    void loaded();
    void loadFailed(const QString &message);
    void budgetChanged(std::uint64_t bytes);
    void allocationChanged();
    void allocationFailed(const QString &message);
    void measuredPointsChanged();
    /** The budget could not be kept in the run directory (read-only, full disk…). */
    void saveFailed(const QString &message);

private:
    void onLoaded();
    void onLoadFailed(const QString &message);
    /** Solves `bytes`; `save`: keep it in studio.json (the user chose it, not the knee). */
    void requestBudget(std::uint64_t bytes, bool save);
    void startSolve(bool save);
    void startPendingSolve();
    void nextPendingPin();
    void abandon(QPointer<JobRunner> &job);

    QThreadPool m_pool;
    QPointer<JobRunner> m_loader;
    QPointer<JobRunner> m_solver;
    QPointer<JobRunner> m_repinner;
    State m_state = State::Empty;
    QString m_runDir;
    QString m_error;
    std::shared_ptr<const Run> m_run;
    std::uint64_t m_budget = 0;
    std::optional<std::uint64_t> m_pendingBudget;  ///< asked for while a solve was running
    bool m_pendingSave = false;                    ///< the pending budget is the user's
    std::vector<core::pipeline::MeasuredPoint> m_measured;
    /** Pins (patterns) asked for while one was being planned: applied in order afterwards. */
    std::vector<std::pair<std::string, std::optional<core::quant::FormatId>>> m_pendingPins;
    std::shared_ptr<const core::alloc::Allocation> m_allocation;
};

}  // namespace pq::widgets
