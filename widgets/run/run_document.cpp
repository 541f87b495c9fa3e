// SPDX-License-Identifier: MIT
#include "widgets/run/run_document.h"

#include <algorithm>
#include <filesystem>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/util/atomic_file.h"
#include "widgets/jobs/job_runner.h"

namespace pq::widgets {
namespace {

/** RUN_DIR/studio.json: what the Studio keeps of a session (the budget). */
constexpr const char *STUDIO_FILE = "studio.json";
constexpr const char *STUDIO_SCHEMA = "prismaquant.studio/1";

std::string studioPath(const std::string &dir)
{
    return (std::filesystem::path(dir) / STUDIO_FILE).string();
}

/**
 * The budget studio.json keeps, if the file is there and sound. A damaged file only costs the
 * restored budget (the knee is used), never the run: it is the Studio's own convenience.
 */
std::optional<std::uint64_t> readSavedBudget(const std::string &dir)
{
    std::error_code ec;
    if (!std::filesystem::exists(studioPath(dir), ec)) {
        return std::nullopt;
    }
    const auto text = core::readSmallFile(studioPath(dir), 1ULL << 20U);
    if (!text) {
        return std::nullopt;
    }
    const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(*text)).object();
    const double budget = o.value(QLatin1String("budget_bytes")).toDouble(-1.0);
    if (o.value(QLatin1String("schema")).toString() != QLatin1String(STUDIO_SCHEMA) ||
        !(budget > 0.0 && budget < 1e18)) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(budget);
}

core::Status saveBudget(const std::string &dir, std::uint64_t bytes)
{
    const QJsonObject o = {{QLatin1String("schema"), QLatin1String(STUDIO_SCHEMA)},
                           {QLatin1String("budget_bytes"), static_cast<double>(bytes)}};
    return core::writeFileAtomically(studioPath(dir), QJsonDocument(o).toJson().toStdString());
}

/** An allocation, and why the budget could not be kept (empty: it was, or was not asked to). */
struct Solved
{
    core::alloc::Allocation allocation;
    QString saveError;
};

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
    run->baselines = core::pipeline::uniformBaselines(run->costs, run->allocator->fixedBytes());
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
    auto run = planRun(std::move(*costs), std::move(*pins), dir);
    if (!run) {
        return run;
    }
    (*run)->savedBudget = readSavedBudget(dir);
    if (auto measured = core::pipeline::readEvaluations(dir)) {
        (*run)->measured = std::move(*measured);
    } else {
        (*run)->measuredError = measured.error().message();
    }
    return run;
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
    m_pendingSave = false;
    m_pendingPins.clear();
    m_runDir.clear();
    m_error.clear();
    m_run.reset();
    m_allocation.reset();
    const bool hadPoints = !m_measured.empty();
    m_measured.clear();
    m_budget = 0;
    m_state = State::Empty;
    if (hadPoints) {
        Q_EMIT measuredPointsChanged();
    }
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
    m_measured = m_run->measured;
    Q_EMIT loaded();
    Q_EMIT measuredPointsChanged();
    requestBudget(m_run->savedBudget.value_or(m_run->curve[m_run->knee.index].totalBytes), false);
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
    requestBudget(bytes, true);
}

void RunDocument::requestBudget(std::uint64_t bytes, bool save)
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
        m_pendingSave = m_pendingSave || save;
        return;
    }
    startSolve(save);
}

void RunDocument::startSolve(bool save)
{
    const std::shared_ptr<const Run> run = m_run;
    const std::uint64_t budget = m_budget;
    const std::string dir = QFile::encodeName(m_runDir).toStdString();
    m_solver = JobRunner::withResult<Solved>(
            [run, budget, dir, save](core::JobContext &) -> core::Result<Solved> {
                auto allocation = run->allocator->allocate(budget);
                if (!allocation) {
                    return std::move(allocation).error();
                }
                Solved solved{std::move(*allocation), {}};
                if (save) {
                    if (const core::Status st = saveBudget(dir, budget); !st) {
                        solved.saveError = QString::fromStdString(st.error().message());
                    }
                }
                return solved;
            },
            this);
    connect(m_solver, &JobRunner::succeeded, this, [this] {
        const std::shared_ptr<const Solved> solved = m_solver->result<Solved>();
        m_allocation = std::shared_ptr<const core::alloc::Allocation>(solved, &solved->allocation);
        m_solver = nullptr;
        Q_EMIT allocationChanged();  // shown while the newest budget is solved
        if (!solved->saveError.isEmpty()) {
            Q_EMIT saveFailed(solved->saveError);
        }
        startPendingSolve();
    });
    connect(m_solver, &JobRunner::failed, this, [this](const QString &message, int) {
        m_solver = nullptr;
        Q_EMIT allocationFailed(message);
        startPendingSolve();
    });
    connect(m_solver, &JobRunner::finished, m_solver, &QObject::deleteLater);
    m_solver->start(m_pool);
}

void RunDocument::setPin(const std::string &linear, std::optional<core::quant::FormatId> format)
{
    setPinPattern(core::pipeline::exactPattern(linear), format);
}

void RunDocument::setPinPattern(const std::string &pattern,
                                std::optional<core::quant::FormatId> format)
{
    if (m_state != State::Ready) {
        return;
    }
    if (m_repinner != nullptr) {
        m_pendingPins.emplace_back(pattern, format);
        return;
    }
    std::vector<core::pipeline::Pin> pins = m_run->pins;
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
        requestBudget(budget, false);
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

void RunDocument::startPendingSolve()
{
    if (m_pendingBudget) {
        m_pendingBudget.reset();
        const bool save = std::exchange(m_pendingSave, false);
        startSolve(save);  // m_budget is the newest request
    }
}

void RunDocument::setMeasuredPoints(std::vector<core::pipeline::MeasuredPoint> points)
{
    if (m_state != State::Ready) {
        return;
    }
    m_measured = std::move(points);
    Q_EMIT measuredPointsChanged();
}

void RunDocument::nextPendingPin()
{
    if (!m_pendingPins.empty()) {
        const auto [pattern, format] = m_pendingPins.front();
        m_pendingPins.erase(m_pendingPins.begin());
        setPinPattern(pattern, format);
    }
}

bool RunDocument::isSolving() const
{
    return m_solver != nullptr || m_repinner != nullptr;
}

}  // namespace pq::widgets
