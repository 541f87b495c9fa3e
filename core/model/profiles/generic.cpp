// SPDX-License-Identifier: MIT
// The fallback for architectures without a profile: Llama-style naming, with per-expert MoE
// recognised if present. Inventory works when the names follow that convention; `validate`
// reports what it could not classify.
#include "core/model/profiles/profiles.h"

namespace pq::core::profiles {

const ProfileSpec &generic()
{
    static const ProfileSpec spec = [] {
        ProfileSpec p = llama();
        p.name = "generic";
        p.modelTypes = {};
        p.experts = ExpertLayout{};
        p.headNorms = {"self_attn.q_norm", "self_attn.k_norm"};
        p.hasForward = false;
        return p;
    }();
    return spec;
}

}  // namespace pq::core::profiles
