// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/export/export_plan.h"
#include "core/quant/quant_backend.h"
#include "core/util/job_context.h"
#include "core/util/result.h"

namespace pq::core::ct {

/** What to export, and how. */
struct ExportRequest
{
    std::string modelDir;                    ///< the source; never written
    std::string outDir;                      ///< must not exist unless `force`
    FormatMap formats;                       ///< every Linear → its format
    std::map<std::string, float> inputAmax;  ///< calibrated max |x| per Linear (NVFP4 W4A4)
    std::string recipe;                      ///< for the manifest: "recipe.json: 127 NVFP4 · …"
    std::string toolVersion;                 ///< for the manifest
    std::uint64_t maxShardBytes = 5'000'000'000ULL;
    bool force = false;  ///< replace an existing outDir (only once the new one is complete)
};

/** What an export wrote. */
struct ExportResult
{
    std::string outDir;
    std::uint64_t tensorBytes = 0;  ///< sum of tensor bytes (the index's total_size)
    std::uint64_t sourceBytes = 0;  ///< tensor bytes of the source checkpoint
    std::size_t tensors = 0;
    std::size_t shards = 0;
    std::map<std::string, std::size_t> linearsByFormat;  ///< format name → Linears
    std::vector<std::string> copiedFiles;                ///< tokenizer, generation config, ...
};

/** The manifest file written beside the checkpoint. */
inline constexpr const char *MANIFEST_FILE = "prismaquant-export.json";

/**
 * Writes a compressed-tensors checkpoint of `request.modelDir` with each Linear in its format
 * (reference/compressed-tensors.md; DESIGN.md §6):
 * - exactly the tensors each format expects (planOutputTensors), NVFP4 global and input global
 *   scales shared as vLLM needs (sharedScales), every other tensor byte-identical;
 * - config.json with `quantization_config` (buildQuantizationConfig); tokenizer files,
 *   generation config and chat template copied; a manifest (MANIFEST_FILE);
 * - streamed: one Linear's encoded tensors in memory at a time, source pages released after use,
 *   shards of at most maxShardBytes;
 * - all-or-nothing: everything is written into a temporary directory beside outDir (disk space
 *   checked and reserved up front) and renamed into place when complete. An error, cancel or
 *   kill leaves no outDir (and an existing one untouched); leftovers of killed runs are removed
 *   by the next export to the same place.
 * Progress per output tensor; cancellable between tensors (ErrorCode::Cancelled).
 */
Result<ExportResult>
exportCheckpoint(const ExportRequest &request, quant::QuantBackend &backend, const JobContext &ctx);

/**
 * The free-space verdict exportCheckpoint gives before writing anything: ok when
 * `availableBytes` covers `neededBytes`, else ErrorCode::NoSpace naming `dir`, both sizes (also
 * in bytes) and what to do (free space there or export elsewhere). Pure; exposed for tests.
 */
Status
checkFreeSpaceFor(const std::string &dir, std::uint64_t neededBytes, std::uint64_t availableBytes);

}  // namespace pq::core::ct
