// SPDX-License-Identifier: MIT
// Llama 2/3 and Mistral: dense decoder, GQA, SwiGLU MLP; RoPE default / linear / llama3.
#include "core/model/profiles/profiles.h"

namespace pq::core::profiles {

const ProfileSpec &llama()
{
    static const ProfileSpec spec = [] {
        ProfileSpec p;
        p.name = "llama";
        p.modelTypes = {"llama"};
        p.attention = llamaAttention();
        p.mlp = swigluMlp();
        p.layerNorms = llamaLayerNorms();
        p.hasForward = true;  // core/probe runs it (golden stories260K test)
        return p;
    }();
    return spec;
}

const ProfileSpec &mistral()
{
    static const ProfileSpec spec = [] {
        ProfileSpec p = llama();
        p.name = "mistral";
        p.modelTypes = {"mistral"};
        return p;
    }();
    return spec;
}

}  // namespace pq::core::profiles
