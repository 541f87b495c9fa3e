// SPDX-License-Identifier: MIT
// bench_probe: the sensitivity probe on a synthetic ~350M-parameter Llama against this machine's
// FLOP-bound limit and the probe's memory budget (issue 5).
//
//   bench_probe [--windows N] [--seq-len T] [--formats LIST|none] [--output-tokens n]
//               [--threads k] [--model-dir DIR] [--matmul-seconds s] [--matmul-tokens m]
//               [--matmul-only] [--verbose] [--malloc-trim] [--drop-mapped]
//   defaults: 8 windows × 256 tokens, the CLI's 7 default formats, 256 output-space tokens,
//             one thread per core, /tmp/pq-bench-probe, 0.5 s per matmul shape, m = T
//
// Model: hidden 1024, 24 layers, 16 heads / 8 KV heads (head dim 64), intermediate 2816, vocab
// 32000, untied head, BF16; written once with writeSyntheticCheckpoint (seed 0, N(0, 0.02²)
// weights) and reused while its config.json matches. Calibration: N windows of T token ids drawn
// uniformly from the vocabulary (seed 0) — the probe's cost does not depend on the text, so no
// tokenizer or corpus is involved.
//
// Two switches, off by default, from before the probe released memory itself (it now drops each
// converted layer's mapped pages and trims the heap between layers): after every progress report
// (one per layer, on the probe's thread) --malloc-trim calls probe::releaseFreedMemory (jemalloc's
// purge, or malloc_trim(0) on glibc malloc), and --drop-mapped
// calls madvise(MADV_DONTNEED) on the process's mappings of the model's .safetensors files
// (clean read-only pages: later reads fault them back from the page cache).
//
// Reported: wall and CPU time per phase (from the probe's "forward"/"backward" progress
// reports; CPU use = CPU s / (wall s · threads), which shows both contention and libgomp's
// spinning), tokens/s (N·T tokens through the whole probe, costs included), the float32 matmul
// GFLOP/s measured before and after the probe (the faster of the two sets the limit) with the
// same thread count at the probe's shapes (flops.h:
// every Linear's forward, input-gradient and weight-gradient matmul at m = T, count-weighted),
// the FLOP-bound limit GFLOP/s / (6 · P) with P = the parameters that multiply activations
// (every Linear and the lm_head; the embedding is a lookup), and the matmul FLOPs the probe
// really does (a model, printed per part). Memory: getrusage's ru_maxrss at the end of the
// probe; the peaks of VmRSS / RssAnon / RssFile from /proc/self/status (every 10 ms) and of
// the allocator's bytes in use and held (probe::heapStats, every 100 ms) during the probe; and the
// budget 2 · one layer's float32 weights + (layers + 1) · N · T · hidden · 4 bytes + 300 MB.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "bench/bench_support.h"
#include "core/data/calibration.h"
#include "core/io/checkpoint.h"
#include "core/model/model_config.h"
#include "core/model/synthetic_checkpoint.h"
#include "core/probe/flops.h"
#include "core/probe/heap.h"
#include "core/probe/probe.h"
#include "core/quant/backend_registry.h"
#include "core/quant/format_spec.h"
#include "kernels/cpu/register.h"

using namespace pq;

namespace {

using bench::Clock;
using bench::cpuSeconds;
using bench::loadAverage;

constexpr double RSS_SLACK_BYTES = 300e6;

/** The file that marks a model folder as this program's to overwrite. */
constexpr const char *MODEL_MARKER = "BENCH_PROBE_SYNTHETIC";

constexpr const char *MODEL_CONFIG = R"({
  "architectures": ["LlamaForCausalLM"],
  "model_type": "llama",
  "hidden_size": 1024,
  "intermediate_size": 2816,
  "num_hidden_layers": 24,
  "num_attention_heads": 16,
  "num_key_value_heads": 8,
  "vocab_size": 32000,
  "max_position_embeddings": 4096,
  "rms_norm_eps": 1e-05,
  "rope_theta": 10000.0,
  "tie_word_embeddings": false,
  "hidden_act": "silu",
  "torch_dtype": "bfloat16"
}
)";

