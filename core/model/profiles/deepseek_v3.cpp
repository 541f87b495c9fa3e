// SPDX-License-Identifier: MIT
// DeepSeek V3: multi-head latent attention (q_a/q_b, kv_a_proj_with_mqa, kv_b), the first
// first_k_dense_replace layers dense, then routed experts + shared experts, a sigmoid router with
// e_score_correction_bias, and the MTP block as extra layers after num_hidden_layers.
// vLLM fuses q_a_proj with kv_a_proj_with_mqa into fused_qkv_a_proj when q_lora_rank is set.
#include "core/model/profiles/profiles.h"

namespace pq::core::profiles {

const ProfileSpec &deepseekV3()
{
    static const ProfileSpec spec = [] {
        ProfileSpec p;
        p.name = "deepseek_v3";
        p.modelTypes = {"deepseek_v3", "deepseek_v2"};
        p.attention = {
                {"self_attn.q_a_proj", LinearRole::AttnQA, "self_attn.fused_qkv_a_proj"},
                {"self_attn.kv_a_proj_with_mqa", LinearRole::AttnKvA, "self_attn.fused_qkv_a_proj"},
                {"self_attn.q_b_proj", LinearRole::AttnQB, "self_attn.q_b_proj"},
                {"self_attn.q_proj", LinearRole::AttnQ, "self_attn.q_proj"},
                {"self_attn.kv_b_proj", LinearRole::AttnKvB, "self_attn.kv_b_proj"},
                {"self_attn.o_proj", LinearRole::AttnO, "self_attn.o_proj"}};
        p.mlp = swigluMlp();
        p.layerNorms = llamaLayerNorms();
        p.experts = ExpertLayout{};
        p.sharedExpert = SharedExpertLayout{"mlp.shared_experts", ""};
        p.mtp = MtpStyle::ExtraLayers;
        return p;
    }();
    return spec;
}

}  // namespace pq::core::profiles
