// SPDX-License-Identifier: MIT
#pragma once

// The Llama-family decoder math in libtorch, following transformers' modeling_llama.py /
// modeling_qwen2.py / modeling_qwen3.py / modeling_qwen3_moe.py / modeling_mixtral.py (float32):
//   RMSNorm(x) = w · x / sqrt(mean(x²) + eps)
//   RoPE: inv_freq = θ^(−2i/d), rotate_half convention (q·cos + rotate_half(q)·sin), with the
//         "linear" and "llama3" rope_scaling rules
//   attention: GQA (K/V heads repeated), causal softmax(QKᵀ/√d)·V, optional q/k/v bias and
//              per-head q/k RMSNorm before RoPE
//   MLP: down(silu(gate(x)) · up(x)); MoE: p = softmax(router(x)), the top-k experts by p, their
//        weights renormalised to sum 1 when the family says so, output Σ_k p_k · expert_k(x)
// Only this target's .cpp files include this header (it includes torch).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/model/model_config.h"

namespace pq::probe::math {

/** One routed expert: a SwiGLU MLP and the module paths of its Linears inside the layer. */
struct ExpertWeights
{
    torch::Tensor gate, up, down;
    std::string gateModule, upModule, downModule;  ///< "mlp.experts.3.gate_proj"
};

/** A mixture-of-experts MLP block. */
struct MoeWeights
{
    torch::Tensor router;  ///< [experts, hidden], kept in source precision
    std::vector<ExpertWeights> experts;
    std::int64_t topK = 1;
    bool normalizeTopK = false;  ///< renormalise the top-k probabilities to sum 1
};

/** The weights of one decoder layer (biases, q/k norms and the MoE block optional). */
struct LayerWeights
{
    torch::Tensor inputNorm, postNorm;
    torch::Tensor q, k, v, o;
    std::optional<torch::Tensor> qBias, kBias, vBias;
    std::optional<torch::Tensor> qNorm, kNorm;
    torch::Tensor gate, up, down;  ///< dense MLP (undefined in MoE layers)
    std::optional<MoeWeights> moe;
    /**
     * Applied to each Linear's input when set (serve-time activation quantizers in eval). The
     * first argument is the Linear's module path inside the layer ("self_attn.q_proj").
     */
    std::function<torch::Tensor(const std::string &module, const torch::Tensor &x)> inputHook;

    /** Calls `fn(module, weight)` for every quantizable Linear of the layer, in layer order. */
    void forEachLinear(const std::function<void(const std::string &, torch::Tensor &)> &fn);
};

torch::Tensor rmsNorm(const torch::Tensor &x, const torch::Tensor &w, double eps);

/** cos and sin tables [positions, headDim] for the config's RoPE. */
std::pair<torch::Tensor, torch::Tensor> ropeTables(const core::ModelConfig &c,
                                                   std::int64_t positions);

/** Module paths of the dense Linears inside a layer, in layer order. */
inline constexpr const char *Q_MODULE = "self_attn.q_proj";
inline constexpr const char *K_MODULE = "self_attn.k_proj";
inline constexpr const char *V_MODULE = "self_attn.v_proj";
inline constexpr const char *O_MODULE = "self_attn.o_proj";
inline constexpr const char *GATE_MODULE = "mlp.gate_proj";
inline constexpr const char *UP_MODULE = "mlp.up_proj";
inline constexpr const char *DOWN_MODULE = "mlp.down_proj";

/** The input and output of one Linear call (for an expert: only its routed tokens). */
struct TracedLinear
{
    std::string module;    ///< path inside the layer
    torch::Tensor weight;  ///< [out, in], the tensor the call used
    torch::Tensor input;   ///< [tokens, in]
    torch::Tensor output;  ///< [tokens, out]; keeps its gradient after backward when retained
    torch::Tensor tokens;  ///< int64 positions of the routed tokens (experts), else undefined
};

/**
 * Inputs and outputs of every Linear of one layer call, for the probe. When `retainGrad` is
 * set the outputs keep their gradients after backward (δ = ∂L/∂y). Experts that received no
 * token in this call are absent.
 */
struct LayerTrace
{
    bool retainGrad = false;
    std::vector<TracedLinear> linears;
};

/** One decoder layer on hidden states [T, hidden]; records Linear inputs/outputs in `trace`. */
torch::Tensor decoderLayer(const torch::Tensor &x,
                           const LayerWeights &w,
                           const core::ModelConfig &c,
                           const torch::Tensor &cos,
                           const torch::Tensor &sin,
                           LayerTrace *trace = nullptr);

}  // namespace pq::probe::math