struct Options
{
    std::uint64_t windows = 8;
    std::uint64_t seqLen = 256;
    std::uint64_t outputTokens = 256;
    std::vector<std::string> formats = {"NVFP4",       "NVFP4A16", "MXFP4", "MXFP8",
                                        "FP8_DYNAMIC", "W4A16",    "W8A16"};
    int threads = 0;
    std::string modelDir = "/tmp/pq-bench-probe";
    double matmulSeconds = 0.5;
    std::int64_t matmulTokens = 0;  ///< 0 = seqLen
    bool matmulOnly = false;
    bool verbose = false;
    bool mallocTrim = false;
    bool dropMapped = false;
};

[[noreturn]] void die(const std::string &message)
{
    bench::die("bench_probe", message);
}

std::vector<std::string> splitList(const std::string &s)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty() && item != "none") {
            out.push_back(item);
        }
    }
    return out;
}

Options parseArgs(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                die(a + " needs a value");
            }
            return argv[++i];
        };
        if (a == "--windows") {
            o.windows = std::stoull(value());
        } else if (a == "--seq-len") {
            o.seqLen = std::stoull(value());
        } else if (a == "--formats") {
            o.formats = splitList(value());
        } else if (a == "--output-tokens") {
            o.outputTokens = std::stoull(value());
        } else if (a == "--threads") {
            o.threads = std::stoi(value());
        } else if (a == "--model-dir") {
            o.modelDir = value();
        } else if (a == "--matmul-seconds") {
            o.matmulSeconds = std::stod(value());
        } else if (a == "--matmul-tokens") {
            o.matmulTokens = std::stoll(value());
        } else if (a == "--matmul-only") {
            o.matmulOnly = true;
        } else if (a == "--verbose") {
            o.verbose = true;
        } else if (a == "--malloc-trim") {
            o.mallocTrim = true;
        } else if (a == "--drop-mapped") {
            o.dropMapped = true;
        } else {
            die("unknown argument " + a + " (see the comment at the top of bench_probe.cpp)");
        }
    }
    if (o.windows == 0 || o.seqLen < 2) {
        die("--windows must be ≥ 1 and --seq-len ≥ 2");
    }
    return o;
}

