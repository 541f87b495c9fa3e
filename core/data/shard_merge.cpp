// SPDX-License-Identifier: MIT
#include "core/data/shard_merge.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace pq::core::data {
namespace {

Error refuse(std::string what)
{
    return makeError(ErrorCode::InvalidFormat, fmt::format("cannot merge: {}", what));
}

/** "shard 2/4". */
std::string shardName(const SensitivityReport &r)
{
    return fmt::format("shard {}/{}", r.shard->index, r.shard->count);
}

/** The compute part of a runtime string ("cpu, float32" of "libtorch 2.9.1, cpu, float32"). */
std::string computeOf(const std::string &runtime)
{
    const auto comma = runtime.find(", ");
    return comma == std::string::npos ? runtime : runtime.substr(comma + 2);
}

/** Checks that the shards are one split probe and returns them sorted by index. */
Status checkShards(std::vector<SensitivityReport> &shards)
{
    if (shards.empty()) {
        return refuse("no shards given");
    }
    for (const SensitivityReport &r : shards) {
        if (!r.shard) {
            return refuse("one of the reports is a whole probe, not a shard of a split one");
        }
    }
    std::sort(shards.begin(), shards.end(),
              [](const auto &a, const auto &b) { return a.shard->index < b.shard->index; });
    const SensitivityReport &first = shards.front();
    const std::uint64_t count = first.shard->count;
    for (std::size_t i = 0; i < shards.size(); ++i) {
        const SensitivityReport &r = shards[i];
        const std::string who = shardName(r);
        if (r.shard->count != count) {
            return refuse(fmt::format("{} belongs to a split into {}, {} to one into {}",
                                      shardName(first), count, who, r.shard->count));
        }
        if (i > 0 && r.shard->index == shards[i - 1].shard->index) {
            return refuse(fmt::format("{} is given twice", who));
        }
        if (r.modelFingerprint != first.modelFingerprint) {
            return refuse(fmt::format("{} measured another model than {} (fingerprints differ)",
                                      who, shardName(first)));
        }
        if (r.calibrationJson != first.calibrationJson) {
            return refuse(fmt::format("{} used other calibration windows than {} (text, "
                                      "tokenizer, samples, sequence length or seed differ)",
                                      who, shardName(first)));
        }
        if (r.formats != first.formats || r.outputTokens != first.outputTokens ||
            r.minExpertTokens != first.minExpertTokens) {
            return refuse(fmt::format("{} ran with other settings than {} (--formats, "
                                      "--output-tokens or --min-expert-tokens)",
                                      who, shardName(first)));
        }
        if (computeOf(r.runtime) != computeOf(first.runtime)) {
            return refuse(fmt::format("{} computed on '{}', {} on '{}': the sums would not be the "
                                      "same arithmetic",
                                      who, r.runtime, shardName(first), first.runtime));
        }
        if (r.linears.size() != first.linears.size()) {
            return refuse(fmt::format("{} lists {} Linears, {} lists {}", who, r.linears.size(),
                                      shardName(first), first.linears.size()));
        }
    }
    std::vector<std::uint64_t> missing;
    for (std::uint64_t i = 1; i <= count; ++i) {
        if (std::none_of(shards.begin(), shards.end(),
                         [i](const auto &r) { return r.shard->index == i; })) {
            missing.push_back(i);
        }
    }
    if (!missing.empty()) {
        return refuse(fmt::format("shard {} of {} is missing (all {} shards are needed)",
                                  fmt::join(missing, ", "), count, count));
    }
    // the slices must tile the calibration windows
    std::uint64_t next = 0;
    for (const SensitivityReport &r : shards) {
        if (r.shard->firstWindow != next) {
            return refuse(fmt::format("{} starts at window {}, expected {}", shardName(r),
                                      r.shard->firstWindow, next));
        }
        next += r.shard->windows;
    }
    const auto calib = nlohmann::json::parse(first.calibrationJson, nullptr, false);
    const auto number = [&calib](const char *key) -> std::optional<std::uint64_t> {
        if (calib.is_object() && calib.contains(key) && calib[key].is_number_unsigned()) {
            return calib[key].get<std::uint64_t>();
        }
        return std::nullopt;
    };
    if (const auto samples = number("samples"); samples && *samples != next) {
        return refuse(fmt::format("the shards cover {} windows of the {} calibration windows", next,
                                  *samples));
    }
    // the merge weighs by calibration tokens: they must be what the windows hold
    if (const auto seqLen = number("seq_len")) {
        for (const SensitivityReport &r : shards) {
            if (r.shard->windows > (1ULL << 40U) ||
                r.shard->calibrationTokens != r.shard->windows * *seqLen) {
                return refuse(fmt::format(
                        "{} says {} calibration tokens for {} windows of {} tokens", shardName(r),
                        r.shard->calibrationTokens, r.shard->windows, *seqLen));
            }
        }
    }
    return {};
}

/** Σ weight_s · values_s, element by element. */
void addScaled(std::vector<double> &sum, const std::vector<double> &values, double weight)
{
    sum.resize(std::max(sum.size(), values.size()), 0.0);
    for (std::size_t i = 0; i < values.size(); ++i) {
        sum[i] += weight * values[i];
    }
}

void addScaled(std::map<quant::FormatId, double> &sum,
               const std::map<quant::FormatId, double> &values,
               double weight)
{
    for (const auto &[id, v] : values) {
        sum[id] += weight * v;
    }
}

/** One Linear across the shards (`parts[s]` = shard s's entry, `weights[s]` = n_s / n). */
Result<LinearSensitivity> mergeLinear(const std::vector<const LinearSensitivity *> &parts,
                                      const std::vector<SensitivityReport> &shards,
                                      std::uint64_t calibrationTokens,
                                      std::uint64_t minExpertTokens)
{
    const LinearSensitivity &first = *parts.front();
    LinearSensitivity out;
    out.name = first.name;
    std::size_t estimates = 0;
    for (std::size_t s = 0; s < parts.size(); ++s) {
        const LinearSensitivity &p = *parts[s];
        if (p.channelFisher.size() != first.channelFisher.size() ||
            p.weightCost.size() != first.weightCost.size()) {
            return refuse(fmt::format("{}: {} and {} disagree on its shape or formats", p.name,
                                      shardName(shards[s]), shardName(shards[0])));
        }
        out.tokens += p.tokens;
        out.inputAmax = std::max(out.inputAmax, p.inputAmax);
        estimates += p.priorEstimate ? 1 : 0;
    }
    const double n = static_cast<double>(calibrationTokens);
    // An expert routed too rarely in the combined count: every shard saw it rarely and carries
    // the prior's values beside its own.
    if (out.tokens < minExpertTokens && estimates > 0) {
        if (estimates != parts.size()) {
            return refuse(fmt::format("{} is rarely routed, but only {} of {} shards carry its "
                                      "prior (were they made by different versions?)",
                                      out.name, estimates, parts.size()));
        }
        out.prior = true;
        for (std::size_t s = 0; s < parts.size(); ++s) {
            const PriorEstimate &e = *parts[s]->priorEstimate;
            const double w = static_cast<double>(shards[s].shard->calibrationTokens) / n;
            out.fisherTrace += w * e.fisherTrace;
            addScaled(out.channelFisher, e.channelFisher, w);
            addScaled(out.weightCost, e.weightCost, w);
        }
        return out;
    }
    // C_y = share · ½ Σ_sub δ²(ΔY)² / n_sub with share = tokens / calibration tokens: the raw
    // sum of shard s is C_y,s · n_sub,s / share_s.
    std::map<quant::FormatId, double> outputSums;
    for (std::size_t s = 0; s < parts.size(); ++s) {
        const LinearSensitivity &p = *parts[s];
        const double ns = static_cast<double>(shards[s].shard->calibrationTokens);
        const double w = ns / n;
        out.fisherTrace += w * p.fisherTrace;
        addScaled(out.channelFisher, p.channelFisher, w);
        addScaled(out.weightCost, p.weightCost, w);
        if (p.subsampleTokens == 0 || p.tokens == 0) {
            continue;
        }
        if (p.outputCost.size() != p.weightCost.size()) {
            return refuse(fmt::format("{}: {} measured its output cost for only some formats",
                                      p.name, shardName(shards[s])));
        }
        const double share = static_cast<double>(p.tokens) / ns;
        addScaled(outputSums, p.outputCost, static_cast<double>(p.subsampleTokens) / share);
        out.subsampleTokens += p.subsampleTokens;
    }
    if (out.subsampleTokens > 0) {
        const double share = static_cast<double>(out.tokens) / n;
        for (const auto &[id, sum] : outputSums) {
            out.outputCost[id] = share * sum / static_cast<double>(out.subsampleTokens);
        }
    }
    return out;
}

}  // namespace

