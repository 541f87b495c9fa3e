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

/** y = x Wᵀ (+ b) through the layer's input hook, recorded in the trace. */
torch::Tensor linear(const torch::Tensor &xIn,
                     const torch::Tensor &w,
                     const std::optional<torch::Tensor> &b,
                     const char *module,
                     const LayerWeights &lw,
                     LayerTrace *trace,
                     const torch::Tensor &tokens = {})
{
    const torch::Tensor x = lw.inputHook ? lw.inputHook(module, xIn) : xIn;
    torch::Tensor y = b ? torch::nn::functional::linear(x, w, *b) : torch::matmul(x, w.t());
    if (trace != nullptr) {
        if (trace->retainGrad && y.requires_grad()) {
            y.retain_grad();
        }
        trace->linears.push_back({module, w, x, y, tokens});
    }
    return y;
}

torch::Tensor denseMlp(const torch::Tensor &m, const LayerWeights &w, LayerTrace *trace)
{
    const torch::Tensor act = torch::silu(linear(m, w.gate, std::nullopt, GATE_MODULE, w, trace)) *
                              linear(m, w.up, std::nullopt, UP_MODULE, w, trace);
    return linear(act, w.down, std::nullopt, DOWN_MODULE, w, trace);
}

/**
 * The sparse MoE block: each expert runs on the tokens routed to it only, and its output is
 * scaled by the token's routing weight and added to the token's row.
 */
torch::Tensor moeMlp(const torch::Tensor &m, const LayerWeights &w, LayerTrace *trace)
{
    const MoeWeights &moe = *w.moe;
    const torch::Tensor probs =
            torch::softmax(torch::matmul(m, moe.router.t()), -1, torch::kFloat32);
    auto [topP, topIdx] = probs.topk(moe.topK, -1);
    if (moe.normalizeTopK) {
        topP = topP / topP.sum(-1, true);
    }
    topP = topP.to(m.scalar_type());
    torch::Tensor out = torch::zeros_like(m);
    for (std::size_t e = 0; e < moe.experts.size(); ++e) {
        // (token, k) pairs that chose expert e; a token picks an expert at most once
        const torch::Tensor hit = (topIdx == static_cast<std::int64_t>(e)).nonzero();
        if (hit.size(0) == 0) {
            continue;
        }
        const torch::Tensor tokens = hit.select(1, 0).contiguous();
        const torch::Tensor weight = topP.index({tokens, hit.select(1, 1)}).unsqueeze(1);
        const ExpertWeights &ex = moe.experts[e];
        const torch::Tensor xe = m.index_select(0, tokens);
        const torch::Tensor act =
                torch::silu(linear(xe, ex.gate, std::nullopt, ex.gateModule.c_str(), w, trace,
                                   tokens)) *
                linear(xe, ex.up, std::nullopt, ex.upModule.c_str(), w, trace, tokens);
        const torch::Tensor y =
                linear(act, ex.down, std::nullopt, ex.downModule.c_str(), w, trace, tokens);
        out = out.index_add(0, tokens, y * weight);
    }
    return out;
}

}  // namespace

torch::Tensor rmsNorm(const torch::Tensor &x, const torch::Tensor &w, double eps)
{
    // in float32 whatever the compute dtype, then back (as transformers' LlamaRMSNorm)
    const torch::Tensor x32 = x.to(torch::kFloat32);
    const torch::Tensor var = x32.pow(2).mean(-1, true);
    return w * (x32 * torch::rsqrt(var + eps)).to(x.scalar_type());
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

void LayerWeights::forEachLinear(
        const std::function<void(const std::string &, torch::Tensor &)> &fn)
{
    fn(Q_MODULE, q);
    fn(K_MODULE, k);
    fn(V_MODULE, v);
    fn(O_MODULE, o);
    if (moe) {
        for (ExpertWeights &e : moe->experts) {
            fn(e.gateModule, e.gate);
            fn(e.upModule, e.up);
            fn(e.downModule, e.down);
        }
    } else {
        fn(GATE_MODULE, gate);
        fn(UP_MODULE, up);
        fn(DOWN_MODULE, down);
    }
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
    torch::Tensor q = linear(h, w.q, w.qBias, Q_MODULE, w, trace).view({T, nh, hd});
    torch::Tensor k = linear(h, w.k, w.kBias, K_MODULE, w, trace).view({T, nkv, hd});
    const torch::Tensor v = linear(h, w.v, w.vBias, V_MODULE, w, trace).view({T, nkv, hd});
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
    const torch::Tensor mask =
            torch::ones({T, T}, torch::TensorOptions().dtype(torch::kBool).device(x.device()))
                    .triu(1);
    scores = scores.masked_fill(mask, -std::numeric_limits<float>::infinity());
    const torch::Tensor probs = torch::softmax(scores, -1, torch::kFloat32).to(x.scalar_type());
    const torch::Tensor attn = torch::matmul(probs, vh);
    const torch::Tensor merged = attn.transpose(0, 1).reshape({T, nh * hd});
    const torch::Tensor afterAttn = x + linear(merged, w.o, std::nullopt, O_MODULE, w, trace);
    const torch::Tensor m = rmsNorm(afterAttn, w.postNorm, c.rmsNormEps);
    return afterAttn + (w.moe ? moeMlp(m, w, trace) : denseMlp(m, w, trace));
}

}  // namespace pq::probe::math
