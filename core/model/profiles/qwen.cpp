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
        p.hasForward =
                false;  // the runtime has the q/k/v biases; on once transformers parity passes
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
        p.hasForward = false;  // the runtime has the q/k norms; on once transformers parity passes
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
        p.hasForward = false;  // MoE routing is not in the runtime yet
        return p;
    }();
    return spec;
}

}  // namespace pq::core::profiles
