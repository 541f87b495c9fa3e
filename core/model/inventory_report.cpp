// SPDX-License-Identifier: MIT
#include "core/model/inventory_report.h"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/util/human.h"

namespace pq::core {
namespace {

using ojson = nlohmann::ordered_json;

std::string_view storageName(const ProfileSpec &p)
{
    if (!p.experts) {
        return "none";
    }
    switch (p.experts->storage) {
    case ExpertStorage::PerExpert:
        return "per-expert";
    case ExpertStorage::Fused3d:
        return "fused-3d";
    case ExpertStorage::Fused3dTransposedInterleaved:
        return "fused-3d-transposed-interleaved";
    }
    return "none";
}

/** Expert storage as found in the tensors (a Qwen3.5 profile also reads per-expert exports). */
std::string_view foundExpertStorage(const ModelInventory &inv)
{
    for (const LinearInfo &l : inv.linears) {
        if (l.expert >= 0) {
            return l.source.expert >= 0 ? storageName(*inv.profile) : "per-expert";
        }
    }
    return "none";
}

ojson configJson(const ModelConfig &c)
{
    std::map<std::string, int> types;
    for (std::int64_t l = 0; l < c.numLayers; ++l) {
        ++types[c.layerType(l)];
    }
    return {{"hidden_size", c.hiddenSize},
            {"num_layers", c.numLayers},
            {"num_heads", c.numHeads},
            {"num_kv_heads", c.numKvHeads},
            {"head_dim", c.headDim},
            {"intermediate_size", c.intermediateSize},
            {"vocab_size", c.vocabSize},
            {"max_position_embeddings", c.maxPositionEmbeddings},
            {"tie_word_embeddings", c.tieWordEmbeddings},
            {"torch_dtype", c.torchDtype},
            {"rope", {{"type", c.rope.type}, {"theta", c.rope.theta}, {"factor", c.rope.factor}}},
            {"layer_types", types},
            {"attention", c.mla ? "mla" : (c.linearAttention ? "hybrid-linear" : "standard")}};
}

ojson moeJson(const ModelInventory &inv)
{
    const ModelConfig &c = inv.config;
    if (!c.moe) {
        return nullptr;
    }
    std::int64_t moeLayers = 0;
    for (std::int64_t l = 0; l < c.numLayers; ++l) {
        moeLayers += c.isMoeLayer(l) ? 1 : 0;
    }
    return {{"experts", c.moe->numExperts},
            {"experts_per_token", c.moe->expertsPerToken},
            {"expert_intermediate_size", c.moe->expertIntermediateSize},
            {"shared_experts", c.moe->numSharedExperts},
            {"shared_intermediate_size", c.moe->sharedIntermediateSize},
            {"moe_layers", moeLayers},
            {"dense_layers", c.numLayers - moeLayers},
            {"storage", foundExpertStorage(inv)}};
}

ojson totalsJson(const RoleTotals &r)
{
    return {{"tensors", r.tensors}, {"params", r.params}, {"bytes", r.bytes}};
}

ojson linearsJson(const ModelInventory &inv, bool items)
{
    std::map<std::string, RoleTotals> roles;
    std::uint64_t mtp = 0;
    for (const LinearInfo &l : inv.linears) {
        RoleTotals &r = roles[std::string(linearRoleName(l.role))];
        ++r.tensors;
        r.params += l.params();
        r.bytes += l.sourceBytes();
        mtp += l.section == Section::Mtp ? 1 : 0;
    }
    ojson byRole = ojson::object();
    for (const auto &[role, r] : roles) {
        byRole[role] = {{"count", r.tensors}, {"params", r.params}, {"bytes", r.bytes}};
    }
    ojson j = {{"count", inv.linears.size()},
               {"text", inv.linears.size() - mtp},
               {"mtp", mtp},
               {"params", inv.linearParams()},
               {"source_bytes", inv.linearSourceBytes()},
               {"by_role", byRole}};
    if (items) {
        ojson list = ojson::array();
        for (const LinearInfo &l : inv.linears) {
            list.push_back({{"name", l.name},
                            {"vllm_module", l.vllmModule},
                            {"role", linearRoleName(l.role)},
                            {"section", sectionName(l.section)},
                            {"layer", l.layer},
                            {"expert", l.expert},
                            {"shape", {l.outFeatures, l.inFeatures}},
                            {"params", l.params()},
                            {"source_bytes", l.sourceBytes()},
                            {"source_tensor", inv.tensors[l.source.tensor].info.name},
                            {"group", l.group}});
        }
        j["items"] = std::move(list);
    }
    return j;
}

ojson groupsJson(const ModelInventory &inv)
{
    std::uint64_t experts = 0;
    for (const FusedGroup &g : inv.groups) {
        experts += g.experts ? 1 : 0;
    }
    std::uint64_t multi = 0;
    for (const FusedGroup &g : inv.groups) {
        multi += g.linears.size() > 1 ? 1 : 0;
    }
    return {{"count", inv.groups.size()}, {"expert_groups", experts}, {"multi_linear", multi}};
}

}  // namespace

std::string inventoryToJson(const ModelInventory &inv, const InspectOptions &options)
{
    const auto companions = inv.quantCompanions();
    std::map<std::string, ojson> byKind;
    for (const auto &[kind, totals] : inv.totalsByKind()) {
        byKind.emplace(std::string(tensorKindName(kind)), totalsJson(totals));
    }
    std::size_t shapeless = 0;
    for (const ClassifiedTensor &t : inv.tensors) {
        shapeless += t.shapeKnown ? 0 : 1;
    }
    const RoleTotals all = inv.totals();
    ojson j = {
            {"schema", INSPECT_SCHEMA},
            {"model_dir", options.modelDir},
            {"architectures", inv.config.architectures},
            {"model_type", inv.config.modelType},
            {"text_model_type", inv.config.textModelType},
            {"multimodal", inv.config.multimodal},
            {"profile", inv.profile->name},
            {"generic_fallback", inv.genericFallback},
            {"probe_supported", inv.profile->hasForward},
            {"tensor_source", tensorSourceName(inv.source)},
            {"source_dtype", inv.sourceDtypeName()},
            {"config", configJson(inv.config)},
            {"moe", moeJson(inv)},
            {"mtp", {{"layers_in_config", inv.config.mtpLayers}, {"tensors", inv.mtpTensors()}}},
            {"tensors",
             {{"count", all.tensors},
              {"params", all.params},
              {"bytes", all.bytes},
              {"shapeless", shapeless},
              {"by_kind", byKind}}},
            {"linears", linearsJson(inv, options.includeLinears)},
            {"fused_groups", groupsJson(inv)},
            {"passthrough",
             {{"vision", inv.passthroughTensors(Section::Vision)},
              {"audio", inv.passthroughTensors(Section::Audio)},
              {"projector", inv.passthroughTensors(Section::Projector)}}},
            {"already_quantized",
             {{"quant_method",
               inv.config.quantMethod.empty() ? ojson(nullptr) : ojson(inv.config.quantMethod)},
              {"companion_tensors", companions.size()},
              {"examples",
               std::vector<std::string>(companions.begin(),
                                        companions.begin() +
                                                static_cast<std::ptrdiff_t>(std::min<std::size_t>(
                                                        5, companions.size())))}}},
            {"quantizable", inv.checkQuantizable().has_value()},
            {"unclassified", inv.unclassified()},
            {"warnings", inv.warnings},
    };
    return j.dump(2);
}

}  // namespace pq::core

