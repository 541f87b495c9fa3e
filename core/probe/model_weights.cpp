// SPDX-License-Identifier: MIT
#include <fmt/format.h>

#include "core/probe/model_weights_torch.h"

namespace pq::probe {

using core::Result;

core::Error torchError(const std::exception &e)
{
    return core::makeError(core::ErrorCode::Io, fmt::format("libtorch: {}", e.what()));
}

Compute Compute::of(const RuntimeOptions &options)
{
    Compute c;
    c.device = options.device == Device::Cuda ? torch::Device(torch::kCUDA) : torch::kCPU;
    switch (options.dtype) {
    case ComputeDtype::Auto:
        c.dtype = options.device == Device::Cuda ? torch::kBFloat16 : torch::kFloat32;
        break;
    case ComputeDtype::Float32:
        c.dtype = torch::kFloat32;
        break;
    case ComputeDtype::BFloat16:
        c.dtype = torch::kBFloat16;
        break;
    }
    return c;
}

torch::Tensor Compute::to(const torch::Tensor &t) const
{
    return t.is_floating_point() ? t.to(device, dtype) : t.to(device);
}

torch::Tensor Compute::host(const torch::Tensor &t)
{
    return t.to(torch::kCPU, torch::kFloat32).contiguous();
}

ModelWeights::ModelWeights(core::ModelInventory inventory,
                           core::Checkpoint checkpoint,
                           Compute compute)
    : m_inv(std::move(inventory))
    , m_cp(std::move(checkpoint))
    , m_compute(compute)
{}

std::pair<torch::Tensor, torch::Tensor> ModelWeights::ropeTables(std::int64_t positions) const
{
    const auto [cos, sin] = math::ropeTables(m_inv.config, positions);
    return {m_compute.to(cos), m_compute.to(sin)};
}

Result<ModelWeights> ModelWeights::open(const std::string &modelDir, const RuntimeOptions &options)
{
    auto inv = core::inventoryModelDir(modelDir);
    if (!inv) {
        return std::move(inv).error();
    }
    if (!inv->profile->hasForward) {
        return core::makeError(
                core::ErrorCode::Unsupported,
                fmt::format("the probe has no forward pass for '{}' yet (it runs llama, "
                            "mistral, qwen2, qwen3, qwen3_moe and mixtral models "
                            "today); `prismaquant inspect` works for every profile",
                            inv->profile->name));
    }
    PQ_TRY_STATUS(inv->checkQuantizable());
    auto cp = core::Checkpoint::open(modelDir);
    if (!cp) {
        return std::move(cp).error();
    }
    return ModelWeights(std::move(*inv), std::move(*cp), Compute::of(options));
}

std::string ModelWeights::layerPrefix(std::int64_t l) const
{
    return fmt::format("{}layers.{}.", m_inv.profile->textPrefix, l);
}

Result<ModelWeights::Mapped> ModelWeights::mapped(const std::string &name) const
{
    const core::Checkpoint::Entry *e = m_cp.find(name);
    if (e == nullptr) {
        return core::makeError(core::ErrorCode::NotFound, "tensor missing from the checkpoint")
                .withTensor(name);
    }
    const core::TensorView v = m_cp.view(*e);
    std::vector<std::int64_t> shape(v.info->shape.begin(), v.info->shape.end());
    // The mapping is read-only and the forward never writes its inputs.
    void *data = const_cast<std::byte *>(
            v.data.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast)
    torch::ScalarType stored = torch::kFloat32;
    switch (v.info->dtype) {
    case core::DType::F32:
        break;
    case core::DType::BF16:
        stored = torch::kBFloat16;
        break;
    case core::DType::F16:
        stored = torch::kFloat16;
        break;
    default:
        return core::makeError(core::ErrorCode::Unsupported,
                               fmt::format("weights stored as {} cannot be run",
                                           core::dtypeName(v.info->dtype)))
                .withTensor(name);
    }
    return Mapped{torch::from_blob(data, shape, stored), e};
}

torch::Tensor ModelWeights::convert(const Mapped &m) const
{
    const torch::Tensor &t = m.tensor;
    // a float32 CPU runtime reads float32 weights in place; anything else gets a converted copy
    if (t.scalar_type() == m_compute.dtype && m_compute.device.is_cpu()) {
        return t;
    }
    torch::Tensor out = t.to(m_compute.device, m_compute.dtype);
    if (m_releasePages) {
        m_cp.releasePages(*m.entry);
    }
    return out;
}

Result<torch::Tensor> ModelWeights::tensor(const std::string &name) const
{
    auto m = mapped(name);
    if (!m) {
        return std::move(m).error();
    }
    return convert(*m);
}

Result<torch::Tensor> ModelWeights::linearWeight(const core::LinearInfo &linear,
                                                 TensorCache &cache) const
{
    const core::SourceSlice &src = linear.source;
    const std::string &name = m_inv.tensors.at(src.tensor).info.name;
    auto hit = cache.find(name);
    if (hit == cache.end()) {
        auto t = tensor(name);
        if (!t) {
            return std::move(t).error();
        }
        hit = cache.emplace(name, *t).first;
    }
    torch::Tensor w = hit->second;
    if (src.expert >= 0) {
        w = w.select(0, src.expert);
    }
    if (src.transposed) {
        w = w.t();
    }
    const auto out = static_cast<std::int64_t>(linear.outFeatures);
    const auto first = static_cast<std::int64_t>(src.first);
    const auto stride = static_cast<std::int64_t>(src.stride);
    if (first != 0 || stride != 1 || w.size(0) != out) {
        w = w.slice(0, first, first + stride * (out - 1) + 1, stride);
    }
    if (w.dim() != 2 || w.size(0) != out ||
        w.size(1) != static_cast<std::int64_t>(linear.inFeatures)) {
        return core::makeError(core::ErrorCode::InvalidFormat,
                               fmt::format("expected a [{}, {}] weight", linear.outFeatures,
                                           linear.inFeatures))
                .withTensor(name);
    }
    return w.contiguous();
}

Result<math::MoeWeights> ModelWeights::moeBlock(std::int64_t l) const
{
    const core::ExpertLayout &layout = *m_inv.profile->experts;
    const std::string pre = layerPrefix(l);
    math::MoeWeights moe;
    auto router = tensor(pre + std::string(layout.router) + ".weight");
    if (!router) {
        return std::move(router).error();
    }
    moe.router = *router;
    moe.topK = m_inv.config.moe->expertsPerToken;
    moe.normalizeTopK = m_inv.config.moe->normTopkProb || layout.alwaysNormalizeTopK;
    moe.experts.resize(static_cast<std::size_t>(m_inv.config.moe->numExperts));
    TensorCache cache;  // a fused [E, ...] tensor is converted once per layer, not per expert
    for (const core::LinearInfo &li : m_inv.linears) {
        if (li.section != core::Section::Text || li.layer != l || li.expert < 0) {
            continue;
        }
        if (li.expert >= static_cast<std::int64_t>(moe.experts.size()) ||
            li.name.compare(0, pre.size(), pre) != 0) {
            return core::makeError(core::ErrorCode::InvalidArgument,
                                   "expert Linear outside the configured experts")
                    .withTensor(li.name);
        }
        auto w = linearWeight(li, cache);
        if (!w) {
            return std::move(w).error();
        }
        math::ExpertWeights &e = moe.experts[static_cast<std::size_t>(li.expert)];
        const std::string module = li.name.substr(pre.size());
        switch (li.role) {
        case core::LinearRole::ExpertGate:
            e.gate = *w;
            e.gateModule = module;
            break;
        case core::LinearRole::ExpertUp:
            e.up = *w;
            e.upModule = module;
            break;
        case core::LinearRole::ExpertDown:
            e.down = *w;
            e.downModule = module;
            break;
        default:
            return core::makeError(core::ErrorCode::Unsupported,
                                   "the runtime has no place for this expert Linear")
                    .withTensor(li.name);
        }
    }
    for (std::size_t e = 0; e < moe.experts.size(); ++e) {
        const math::ExpertWeights &x = moe.experts[e];
        if (!x.gate.defined() || !x.up.defined() || !x.down.defined()) {
            return core::makeError(core::ErrorCode::NotFound,
                                   fmt::format("expert {} of layer {} lacks a gate, up or down "
                                               "projection",
                                               e, l));
        }
    }
    return moe;
}

Result<math::LayerWeights> ModelWeights::layer(std::int64_t l) const
{
    const std::string pre = layerPrefix(l);
    const bool moe = m_inv.profile->experts && m_inv.config.isMoeLayer(l);
    math::LayerWeights w;
    std::vector<std::pair<std::string, torch::Tensor *>> required = {
            {"input_layernorm.weight", &w.inputNorm},
            {"post_attention_layernorm.weight", &w.postNorm},
            {std::string(math::Q_MODULE) + ".weight", &w.q},
            {std::string(math::K_MODULE) + ".weight", &w.k},
            {std::string(math::V_MODULE) + ".weight", &w.v},
            {std::string(math::O_MODULE) + ".weight", &w.o}};
    if (!moe) {
        required.insert(required.end(), {{std::string(math::GATE_MODULE) + ".weight", &w.gate},
                                         {std::string(math::UP_MODULE) + ".weight", &w.up},
                                         {std::string(math::DOWN_MODULE) + ".weight", &w.down}});
    }
    for (const auto &[name, target] : required) {
        auto t = tensor(pre + name);
        if (!t) {
            return std::move(t).error();
        }
        *target = *t;
    }
    const std::pair<const char *, std::optional<torch::Tensor> *> optional[] = {
            {"self_attn.q_proj.bias", &w.qBias},
            {"self_attn.k_proj.bias", &w.kBias},
            {"self_attn.v_proj.bias", &w.vBias},
            {"self_attn.q_norm.weight", &w.qNorm},
            {"self_attn.k_norm.weight", &w.kNorm}};
    for (const auto &[name, target] : optional) {
        if (m_cp.find(pre + name) != nullptr) {
            auto t = tensor(pre + name);
            if (!t) {
                return std::move(t).error();
            }
            *target = *t;
        }
    }
    if (moe) {
        auto block = moeBlock(l);
        if (!block) {
            return std::move(block).error();
        }
        w.moe = std::move(*block);
    }
    return w;
}

std::string ModelWeights::embeddingName() const
{
    return std::string(m_inv.profile->textPrefix) + "embed_tokens.weight";
}

std::string ModelWeights::headName() const
{
    return m_inv.config.tieWordEmbeddings ? embeddingName()
                                          : std::string(m_inv.profile->lmHead) + ".weight";
}

Result<torch::Tensor> ModelWeights::embedding() const
{
    return tensor(embeddingName());
}

Result<torch::Tensor> ModelWeights::finalNorm() const
{
    return tensor(std::string(m_inv.profile->textPrefix) + "norm.weight");
}

Result<torch::Tensor> ModelWeights::head() const
{
    return tensor(headName());
}

namespace {

/** Rows `ids` of a mapped [rows, cols] tensor (a gather: a zero-copy view is impossible). */
Result<torch::Tensor>
gatherRows(const torch::Tensor &t, const torch::Tensor &ids, const std::string &name)
{
    const torch::Tensor cpuIds = ids.to(torch::kCPU, torch::kInt64);
    if (t.dim() != 2 || (cpuIds.numel() > 0 && (cpuIds.min().item<std::int64_t>() < 0 ||
                                                cpuIds.max().item<std::int64_t>() >= t.size(0)))) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "token id outside the embedding or head")
                .withTensor(name);
    }
    return t.index_select(0, cpuIds);
}

}  // namespace

