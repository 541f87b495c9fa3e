// SPDX-License-Identifier: MIT
// `prismaquant run MODEL_DIR --out RUN_DIR [--calib PATH] TARGET [--export OUT_DIR]`: the whole
// pipeline — validate → probe → allocate → (export) — with each finished stage recorded in
// RUN_DIR/run.json (core/pipeline/run_record.h) and skipped on a rerun whose inputs are unchanged.
// The stages are the same functions the single commands run (stages.h). An interrupted probe
// resumes at its next layer (the probe's own state in RUN_DIR/probe-state).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "app/cli/interrupt.h"
#include "app/cli/progress.h"
#include "app/cli/stages.h"
#include "core/data/text_source.h"
#include "core/export/exporter.h"
#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/model/validate.h"
#include "core/pipeline/run_record.h"
#include "core/util/atomic_file.h"
#include "core/util/file_hash.h"
#include "core/util/human.h"

namespace pq::cli {
namespace {

namespace fs = std::filesystem;
namespace pipeline = core::pipeline;

/** Runtime memory besides the probe's tensors (libraries, allocator slack). */
constexpr std::uint64_t RUNTIME_BYTES = 300'000'000ULL;
/** The least room left for boundary activations in RAM (the rest are on disk, one at a time). */
constexpr std::uint64_t MIN_BOUNDARY_BYTES = 32'000'000ULL;

struct RunArgs
{
    ProbeArgs probe;  ///< modelDir, calib, outDir and the probe's settings
    std::optional<double> targetBits;
    std::string targetSize;
    std::string fitVram;
    std::uint64_t context = 8192;
    std::vector<std::string> menu;  ///< allocation menu (default: what the probe measured)
    bool mix4bit = false;
    std::string exportDir;
    std::string shardSize = "5GB";
    bool json = false;
};

/** What happened to one stage, for the summary. */
struct StageOutcome
{
    std::string name;
    std::string status;  ///< "ran", "skipped"
    double seconds = 0;
};

/** RUN_DIR/run.log, appended to; every progress printer writes to it while it is open. */
class RunLog
{
public:
    explicit RunLog(const std::string &path)
        : m_file(std::fopen(path.c_str(), "a"))
    {
        ProgressPrinter::setLogFile(m_file);
    }

    ~RunLog()
    {
        ProgressPrinter::setLogFile(nullptr);
        if (m_file != nullptr) {
            std::fclose(m_file);
        }
    }

    RunLog(const RunLog &) = delete;
    RunLog &operator=(const RunLog &) = delete;

    bool isOpen() const { return m_file != nullptr; }

    void line(std::string_view text) const
    {
        if (m_file != nullptr) {
            fmt::print(m_file, "{}{}\n", logTimestamp(), text);
            std::fflush(m_file);
        }
    }

private:
    std::FILE *m_file;
};

/**
 * With --json the stages' human reports go to stderr and stdout carries only the final JSON:
 * stdout's descriptor points at stderr while this lives.
 */
class StdoutToStderr
{
public:
    explicit StdoutToStderr(bool active)
    {
        if (active) {
            std::fflush(stdout);
            m_saved = ::dup(STDOUT_FILENO);
            if (m_saved >= 0) {
                ::dup2(STDERR_FILENO, STDOUT_FILENO);
            }
        }
    }

    ~StdoutToStderr()
    {
        if (m_saved >= 0) {
            std::fflush(stdout);
            ::dup2(m_saved, STDOUT_FILENO);
            ::close(m_saved);
        }
    }