Result<ShardInfo>
planShard(std::uint64_t index, std::uint64_t count, std::uint64_t windows, std::uint64_t seqLen)
{
    if (count == 0 || index == 0 || index > count) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("shard {}/{}: the shard number must be between 1 and {}",
                                     index, count, count));
    }
    if (windows < count) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("{} calibration windows cannot be split into {} shards: use "
                                     "at most {} shards or more --samples",
                                     windows, count, windows));
    }
    ShardInfo s;
    s.index = index;
    s.count = count;
    s.firstWindow = (index - 1) * windows / count;
    s.windows = index * windows / count - s.firstWindow;
    s.calibrationTokens = s.windows * seqLen;
    return s;
}

Result<SensitivityReport> mergeShards(std::vector<SensitivityReport> shards)
{
    PQ_TRY_STATUS(checkShards(shards));
    const SensitivityReport &first = shards.front();
    SensitivityReport out;
    out.modelDir = first.modelDir;
    out.modelFingerprint = first.modelFingerprint;
    out.calibrationJson = first.calibrationJson;
    out.formats = first.formats;
    out.outputTokens = first.outputTokens;
    out.minExpertTokens = first.minExpertTokens;
    std::vector<std::string> runtimes;
    std::uint64_t calibrationTokens = 0;
    double lossSum = 0.0;
    for (const SensitivityReport &r : shards) {
        calibrationTokens += r.shard->calibrationTokens;
        out.tokens += r.tokens;
        lossSum += r.meanLoss * static_cast<double>(r.tokens);
        if (std::find(runtimes.begin(), runtimes.end(), r.runtime) == runtimes.end()) {
            runtimes.push_back(r.runtime);
        }
    }
    out.meanLoss = lossSum / static_cast<double>(std::max<std::uint64_t>(1, out.tokens));
    out.runtime = fmt::format("{}", fmt::join(runtimes, " + "));
    // matched by name: the merged report keeps the first shard's order
    std::vector<std::map<std::string_view, const LinearSensitivity *>> byName(shards.size());
    for (std::size_t s = 0; s < shards.size(); ++s) {
        for (const LinearSensitivity &l : shards[s].linears) {
            if (!byName[s].emplace(l.name, &l).second) {
                return refuse(fmt::format("{} lists '{}' twice", shardName(shards[s]), l.name));
            }
        }
    }
    std::vector<const LinearSensitivity *> parts(shards.size());
    for (const LinearSensitivity &l : first.linears) {
        for (std::size_t s = 0; s < shards.size(); ++s) {
            const auto it = byName[s].find(l.name);
            if (it == byName[s].end()) {
                return refuse(fmt::format("{} lists '{}', {} does not", shardName(first), l.name,
                                          shardName(shards[s])));
            }
            parts[s] = it->second;
        }
        auto merged = mergeLinear(parts, shards, calibrationTokens, first.minExpertTokens);
        if (!merged) {
            return std::move(merged).error();
        }
        out.linears.push_back(std::move(*merged));
    }
    return out;
}

}  // namespace pq::core::data
