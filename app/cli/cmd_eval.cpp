// SPDX-License-Identifier: MIT
// `prismaquant eval MODEL_DIR --calib PATH --uniform F1,F2 [--run RUN_DIR] --out FILE`:
// held-out perplexity and KL of uniform formats against the source model.
#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli/backends.h"
#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "app/cli/progress.h"
#include "core/data/sensitivity_report.h"
#include "core/export/compressed_checkpoint.h"
#include "core/export/export_plan.h"
#include "core/export/exporter.h"
#include "core/model/inventory.h"
#include "core/probe/evaluate.h"
#include "core/text/tokenizer.h"
#include "core/util/atomic_file.h"

namespace pq::cli {
namespace {

struct EvalArgs
{
    std::string modelDir;
    std::string calib;
    std::string runDir;  ///< optional: sensitivity.json's input maxima for W4A4/W8A8
    std::string out;
    std::vector<std::string> uniform = {"NVFP4A16", "MXFP4", "MXFP8"};
    std::vector<std::string> recipes;      ///< recipe.json files of `prismaquant allocate`
    std::vector<std::string> checkpoints;  ///< compressed-tensors exports of the model
    std::uint64_t samples = 64;
    std::uint64_t seqLen = 512;
    std::uint64_t heldOut = 16;
    std::uint64_t seed = 0;
};

int fail(const core::Error &e)
{
    fmt::print(stderr, "error: {}\n", e.message());
    return exitCodeFor(e);
}

/** Input maxima recorded by a probe run (empty when no run directory was given). */
core::Result<std::map<std::string, float>> inputMaxima(const std::string &runDir)
{
    if (runDir.empty()) {
        return std::map<std::string, float>{};
    }
    return core::data::readInputMaxima(runDir);
}

/**
 * A variant with the formats the exporter would write: NVFP4 global and input scales shared over
 * vLLM's fused sets exactly as in the exported checkpoint (ct::sharedScales), so an evaluated
 * recipe is the artifact that ships. W4A4 formats need the probe's input maxima.
 */
core::Result<probe::EvalVariant> exportedVariant(const core::ModelInventory &inv,
                                                 const core::Checkpoint &source,
                                                 std::string label,
                                                 core::ct::FormatMap formats,
                                                 const std::map<std::string, float> &amax)
{
    if (auto st = core::ct::checkFormats(inv, formats, amax); !st) {
        return std::move(st).error();
    }
    auto scales = core::ct::sharedScales(inv, source, formats, amax);
    if (!scales) {
        return std::move(scales).error();
    }
    probe::EvalVariant v;
    v.label = std::move(label);
    v.formats = std::move(formats);
    v.globalAmax = std::move(scales->weightAmax);
    v.inputAmax = std::move(scales->inputAmax);
    return v;
}

/** One variant per format: every fused group that can take it (as `export --uniform`). */
core::Result<probe::EvalVariant> uniformVariant(const core::ModelInventory &inv,
                                                const core::Checkpoint &source,
                                                const std::string &name,
                                                const std::map<std::string, float> &amax)
{
    const auto id = core::quant::parseFormatName(name);
    if (!id) {
        return core::makeError(
                core::ErrorCode::InvalidArgument,
                fmt::format("unknown format '{}' (see `prismaquant formats`)", name));
    }
    return exportedVariant(inv, source, std::string(core::quant::formatInfo(*id).name),
                           core::ct::uniformFormats(inv, *id), amax);
}

/** The variant of a recipe.json of `prismaquant allocate`. */
core::Result<probe::EvalVariant> recipeVariant(const core::ModelInventory &inv,
                                               const core::Checkpoint &source,
                                               const std::string &path,
                                               const std::map<std::string, float> &amax)
{
    std::string summary;
    auto formats = core::ct::formatsFromRecipe(inv, path, &summary);
    if (!formats) {
        return std::move(formats).error();
    }
    return exportedVariant(inv, source, summary, std::move(*formats), amax);
}

/**
 * An exported checkpoint, read back: its Linears dequantized from the bytes that ship, inside the
 * source model (whose other tensors an export keeps byte for byte). Refused when the export's
 * manifest names another source, or its modules do not fit this model's Linears.
 */
core::Result<probe::EvalVariant>
checkpointVariant(const core::ModelInventory &inv,
                  const core::Checkpoint &source,
                  const std::string &path,
                  std::vector<std::unique_ptr<core::ct::CompressedCheckpoint>> &exports)
{
    auto rb = core::ct::CompressedCheckpoint::open(path);
    if (!rb) {
        return std::move(rb).error();
    }
    const std::string manifest = path + "/" + core::ct::MANIFEST_FILE;
    if (std::filesystem::exists(manifest)) {
        auto text = core::readSmallFile(manifest, 1ULL << 20U);
        auto fingerprint = source.fingerprint();
        if (!text || !fingerprint) {
            return text ? std::move(fingerprint).error() : std::move(text).error();
        }
        const auto j = nlohmann::json::parse(*text, nullptr, false);
        if (j.is_discarded() || !j.contains("source") ||
            j["source"].value("fingerprint", std::string()) != *fingerprint) {
            return core::makeError(core::ErrorCode::InvalidArgument,
                                   "this export was made from another model (its manifest's "
                                   "source fingerprint differs): evaluate it with its source")
                    .withPath(path);
        }
    }
    std::map<std::string, const core::LinearInfo *> linears;
    for (const core::LinearInfo &l : inv.linears) {
        linears[l.name] = &l;
    }
    for (const core::ct::QuantizedModule &m : rb->modules()) {
        const auto it = linears.find(m.name);
        if (it == linears.end() || it->second->outFeatures != m.rows ||
            it->second->inFeatures != m.cols) {
            return core::makeError(core::ErrorCode::InvalidArgument,
                                   "a quantized module that is not a Linear of this shape in the "
                                   "source model (exported from another model?)")
                    .withTensor(m.name)
                    .withPath(path);
        }
    }
    const core::ct::CompressedSummary summary = core::ct::summarize(*rb);
    std::vector<std::string> mix;
    for (const auto &[scheme, n] : summary.modulesByScheme) {
        mix.push_back(fmt::format("{} {}", n, scheme));
    }
    probe::EvalVariant v;
    v.label = fmt::format("checkpoint {}: {}", path, fmt::join(mix, " · "));
    exports.push_back(std::make_unique<core::ct::CompressedCheckpoint>(std::move(*rb)));
    v.checkpoint = exports.back().get();
    return v;
}

int runEval(const EvalArgs &a)
{
    auto tok = core::text::Tokenizer::load(a.modelDir);
    auto inv = core::inventoryModelDir(a.modelDir);
    auto corpus = core::data::loadTextSource(a.calib);
    auto amax = inputMaxima(a.runDir);
    for (const core::Error *e :
         {tok ? nullptr : &tok.error(), inv ? nullptr : &inv.error(),
          corpus ? nullptr : &corpus.error(), amax ? nullptr : &amax.error()}) {
        if (e != nullptr) {
            return fail(*e);
        }
    }
    auto source = core::Checkpoint::open(a.modelDir);
    if (!source) {
        return fail(source.error());
    }
    std::vector<probe::EvalVariant> variants = {probe::sourceVariant()};
    for (const std::string &f : a.uniform) {
        auto v = uniformVariant(*inv, *source, f, *amax);
        if (!v) {
            return fail(v.error());
        }
        variants.push_back(std::move(*v));
    }
    for (const std::string &path : a.recipes) {
        auto v = recipeVariant(*inv, *source, path, *amax);
        if (!v) {
            return fail(v.error());
        }
        variants.push_back(std::move(*v));
    }
    std::vector<std::unique_ptr<core::ct::CompressedCheckpoint>> exports;  // outlive evaluate()
    for (const std::string &path : a.checkpoints) {
        auto v = checkpointVariant(*inv, *source, path, exports);
        if (!v) {
            return fail(v.error());
        }
        variants.push_back(std::move(*v));
    }
    core::data::CalibrationSettings s{a.samples, a.seqLen, a.heldOut, a.seed, tok->bosId()};
    ProgressPrinter progress;
    core::JobContext ctx(progress.callback(), progress.logger());
    const core::text::Tokenizer &t = *tok;
    auto set = core::data::buildCalibrationSet(
            *corpus, [&t](std::string_view x) { return t.encode(x, false); }, s, ctx);
    if (!set) {
        return fail(set.error());
    }
    auto results = probe::evaluate(a.modelDir, *set, variants, backends().preferred(), ctx);
    progress.finish();
    if (!results) {
        return fail(results.error());
    }
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    fmt::print("{:>12} {:>14} {:>10}  {}\n", "perplexity", "KL (nats/tok)", "tokens", "variant");
    for (const probe::EvalResult &r : *results) {
        fmt::print("{:>12.4f} {:>14.6f} {:>10}  {}\n", r.perplexity, r.meanKl, r.tokens, r.label);
        rows.push_back({{"variant", r.label},
                        {"perplexity", r.perplexity},
                        {"mean_loss", r.meanLoss},
                        {"mean_kl", r.meanKl},
                        {"tokens", r.tokens}});
    }
    const nlohmann::ordered_json doc = {
            {"schema", "prismaquant.eval/1"},
            {"model_dir", a.modelDir},
            {"calibration", nlohmann::ordered_json::parse(set->toJson())},
            {"results", rows}};
    const core::Status st = core::writeFileAtomically(a.out, doc.dump(2) + "\n");
    return st ? EXIT_OK : fail(st.error());
}

}  // namespace

void registerEval(CLI::App &app, CommandRegistry &registry)
{
    auto a = std::make_shared<EvalArgs>();
    CLI::App *sub = app.add_subcommand(
            "eval",
            "Measure held-out perplexity and mean per-token KL(source || quantized) of uniform "
            "formats (weights through the production quantizers, activations through the "
            "format's serve-time quantizer). The held-out windows are the same ones `probe` "
            "keeps apart for the same --calib/--seq-len/--held-out.\n\n"
            "Example:\n  prismaquant eval ~/models/Llama-3.2-1B --calib kjv.txt.gz --uniform "
            "NVFP4,MXFP8 --run runs/l1b --out runs/l1b/eval.json");
    sub->add_option("MODEL_DIR", a->modelDir, "model directory")
            ->required()
            ->check(CLI::ExistingDirectory);
    sub->add_option("--calib", a->calib, "text source (as for probe)")->required();
    sub->add_option("--out", a->out, "JSON file to write")->required();
    sub->add_option("--uniform", a->uniform, "formats to compare")
            ->delimiter(',')
            ->capture_default_str();
    sub->add_option("--recipe", a->recipes,
                    "recipe.json of `prismaquant allocate` to evaluate (repeatable)");
    sub->add_option("--checkpoint", a->checkpoints,
                    "a compressed-tensors export of MODEL_DIR to evaluate, read back from its "
                    "files (repeatable)");
    sub->add_option("--run", a->runDir, "probe run directory (input maxima for W4A4 formats)");
    sub->add_option("--samples", a->samples, "calibration windows")->capture_default_str();
    sub->add_option("--seq-len", a->seqLen, "tokens per window")->capture_default_str();
    sub->add_option("--held-out", a->heldOut, "evaluation windows")->capture_default_str();
    sub->add_option("--seed", a->seed, "sampling seed")->capture_default_str();
    registry.add(sub, [a] { return runEval(*a); });
}

}  // namespace pq::cli