    StdoutToStderr(const StdoutToStderr &) = delete;
    StdoutToStderr &operator=(const StdoutToStderr &) = delete;

private:
    int m_saved = -1;
};

int fail(const core::Error &e, const RunLog &log)
{
    log.line("error: " + e.message());
    return cli::fail(e);
}

std::string joined(const std::vector<std::string> &items)
{
    std::string s;
    for (const std::string &i : items) {
        s += (s.empty() ? "" : ",") + i;
    }
    return s;
}

/**
 * The model directory's files besides its weights (tokenizer.json, tokenizer_config.json,
 * generation_config.json, chat template, …): the probe tokenizes with them and the export copies
 * them, so editing one must re-run those stages. SHA-256 of each regular file up to 64 MB that is
 * not a .safetensors shard or its index (the model fingerprint covers those).
 */
core::Result<std::string> companionFilesIdentity(const std::string &modelDir)
{
    std::vector<fs::path> files;
    std::error_code ec;
    for (const fs::directory_entry &e : fs::directory_iterator(modelDir, ec)) {
        const std::string name = e.path().filename().string();
        std::error_code sec;
        if (!e.is_regular_file(sec) || name.ends_with(".safetensors") ||
            name.ends_with(".safetensors.index.json") || e.file_size(sec) > (64ULL << 20U)) {
            continue;
        }
        files.push_back(e.path());
    }
    if (ec) {
        return core::makeError(core::ErrorCode::Io,
                               fmt::format("cannot list the model directory: {}", ec.message()))
                .withPath(modelDir);
    }
    std::sort(files.begin(), files.end());
    std::string id;
    for (const fs::path &f : files) {
        auto h = core::sha256File(f.string());
        if (!h) {
            return std::move(h).error();
        }
        id += f.filename().string() + " " + *h + "\n";
    }
    return id;
}

/** The calibration text's identity: the SHA-256 of each file it reads, in order. */
core::Result<std::string> calibrationIdentity(const std::string &path)
{
    auto corpus = core::data::loadTextSource(path);
    if (!corpus) {
        return std::move(corpus).error();
    }
    std::string id;
    for (const core::data::SourceFile &f : corpus->files) {
        id += f.sha256 + " " + f.kind + "\n";
    }
    return id;
}

/** Ctrl-C came outside a stage: what is recorded stays, the rerun continues from it. */
int cancelledBefore(const std::string &stage, const RunLog &log)
{
    fmt::print(stderr,
               "cancelled before the {} stage; the finished stages are recorded in "
               "run.json and the same command continues from there\n",
               stage);
    log.line(fmt::format("cancelled before {}", stage));
    return EXIT_CANCELLED;
}

/** Runs one stage unless run.json records it with the same key and its outputs unchanged. */
class StageRunner
{
public:
    StageRunner(pipeline::RunRecord &record, const RunLog &log, const core::JobContext &run)
        : m_record(record)
        , m_log(log)
        , m_run(run)
    {}

    int operator()(const std::string &name,
                   const std::string &key,
                   const std::vector<std::string> &outputs,
                   const std::function<int()> &body)
    {
        if (m_record.upToDate(name, key)) {
            const pipeline::StageRecord *rec = m_record.find(name);
            const std::string msg =
                    fmt::format("{}: unchanged since {} — skipped", name, rec->finishedUtc);
            fmt::print(stderr, "== {}\n", msg);
            m_log.line(msg);
            outcomes.push_back({name, "skipped", 0.0});
            return EXIT_OK;
        }
        if (m_run.isCancelled()) {  // Ctrl-C between stages (each stage handles its own)
            return cancelledBefore(name, m_log);
        }
        fmt::print(stderr, "== {}\n", name);
        m_log.line(name + ": started");
        const auto start = std::chrono::steady_clock::now();
        std::fflush(stdout);
        const int rc = body();
        std::fflush(stdout);
        const double secs =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (rc != EXIT_OK) {
            m_log.line(fmt::format("{}: failed with exit code {} after {:.1f} s", name, rc, secs));
            return rc;
        }
        auto stamps = m_record.stamp(outputs);
        if (!stamps) {
            return fail(stamps.error(), m_log);
        }
        pipeline::StageRecord rec{key, core::utcTimestamp(), secs, std::move(*stamps)};
        if (auto st = m_record.markDone(name, std::move(rec)); !st) {
            return fail(st.error(), m_log);
        }
        m_log.line(fmt::format("{}: finished in {:.1f} s", name, secs));
        outcomes.push_back({name, "ran", secs});
        return EXIT_OK;
    }

