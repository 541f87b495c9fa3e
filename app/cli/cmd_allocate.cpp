// SPDX-License-Identifier: MIT
// `prismaquant allocate RUN_DIR …` (a recipe for one size target: RUN_DIR/recipe.json and
// pareto.csv) and `prismaquant pareto RUN_DIR` (the predicted size/quality curve and its knee).
// Costs come from the probe's RUN_DIR/sensitivity.json, or with --data-free from plain weight
// errors measured here. No libtorch needed.
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli/backends.h"
#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "app/cli/progress.h"
#include "app/cli/stages.h"
#include "core/alloc/allocation.h"
#include "core/alloc/data_free.h"
#include "core/data/sensitivity_report.h"
#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/pipeline/pins.h"
#include "core/pipeline/run_costs.h"
#include "core/quant/format_spec.h"
#include "core/util/atomic_file.h"
#include "core/util/human.h"

namespace pq::cli {
namespace {

namespace alloc = core::alloc;

/** "REGEX=FORMAT" (the last '=' splits, so the regex may contain '='). */
core::Result<std::pair<std::string, core::quant::FormatId>> ruleArg(const std::string &text,
                                                                    const char *option)
{
    const auto eq = text.rfind('=');
    if (eq == std::string::npos || eq == 0) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               fmt::format("{} '{}': write REGEX=FORMAT, e.g. "
                                           "'mlp\\.down_proj=MXFP8'",
                                           option, text));
    }
    auto f = parseFormatArg(text.substr(eq + 1));
    if (!f) {
        return std::move(f).error();
    }
    return std::pair{text.substr(0, eq), *f};
}

struct Loaded
{
    core::ModelInventory inventory;
    alloc::LinearCosts costs;
    std::string modelDir;
};

core::Result<Loaded> load(const AllocArgs &a)
{
    Loaded out;
    if (!a.dataFree) {
        auto run = core::pipeline::loadRunCosts(a.runDir, a.modelDir);
        if (!run) {
            return std::move(run).error();
        }
        out.modelDir = std::move(run->modelDir);
        out.inventory = std::move(run->inventory);
        out.costs = std::move(run->costs);
        return out;
    }
    if (a.modelDir.empty()) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "--data-free needs --model MODEL_DIR (there is no probe run to "
                               "name the model)");
    }
    out.modelDir = a.modelDir;
    auto inv = core::inventoryModelDir(out.modelDir);
    if (!inv) {
        return std::move(inv).error();
    }
    PQ_TRY_STATUS(inv->checkQuantizable());
    out.inventory = std::move(*inv);
    auto cp = core::Checkpoint::open(out.modelDir);
    if (!cp) {
        return std::move(cp).error();
    }
    std::vector<core::quant::FormatId> menu;
    for (const core::quant::FormatInfo &f : core::quant::allFormats()) {
        if (f.servable || a.allowUnservable) {
            menu.push_back(f.id);
        }
    }
    ProgressPrinter progress;
    const core::JobContext ctx(progress.callback(), progress.logger());
    auto costs = alloc::dataFreeCosts(out.inventory, *cp, menu, backends().preferred(), ctx);
    progress.finish();
    if (!costs) {
        return std::move(costs).error();
    }
    out.costs = std::move(*costs);
    return out;
}

core::Result<alloc::Constraints> constraints(const AllocArgs &a)
{
    alloc::Constraints c;
    c.mix4bitFamilies = a.mix4bit;
    c.allowUnservable = a.allowUnservable;
    for (const std::string &f : a.formats) {
        auto id = parseFormatArg(f);
        if (!id) {
            return std::move(id).error();
        }
        c.menu.push_back(*id);
    }
    for (const auto &[list, out, name] :
         {std::tuple{&a.pins, &c.pins, "--pin"}, std::tuple{&a.forbids, &c.forbids, "--forbid"}}) {
        for (const std::string &r : *list) {
            auto rule = ruleArg(r, name);
            if (!rule) {
                return std::move(rule).error();
            }
            out->push_back(*rule);
        }
    }
    // the pins the Studio keeps in the run directory hold here too
    if (!a.dataFree) {
        auto saved = core::pipeline::readPins(a.runDir);
        if (!saved) {
            return std::move(saved).error();
        }
        for (const core::pipeline::Pin &p : *saved) {
            c.pins.emplace_back(p.pattern, p.format);
        }
        if (!saved->empty()) {
            fmt::print(stderr, "honouring {} pin(s) from {}/pins.json (set in the Studio)\n",
                       saved->size(), a.runDir);
        }
    }
    return c;
}

