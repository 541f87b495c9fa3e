// SPDX-License-Identifier: MIT
#include <algorithm>
#include <limits>

#include "core/probe/head_loss_torch.h"
#include "core/probe/llama_math_torch.h"

namespace pq::probe {
namespace {

constexpr std::int64_t CHUNK_BYTES = 16LL << 20;

/** The running state of one window: max, Σ exp(z − max), Σ exp(z − max)·W and z[y]. */
struct Running
{
    torch::Tensor max, sumExp, weighted, target;
};

/** Folds the logits of head rows [first, first + n) into `r`; `wc32` = those rows in float32. */
void fold(Running &r,
          const torch::Tensor &h,
          const torch::Tensor &wc,
          const torch::Tensor &wc32,
          const torch::Tensor &targets,
          std::int64_t first)
{
    const std::int64_t n = wc.size(0);
    const torch::Tensor logits = torch::matmul(h, wc.t()).to(torch::kFloat32);  // [T-1, n]
    const torch::Tensor max = torch::maximum(r.max, std::get<0>(logits.max(1)));
    const torch::Tensor scale = torch::exp(r.max - max);  // 0 on the first chunk (max was −∞)
    const torch::Tensor p = torch::exp(logits - max.unsqueeze(1));
    r.sumExp = r.sumExp * scale + p.sum(1);
    r.weighted = torch::addmm(r.weighted * scale.unsqueeze(1), p, wc32);
    r.max = max;
    const torch::Tensor inChunk = (targets >= first) & (targets < first + n);
    const torch::Tensor local = (targets - first).clamp(0, n - 1).unsqueeze(1);
    r.target = torch::where(inChunk, logits.gather(1, local).squeeze(1), r.target);
}

}  // namespace

core::Result<HeadLoss> headLoss(const ModelWeights &w,
                                const torch::Tensor &top,
                                const std::vector<torch::Tensor> &ids,
                                std::int64_t chunkRows)
{
    auto norm = w.finalNorm();
    auto vocab = w.headRows();
    if (!norm || !vocab) {
        return !norm ? std::move(norm).error() : std::move(vocab).error();
    }
    const std::int64_t N = top.size(0);
    const std::int64_t T = top.size(1);
    const std::int64_t hidden = top.size(2);
    const std::int64_t rows =
            chunkRows > 0 ? chunkRows
                          : std::max<std::int64_t>(1, CHUNK_BYTES / (hidden * std::int64_t{4}));
    const torch::Tensor x = top.detach().requires_grad_(true);
    const torch::Tensor h = math::rmsNorm(x, *norm, w.config().rmsNormEps);
    const torch::Tensor hd = h.detach();
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(top.device());
    std::vector<Running> run(static_cast<std::size_t>(N));
    std::vector<torch::Tensor> targets;
    for (std::int64_t s = 0; s < N; ++s) {
        Running &r = run[static_cast<std::size_t>(s)];
        r.max = torch::full({T - 1}, -std::numeric_limits<float>::infinity(), f32);
        r.sumExp = torch::zeros({T - 1}, f32);
        r.weighted = torch::zeros({T - 1, hidden}, f32);
        r.target = torch::zeros({T - 1}, f32);
        targets.push_back(ids[static_cast<std::size_t>(s)].narrow(0, 1, T - 1));
    }
    for (std::int64_t first = 0; first < *vocab; first += rows) {
        auto wc = w.headSlice(first, std::min(rows, *vocab - first));
        if (!wc) {
            return std::move(wc).error();
        }
        const torch::Tensor wc32 = wc->to(torch::kFloat32);
        for (std::int64_t s = 0; s < N; ++s) {
            fold(run[static_cast<std::size_t>(s)], hd[s].narrow(0, 0, T - 1), *wc, wc32,
                 targets[static_cast<std::size_t>(s)], first);
        }
    }
    HeadLoss out;
    torch::Tensor gradH = torch::zeros({N, T, hidden}, f32);
    for (std::int64_t s = 0; s < N; ++s) {
        const Running &r = run[static_cast<std::size_t>(s)];
        const torch::Tensor lse = r.max + torch::log(r.sumExp);
        out.lossSum += (lse - r.target).sum().item<double>();
        out.tokens += static_cast<std::uint64_t>(T - 1);
        auto wy = w.headGather(targets[static_cast<std::size_t>(s)]);
        if (!wy) {
            return std::move(wy).error();
        }
        gradH[s].narrow(0, 0, T - 1)
                .copy_(r.weighted / r.sumExp.unsqueeze(1) - wy->to(torch::kFloat32));
    }
    run.clear();
    h.backward(gradH.to(h.scalar_type()));
    const torch::Tensor g = x.grad().detach();
    for (std::int64_t s = 0; s < N; ++s) {
        out.grad.push_back(g[s]);
    }
    return out;
}

}  // namespace pq::probe
