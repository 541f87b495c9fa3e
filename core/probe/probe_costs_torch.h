// SPDX-License-Identifier: MIT
#pragma once

// The probe's per-Linear costs from what the backward walk gathered (DESIGN.md §4): C_w through
// the production quantizers, C_y on the token subsample, the rare-expert prior. Only the probe
// target's .cpp files include this header (it includes torch).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/probe/llama_math_torch.h"
#include "core/probe/model_weights_torch.h"
#include "core/probe/probe.h"

namespace pq::probe {

/** What the backward walk gathers for one Linear across all windows. */
struct LinearAccum
{
    torch::Tensor weight;             ///< [out, in] as the forward used it
    torch::Tensor fisher;             ///< Σ δ²ᵀx² in float32 [out, in], summed in place
    std::vector<torch::Tensor> subX;  ///< token subsample of inputs [n, in]
    std::vector<torch::Tensor> subD;  ///< the same tokens' output gradients [n, out]
    std::uint64_t tokens = 0;
    float amax = 0.0F;
    std::uint64_t order = 0;  ///< first appearance, for a stable output order
};

/** Keyed by module path inside the layer ("mlp.experts.3.up_proj"). */
using LayerAccum = std::map<std::string, LinearAccum>;

/**
 * Measures every Linear of layer `l` from its accumulated sums (the Fisher is divided by
 * `calibrationTokens` in place) and appends them to `out` in layer order. Experts below the
 * token threshold get the layer's prior; in a shard (settings.shard) they keep their own values
 * and carry the prior's beside them. Each Linear's sums are released once it is measured.
 */
core::Status measureLayer(core::quant::QuantBackend &backend,
                          const ProbeSettings &settings,
                          const ModelWeights &w,
                          std::int64_t l,
                          math::LayerWeights &layer,
                          LayerAccum &acc,
                          std::uint64_t calibrationTokens,
                          std::vector<LinearSensitivity> &out);

}  // namespace pq::probe
