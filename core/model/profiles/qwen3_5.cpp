// SPDX-License-Identifier: MIT
// Qwen3.5 / Qwen3.6 (dense and MoE): hybrid layers, three gated-DeltaNet (`linear_attn.*`) layers
// per full-attention layer; q_proj also yields the output gate (attn_output_gate); fused 3-D
// experts [E, 2I, H] in HF v5 checkpoints or per-expert tensors in older exports; a shared expert
// with a sigmoid gate; an MTP block under `mtp.`; a vision tower under `model.visual.`.
// vLLM fuses in_proj_qkv+in_proj_z into in_proj_qkvz and in_proj_b+in_proj_a into in_proj_ba.
#include "core/model/profiles/profiles.h"

namespace pq::core::profiles {

const ProfileSpec &qwen3_5()
{
    static const ProfileSpec spec = [] {
        ProfileSpec p = qwen3();
        p.name = "qwen3_5";
        p.modelTypes = {"qwen3_5", "qwen3_5_text"};
        p.textPrefix = "model.language_model.";
        p.vllmRenames = qwenVlRenames();
        p.linearAttention = {
                {"linear_attn.in_proj_qkv", LinearRole::LinAttnQkv, "linear_attn.in_proj_qkvz"},
                {"linear_attn.in_proj_z", LinearRole::LinAttnZ, "linear_attn.in_proj_qkvz"},
                {"linear_attn.in_proj_b", LinearRole::LinAttnB, "linear_attn.in_proj_ba"},
                {"linear_attn.in_proj_a", LinearRole::LinAttnA, "linear_attn.in_proj_ba"},
                {"linear_attn.out_proj", LinearRole::LinAttnOut, "linear_attn.out_proj"}};
        p.passthroughPrefixes = {{"model.visual.", Section::Vision}};
        p.mtp = MtpStyle::SeparatePrefix;
        p.hasForward = false;
        return p;
    }();
    return spec;
}

const ProfileSpec &qwen3_5Moe()
{
    static const ProfileSpec spec = [] {
        ProfileSpec p = qwen3_5();
        p.name = "qwen3_5_moe";
        p.modelTypes = {"qwen3_5_moe", "qwen3_5_moe_text"};
        ExpertLayout e;
        e.storage = ExpertStorage::Fused3d;  // per-expert names are recognised as well
        p.experts = e;
        p.sharedExpert = SharedExpertLayout{"mlp.shared_expert", "mlp.shared_expert_gate"};
        return p;
    }();
    return spec;
}

}  // namespace pq::core::profiles
