// SPDX-License-Identifier: MIT
#include "core/alloc/allocation.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/quant/format_spec.h"
#include "core/util/human.h"

namespace pq::core::alloc {
namespace {

using quant::FormatId;

/** "nv", "mx" or "int" for 4-bit formats, "" otherwise. */
std::string family4Of(FormatId id)
{
    const quant::FormatInfo &f = quant::formatInfo(id);
    return f.nominalBits == 4.0 ? std::string(f.family) : std::string();
}

std::string formatName(FormatId id)
{
    return std::string(quant::formatInfo(id).name);
}

struct CompiledRule
{
    std::regex re;
    std::string text;
    FormatId format;
};

Result<std::vector<CompiledRule>>
compile(const std::vector<std::pair<std::string, FormatId>> &rules, const char *what)
{
    std::vector<CompiledRule> out;
    for (const auto &[text, format] : rules) {
        try {
            out.push_back({std::regex(text, std::regex::ECMAScript), text, format});
        } catch (const std::regex_error &e) {
            return makeError(ErrorCode::InvalidArgument,
                             fmt::format("{} '{}' is not a valid regular expression: {}", what,
                                         text, e.what()));
        }
    }
    return out;
}

}  // namespace

LinearCosts costsFromReport(const data::SensitivityReport &report)
{
    LinearCosts c;
    for (const data::LinearSensitivity &l : report.linears) {
        auto &m = c.byLinear[l.name];
        for (const auto &[id, v] : l.weightCost) {
            const auto y = l.outputCost.find(id);
            m[id] = y != l.outputCost.end() ? y->second : v;
        }
        m[FormatId::BF16] = 0.0;
    }
    return c;
}

Result<VramBudget> vramBudget(const ModelConfig &config, const VramTarget &target)
{
    VramBudget out;
    const std::uint64_t tokens = target.context * target.batch;
    std::uint64_t full = 0;
    std::uint64_t other = 0;
    for (std::int64_t l = 0; l < config.numLayers; ++l) {
        const std::string type = config.layerType(l);
        (type == "full_attention" ? full : other) += 1;
    }
    std::uint64_t perTokenLayer = 0;
    std::string formula;
    if (config.mla) {
        perTokenLayer =
                static_cast<std::uint64_t>(config.mla->kvLoraRank + config.mla->qkRopeHeadDim) *
                target.kvBytesPerElement;
        formula = fmt::format("(kv_lora_rank {} + qk_rope_head_dim {}) × {} B",
                              config.mla->kvLoraRank, config.mla->qkRopeHeadDim,
                              target.kvBytesPerElement);
    } else {
        perTokenLayer = static_cast<std::uint64_t>(config.numKvHeads * config.headDim) * 2 *
                        target.kvBytesPerElement;
        formula = fmt::format("{} KV heads × head dim {} × 2 (K and V) × {} B", config.numKvHeads,
                              config.headDim, target.kvBytesPerElement);
    }
    out.kvBytes = full * perTokenLayer * tokens;
    std::string a = fmt::format(
            "KV cache = {} full-attention layers × {} × {} tokens ({} context × "
            "{} batch) = {}",
            full, formula, tokens, target.context, target.batch, formatBytes(out.kvBytes));
    if (other > 0) {
        a += fmt::format("\n  ({} linear-attention / sliding-window layers not counted: their "
                         "state does not grow with the context)",
                         other);
    }
    const std::uint64_t reserved = out.kvBytes + target.overheadBytes;
    if (reserved >= target.vramBytes) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("{} of VRAM leaves nothing for the weights: {}; runtime "
                                     "overhead {}. Use a shorter --context, --kv-dtype fp8 or a "
                                     "larger GPU",
                                     formatBytes(target.vramBytes), a,
                                     formatBytes(target.overheadBytes)));
    }
    out.budgetBytes = target.vramBytes - reserved;
    a += fmt::format("\nweights budget = VRAM {} − KV cache {} − overhead {} = {}",
                     formatBytes(target.vramBytes), formatBytes(out.kvBytes),
                     formatBytes(target.overheadBytes), formatBytes(out.budgetBytes));
    out.arithmetic = a;
    return out;
}

