// SPDX-License-Identifier: MIT
// `prismaquant merge SHARD_DIR... --out RUN_DIR`: combines the shards of a probe split with
// `prismaquant probe --shard I/N` into the RUN_DIR/sensitivity.json one unsplit probe writes
// (core/data/shard_merge.h says what is exact and what is estimated).
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "core/data/shard_merge.h"
#include "core/pipeline/evaluations.h"
#include "core/util/atomic_file.h"

namespace pq::cli {
namespace {

namespace fs = std::filesystem;

struct MergeArgs
{
    std::vector<std::string> shardDirs;
    std::string outDir;
    bool json = false;
};

/** The shard report in `dir` (a run directory of `probe --shard`). */
core::Result<core::data::SensitivityReport> readShard(const std::string &dir)
{
    const std::string path = (fs::path(dir) / "sensitivity.json").string();
    auto text = core::readSmallFile(path, 1ULL << 32U);
    if (!text) {
        return core::makeError(core::ErrorCode::NotFound,
                               "no probe results here: each argument must be the --out directory "
                               "of one `prismaquant probe --shard I/N`")
                .withPath(path);
    }
    auto report = core::data::SensitivityReport::fromJson(*text);
    if (!report) {
        return std::move(report).error().withPath(path);
    }
    if (!report->shard) {
        return core::makeError(core::ErrorCode::InvalidFormat,
                               "this is the report of a whole probe, not of a shard: merge "
                               "combines the directories of `prismaquant probe --shard I/N`")
                .withPath(path);
    }
    return report;
}

/** Whether `a` and `b` name the same directory (either may not exist yet). */
bool sameDir(const std::string &a, const std::string &b)
{
    std::error_code ea;
    std::error_code eb;
    const fs::path pa = fs::weakly_canonical(a, ea);
    const fs::path pb = fs::weakly_canonical(b, eb);
    return !ea && !eb && pa == pb;
}

int runMerge(const MergeArgs &a)
{
    std::vector<core::data::SensitivityReport> shards;
    for (const std::string &dir : a.shardDirs) {
        if (sameDir(dir, a.outDir)) {
            return fail(core::makeError(core::ErrorCode::InvalidArgument,
                                        "--out is one of the shard directories: its results "
                                        "would be replaced; name a new directory")
                                .withPath(a.outDir));
        }
        auto shard = readShard(dir);
        if (!shard) {
            return fail(shard.error());
        }
        shards.push_back(std::move(*shard));
    }
    const std::size_t count = shards.size();
    auto merged = core::data::mergeShards(std::move(shards));
    if (!merged) {
        return fail(merged.error());
    }
    std::error_code ec;
    fs::create_directories(a.outDir, ec);
    if (ec) {
        return fail(
                core::makeError(core::ErrorCode::Io,
                                fmt::format("cannot create the run directory: {}", ec.message()))
                        .withPath(a.outDir));
    }
    const std::string dir = (fs::path(a.outDir) / "").string();
    core::Status st = core::writeFileAtomically(
            dir + "calibration.json",
            nlohmann::ordered_json::parse(merged->calibrationJson).dump(1) + "\n");
    if (st) {
        st = core::writeFileAtomically(dir + "sensitivity.json", merged->toJson() + "\n");
    }
    if (!st) {
        return fail(st.error());
    }
    if (auto retired = core::pipeline::retireEvaluations(a.outDir); !retired) {
        return fail(retired.error());
    } else if (*retired) {
        fmt::print(stderr, "note: the measured points of the previous report were moved to "
                           "evaluations.previous.json\n");
    }
    std::size_t priors = 0;
    for (const core::data::LinearSensitivity &l : merged->linears) {
        priors += l.prior ? 1 : 0;
    }
    if (a.json) {
        const nlohmann::ordered_json j{{"out_dir", a.outDir},
                                       {"shards", count},
                                       {"linears", merged->linears.size()},
                                       {"tokens", merged->tokens},
                                       {"mean_loss", merged->meanLoss},
                                       {"prior_experts", priors}};
        fmt::print("{}\n", j.dump(2));
        return EXIT_OK;
    }
    fmt::print("merged {} shards: {} Linears on {} tokens (mean loss {:.4f}){}; wrote "
               "{}sensitivity.json\n",
               count, merged->linears.size(), merged->tokens, merged->meanLoss,
               priors > 0 ? fmt::format(", {} rarely routed experts on the layer's prior", priors)
                          : std::string(),
               dir);
    return EXIT_OK;
}

}  // namespace

void registerMerge(CLI::App &app, CommandRegistry &registry)
{
    auto a = std::make_shared<MergeArgs>();
    CLI::App *sub = app.add_subcommand(
            "merge",
            "Combine the shards of a probe split with `prismaquant probe --shard I/N` "
            "(one per machine or GPU) into RUN_DIR/sensitivity.json, as one probe over "
            "all the calibration windows would have written it: Fisher and cost sums "
            "add. Allocate, pareto, export and eval then use RUN_DIR.\n\n"
            "Example:\n  prismaquant merge runs/q8b-shard1 runs/q8b-shard2 --out runs/q8b");
    sub->add_option("SHARD_DIR", a->shardDirs, "the --out directory of each shard")->required();
    sub->add_option("--out", a->outDir, "run directory for the combined results")->required();
    sub->add_flag("--json", a->json, "print the result as JSON");
    registry.add(sub, [a] { return runMerge(*a); });
}

}  // namespace pq::cli
