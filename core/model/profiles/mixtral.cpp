// SPDX-License-Identifier: MIT
// Mixtral: experts under block_sparse_moe with w1 (gate), w3 (up), w2 (down); router
// block_sparse_moe.gate.
#include "core/model/profiles/profiles.h"

namespace pq::core::profiles {

const ProfileSpec &mixtral()
{
    static const ProfileSpec spec = [] {
        ProfileSpec p = llama();
        p.name = "mixtral";
        p.modelTypes = {"mixtral"};
        p.mlp = {};
        ExpertLayout e;
        e.path = "block_sparse_moe.experts";
        e.gate = "w1";
        e.up = "w3";
        e.down = "w2";
        e.router = "block_sparse_moe.gate";
        e.alwaysNormalizeTopK = true;  // MixtralSparseMoeBlock renormalises unconditionally
        p.experts = e;
        p.hasForward = true;  // routed experts; proven by test_hf_parity
        return p;
    }();
    return spec;
}

}  // namespace pq::core::profiles
