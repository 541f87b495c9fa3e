// SPDX-License-Identifier: MIT
#pragma once

// What bench_export's two files share: bench_export.cpp (options, the synthetic model and its
// recipe, the report) and bench_export_passes.cpp (the six measured passes). The passes take the
// options and the model and return the run records declared here. Only those two files include
// this header.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/bench_support.h"
#include "core/export/export_plan.h"
#include "core/export/exporter.h"
#include "core/model/inventory.h"
#include "core/quant/format_spec.h"

namespace pq::bench::export_bench {

using core::quant::FormatId;

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

/** Prints "bench_export: `message`" on stderr and exits with 1. */
[[noreturn]] void die(const std::string &message);

/** The format's name as the tables print it. */
std::string formatName(FormatId id);

// ---- the recipe and the model as the exporter sees it ----------------------------------------

struct Recipe
{
    core::ct::FormatMap formats;
    std::map<std::string, float> inputAmax;
    std::string summary;
};

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

// ---- what the passes measure -----------------------------------------------------------------

struct EncodeStats
{
    double seconds = 0;
    double sourceBytes = 0;
    double outBytes = 0;
    std::size_t linears = 0;
};

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

struct ReadRun
{
    double resident = 0;
    double bytes = 0;
    double seconds = 0;
    double load = 0;
    std::uint64_t checksum = 0;
};

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

struct WriteRun
{
    double bytes = 0;
    double writeSeconds = 0;
    double syncSeconds = 0;
    double load = 0;
};

struct BackendRate
{
    FormatId id;
    double fast = 0;       ///< seconds, best of 3
    double reference = 0;  ///< seconds, one call
};

// ---- the passes ------------------------------------------------------------------------------

/** Pass 1/2: one export into o.outDir, the source's pages evicted first when `cold`. */
ExportRun
runExport(const Options &o, const Model &m, core::quant::QuantBackend &backend, bool cold);

/** Attributes each progress interval to what it wrote: a kept tensor, or a Linear's format. */
std::map<std::string, ClassTimes> classify(const ExportRun &run, const Model &m);

/** Pass 3: Checkpoint view() of every tensor in on-disk order, summed as uint64 words. */
ReadRun plainRead(const Model &m, const std::string &dir, bool cold);

/** Pass 4: sharedScales(), then encode() of every quantized Linear, output discarded. */
QuantRun
quantizersAlone(const Model &m, const std::string &dir, core::quant::QuantBackend &backend);

/** Pass 5: `bytes` written with pwrite(2) into one file beside o.outDir, then fsync. */
WriteRun writeFloor(const Options &o, double bytes);

/** Pass 6: encode() of one 2048×2048 weight per format, `fast` against `reference`. */
std::vector<BackendRate> compareBackends(const Model &m,
                                         const std::string &dir,
                                         core::quant::QuantBackend &fast,
                                         core::quant::QuantBackend &reference,
                                         const core::LinearInfo **sample);

}  // namespace pq::bench::export_bench
