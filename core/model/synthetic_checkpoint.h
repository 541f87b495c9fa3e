// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/io/checkpoint_writer.h"
#include "core/model/model_config.h"
#include "core/model/profile.h"
#include "core/util/job_context.h"

namespace pq::core {

/**
 * Writes a checkpoint with the tensors synthesizeTensors() derives from `config`, filled with
 * seeded random values (N(0, 0.02²) for matrices, 1 for norm weights, 0 for biases) in the
 * config's dtype (BF16, F16 or F32), plus `config.json` copied from `configJson`. For tests,
 * benchmarks and the bundled example; never a substitute for real weights. Streams one tensor at
 * a time; reports progress per tensor and honours cancellation. `storage` overrides how the
 * profile stores routed experts (e.g. fused 3-D tensors for a per-expert family).
 */
Status writeSyntheticCheckpoint(const std::string &configJson,
                                const std::string &outDir,
                                std::uint64_t seed,
                                const CheckpointWriterOptions &options,
                                const JobContext &ctx,
                                std::optional<ExpertStorage> storage = std::nullopt);

}  // namespace pq::core
