// SPDX-License-Identifier: MIT
// Qwen2/2.5 (q/k/v bias), Qwen3 (q_norm/k_norm) and Qwen3-MoE (per-expert experts, router
// mlp.gate, optional dense layers through mlp_only_layers / decoder_sparse_step).
#include "core/model/profiles/profiles.h"

namespace pq::core::profiles {

const ProfileSpec &qwen2()
{
    static const ProfileSpec spec = [] {
        ProfileSpec p = llama();
        p.name = "qwen2";
        p.modelTypes = {"qwen2"};
        p.hasForward = true;  // q/k/v biases; proven by test_hf_parity
        return p;
    }();
    return spec;
}

const ProfileSpec &qwen3()
{
    static const ProfileSpec spec = [] {
        ProfileSpec p = llama();
        p.name = "qwen3";
        p.modelTypes = {"qwen3"};
        p.headNorms = {"self_attn.q_norm", "self_attn.k_norm"};
        p.hasForward = true;  // q/k norms; proven by test_hf_parity
        return p;
    }();
    return spec;
}

const ProfileSpec &qwen3Moe()
{
    static const ProfileSpec spec = [] {
        ProfileSpec p = qwen3();
        p.name = "qwen3_moe";
        p.modelTypes = {"qwen3_moe"};
        p.experts = ExpertLayout{};
        p.hasForward = true;  // routed experts; proven by test_hf_parity
        return p;
    }();
    return spec;
}

}  // namespace pq::core::profiles
