// SPDX-License-Identifier: MIT
// bench_export: the compressed-tensors exporter (core/export/exporter.h) on a ≥ 2 GB synthetic
// Llama with a mixed recipe, beside a plain read of the same checkpoint and the quantizers alone,
// in the same run (issue: "Benchmark (bench/export)").
//
//   bench_export [--model-dir DIR] [--out-dir DIR] [--keep-output] [--no-cold] [--no-reference]
//                [--verbose] [--export-only]
//   defaults: /tmp/pq-bench-export, /tmp/pq-bench-export-out (removed after each export)
//
// Model: hidden 2048, intermediate 5632, 22 layers, 32 heads / 4 KV heads, vocab 32000, untied
// head, BF16 (TinyLlama-1.1B's shapes, 1.1 B parameters, 2.2 GB) in 1 GB shards; written once
// with writeSyntheticCheckpoint (seed 0, N(0, 0.02²) weights) and reused while its config.json
// matches. Recipe: fused group g (in inventory order: per layer qkv, o, gate/up, down) takes
// NVFP4, MXFP8, W4A16, NVFP4A16, FP8_DYNAMIC, BF16 in turn (g mod 6), BF16 where the shape does
// not fit; every Linear gets a synthetic calibrated input max |x| (NVFP4 W4A4 needs one).
// Backend: the fast CPU backend the CLI uses (kernels::registerBackends → preferred()).
//
// Passes, in this order (the exports first, so that getrusage's ru_maxrss after them is theirs):
//  1. export, cold: the source's pages evicted (fdatasync + posix_fadvise(DONTNEED) on each
//     shard; /proc/sys/vm/drop_caches is not used: other people's benchmarks share the machine),
//     exportCheckpoint(--force) into the output folder. The backend is wrapped to time every
//     encode() call; progress reports (one per output Linear or kept tensor) split the rest.
//  2. export, warm: the same with the source in the page cache.
//  3. plain read, cold then warm: Checkpoint::open + view() of every tensor in on-disk order,
//     summing its bytes as uint64 words (bench_read's kernel), pages released after each tensor.
//  4. quantizers alone (warm): sharedScales() (the NVFP4 global-scale pass), then encode() of
//     every quantized Linear with the export's options, pages touched first, output discarded.
//  5. write floor, twice: the export's output byte count written with pwrite(2) from a 64 MB
//     buffer into one fallocate()d file beside the output folder, then fsync — what writing the
//     bytes costs by itself (the first round after idle seconds is the slow one on this VM).
//  6. reference backend: encode() of one 2048×2048 weight per format, reference against fast.
// Memory: RssAnon / RssFile / VmRSS peaks from /proc/self/status every 10 ms during each export,
// ru_maxrss after the exports, and the budget = the largest tensor group (a kept tensor, or a
// fused group's source bytes plus its encoded tensors) + one shard buffer (0: the writer
// pwrite()s each tensor in place and holds no buffer) + 300 MB. GB = 10⁹ bytes; MB = 10⁶ bytes.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench_support.h"
#include "core/export/export_plan.h"
#include "core/export/exporter.h"
#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/model/synthetic_checkpoint.h"
#include "core/quant/backend_registry.h"
#include "core/quant/format_spec.h"
#include "core/util/parallel.h"
#include "kernels/cpu/register.h"

using namespace pq;
namespace fs = std::filesystem;
using core::quant::FormatId;

namespace {

using bench::Clock;
using bench::cpuSeconds;
using bench::loadAverage;
using bench::maxRssBytes;
using bench::MemorySample;
using bench::PeakSampler;
using bench::readMemory;
using bench::secondsSince;

constexpr double GB = 1e9;
constexpr double MB = 1e6;
constexpr double RSS_SLACK_BYTES = 300e6;
constexpr std::uint64_t SOURCE_SHARD_BYTES = 1'000'000'000ULL;
constexpr std::size_t WRITE_BUFFER_BYTES = 64ULL << 20U;

/** The file that marks a model folder as this program's to overwrite. */
constexpr const char *MODEL_MARKER = "BENCH_EXPORT_SYNTHETIC";

constexpr const char *MODEL_CONFIG = R"({
  "architectures": ["LlamaForCausalLM"],
  "model_type": "llama",
  "hidden_size": 2048,
  "intermediate_size": 5632,
  "num_hidden_layers": 22,
  "num_attention_heads": 32,
  "num_key_value_heads": 4,
  "vocab_size": 32000,
  "max_position_embeddings": 2048,
  "rms_norm_eps": 1e-05,
  "rope_theta": 10000.0,
  "tie_word_embeddings": false,
  "hidden_act": "silu",
  "torch_dtype": "bfloat16"
}
)";

/** The formats fused groups take in turn. */
constexpr FormatId RECIPE_CYCLE[] = {FormatId::NVFP4,    FormatId::MXFP8,      FormatId::W4A16,
                                     FormatId::NVFP4A16, FormatId::FP8Dynamic, FormatId::BF16};

struct Options
{
    std::string modelDir = "/tmp/pq-bench-export";
    std::string outDir = "/tmp/pq-bench-export-out";
    bool keepOutput = false;
    bool cold = true;
    bool reference = true;
    bool verbose = false;
    bool exportOnly = false;
};

