// SPDX-License-Identifier: MIT
// `prismaquant eval MODEL_DIR --calib PATH --uniform F1,F2 [--run RUN_DIR] --out FILE`:
// held-out perplexity and KL of uniform formats, recipes and exports against the source model.
// `prismaquant compare RUN_DIR --at SIZE`: the source, uniform formats and the measured recipe at
// one size, evaluated the same way, as a table for a model card.
#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli/backends.h"
#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "app/cli/progress.h"
#include "core/alloc/allocation.h"
#include "core/data/sensitivity_report.h"
#include "core/export/compressed_checkpoint.h"
#include "core/export/export_plan.h"
#include "core/export/exporter.h"
#include "core/model/inventory.h"
#include "core/pipeline/evaluations.h"
#include "core/pipeline/run_costs.h"
#include "core/probe/evaluate.h"
#include "core/probe/evaluate_run.h"
#include "core/text/tokenizer.h"
#include "core/util/atomic_file.h"
#include "core/util/human.h"

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
    bool json = false;  ///< the document on stdout instead of the table
};

/** Input maxima recorded by a probe run (empty when no run directory was given). */
core::Result<std::map<std::string, float>> inputMaxima(const std::string &runDir)
{
    if (runDir.empty()) {
        return std::map<std::string, float>{};
    }
    return core::data::readInputMaxima(runDir);
}

