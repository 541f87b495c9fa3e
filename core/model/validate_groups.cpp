// SPDX-License-Identifier: MIT
// The checks of `prismaquant validate` about the Linears' fused groups: each group complete and
// shape-consistent, the expert layout alike across MoE layers, and the vLLM module names
// (docs/validate.md). The other checks and validateModel are in validate.cpp.
#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "core/model/validate_internal.h"

namespace pq::core::detail {
namespace {

bool isExpertRole(LinearRole r)
{
    return r == LinearRole::ExpertGate || r == LinearRole::ExpertUp || r == LinearRole::ExpertDown;
}

/** The fused module one Linear role belongs to: vLLM suffix and every member it implies. */
struct RuleGroup
{
    std::string vllmSuffix;  ///< relative to the layer, e.g. "self_attn.qkv_proj"
    std::vector<std::pair<LinearRole, std::string>> members;  ///< role, checkpoint module
    bool sameShape = false;  ///< members must have identical [out, in] (gate/up)
};

std::optional<RuleGroup> ruleGroupFor(const ProfileSpec &p, const ModelConfig &c, LinearRole role)
{
    for (const auto *table : {&p.attention, &p.linearAttention, &p.mlp}) {
        const auto it = std::find_if(table->begin(), table->end(),
                                     [&](const LinearRule &r) { return r.role == role; });
        if (it == table->end()) {
            continue;
        }
        RuleGroup g;
        g.vllmSuffix = std::string(it->vllmModule);
        for (const LinearRule &r : *table) {
            // Without q_lora_rank, MLA has a plain q_proj and no q_a_proj to fuse.
            const bool noQa = r.role == LinearRole::AttnQA && c.mla && c.mla->qLoraRank == 0;
            if (r.vllmModule == it->vllmModule && !noQa) {
                g.members.emplace_back(r.role, std::string(r.module));
            }
        }
        g.sameShape = role == LinearRole::MlpGate || role == LinearRole::MlpUp;
        return g;
    }
    if (p.sharedExpert && (role == LinearRole::SharedGate || role == LinearRole::SharedUp ||
                           role == LinearRole::SharedDown)) {
        const std::string path(p.sharedExpert->path);
        RuleGroup g;
        if (role == LinearRole::SharedDown) {
            g.vllmSuffix = path + ".down_proj";
            g.members = {{LinearRole::SharedDown, path + ".down_proj"}};
        } else {
            g.vllmSuffix = path + ".gate_up_proj";
            g.members = {{LinearRole::SharedGate, path + ".gate_proj"},
                         {LinearRole::SharedUp, path + ".up_proj"}};
            g.sameShape = true;
        }
        return g;
    }
    return std::nullopt;
}

/** The module a Linear's vLLM name must end with (empty when the profile has no rule). */
std::string expectedVllmSuffix(const ModelInventory &inv, const LinearInfo &l)
{
    if (isExpertRole(l.role)) {
        return inv.profile->experts ? std::string(inv.profile->experts->path) : std::string();
    }
    if (l.role == LinearRole::MtpProj) {
        const auto dot = l.name.rfind('.');
        return dot == std::string::npos ? l.name : l.name.substr(dot + 1);
    }
    const auto g = ruleGroupFor(*inv.profile, inv.config, l.role);
    return g ? g->vllmSuffix : std::string();
}

std::int64_t configExperts(const ModelConfig &c)
{
    return c.moe ? c.moe->numExperts : 0;
}

std::string expertStorageOf(const ModelInventory &inv, const FusedGroup &g)
{
    std::set<std::string> seen;
    for (const std::size_t i : g.linears) {
        const SourceSlice &s = inv.linears[i].source;
        seen.insert(s.expert < 0 ? "per-expert"
                                 : (s.transposed ? "fused-3d-transposed" : "fused-3d"));
    }
    return seen.size() == 1 ? *seen.begin() : std::string("mixed");
}

// ---- fused groups -----------------------------------------------------------------------------

void expertGroupProblems(const ModelInventory &inv, const FusedGroup &g, Problems &p)
{
    const ExpertLayout layout = inv.profile->experts.value_or(ExpertLayout{});
    std::map<std::int64_t, std::array<const LinearInfo *, 3>> byExpert;
    std::int64_t maxExpert = -1;
    for (const std::size_t i : g.linears) {
        const LinearInfo &l = inv.linears[i];
        const std::size_t slot = l.role == LinearRole::ExpertGate ? 0
                                 : l.role == LinearRole::ExpertUp ? 1
                                                                  : 2;
        auto &slots = byExpert[l.expert];
        if (slots[slot] != nullptr) {
            p.add(fmt::format("{}: expert {} has two {} weights", g.vllmModule, l.expert,
                              linearRoleName(l.role)));
        }
        slots[slot] = &l;
        maxExpert = std::max(maxExpert, l.expert);
    }
    const std::int64_t declared = configExperts(inv.config);
    const std::int64_t count = declared > 0 ? declared : maxExpert + 1;
    const std::array<std::string_view, 3> names = {layout.gate, layout.up, layout.down};
    for (std::int64_t e = 0; e < count; ++e) {
        const auto it = byExpert.find(e);
        std::vector<std::string_view> missing;
        for (std::size_t s = 0; s < 3; ++s) {
            if (it == byExpert.end() || it->second[s] == nullptr) {
                missing.push_back(names[s]);
            }
        }
        if (!missing.empty()) {
            p.add(fmt::format("{} lacks expert {} ({})", g.vllmModule, e,
                              fmt::join(missing, ", ")));
        }
    }
    if (maxExpert >= count) {
        p.add(fmt::format("{} has expert {} but config.json declares {} experts", g.vllmModule,
                          maxExpert, count));
    }
    // Shapes: every gate/up the same, every down the same, and down the transpose of gate.
    const LinearInfo *gate = nullptr;
    const LinearInfo *down = nullptr;
    for (const auto &[e, slots] : byExpert) {
        for (std::size_t s = 0; s < 3; ++s) {
            const LinearInfo *l = slots[s];
            if (l == nullptr) {
                continue;
            }
            const LinearInfo *&ref = s == 2 ? down : gate;
            if (ref == nullptr) {
                ref = l;
            } else if (l->outFeatures != ref->outFeatures || l->inFeatures != ref->inFeatures) {
                p.add(fmt::format("{} {} ≠ {} {}", l->name, shapeOf(*l), ref->name, shapeOf(*ref)));
            }
        }
    }
    if (gate != nullptr && down != nullptr &&
        (gate->outFeatures != down->inFeatures || gate->inFeatures != down->outFeatures)) {
        p.add(fmt::format("{} {} does not mirror {} {}", down->name, shapeOf(*down), gate->name,
                          shapeOf(*gate)));
    }
}

void linearGroupProblems(const ModelInventory &inv, const FusedGroup &g, Problems &p)
{
    const LinearInfo &first = inv.linears[g.linears.front()];
    std::map<LinearRole, std::vector<const LinearInfo *>> byRole;
    for (const std::size_t i : g.linears) {
        byRole[inv.linears[i].role].push_back(&inv.linears[i]);
    }
    const auto rule = ruleGroupFor(*inv.profile, inv.config, first.role);
    if (rule) {
        for (const auto &[role, module] : rule->members) {
            const std::size_t n = byRole.contains(role) ? byRole.at(role).size() : 0;
            if (n == 0) {
                p.add(fmt::format("{} lacks {}", g.vllmModule, module));
            } else if (n > 1) {
                p.add(fmt::format("{} has {} × {}", g.vllmModule, n, module));
            }
        }
        for (const auto &[role, ls] : byRole) {
            const bool expected =
                    std::any_of(rule->members.begin(), rule->members.end(),
                                [role = role](const auto &m) { return m.first == role; });
            if (!expected) {
                p.add(fmt::format("{} holds {}, which its rule does not fuse", g.vllmModule,
                                  ls.front()->name));
            }
        }
    }
    // One module multiplies one input: every member reads the same in_features.
    for (const std::size_t i : g.linears) {
        const LinearInfo &l = inv.linears[i];
        if (l.inFeatures != first.inFeatures) {
            p.add(fmt::format("{} {} and {} {} differ in in_features", first.name, shapeOf(first),
                              l.name, shapeOf(l)));
        }
    }
    if (rule && rule->sameShape && byRole.size() == 2) {
        const LinearInfo &a = *byRole.begin()->second.front();
        const LinearInfo &b = *std::next(byRole.begin())->second.front();
        if (a.outFeatures != b.outFeatures || a.inFeatures != b.inFeatures) {
            p.add(fmt::format("{} {} ≠ {} {}", a.name, shapeOf(a), b.name, shapeOf(b)));
        }
    }
}

/** Every layer of one kind holds the same fused modules (a missing o_proj shows here). */
void layerProblems(const ModelInventory &inv, Problems &p)
{
    using LayerKey = std::pair<Section, std::int64_t>;
    std::map<LayerKey, std::set<std::string>> modules;
    for (const LinearInfo &l : inv.linears) {
        if (l.layer >= 0) {
            modules[{l.section, l.layer}].insert(expectedVllmSuffix(inv, l));
        }
    }
    for (std::int64_t layer = 0; layer < inv.config.numLayers; ++layer) {
        if (!modules.contains({Section::Text, layer})) {
            p.add(fmt::format("decoder layer {} has no Linears (config.json declares {} layers)",
                              layer, inv.config.numLayers));
        }
    }
    using ClassKey = std::tuple<Section, std::string, bool>;
    std::map<ClassKey, std::set<std::string>> unionByClass;
    auto classOf = [&](const LayerKey &k) {
        const bool text = k.first == Section::Text;
        return ClassKey{k.first, text ? inv.config.layerType(k.second) : std::string("mtp"),
                        text && inv.config.isMoeLayer(k.second)};
    };
    for (const auto &[k, set] : modules) {
        unionByClass[classOf(k)].insert(set.begin(), set.end());
    }
    for (const auto &[k, set] : modules) {
        const auto &all = unionByClass[classOf(k)];
        for (const std::string &m : all) {
            if (!set.contains(m)) {
                p.add(fmt::format("{}layer {} lacks {} (present in other {} layers)",
                                  k.first == Section::Mtp ? "MTP " : "", k.second, m,
                                  std::get<1>(classOf(k))));
            }
        }
    }
}

}  // namespace

ValidationCheck checkFusedGroups(const ModelInventory &inv)
{
    ValidationCheck c =
            makeCheck("fused_groups", "fused groups complete and shape-consistent in every layer");
    Problems p;
    std::size_t fused = 0;
    for (const FusedGroup &g : inv.groups) {
        if (g.linears.empty()) {
            continue;
        }
        fused += g.linears.size() > 1 ? 1 : 0;
        if (g.experts) {
            expertGroupProblems(inv, g, p);
        } else {
            linearGroupProblems(inv, g, p);
        }
    }
    layerProblems(inv, p);
    if (!p.empty()) {
        p.failInto(c);
        return c;
    }
    if (inv.linears.empty()) {
        fail(c, "no Linears found");
        return c;
    }
    pass(c, fmt::format("{} groups ({} fused), {} Linears, every member present with matching "
                        "shapes",
                        inv.groups.size(), fused, inv.linears.size()));
    return c;
}

// ---- expert layout ----------------------------------------------------------------------------

ValidationCheck checkExpertLayout(const ModelInventory &inv)
{
    ValidationCheck c = makeCheck("expert_layout", "expert layout consistent across layers");
    const bool anyExperts = std::any_of(inv.groups.begin(), inv.groups.end(),
                                        [](const FusedGroup &g) { return g.experts; });
    if (!inv.config.moe && !anyExperts) {
        pass(c, "not applicable: no mixture-of-experts layers");
        return c;
    }
    if (inv.config.moe && !inv.profile->experts) {
        fail(c, fmt::format("config.json declares {} experts but profile '{}' has no expert layout",
                            configExperts(inv.config), inv.profile->name));
        return c;
    }

    struct Layout
    {
        std::int64_t experts = 0;
        std::string storage;
        const LinearInfo *gate = nullptr;
        const LinearInfo *down = nullptr;
    };

    std::map<std::pair<Section, std::int64_t>, Layout> layers;
    for (const FusedGroup &g : inv.groups) {
        if (!g.experts || g.linears.empty()) {
            continue;
        }
        Layout lay;
        std::set<std::int64_t> ids;
        for (const std::size_t i : g.linears) {
            const LinearInfo &l = inv.linears[i];
            ids.insert(l.expert);
            if (lay.gate == nullptr && l.role != LinearRole::ExpertDown) {
                lay.gate = &l;
            }
            if (lay.down == nullptr && l.role == LinearRole::ExpertDown) {
                lay.down = &l;
            }
        }
        lay.experts = static_cast<std::int64_t>(ids.size());
        lay.storage = expertStorageOf(inv, g);
        const LinearInfo &first = inv.linears[g.linears.front()];
        layers[{first.section, g.layer}] = lay;
    }
    Problems p;
    for (std::int64_t layer = 0; layer < inv.config.numLayers; ++layer) {
        const bool has = layers.contains({Section::Text, layer});
        if (inv.config.isMoeLayer(layer) && !has) {
            p.add(fmt::format("layer {}: config.json makes it a MoE layer but it has no experts",
                              layer));
        } else if (!inv.config.isMoeLayer(layer) && has) {
            p.add(fmt::format("layer {}: experts found in a layer config.json makes dense", layer));
        }
    }
    const std::int64_t declared = configExperts(inv.config);
    const Layout *ref = layers.empty() ? nullptr : &layers.begin()->second;
    const std::int64_t refLayer = layers.empty() ? -1 : layers.begin()->first.second;
    for (const auto &[key, lay] : layers) {
        const std::string where =
                fmt::format("{}layer {}", key.first == Section::Mtp ? "MTP " : "", key.second);
        if (declared > 0 && lay.experts != declared) {
            p.add(fmt::format("{} has {} experts, config.json declares {}", where, lay.experts,
                              declared));
        } else if (lay.experts != ref->experts) {
            p.add(fmt::format("{} has {} experts, layer {} has {}", where, lay.experts, refLayer,
                              ref->experts));
        }
        if (lay.storage != ref->storage) {
            p.add(fmt::format("{} stores experts {}, layer {} {}", where, lay.storage, refLayer,
                              ref->storage));
        }
        for (const auto &[mine, theirs] :
             {std::pair{lay.gate, ref->gate}, std::pair{lay.down, ref->down}}) {
            if (mine == nullptr || theirs == nullptr) {
                if (mine != theirs) {
                    p.add(fmt::format("{} lacks the gate/up or down experts that layer {} has",
                                      where, refLayer));
                }
                continue;
            }
            if (mine->outFeatures != theirs->outFeatures ||
                mine->inFeatures != theirs->inFeatures) {
                p.add(fmt::format("{} {} ≠ {} {}", mine->name, shapeOf(*mine), theirs->name,
                                  shapeOf(*theirs)));
            }
        }
    }
    if (!p.empty()) {
        p.failInto(c);
        return c;
    }
    if (ref == nullptr) {
        fail(c, fmt::format("config.json declares {} experts but no expert tensors were found",
                            declared));
        return c;
    }
    pass(c,
         fmt::format("{} experts in each of {} MoE layers, {}, gate/up {}, down {}", ref->experts,
                     layers.size(), ref->storage, ref->gate ? shapeOf(*ref->gate) : "-",
                     ref->down ? shapeOf(*ref->down) : "-"));
    return c;
}

// ---- vLLM names -------------------------------------------------------------------------------

ValidationCheck checkVllmNames(const ModelInventory &inv)
{
    ValidationCheck c = makeCheck("vllm_names", "every Linear maps to a vLLM module");
    Problems p;
    for (const LinearInfo &l : inv.linears) {
        if (l.vllmModule.empty()) {
            p.add(fmt::format("{} has no vLLM module", l.name));
            continue;
        }
        if (l.group >= inv.groups.size() || inv.groups[l.group].vllmModule != l.vllmModule) {
            p.add(fmt::format("{} maps to {} but sits in another fused group", l.name,
                              l.vllmModule));
        }
        const std::string suffix = expectedVllmSuffix(inv, l);
        if (suffix.empty()) {
            p.add(fmt::format("{} ({}) has no rule naming its vLLM module", l.name,
                              linearRoleName(l.role)));
        } else if (!(l.vllmModule == suffix || l.vllmModule.ends_with("." + suffix))) {
            p.add(fmt::format("{} maps to {}, expected a module ending in {}", l.name, l.vllmModule,
                              suffix));
        }
        for (const auto &[from, to] : inv.profile->vllmRenames) {
            if (l.vllmModule.starts_with(from)) {
                p.add(fmt::format("{} keeps the checkpoint prefix '{}' (vLLM: '{}')", l.vllmModule,
                                  from, to));
            }
        }
        if (l.section == Section::Text && l.layer >= 0 &&
            l.vllmModule.find(fmt::format("layers.{}.", l.layer)) == std::string::npos) {
            p.add(fmt::format("{} maps to {}, which is not in layer {}", l.name, l.vllmModule,
                              l.layer));
        }
        if (l.vllmModule.ends_with(".weight") || l.vllmModule.find("..") != std::string::npos) {
            p.add(fmt::format("{} maps to a malformed module name {}", l.name, l.vllmModule));
        }
    }
    if (!p.empty()) {
        p.failInto(c);
        return c;
    }
    pass(c,
         fmt::format("{} Linears map to {} vLLM modules{}", inv.linears.size(), inv.groups.size(),
                     inv.linears.empty() ? std::string()
                                         : fmt::format(" (e.g. {} → {})", inv.linears.front().name,
                                                       inv.linears.front().vllmModule)));
    return c;
}

}  // namespace pq::core::detail