/** The total-bytes budget the target asks for, and how it was computed. */
core::Result<std::pair<std::uint64_t, std::string>> budget(const AllocArgs &a,
                                                           const alloc::Allocator &allocator)
{
    const int given =
            (a.targetBits ? 1 : 0) + (a.targetSize.empty() ? 0 : 1) + (a.fitVram.empty() ? 0 : 1);
    if (given != 1) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "give exactly one target: --target-bits B, --target-size SIZE or "
                               "--fit-vram SIZE --context N");
    }
    if (a.targetBits) {
        if (!(*a.targetBits > 0.0)) {
            return core::makeError(core::ErrorCode::InvalidArgument,
                                   "--target-bits must be positive");
        }
        const std::uint64_t b = allocator.bytesForBits(*a.targetBits);
        return std::pair{
                b, fmt::format("{} bits per Linear parameter: {} of Linears + {} fixed = "
                               "{}",
                               *a.targetBits, core::formatBytes(b - allocator.fixedBytes()),
                               core::formatBytes(allocator.fixedBytes()), core::formatBytes(b))};
    }
    if (!a.targetSize.empty()) {
        auto b = core::parseByteSize(a.targetSize);
        if (!b) {
            return std::move(b).error();
        }
        return std::pair{*b, fmt::format("size {} ({} bytes)", a.targetSize, *b)};
    }
    alloc::VramTarget v;
    auto vram = core::parseByteSize(a.fitVram);
    auto over = core::parseByteSize(a.overhead);
    if (!vram || !over) {
        return !vram ? std::move(vram).error() : std::move(over).error();
    }
    v.vramBytes = *vram;
    v.overheadBytes = *over;
    v.context = a.context;
    v.batch = a.batch;
    v.kvBytesPerElement = a.kvDtype == "fp8" ? 1 : 2;
    auto vb = alloc::vramBudget(allocator.inventory().config, v);
    if (!vb) {
        return std::move(vb).error();
    }
    return std::pair{vb->budgetBytes, vb->arithmetic};
}

void addShared(CLI::App *sub, AllocArgs &a)
{
    sub->add_option("RUN_DIR", a.runDir, "run directory of `prismaquant probe`")->required();
    sub->add_option("--model", a.modelDir,
                    "model directory (default: the one the probe ran on; required with "
                    "--data-free)");
    sub->add_flag("--data-free", a.dataFree,
                  "no probe: price formats by plain weight error (a weaker guess)");
    sub->add_option("--formats", a.formats, "the format menu (default: what the probe measured)")
            ->delimiter(',');
    sub->add_option("--pin", a.pins, "REGEX=FORMAT: Linears matching REGEX take FORMAT");
    sub->add_option("--forbid", a.forbids,
                    "REGEX=FORMAT: Linears matching REGEX never take FORMAT");
    sub->add_flag("--mix-4bit-families", a.mix4bit,
                  "allow NVFP4, MXFP4 and INT4 in one recipe (default: the best single family)");
    sub->add_flag("--allow-unservable", a.allowUnservable,
                  "allow formats vLLM cannot load from compressed-tensors");
}

void printCurve(const std::vector<alloc::CurvePoint> &curve, const alloc::Knee &knee)
{
    fmt::print("{:>10}  {:>12}  {:>13}  {}\n", "bpp", "size", "predicted Δ", "formats");
    for (std::size_t i = 0; i < curve.size(); ++i) {
        const auto &p = curve[i];
        std::string counts;
        for (const auto &[f, n] : p.counts) {
            counts += fmt::format("{}{} {}", counts.empty() ? "" : " · ", n,
                                  core::quant::formatInfo(f).name);
        }
        fmt::print("{:>10.3f}  {:>12}  {:>13.6g}  {}{}\n", p.bitsPerLinearParam,
                   core::formatBytes(p.totalBytes), p.cost, counts,
                   i == knee.index ? "   ← knee" : "");
    }
    fmt::print("knee: {}\n", knee.reason);
}