    std::vector<StageOutcome> outcomes;

private:
    pipeline::RunRecord &m_record;
    const RunLog &m_log;
    const core::JobContext &m_run;
};

/**
 * What the probe needs besides its layer-boundary activations, estimated from the shapes:
 *  - two decoder layers' float32 weights (one walked, one converting) and their Fisher buffers;
 *  - the gradient flowing down the walk, N × T × hidden floats;
 *  - one window's autograd graph: attention scores, softmax and their gradients (4 × heads × T²
 *    floats) and the saved activations and retained output gradients of the Linears
 *    (≈ 8 × T × (hidden + intermediate) floats);
 *  - 300 MB of runtime: libraries, allocator slack (the budget docs/benchmarks.md measures the
 *    probe against, where the process alone holds ≈ 160 MB before the probe starts).
 */
std::uint64_t probeOverheadBytes(const core::ModelInventory &inv, const ProbeArgs &p)
{
    std::map<std::int64_t, std::uint64_t> layerParams;
    for (const core::LinearInfo &l : inv.linears) {
        layerParams[l.layer] += l.params();
    }
    std::uint64_t largest = 0;
    for (const auto &[layer, n] : layerParams) {
        largest = std::max(largest, n);
    }
    const auto &c = inv.config;
    const auto hidden = static_cast<std::uint64_t>(std::max<std::int64_t>(c.hiddenSize, 0));
    const auto inter = static_cast<std::uint64_t>(std::max<std::int64_t>(c.intermediateSize, 0));
    const auto heads = static_cast<std::uint64_t>(std::max<std::int64_t>(c.numHeads, 1));
    const std::uint64_t T = p.seqLen;
    const std::uint64_t floats =
            2 * 2 * largest + p.samples * T * hidden + 4 * heads * T * T + 8 * T * (hidden + inter);
    return floats * sizeof(float) + RUNTIME_BYTES;
}

/**
 * `run --memory-limit` bounds the whole run; the probe's own limit covers only its boundary
 * activations, so it gets what is left after probeOverheadBytes (the rest goes to disk). The
 * export streams one tensor at a time and needs far less.
 */
core::Result<std::uint64_t>
boundaryBudget(const std::string &limitText, const core::ModelInventory &inv, const ProbeArgs &p)
{
    auto limit = core::parseByteSize(limitText);
    if (!limit) {
        return std::move(limit).error();
    }
    const std::uint64_t needed = probeOverheadBytes(inv, p) + MIN_BOUNDARY_BYTES;
    if (*limit < needed) {
        return core::makeError(
                core::ErrorCode::InvalidArgument,
                fmt::format("--memory-limit {} is below what the probe needs for this model and "
                            "window: two decoder layers' weights and Fisher sums, the gradient, "
                            "one window's graph and 300 MB of runtime; give at least {}, or "
                            "fewer --samples or a shorter --seq-len",
                            core::formatBytes(*limit), core::formatBytes(needed)));
    }
    return *limit - probeOverheadBytes(inv, p);
}

std::string targetText(const RunArgs &a)
{
    if (a.targetBits) {
        return fmt::format("bits={}", *a.targetBits);
    }
    if (!a.targetSize.empty()) {
        return "size=" + a.targetSize;
    }
    return fmt::format("vram={} context={}", a.fitVram, a.context);
}

/** The stages; fills `summary` (the --json output) as it goes. */
int runStages(const RunArgs &a, const RunLog &log, nlohmann::json &summary)
{
    const std::string &runDir = a.probe.outDir;
    // Ctrl-C outside a stage (validate, between stages) is noticed before the next one; each
    // stage's own scope takes the signal while it runs
    core::JobContext runCtx;
    const InterruptScope interrupts(runCtx);
    // 1. validate: nothing is measured on a model that cannot go through
    fmt::print(stderr, "== validate\n");
    auto inv = core::inventoryModelDir(a.probe.modelDir);
    if (!inv) {
        return fail(inv.error(), log);
    }
    const auto checks = core::validateModel(*inv);
    if (!core::allPassed(checks)) {
        fmt::print(stderr, "{}", core::validationToText(*inv, checks, a.probe.modelDir));
        log.line("validate: failed");
        return EXIT_INPUT;
    }
    fmt::print(stderr, "all {} checks passed (prismaquant validate {} shows them)\n", checks.size(),
               a.probe.modelDir);
    auto checkpoint = core::Checkpoint::open(a.probe.modelDir);
    if (!checkpoint) {
        return fail(checkpoint.error(), log);
    }
    auto modelFp = checkpoint->fingerprint();
    if (!modelFp) {
        return fail(modelFp.error(), log);
    }

    auto record = pipeline::RunRecord::load(runDir);
    if (!record) {
        return fail(record.error(), log);
    }
    if (auto st = record->setModelDir(a.probe.modelDir); !st) {  // what the Studio opens
        return fail(st.error(), log);
    }
    StageRunner stage(*record, log, runCtx);
    const std::string version = PQ_VERSION;

    // 2. probe (or data-free costs without calibration text)
    std::string costKey;
    AllocArgs alloc;
    alloc.runDir = runDir;
    alloc.formats = a.menu;
    alloc.mix4bit = a.mix4bit;
    alloc.targetBits = a.targetBits;
    alloc.targetSize = a.targetSize;
    alloc.fitVram = a.fitVram;
    alloc.context = a.context;
    alloc.printCurve = true;  // the curve the recipe was cut from, without costing it twice
    alloc.modelDir = a.probe.modelDir;  // not the path the probe recorded: the run's own
    auto companions = companionFilesIdentity(a.probe.modelDir);
    if (!companions) {
        return fail(companions.error(), log);
    }
    if (a.probe.calib.empty()) {
        if (fs::exists(fs::path(runDir) / "sensitivity.json")) {
            return fail(core::makeError(core::ErrorCode::InvalidArgument,
                                        "this run directory holds probe results "
                                        "(sensitivity.json) from an earlier run with --calib; a "
                                        "data-free run here would mix them into its export and "
                                        "compare: give --calib again, or another --out")
                                .withPath(runDir),
                        log);
        }
        fmt::print(stderr, "== probe: no --calib, so no probe: the allocation prices formats by "
                           "plain weight error (data-free, a weaker guess)\n");
        log.line("probe: not run (no --calib): data-free allocation");
        alloc.dataFree = true;
        costKey = pipeline::stageKey({"data-free", *modelFp});
    } else {
#ifdef PQ_HAVE_TORCH
        auto calibId = calibrationIdentity(a.probe.calib);
        if (!calibId) {
            return fail(calibId.error(), log);
        }
        ProbeArgs p = a.probe;
        if (!a.probe.memoryLimit.empty()) {
            auto boundaries = boundaryBudget(a.probe.memoryLimit, *inv, a.probe);
            if (!boundaries) {
                return fail(boundaries.error(), log);
            }
            p.memoryLimit = std::to_string(*boundaries);
        }
        costKey = pipeline::stageKey(
                {"probe", version, *modelFp, *companions, *calibId, std::to_string(p.samples),
                 std::to_string(p.seqLen), std::to_string(p.heldOut), std::to_string(p.seed),
                 std::to_string(p.outputTokens), std::to_string(p.minExpertTokens), p.device,
                 joined(p.formats)});
        if (const int rc = stage("probe", costKey, {"sensitivity.json", "calibration.json"},
                                 [&] { return runProbeStage(p); });
            rc != EXIT_OK) {
            return rc;
        }
#else
        return fail(core::makeError(core::ErrorCode::Unsupported,
                                    "this build has no libtorch, so it cannot probe: rebuild "
                                    "with libtorch-dev installed, or leave out --calib for a "
                                    "data-free allocation"),
                    log);
#endif
    }

    // 3. allocate, then the curve it was cut from
    // the Studio's pins (RUN_DIR/pins.json) are part of the allocation's inputs
    auto pins = core::readSmallFile((fs::path(runDir) / "pins.json").string(), 16ULL << 20U);
    const std::string allocKey =
            pipeline::stageKey({"allocate", version, costKey, targetText(a), joined(a.menu),
                                a.mix4bit ? "mix" : "", pins ? *pins : std::string()});
    if (const int rc = stage("allocate", allocKey, {"recipe.json", "pareto.csv"},
                             [&] { return runAllocateStage(alloc); });
        rc != EXIT_OK) {
        return rc;
    }
    if (stage.outcomes.back().status == "skipped") {
        fmt::print("the size/quality curve: {}/pareto.csv (`prismaquant pareto {}` prints it)\n",
                   runDir, runDir);
    }

    // 4. export
    std::string exportPath;
    if (!a.exportDir.empty()) {
        exportPath = fs::absolute(a.exportDir).lexically_normal().string();
        ExportArgs e;
        e.modelDir = a.probe.modelDir;
        e.recipe = runDir;
        e.outDir = a.exportDir;
        e.shardSize = a.shardSize;
        // Replace only the export this run wrote (its manifest is still the file it stamped):
        // one made by hand at OUT_DIR, or anything else there, is the exporter's to refuse.
        const std::string manifest = (fs::path(exportPath) / core::ct::MANIFEST_FILE).string();
        const pipeline::StageRecord *earlier = record->find("export");
        e.force = earlier != nullptr && earlier->outputs.size() == 1 &&
                  earlier->outputs.front().path == manifest &&
                  record->unchanged(earlier->outputs.front());
        const std::string exportKey = pipeline::stageKey(
                {"export", version, allocKey, *companions, exportPath, a.shardSize});
        fmt::print("\n");
        if (const int rc =
                    stage("export", exportKey, {manifest}, [&] { return runExportStage(e); });
            rc != EXIT_OK) {
            return rc;
        }
    }

    log.line("run: done");
    nlohmann::json stages = nlohmann::json::array();
    for (const StageOutcome &o : stage.outcomes) {
        stages.push_back({{"stage", o.name}, {"status", o.status}, {"seconds", o.seconds}});
    }
    summary = {{"run_dir", runDir},
               {"data_free", alloc.dataFree},
               {"stages", stages},
               {"recipe", (fs::path(runDir) / "recipe.json").string()},
               {"export", exportPath.empty() ? nlohmann::json() : nlohmann::json(exportPath)}};
    fmt::print("\nrun directory: {} (run.json, run.log, sensitivity.json, recipe.json, "
               "pareto.csv)\n",
               runDir);
    if (!exportPath.empty()) {
        fmt::print("checkpoint:    {} (serve it: vllm serve {})\n", exportPath, exportPath);
    }
    return EXIT_OK;
}

int runPipeline(const RunArgs &given)
{
    // absolute, so that what the probe records (sensitivity.json) works from any directory
    RunArgs a = given;
    a.probe.modelDir = fs::absolute(a.probe.modelDir).lexically_normal().string();
    if (!a.probe.calib.empty()) {
        a.probe.calib = fs::absolute(a.probe.calib).lexically_normal().string();
    }
    const std::string &runDir = a.probe.outDir;
    std::error_code ec;
    fs::create_directories(runDir, ec);
    if (ec) {
        fmt::print(stderr, "error: cannot create run directory {}: {}\n", runDir, ec.message());
        return EXIT_IO;
    }
    const RunLog log((fs::path(runDir) / "run.log").string());
    if (!log.isOpen()) {
        fmt::print(stderr, "error: cannot write {}/run.log\n", runDir);
        return EXIT_IO;
    }
    log.line(fmt::format("prismaquant {} run {} → {}", PQ_VERSION, a.probe.modelDir, runDir));
    nlohmann::json summary;
    int rc = EXIT_OK;
    {
        const StdoutToStderr redirect(a.json);
        rc = runStages(a, log, summary);
    }
    if (rc == EXIT_OK && a.json) {
        fmt::print("{}\n", summary.dump(2));
    }
    return rc;
}

}  // namespace

void registerRun(CLI::App &app, CommandRegistry &registry)
{
    auto a = std::make_shared<RunArgs>();
    CLI::App *sub = app.add_subcommand(
            "run",
            "The whole pipeline: validate → probe → allocate → (export). Each finished stage is "
            "recorded in RUN_DIR/run.json with a fingerprint of its inputs (model, calibration "
            "text, settings, tool version); a rerun skips stages whose inputs are unchanged, and "
            "an interrupted probe resumes at its next layer. Progress is logged to "
            "RUN_DIR/run.log. Ctrl-C cancels at the next safe point (exit 3).\n"
            "Without --calib nothing is measured: the allocation prices formats by plain weight "
            "error (data-free).\n\n"
            "Examples:\n"
            "  prismaquant run ~/models/Qwen3-8B --calib examples/calibration/kjv.txt.gz "
            "--out runs/qwen3-8b --target-bits 4.5 --export ~/models/Qwen3-8B-pq\n"
            "  prismaquant run ~/models/Qwen3-8B --calib my.jsonl --out runs/q8 --fit-vram 24GiB "
            "--context 8192");
    ProbeArgs &p = a->probe;
    sub->add_option("MODEL_DIR", p.modelDir, "model directory")
            ->required();  // the engine says what the path is instead (docs/errors.md)
    sub->add_option("--out", p.outDir, "run directory (created; reused by reruns)")->required();
    sub->add_option("--calib", p.calib,
                    "calibration text: .txt / .jsonl (optionally .gz) or a directory");
    auto *bits = sub->add_option("--target-bits", a->targetBits,
                                 "average bits per Linear parameter, e.g. 4.5");
    auto *size = sub->add_option("--target-size", a->targetSize,
                                 "whole artifact size, e.g. 22GB or 20GiB");
    auto *vram = sub->add_option("--fit-vram", a->fitVram, "GPU memory to fit, e.g. 24GiB");
    bits->excludes(size)->excludes(vram);
    size->excludes(vram);
    sub->add_option("--context", a->context, "tokens of KV cache to leave room for (--fit-vram)")
            ->capture_default_str();
    sub->add_option("--export", a->exportDir, "write the compressed-tensors checkpoint here");
    sub->add_option("--shard-size", a->shardSize, "export shard size")->capture_default_str();
    sub->add_option("--samples", p.samples, "calibration windows")->capture_default_str();
    sub->add_option("--seq-len", p.seqLen, "tokens per window")->capture_default_str();
    sub->add_option("--held-out", p.heldOut, "evaluation windows kept apart")
            ->capture_default_str();
    sub->add_option("--seed", p.seed, "sampling seed")->capture_default_str();
    sub->add_option("--device", p.device, "cpu or cuda")
            ->check(CLI::IsMember({"cpu", "cuda"}))
            ->capture_default_str();
    sub->add_option("--formats", p.formats, "formats the probe measures")
            ->delimiter(',')
            ->capture_default_str();
    sub->add_option("--menu", a->menu,
                    "formats the allocation may choose (default: what the probe measured, and "
                    "BF16)")
            ->delimiter(',');
    sub->add_flag("--mix-4bit-families", a->mix4bit, "allow NVFP4, MXFP4 and INT4 in one recipe");
    sub->add_option("--memory-limit", p.memoryLimit,
                    "peak memory for the whole run, e.g. 8GiB: the probe keeps its layer-boundary "
                    "activations in RAM only up to what is left after two layers' float32 "
                    "weights and 300 MB, the rest in RUN_DIR/probe-state (default: boundaries up "
                    "to half the RAM)");
    sub->add_flag("--json", a->json,
                  "human reports to stderr; stdout gets one JSON object (stages, paths)");
    sub->callback([bits, size, vram] {
        if (bits->count() + size->count() + vram->count() == 0) {
            throw CLI::RequiredError("a target: --target-bits, --target-size or --fit-vram");
        }
    });
    registry.add(sub, [a] { return runPipeline(*a); });
}

}  // namespace pq::cli
