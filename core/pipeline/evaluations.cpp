// SPDX-License-Identifier: MIT
#include "core/pipeline/evaluations.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "core/quant/format_spec.h"
#include "core/util/atomic_file.h"

namespace pq::core::pipeline {
namespace {

constexpr const char *FILE_NAME = "evaluations.json";
constexpr const char *SCHEMA = "prismaquant.evaluations/1";

std::string evaluationsPath(const std::string &runDir)
{
    return (std::filesystem::path(runDir) / FILE_NAME).string();
}

constexpr std::string_view kindName(VariantKind k)
{
    switch (k) {
    case VariantKind::Source:
        return "source";
    case VariantKind::Uniform:
        return "uniform";
    case VariantKind::Recipe:
        return "recipe";
    }
    return "recipe";
}

std::optional<VariantKind> parseKind(std::string_view s)
{
    for (const VariantKind k : {VariantKind::Source, VariantKind::Uniform, VariantKind::Recipe}) {
        if (kindName(k) == s) {
            return k;
        }
    }
    return std::nullopt;
}

nlohmann::ordered_json toJson(const MeasuredPoint &p)
{
    nlohmann::ordered_json j = {{"variant", p.variant},
                                {"kind", kindName(p.kind)},
                                {"bytes", p.bytes},
                                {"bits_per_linear_param", p.bitsPerLinearParam}};
    if (p.predicted) {
        j["predicted_delta_loss"] = *p.predicted;
    }
    j["perplexity"] = p.perplexity;
    j["mean_loss"] = p.meanLoss;
    j["mean_kl"] = p.meanKl;
    j["tokens"] = p.tokens;
    return j;
}

/** A finite, non-negative number field, or nullopt. */
std::optional<double> number(const nlohmann::json &j, const char *key)
{
    if (!j.contains(key) || !j[key].is_number()) {
        return std::nullopt;
    }
    const double v = j[key].get<double>();
    return std::isfinite(v) && v >= 0.0 ? std::optional(v) : std::nullopt;
}

}  // namespace

Result<std::vector<MeasuredPoint>> readEvaluations(const std::string &runDir)
{
    const std::string path = evaluationsPath(runDir);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return std::vector<MeasuredPoint>{};
    }
    auto text = readSmallFile(path, 64ULL << 20U);
    if (!text) {
        return std::move(text).error();
    }
    const auto bad = [&path](const std::string &what) {
        return makeError(ErrorCode::InvalidFormat, fmt::format("evaluations.json: {}", what))
                .withPath(path);
    };
    const auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("schema", std::string()) != SCHEMA ||
        !j.contains("points") || !j["points"].is_array()) {
        return bad(fmt::format("not a '{}' object with a 'points' array", SCHEMA));
    }
    std::vector<MeasuredPoint> points;
    for (const auto &e : j["points"]) {
        if (!e.is_object() || !e.contains("variant") || !e["variant"].is_string() ||
            !e.contains("kind") || !e["kind"].is_string() || !e.contains("bytes") ||
            !e["bytes"].is_number_unsigned() || !e.contains("tokens") ||
            !e["tokens"].is_number_unsigned()) {
            return bad("a point without 'variant', 'kind', 'bytes' and 'tokens'");
        }
        MeasuredPoint p;
        p.variant = e["variant"].get<std::string>();
        const auto kind = parseKind(e["kind"].get<std::string>());
        if (!kind) {
            return bad(fmt::format("'{}': unknown kind '{}'", p.variant,
                                   e["kind"].get<std::string>()));
        }
        p.kind = *kind;
        p.bytes = e["bytes"].get<std::uint64_t>();
        p.tokens = e["tokens"].get<std::uint64_t>();
        const auto bpp = number(e, "bits_per_linear_param");
        const auto ppl = number(e, "perplexity");
        const auto loss = number(e, "mean_loss");
        const auto kl = number(e, "mean_kl");
        if (!bpp || !ppl || !loss || !kl) {
            return bad(fmt::format("'{}': bits_per_linear_param, perplexity, mean_loss and "
                                   "mean_kl must be finite, non-negative numbers",
                                   p.variant));
        }
        p.bitsPerLinearParam = *bpp;
        p.perplexity = *ppl;
        p.meanLoss = *loss;
        p.meanKl = *kl;
        if (e.contains("predicted_delta_loss")) {
            p.predicted = number(e, "predicted_delta_loss");
            if (!p.predicted) {
                return bad(fmt::format("'{}': predicted_delta_loss must be a finite, "
                                       "non-negative number",
                                       p.variant));
            }
        }
        points.push_back(std::move(p));
    }
    return points;
}

