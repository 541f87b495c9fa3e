// SPDX-License-Identifier: MIT
#pragma once

// The summed next-token cross-entropy of the calibration windows and its gradient with respect to
// the last layer's output, with the lm_head streamed in vocabulary chunks (private to
// core/probe; includes torch).
//
// Notation: x_s [T, hidden] = the last boundary of window s, h = RMSNorm(x), W [V, hidden] the
// head, z = h Wᵀ the logits. L = Σ_s Σ_{t<T-1} (lse(z_t) − z_t[y_t]) with y_t the next token.
// ∂L/∂h_t = softmax(z_t)·W − W[y_t], and ∂L/∂x by autograd through the RMSNorm.
// Per chunk c of V_c rows the running maximum m_t, Σ exp(z − m) and Σ exp(z − m)·W_c are rescaled
// when m_t grows (the online softmax), so neither the float32 head nor a [T, V] logits tensor
// exists at once: the largest temporaries are one chunk's weights and [T, V_c] logits.

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "core/probe/model_weights_torch.h"
#include "core/util/result.h"

namespace pq::probe {

/** What headLoss returns. */
struct HeadLoss
{
    double lossSum = 0.0;             ///< Σ over windows and predicted tokens, nats
    std::uint64_t tokens = 0;         ///< predicted tokens: N · (T − 1)
    std::vector<torch::Tensor> grad;  ///< ∂L/∂x_s [T, hidden] per window, compute dtype
};

/**
 * The loss and gradients for the windows `top` [N, T, hidden] (the last boundary) with token ids
 * `ids` (N tensors of T int64). `chunkRows` = head rows per chunk (0: about 16 MiB of float32).
 * Logits are computed in the compute dtype and reduced in float32, as the unchunked loss does.
 */
core::Result<HeadLoss> headLoss(const ModelWeights &w,
                                const torch::Tensor &top,
                                const std::vector<torch::Tensor> &ids,
                                std::int64_t chunkRows = 0);

}  // namespace pq::probe