/** One variant per format: every fused group that can take it (as `export --uniform`). */
core::Result<probe::EvalVariant> uniformVariant(const core::ModelInventory &inv,
                                                const core::Checkpoint &source,
                                                const std::string &name,
                                                const std::map<std::string, float> &amax)
{
    const auto id = parseFormatArg(name);
    if (!id) {
        return id.error();
    }
    return probe::exportedVariant(inv, source, std::string(core::quant::formatInfo(*id).name),
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
    return probe::exportedVariant(inv, source, summary, std::move(*formats), amax);
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
            return core::makeError(core::ErrorCode::InvalidFormat,
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
            return core::makeError(core::ErrorCode::InvalidFormat,
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

/** Cuts the held-out windows from `corpus` as the probe does and evaluates every variant. */
core::Result<std::pair<core::data::CalibrationSet, std::vector<probe::EvalResult>>>
evaluateOnHeldOut(const std::string &modelDir,
                  const core::text::Tokenizer &tok,
                  const core::data::TextCorpus &corpus,
                  const core::data::CalibrationSettings &settings,
                  const std::vector<probe::EvalVariant> &variants)
{
    ProgressPrinter progress;
    core::JobContext ctx(progress.callback(), progress.logger());
    auto set = core::data::buildCalibrationSet(
            corpus, [&tok](std::string_view x) { return tok.encode(x, false); }, settings, ctx);
    if (!set) {
        return std::move(set).error();
    }
    auto results = probe::evaluate(modelDir, *set, variants, backends().preferred(), ctx);
    progress.finish();
    if (!results) {
        return std::move(results).error();
    }
    return std::pair{std::move(*set), std::move(*results)};
}

int runEval(const EvalArgs &a)
{
    auto tok = core::text::Tokenizer::load(a.modelDir);
    auto inv = core::inventoryModelDir(a.modelDir);
    auto corpus = core::data::loadTextSource(a.calib);
    auto amax = inputMaxima(a.runDir);
    for (const core::Error *e :
         {inv ? nullptr : &inv.error(), tok ? nullptr : &tok.error(),
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
    auto evaluated = evaluateOnHeldOut(a.modelDir, *tok, *corpus, s, variants);
    if (!evaluated) {
        return fail(evaluated.error());
    }
    const auto &[set, results] = *evaluated;
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    if (!a.json) {
        fmt::print("{:>12} {:>14} {:>10}  {}\n", "perplexity", "KL (nats/tok)", "tokens",
                   "variant");
    }
    for (const probe::EvalResult &r : results) {
        if (!a.json) {
            fmt::print("{:>12.4f} {:>14.6f} {:>10}  {}\n", r.perplexity, r.meanKl, r.tokens,
                       r.label);
        }
        rows.push_back({{"variant", r.label},
                        {"perplexity", r.perplexity},
                        {"mean_loss", r.meanLoss},
                        {"mean_kl", r.meanKl},
                        {"tokens", r.tokens}});
    }
    const nlohmann::ordered_json doc = {
            {"schema", "prismaquant.eval/1"},
            {"model_dir", a.modelDir},
            {"calibration", nlohmann::ordered_json::parse(set.toJson())},
            {"results", rows}};
    const core::Status st = core::writeFileAtomically(a.out, doc.dump(2) + "\n");
    if (st && a.json) {
        fmt::print("{}\n", doc.dump(2));
    }
    return st ? EXIT_OK : fail(st.error());
}

// ---- compare ---------------------------------------------------------------------------------

struct CompareArgs
{
    std::string runDir;
    std::string at;
    std::string modelDir;  ///< default: the model the probe ran on
    std::string calib;     ///< default: the probe's calibration file
    std::vector<std::string> uniform = {"NVFP4", "MXFP4", "MXFP8", "FP8_DYNAMIC"};
    std::vector<std::string> menu;  ///< the recipe's formats (default: what the probe measured)
    bool mix4bit = false;
    bool csv = false;
    bool json = false;
};

/**
 * The size `--at` names: a format ("NVFP4": uniform NVFP4's size), bits per Linear parameter
 * ("4.5" or "4.5bpp"), or bytes of the whole artifact ("4.2MB", "20GiB"). Returns the bytes and
 * the words for the table's caption.
 */
core::Result<std::pair<std::uint64_t, std::string>> compareBudget(const std::string &at,
                                                                  const core::ModelInventory &inv,
                                                                  const core::alloc::Allocator &al)
{
    if (const auto id = core::quant::parseFormatName(at)) {
        const std::string name(core::quant::formatInfo(*id).name);
        return std::pair{core::pipeline::artifactBytes(inv, al.fixedBytes(),
                                                       core::ct::uniformFormats(inv, *id)),
                         fmt::format("the size of uniform {}", name)};
    }
    std::string bits = at;
    if (bits.ends_with("bpp")) {
        bits.resize(bits.size() - 3);
    }
    char *end = nullptr;
    const double b = std::strtod(bits.c_str(), &end);
    if (!bits.empty() && end == bits.c_str() + bits.size()) {
        if (!(b > 0 && b <= 32)) {
            return core::makeError(core::ErrorCode::InvalidArgument,
                                   fmt::format("--at {}: bits per Linear parameter must be in "
                                               "(0, 32]",
                                               at));
        }
        return std::pair{al.bytesForBits(b), fmt::format("{} bits per Linear parameter", b)};
    }
    if (auto bytes = core::parseByteSize(at)) {
        return std::pair{*bytes, fmt::format("{} in all", core::formatBytes(*bytes))};
    }
    return core::makeError(core::ErrorCode::InvalidArgument,
                           fmt::format("--at '{}': give a format (NVFP4: its uniform size), bits "
                                       "per Linear parameter (4.5) or a size (4.2MB, 20GiB)",
                                       at));
}

int runCompare(const CompareArgs &a)
{
    auto run = core::pipeline::loadRunCosts(a.runDir, a.modelDir);
    if (!run) {
        return fail(run.error());
    }
    const core::ModelInventory &inv = run->inventory;
    core::alloc::Constraints constraints;
    constraints.mix4bitFamilies = a.mix4bit;
    for (const std::string &name : a.menu) {
        const auto id = parseFormatArg(name);
        if (!id) {
            return fail(id.error());
        }
        constraints.menu.push_back(*id);
    }
    auto allocator = core::alloc::Allocator::create(inv, run->costs, constraints);
    if (!allocator) {
        return fail(allocator.error());
    }
    auto budget = compareBudget(a.at, inv, *allocator);
    if (!budget) {
        return fail(budget.error());
    }
    auto recipe = allocator->allocate(budget->first);
    if (!recipe) {
        return fail(recipe.error());
    }
    probe::MeasureRequest request;
    request.calibOverride = a.calib;
    for (const std::string &f : a.uniform) {
        const auto id = parseFormatArg(f);
        if (!id) {
            return fail(id.error());
        }
        request.uniform.push_back(*id);
    }
    request.recipe = core::pipeline::formatsOf(inv, *recipe);
    request.recipeLabel = core::pipeline::recipeVariantName(*recipe);
    request.recipePredicted = recipe->cost;

    ProgressPrinter progress;
    const core::JobContext ctx(progress.callback(), progress.logger());
    auto measured = probe::measureRun(*run, a.runDir, request, backends().preferred(), ctx);
    progress.finish();
    if (!measured) {
        return fail(measured.error());
    }
    for (const std::string &note : measured->notes) {
        fmt::print(stderr, "note: {}\n", note);
    }
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const core::pipeline::MeasuredPoint &p : measured->points) {
        rows.push_back({{"variant", p.variant},
                        {"bytes", p.bytes},
                        {"bits_per_linear_param", p.bitsPerLinearParam},
                        {"perplexity", p.perplexity},
                        {"mean_kl", p.meanKl},
                        {"tokens", p.tokens}});
    }
    const nlohmann::ordered_json doc = {
            {"schema", "prismaquant.compare/1"},
            {"run_dir", a.runDir},
            {"model_dir", run->modelDir},
            {"at", a.at},
            {"budget_bytes", budget->first},
            {"held_out", nlohmann::ordered_json::parse(measured->heldOut.toJson())},
            {"rows", rows}};
    if (auto st = core::writeFileAtomically(a.runDir + "/compare.json", doc.dump(2) + "\n"); !st) {
        return fail(st.error());
    }
    // the Studio draws every measured point of the run beside its curve; recorded after the
    // table is out, so that a damaged evaluations.json costs nothing of this comparison
    const auto record = [&] {
        const core::Status st = core::pipeline::recordEvaluations(a.runDir, measured->points);
        return st ? EXIT_OK : fail(st.error());
    };
    if (a.json) {
        fmt::print("{}\n", doc.dump(2));
        return record();
    }
    if (a.csv) {
        fmt::print("variant,bytes,bits_per_linear_param,perplexity,mean_kl\n");
        for (const auto &r : rows) {
            fmt::print("\"{}\",{},{:.4f},{:.6f},{:.6f}\n", r["variant"].get<std::string>(),
                       r["bytes"].get<std::uint64_t>(), r["bits_per_linear_param"].get<double>(),
                       r["perplexity"].get<double>(), r["mean_kl"].get<double>());
        }
        return record();
    }
    fmt::print("Held-out quality at {} ({} budget; {} held-out tokens, KL against the source)\n\n",
               budget->second, core::formatBytes(budget->first), measured->points.front().tokens);
    fmt::print("| variant | size | bits / Linear param | perplexity | KL (nats/token) |\n");
    fmt::print("|---|---:|---:|---:|---:|\n");
    for (const auto &r : rows) {
        fmt::print("| {} | {} | {:.2f} | {:.4f} | {:.6f} |\n", r["variant"].get<std::string>(),
                   core::formatBytes(r["bytes"].get<std::uint64_t>()),
                   r["bits_per_linear_param"].get<double>(), r["perplexity"].get<double>(),
                   r["mean_kl"].get<double>());
    }
    const int rc = record();
    if (rc == EXIT_OK) {
        fmt::print("\nwrote {0}/compare.json and added its rows to {0}/evaluations.json\n",
                   a.runDir);
    }
    return rc;
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
            ->required();  // the engine says what the path is instead (docs/errors.md)
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
    sub->add_flag("--json", a->json, "print the --out document instead of the table");
    registry.add(sub, [a] { return runEval(*a); });

    auto c = std::make_shared<CompareArgs>();
    CLI::App *cs = app.add_subcommand(
            "compare",
            "Evaluate, on the probe's held-out windows, the source model, uniform formats and "
            "the measured recipe at one size: bytes, bits per Linear parameter, perplexity and "
            "KL against the source, as a Markdown table (or --csv / --json) ready for a model "
            "card. Also writes RUN_DIR/compare.json and adds the rows to RUN_DIR/evaluations.json "
            "(the Studio draws them beside the Pareto curve).\n\n"
            "Examples:\n  prismaquant compare runs/l1b --at NVFP4A16   # at uniform NVFP4A16's "
            "size\n  prismaquant compare runs/l1b --at 4.5        # bits per Linear parameter\n"
            "  prismaquant compare runs/l1b --at 6GB --csv");
    cs->add_option("RUN_DIR", c->runDir, "run directory with sensitivity.json")->required();
    cs->add_option("--at", c->at,
                   "the recipe's size: a format name (its uniform size), bits per Linear "
                   "parameter (4.5), or bytes (4.2MB, 20GiB)")
            ->required();
    cs->add_option("--uniform", c->uniform, "uniform formats beside the recipe")
            ->delimiter(',')
            ->capture_default_str();
    cs->add_option("--menu", c->menu,
                   "formats the recipe may use (default: what the probe measured, and BF16)")
            ->delimiter(',');
    cs->add_flag("--mix-4bit-families", c->mix4bit,
                 "allow NVFP4, MXFP4 and INT4 in one recipe (as allocate)");
    cs->add_option("--model", c->modelDir, "model directory (default: the probe's)");
    cs->add_option("--calib", c->calib,
                   "the probe's calibration text (default: the file it recorded)");
    auto *csv = cs->add_flag("--csv", c->csv, "CSV instead of Markdown");
    cs->add_flag("--json", c->json, "the compare.json document")->excludes(csv);
    registry.add(cs, [c] { return runCompare(*c); });
}

}  // namespace pq::cli
