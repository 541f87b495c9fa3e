// SPDX-License-Identifier: MIT
#include "core/model/inventory.h"

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include <fmt/format.h>

#include "core/io/checkpoint.h"
#include "core/model/classify.h"

namespace pq::core {

std::string toVllmName(const ProfileSpec &p, std::string_view module)
{
    for (const auto &[from, to] : p.vllmRenames) {
        if (module.starts_with(from)) {
            return std::string(to) + std::string(module.substr(from.size()));
        }
    }
    return std::string(module);
}

namespace {

class Builder
{
public:
    Builder(ModelInventory &inv, const ProfileSpec &p)
        : m_inv(inv)
        , m_p(p)
    {}

    Status add(std::size_t index, const NameClass &c)
    {
        const ClassifiedTensor &t = m_inv.tensors[index];
        if (c.kind != TensorKind::Linear || !c.role || !t.shapeKnown) {
            return {};
        }
        if (c.fusedExperts) {
            return addFusedExperts(index, c);
        }
        if (t.info.shape.size() != 2) {
            return makeError(ErrorCode::InvalidFormat,
                             fmt::format("a Linear weight must be 2-D, found {} dimensions",
                                         t.info.shape.size()))
                    .withTensor(t.info.name);
        }
        LinearInfo l = base(t, c);
        l.name = c.module;
        l.outFeatures = t.info.shape[0];
        l.inFeatures = t.info.shape[1];
        push(std::move(l), c);
        return {};
    }

private:
    LinearInfo base(const ClassifiedTensor &t, const NameClass &c) const
    {
        LinearInfo l;
        l.role = *c.role;
        l.section = c.section;
        l.layer = c.layer;
        l.expert = c.expert;
        l.sourceDtype = t.info.dtype;
        l.source.tensor = static_cast<std::size_t>(&t - m_inv.tensors.data());
        return l;
    }

    Status addFusedExperts(std::size_t index, const NameClass &c)
    {
        const ClassifiedTensor &t = m_inv.tensors[index];
        const auto &shape = t.info.shape;
        const bool transposed = m_p.experts->storage == ExpertStorage::Fused3dTransposedInterleaved;
        const bool gateUp = *c.role != LinearRole::ExpertDown;
        if (shape.size() != 3 || shape[0] == 0) {
            return makeError(ErrorCode::InvalidFormat,
                             "a fused expert tensor must be 3-D [experts, out, in]")
                    .withTensor(t.info.name);
        }
        std::uint64_t out = transposed ? shape[2] : shape[1];
        const std::uint64_t in = transposed ? shape[1] : shape[2];
        if (gateUp && out % 2 != 0) {
            return makeError(ErrorCode::InvalidFormat, "gate_up_proj has an odd output size")
                    .withTensor(t.info.name);
        }
        if (gateUp) {
            out /= 2;
        }
        for (std::uint64_t e = 0; e < shape[0]; ++e) {
            for (int half = 0; half < (gateUp ? 2 : 1); ++half) {
                LinearInfo l = base(t, c);
                l.expert = static_cast<std::int64_t>(e);
                l.role = !gateUp ? LinearRole::ExpertDown
                                 : (half == 0 ? LinearRole::ExpertGate : LinearRole::ExpertUp);
                const std::string_view proj = !gateUp     ? m_p.experts->down
                                              : half == 0 ? m_p.experts->gate
                                                          : m_p.experts->up;
                l.name = fmt::format("{}{}.{}.{}", c.layerPrefix, m_p.experts->path, e, proj);
                l.outFeatures = out;
                l.inFeatures = in;
                l.source.expert = static_cast<std::int64_t>(e);
                l.source.transposed = transposed;
                l.source.stride = transposed && gateUp ? 2 : 1;
                l.source.first = transposed ? static_cast<std::uint64_t>(half)
                                            : static_cast<std::uint64_t>(half) * out;
                push(std::move(l), c);
            }
        }
        return {};
    }

