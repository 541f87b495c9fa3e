// SPDX-License-Identifier: MIT
#include "widgets/run/run_document.h"

#include <algorithm>

#include <QDir>
#include <QFile>

#include "widgets/jobs/job_runner.h"

namespace pq::widgets {
namespace {

/** Builds the allocator with `pins` and its curve over `costs` (worker thread). */
core::Result<std::shared_ptr<RunDocument::Run>> planRun(core::pipeline::RunCosts costs,
                                                        std::vector<core::pipeline::Pin> pins,
                                                        const std::string &dir)
{
    // built in place: the allocator keeps a pointer to the inventory
    auto run = std::make_shared<RunDocument::Run>();
    run->costs = std::move(costs);
    run->pins = std::move(pins);
    core::alloc::Constraints constraints;
    for (const core::pipeline::Pin &p : run->pins) {
        constraints.pins.emplace_back(p.pattern, p.format);
    }
    auto allocator =
            core::alloc::Allocator::create(run->costs.inventory, run->costs.costs, constraints);
    if (!allocator) {
        return std::move(allocator).error();
    }
    run->allocator.emplace(std::move(*allocator));
    run->curve = run->allocator->hull();
    if (run->curve.empty()) {
        return core::makeError(core::ErrorCode::InvalidFormat, "the run has no Linear to allocate")
                .withPath(dir);
    }
    run->knee = core::alloc::findKnee(run->curve);
    return run;
}

/** Reads the run and its pins, and plans it (worker thread). */
core::Result<std::shared_ptr<RunDocument::Run>> loadRun(const std::string &dir)
{
    auto costs = core::pipeline::loadRunCosts(dir);
    if (!costs) {
        return std::move(costs).error();
    }
    auto pins = core::pipeline::readPins(dir);
    if (!pins) {
        return std::move(pins).error();
    }
    return planRun(std::move(*costs), std::move(*pins), dir);
}

}  // namespace

RunDocument::RunDocument(QObject *parent)
    : QObject(parent)
{
    m_pool.setMaxThreadCount(2);  // one load and one solve at a time
}

RunDocument::~RunDocument()
{
    abandon(m_loader);
    abandon(m_solver);
    abandon(m_repinner);
    m_pool.waitForDone();
}

void RunDocument::abandon(QPointer<JobRunner> &job)
{
    if (job == nullptr) {
        return;
    }
    disconnect(job, nullptr, this, nullptr);
    job->requestCancel();
    job = nullptr;
}

void RunDocument::close()
{
    abandon(m_loader);
    abandon(m_solver);
    abandon(m_repinner);
    m_pendingBudget.reset();
    m_pendingPins.clear();
    m_runDir.clear();
    m_error.clear();
    m_run.reset();
    m_allocation.reset();
    m_budget = 0;
    m_state = State::Empty;
}

void RunDocument::open(const QString &runDir)
{
    close();
    m_runDir = QDir::cleanPath(QDir(runDir).absolutePath());
    m_error.clear();
    m_run.reset();
    m_allocation.reset();
    m_state = State::Loading;
    const std::string path = QFile::encodeName(m_runDir).toStdString();
    m_loader = JobRunner::withResult<std::shared_ptr<Run>>(
            [path](core::JobContext &) { return loadRun(path); }, this);
    connect(m_loader, &JobRunner::succeeded, this, &RunDocument::onLoaded);
    connect(m_loader, &JobRunner::failed, this,
            [this](const QString &message, int) { onLoadFailed(message); });
    connect(m_loader, &JobRunner::finished, m_loader, &QObject::deleteLater);
    Q_EMIT loadStarted(m_runDir);
    m_loader->start(m_pool);
}

void RunDocument::onLoaded()
{
    m_run = *m_loader->result<std::shared_ptr<Run>>();
    m_loader = nullptr;
    m_state = State::Ready;
    Q_EMIT loaded();
    setBudgetBytes(m_run->curve[m_run->knee.index].totalBytes);
}

void RunDocument::onLoadFailed(const QString &message)
{
    m_loader = nullptr;
    m_state = State::Failed;
    m_error = message;
    Q_EMIT loadFailed(message);
}

void RunDocument::setBudgetBytes(std::uint64_t bytes)
{
    if (m_state != State::Ready) {
        return;
    }
    bytes = std::clamp(bytes, m_run->curve.front().totalBytes, m_run->curve.back().totalBytes);
    if (bytes == m_budget && m_allocation != nullptr && m_solver == nullptr) {
        return;
    }
    m_budget = bytes;
    Q_EMIT budgetChanged(bytes);
    if (m_solver != nullptr) {
        m_pendingBudget = bytes;  // solved when the running one returns
        return;
    }
    startSolve();
}

void RunDocument::startSolve()
{
    const std::shared_ptr<const Run> run = m_run;
    const std::uint64_t budget = m_budget;
    m_solver = JobRunner::withResult<core::alloc::Allocation>(
            [run, budget](core::JobContext &) { return run->allocator->allocate(budget); }, this);
    connect(m_solver, &JobRunner::succeeded, this, [this] {
        m_allocation = m_solver->result<core::alloc::Allocation>();
        m_solver = nullptr;
        Q_EMIT allocationChanged();  // shown while the newest budget is solved
        if (m_pendingBudget) {
            m_pendingBudget.reset();
            startSolve();  // m_budget is the newest request
        }
    });
    connect(m_solver, &JobRunner::failed, this, [this](const QString &message, int) {
        m_solver = nullptr;
        Q_EMIT allocationFailed(message);
        if (m_pendingBudget) {
            m_pendingBudget.reset();
            startSolve();
        }
    });
    connect(m_solver, &JobRunner::finished, m_solver, &QObject::deleteLater);
    m_solver->start(m_pool);
}

void RunDocument::setPin(const std::string &linear, std::optional<core::quant::FormatId> format)
{
    if (m_state != State::Ready) {
        return;
    }
    if (m_repinner != nullptr) {
        m_pendingPins.emplace_back(linear, format);
        return;
    }
    std::vector<core::pipeline::Pin> pins = m_run->pins;
    const std::string pattern = core::pipeline::exactPattern(linear);
    std::erase_if(pins, [&pattern](const core::pipeline::Pin &p) { return p.pattern == pattern; });
    if (format) {
        pins.push_back({pattern, *format});
    }
    const std::shared_ptr<const Run> old = m_run;
    const std::string dir = QFile::encodeName(m_runDir).toStdString();
    m_repinner = JobRunner::withResult<std::shared_ptr<Run>>(
            [old, pins, dir](core::JobContext &) -> core::Result<std::shared_ptr<Run>> {
                auto run = planRun(old->costs, pins, dir);
                if (run) {  // saved only once the allocator accepts the pins
                    PQ_TRY_STATUS(core::pipeline::writePins(dir, pins));
                }
                return run;
            },
            this);
    connect(m_repinner, &JobRunner::succeeded, this, [this] {
        m_run = *m_repinner->result<std::shared_ptr<Run>>();
        m_repinner = nullptr;
        Q_EMIT loaded();
        const std::uint64_t budget = m_budget;
        m_budget = 0;  // solve again even at the same budget: the options changed
        setBudgetBytes(budget);
        nextPendingPin();
    });
    connect(m_repinner, &JobRunner::failed, this, [this](const QString &message, int) {
        m_repinner = nullptr;
        Q_EMIT allocationFailed(message);
        nextPendingPin();
    });
    connect(m_repinner, &JobRunner::finished, m_repinner, &QObject::deleteLater);
    m_repinner->start(m_pool);
}

void RunDocument::nextPendingPin()
{
    if (!m_pendingPins.empty()) {
        const auto [linear, format] = m_pendingPins.front();
        m_pendingPins.erase(m_pendingPins.begin());
        setPin(linear, format);
    }
}

bool RunDocument::isSolving() const
{
    return m_solver != nullptr || m_repinner != nullptr;
}

}  // namespace pq::widgets
