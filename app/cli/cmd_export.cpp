// SPDX-License-Identifier: MIT
// `prismaquant export MODEL_DIR (--recipe RECIPE | --uniform FORMAT) --out OUT_DIR`: write a
// compressed-tensors checkpoint that vLLM serves (DESIGN.md §6, core/export/exporter.h).
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli/backends.h"
#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "app/cli/interrupt.h"
#include "app/cli/progress.h"
#include "app/cli/stages.h"
#include "core/data/sensitivity_report.h"
#include "core/export/exporter.h"
#include "core/quant/format_spec.h"
#include "core/util/human.h"

namespace pq::cli {
namespace {

namespace fs = std::filesystem;

/** The formats to export and a line saying where they came from. */
core::Result<core::ct::FormatMap> chooseFormats(const ExportArgs &a,
                                                const core::ModelInventory &inv,
                                                std::string &recipePath,
                                                std::string &label)
{
    if (!a.uniform.empty()) {
        const auto id = parseFormatArg(a.uniform);
        if (!id) {
            return id.error();
        }
        std::vector<std::string> kept;
        auto formats = core::ct::uniformFormats(inv, *id, &kept);
        label = fmt::format("uniform {}", core::quant::formatInfo(*id).name);
        if (!kept.empty()) {
            fmt::print(stderr,
                       "note: {} Linears stay BF16 (their fused group cannot take {}), "
                       "e.g. {}\n",
                       kept.size(), core::quant::formatInfo(*id).name, kept.front());
        }
        return formats;
    }
    recipePath =
            fs::is_directory(a.recipe) ? (fs::path(a.recipe) / "recipe.json").string() : a.recipe;
    std::string summary;
    auto formats = core::ct::formatsFromRecipe(inv, recipePath, &summary);
    label = fmt::format("recipe {}: {}", recipePath, summary);
    return formats;
}

}  // namespace

int runExportStage(const ExportArgs &a)
{
    ProgressPrinter progress;
    core::JobContext ctx(progress.callback(), progress.logger());
    const InterruptScope interrupts(ctx);  // from the start: Ctrl-C always ends in a clean state
    auto inv = core::inventoryModelDir(a.modelDir);
    if (!inv) {
        return fail(inv.error());
    }
    auto shardBytes = core::parseByteSize(a.shardSize);
    if (!shardBytes || *shardBytes == 0) {
        return fail(shardBytes ? core::makeError(core::ErrorCode::InvalidArgument,
                                                 "--shard-size must be positive")
                               : shardBytes.error());
    }
    std::string recipePath;
    core::ct::ExportRequest req;
    auto formats = chooseFormats(a, *inv, recipePath, req.recipe);
    if (!formats) {
        return fail(formats.error());
    }
    // W4A4 needs the probe's input maxima: from --run, else beside the recipe when there.
    std::string runDir = a.runDir;
    if (runDir.empty() && !recipePath.empty()) {
        const fs::path dir = fs::path(recipePath).parent_path();
        if (fs::exists(dir / "sensitivity.json")) {
            runDir = dir.string();
        }
    }
    if (!runDir.empty()) {
        auto amax = core::data::readInputMaxima(runDir);
        if (!amax) {
            return fail(amax.error());
        }
        req.inputAmax = std::move(*amax);
    }
    req.modelDir = a.modelDir;
    req.outDir = a.outDir;
    req.formats = std::move(*formats);
    req.toolVersion = PQ_VERSION;
    req.maxShardBytes = *shardBytes;
    req.force = a.force;

    auto result = core::ct::exportCheckpoint(req, backends().preferred(), ctx);
    progress.finish();
    if (!result) {
        return fail(result.error());
    }
    std::vector<std::string> mix;
    for (const auto &[format, n] : result->linearsByFormat) {
        mix.push_back(fmt::format("{} {}", n, format));
    }
    if (a.json) {
        const nlohmann::ordered_json j{{"out_dir", result->outDir},
                                       {"recipe", req.recipe},
                                       {"tensors", result->tensors},
                                       {"tensor_bytes", result->tensorBytes},
                                       {"source_tensor_bytes", result->sourceBytes},
                                       {"shards", result->shards},
                                       {"linears_by_format", result->linearsByFormat},
                                       {"copied_files", result->copiedFiles}};
        fmt::print("{}\n", j.dump(2));
        return EXIT_OK;
    }
    fmt::print("exported {}\n  from    {}\n  Linears {}\n  tensors {} in {} shard{}, {} "
               "(source {})\n  copied  {}\n",
               result->outDir, req.recipe, fmt::join(mix, " · "), result->tensors, result->shards,
               result->shards == 1 ? "" : "s", core::formatBytes(result->tensorBytes),
               core::formatBytes(result->sourceBytes),
               result->copiedFiles.empty()
                       ? std::string("nothing")
                       : fmt::format("{}", fmt::join(result->copiedFiles, ", ")));
    return EXIT_OK;
}

void registerExport(CLI::App &app, CommandRegistry &registry)
{
    auto a = std::make_shared<ExportArgs>();
    CLI::App *sub = app.add_subcommand(
            "export",
            "Write a compressed-tensors checkpoint that vLLM serves without patches: each Linear "
            "in the format of a recipe (from `prismaquant allocate`) or one uniform format. "
            "Written into a temporary directory beside OUT_DIR and renamed into place only when "
            "complete; the source is never modified. NVFP4 (W4A4) needs the probe's input "
            "maxima (found beside the recipe, or --run).\n\nExamples:\n"
            "  prismaquant export ~/models/Qwen3-8B --recipe runs/q8b/recipe.json --out "
            "~/models/Qwen3-8B-pq\n"
            "  prismaquant export ~/models/Qwen3-8B --uniform NVFP4A16 --out "
            "~/models/Qwen3-8B-nvfp4a16");
    sub->add_option("MODEL_DIR", a->modelDir, "source model directory")
            ->required();  // the engine says what the path is instead (docs/errors.md)
    auto *recipe = sub->add_option("--recipe", a->recipe,
                                   "recipe.json of `prismaquant allocate` (or its run directory)");
    auto *uniform = sub->add_option("--uniform", a->uniform,
                                    "one format for every Linear that can take it (e.g. NVFP4A16)");
    recipe->excludes(uniform);
    uniform->excludes(recipe);
    sub->add_option("--out", a->outDir, "directory to create")->required();
    sub->add_option("--run", a->runDir,
                    "probe run directory with sensitivity.json (input maxima for NVFP4 W4A4)");
    sub->add_option("--shard-size", a->shardSize, "largest shard (e.g. 5GB, 500MB)")
            ->capture_default_str();
    sub->add_flag("--force", a->force,
                  "replace an existing OUT_DIR (once the new export is complete)");
    sub->add_flag("--json", a->json, "print the result as JSON");
    registry.add(sub, [a, sub] {
        if (a->recipe.empty() && a->uniform.empty()) {
            fmt::print(stderr, "error: give --recipe RECIPE or --uniform FORMAT\n{}", sub->help());
            return EXIT_USAGE;
        }
        return runExportStage(*a);
    });
}

}  // namespace pq::cli
