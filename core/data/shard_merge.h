// SPDX-License-Identifier: MIT
#pragma once

// A probe split across machines or GPUs: `prismaquant probe --shard I/N` measures a contiguous
// slice of the calibration windows, `prismaquant merge` combines the N reports into the one an
// unsplit probe writes (docs/cli.md "Splitting a probe").

#include <cstdint>
#include <vector>

#include "core/data/sensitivity_report.h"
#include "core/util/result.h"

namespace pq::core::data {

/**
 * Shard `index` (1-based) of `count` over `windows` calibration windows of `seqLen` tokens:
 * windows [⌊(index−1)·windows/count⌋, ⌊index·windows/count⌋). InvalidArgument when the index is
 * outside 1…count or there are fewer windows than shards.
 */
Result<ShardInfo>
planShard(std::uint64_t index, std::uint64_t count, std::uint64_t windows, std::uint64_t seqLen);

/**
 * Combines the shards of one split probe (any order). Every sum the probe takes adds over
 * windows, so the merge is exact up to floating-point rounding: token counts and loss add; the
 * Fisher trace, per-channel Fisher and C_w are averages over calibration tokens, weighed back by
 * each shard's tokens; C_y is rebuilt from each shard's raw sum over its part of the token
 * subsample (shards subsample with the whole set's stride, so the parts are the unsplit probe's
 * subsample); input maxima are the whole set's in every shard (each shard runs the other
 * windows forward for them). One estimate differs: an expert routed fewer than the threshold in
 * the combined count gets the calibration-token-weighted mean of the shards' priors, where an
 * unsplit probe pools all well-sampled experts at once (both flag it as a prior).
 *
 * Errors (InvalidFormat, naming the shard): a report that is not a shard; shards of different
 * models, calibration sets, settings or compute; a missing or repeated shard; windows that do not
 * tile the calibration set; Linears that differ.
 */
Result<SensitivityReport> mergeShards(std::vector<SensitivityReport> shards);

}  // namespace pq::core::data