[[noreturn]] void die(const std::string &message)
{
    bench::die("bench_export", message);
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
        if (a == "--model-dir") {
            o.modelDir = value();
        } else if (a == "--out-dir") {
            o.outDir = value();
        } else if (a == "--keep-output") {
            o.keepOutput = true;
        } else if (a == "--no-cold") {
            o.cold = false;
        } else if (a == "--no-reference") {
            o.reference = false;
        } else if (a == "--verbose") {
            o.verbose = true;
        } else if (a == "--export-only") {
            o.exportOnly = true;
        } else {
            die("unknown argument " + a + " (see the comment at the top of bench_export.cpp)");
        }
    }
    return o;
}

/** Writes the synthetic checkpoint unless `dir` already holds one for MODEL_CONFIG. */
void ensureModel(const std::string &dir)
{
    bench::ensureSyntheticModel("bench_export", dir, MODEL_CONFIG, MODEL_MARKER,
                                SOURCE_SHARD_BYTES);
}

// ---- page cache ------------------------------------------------------------------------------

std::vector<std::string> shardPaths(const std::string &dir)
{
    auto cp = core::Checkpoint::open(dir);
    if (!cp) {
        die(cp.error().message());
    }
    std::vector<std::string> paths;
    for (const core::SafetensorsFile &s : cp->shards()) {
        paths.push_back(s.path());
    }
    return paths;
}

/** Flushes and evicts the files' pages from the page cache (pages mapped elsewhere stay). */
void evict(const std::vector<std::string> &paths)
{
    for (const std::string &p : paths) {
        const int fd = ::open(p.c_str(), O_RDONLY);
        if (fd < 0) {
            die("cannot open " + p);
        }
        ::fdatasync(fd);
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
    }
}

/** Share of the files' pages in the page cache (mincore). */
double residentShare(const std::vector<std::string> &paths)
{
    const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    std::uint64_t resident = 0;
    std::uint64_t pages = 0;
    for (const std::string &p : paths) {
        const int fd = ::open(p.c_str(), O_RDONLY);

        struct stat st
        {};

        if (fd < 0 || ::fstat(fd, &st) != 0 || st.st_size == 0) {
            die("cannot stat " + p);
        }
        const auto size = static_cast<std::uint64_t>(st.st_size);
        void *m = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
        ::close(fd);
        if (m == MAP_FAILED) {
            die("cannot map " + p);
        }
        std::vector<unsigned char> vec((size + page - 1) / page);
        ::mincore(m, size, vec.data());
        for (const unsigned char v : vec) {
            resident += v & 1U;
        }
        pages += vec.size();
        ::munmap(m, size);
    }
    return pages == 0 ? 0.0 : static_cast<double>(resident) / static_cast<double>(pages);
}

/** bench_read's kernel: a sum of uint64 words (plus the tail bytes). */
std::uint64_t sumWords(std::span<const std::byte> bytes)
{
    const std::size_t words = bytes.size() / 8;
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < words; ++i) {
        std::uint64_t w = 0;
        std::memcpy(&w, bytes.data() + i * 8, 8);
        sum += w;
    }
    for (std::size_t i = words * 8; i < bytes.size(); ++i) {
        sum += std::to_integer<std::uint64_t>(bytes[i]);
    }
    return sum;
}

// ---- the recipe ------------------------------------------------------------------------------

struct Recipe
{
    core::ct::FormatMap formats;
    std::map<std::string, float> inputAmax;
    std::string summary;
};

Recipe mixedRecipe(const core::ModelInventory &inv)
{
    Recipe r;
    r.formats = core::ct::uniformFormats(inv, FormatId::BF16);
    for (std::size_t g = 0; g < inv.groups.size(); ++g) {
        const FormatId id = RECIPE_CYCLE[g % std::size(RECIPE_CYCLE)];
        const auto &members = inv.groups[g].linears;
        const bool fits = std::all_of(members.begin(), members.end(), [&](std::size_t i) {
            const core::LinearInfo &l = inv.linears[i];
            return static_cast<bool>(core::quant::checkShape(id, l.outFeatures, l.inFeatures));
        });
        for (const std::size_t i : members) {
            r.formats[inv.linears[i].name] = fits ? id : FormatId::BF16;
        }
    }
    // a plausible calibrated max |x|: 2 .. 9.5, varying with the layer and the role
    for (const core::LinearInfo &l : inv.linears) {
        r.inputAmax[l.name] = 2.0F + 0.25F * static_cast<float>((l.layer * 7 + l.group) % 31);
    }
    std::map<std::string, std::size_t> count;
    for (const auto &[name, id] : r.formats) {
        ++count[std::string(core::quant::formatInfo(id).name)];
    }
    r.summary = "bench_export mixed recipe:";
    for (const auto &[name, n] : count) {
        r.summary += fmt::format(" {} {}", n, name);
    }
    return r;
}

std::string formatName(FormatId id)
{
    return std::string(core::quant::formatInfo(id).name);
}

// ---- a backend that times encode() -----------------------------------------------------------

