// SPDX-License-Identifier: MIT
// `prismaquant inspect MODEL_DIR [--json] [--linears]`: the model inventory.
#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "core/export/compressed_checkpoint.h"
#include "core/model/inventory_report.h"

namespace pq::cli {
namespace {

struct InspectArgs
{
    std::string modelDir;
    bool json = false;
    bool linears = false;
};

int runInspect(const InspectArgs &args)
{
    auto inv = core::inventoryModelDir(args.modelDir);
    if (!inv) {
        return fail(inv.error());
    }
    core::InspectOptions options;
    options.modelDir = args.modelDir;
    options.includeLinears = args.linears;
    // A compressed-tensors checkpoint (ours or another tool's): its schemes, read back.
    std::optional<core::ct::CompressedSummary> compressed;
    if (inv->config.quantMethod == "compressed-tensors") {
        auto rb = core::ct::CompressedCheckpoint::open(args.modelDir);
        if (!rb) {
            return fail(rb.error());
        }
        compressed = core::ct::summarize(*rb);
    }
    if (args.json) {
        auto j = nlohmann::ordered_json::parse(core::inventoryToJson(*inv, options));
        if (compressed) {
            j["compressed_tensors"] = nlohmann::ordered_json::parse(summaryToJson(*compressed));
        }
        fmt::print("{}\n", j.dump(2));
    } else {
        fmt::print("{}", core::inventoryToText(*inv, options));
        if (compressed) {
            fmt::print("{}", summaryToText(*compressed));
        }
    }
    return EXIT_OK;
}

}  // namespace

void registerInspect(CLI::App &app, CommandRegistry &registry)
{
    auto args = std::make_shared<InspectArgs>();
    CLI::App *sub = app.add_subcommand(
            "inspect",
            "Show what a model directory holds: architecture, profile, parameters and bytes by "
            "role, Linears and fused groups, MoE layout, MTP, passthrough, source dtype.\n"
            "Works with weights, with only config.json + model.safetensors.index.json, or with "
            "config.json alone (shapes derived from the config).\n\n"
            "Examples:\n  prismaquant inspect examples/demo-llama\n"
            "  prismaquant inspect ~/models/Qwen3-30B-A3B --json --linears");
    // No CLI::ExistingDirectory check: the engine says what the path is instead (a GGUF file,
    // a single .safetensors file, nothing at all) and what to give, with exit status 2.
    sub->add_option("MODEL_DIR", args->modelDir, "Hugging Face model directory")->required();
    sub->add_flag("--json", args->json, "Print the documented JSON (docs/inspect-json.md)");
    sub->add_flag("--linears", args->linears, "With --json: include every Linear");
    registry.add(sub, [args] { return runInspect(*args); });
}

}  // namespace pq::cli
