// SPDX-License-Identifier: MIT
// `prismaquant synth CONFIG_JSON --out DIR`: a random-weight checkpoint with a real model's
// shapes, for benchmarks, tests and trying the tool without downloading a model.
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "app/cli/progress.h"
#include "core/model/synthetic_checkpoint.h"
#include "core/util/atomic_file.h"

namespace pq::cli {
namespace {

struct SynthArgs
{
    std::string config;
    std::string outDir;
    std::uint64_t seed = 0;
    double shardGb = 5.0;
    bool json = false;
};

int runSynth(const SynthArgs &args)
{
    auto text = core::readSmallFile(args.config, 16ULL << 20U);
    if (!text) {
        return fail(text.error());
    }
    core::CheckpointWriterOptions options;
    options.maxShardBytes = static_cast<std::uint64_t>(args.shardGb * 1e9);
    ProgressPrinter progress;
    core::JobContext ctx(progress.callback());
    const core::Status st =
            core::writeSyntheticCheckpoint(*text, args.outDir, args.seed, options, ctx);
    progress.finish();
    if (!st) {
        return fail(st.error());
    }
    if (args.json) {
        fmt::print("{}\n", nlohmann::ordered_json{{"out_dir", args.outDir},
                                                  {"config", args.config},
                                                  {"seed", args.seed}}
                                   .dump(2));
    } else {
        fmt::print("wrote a random-weight checkpoint to {}\n", args.outDir);
    }
    return EXIT_OK;
}

}  // namespace

void registerSynth(CLI::App &app, CommandRegistry &registry)
{
    auto args = std::make_shared<SynthArgs>();
    CLI::App *sub = app.add_subcommand(
            "synth",
            "Write a checkpoint with random weights and the tensor names and shapes a config.json "
            "describes (for benchmarks and tests; it knows nothing).\n\n"
            "Example:\n  prismaquant synth ~/models/Qwen3-8B/config.json --out "
            "/tmp/qwen3-8b-random");
    sub->add_option("CONFIG_JSON", args->config, "a Hugging Face config.json")
            ->required()
            ->check(CLI::ExistingFile);
    sub->add_option("--out", args->outDir, "output directory (created)")->required();
    sub->add_option("--seed", args->seed, "random seed")->capture_default_str();
    sub->add_option("--shard-gb", args->shardGb, "largest shard in GB")->capture_default_str();
    sub->add_flag("--json", args->json, "print the result as JSON");
    registry.add(sub, [args] { return runSynth(*args); });
}

}  // namespace pq::cli
