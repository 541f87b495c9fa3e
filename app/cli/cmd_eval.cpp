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
    std::vector<std::string> recipes;  ///< recipe.json files of `prismaquant allocate`
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

/** One variant per format: every Linear that can take it; W4A4 formats need the maxima. */
core::Result<probe::EvalVariant> uniformVariant(const core::ModelInventory &inv,
                                                const std::string &name,
                                                const std::map<std::string, float> &amax)
{
    const auto id = core::quant::parseFormatName(name);
    if (!id) {
        return core::makeError(
                core::ErrorCode::InvalidArgument,
                fmt::format("unknown format '{}' (see `prismaquant formats`)", name));
    }
    if (core::quant::formatInfo(*id).activation == core::quant::ActivationQuant::Nvfp4 &&
        amax.empty()) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               fmt::format("{} quantizes activations with a calibrated maximum: "
                                           "pass --run RUN_DIR of a probe run",
                                           name));
    }
    probe::EvalVariant v;
    v.label = std::string(core::quant::formatInfo(*id).name);
    v.inputAmax = amax;
    for (const core::LinearInfo &l : inv.linears) {
        if (core::quant::checkShape(*id, l.outFeatures, l.inFeatures)) {
            v.formats[l.name] = *id;
        }
    }
    return v;
}

/** The variant of a recipe.json: its per-Linear formats (W4A4 formats need the maxima). */
core::Result<probe::EvalVariant> recipeVariant(const core::ModelInventory &inv,
                                               const std::string &path,
                                               const std::map<std::string, float> &amax)
{
    auto text = core::readSmallFile(path, 1ULL << 30U);
    if (!text) {
        return std::move(text).error();
    }
    const auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || j.value("schema", std::string()) != "prismaquant.recipe/1" ||
        !j.contains("linears") || !j["linears"].is_object()) {
        return core::makeError(core::ErrorCode::InvalidFormat,
                               "not a recipe.json of `prismaquant allocate`")
                .withPath(path);
    }
    probe::EvalVariant v;
    v.label = j.value("summary", std::string("recipe"));
    v.inputAmax = amax;
    for (const core::LinearInfo &l : inv.linears) {
        const auto it = j["linears"].find(l.name);
        if (it == j["linears"].end() || !it->is_string()) {
            return core::makeError(core::ErrorCode::InvalidFormat,
                                   fmt::format("the recipe has no format for {} (made for "
                                               "another model?)",
                                               l.name))
                    .withPath(path);
        }
        const auto id = core::quant::parseFormatName(it->get<std::string>());
        if (!id || !core::quant::checkShape(*id, l.outFeatures, l.inFeatures)) {
            return core::makeError(core::ErrorCode::InvalidFormat,
                                   fmt::format("the recipe's format '{}' does not fit {}",
                                               it->get<std::string>(), l.name))
                    .withPath(path);
        }
        if (core::quant::formatInfo(*id).activation == core::quant::ActivationQuant::Nvfp4 &&
            amax.empty()) {
            return core::makeError(core::ErrorCode::InvalidArgument,
                                   fmt::format("the recipe uses {} for {}, which needs "
                                               "calibrated input maxima: pass --run RUN_DIR",
                                               it->get<std::string>(), l.name));
        }
        v.formats[l.name] = *id;
    }
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
    std::vector<probe::EvalVariant> variants = {{"source", {}, {}}};
    for (const std::string &f : a.uniform) {
        auto v = uniformVariant(*inv, f, *amax);
        if (!v) {
            return fail(v.error());
        }
        variants.push_back(std::move(*v));
    }
    for (const std::string &path : a.recipes) {
        auto v = recipeVariant(*inv, path, *amax);
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
    sub->add_option("--run", a->runDir, "probe run directory (input maxima for W4A4 formats)");
    sub->add_option("--samples", a->samples, "calibration windows")->capture_default_str();
    sub->add_option("--seq-len", a->seqLen, "tokens per window")->capture_default_str();
    sub->add_option("--held-out", a->heldOut, "evaluation windows")->capture_default_str();
    sub->add_option("--seed", a->seed, "sampling seed")->capture_default_str();
    registry.add(sub, [a] { return runEval(*a); });
}

}  // namespace pq::cli
