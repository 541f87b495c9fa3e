// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/model/inventory.h"

namespace pq::core {

/** What the name of one tensor says, before shapes are looked at. */
struct NameClass
{
    TensorKind kind = TensorKind::Unknown;
    Section section = Section::Text;
    std::int64_t layer = -1;
    std::string note;
    // For Linears (kind == Linear) and fused 3-D expert tensors:
    std::optional<LinearRole> role;  ///< set for Linears and fused expert tensors
    std::string vllmSuffix;          ///< vLLM module relative to the layer ("self_attn.qkv_proj")
    std::string module;              ///< checkpoint module of this Linear, without ".weight"
    std::string layerPrefix;         ///< e.g. "model.layers.3." (checkpoint naming)
    std::int64_t expert = -1;        ///< per-expert tensors
    bool fusedExperts = false;       ///< a 3-D tensor holding every expert
};

/**
 * Classifies one tensor name against a profile. Pure; thread-safe. `numLayers` tells DeepSeek-style
 * MTP layers (index ≥ num_hidden_layers) from decoder layers.
 */
NameClass classifyName(std::string_view name, const ProfileSpec &profile, std::int64_t numLayers);

/** True for tensor names that only exist in already-quantized checkpoints. */
bool isQuantCompanionName(std::string_view name);

}  // namespace pq::core