struct EncodeStats
{
    double seconds = 0;
    double sourceBytes = 0;
    double outBytes = 0;
    std::size_t linears = 0;
};

/** Forwards to `inner`, timing every encode() by format. */
class TimedBackend final : public core::quant::QuantBackend
{
public:
    explicit TimedBackend(core::quant::QuantBackend &inner)
        : m_inner(inner)
    {}

    std::string_view name() const override { return m_inner.name(); }

    bool supports(FormatId id) const override { return m_inner.supports(id); }

    core::Result<core::quant::EncodedWeight> encode(FormatId id,
                                                    const core::quant::WeightView &w,
                                                    const core::quant::QuantOptions &o) override
    {
        const Clock::time_point t0 = Clock::now();
        auto e = m_inner.encode(id, w, o);
        const double dt = secondsSince(t0);
        m_total += dt;
        EncodeStats &s = m_stats[id];
        s.seconds += dt;
        s.sourceBytes += static_cast<double>(w.rows * w.cols * core::dtypeBits(w.dtype) / 8);
        if (e) {
            for (const core::quant::StoredTensor &t : e->tensors) {
                s.outBytes += static_cast<double>(t.bytes.size());
            }
        }
        ++s.linears;
        return e;
    }

    core::Status decode(const core::quant::EncodedWeight &e, std::span<float> out) override
    {
        return m_inner.decode(e, out);
    }

    core::Status fakeQuant(FormatId id,
                           const core::quant::WeightView &w,
                           const core::quant::QuantOptions &o,
                           std::span<float> out) override
    {
        return m_inner.fakeQuant(id, w, o, out);
    }

    core::Result<std::vector<core::quant::ErrorMetrics>>
    measure(std::span<const FormatId> ids,
            const core::quant::WeightView &w,
            std::span<const float> fisher,
            const core::quant::QuantOptions &o) override
    {
        return m_inner.measure(ids, w, fisher, o);
    }

    core::Status quantizeActivations(core::quant::ActivationQuant a,
                                     std::span<float> rows,
                                     std::uint64_t rowLen,
                                     float inputAmax) override
    {
        return m_inner.quantizeActivations(a, rows, rowLen, inputAmax);
    }

    /** Seconds spent in encode() so far. */
    double total() const { return m_total; }

    const std::map<FormatId, EncodeStats> &stats() const { return m_stats; }

private:
    core::quant::QuantBackend &m_inner;
    double m_total = 0;
    std::map<FormatId, EncodeStats> m_stats;
};

// ---- the model as the exporter sees it -------------------------------------------------------

struct Model
{
    core::ModelInventory inv;
    Recipe recipe;
    std::vector<core::ct::OutputTensor> plan;
    std::vector<std::string> shards;
    double sourceBytes = 0;
    double outputBytes = 0;
    double largestGroup = 0;  ///< the RSS budget's "largest tensor group"
    std::string largestGroupName;
    double largestEncoded = 0;  ///< the largest encoded Linear's tensors
};

/** Bytes of the tensors a Linear's format writes; 0 for BF16, which is written from the map. */
double encodedBytes(const core::LinearInfo &l, FormatId id)
{
    if (id == FormatId::BF16) {
        return 0;
    }
    return static_cast<double>(
            core::quant::formatBytes(id, l.outFeatures, l.inFeatures, l.sourceDtype));
}

Model describeModel(const std::string &dir)
{
    Model m;
    auto inv = core::inventoryModelDir(dir);
    if (!inv) {
        die(inv.error().message());
    }
    m.inv = std::move(*inv);
    m.recipe = mixedRecipe(m.inv);
    m.plan = core::ct::planOutputTensors(m.inv, m.recipe.formats);
    m.shards = shardPaths(dir);
    std::vector<bool> isLinearSource(m.inv.tensors.size(), false);
    for (const core::LinearInfo &l : m.inv.linears) {
        isLinearSource[l.source.tensor] = true;
    }
    for (std::size_t t = 0; t < m.inv.tensors.size(); ++t) {
        const auto bytes = static_cast<double>(m.inv.tensors[t].info.byteSize().value_or(0));
        m.sourceBytes += bytes;
        if (!isLinearSource[t] && bytes > m.largestGroup) {
            m.largestGroup = bytes;
            m.largestGroupName = m.inv.tensors[t].info.name + " (kept)";
        }
    }
    for (const core::ct::OutputTensor &t : m.plan) {
        m.outputBytes += static_cast<double>(t.info.byteSize().value_or(0));
    }
    for (const core::FusedGroup &g : m.inv.groups) {
        double bytes = 0;
        for (const std::size_t i : g.linears) {
            const core::LinearInfo &l = m.inv.linears[i];
            const double enc = encodedBytes(l, m.recipe.formats.at(l.name));
            bytes += static_cast<double>(l.sourceBytes()) + enc;
            m.largestEncoded = std::max(m.largestEncoded, enc);
        }
        if (bytes > m.largestGroup) {
            m.largestGroup = bytes;
            m.largestGroupName = g.vllmModule + " (fused group, source + encoded)";
        }
    }
    return m;
}

// ---- pass 1/2: the export --------------------------------------------------------------------

