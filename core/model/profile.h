// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model/model_config.h"
#include "core/model/tensor_role.h"

namespace pq::core {

/** One Linear inside a decoder layer: its checkpoint module path and the module vLLM loads it into.
 */
struct LinearRule
{
    std::string_view module;  ///< path inside a layer, e.g. "self_attn.q_proj"
    LinearRole role;
    std::string_view vllmModule;  ///< fused module in vLLM, e.g. "self_attn.qkv_proj" (= module if
                                  ///< not fused)
};

/** How the routed experts of a MoE layer are stored. */
enum class ExpertStorage : std::uint8_t
{
    PerExpert,  ///< `<path>.<e>.<gate|up|down>.weight`, each [out, in]
    Fused3d,  ///< `<path>.gate_up_proj` [E, 2I, H] (gate rows first) and `<path>.down_proj` [E, H,
              ///< I]
    Fused3dTransposedInterleaved,  ///< gpt-oss: gate_up_proj [E, H, 2I] gate/up interleaved; down
                                   ///< [E, I, H]
};

struct ExpertLayout
{
    std::string_view path =
            "mlp.experts";  ///< container inside a layer (also vLLM's FusedMoE module)
    std::string_view gate = "gate_proj";  ///< per-expert names (Mixtral: w1, w3, w2)
    std::string_view up = "up_proj";
    std::string_view down = "down_proj";
    ExpertStorage storage = ExpertStorage::PerExpert;
    std::string_view router = "mlp.gate";  ///< router Linear, kept in source precision
    bool routerBias = false;               ///< router has a bias (gpt-oss)
    bool expertBias = false;               ///< experts have biases (gpt-oss)
    /** Top-k routing weights always renormalised to sum 1 (Mixtral), whatever norm_topk_prob says.
     */
    bool alwaysNormalizeTopK = false;
};

struct SharedExpertLayout
{
    std::string_view path = "mlp.shared_expert";  ///< gate_proj / up_proj / down_proj below it
    std::string_view gateModule;                  ///< sigmoid gate Linear [1, H] (Qwen), or empty
};

/** Where multi-token-prediction weights live. */
enum class MtpStyle : std::uint8_t
{
    None,
    SeparatePrefix,  ///< Qwen3.5: `mtp.layers.N.*`, `mtp.fc`, `mtp.norm`, `mtp.pre_fc_norm_*`
    ExtraLayers,     ///< DeepSeek V3: `model.layers.<num_hidden_layers + i>.*` with eh_proj, enorm,
                     ///< ...
};

/**
 * What one model family looks like: tensor naming, fused groups, MoE layout, MTP, passthrough
 * prefixes and vLLM's module names. Inventory, allocation and export are generic over this;
 * the probe additionally needs the family's forward pass (`hasForward`).
 * Profiles are immutable tables with static storage; safe to share across threads.
 */
struct ProfileSpec
{
    std::string_view name;
    std::vector<std::string_view> modelTypes;  ///< config model_type values it serves
    std::string_view textPrefix = "model.";    ///< prefix of the language model's tensors
    std::vector<std::pair<std::string_view, std::string_view>>
            vllmRenames;  ///< checkpoint → vLLM prefixes
    std::string_view lmHead = "lm_head";
    std::vector<LinearRule> attention;        ///< Linears of full-attention layers
    std::vector<LinearRule> linearAttention;  ///< Linears of linear-attention layers
    std::vector<LinearRule> mlp;              ///< Linears of dense MLP layers
    std::optional<ExpertLayout> experts;
    std::optional<SharedExpertLayout> sharedExpert;
    std::vector<std::string_view> layerNorms;  ///< per-layer norms of size hidden
    std::vector<std::string_view> headNorms;  ///< per-layer norms of size head_dim (q_norm, k_norm)
    std::vector<std::pair<std::string_view, Section>> passthroughPrefixes;
    MtpStyle mtp = MtpStyle::None;
    bool hasForward = false;  ///< the probe implements this family's forward pass
};

/** All built-in profiles, the generic fallback last. */
const std::vector<const ProfileSpec *> &allProfiles();

/** The generic Llama-like profile used for unknown architectures. */
const ProfileSpec &genericProfile();

/**
 * The profile serving `config` (matched on model_type, then the text model_type), or nullptr
 * when only the generic fallback applies.
 */
const ProfileSpec *findProfile(const ModelConfig &config);

/** Every model_type a built-in profile serves, comma-separated ("llama, mistral, ..."). */
std::string supportedModelTypes();

}  // namespace pq::core
