// SPDX-License-Identifier: MIT
// gpt-oss: attention with biases and per-head sinks, alternating sliding/full layers, a router
// `mlp.router` with bias, and fused experts stored transposed ([E, H, 2I] with gate/up
// interleaved, [E, I, H] for down) with biases. Published checkpoints are MXFP4
// (`*_blocks`/`*_scales`): they are inventoried but refused for quantization.
#include "core/model/profiles/profiles.h"

namespace pq::core::profiles {

const ProfileSpec &gptOss()
{
    static const ProfileSpec spec = [] {
        ProfileSpec p = llama();
        p.name = "gpt_oss";
        p.modelTypes = {"gpt_oss"};
        p.mlp = {};
        ExpertLayout e;
        e.storage = ExpertStorage::Fused3dTransposedInterleaved;
        e.router = "mlp.router";
        e.routerBias = true;
        e.expertBias = true;
        p.experts = e;
        p.hasForward = false;
        return p;
    }();
    return spec;
}

}  // namespace pq::core::profiles