struct ProgressMark
{
    std::uint64_t done = 0;
    double at = 0;      ///< seconds since the export started
    double encode = 0;  ///< encode() seconds so far
    MemorySample rss;
};

/** Wall time and encode time of the export's tensor loop, by what was written. */
struct ClassTimes
{
    std::size_t items = 0;
    double sourceBytes = 0;
    double wall = 0;
    double encode = 0;
};

struct ExportRun
{
    bool cold = false;
    double resident = 0;
    double loadBefore = 0, loadAfter = 0;
    double wall = 0, cpu = 0;
    double scalesAt = 0;  ///< the "scales" report
    std::vector<ProgressMark> marks;
    double encodeTotal = 0;
    std::map<FormatId, EncodeStats> encode;
    MemorySample before, peak;
    MemorySample atScales;  ///< at the "scales" report, before the global-scale pass
    double maxRss = 0;
    core::ct::ExportResult result;
};

ExportRun runExport(const Options &o, const Model &m, core::quant::QuantBackend &backend, bool cold)
{
    ExportRun run;
    run.cold = cold;
    std::error_code ec;
    fs::remove_all(o.outDir, ec);
    if (cold) {
        evict(m.shards);
    }
    run.resident = residentShare(m.shards);
    run.loadBefore = loadAverage();
    TimedBackend timed(backend);
    const Clock::time_point t0 = Clock::now();
    const core::JobContext ctx([&](std::string_view stage, std::uint64_t done, std::uint64_t) {
        if (stage == "scales") {
            run.scalesAt = secondsSince(t0);
            run.atScales = readMemory();
        } else if (stage == "export") {
            run.marks.push_back({done, secondsSince(t0), timed.total(), readMemory()});
        }
    });
    core::ct::ExportRequest request;
    request.modelDir = o.modelDir;
    request.outDir = o.outDir;
    request.formats = m.recipe.formats;
    request.inputAmax = m.recipe.inputAmax;
    request.recipe = m.recipe.summary;
    request.toolVersion = "bench_export";
    request.force = true;
    PeakSampler sampler;
    run.before = readMemory();
    sampler.start();
    const double cpu0 = cpuSeconds();
    auto result = core::ct::exportCheckpoint(request, timed, ctx);
    run.wall = secondsSince(t0);
    run.cpu = cpuSeconds() - cpu0;
    run.peak = sampler.stop().memory;
    run.maxRss = maxRssBytes();
    run.loadAfter = loadAverage();
    if (!result) {
        die(result.error().message());
    }
    run.result = *result;
    run.encodeTotal = timed.total();
    run.encode = timed.stats();
    if (!o.keepOutput) {
        fs::remove_all(o.outDir, ec);
    }
    return run;
}

/** Attributes each progress interval to what it wrote: a kept tensor, or a Linear's format. */
std::map<std::string, ClassTimes> classify(const ExportRun &run, const Model &m)
{
    std::map<std::string, ClassTimes> out;
    for (std::size_t i = 1; i + 1 < run.marks.size(); ++i) {  // the last item: see printExport
        const ProgressMark &a = run.marks[i - 1];
        const ProgressMark &b = run.marks[i];
        const core::ct::OutputTensor &t = m.plan.at(a.done);
        std::string key = "kept tensors";
        double bytes =
                static_cast<double>(m.inv.tensors[t.sourceTensor].info.byteSize().value_or(0));
        if (t.linear) {
            const core::LinearInfo &l = m.inv.linears[*t.linear];
            key = "Linear " + formatName(m.recipe.formats.at(l.name));
            bytes = static_cast<double>(l.sourceBytes());
        }
        ClassTimes &c = out[key];
        ++c.items;
        c.sourceBytes += bytes;
        c.wall += b.at - a.at;
        c.encode += b.encode - a.encode;
    }
    return out;
}

// ---- pass 3: the plain read ------------------------------------------------------------------

struct ReadRun
{
    double resident = 0;
    double bytes = 0;
    double seconds = 0;
    double load = 0;
    std::uint64_t checksum = 0;
};

ReadRun plainRead(const Model &m, const std::string &dir, bool cold)
{
    ReadRun r;
    if (cold) {
        evict(m.shards);
    }
    r.resident = residentShare(m.shards);
    r.load = loadAverage();
    const Clock::time_point t0 = Clock::now();
    auto cp = core::Checkpoint::open(dir);
    if (!cp) {
        die(cp.error().message());
    }
    for (const core::SafetensorsFile &shard : cp->shards()) {
        for (std::size_t i = 0; i < shard.entries().size(); ++i) {  // ascending offsets
            const core::TensorView v = shard.view(i);
            r.checksum += sumWords(v.data);
            r.bytes += static_cast<double>(v.data.size());
            shard.releasePages(i);
        }
    }
    r.seconds = secondsSince(t0);
    return r;
}

// ---- pass 4: the quantizers alone ------------------------------------------------------------

struct QuantRun
{
    double scalesSeconds = 0;
    double encodeSeconds = 0;
    double load = 0;
    std::map<FormatId, EncodeStats> encode;
    std::uint64_t touchChecksum = 0;  ///< of the pre-touch, printed so that it is not optimised out
    double rssFileAfterScales = 0;    ///< the mapped pages sharedScales leaves behind
    double cpu = 0;                   ///< process CPU seconds of the whole pass
};

