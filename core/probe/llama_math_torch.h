// SPDX-License-Identifier: MIT
#pragma once

// The Llama-family decoder math in libtorch, following transformers' modeling_llama.py /
// modeling_qwen2.py / modeling_qwen3.py (float32):
//   RMSNorm(x) = w · x / sqrt(mean(x²) + eps)
//   RoPE: inv_freq = θ^(−2i/d), rotate_half convention (q·cos + rotate_half(q)·sin), with the
//         "linear" and "llama3" rope_scaling rules
//   attention: GQA (K/V heads repeated), causal softmax(QKᵀ/√d)·V
//   MLP: down(silu(gate(x)) · up(x))
// Only this target's .cpp files include this header (it includes torch).

#include <functional>
#include <optional>

#include <torch/torch.h>

#include "core/model/model_config.h"

namespace pq::probe::math {

/** The weights of one decoder layer (biases and q/k norms optional). */
struct LayerWeights
{
    torch::Tensor inputNorm, postNorm;
    torch::Tensor q, k, v, o;
    std::optional<torch::Tensor> qBias, kBias, vBias;
    std::optional<torch::Tensor> qNorm, kNorm;
    torch::Tensor gate, up, down;
    /** Applied to each Linear's input when set (serve-time activation quantizers in eval). */
    std::function<torch::Tensor(int slot, const torch::Tensor &x)> inputHook;
};

torch::Tensor rmsNorm(const torch::Tensor &x, const torch::Tensor &w, double eps);

/** cos and sin tables [positions, headDim] for the config's RoPE. */
std::pair<torch::Tensor, torch::Tensor> ropeTables(const core::ModelConfig &c,
                                                   std::int64_t positions);

/** The Linears of a Llama-family layer, in role order. */
enum class LinearSlot : int
{
    Q,
    K,
    V,
    O,
    Gate,
    Up,
    Down,
};
inline constexpr int LINEAR_SLOTS = 7;

/** Module path of a slot inside a layer ("self_attn.q_proj"). */
const char *slotModule(LinearSlot slot);

/**
 * Inputs and outputs of every Linear of one layer call, for the probe. When `retainGrad` is
 * set the outputs keep their gradients after backward (δ = ∂L/∂y).
 */
struct LayerTrace
{
    bool retainGrad = false;
    torch::Tensor input[LINEAR_SLOTS];
    torch::Tensor output[LINEAR_SLOTS];
};

/** One decoder layer on hidden states [T, hidden]; records Linear inputs/outputs in `trace`. */
torch::Tensor decoderLayer(const torch::Tensor &x,
                           const LayerWeights &w,
                           const core::ModelConfig &c,
                           const torch::Tensor &cos,
                           const torch::Tensor &sin,
                           LayerTrace *trace = nullptr);

}  // namespace pq::probe::math