/** `pareto --json`: the curve's points (as pareto.csv's columns) and its knee. */
nlohmann::ordered_json
curveJson(const std::vector<alloc::CurvePoint> &curve, const alloc::Knee &knee, bool dataFree)
{
    nlohmann::ordered_json points = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < curve.size(); ++i) {
        const alloc::CurvePoint &p = curve[i];
        nlohmann::ordered_json counts = nlohmann::ordered_json::object();
        for (const auto &[f, n] : p.counts) {
            counts[std::string(core::quant::formatInfo(f).name)] = n;
        }
        points.push_back({{"label", p.label},
                          {"total_bytes", p.totalBytes},
                          {"bits_per_linear_param", p.bitsPerLinearParam},
                          {"predicted_dloss", p.cost},
                          {"knee", i == knee.index},
                          {"counts", counts}});
    }
    return {{"data_free", dataFree},
            {"knee", {{"index", knee.index}, {"reason", knee.reason}}},
            {"points", points}};
}

/** The model, its costs and the allocator built from the shared options. */
struct Prepared
{
    Loaded loaded;
    std::optional<alloc::Allocator> allocator;  // points into `loaded`: never copy a Prepared
};

core::Result<std::unique_ptr<Prepared>> prepare(const AllocArgs &a)
{
    auto c = constraints(a);
    if (!c) {
        return std::move(c).error();
    }
    auto loaded = load(a);
    if (!loaded) {
        return std::move(loaded).error();
    }
    auto p = std::make_unique<Prepared>();
    p->loaded = std::move(*loaded);
    auto allocator = alloc::Allocator::create(p->loaded.inventory, p->loaded.costs, *c);
    if (!allocator) {
        return std::move(allocator).error();
    }
    p->allocator = std::move(*allocator);
    return p;
}

}  // namespace

int runAllocateStage(const AllocArgs &a)
{
    auto prepared = prepare(a);
    if (!prepared) {
        return fail(prepared.error());
    }
    const Loaded *loaded = &(*prepared)->loaded;
    const alloc::Allocator *allocator = &*(*prepared)->allocator;
    auto target = budget(a, *allocator);
    if (!target) {
        return fail(target.error());
    }
    auto result = allocator->allocate(target->first);
    if (!result) {
        return fail(result.error());
    }
    std::vector<alloc::CurvePoint> curve = allocator->hull();
    const alloc::Knee knee = alloc::findKnee(curve);
    if (a.printCurve && !a.json) {
        printCurve(curve, knee);
        fmt::print("\n");
    }
    curve.push_back(allocator->point(*result, "target"));
    std::error_code ec;
    std::filesystem::create_directories(a.runDir, ec);
    core::Status st = core::writeFileAtomically(
            a.runDir + "/recipe.json",
            alloc::recipeJson(*allocator, *result, target->second) + "\n");
    if (st) {
        st = core::writeFileAtomically(a.runDir + "/pareto.csv",
                                       alloc::paretoCsv(curve, std::optional{knee}));
    }
    if (!st) {
        return fail(st.error());
    }
    if (a.json) {
        fmt::print("{}\n", alloc::recipeJson(*allocator, *result, target->second));
        return EXIT_OK;
    }
    if (loaded->costs.dataFree) {
        fmt::print("costs: DATA-FREE (plain weight error, no probe): a weaker guess than a probe "
                   "run\n");
    }
    fmt::print("target: {}\n", target->second);
    fmt::print("{}\n", result->summary());
    fmt::print("  {:.3f} bits per Linear parameter, {:.3f} over the whole model ({} fixed "
               "tensors)\n",
               result->bitsPerLinearParam(), result->bitsPerParam(),
               core::formatBytes(result->fixedBytes));
    fmt::print("  {} {:.6g}{}; Lagrangian lower bound {:.6g}; gap {:.3g}{}\n",
               loaded->costs.dataFree ? "weight-error cost" : "predicted Δloss", result->cost,
               loaded->costs.dataFree ? " (not in nats: data-free)" : " nats/token",
               result->lowerBound, result->cost - result->lowerBound,
               result->exact ? " (optimal)" : " (state limit reached: best found)");
    const auto counts = result->counts();
    const bool any4bit = std::any_of(counts.begin(), counts.end(), [](const auto &c) {
        return core::quant::formatInfo(c.first).nominalBits == 4;
    });
    if (!result->family4.empty() && any4bit) {
        fmt::print("  4-bit family: {} (the best single family at this size; "
                   "--mix-4bit-families allows mixing)\n",
                   result->family4 == "nv"   ? "NVFP4"
                   : result->family4 == "mx" ? "MXFP4"
                                             : "INT4");
    }
    fmt::print("wrote {0}/recipe.json and {0}/pareto.csv ({1} curve points; knee at {2})\n",
               a.runDir, curve.size() - 1, core::formatBytes(curve[knee.index].totalBytes));
    return EXIT_OK;
}