QuantRun quantizersAlone(const Model &m, const std::string &dir, core::quant::QuantBackend &backend)
{
    QuantRun q;
    q.load = loadAverage();
    auto cp = core::Checkpoint::open(dir);
    if (!cp) {
        die(cp.error().message());
    }
    const double cpu0 = cpuSeconds();
    Clock::time_point t0 = Clock::now();
    auto scales = core::ct::sharedScales(m.inv, *cp, m.recipe.formats, m.recipe.inputAmax);
    q.scalesSeconds = secondsSince(t0);
    if (!scales) {
        die(scales.error().message());
    }
    q.rssFileAfterScales = readMemory().rssFile;
    for (const core::Checkpoint::Entry &e : cp->tensors()) {
        cp->releasePages(e);  // what sharedScales left mapped
    }
    TimedBackend timed(backend);
    std::vector<std::byte> scratch;
    std::uint64_t sink = 0;
    for (const core::LinearInfo &l : m.inv.linears) {
        const FormatId id = m.recipe.formats.at(l.name);
        if (id == FormatId::BF16) {
            continue;
        }
        auto view = core::ct::linearWeightView(m.inv, *cp, l, scratch);
        if (!view) {
            die(view.error().message());
        }
        sink += sumWords(
                {view->data, view->rows * view->stride() * core::dtypeBits(view->dtype) / 8});
        core::quant::QuantOptions opts;
        if (const auto g = scales->weightAmax.find(l.name); g != scales->weightAmax.end()) {
            opts.globalAmax = g->second;
        }
        if (core::quant::formatInfo(id).activation == core::quant::ActivationQuant::Nvfp4) {
            opts.inputAmax = scales->inputAmax.at(l.name);
        }
        auto encoded = timed.encode(id, *view, opts);
        if (!encoded) {
            die(encoded.error().message());
        }
        cp->releasePages(*cp->find(m.inv.tensors[l.source.tensor].info.name));
    }
    q.encodeSeconds = timed.total();
    q.encode = timed.stats();
    q.touchChecksum = sink;
    q.cpu = cpuSeconds() - cpu0;
    return q;
}

// ---- pass 5: the write floor -----------------------------------------------------------------

struct WriteRun
{
    double bytes = 0;
    double writeSeconds = 0;
    double syncSeconds = 0;
    double load = 0;
};

WriteRun writeFloor(const Options &o, double bytes)
{
    WriteRun w;
    w.bytes = bytes;
    w.load = loadAverage();
    const fs::path path = fs::path(o.outDir).parent_path() / ".pq-bench-export-writefloor";
    std::vector<std::byte> buffer(WRITE_BUFFER_BYTES);
    for (std::size_t i = 0; i < buffer.size(); ++i) {
        buffer[i] = static_cast<std::byte>((i * 2654435761U) >> 24U);
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        die("cannot create " + path.string());
    }
    const auto total = static_cast<std::uint64_t>(bytes);
    ::posix_fallocate(fd, 0, static_cast<off_t>(total));  // as the writer reserves its shards
    const Clock::time_point t0 = Clock::now();
    for (std::uint64_t at = 0; at < total;) {
        const std::size_t n =
                static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), total - at));
        const ssize_t k = ::pwrite(fd, buffer.data(), n, static_cast<off_t>(at));
        if (k <= 0) {
            die("cannot write " + path.string());
        }
        at += static_cast<std::uint64_t>(k);
    }
    w.writeSeconds = secondsSince(t0);
    const Clock::time_point t1 = Clock::now();
    ::fsync(fd);
    w.syncSeconds = secondsSince(t1);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
    std::error_code ec;
    fs::remove(path, ec);
    return w;
}

// ---- pass 6: reference against fast ---------------------------------------------------------

struct BackendRate
{
    FormatId id;
    double fast = 0;       ///< seconds, best of 3
    double reference = 0;  ///< seconds, one call
};

std::vector<BackendRate> compareBackends(const Model &m,
                                         const std::string &dir,
                                         core::quant::QuantBackend &fast,
                                         core::quant::QuantBackend &reference,
                                         const core::LinearInfo **sample)
{
    auto cp = core::Checkpoint::open(dir);
    if (!cp) {
        die(cp.error().message());
    }
    const core::LinearInfo *pick = nullptr;
    for (const core::LinearInfo &l : m.inv.linears) {
        if (l.outFeatures == 2048 && l.inFeatures == 2048) {
            pick = &l;
            break;
        }
    }
    if (pick == nullptr) {
        die("no 2048×2048 Linear in the model");
    }
    *sample = pick;
    std::vector<std::byte> scratch;
    auto view = core::ct::linearWeightView(m.inv, *cp, *pick, scratch);
    if (!view) {
        die(view.error().message());
    }
    std::vector<BackendRate> out;
    for (const FormatId id : RECIPE_CYCLE) {
        if (id == FormatId::BF16) {
            continue;
        }
        core::quant::QuantOptions opts;
        opts.inputAmax = 4.0F;
        BackendRate r{id};
        r.fast = 1e30;
        for (int rep = 0; rep < 3; ++rep) {
            const Clock::time_point t0 = Clock::now();
            if (!fast.encode(id, *view, opts)) {
                die("fast encode failed");
            }
            r.fast = std::min(r.fast, secondsSince(t0));
        }
        const Clock::time_point t0 = Clock::now();
        if (!reference.encode(id, *view, opts)) {
            die("reference encode failed");
        }
        r.reference = secondsSince(t0);
        out.push_back(r);
    }
    return out;
}