Status recordEvaluations(const std::string &runDir, const std::vector<MeasuredPoint> &points)
{
    auto all = readEvaluations(runDir);
    if (!all) {
        return unexpected(std::move(all).error());
    }
    for (const MeasuredPoint &p : points) {
        std::erase_if(*all, [&p](const MeasuredPoint &old) {
            return old.kind == p.kind && old.variant == p.variant && old.bytes == p.bytes;
        });
        all->push_back(p);
    }
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const MeasuredPoint &p : *all) {
        list.push_back(toJson(p));
    }
    const nlohmann::ordered_json j = {{"schema", SCHEMA}, {"points", list}};
    return writeFileAtomically(evaluationsPath(runDir), j.dump(1) + "\n");
}

ct::FormatMap formatsOf(const ModelInventory &inventory, const alloc::Allocation &allocation)
{
    ct::FormatMap out;
    for (std::size_t i = 0; i < inventory.linears.size() && i < allocation.linearFormats.size();
         ++i) {
        out[inventory.linears[i].name] = allocation.linearFormats[i];
    }
    return out;
}

std::string recipeVariantName(const alloc::Allocation &allocation)
{
    std::vector<std::string> mix;
    for (const auto &[f, n] : allocation.counts()) {
        mix.push_back(fmt::format("{} {}", n, quant::formatInfo(f).name));
    }
    return fmt::format("recipe: {}", fmt::join(mix, " · "));
}

Result<bool> retireEvaluations(const std::string &runDir)
{
    const std::string path = evaluationsPath(runDir);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return false;
    }
    const std::string previous =
            (std::filesystem::path(runDir) / "evaluations.previous.json").string();
    std::filesystem::rename(path, previous, ec);
    if (ec) {
        return makeError(ErrorCode::Io,
                         fmt::format("cannot move the measured points of the previous probe "
                                     "aside: {}",
                                     ec.message()))
                .withPath(path);
    }
    return true;
}

std::uint64_t artifactBytes(const ModelInventory &inventory,
                            std::uint64_t fixedBytes,
                            const ct::FormatMap &formats)
{
    std::uint64_t bytes = fixedBytes;
    for (const LinearInfo &l : inventory.linears) {
        const auto it = formats.find(l.name);
        const quant::FormatId f = it == formats.end() ? quant::FormatId::BF16 : it->second;
        bytes += quant::formatBytes(f, l.outFeatures, l.inFeatures, l.sourceDtype);
    }
    return bytes;
}

double
bitsPerLinearParam(const ModelInventory &inventory, std::uint64_t fixedBytes, std::uint64_t bytes)
{
    std::uint64_t params = 0;
    for (const LinearInfo &l : inventory.linears) {
        params += l.params();
    }
    if (params == 0 || bytes < fixedBytes) {
        return 0.0;
    }
    return 8.0 * static_cast<double>(bytes - fixedBytes) / static_cast<double>(params);
}

Result<double> predictedDeltaLoss(const ModelInventory &inventory,
                                  const alloc::LinearCosts &costs,
                                  const ct::FormatMap &formats)
{
    double sum = 0.0;
    for (const LinearInfo &l : inventory.linears) {
        const auto it = formats.find(l.name);
        const quant::FormatId f = it == formats.end() ? quant::FormatId::BF16 : it->second;
        const auto linear = costs.byLinear.find(l.name);
        if (linear != costs.byLinear.end()) {
            if (const auto cost = linear->second.find(f); cost != linear->second.end()) {
                sum += cost->second;
                continue;
            }
        }
        return makeError(ErrorCode::NotFound, fmt::format("the probe did not measure {} for "
                                                          "this Linear",
                                                          quant::formatInfo(f).name))
                .withTensor(l.name);
    }
    return sum;
}

std::vector<UniformBaseline> uniformBaselines(const RunCosts &run, std::uint64_t fixedBytes)
{
    std::vector<quant::FormatId> formats = {quant::FormatId::BF16};
    for (const quant::FormatId f : run.report.formats) {
        if (std::find(formats.begin(), formats.end(), f) == formats.end()) {
            formats.push_back(f);
        }
    }
    std::vector<UniformBaseline> out;
    for (const quant::FormatId f : formats) {
        std::vector<std::string> kept;
        const ct::FormatMap map = ct::uniformFormats(run.inventory, f, &kept);
        auto predicted = predictedDeltaLoss(run.inventory, run.costs, map);
        if (!predicted || (f != quant::FormatId::BF16 && kept.size() == map.size())) {
            continue;  // a format this model's Linears cannot take (or the probe did not cost)
        }
        UniformBaseline b;
        b.format = f;
        b.bytes = artifactBytes(run.inventory, fixedBytes, map);
        b.bitsPerLinearParam = bitsPerLinearParam(run.inventory, fixedBytes, b.bytes);
        b.predicted = *predicted;
        b.keptBf16 = f == quant::FormatId::BF16 ? 0 : kept.size();
        out.push_back(b);
    }
    std::sort(out.begin(), out.end(),
              [](const UniformBaseline &a, const UniformBaseline &b) { return a.bytes < b.bytes; });
    return out;
}

}  // namespace pq::core::pipeline