namespace pq::core {
namespace {

std::string roleLine(const ModelInventory &inv)
{
    std::map<LinearRole, std::uint64_t> byRole;
    for (const LinearInfo &l : inv.linears) {
        ++byRole[l.role];
    }
    std::string out;
    for (const auto &[role, n] : byRole) {
        out += fmt::format("{}{} {}", out.empty() ? "" : " · ", linearRoleName(role), n);
    }
    return out;
}

std::string kindLine(const ModelInventory &inv)
{
    std::map<TensorKind, std::uint64_t> shapeless;
    for (const ClassifiedTensor &t : inv.tensors) {
        shapeless[t.kind] += t.shapeKnown ? 0 : 1;
    }
    std::string out;
    for (const auto &[kind, r] : inv.totalsByKind()) {
        if (kind == TensorKind::Linear) {
            continue;
        }
        const std::uint64_t unknown = shapeless[kind];
        out += fmt::format("{}{} {} ({}{})", out.empty() ? "" : " · ", tensorKindName(kind),
                           r.tensors, unknown == r.tensors ? "size unknown" : formatBytes(r.bytes),
                           unknown > 0 && unknown < r.tensors
                                   ? fmt::format(", {} of unknown size", unknown)
                                   : "");
    }
    return out;
}

std::string statusLine(const ModelInventory &inv)
{
    const Status ok = inv.checkQuantizable();
    return ok ? std::string("ready: every tensor classified") : ok.error().message();
}

}  // namespace

std::string inventoryToText(const ModelInventory &inv, const InspectOptions &options)
{
    const ModelConfig &c = inv.config;
    const RoleTotals all = inv.totals();
    std::string out;
    auto line = [&out](std::string_view key, const std::string &value) {
        out += fmt::format("{:<13}{}\n", key, value);
    };
    line("Model",
         fmt::format("{}  ({}, model_type {})", options.modelDir,
                     c.architectures.empty() ? "?" : c.architectures.front(), c.modelType));
    line("Profile", fmt::format("{}{}  (probe forward: {})", inv.profile->name,
                                inv.genericFallback ? " [generic fallback]" : "",
                                inv.profile->hasForward ? "yes" : "not yet"));
    // a checkpoint with no full-precision Linear (an export read back) has no Linear dtype
    const std::string linearDtype =
            inv.linears.empty() ? std::string()
                                : fmt::format(" (Linears in {})", inv.sourceDtypeName());
    line("Tensors",
         fmt::format("{} from {}, {} params, {}{}", all.tensors, tensorSourceName(inv.source),
                     formatCount(all.params), formatBytes(all.bytes), linearDtype));
    line("Layers", fmt::format("{}  hidden {}  heads {}/{} kv  head_dim {}  vocab {}", c.numLayers,
                               c.hiddenSize, c.numHeads, c.numKvHeads, c.headDim, c.vocabSize));
    line("Linears",
         fmt::format("{} in {} fused groups, {} params, {}", inv.linears.size(), inv.groups.size(),
                     formatCount(inv.linearParams()), formatBytes(inv.linearSourceBytes())));
    line("  by role", roleLine(inv));
    if (c.moe) {
        line("MoE", fmt::format("{} experts, top-{}, expert width {}, {} shared", c.moe->numExperts,
                                c.moe->expertsPerToken, c.moe->expertIntermediateSize,
                                c.moe->numSharedExperts));
    }
    line("MTP", c.mtpLayers == 0 ? std::string("none")
                                 : fmt::format("{} layer(s) in config, {} tensors present",
                                               c.mtpLayers, inv.mtpTensors()));
    line("Other", kindLine(inv));
    line("Status", statusLine(inv));
    for (const std::string &w : inv.warnings) {
        line("Warning", w);
    }
    return out;
}

}  // namespace pq::core
