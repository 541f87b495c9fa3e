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
// This file holds the options, the synthetic model and its recipe, and the report; the passes
// are in bench_export_passes.cpp.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench/bench_export_passes.h"
#include "bench/bench_support.h"
#include "core/export/export_plan.h"
#include "core/export/exporter.h"
#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/quant/backend_registry.h"
#include "core/quant/format_spec.h"
#include "core/util/parallel.h"
#include "kernels/cpu/register.h"

using namespace pq;
using core::quant::FormatId;

namespace pq::bench::export_bench {

[[noreturn]] void die(const std::string &message)
{
    bench::die("bench_export", message);
}

std::string formatName(FormatId id)
{
    return std::string(core::quant::formatInfo(id).name);
}

}  // namespace pq::bench::export_bench

namespace {

using namespace bench::export_bench;

using bench::loadAverage;
using bench::maxRssBytes;

constexpr double GB = 1e9;
constexpr double MB = 1e6;
constexpr double RSS_SLACK_BYTES = 300e6;
constexpr std::uint64_t SOURCE_SHARD_BYTES = 1'000'000'000ULL;

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

// ---- the recipe ------------------------------------------------------------------------------

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

// ---- the model as the exporter sees it -------------------------------------------------------

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