double Allocation::bitsPerLinearParam() const
{
    return linearParams == 0
                   ? 0.0
                   : 8.0 * static_cast<double>(linearBytes) / static_cast<double>(linearParams);
}

double Allocation::bitsPerParam() const
{
    return totalParams == 0
                   ? 0.0
                   : 8.0 * static_cast<double>(totalBytes) / static_cast<double>(totalParams);
}

std::map<FormatId, std::size_t> Allocation::counts() const
{
    std::map<FormatId, std::size_t> out;
    for (const FormatId f : linearFormats) {
        ++out[f];
    }
    return out;
}

std::map<FormatId, std::uint64_t> Allocation::bytesByFormat() const
{
    std::map<FormatId, std::uint64_t> out;
    for (const GroupChoice &c : groups) {
        out[c.format] += c.bytes;
    }
    return out;
}

namespace {

std::string countsText(const std::map<FormatId, std::size_t> &counts)
{
    std::vector<std::pair<std::size_t, FormatId>> byCount;
    for (const auto &[f, n] : counts) {
        byCount.emplace_back(n, f);
    }
    std::sort(byCount.begin(), byCount.end(), [](const auto &a, const auto &b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::string s;
    for (const auto &[n, f] : byCount) {
        s += fmt::format("{}{} {}", s.empty() ? "" : " · ", n, formatName(f));
    }
    return s;
}

}  // namespace

std::string Allocation::summary() const
{
    return fmt::format("{} — {}, {:.2f} bpp", countsText(counts()), formatBytes(totalBytes),
                       bitsPerLinearParam());
}

Result<Allocator> Allocator::create(const ModelInventory &inventory,
                                    const LinearCosts &costs,
                                    const Constraints &constraints)
{
    Allocator a;
    a.m_inv = &inventory;
    a.m_dataFree = costs.dataFree;
    const RoleTotals totals = inventory.totals();
    a.m_fixedBytes = totals.bytes - inventory.linearSourceBytes();
    a.m_linearParams = inventory.linearParams();
    a.m_totalParams = totals.params;
    auto pins = compile(constraints.pins, "--pin");
    auto forbids = compile(constraints.forbids, "--forbid");
    if (!pins || !forbids) {
        return !pins ? std::move(pins).error() : std::move(forbids).error();
    }
    // the menu
    std::set<FormatId> menu(constraints.menu.begin(), constraints.menu.end());
    if (menu.empty()) {
        menu.insert(FormatId::BF16);
        for (const auto &[name, m] : costs.byLinear) {
            for (const auto &[id, v] : m) {
                if (quant::formatInfo(id).servable || constraints.allowUnservable) {
                    menu.insert(id);
                }
            }
        }
    }
    for (const auto &[text, f] : constraints.pins) {
        menu.insert(f);  // a pin puts its format on the menu
    }
    for (const FormatId f : menu) {
        if (!quant::formatInfo(f).servable && !constraints.allowUnservable) {
            return makeError(ErrorCode::InvalidArgument,
                             fmt::format("{} cannot be served by vLLM from a compressed-tensors "
                                         "checkpoint; add --allow-unservable to use it anyway",
                                         formatName(f)));
        }
    }
    // per group: the pin, and the formats every member allows
    const std::size_t G = inventory.groups.size();
    a.m_pinned.assign(G, false);
    std::vector<std::optional<FormatId>> pinOf(G);
    std::vector<std::vector<FormatId>> allowed(G);
    std::vector<std::vector<std::pair<std::uint64_t, double>>> optionOf(G);
    std::vector<bool> pinUsed(pins->size(), false);
    for (std::size_t g = 0; g < G; ++g) {
        const FusedGroup &group = inventory.groups[g];
        for (const std::size_t li : group.linears) {
            const LinearInfo &l = inventory.linears[li];
            for (std::size_t p = 0; p < pins->size(); ++p) {
                const CompiledRule &r = (*pins)[p];
                if (!std::regex_search(l.name, r.re)) {
                    continue;
                }
                pinUsed[p] = true;
                if (pinOf[g] && *pinOf[g] != r.format) {
                    return makeError(ErrorCode::InvalidArgument,
                                     fmt::format("pins disagree on {} (vLLM loads it as one "
                                                 "module, so all its Linears share a format): {} "
                                                 "and {}",
                                                 group.vllmModule, formatName(*pinOf[g]),
                                                 formatName(r.format)));
                }
                pinOf[g] = r.format;
            }
        }
        for (const FormatId f : menu) {
            bool ok = true;
            std::uint64_t bytes = 0;
            double cost = 0.0;
            for (const std::size_t li : group.linears) {
                const LinearInfo &l = inventory.linears[li];
                if (!quant::checkShape(f, l.outFeatures, l.inFeatures)) {
                    ok = false;
                    break;
                }
                for (const CompiledRule &r : *forbids) {
                    ok = ok && !(r.format == f && std::regex_search(l.name, r.re));
                }
                const auto c = costs.byLinear.find(l.name);
                if (c == costs.byLinear.end()) {  // an input mismatch, not a bad option
                    return makeError(ErrorCode::InvalidFormat,
                                     "no predicted cost for this Linear: the probe results "
                                     "(sensitivity.json) were measured on another model; probe "
                                     "this model, or give the model the probe ran on")
                            .withTensor(l.name);
                }
                const auto v = c->second.find(f);
                if (f != FormatId::BF16 && v == c->second.end()) {
                    ok = false;  // not measured (e.g. not in the probe's --formats)
                }
                if (!ok) {
                    break;
                }
                bytes += quant::formatBytes(f, l.outFeatures, l.inFeatures, l.sourceDtype);
                cost += v == c->second.end() ? 0.0 : v->second;
            }
            if (ok && (!pinOf[g] || *pinOf[g] == f)) {
                allowed[g].push_back(f);
                optionOf[g].emplace_back(bytes, cost);
            }
        }
        if (pinOf[g] && allowed[g].empty()) {
            const LinearInfo &l = inventory.linears[group.linears.front()];
            auto why = quant::checkShape(*pinOf[g], l.outFeatures, l.inFeatures);
            return makeError(ErrorCode::InvalidArgument,
                             fmt::format("{} is pinned to {}, which it cannot take{}",
                                         group.vllmModule, formatName(*pinOf[g]),
                                         why ? " (forbidden or not measured)"
                                             : ": " + why.error().message()));
        }
        if (allowed[g].empty()) {
            return makeError(ErrorCode::InvalidArgument,
                             fmt::format("no format on the menu fits {} (put BF16 back on the menu "
                                         "or loosen --forbid)",
                                         group.vllmModule));
        }
        a.m_pinned[g] = pinOf[g].has_value();
    }
    // a pin that holds nothing is a typo or a tensor that is never quantized (lm_head, the
    // embeddings): saying so beats a recipe that silently ignores it
    for (std::size_t p = 0; p < pins->size(); ++p) {
        if (!pinUsed[p]) {
            return makeError(ErrorCode::InvalidArgument,
                             fmt::format("pin '{}' matches no quantizable Linear (the embeddings, "
                                         "lm_head and norms are kept as they are; "
                                         "`prismaquant inspect MODEL --json --linears` lists the "
                                         "Linears' names)",
                                         (*pins)[p].text));
        }
    }
    // 4-bit families: one per recipe unless mixing is allowed
    std::set<std::string> families;
    std::set<std::string> pinnedFamilies;
    for (const FormatId f : menu) {
        if (!family4Of(f).empty()) {
            families.insert(family4Of(f));
        }
    }
    for (std::size_t g = 0; g < G; ++g) {
        if (pinOf[g] && !family4Of(*pinOf[g]).empty()) {
            pinnedFamilies.insert(family4Of(*pinOf[g]));
        }
    }
    std::vector<std::string> variants;
    if (constraints.mix4bitFamilies || families.size() <= 1) {
        variants.push_back(families.size() == 1 ? *families.begin() : std::string());
    } else if (pinnedFamilies.size() > 1) {
        return makeError(ErrorCode::InvalidArgument,
                         "pins use two 4-bit families (NVFP4, MXFP4, INT4); add "
                         "--mix-4bit-families to allow that");
    } else if (pinnedFamilies.size() == 1) {
        variants.push_back(*pinnedFamilies.begin());
    } else {
        variants.assign(families.begin(), families.end());
    }
    for (const std::string &fam : variants) {
        Variant v;
        v.family4 = constraints.mix4bitFamilies ? std::string() : fam;
        std::vector<Item> items(G);
        v.formats.resize(G);
        for (std::size_t g = 0; g < G; ++g) {
            for (std::size_t j = 0; j < allowed[g].size(); ++j) {
                const std::string f4 = family4Of(allowed[g][j]);
                if (!constraints.mix4bitFamilies && !f4.empty() && f4 != fam) {
                    continue;
                }
                v.formats[g].push_back(allowed[g][j]);
                items[g].options.push_back({optionOf[g][j].first, optionOf[g][j].second});
            }
            if (items[g].options.empty()) {
                items.clear();  // this family cannot serve a pinned group: drop the variant
                break;
            }
        }
        if (items.empty() && G > 0) {
            continue;
        }
        auto k = Knapsack::create(std::move(items));
        if (!k) {
            return std::move(k).error();
        }
        v.knapsack = std::move(*k);
        a.m_variants.push_back(std::move(v));
    }
    if (a.m_variants.empty()) {
        return makeError(ErrorCode::InvalidArgument, "the pins and the menu leave no valid recipe");
    }
    return a;
}

std::uint64_t Allocator::minTotalBytes() const
{
    std::uint64_t least = std::numeric_limits<std::uint64_t>::max();
    for (const Variant &v : m_variants) {
        least = std::min(least, v.knapsack->minBytes());
    }
    return m_fixedBytes + least;
}

std::uint64_t Allocator::bytesForBits(double bits) const
{
    return m_fixedBytes + static_cast<std::uint64_t>(std::floor(
                                  bits * static_cast<double>(m_inv->linearParams()) / 8.0));
}

Allocation Allocator::make(const Variant &v, const Selection &s) const
{
    Allocation a;
    a.family4 = v.family4;
    a.linearFormats.assign(m_inv->linears.size(), FormatId::BF16);
    for (std::size_t g = 0; g < m_inv->groups.size(); ++g) {
        GroupChoice c;
        c.group = g;
        c.format = v.formats[g][s.option[g]];
        c.bytes = v.knapsack->items()[g].options[s.option[g]].bytes;
        c.cost = v.knapsack->items()[g].options[s.option[g]].cost;
        c.pinned = m_pinned[g];
        for (const std::size_t li : m_inv->groups[g].linears) {
            a.linearFormats[li] = c.format;
        }
        a.groups.push_back(c);
    }
    a.linearBytes = s.bytes;
    a.fixedBytes = m_fixedBytes;
    a.totalBytes = s.bytes + m_fixedBytes;
    a.linearParams = m_linearParams;
    a.totalParams = m_totalParams;
    a.cost = s.cost;
    a.lowerBound = s.cost;
    return a;
}

Error Allocator::belowSmallest(std::uint64_t totalBytes) const
{
    const std::uint64_t least = minTotalBytes();
    const double bits = m_linearParams == 0 ? 0.0
                                            : 8.0 * static_cast<double>(least - m_fixedBytes) /
                                                      static_cast<double>(m_linearParams);
    bool has4bit = false;
    for (const Variant &v : m_variants) {
        for (const auto &options : v.formats) {
            for (const FormatId f : options) {
                has4bit = has4bit || !family4Of(f).empty();
            }
        }
    }
    std::string lower;
    if (totalBytes < m_fixedBytes) {
        lower = fmt::format("the tensors that are never quantized (embeddings, norms, head, ...) "
                            "alone take {}, so no recipe fits; choose a target above {}",
                            formatBytes(m_fixedBytes), formatBytes(least));
    } else if (!has4bit) {
        lower = "to go lower, put a 4-bit format on the menu (NVFP4A16, MXFP4 or W4A16 in "
                "--formats; the probe must have measured it, so probe with it in its --formats "
                "or allocate --data-free), or choose a target at or above the smallest size";
    } else {
        lower = "the menu's 4-bit formats are already the floor: to go lower, drop --pin rules "
                "that hold Linears in larger formats and loosen --forbid, or choose a target at "
                "or above the smallest size";
    }
    return makeError(ErrorCode::InvalidArgument,
                     fmt::format("the budget {} ({} bytes) is below the smallest artifact these "
                                 "constraints allow: {} ({} bytes: {} of fixed tensors plus every "
                                 "Linear in its smallest allowed format, {:.2f} bits per Linear "
                                 "parameter). No recipe can be that small; {}",
                                 formatBytes(totalBytes), totalBytes, formatBytes(least), least,
                                 formatBytes(m_fixedBytes), bits, lower));
}

Result<Allocation> Allocator::allocate(std::uint64_t totalBytes) const
{
    if (totalBytes < minTotalBytes()) {
        return belowSmallest(totalBytes);
    }
    std::optional<Allocation> best;
    for (const Variant &v : m_variants) {
        if (totalBytes - m_fixedBytes < v.knapsack->minBytes()) {
            continue;
        }
        auto s = v.knapsack->solve(totalBytes - m_fixedBytes);
        if (!s) {
            return std::move(s).error();
        }
        Allocation a = make(v, s->selection);
        a.lowerBound = s->lowerBound;
        a.exact = s->exact;
        if (!best || a.cost < best->cost) {
            best = std::move(a);
        }
    }
    return std::move(*best);
}

CurvePoint Allocator::point(const Allocation &a, std::string label) const
{
    CurvePoint p;
    p.totalBytes = a.totalBytes;
    p.cost = a.cost;
    p.bitsPerLinearParam = a.bitsPerLinearParam();
    p.counts = a.counts();
    p.family4 = a.family4;
    p.label = std::move(label);
    return p;
}

std::vector<CurvePoint> Allocator::hull() const
{
    // Replays each variant's sweep step by step, updating the format counts incrementally
    // (a 40-layer × 256-expert model has thousands of vertices and tens of thousands of Linears).
    std::vector<CurvePoint> all;
    for (const Variant &v : m_variants) {
        const Knapsack &k = *v.knapsack;
        std::vector<std::size_t> sel = k.hullStart();
        std::map<FormatId, std::size_t> counts;
        for (std::size_t g = 0; g < sel.size(); ++g) {
            counts[v.formats[g][sel[g]]] += m_inv->groups[g].linears.size();
        }
        for (std::size_t i = 0; i < k.hull().size(); ++i) {
            if (i > 0) {
                const auto [g, option] = k.hullStep(i - 1);
                const std::size_t n = m_inv->groups[g].linears.size();
                if ((counts[v.formats[g][sel[g]]] -= n) == 0) {
                    counts.erase(v.formats[g][sel[g]]);
                }
                sel[g] = option;
                counts[v.formats[g][option]] += n;
            }
            CurvePoint p;
            p.totalBytes = k.hull()[i].bytes + m_fixedBytes;
            p.cost = k.hull()[i].cost;
            p.bitsPerLinearParam = m_linearParams == 0
                                           ? 0.0
                                           : 8.0 * static_cast<double>(k.hull()[i].bytes) /
                                                     static_cast<double>(m_linearParams);
            p.counts = counts;
            p.family4 = v.family4;
            p.label = "hull";
            all.push_back(std::move(p));
        }
    }
    std::sort(all.begin(), all.end(), [](const CurvePoint &a, const CurvePoint &b) {
        return a.totalBytes != b.totalBytes ? a.totalBytes < b.totalBytes : a.cost < b.cost;
    });
    // the lower envelope over the families: every kept point is cheaper than all smaller ones
    std::vector<CurvePoint> out;
    for (CurvePoint &p : all) {
        if (out.empty() || p.cost < out.back().cost) {
            out.push_back(std::move(p));
        }
    }
    return out;
}

Knee findKnee(const std::vector<CurvePoint> &curve)
{
    Knee k;
    if (curve.size() < 3) {
        k.reason = "fewer than three points: no knee";
        return k;
    }
    const double x0 = static_cast<double>(curve.front().totalBytes);
    const double x1 = static_cast<double>(curve.back().totalBytes);
    const double y0 = curve.back().cost;  // lowest
    const double y1 = curve.front().cost;
    double best = -1.0;
    for (std::size_t i = 0; i < curve.size(); ++i) {
        const double x = (static_cast<double>(curve[i].totalBytes) - x0) / std::max(1.0, x1 - x0);
        const double y = y1 > y0 ? (curve[i].cost - y0) / (y1 - y0) : 0.0;
        // Kneedle for a falling convex curve: distance below the chord from (0, 1) to (1, 0)
        const double d = 1.0 - x - y;
        if (d > best) {
            best = d;
            k.index = i;
        }
    }
    k.reason = fmt::format(
            "Kneedle on the normalised curve (size and predicted Δloss scaled to [0, 1]): the "
            "point farthest below the line from the smallest to the largest recipe ({:.2f} of "
            "the normalised range), where extra bytes stop buying much quality",
            best);
    return k;
}

std::string recipeJson(const Allocator &allocator, const Allocation &a, const std::string &target)
{
    using ojson = nlohmann::ordered_json;
    const ModelInventory &inv = allocator.inventory();
    ojson groups = ojson::array();
    for (const GroupChoice &c : a.groups) {
        const FusedGroup &g = inv.groups[c.group];
        ojson names = ojson::array();
        for (const std::size_t li : g.linears) {
            names.push_back(inv.linears[li].name);
        }
        groups.push_back({{"module", g.vllmModule},
                          {"format", formatName(c.format)},
                          {"bytes", c.bytes},
                          {"predicted_dloss", c.cost},
                          {"pinned", c.pinned},
                          {"linears", names}});
    }
    ojson linears = ojson::object();
    for (std::size_t i = 0; i < inv.linears.size(); ++i) {
        linears[inv.linears[i].name] = formatName(a.linearFormats[i]);
    }
    ojson counts = ojson::object();
    ojson bytesBy = ojson::object();
    for (const auto &[f, n] : a.counts()) {
        counts[formatName(f)] = n;
    }
    for (const auto &[f, b] : a.bytesByFormat()) {
        bytesBy[formatName(f)] = b;
    }
    const ojson j = {{"schema", "prismaquant.recipe/1"},
                     {"summary", a.summary()},
                     {"target", target},
                     {"costs", allocator.dataFree() ? "data-free: plain weight MSE (no probe)"
                                                    : "probe: output-space cost where measured, "
                                                      "else Fisher-weighted weight cost"},
                     {"total_bytes", a.totalBytes},
                     {"linear_bytes", a.linearBytes},
                     {"fixed_bytes", a.fixedBytes},
                     {"bits_per_linear_param", a.bitsPerLinearParam()},
                     {"bits_per_param", a.bitsPerParam()},
                     {"predicted_dloss", a.cost},
                     {"lower_bound", a.lowerBound},
                     {"gap", a.cost - a.lowerBound},
                     {"exact", a.exact},
                     {"family_4bit", a.family4},
                     {"counts", counts},
                     {"bytes_by_format", bytesBy},
                     {"groups", groups},
                     {"linears", linears}};
    return j.dump(1);
}

std::string paretoCsv(const std::vector<CurvePoint> &curve, const std::optional<Knee> &knee)
{
    std::set<FormatId> formats;
    for (const CurvePoint &p : curve) {
        for (const auto &[f, n] : p.counts) {
            formats.insert(f);
        }
    }
    std::string out = "label,total_bytes,bits_per_linear_param,predicted_dloss,knee";
    for (const FormatId f : formats) {
        out += "," + formatName(f);
    }
    out += "\n";
    for (std::size_t i = 0; i < curve.size(); ++i) {
        const CurvePoint &p = curve[i];
        out += fmt::format("{},{},{:.4f},{:.6g},{}", p.label, p.totalBytes, p.bitsPerLinearParam,
                           p.cost, knee && knee->index == i ? "yes" : "");
        for (const FormatId f : formats) {
            const auto it = p.counts.find(f);
            out += fmt::format(",{}", it == p.counts.end() ? 0 : it->second);
        }
        out += "\n";
    }
    return out;
}

}  // namespace pq::core::alloc
