// SPDX-License-Identifier: MIT
#include <fmt/format.h>

#include "core/probe/model_weights_torch.h"

namespace pq::probe {

using core::Result;

core::Error torchError(const std::exception &e)
{
    return core::makeError(core::ErrorCode::Io, fmt::format("libtorch: {}", e.what()));
}

ModelWeights::ModelWeights(core::ModelInventory inventory, core::Checkpoint checkpoint)
    : m_inv(std::move(inventory))
    , m_cp(std::move(checkpoint))
{}

Result<ModelWeights> ModelWeights::open(const std::string &modelDir)
{
    auto inv = core::inventoryModelDir(modelDir);
    if (!inv) {
        return std::move(inv).error();
    }
    if (!inv->profile->hasForward) {
        return core::makeError(core::ErrorCode::Unsupported,
                               fmt::format("the probe has no forward pass for '{}' yet (it runs "
                                           "llama and mistral models today); `prismaquant "
                                           "inspect` works for every profile",
                                           inv->profile->name));
    }
    PQ_TRY_STATUS(inv->checkQuantizable());
    auto cp = core::Checkpoint::open(modelDir);
    if (!cp) {
        return std::move(cp).error();
    }
    return ModelWeights(std::move(*inv), std::move(*cp));
}

std::string ModelWeights::layerPrefix(std::int64_t l) const
{
    return fmt::format("{}layers.{}.", m_inv.profile->textPrefix, l);
}

Result<torch::Tensor> ModelWeights::tensor(const std::string &name) const
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
    switch (v.info->dtype) {
    case core::DType::F32:
        return torch::from_blob(data, shape, torch::kFloat32);
    case core::DType::BF16:
        return torch::from_blob(data, shape, torch::kBFloat16).to(torch::kFloat32);
    case core::DType::F16:
        return torch::from_blob(data, shape, torch::kFloat16).to(torch::kFloat32);
    default:
        return core::makeError(core::ErrorCode::Unsupported,
                               fmt::format("weights stored as {} cannot be run",
                                           core::dtypeName(v.info->dtype)))
                .withTensor(name);
    }
}

Result<math::LayerWeights> ModelWeights::layer(std::int64_t l) const
{
    const std::string pre = layerPrefix(l);
    math::LayerWeights w;
    const std::pair<const char *, torch::Tensor *> required[] = {
            {"input_layernorm.weight", &w.inputNorm},
            {"post_attention_layernorm.weight", &w.postNorm},
            {"self_attn.q_proj.weight", &w.q},
            {"self_attn.k_proj.weight", &w.k},
            {"self_attn.v_proj.weight", &w.v},
            {"self_attn.o_proj.weight", &w.o},
            {"mlp.gate_proj.weight", &w.gate},
            {"mlp.up_proj.weight", &w.up},
            {"mlp.down_proj.weight", &w.down}};
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
    return w;
}

Result<torch::Tensor> ModelWeights::embedding() const
{
    return tensor(std::string(m_inv.profile->textPrefix) + "embed_tokens.weight");
}

Result<torch::Tensor> ModelWeights::finalNorm() const
{
    return tensor(std::string(m_inv.profile->textPrefix) + "norm.weight");
}

Result<torch::Tensor> ModelWeights::head() const
{
    return m_inv.config.tieWordEmbeddings ? embedding()
                                          : tensor(std::string(m_inv.profile->lmHead) + ".weight");
}

}  // namespace pq::probe
