// SPDX-License-Identifier: MIT
// The pipeline's stages as the CLI runs them. Each subcommand (`probe`, `allocate`, `pareto`,
// `export`) parses its options into one of these structs and calls its stage function; `run`
// fills the same structs and calls the same functions, so a stage behaves identically whether it
// runs alone or inside the pipeline. Each function prints its own report and returns an exit code
// (exit_codes.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pq::cli {

/** `prismaquant probe`: measure each Linear's sensitivity into RUN_DIR/sensitivity.json. */
struct ProbeArgs
{
    std::string modelDir;
    std::string calib;
    std::string outDir;
    std::uint64_t samples = 64;
    std::uint64_t seqLen = 512;
    std::uint64_t heldOut = 16;
    std::uint64_t seed = 0;
    std::uint64_t outputTokens = 256;
    std::string device = "cpu";
    std::string memoryLimit;
    std::uint64_t minExpertTokens = 16;
    std::string shard;  ///< "I/N": measure slice I of N of the calibration windows
    bool restart = false;
    bool json = false;
    std::vector<std::string> formats = {"NVFP4",       "NVFP4A16", "MXFP4", "MXFP8",
                                        "FP8_DYNAMIC", "W4A16",    "W8A16"};
};

/** `prismaquant allocate` / `pareto`: a recipe for one size target, or the curve. */
struct AllocArgs
{
    std::string runDir;
    std::string modelDir;  ///< default: the model the probe ran on
    bool dataFree = false;
    std::vector<std::string> formats;
    std::vector<std::string> pins;
    std::vector<std::string> forbids;
    bool mix4bit = false;
    bool allowUnservable = false;
    // targets (allocate)
    std::optional<double> targetBits;
    std::string targetSize;
    std::string fitVram;
    std::uint64_t context = 8192;
    std::uint64_t batch = 1;
    std::string kvDtype = "bf16";
    std::string overhead = "1.5GiB";
    bool json = false;
    bool csv = false;         // pareto (json: the curve as JSON)
    bool printCurve = false;  // allocate: also print the curve and its knee (as pareto does)
};

/** `prismaquant export`: a compressed-tensors checkpoint from a recipe or a uniform format. */
struct ExportArgs
{
    std::string modelDir;
    std::string recipe;   ///< recipe.json, or the run directory holding it
    std::string uniform;  ///< a format name
    std::string outDir;
    std::string runDir;  ///< input maxima (default: the recipe's run directory)
    std::string shardSize = "5GB";
    bool force = false;
    bool json = false;
};

#ifdef PQ_HAVE_TORCH
int runProbeStage(const ProbeArgs &a);
#endif
int runAllocateStage(const AllocArgs &a);
int runParetoStage(const AllocArgs &a);
int runExportStage(const ExportArgs &a);

}  // namespace pq::cli
