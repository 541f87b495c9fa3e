// SPDX-License-Identifier: MIT
// Tensor-name classification: strip the section prefix, find the decoder layer, then match the
// module path inside the layer against the profile's tables.
#include "core/model/classify.h"

#include <array>
#include <charconv>

#include <fmt/format.h>

namespace pq::core {
namespace {

bool startsWith(std::string_view s, std::string_view p)
{
    return s.substr(0, p.size()) == p;
}

bool endsWith(std::string_view s, std::string_view p)
{
    return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

/** Parses "<digits>." at the start of `s`; returns the number and advances `s` past the dot. */
std::optional<std::int64_t> takeIndex(std::string_view &s)
{
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr == s.data() || ptr == s.data() + s.size() || *ptr != '.') {
        return std::nullopt;
    }
    s.remove_prefix(static_cast<std::size_t>(ptr - s.data()) + 1);
    return v;
}

/** Splits "a.b.weight" into module "a.b" and param "weight" (param empty when no dot). */
std::pair<std::string_view, std::string_view> splitParam(std::string_view local)
{
    const auto dot = local.rfind('.');
    if (dot == std::string_view::npos) {
        return {local, {}};
    }
    return {local.substr(0, dot), local.substr(dot + 1)};
}

bool isNormModule(std::string_view module)
{
    const auto dot = module.rfind('.');
    const std::string_view last = dot == std::string_view::npos ? module : module.substr(dot + 1);
    return last.find("norm") != std::string_view::npos;
}

const LinearRule *findRule(const std::vector<LinearRule> &rules, std::string_view module)
{
    for (const LinearRule &r : rules) {
        if (r.module == module) {
            return &r;
        }
    }
    return nullptr;
}

NameClass linearOrBias(const LinearRule &rule, std::string_view module, std::string_view param)
{
    NameClass c;
    c.kind = param == "bias" ? TensorKind::Bias : TensorKind::Linear;
    if (c.kind == TensorKind::Linear && param != "weight") {
        c.kind = TensorKind::Unknown;
        c.note = fmt::format("unexpected parameter '{}' of a Linear", param);
        return c;
    }
    c.role = rule.role;
    c.vllmSuffix = std::string(rule.vllmModule);
    c.module = std::string(module);
    return c;
}

NameClass classifyExperts(std::string_view rest, const ExpertLayout &e)
{
    NameClass c;
    auto [module, param] = splitParam(rest);
    if (const auto x = takeIndex(rest)) {  // per-expert: "<e>.gate_proj.weight"
        std::tie(module, param) = splitParam(rest);
        const std::array<LinearRule, 3> rules = {
                LinearRule{e.gate, LinearRole::ExpertGate, e.path},
                LinearRule{e.up, LinearRole::ExpertUp, e.path},
                LinearRule{e.down, LinearRole::ExpertDown, e.path}};
        for (const LinearRule &r : rules) {
            if (module == r.module) {
                c = linearOrBias(r, module, param);
                c.expert = *x;
                c.module = fmt::format("{}.{}.{}", e.path, *x, module);
                return c;
            }
        }
        c.note = "unknown expert projection";
        return c;
    }
    // Fused 3-D tensors: "gate_up_proj", "down_proj" (no ".weight"), with "_bias" companions.
    const std::string_view whole = module.empty() ? param : rest;
    if (whole == "gate_up_proj" || whole == "down_proj") {
        c.kind = TensorKind::Linear;
        c.fusedExperts = true;
        c.role = whole == "down_proj" ? LinearRole::ExpertDown : LinearRole::ExpertGate;
        c.vllmSuffix = std::string(e.path);
        c.module = std::string(e.path) + "." + std::string(whole);
        return c;
    }
    if (whole == "gate_up_proj_bias" || whole == "down_proj_bias") {
        c.kind = TensorKind::Bias;
        return c;
    }
    c.note = "unknown tensor in the experts container";
    return c;
}

NameClass classifyInLayer(std::string_view local, const ProfileSpec &p)
{
    if (p.experts && startsWith(local, std::string(p.experts->path) + ".")) {
        return classifyExperts(local.substr(p.experts->path.size() + 1), *p.experts);
    }
    const auto [module, param] = splitParam(local);
    for (const auto *rules : {&p.attention, &p.linearAttention, &p.mlp}) {
        if (const LinearRule *r = findRule(*rules, module)) {
            return linearOrBias(*r, module, param);
        }
    }
    NameClass c;
    if (p.sharedExpert) {
        const std::string sp = std::string(p.sharedExpert->path) + ".";
        if (startsWith(module, sp)) {
            const std::string_view proj = module.substr(sp.size());
            const LinearRole role = proj == "gate_proj" ? LinearRole::SharedGate
                                    : proj == "up_proj" ? LinearRole::SharedUp
                                                        : LinearRole::SharedDown;
            const std::string_view fused = proj == "down_proj" ? "down_proj" : "gate_up_proj";
            if (proj == "gate_proj" || proj == "up_proj" || proj == "down_proj") {
                NameClass s = linearOrBias(LinearRule{module, role, module}, module, param);
                s.vllmSuffix = sp + std::string(fused);
                return s;
            }
        }
        if (!p.sharedExpert->gateModule.empty() && module == p.sharedExpert->gateModule) {
            c.kind = TensorKind::Router;
            c.note = "shared-expert gate";
            return c;
        }
    }
    if (p.experts &&
        (module == p.experts->router || startsWith(module, std::string(p.experts->router) + "."))) {
        c.kind = TensorKind::Router;
        return c;
    }
    if (isNormModule(module) || isNormModule(local)) {
        c.kind = TensorKind::Norm;
        return c;
    }
    static constexpr std::array<std::string_view, 6> KEPT = {
            "linear_attn.conv1d", "linear_attn.A_log",    "linear_attn.dt_bias",
            "self_attn.sinks",    "self_attn.rotary_emb", "rotary_emb"};
    for (std::string_view k : KEPT) {
        if (startsWith(local, k)) {
            c.kind = TensorKind::Passthrough;
            c.note = std::string(k);
            return c;
        }
    }
    c.note = "not in the profile's layer tables";
    return c;
}

/** DeepSeek MTP layers add these around a normal decoder layer. */
NameClass classifyMtpExtras(std::string_view local)
{
    NameClass c;
    const auto [module, param] = splitParam(local);
    if (module == "eh_proj" || module == "fc") {
        static constexpr LinearRule EH{"eh_proj", LinearRole::MtpProj, "eh_proj"};
        static constexpr LinearRule FC{"fc", LinearRole::MtpProj, "fc"};
        return linearOrBias(module == "fc" ? FC : EH, module, param);
    }
    if (module == "embed_tokens") {
        c.kind = TensorKind::Embedding;
    } else if (module == "shared_head.head") {
        c.kind = TensorKind::LmHead;
    } else if (isNormModule(module)) {
        c.kind = TensorKind::Norm;
    }
    return c;
}

NameClass classifyLayered(std::string_view rest,
                          std::string_view prefix,
                          const ProfileSpec &p,
                          std::int64_t numLayers,
                          bool mtpPrefix)
{
    std::string_view afterLayers = rest;
    const auto layer = takeIndex(afterLayers);
    if (!layer) {
        NameClass c;
        c.note = "layer index missing";
        return c;
    }
    const bool mtp = mtpPrefix || (p.mtp == MtpStyle::ExtraLayers && *layer >= numLayers);
    NameClass c = classifyInLayer(afterLayers, p);
    if (c.kind == TensorKind::Unknown && mtp) {
        c = classifyMtpExtras(afterLayers);
    }
    c.section = mtp ? Section::Mtp : Section::Text;
    c.layer = mtpPrefix ? *layer : (mtp ? *layer - numLayers : *layer);
    c.layerPrefix = fmt::format("{}layers.{}.", prefix, *layer);
    if (!c.module.empty()) {
        c.module = c.layerPrefix + c.module;
    }
    return c;
}

}  // namespace

bool isQuantCompanionName(std::string_view name)
{
    static constexpr std::array<std::string_view, 17> SUFFIXES = {".weight_scale",
                                                                  ".weight_scale_inv",
                                                                  ".weight_scale_2",
                                                                  ".weight_packed",
                                                                  ".weight_zero_point",
                                                                  ".weight_global_scale",
                                                                  ".input_scale",
                                                                  ".input_global_scale",
                                                                  ".qweight",
                                                                  ".qzeros",
                                                                  ".scales",
                                                                  ".g_idx",
                                                                  ".SCB",
                                                                  ".weight_format",
                                                                  ".absmax",
                                                                  "_blocks",
                                                                  ".weight_shape"};
    for (std::string_view s : SUFFIXES) {
        if (endsWith(name, s)) {
            return true;
        }
    }
    return name.find(".quant_state.") != std::string_view::npos || endsWith(name, "_scales") ||
           endsWith(name, ".quant_map");
}

NameClass classifyName(std::string_view name, const ProfileSpec &p, std::int64_t numLayers)
{
    NameClass c;
    if (isQuantCompanionName(name)) {
        c.kind = TensorKind::QuantCompanion;
        c.note = "belongs to an already-quantized checkpoint";
        return c;
    }
    for (const auto &[prefix, section] : p.passthroughPrefixes) {
        if (startsWith(name, prefix)) {
            c.kind = TensorKind::Passthrough;
            c.section = section;
            return c;
        }
    }
    if (p.mtp == MtpStyle::SeparatePrefix && startsWith(name, "mtp.")) {
        if (startsWith(name, "mtp.layers.")) {
            return classifyLayered(name.substr(11), "mtp.", p, numLayers, true);
        }
        c = classifyMtpExtras(name.substr(4));
        if (c.role) {
            c.module = fmt::format("mtp.{}", c.module);
        }
        c.section = Section::Mtp;
        return c;
    }
    for (const std::string_view prefix : {p.textPrefix, std::string_view("model.")}) {
        if (!startsWith(name, prefix)) {
            continue;
        }
        const std::string_view rest = name.substr(prefix.size());
        if (startsWith(rest, "layers.")) {
            return classifyLayered(rest.substr(7), prefix, p, numLayers, false);
        }
        if (rest == "embed_tokens.weight") {
            c.kind = TensorKind::Embedding;
            return c;
        }
        if (isNormModule(splitParam(rest).first)) {
            c.kind = TensorKind::Norm;
            return c;
        }
    }
    if (name == std::string(p.lmHead) + ".weight" || name == "lm_head.weight") {
        c.kind = TensorKind::LmHead;
        return c;
    }
    c.note = "no profile rule matches this name";
    return c;
}

}  // namespace pq::core