// ---- the report ------------------------------------------------------------------------------

/** What the output tensors [a.done, b.done) came from. */
std::string intervalName(const Model &m, std::uint64_t first)
{
    const core::ct::OutputTensor &t = m.plan.at(first);
    if (!t.linear) {
        return t.info.name;
    }
    const core::LinearInfo &l = m.inv.linears[*t.linear];
    return l.name + " " + formatName(m.recipe.formats.at(l.name));
}

void printExport(const ExportRun &run, const Model &m, bool verbose)
{
    // The writer commits (fsyncs) a shard inside the writeTensor() of its last tensor: with one
    // output shard that is the plan's last tensor, so the last item is shown on its own.
    const std::size_t n = run.marks.size();
    const double loop0 = n == 0 ? run.wall : run.marks.front().at;
    const double loop1 = n < 2 ? loop0 : run.marks[n - 2].at;
    const double end = n == 0 ? run.wall : run.marks.back().at;
    const double lastEncode = n < 2 ? 0 : run.marks[n - 1].encode - run.marks[n - 2].encode;
    fmt::print("export, {} source ({:.0f} % of its pages cached before), load {:.2f} → {:.2f}:\n",
               run.cold ? "cold" : "warm", 100 * run.resident, run.loadBefore, run.loadAfter);
    fmt::print("  {:.2f} s wall, {:.2f} s CPU ({:.0f} % of {} threads): {:.3f} GB/s of source "
               "({:.3f} GB in, {:.3f} GB out, {} tensors, {} shard(s))\n",
               run.wall, run.cpu, 100 * run.cpu / (run.wall * core::parallelism()),
               core::parallelism(), m.sourceBytes / GB / run.wall, m.sourceBytes / GB,
               static_cast<double>(run.result.tensorBytes) / GB, run.result.tensors,
               run.result.shards);
    const double firstEncode = run.marks.empty() ? 0 : run.marks.front().encode;
    const double loopEncode = run.encodeTotal - firstEncode - lastEncode;
    fmt::print("  phases: set-up {:.2f} s (inventory, open, checks, fingerprint); scales pass + "
               "first tensor ({}) {:.2f} s (encode {:.2f}); tensor loop {:.2f} s (encode {:.2f} s "
               "= {:.0f} %, the rest {:.2f} s); last tensor ({}) + the shard's commit (fsync) "
               "{:.2f} s; finish {:.2f} s (config, companions, manifest, rename)\n",
               run.scalesAt, n == 0 ? "" : intervalName(m, 0), loop0 - run.scalesAt, firstEncode,
               loop1 - loop0, loopEncode, loop1 > loop0 ? 100 * loopEncode / (loop1 - loop0) : 0.0,
               (loop1 - loop0) - loopEncode, n < 2 ? "" : intervalName(m, run.marks[n - 2].done),
               end - loop1, run.wall - end);
    fmt::print("  encode() in all {:.2f} s = {:.0f} % of the export's wall time\n", run.encodeTotal,
               100 * run.encodeTotal / run.wall);
    fmt::print("  tensor loop by what was written:  {:>6} {:>9} {:>8} {:>8} {:>8} {:>9}\n", "items",
               "source GB", "wall s", "encode s", "rest s", "rest GB/s");
    for (const auto &[key, c] : classify(run, m)) {
        const double rest = c.wall - c.encode;
        fmt::print("    {:30} {:>6} {:>9.3f} {:>8.2f} {:>8.2f} {:>8.2f} {:>9.2f}\n", key, c.items,
                   c.sourceBytes / GB, c.wall, c.encode, rest,
                   rest > 0 ? c.sourceBytes / GB / rest : 0.0);
    }
    fmt::print("  memory (MB): before VmRSS {:.0f} (anon {:.0f}, file {:.0f}); peak (10 ms "
               "samples) VmRSS {:.0f}, RssAnon {:.0f}, RssFile {:.0f}; ru_maxrss so far {:.0f}\n",
               run.before.vmRss / MB, run.before.rssAnon / MB, run.before.rssFile / MB,
               run.peak.vmRss / MB, run.peak.rssAnon / MB, run.peak.rssFile / MB, run.maxRss / MB);
    if (!run.marks.empty()) {
        double fileMax = 0;
        std::uint64_t fileMaxAt = 0;
        for (const ProgressMark &k : run.marks) {
            if (k.rss.rssFile > fileMax) {
                fileMax = k.rss.rssFile;
                fileMaxAt = k.done;
            }
        }
        fmt::print("  RssFile at progress reports (MB): before the scales pass {:.0f}, after the "
                   "first tensor {:.0f}, largest {:.0f} (after output tensor {}), last {:.0f}\n",
                   run.atScales.rssFile / MB, run.marks.front().rss.rssFile / MB, fileMax / MB,
                   fileMaxAt, run.marks.back().rss.rssFile / MB);
    }
    if (verbose) {
        std::vector<std::size_t> order;
        for (std::size_t i = 1; i + 1 < run.marks.size(); ++i) {
            order.push_back(i);
        }
        const auto wall = [&](std::size_t i) { return run.marks[i].at - run.marks[i - 1].at; };
        std::sort(order.begin(), order.end(),
                  [&](std::size_t a, std::size_t b) { return wall(a) > wall(b); });
        fmt::print("  slowest items of the tensor loop (wall s, encode s, at s):\n");
        for (std::size_t j = 0; j < std::min<std::size_t>(15, order.size()); ++j) {
            const std::size_t i = order[j];
            fmt::print("    {:6.3f} {:6.3f} {:6.2f}  {}\n", wall(i),
                       run.marks[i].encode - run.marks[i - 1].encode, run.marks[i - 1].at,
                       intervalName(m, run.marks[i - 1].done));
        }
    }
}