/** Writes the synthetic checkpoint unless `dir` already holds one for MODEL_CONFIG. */
void ensureModel(const std::string &dir)
{
    bench::ensureSyntheticModel("bench_probe", dir, MODEL_CONFIG, MODEL_MARKER,
                                10'000'000'000ULL);  // one file
}

core::data::CalibrationSet randomCalibration(const Options &o, std::int64_t vocab)
{
    core::data::CalibrationSet set;
    set.settings.samples = o.windows;
    set.settings.seqLen = o.seqLen;
    set.settings.heldOutSamples = 0;
    std::mt19937_64 rng(0);
    std::uniform_int_distribution<std::int32_t> id(0, static_cast<std::int32_t>(vocab - 1));
    for (std::uint64_t w = 0; w < o.windows; ++w) {
        core::data::TokenWindow window;
        window.streamOffset = w * o.seqLen;
        for (std::uint64_t t = 0; t < o.seqLen; ++t) {
            window.ids.push_back(id(rng));
        }
        set.calibration.push_back(std::move(window));
    }
    set.streamTokens = o.windows * o.seqLen;
    set.windowsAvailable = o.windows;
    return set;
}

/** Memory of the process: /proc/self/status and the allocator's own figures. Bytes. */
struct Sample
{
    double vmRss = 0, rssAnon = 0, rssFile = 0;
    double heapLive = 0;  ///< malloc: bytes handed out and not freed
    double heapHeld = 0;  ///< malloc: bytes it holds from the OS, free lists included
    double vmRssAt = 0;   ///< seconds after start() when VmRSS peaked (peaks only)
};

Sample sampleNow()
{
    const bench::MemorySample m = bench::readMemory();
    const probe::HeapStats h = probe::heapStats();
    return {m.vmRss,
            m.rssAnon,
            m.rssFile,
            static_cast<double>(h.allocated),
            static_cast<double>(h.held),
            0.0};
}

/** bench::PeakSampler plus the allocator's peaks, read every 100 ms (the reading takes locks). */
class RssSampler
{
public:
    RssSampler()
        : m_sampler([this](std::uint64_t tick) {
            if (tick % 10 == 0) {
                const probe::HeapStats h = probe::heapStats();
                m_heapLive = std::max(m_heapLive, static_cast<double>(h.allocated));
                m_heapHeld = std::max(m_heapHeld, static_cast<double>(h.held));
            }
        })
    {}

    void start() { m_sampler.start(); }

    Sample stop()
    {
        const bench::PeakSampler::Peak p = m_sampler.stop();
        return {p.memory.vmRss, p.memory.rssAnon, p.memory.rssFile,
                m_heapLive,     m_heapHeld,       p.vmRssAt};
    }

private:
    double m_heapLive = 0;  ///< written by the sampling thread only, read after stop()
    double m_heapHeld = 0;
    bench::PeakSampler m_sampler;  ///< last: its thread uses the fields above
};

struct Stamp
{
    double wall = 0.0;
    double cpu = 0.0;
};

/** Measures from construction. */
class StopWatch
{
public:
    Stamp now() const
    {
        return {std::chrono::duration<double>(Clock::now() - m_wall).count(), cpuSeconds() - m_cpu};
    }

private:
    Clock::time_point m_wall = Clock::now();
    double m_cpu = cpuSeconds();
};

/** A progress report and when it came. */
struct Report
{
    std::string stage;
    std::uint64_t done = 0;
    Stamp at;
};

/** The probe's float32 matmul FLOPs, per part (see the "probe FLOPs" output). */
struct ProbeFlops
{
    double forward = 0, recompute = 0, inputGrad = 0, fisher = 0, head = 0, attention = 0,
           outputCost = 0;

    double total() const
    {
        return forward + recompute + inputGrad + fisher + head + attention + outputCost;
    }
};

struct Model
{
    core::ModelConfig config;
    double totalParams = 0;
    double layerParams = 0;  ///< Linear weights of one decoder layer
    double headParams = 0;
};

Model describeModel(const std::string &dir)
{
    auto cfg = core::parseModelConfig(MODEL_CONFIG);
    auto cp = core::Checkpoint::open(dir);
    if (!cfg || !cp) {
        die(!cfg ? cfg.error().message() : cp.error().message());
    }
    Model m;
    m.config = *cfg;
    for (const auto &e : cp->tensors()) {
        m.totalParams += static_cast<double>(e.info->numel().value_or(0));
    }
    // one weight per (k, n) of each forward matmul: count = Linears of that shape in the model
    for (const probe::MatmulShape &s : probe::probeMatmulShapes(m.config, 1)) {
        if (s.layout == probe::MatmulLayout::Nt) {
            const double p = static_cast<double>(s.k * s.n) * static_cast<double>(s.count);
            (s.label == "lm_head fwd" ? m.headParams : m.layerParams) += p;
        }
    }
    m.layerParams /= static_cast<double>(m.config.numLayers);
    return m;
}

ProbeFlops probeFlops(const Model &m, const Options &o, std::size_t formats)
{
    const auto layers = static_cast<double>(m.config.numLayers);
    const auto tokens = static_cast<double>(o.windows * o.seqLen);
    const auto t = static_cast<double>(o.seqLen);
    const auto width = static_cast<double>(m.config.numHeads * m.config.headDim);
    const std::uint64_t total = o.windows * o.seqLen;
    const std::uint64_t stride =
            std::max<std::uint64_t>(1, total / std::max<std::uint64_t>(1, o.outputTokens));
    // the probe keeps rows 0, stride, 2·stride, ... of every window
    const std::uint64_t rowsPerWindow = (o.seqLen + stride - 1) / stride;
    const auto subsample = static_cast<double>(o.windows * rowsPerWindow);
    ProbeFlops f;
    f.forward = 2 * m.layerParams * layers * tokens;
    f.recompute = f.forward;
    f.inputGrad = f.forward;             // weights do not require grad: no weight-gradient matmul
    f.fisher = f.forward;                // δ²ᵀx², one per Linear per window
    f.head = 4 * m.headParams * tokens;  // logits and ∂L/∂h (the head is not recomputed)
    // QKᵀ and P·V, 2·T²·width each, in the forward and the recompute, and twice that backward
    f.attention = 16 * t * t * width * layers * static_cast<double>(o.windows);
    // C_y: x·Wᵀ once per Linear, then A_f(x)·Q_f(W)ᵀ per format, on the subsample
    f.outputCost = 2 * m.layerParams * layers * subsample * (1 + static_cast<double>(formats));
    return f;
}

std::vector<core::quant::FormatId> parseFormats(const std::vector<std::string> &names)
{
    std::vector<core::quant::FormatId> ids;
    for (const std::string &n : names) {
        const auto id = core::quant::parseFormatName(n);
        if (!id) {
            die("unknown format " + n);
        }
        ids.push_back(*id);
    }
    return ids;
}

/** madvise(MADV_DONTNEED) on every mapping of a file in `dir` ending in .safetensors. */
void dropMappedCheckpoint(const std::string &dir)
{
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
        const std::size_t path = line.find(dir);
        if (path == std::string::npos || !line.ends_with(".safetensors")) {
            continue;
        }
        std::uintptr_t begin = 0;
        std::uintptr_t end = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx", &begin, &end) == 2 && end > begin) {
            // NOLINTNEXTLINE(performance-no-int-to-ptr): an address read from /proc/self/maps
            madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
        }
    }
}

