// SPDX-License-Identifier: MIT
// CausalLm on libtorch: weights from the memory-mapped checkpoint, one decoder layer at a time.
#include "core/probe/causal_lm.h"

#include <thread>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/io/checkpoint.h"
#include "core/model/inventory.h"
#include "core/probe/llama_math_torch.h"

namespace pq::probe {
namespace {

using core::Result;

/** Converts a c10/std exception at the API boundary into a core::Error. */
core::Error torchError(const std::exception &e)
{
    return core::makeError(core::ErrorCode::Io, fmt::format("libtorch: {}", e.what()));
}

class TorchCausalLm final : public CausalLm
{
public:
    TorchCausalLm(core::ModelInventory inventory, core::Checkpoint checkpoint)
        : m_inv(std::move(inventory))
        , m_cp(std::move(checkpoint))
    {}

    Result<std::vector<float>> logits(std::span<const std::int32_t> tokens) override;
    Result<std::vector<std::int32_t>> greedy(std::span<const std::int32_t> prompt,
                                             int steps) override;

    std::int64_t vocabSize() const override { return m_inv.config.vocabSize; }

    /** The tensor `name` as float32 (zero-copy for F32 weights), or an error naming it. */
    Result<torch::Tensor> weight(const std::string &name) const;

private:
    Result<math::LayerWeights> layer(std::int64_t l) const;
    Result<torch::Tensor> forward(const torch::Tensor &ids);

    std::string textPrefix() const { return std::string(m_inv.profile->textPrefix); }

    core::ModelInventory m_inv;
    core::Checkpoint m_cp;
};

Result<torch::Tensor> TorchCausalLm::weight(const std::string &name) const
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

Result<math::LayerWeights> TorchCausalLm::layer(std::int64_t l) const
{
    const std::string pre = fmt::format("{}layers.{}.", textPrefix(), l);
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
        auto t = weight(pre + name);
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
            auto t = weight(pre + name);
            if (!t) {
                return std::move(t).error();
            }
            *target = *t;
        }
    }
    return w;
}

Result<torch::Tensor> TorchCausalLm::forward(const torch::Tensor &ids)
{
    const core::ModelConfig &c = m_inv.config;
    auto embed = weight(textPrefix() + "embed_tokens.weight");
    if (!embed) {
        return std::move(embed).error();
    }
    torch::Tensor x = embed->index_select(0, ids);
    const auto [cos, sin] = math::ropeTables(c, ids.size(0));
    for (std::int64_t l = 0; l < c.numLayers; ++l) {
        auto w = layer(l);
        if (!w) {
            return std::move(w).error();
        }
        x = math::decoderLayer(x, *w, c, cos, sin);
    }
    auto norm = weight(textPrefix() + "norm.weight");
    if (!norm) {
        return std::move(norm).error();
    }
    x = math::rmsNorm(x, *norm, c.rmsNormEps);
    auto head =
            c.tieWordEmbeddings ? embed : weight(std::string(m_inv.profile->lmHead) + ".weight");
    if (!head) {
        return std::move(head).error();
    }
    return torch::matmul(x, head->t());
}

Result<std::vector<float>> TorchCausalLm::logits(std::span<const std::int32_t> tokens)
{
    try {
        torch::NoGradGuard noGrad;
        const torch::Tensor ids = torch::tensor(
                std::vector<std::int64_t>(tokens.begin(), tokens.end()), torch::kInt64);
        auto out = forward(ids);
        if (!out) {
            return std::move(out).error();
        }
        const torch::Tensor flat = out->contiguous();
        return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
    } catch (const std::exception &e) {
        return torchError(e);
    }
}

Result<std::vector<std::int32_t>> TorchCausalLm::greedy(std::span<const std::int32_t> prompt,
                                                        int steps)
{
    std::vector<std::int32_t> seq(prompt.begin(), prompt.end());
    std::vector<std::int32_t> generated;
    for (int s = 0; s < steps; ++s) {
        auto l = logits(seq);  // no KV cache: the test models are tiny
        if (!l) {
            return std::move(l).error();
        }
        const auto v = static_cast<std::size_t>(vocabSize());
        const float *last = l->data() + (seq.size() - 1) * v;
        const auto next = static_cast<std::int32_t>(std::max_element(last, last + v) - last);
        seq.push_back(next);
        generated.push_back(next);
    }
    return generated;
}

}  // namespace

Result<std::unique_ptr<CausalLm>> CausalLm::open(const std::string &modelDir,
                                                 const RuntimeOptions &options)
{
    if (options.device == Device::Cuda && !torch::cuda::is_available()) {
        return core::makeError(core::ErrorCode::Unsupported,
                               "--device cuda: this libtorch has no CUDA or no GPU is visible");
    }
    torch::set_num_threads(options.threads > 0
                                   ? options.threads
                                   : static_cast<int>(std::thread::hardware_concurrency()));
    auto inv = core::inventoryModelDir(modelDir);
    if (!inv) {
        return std::move(inv).error();
    }
    if (!inv->profile->hasForward) {
        return core::makeError(
                core::ErrorCode::Unsupported,
                fmt::format("the probe has no forward pass for '{}' yet", inv->profile->name));
    }
    auto cp = core::Checkpoint::open(modelDir);
    if (!cp) {
        return std::move(cp).error();
    }
    return std::unique_ptr<CausalLm>(new TorchCausalLm(std::move(*inv), std::move(*cp)));
}

std::string torchVersion()
{
    return TORCH_VERSION;
}

}  // namespace pq::probe