int runParetoStage(const AllocArgs &a)
{
    auto prepared = prepare(a);
    if (!prepared) {
        return fail(prepared.error());
    }
    const Loaded *loaded = &(*prepared)->loaded;
    const alloc::Allocator *allocator = &*(*prepared)->allocator;
    const std::vector<alloc::CurvePoint> curve = allocator->hull();
    const alloc::Knee knee = alloc::findKnee(curve);
    if (a.csv) {
        fmt::print("{}", alloc::paretoCsv(curve, std::optional{knee}));
        return EXIT_OK;
    }
    if (a.json) {
        fmt::print("{}\n", curveJson(curve, knee, loaded->costs.dataFree).dump(2));
        return EXIT_OK;
    }
    if (loaded->costs.dataFree) {
        fmt::print("costs: DATA-FREE (plain weight error, no probe)\n");
    }
    printCurve(curve, knee);
    return EXIT_OK;
}

void registerAllocate(CLI::App &app, CommandRegistry &registry)
{
    auto a = std::make_shared<AllocArgs>();
    CLI::App *sub = app.add_subcommand(
            "allocate",
            "Choose each Linear's format under a size budget from the probe's measurements "
            "(exact knapsack over fused groups; the budget covers the whole artifact). Writes "
            "RUN_DIR/recipe.json and RUN_DIR/pareto.csv.\n\nExamples:\n"
            "  prismaquant allocate runs/l8b --target-bits 4.75\n"
            "  prismaquant allocate runs/l8b --target-size 6GB --pin 'down_proj=MXFP8'\n"
            "  prismaquant allocate runs/q30b --fit-vram 24GiB --context 8192 --kv-dtype fp8");
    addShared(sub, *a);
    sub->add_option("--target-bits", a->targetBits,
                    "bits per quantizable-Linear parameter (scales included)");
    sub->add_option("--target-size", a->targetSize, "whole artifact size, e.g. 22GB or 20GiB");
    sub->add_option("--fit-vram", a->fitVram, "GPU memory the model must fit, e.g. 24GiB");
    sub->add_option("--context", a->context, "tokens of KV cache to leave room for (--fit-vram)")
            ->capture_default_str();
    sub->add_option("--batch", a->batch, "concurrent sequences (--fit-vram)")
            ->capture_default_str();
    sub->add_option("--kv-dtype", a->kvDtype, "KV-cache dtype (--fit-vram)")
            ->check(CLI::IsMember({"bf16", "fp8"}))
            ->capture_default_str();
    sub->add_option("--overhead", a->overhead, "runtime overhead to reserve (--fit-vram)")
            ->capture_default_str();
    sub->add_flag("--json", a->json, "print recipe.json instead of the summary");
    registry.add(sub, [a] { return runAllocateStage(*a); });

    auto p = std::make_shared<AllocArgs>();
    CLI::App *ps = app.add_subcommand(
            "pareto", "The predicted size/quality curve (every vertex of the lower convex hull) "
                      "and its knee.\n\nExample:\n  prismaquant pareto runs/l8b --csv > curve.csv");
    addShared(ps, *p);
    auto *csv = ps->add_flag("--csv", p->csv, "CSV instead of a table");
    ps->add_flag("--json", p->json, "the curve and its knee as JSON")->excludes(csv);
    registry.add(ps, [p] { return runParetoStage(*p); });
}

}  // namespace pq::cli