struct ProbeRun
{
    Stamp total;
    int threads = 0;
    std::vector<Report> reports;
    Sample before;
    Sample peak;
    double maxRss = 0;  ///< ru_maxrss in bytes
    double meanLoss = 0;
    std::size_t linears = 0;
};

ProbeRun runProbe(const Options &o, const Model &m)
{
    core::quant::BackendRegistry registry;
    kernels::registerBackends(registry);
    probe::ProbeSettings settings;
    settings.formats = parseFormats(o.formats);
    settings.outputTokens = o.outputTokens;
    settings.runtime.threads = o.threads;
    const core::data::CalibrationSet set = randomCalibration(o, m.config.vocabSize);
    ProbeRun run;
    run.threads = o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
    const StopWatch watch;
    const core::JobContext ctx(
            [&](std::string_view stage, std::uint64_t done, std::uint64_t total) {
                run.reports.push_back({std::string(stage), done, watch.now()});
                if (o.mallocTrim) {
                    probe::releaseFreedMemory();
                }
                if (o.dropMapped) {
                    dropMappedCheckpoint(o.modelDir);
                }
                if (o.verbose) {
                    const Sample mem = sampleNow();
                    fmt::print(stderr,
                               "  {:8} {:2}/{} at {:6.1f} s wall, {:6.1f} s CPU; RssAnon {:4.0f} "
                               "MB, RssFile {:4.0f} MB, malloc in use {:4.0f} MB, held {:4.0f} "
                               "MB\n",
                               stage, done, total, run.reports.back().at.wall,
                               run.reports.back().at.cpu, mem.rssAnon / 1e6, mem.rssFile / 1e6,
                               mem.heapLive / 1e6, mem.heapHeld / 1e6);
                }
            });
    RssSampler sampler;
    run.before = sampleNow();
    sampler.start();
    auto report = probe::runProbe(o.modelDir, set, settings, registry.preferred(), ctx);
    run.total = watch.now();
    run.peak = sampler.stop();
    if (!report) {
        die(report.error().message());
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const long maxRssKib = usage.ru_maxrss;  // NOLINT(cppcoreguidelines-pro-type-union-access)
    run.maxRss = static_cast<double>(maxRssKib) * 1024.0;
    run.meanLoss = report->meanLoss;
    run.linears = report->linears.size();
    return run;
}

probe::MatmulBenchmark measureRate(const Options &o, const Model &m)
{
    const std::int64_t tokens =
            o.matmulTokens > 0 ? o.matmulTokens : static_cast<std::int64_t>(o.seqLen);
    const std::vector<probe::MatmulShape> shapes = probe::probeMatmulShapes(m.config, tokens);
    auto rate = probe::measureMatmuls(shapes, o.threads, o.matmulSeconds);
    if (!rate) {
        die(rate.error().message());
    }
    fmt::print("float32 matmul rate at m = {} tokens, {} threads (libtorch):\n", tokens,
               rate->threads);
    fmt::print("  {:14} {:>6} {:>6} {:>6} {:>6} {:>8} {:>9}\n", "shape", "layout", "m", "k", "n",
               "ms", "GFLOP/s");
    for (const probe::MatmulRate &r : rate->rates) {
        fmt::print("  {:14} {:>6} {:>6} {:>6} {:>6} {:>8.3f} {:>9.1f}\n", r.shape.label,
                   probe::layoutName(r.shape.layout), r.shape.m, r.shape.k, r.shape.n,
                   r.secondsPerCall * 1e3, r.gflops);
    }
    fmt::print("  count-weighted mix (6·P·T): {:.1f} GFLOP/s\n", rate->gflops);
    return *rate;
}

/** Runs `bench_probe --matmul-only` with the same settings, echoes its report and returns its
 *  count-weighted GFLOP/s. */
double measureRateInChild(const Options &o)
{
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    std::string cmd = fmt::format("'{}' --matmul-only --model-dir '{}' --matmul-seconds {} "
                                  "--seq-len {}",
                                  self, o.modelDir, o.matmulSeconds, o.seqLen);
    if (o.threads > 0) {
        cmd += fmt::format(" --threads {}", o.threads);
    }
    if (o.matmulTokens > 0) {
        cmd += fmt::format(" --matmul-tokens {}", o.matmulTokens);
    }
    FILE *child = popen(cmd.c_str(), "r");
    if (child == nullptr) {
        die("cannot start " + cmd);
    }
    constexpr std::string_view MIX = "count-weighted mix (6·P·T): ";
    double gflops = 0;
    std::array<char, 512> line{};
    while (std::fgets(line.data(), line.size(), child) != nullptr) {
        const std::string_view l(line.data());
        if (l.starts_with("float32 matmul rate")) {
            fmt::print("before the probe (child process): ");
        }
        if (!l.starts_with("model:") && !l.starts_with("params:")) {
            fmt::print("{}", l);
        }
        if (const auto at = l.find(MIX); at != std::string_view::npos) {
            gflops = std::strtod(std::string(l.substr(at + MIX.size())).c_str(), nullptr);
        }
    }
    if (pclose(child) != 0 || gflops <= 0) {
        die("the matmul measurement before the probe failed: " + cmd);
    }
    return gflops;
}

void printPhase(const char *name, Stamp from, Stamp to, int threads)
{
    const double wall = to.wall - from.wall;
    const double cpu = to.cpu - from.cpu;
    fmt::print("  {:34} {:8.1f} {:8.1f} {:6.0f} %\n", name, wall, cpu,
               wall > 0 ? 100 * cpu / (wall * threads) : 0.0);
}

/** Wall and CPU time per phase, from the progress reports. */
void printPhases(const ProbeRun &run)
{
    Stamp forwardEnd;
    Stamp firstBackward;
    Stamp backwardEnd;
    std::vector<double> layerWall;
    for (const Report &r : run.reports) {
        if (r.stage == "forward") {
            forwardEnd = r.at;
        } else if (r.stage == "backward") {
            if (r.done > 1) {
                layerWall.push_back(r.at.wall - backwardEnd.wall);
            } else {
                firstBackward = r.at;
            }
            backwardEnd = r.at;
        }
    }
    fmt::print("phases (from progress reports): {:>8} {:>8} {:>8}\n", "wall s", "CPU s", "CPU use");
    printPhase("open + embedding + forward", {}, forwardEnd, run.threads);
    printPhase("loss + head + last layer backward", forwardEnd, firstBackward, run.threads);
    printPhase("other layers backward + costs", firstBackward, backwardEnd, run.threads);
    printPhase("after the walk", backwardEnd, run.total, run.threads);
    printPhase("probe", {}, run.total, run.threads);
    if (!layerWall.empty()) {
        std::sort(layerWall.begin(), layerWall.end());
        fmt::print("  one layer backward + costs: fastest {:.2f} s, median {:.2f} s, slowest "
                   "{:.2f} s\n",
                   layerWall.front(), layerWall[layerWall.size() / 2], layerWall.back());
    }
}

void printFlops(const ProbeFlops &f, double sixPT, double seconds)
{
    fmt::print("matmul FLOPs the probe does (model, TFLOP):\n");
    const std::pair<const char *, double> parts[] = {
            {"forward (no grad)", f.forward},       {"recompute with grad", f.recompute},
            {"input gradients", f.inputGrad},       {"Fisher δ²ᵀx²", f.fisher},
            {"lm_head (logits + ∂L/∂h)", f.head},   {"attention QKᵀ, PV", f.attention},
            {"output-space cost C_y", f.outputCost}};
    for (const auto &[name, v] : parts) {
        fmt::print("  {:28} {:7.3f}\n", name, v / 1e12);
    }
    fmt::print("  {:28} {:7.3f}  = {:.2f} × 6·P·T ({:.3f}); achieved {:.1f} GFLOP/s\n", "total",
               f.total() / 1e12, f.total() / sixPT, sixPT / 1e12, f.total() / seconds / 1e9);
}

void printMemory(const ProbeRun &run, const Model &m, const Options &o)
{
    const double layerBytes = m.layerParams * 4;
    const double boundaries = static_cast<double>(m.config.numLayers + 1) *
                              static_cast<double>(o.windows * o.seqLen) *
                              static_cast<double>(m.config.hiddenSize) * 4;
    const double budget = 2 * layerBytes + boundaries + RSS_SLACK_BYTES;
    const auto mb = [](double b) { return b / 1e6; };
    fmt::print("memory (MB = 10^6 bytes):\n");
    fmt::print("  before the probe: VmRSS {:.0f} (anon {:.0f}, file {:.0f})\n",
               mb(run.before.vmRss), mb(run.before.rssAnon), mb(run.before.rssFile));
    fmt::print("  peak during the probe (10 ms samples): VmRSS {:.0f} (at {:.1f} s), RssAnon "
               "{:.0f}, RssFile {:.0f}\n",
               mb(run.peak.vmRss), run.peak.vmRssAt, mb(run.peak.rssAnon), mb(run.peak.rssFile));
    fmt::print("  peak allocator bytes in use {:.0f}, held {:.0f} ({}, 100 ms)\n",
               mb(run.peak.heapLive), mb(run.peak.heapHeld), probe::heapAllocatorName());
    fmt::print("  peak RSS (getrusage ru_maxrss): {:.0f}\n", mb(run.maxRss));
    fmt::print("  budget: 2 × layer {:.0f} + boundaries {:.0f} + 300 = {:.0f}\n", mb(layerBytes),
               mb(boundaries), mb(budget));
    fmt::print("  TARGET peak RSS ≤ budget: {} ({:.0f} vs {:.0f}; anonymous peak alone: {:.0f}, "
               "{})\n",
               run.maxRss <= budget ? "MET" : "NOT MET", mb(run.maxRss), mb(budget),
               mb(run.peak.rssAnon), run.peak.rssAnon <= budget ? "within" : "over");
}

int runBench(const Options &o)
{
    ensureModel(o.modelDir);
    const Model m = describeModel(o.modelDir);
    fmt::print("model: {} layers, hidden {}, intermediate {}, heads {}/{}, vocab {}, BF16 at {}\n",
               m.config.numLayers, m.config.hiddenSize, m.config.intermediateSize,
               m.config.numHeads, m.config.numKvHeads, m.config.vocabSize, o.modelDir);
    const double p = m.layerParams * static_cast<double>(m.config.numLayers) + m.headParams;
    fmt::print("params: {:.1f} M in all; P = {:.1f} M multiply activations ({:.2f} M per layer + "
               "{:.1f} M lm_head)\n",
               m.totalParams / 1e6, p / 1e6, m.layerParams / 1e6, m.headParams / 1e6);
    if (o.matmulOnly) {
        measureRate(o, m);
        return 0;
    }
    const auto tokens = static_cast<double>(o.windows * o.seqLen);
    const char *wait = std::getenv("OMP_WAIT_POLICY");
    fmt::print("OMP_WAIT_POLICY={} (libgomp spins at barriers unless it is PASSIVE){}{}; "
               "malloc: {}\n",
               wait != nullptr ? wait : "(unset)", o.mallocTrim ? "; --malloc-trim" : "",
               o.dropMapped ? "; --drop-mapped" : "", probe::heapAllocatorName());
    // The machine's matmul rate drifts by ±10 % between minutes on a shared VM: measure it on
    // both sides of the probe and hold the probe to the faster of the two (the stricter limit).
    // The first measurement runs in a child process so that its buffers and the library pages it
    // touches do not count in this process's peak RSS.
    const double rateBefore = measureRateInChild(o);
    fmt::print("probe: {} windows × {} random token ids = {:.0f} tokens, {} formats, {} "
               "output-space tokens; load average before: {:.2f}\n",
               o.windows, o.seqLen, tokens, o.formats.size(), o.outputTokens, loadAverage());
    const ProbeRun run = runProbe(o, m);
    fmt::print("probe: {} Linears, mean loss {:.4f}, {:.1f} s, load average after: {:.2f}\n",
               run.linears, run.meanLoss, run.total.wall, loadAverage());
    printPhases(run);
    fmt::print("after the probe: ");
    const double rateAfter = measureRate(o, m).gflops;
    const double gflops = std::max(rateBefore, rateAfter);
    fmt::print(
            "matmul rate: {:.1f} GFLOP/s before the probe, {:.1f} after; the limit uses {:.1f}\n",
            rateBefore, rateAfter, gflops);
    printFlops(probeFlops(m, o, o.formats.size()), 6 * p * tokens, run.total.wall);
    const double limit = gflops * 1e9 / (6 * p);
    fmt::print("throughput: {:.1f} tokens/s; FLOP-bound limit {:.1f} GFLOP/s / (6 × {:.1f} M) = "
               "{:.1f} tokens/s\n",
               tokens / run.total.wall, gflops, p / 1e6, limit);
    fmt::print("  TARGET ≥ 50 % of the limit: {} ({:.1f} %)\n",
               tokens / run.total.wall >= 0.5 * limit ? "MET" : "NOT MET",
               100 * tokens / run.total.wall / limit);
    printMemory(run, m, o);
    return 0;
}

}  // namespace

int main(int argc, char **argv)
{
    try {
        return runBench(parseArgs(argc, argv));
    } catch (const std::exception &e) {  // std::stoull on a bad number, filesystem errors
        fmt::print(stderr, "bench_probe: {}\n", e.what());
        return 1;
    }
}