Result<torch::Tensor> ModelWeights::gatheredRows(const std::string &name,
                                                 const torch::Tensor &ids) const
{
    auto m = mapped(name);
    if (!m) {
        return std::move(m).error();
    }
    auto rows = gatherRows(m->tensor, ids, name);
    if (!rows) {
        return std::move(rows).error();
    }
    // the gather already copied: only the conversion is left (none on a matching runtime)
    torch::Tensor out = rows->to(m_compute.device, m_compute.dtype);
    if (m_releasePages) {
        m_cp.releasePages(*m->entry);
    }
    return out;
}

Result<torch::Tensor> ModelWeights::embeddingRows(const torch::Tensor &ids) const
{
    return gatheredRows(embeddingName(), ids);
}

Result<std::int64_t> ModelWeights::headRows() const
{
    auto m = mapped(headName());
    if (!m) {
        return std::move(m).error();
    }
    return m->tensor.dim() == 2 ? m->tensor.size(0) : std::int64_t{0};
}

Result<torch::Tensor> ModelWeights::headSlice(std::int64_t first, std::int64_t count) const
{
    auto m = mapped(headName());
    if (!m) {
        return std::move(m).error();
    }
    const torch::Tensor &t = m->tensor;
    if (t.dim() != 2 || first < 0 || count < 0 || first + count > t.size(0)) {
        return core::makeError(core::ErrorCode::InvalidArgument, "head rows out of range")
                .withTensor(headName());
    }
    if (t.scalar_type() == m_compute.dtype && m_compute.device.is_cpu()) {
        return t.narrow(0, first, count);
    }
    torch::Tensor out = t.narrow(0, first, count).to(m_compute.device, m_compute.dtype);
    if (m_releasePages) {
        const auto rowBytes = static_cast<std::uint64_t>(t.size(1) * t.element_size());
        m_cp.releasePages(*m->entry, static_cast<std::uint64_t>(first) * rowBytes,
                          static_cast<std::uint64_t>(count) * rowBytes);
    }
    return out;
}

Result<torch::Tensor> ModelWeights::headGather(const torch::Tensor &ids) const
{
    return gatheredRows(headName(), ids);
}

}  // namespace pq::probe
