// SPDX-License-Identifier: MIT
// `prismaquant probe MODEL_DIR --calib PATH --out RUN_DIR ...`: measure every Linear's
// sensitivity (DESIGN.md §4) and write RUN_DIR/sensitivity.json and calibration.json.
#include <cinttypes>
#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli/backends.h"
#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "app/cli/interrupt.h"
#include "app/cli/progress.h"
#include "app/cli/stages.h"
#include "core/probe/probe.h"
#include "core/probe/probe_run.h"
#include "core/util/human.h"

namespace pq::cli {
namespace {

core::Result<std::vector<core::quant::FormatId>> parseFormats(const std::vector<std::string> &names)
{
    std::vector<core::quant::FormatId> ids;
    for (const std::string &n : names) {
        const auto id = parseFormatArg(n);
        if (!id) {
            return id.error();
        }
        if (*id != core::quant::FormatId::BF16) {
            ids.push_back(*id);
        }
    }
    return ids;
}

/** "2/4" → shard 2 of 4. */
core::Result<probe::ProbeSettings::Shard> parseShard(const std::string &text)
{
    probe::ProbeSettings::Shard s;
    char slash = 0;
    char extra = 0;
    if (std::sscanf(text.c_str(), "%" SCNu64 "%c%" SCNu64 "%c", &s.index, &slash, &s.count,
                    &extra) != 3 ||
        slash != '/' || text.find('-') != std::string::npos || s.count == 0 || s.index == 0 ||
        s.index > s.count) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               fmt::format("--shard {}: give the shard as I/N with 1 ≤ I ≤ N, e.g. "
                                           "--shard 1/2 on one machine and --shard 2/2 on another",
                                           text));
    }
    return s;
}

}  // namespace

int runProbeStage(const ProbeArgs &a)
{
    ProgressPrinter progress;
    core::JobContext ctx(progress.callback(), progress.logger());
    const InterruptScope interrupts(ctx);
    auto formats = parseFormats(a.formats);
    if (!formats) {
        return fail(formats.error());
    }
    probe::ProbeRunRequest request;
    request.modelDir = a.modelDir;
    request.calib = a.calib;
    request.outDir = a.outDir;
    request.calibration.samples = a.samples;
    request.calibration.seqLen = a.seqLen;
    request.calibration.heldOutSamples = a.heldOut;
    request.calibration.seed = a.seed;
    request.restart = a.restart;
    probe::ProbeSettings &settings = request.settings;
    settings.formats = *formats;
    settings.outputTokens = a.outputTokens;
    settings.minExpertTokens = a.minExpertTokens;
    settings.runtime.device = a.device == "cuda" ? probe::Device::Cuda : probe::Device::Cpu;
    if (!a.shard.empty()) {
        auto s = parseShard(a.shard);
        if (!s) {
            return fail(s.error());
        }
        settings.shard = *s;
    }
    if (!a.memoryLimit.empty()) {
        auto bytes = core::parseByteSize(a.memoryLimit);
        if (!bytes) {
            return fail(bytes.error());
        }
        settings.memoryLimitBytes = *bytes;
    }
    auto result = probe::probeIntoRunDirectory(request, backends().preferred(), ctx);
    progress.finish();
    if (!result) {
        return fail(result.error());
    }
    const probe::SensitivityReport *report = &result->report;
    const std::string dir = a.outDir + "/";
    if (a.json) {
        nlohmann::ordered_json j{{"out_dir", a.outDir},
                                 {"sensitivity", dir + "sensitivity.json"},
                                 {"linears", report->linears.size()},
                                 {"tokens", report->tokens},
                                 {"mean_loss", report->meanLoss}};
        if (const auto &s = report->shard) {
            j["shard"] = {{"index", s->index}, {"count", s->count}};
        }
        fmt::print("{}\n", j.dump(2));
        return EXIT_OK;
    }
    fmt::print("probed {} Linears on {} tokens (mean loss {:.4f}); wrote {}sensitivity.json\n",
               report->linears.size(), report->tokens, report->meanLoss, dir);
    if (const auto &s = report->shard) {
        fmt::print("this is shard {} of {} (calibration windows {} to {} of {}); when all {} are "
                   "done: prismaquant merge SHARD_DIR... --out RUN_DIR\n",
                   s->index, s->count, s->firstWindow + 1, s->firstWindow + s->windows, a.samples,
                   s->count);
    }
    return EXIT_OK;
}

void registerProbe(CLI::App &app, CommandRegistry &registry)
{
    auto a = std::make_shared<ProbeArgs>();
    CLI::App *sub = app.add_subcommand(
            "probe", "Measure how much each Linear would hurt the model in each format: a streamed "
                     "forward/backward over calibration text (Fisher-weighted weight error and "
                     "output-space error with the format's activation quantizer). Writes "
                     "RUN_DIR/sensitivity.json. Ctrl-C cancels between layers.\n\n"
                     "Example:\n  prismaquant probe ~/models/Llama-3.2-1B --calib "
                     "examples/calibration/kjv.txt.gz "
                     "--out runs/llama1b --samples 32 --seq-len 512\n"
                     "Split over two machines (same text and settings on both):\n"
                     "  prismaquant probe MODEL --calib TEXT --out shard1 --shard 1/2\n"
                     "  prismaquant probe MODEL --calib TEXT --out shard2 --shard 2/2\n"
                     "  prismaquant merge shard1 shard2 --out RUN_DIR");
    sub->add_option("MODEL_DIR", a->modelDir, "model directory")
            ->required();  // the engine says what the path is instead (docs/errors.md)
    sub->add_option("--calib", a->calib, ".txt / .jsonl (optionally .gz) or a directory")
            ->required();
    sub->add_option("--out", a->outDir, "run directory")->required();
    sub->add_option("--samples", a->samples, "calibration windows")->capture_default_str();
    sub->add_option("--seq-len", a->seqLen, "tokens per window")->capture_default_str();
    sub->add_option("--held-out", a->heldOut, "evaluation windows kept apart")
            ->capture_default_str();
    sub->add_option("--seed", a->seed, "sampling seed")->capture_default_str();
    sub->add_option("--output-tokens", a->outputTokens,
                    "tokens per Linear for the output-space cost")
            ->capture_default_str();
    sub->add_option("--device", a->device, "cpu or cuda")
            ->check(CLI::IsMember({"cpu", "cuda"}))
            ->capture_default_str();
    sub->add_option("--formats", a->formats, "candidate formats")
            ->delimiter(',')
            ->capture_default_str();
    sub->add_option("--min-expert-tokens", a->minExpertTokens,
                    "MoE experts routed fewer calibration tokens get the layer's prior (flagged)")
            ->capture_default_str();
    sub->add_option("--memory-limit", a->memoryLimit,
                    "memory for the layer-boundary activations, e.g. 8GiB; beyond it they go to "
                    "RUN_DIR/probe-state (default: half the RAM)");
    sub->add_option("--shard", a->shard,
                    "I/N: measure only the I-th of N slices of the calibration windows (on N "
                    "machines or GPUs), then combine with `prismaquant merge`");
    sub->add_flag("--json", a->json, "print the result as JSON (progress stays on stderr)");
    sub->add_flag("--restart", a->restart,
                  "ignore the state an interrupted run left in RUN_DIR/probe-state (by default a "
                  "rerun with the same model, text and settings resumes at the next layer)");
    registry.add(sub, [a] { return runProbeStage(*a); });
}

}  // namespace pq::cli