void printEncodeTable(const char *title, const std::map<FormatId, EncodeStats> &stats)
{
    fmt::print("{}\n    {:12} {:>7} {:>9} {:>8} {:>8} {:>8}\n", title, "format", "Linears",
               "source GB", "out GB", "s", "GB/s");
    for (const auto &[id, s] : stats) {
        fmt::print("    {:12} {:>7} {:>9.3f} {:>8.3f} {:>8.2f} {:>8.2f}\n", formatName(id),
                   s.linears, s.sourceBytes / GB, s.outBytes / GB, s.seconds,
                   s.sourceBytes / GB / s.seconds);
    }
}

int runBench(const Options &o)
{
    ensureModel(o.modelDir);
    const Model m = describeModel(o.modelDir);
    core::quant::BackendRegistry registry;
    kernels::registerBackends(registry);
    core::quant::QuantBackend &fast = registry.preferred();
    const auto &cfg = m.inv.config;
    fmt::print("model: {} layers, hidden {}, intermediate {}, heads {}/{}, vocab {}, BF16, {} "
               "shards at {}: {:.3f} GB of tensors, {} Linears in {} fused groups\n",
               cfg.numLayers, cfg.hiddenSize, cfg.intermediateSize, cfg.numHeads, cfg.numKvHeads,
               cfg.vocabSize, m.shards.size(), o.modelDir, m.sourceBytes / GB, m.inv.linears.size(),
               m.inv.groups.size());
    std::map<FormatId, std::pair<std::size_t, double>> mix;
    double linearBytes = 0;
    for (const core::LinearInfo &l : m.inv.linears) {
        auto &[n, b] = mix[m.recipe.formats.at(l.name)];
        ++n;
        b += static_cast<double>(l.sourceBytes());
        linearBytes += static_cast<double>(l.sourceBytes());
    }
    fmt::print("recipe (fused groups cycle NVFP4, MXFP8, W4A16, NVFP4A16, FP8_DYNAMIC, BF16):");
    for (const auto &[id, nb] : mix) {
        fmt::print(" {} {} ({:.3f} GB);", formatName(id), nb.first, nb.second / GB);
    }
    fmt::print(" Linears {:.3f} GB of {:.3f} GB; output {:.3f} GB\n", linearBytes / GB,
               m.sourceBytes / GB, m.outputBytes / GB);
    fmt::print("backend: {} ({} threads); {} cores; load average at start {:.2f}\n", fast.name(),
               core::parallelism(), std::thread::hardware_concurrency(), loadAverage());

    std::vector<ExportRun> exports;
    if (o.cold) {
        exports.push_back(runExport(o, m, fast, true));
        printExport(exports.back(), m, o.verbose);
    }
    exports.push_back(runExport(o, m, fast, false));
    printExport(exports.back(), m, o.verbose);
    const double exportMaxRss = maxRssBytes();
    if (o.exportOnly) {  // for profilers: nothing but the exports
        return 0;
    }

    const ReadRun readCold = plainRead(m, o.modelDir, true);
    const ReadRun readWarm = plainRead(m, o.modelDir, false);
    fmt::print("plain read (Checkpoint view() + uint64 sum, on-disk order, pages released):\n");
    for (const auto &[name, r] : {std::pair{"cold", readCold}, std::pair{"warm", readWarm}}) {
        fmt::print("  {}: {:.3f} GB in {:.2f} s = {:.2f} GB/s ({:.0f} % cached before, load "
                   "{:.2f})\n",
                   name, r.bytes / GB, r.seconds, r.bytes / GB / r.seconds, 100 * r.resident,
                   r.load);
    }

    const QuantRun quant = quantizersAlone(m, o.modelDir, fast);
    fmt::print("quantizers alone (warm, pages touched first, output discarded; load {:.2f}; touch "
               "checksum {:016x}):\n",
               quant.load, quant.touchChecksum);
    fmt::print("  sharedScales (NVFP4 global-scale pass over the NVFP4/NVFP4A16 Linears): {:.2f} "
               "s; RssFile after it {:.0f} MB (its pages stay mapped)\n",
               quant.scalesSeconds, quant.rssFileAfterScales / MB);
    printEncodeTable("  encode() per format:", quant.encode);
    const double quantBound = quant.scalesSeconds + quant.encodeSeconds;
    fmt::print("  encode in all {:.2f} s; quantizer bound (scales + encode) {:.2f} s = {:.3f} GB/s "
               "of source; the pass used {:.2f} s CPU (touches included)\n",
               quant.encodeSeconds, quantBound, m.sourceBytes / GB / quantBound, quant.cpu);
    printEncodeTable("  encode() per format inside the warm export:", exports.back().encode);

    // Twice: on this VM the first buffered write after a few seconds without writes costs ~15×
    // the kernel CPU of the same write straight after (docs/benchmarks.md, Export).
    std::vector<WriteRun> writes;
    for (int round = 1; round <= 2; ++round) {
        const WriteRun w = writeFloor(o, m.outputBytes);
        fmt::print("write floor {}: {:.3f} GB pwrite {:.2f} s ({:.2f} GB/s) + fsync {:.2f} s = "
                   "{:.2f} s (load {:.2f})\n",
                   round, w.bytes / GB, w.writeSeconds, w.bytes / GB / w.writeSeconds,
                   w.syncSeconds, w.writeSeconds + w.syncSeconds, w.load);
        writes.push_back(w);
    }

    if (o.reference) {
        core::quant::QuantBackend *ref = registry.find("reference");
        const std::unique_ptr<core::quant::QuantBackend> own =
                ref == nullptr ? core::quant::makeReferenceBackend() : nullptr;
        const core::LinearInfo *sample = nullptr;
        const auto rates = compareBackends(m, o.modelDir, fast, ref ? *ref : *own, &sample);
        const double bytes = static_cast<double>(sample->sourceBytes());
        fmt::print("reference vs {} on {} ({}×{}, {:.1f} MB), GB/s of source:\n", fast.name(),
                   sample->name, sample->outFeatures, sample->inFeatures, bytes / MB);
        for (const BackendRate &r : rates) {
            fmt::print("    {:12} fast {:6.2f}  reference {:6.3f}  ({:.0f}×)\n", formatName(r.id),
                       bytes / GB / r.fast, bytes / GB / r.reference, r.reference / r.fast);
        }
    }

    // ---- targets
    const ExportRun &warm = exports.back();
    const double budget = m.largestGroup + 0 + RSS_SLACK_BYTES;
    double peakAnon = 0;
    double peakVm = 0;
    for (const ExportRun &e : exports) {
        peakAnon = std::max(peakAnon, e.peak.rssAnon);
        peakVm = std::max(peakVm, e.peak.vmRss);
    }
    fmt::print("targets (load average now {:.2f}):\n", loadAverage());
    fmt::print("  budget = largest tensor group {:.0f} MB ({}) + shard buffer 0 MB (the writer "
               "pwrite()s each tensor in place; the largest encoded Linear is {:.1f} MB and is "
               "inside the group) + 300 MB = {:.0f} MB\n",
               m.largestGroup / MB, m.largestGroupName, m.largestEncoded / MB, budget / MB);
    fmt::print("  TARGET peak RSS ≤ budget: {} (ru_maxrss after the exports {:.0f} MB vs {:.0f} "
               "MB; sampled peaks VmRSS {:.0f}, RssAnon {:.0f})\n",
               exportMaxRss <= budget ? "MET" : "NOT MET", exportMaxRss / MB, budget / MB,
               peakVm / MB, peakAnon / MB);
    const double rate = m.sourceBytes / GB / warm.wall;
    const double bound = m.sourceBytes / GB / quantBound;
    const double outside = warm.wall - warm.encodeTotal;
    fmt::print("  TARGET throughput bounded by the quantizers (warm export ≥ 80 % of the "
               "quantizer bound): {} ({:.3f} GB/s = {:.0f} % of {:.3f} GB/s; {:.2f} s of {:.2f} "
               "s outside encode(); the write floor is {:.2f} s back to back, {:.2f} s first; "
               "plain warm read {:.2f} GB/s)\n",
               rate >= 0.8 * bound ? "MET" : "NOT MET", rate, 100 * rate / bound, bound, outside,
               warm.wall, writes.back().writeSeconds + writes.back().syncSeconds,
               writes.front().writeSeconds + writes.front().syncSeconds,
               readWarm.bytes / GB / readWarm.seconds);
    if (exports.size() > 1) {
        const ExportRun &cold = exports.front();
        fmt::print("  cold export {:.3f} GB/s = {:.0f} % of the bound (plain cold read {:.2f} "
                   "GB/s)\n",
                   m.sourceBytes / GB / cold.wall, 100 * m.sourceBytes / GB / cold.wall / bound,
                   readCold.bytes / GB / readCold.seconds);
    }
    fmt::print("ru_maxrss at the end (all passes): {:.0f} MB\n", maxRssBytes() / MB);
    return 0;
}

}  // namespace

int main(int argc, char **argv)
{
    try {
        return runBench(parseArgs(argc, argv));
    } catch (const std::exception &e) {  // std::stoull on a bad number, filesystem errors
        fmt::print(stderr, "bench_export: {}\n", e.what());
        return 1;
    }
}
