// SPDX-License-Identifier: MIT
// Gemma 3 (text and the multimodal Gemma3ForConditionalGeneration wrapper): four norms per layer,
// q_norm/k_norm, GeGLU MLP, tied embeddings, SigLIP vision tower and a multimodal projector.
#include "core/model/profiles/profiles.h"

namespace pq::core::profiles {

const ProfileSpec &gemma3()
{
    static const ProfileSpec spec = [] {
        ProfileSpec p = llama();
        p.name = "gemma3";
        p.modelTypes = {"gemma3", "gemma3_text"};
        p.textPrefix = "language_model.model.";
        p.lmHead = "language_model.lm_head";
        p.layerNorms = {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                        "post_feedforward_layernorm"};
        p.headNorms = {"self_attn.q_norm", "self_attn.k_norm"};
        p.passthroughPrefixes = {{"vision_tower.", Section::Vision},
                                 {"multi_modal_projector.", Section::Projector}};
        p.hasForward = false;
        return p;
    }();
    return spec;
}

}  // namespace pq::core::profiles
