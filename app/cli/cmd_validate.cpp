// SPDX-License-Identifier: MIT
// `prismaquant validate MODEL_DIR [--json]`: structural checks of a model, each ✓/✗ with a reason.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "core/model/validate.h"

namespace pq::cli {
namespace {

struct ValidateArgs
{
    std::string modelDir;
    bool json = false;
};

int runValidate(const ValidateArgs &args)
{
    auto inv = core::inventoryModelDir(args.modelDir);
    if (!inv) {
        return fail(inv.error());
    }
    const auto checks = core::validateModel(*inv);
    if (args.json) {
        fmt::print("{}\n", core::validationToJson(*inv, checks, args.modelDir));
    } else {
        fmt::print("{}", core::validationToText(*inv, checks, args.modelDir));
    }
    return core::allPassed(checks) ? EXIT_OK : EXIT_INPUT;
}

}  // namespace

void registerValidate(CLI::App &app, CommandRegistry &registry)
{
    auto args = std::make_shared<ValidateArgs>();
    CLI::App *sub = app.add_subcommand(
            "validate",
            "Check that a model directory can go through PrismaQuant: profile, every tensor "
            "classified, not already quantized, fused groups complete and shape-consistent, "
            "expert layout, vLLM module names, passthrough prefixes, MTP block, menu formats "
            "and the probe's forward pass. Each check prints ✓ or ✗ with a one-line reason "
            "(docs/validate.md).\n"
            "Exit status: 0 when every check passes, 2 when one fails or the directory cannot "
            "be read, 1 on a bad command line.\n\n"
            "Examples:\n  prismaquant validate examples/demo-llama\n"
            "  prismaquant validate ~/models/Qwen3-30B-A3B --json | jq '.checks[] | "
            "select(.ok | not)'");
    // No CLI::ExistingDirectory check: the engine says what the path is instead (a GGUF file,
    // a single .safetensors file, nothing at all) and what to give, with exit status 2.
    sub->add_option("MODEL_DIR", args->modelDir, "Hugging Face model directory")->required();
    sub->add_flag("--json", args->json, "Print the documented JSON (docs/validate.md)");
    registry.add(sub, [args] { return runValidate(*args); });
}

}  // namespace pq::cli