    void push(LinearInfo l, const NameClass &c)
    {
        const std::string vllm = toVllmName(m_p, c.layerPrefix + c.vllmSuffix);
        l.vllmModule = c.layerPrefix.empty() ? toVllmName(m_p, l.name) : vllm;
        const auto [it, inserted] = m_groupByModule.emplace(l.vllmModule, m_inv.groups.size());
        if (inserted) {
            FusedGroup g;
            g.vllmModule = l.vllmModule;
            g.layer = l.layer;
            g.experts = l.expert >= 0;
            m_inv.groups.push_back(std::move(g));
        }
        l.group = it->second;
        m_inv.groups[l.group].linears.push_back(m_inv.linears.size());
        m_inv.linears.push_back(std::move(l));
    }

    ModelInventory &m_inv;
    const ProfileSpec &m_p;
    std::unordered_map<std::string, std::size_t> m_groupByModule;
};

}  // namespace

std::string_view tensorSourceName(TensorSource source)
{
    switch (source) {
    case TensorSource::Weights:
        return "weights";
    case TensorSource::IndexAndConfig:
        return "index+config";
    case TensorSource::ConfigOnly:
        return "config";
    }
    return "unknown";
}

Result<ModelInventory> buildInventory(ModelConfig config,
                                      const ProfileSpec *profile,
                                      std::vector<TensorInfo> tensors,
                                      TensorSource source,
                                      const std::vector<std::string> &shapeless)
{
    ModelInventory inv;
    inv.config = std::move(config);
    inv.genericFallback = profile == nullptr;
    inv.profile = profile != nullptr ? profile : &genericProfile();
    inv.source = source;
    if (inv.genericFallback) {
        inv.warnings.push_back(
                fmt::format("no profile for model_type '{}': assuming Llama-style tensor names "
                            "(the supported model types are {})",
                            inv.config.modelType, supportedModelTypes()));
    }
    std::sort(tensors.begin(), tensors.end(),
              [](const TensorInfo &a, const TensorInfo &b) { return a.name < b.name; });
    inv.tensors.reserve(tensors.size());
    for (TensorInfo &t : tensors) {
        ClassifiedTensor ct;
        ct.shapeKnown = std::find(shapeless.begin(), shapeless.end(), t.name) == shapeless.end();
        ct.info = std::move(t);
        inv.tensors.push_back(std::move(ct));
    }
    Builder builder(inv, *inv.profile);
    for (std::size_t i = 0; i < inv.tensors.size(); ++i) {
        ClassifiedTensor &t = inv.tensors[i];
        const NameClass c = classifyName(t.info.name, *inv.profile, inv.config.numLayers);
        t.kind = c.kind;
        t.section = c.section;
        t.layer = c.layer;
        t.note = c.note;
        PQ_TRY_STATUS(builder.add(i, c));
    }
    // Canonical order: by section and layer, then the layer's own Linears in role order
    // (q, k, v, o, ..., gate, up, down), then experts by index (gate, up, down each).
    std::stable_sort(inv.linears.begin(), inv.linears.end(),
                     [](const LinearInfo &a, const LinearInfo &b) {
                         return std::tie(a.section, a.layer, a.expert, a.role) <
                                std::tie(b.section, b.layer, b.expert, b.role);
                     });
    if (inv.config.mtpLayers > 0 && inv.mtpTensors() == 0 && source != TensorSource::ConfigOnly) {
        inv.warnings.push_back(fmt::format(
                "config.json declares {} MTP layer(s) but the checkpoint has no MTP tensors "
                "(multi-token prediction will not be available)",
                inv.config.mtpLayers));
    }
    for (FusedGroup &g : inv.groups) {
        g.linears.clear();
    }
    for (std::size_t i = 0; i < inv.linears.size(); ++i) {
        inv.groups[inv.linears[i].group].linears.push_back(i);
    }
    return inv;
}

}  // namespace pq::core
