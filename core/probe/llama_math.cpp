// SPDX-License-Identifier: MIT
#include <cmath>
#include <numbers>

#include "core/probe/llama_math_torch.h"

namespace pq::probe::math {
namespace {

torch::Tensor rotateHalf(const torch::Tensor &x)
{
    const std::int64_t half = x.size(-1) / 2;
    return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

/** transformers' _compute_llama3_parameters: wavelength-dependent scaling of inv_freq. */
torch::Tensor llama3Scale(const torch::Tensor &invFreq, const core::RopeConfig &r)
{
    const double oldCtx = static_cast<double>(r.originalMaxPositions);
    const double lowWavelen = oldCtx / r.lowFreqFactor;
    const double highWavelen = oldCtx / r.highFreqFactor;
    const torch::Tensor wavelen = 2.0 * std::numbers::pi / invFreq;
    torch::Tensor scaled = torch::where(wavelen > lowWavelen, invFreq / r.factor, invFreq);
    const torch::Tensor smooth =
            (oldCtx / wavelen - r.lowFreqFactor) / (r.highFreqFactor - r.lowFreqFactor);
    const torch::Tensor smoothed = (1 - smooth) * scaled / r.factor + smooth * scaled;
    const torch::Tensor medium = (wavelen >= highWavelen) & (wavelen <= lowWavelen);
    return torch::where(medium, smoothed, scaled);
}

/** y = x Wᵀ (+ b) through the layer's input hook, recorded in the trace under `slot`. */
torch::Tensor linear(const torch::Tensor &xIn,
                     const torch::Tensor &w,
                     const std::optional<torch::Tensor> &b,
                     LayerTrace *trace,
                     LinearSlot slot,
                     const LayerWeights &lw)
{
    const torch::Tensor x = lw.inputHook ? lw.inputHook(static_cast<int>(slot), xIn) : xIn;
    torch::Tensor y = b ? torch::nn::functional::linear(x, w, *b) : torch::matmul(x, w.t());
    if (trace != nullptr) {
        const auto i = static_cast<int>(slot);
        trace->input[i] = x;
        if (trace->retainGrad && y.requires_grad()) {
            y.retain_grad();
        }
        trace->output[i] = y;
    }
    return y;
}

}  // namespace

torch::Tensor rmsNorm(const torch::Tensor &x, const torch::Tensor &w, double eps)
{
    const torch::Tensor var = x.pow(2).mean(-1, true);
    return w * (x * torch::rsqrt(var + eps));
}

std::pair<torch::Tensor, torch::Tensor> ropeTables(const core::ModelConfig &c,
                                                   std::int64_t positions)
{
    const auto dim =
            static_cast<std::int64_t>(static_cast<double>(c.headDim) * c.rope.partialRotaryFactor);
    torch::Tensor invFreq =
            1.0 / torch::pow(c.rope.theta,
                             torch::arange(0, dim, 2, torch::kInt64).to(torch::kFloat32) / dim);
    if (c.rope.type == "linear") {
        invFreq = invFreq / c.rope.factor;
    } else if (c.rope.type == "llama3") {
        invFreq = llama3Scale(invFreq, c.rope);
    }
    const torch::Tensor t = torch::arange(positions, torch::kInt64).to(torch::kFloat32);
    const torch::Tensor freqs = torch::outer(t, invFreq);
    const torch::Tensor emb = torch::cat({freqs, freqs}, -1);
    return {emb.cos(), emb.sin()};
}

const char *slotModule(LinearSlot slot)
{
    static const char *const NAMES[LINEAR_SLOTS] = {
            "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
            "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj"};
    return NAMES[static_cast<int>(slot)];
}

torch::Tensor decoderLayer(const torch::Tensor &x,
                           const LayerWeights &w,
                           const core::ModelConfig &c,
                           const torch::Tensor &cos,
                           const torch::Tensor &sin,
                           LayerTrace *trace)
{
    const std::int64_t T = x.size(0);
    const std::int64_t hd = c.headDim;
    const std::int64_t nh = c.numHeads;
    const std::int64_t nkv = c.numKvHeads;
    const torch::Tensor h = rmsNorm(x, w.inputNorm, c.rmsNormEps);
    torch::Tensor q = linear(h, w.q, w.qBias, trace, LinearSlot::Q, w).view({T, nh, hd});
    torch::Tensor k = linear(h, w.k, w.kBias, trace, LinearSlot::K, w).view({T, nkv, hd});
    const torch::Tensor v = linear(h, w.v, w.vBias, trace, LinearSlot::V, w).view({T, nkv, hd});
    if (w.qNorm) {
        q = rmsNorm(q, *w.qNorm, c.rmsNormEps);
        k = rmsNorm(k, *w.kNorm, c.rmsNormEps);
    }
    const torch::Tensor cs = cos.narrow(0, 0, T).unsqueeze(1);
    const torch::Tensor sn = sin.narrow(0, 0, T).unsqueeze(1);
    q = q * cs + rotateHalf(q) * sn;
    k = k * cs + rotateHalf(k) * sn;
    // [heads, T, hd]; K/V heads repeated for GQA
    const torch::Tensor qh = q.transpose(0, 1);
    const torch::Tensor kh = k.transpose(0, 1).repeat_interleave(nh / nkv, 0);
    const torch::Tensor vh = v.transpose(0, 1).repeat_interleave(nh / nkv, 0);
    torch::Tensor scores =
            torch::matmul(qh, kh.transpose(1, 2)) / std::sqrt(static_cast<double>(hd));
    const torch::Tensor mask = torch::ones({T, T}, torch::kBool).triu(1);
    scores = scores.masked_fill(mask, -std::numeric_limits<float>::infinity());
    const torch::Tensor attn = torch::matmul(torch::softmax(scores, -1), vh);
    const torch::Tensor merged = attn.transpose(0, 1).reshape({T, nh * hd});
    const torch::Tensor afterAttn = x + linear(merged, w.o, std::nullopt, trace, LinearSlot::O, w);
    const torch::Tensor m = rmsNorm(afterAttn, w.postNorm, c.rmsNormEps);
    const torch::Tensor act =
            torch::silu(linear(m, w.gate, std::nullopt, trace, LinearSlot::Gate, w)) *
            linear(m, w.up, std::nullopt, trace, LinearSlot::Up, w);
    return afterAttn + linear(act, w.down, std::nullopt, trace, LinearSlot::Down, w);
}

}  // namespace pq::probe::math
