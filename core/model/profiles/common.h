// SPDX-License-Identifier: MIT
#pragma once

// Tables shared by the Llama-like profiles: standard attention and SwiGLU MLP naming, with the
// fused modules vLLM builds from them (qkv_proj, gate_up_proj).

#include <vector>

#include "core/model/profile.h"

namespace pq::core::profiles {

inline std::vector<LinearRule> llamaAttention()
{
    return {{"self_attn.q_proj", LinearRole::AttnQ, "self_attn.qkv_proj"},
            {"self_attn.k_proj", LinearRole::AttnK, "self_attn.qkv_proj"},
            {"self_attn.v_proj", LinearRole::AttnV, "self_attn.qkv_proj"},
            {"self_attn.o_proj", LinearRole::AttnO, "self_attn.o_proj"}};
}

inline std::vector<LinearRule> swigluMlp()
{
    return {{"mlp.gate_proj", LinearRole::MlpGate, "mlp.gate_up_proj"},
            {"mlp.up_proj", LinearRole::MlpUp, "mlp.gate_up_proj"},
            {"mlp.down_proj", LinearRole::MlpDown, "mlp.down_proj"}};
}

inline std::vector<std::string_view> llamaLayerNorms()
{
    return {"input_layernorm", "post_attention_layernorm"};
}

/** Prefix renames of Qwen-VL-style wrappers (Qwen3-VL, Qwen3.5): vLLM's hf_to_vllm_mapper. */
inline std::vector<std::pair<std::string_view, std::string_view>> qwenVlRenames()
{
    return {{"model.language_model.", "language_model.model."},
            {"model.visual.", "visual."},
            {"lm_head.", "language_model.lm_head."}};
}

}  // namespace pq::core::profiles
