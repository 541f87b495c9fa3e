// SPDX-License-Identifier: MIT
// The streamed sensitivity probe (DESIGN.md §4) on libtorch.
//
// Notation: N windows of T tokens; h_l[s] = hidden states entering layer l for window s (the
// only activations kept across layers); G[s] = ∂L/∂h for the layer being walked, L the summed
// token cross-entropy. For a Linear y = x Wᵀ: δ_t = ∂L/∂y_t and the Fisher is
// F = (1/(N·T)) Σ_t (δ_t ⊙ δ_t)ᵀ (x_t ⊙ x_t), accumulated as one [out, T]×[T, in] matmul per
// window. An expert's sum runs over the tokens routed to it, divided by the same N·T, so every
// cost is a predicted increase of the mean loss per calibration token and costs add up.
#include "core/probe/probe.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <unistd.h>

#include "core/data/shard_merge.h"
#include "core/probe/head_loss_torch.h"
#include "core/probe/heap.h"
#include "core/probe/model_weights_torch.h"
#include "core/probe/probe_costs_torch.h"
#include "core/probe/probe_state_torch.h"
#include "core/util/atomic_file.h"
#include "core/util/file_hash.h"
#include "core/util/human.h"

namespace pq::probe {
namespace {

using namespace state;  // NOLINT(google-build-using-namespace): the probe's own files
using core::Result;
using core::Status;

using LayerCallback = std::function<Status(std::int64_t layer, math::LayerWeights &, LayerAccum &)>;

Status cancelled(const char *where)
{
    return core::makeError(core::ErrorCode::Cancelled, fmt::format("cancelled during {}", where));
}

// ---- the walk --------------------------------------------------------------------------------

/** The token ids of calibration windows [first, first + count) (inside = true) or of the rest. */
std::vector<torch::Tensor> windowIds(const core::data::CalibrationSet &set,
                                     const Compute &compute,
                                     std::uint64_t first,
                                     std::uint64_t count,
                                     bool inside)
{
    std::vector<torch::Tensor> ids;
    for (std::uint64_t i = 0; i < set.calibration.size(); ++i) {
        if ((i >= first && i < first + count) != inside) {
            continue;
        }
        const std::vector<std::int32_t> &w = set.calibration[i].ids;
        ids.push_back(compute.to(
                torch::tensor(std::vector<std::int64_t>(w.begin(), w.end()), torch::kInt64)));
    }
    return ids;
}

/** Where the walk keeps its state and what it has already done. */
struct WalkOptions
{
    std::uint64_t subsampleTokens = 1;
    std::string stateDir;  ///< empty = not resumable
    std::string spillDir;  ///< empty = boundaries in RAM
    std::optional<ResumeState> resume;
    std::string key;
    std::int64_t headChunkRows = 0;  ///< 0 = headLoss's default
    /** The calibration windows this walk measures (a shard); the others only run forward. */
    std::optional<core::data::ShardInfo> shard;
};

/** The streamed walk: forward keeping boundaries, loss gradient, then layers in reverse. */
class StreamedWalk
{
public:
    StreamedWalk(const ModelWeights &w,
                 const core::data::CalibrationSet &set,
                 WalkOptions options,
                 const core::JobContext &ctx)
        : m_w(w)
        , m_opt(std::move(options))
        , m_ctx(ctx)
        , m_bound(m_opt.spillDir,
                  m_opt.shard ? m_opt.shard->windows : set.calibration.size(),
                  {static_cast<std::int64_t>(set.calibration.front().ids.size()),
                   w.config().hiddenSize},
                  w.compute())
    {
        const std::uint64_t first = m_opt.shard ? m_opt.shard->firstWindow : 0;
        const std::uint64_t count = m_opt.shard ? m_opt.shard->windows : set.calibration.size();
        m_ids = windowIds(set, w.compute(), first, count, true);
        if (m_opt.shard) {
            m_otherIds = windowIds(set, w.compute(), first, count, false);
        }
        // the whole set's stride, sharded or not: a shard's subsample is its part of the whole's
        const std::uint64_t total = set.calibration.size() * set.settings.seqLen;
        const std::uint64_t want = std::max<std::uint64_t>(1, m_opt.subsampleTokens);
        m_stride = std::max<std::uint64_t>(1, total / want);
        // an expert sees about top-k / experts of the tokens: subsample its own tokens as densely
        if (const auto &moe = w.config().moe; moe && moe->numExperts > 0) {
            const std::uint64_t routed = total * static_cast<std::uint64_t>(moe->expertsPerToken) /
                                         static_cast<std::uint64_t>(moe->numExperts);
            m_expertStride = std::max<std::uint64_t>(1, routed / want);
        }
    }

    Status run(const LayerCallback &onLayer);

    double lossSum() const { return m_state.lossSum; }

    std::uint64_t lossTokens() const { return m_state.lossTokens; }

    /** Tokens every Fisher is divided by (N·T). */
    std::uint64_t calibrationTokens() const
    {
        return m_ids.size() * static_cast<std::uint64_t>(m_ids.empty() ? 0 : m_ids[0].size(0));
    }

private:
    Status forward(std::int64_t layers);
    Status lossGradients();
    Status backwardLayer(std::int64_t l, const LayerCallback &onLayer);
    Status checkpoint(std::int64_t finishedLayer);
    void accumulate(LinearAccum &acc,
                    const torch::Tensor &x,
                    const torch::Tensor &d,
                    std::uint64_t stride);

    Status advanceOtherWindows(std::int64_t l, const math::LayerWeights &w, torch::Tensor &h);

    const ModelWeights &m_w;
    WalkOptions m_opt;
    std::vector<torch::Tensor> m_ids;       ///< the windows measured
    std::vector<torch::Tensor> m_otherIds;  ///< a shard's other windows (input maxima only)
    /** Layer → module → max |x| over the other windows (a shard's input maxima are the whole's). */
    std::map<std::int64_t, std::map<std::string, float>> m_otherAmax;
    const core::JobContext &m_ctx;
    std::uint64_t m_stride = 1;        ///< subsample every m_stride-th token (dense Linears)
    std::uint64_t m_expertStride = 1;  ///< the same over an expert's routed tokens
    BoundaryStore m_bound;
    std::vector<torch::Tensor> m_grad;  ///< [window]
    torch::Tensor m_cos, m_sin;
    ResumeState m_state;
};

/** Runs layers [0, layers) on every window, storing the boundaries h_0 … h_layers. */
Status StreamedWalk::forward(std::int64_t layers)
{
    const core::ModelConfig &c = m_w.config();
    torch::NoGradGuard noGrad;
    // only the looked-up rows of the embedding are converted
    auto embedded = m_w.embeddingRows(torch::cat(m_ids));
    if (!embedded) {
        return std::move(embedded).error();
    }
    const auto windows = static_cast<std::int64_t>(m_ids.size());
    torch::Tensor h = embedded->view({windows, -1, c.hiddenSize});
    PQ_TRY_STATUS(m_bound.put(0, h));
    torch::Tensor other;  // a shard's other windows, one layer at a time
    if (!m_otherIds.empty()) {
        auto rows = m_w.embeddingRows(torch::cat(m_otherIds));
        if (!rows) {
            return std::move(rows).error();
        }
        other = rows->view({static_cast<std::int64_t>(m_otherIds.size()), -1, c.hiddenSize});
    }
    // The other windows' maxima are needed for every layer the walk will measure: on a resume
    // that includes layer `layers` itself, which the measured windows do not run forward.
    const std::int64_t otherLayers =
            other.defined() ? std::min<std::int64_t>(layers + 1, c.numLayers) : 0;
    for (std::int64_t l = 0; l < std::max(layers, otherLayers); ++l) {
        auto w = m_w.layer(l);
        if (!w) {
            return std::move(w).error();
        }
        if (l >= layers) {
            PQ_TRY_STATUS(advanceOtherWindows(l, *w, other));
            continue;
        }
        torch::Tensor next = torch::empty_like(h);
        for (std::int64_t s = 0; s < windows; ++s) {
            next[s].copy_(math::decoderLayer(h[s], *w, c, m_cos, m_sin));
            if (m_ctx.isCancelled()) {
                return cancelled("the forward pass");
            }
        }
        h = next;
        PQ_TRY_STATUS(m_bound.put(static_cast<std::size_t>(l) + 1, h));
        if (other.defined()) {
            PQ_TRY_STATUS(advanceOtherWindows(l, *w, other));
        }
        m_ctx.reportProgress("forward", static_cast<std::uint64_t>(l) + 1,
                             static_cast<std::uint64_t>(layers));
    }
    return {};
}

/** Runs the other windows through layer `l` in place, keeping only their Linears' input maxima. */
Status
StreamedWalk::advanceOtherWindows(std::int64_t l, const math::LayerWeights &w, torch::Tensor &h)
{
    std::map<std::string, float> &amax = m_otherAmax[l];
    for (std::int64_t s = 0; s < h.size(0); ++s) {
        math::LayerTrace trace;
        const torch::Tensor out = math::decoderLayer(h[s], w, m_w.config(), m_cos, m_sin, &trace);
        for (const math::TracedLinear &t : trace.linears) {
            const float v = t.input.to(torch::kFloat32).abs().max().item<float>();
            float &m = amax[t.module];
            m = std::max(m, v);
        }
        h[s].copy_(out);
        if (m_ctx.isCancelled()) {
            return cancelled("the forward pass");
        }
    }
    return {};
}

Status StreamedWalk::lossGradients()
{
    const auto top = static_cast<std::size_t>(m_w.config().numLayers);
    auto h = m_bound.get(top);
    if (!h) {
        return std::move(h).error();
    }
    auto loss = headLoss(m_w, *h, m_ids, m_opt.headChunkRows);
    if (!loss) {
        return std::move(loss).error();
    }
    m_state.lossSum += loss->lossSum;
    m_state.lossTokens += loss->tokens;
    m_grad = std::move(loss->grad);
    m_bound.drop(top);
    return {};
}

void StreamedWalk::accumulate(LinearAccum &acc,
                              const torch::Tensor &x,
                              const torch::Tensor &d,
                              std::uint64_t stride)
{
    // float32 whatever the compute dtype: squares of bf16 values lose too much
    const torch::Tensor x32 = x.to(torch::kFloat32);
    const torch::Tensor d32 = d.to(torch::kFloat32);
    // summed in place in float32: the per-window products are float32 matmuls already, and a
    // fresh float64 [out, in] per window cost more time and memory than the matmul
    if (acc.fisher.defined()) {
        acc.fisher.addmm_(d32.square().t(), x32.square());
    } else {
        acc.fisher = torch::matmul(d32.square().t(), x32.square());
    }
    acc.tokens += static_cast<std::uint64_t>(x.size(0));
    acc.amax = std::max(acc.amax, x32.abs().max().item<float>());
    const torch::Tensor rows = torch::arange(0, x.size(0), static_cast<std::int64_t>(stride),
                                             torch::TensorOptions().device(x.device()));
    acc.subX.push_back(Compute::host(x32.index_select(0, rows)));
    acc.subD.push_back(Compute::host(d32.index_select(0, rows)));
}

Status StreamedWalk::backwardLayer(std::int64_t l, const LayerCallback &onLayer)
{
    auto w = m_w.layer(l);
    if (!w) {
        return std::move(w).error();
    }
    auto bound = m_bound.get(static_cast<std::size_t>(l));
    if (!bound) {
        return std::move(bound).error();
    }
    LayerAccum acc;
    for (std::size_t s = 0; s < m_ids.size(); ++s) {
        if (m_ctx.isCancelled()) {
            return cancelled("the backward pass");
        }
        torch::Tensor x = (*bound)[static_cast<std::int64_t>(s)].detach().requires_grad_(true);
        math::LayerTrace trace;
        trace.retainGrad = true;
        const torch::Tensor out = math::decoderLayer(x, *w, m_w.config(), m_cos, m_sin, &trace);
        out.backward(m_grad[s]);
        m_grad[s] = x.grad().detach();
        for (const math::TracedLinear &t : trace.linears) {
            const bool fresh = acc.find(t.module) == acc.end();
            LinearAccum &a = acc[t.module];
            if (fresh) {
                a.weight = t.weight;
                a.order = acc.size();
            }
            // an expert whose routed tokens all had zero routing weight has no gradient
            const torch::Tensor d = t.output.grad().defined() ? t.output.grad().detach()
                                                              : torch::zeros_like(t.output);
            accumulate(a, t.input.detach(), d, t.tokens.defined() ? m_expertStride : m_stride);
        }
    }
    for (const auto &[module, amax] : m_otherAmax[l]) {
        float &m = acc[module].amax;  // an expert routed only in other windows is added here
        m = std::max(m, amax);
    }
    m_otherAmax.erase(l);
    *bound = torch::Tensor();  // the store holds the last reference: dropping it frees the buffer
    m_bound.drop(static_cast<std::size_t>(l));
    releaseFreedMemory();  // the autograd temporaries are gone: do not let the costs stack on their
                           // holes
    return onLayer(l, *w, acc);
}

/** After layer `finished` of the backward walk: persist its results' gradient and the state. */
Status StreamedWalk::checkpoint(std::int64_t finished)
{
    if (m_opt.stateDir.empty()) {
        return {};
    }
    const std::int64_t next = finished - 1;
    if (next >= 0) {
        PQ_TRY_STATUS(writeTensors(gradFile(m_opt.stateDir, next), m_grad));
    }
    m_state.nextLayer = next;
    PQ_TRY_STATUS(saveState(m_opt.stateDir, m_state));
    std::error_code ec;
    std::filesystem::remove(gradFile(m_opt.stateDir, finished), ec);
    return {};
}

Status StreamedWalk::run(const LayerCallback &onLayer)
{
    const core::ModelConfig &c = m_w.config();
    const std::int64_t L = c.numLayers;
    std::tie(m_cos, m_sin) = m_w.ropeTables(m_ids.front().size(0));
    m_state.key = m_opt.key;
    std::int64_t start = L - 1;
    if (m_opt.resume) {
        // Layers above the resume point are done: run the forward only up to it, and pick up
        // the gradient and loss the interrupted run recorded.
        m_state = *m_opt.resume;
        start = m_state.nextLayer;
        if (start >= 0) {
            PQ_TRY_STATUS(forward(start));
            auto g = readTensors(gradFile(m_opt.stateDir, start), m_ids.size(),
                                 {m_ids.front().size(0), c.hiddenSize});
            if (!g) {
                return std::move(g).error();
            }
            m_grad = std::move(*g);
            for (torch::Tensor &t : m_grad) {
                t = m_w.compute().to(t);
            }
        }
    } else {
        PQ_TRY_STATUS(forward(L));
        PQ_TRY_STATUS(lossGradients());
        releaseFreedMemory();
        PQ_TRY_STATUS(checkpoint(L));
    }
    for (std::int64_t l = start; l >= 0; --l) {
        if (m_ctx.isCancelled()) {
            return cancelled("the backward pass");
        }
        PQ_TRY_STATUS(backwardLayer(l, onLayer));
        releaseFreedMemory();
        PQ_TRY_STATUS(checkpoint(l));
        m_ctx.reportProgress("backward", static_cast<std::uint64_t>(L - l),
                             static_cast<std::uint64_t>(L));
    }
    return {};
}

/** The state key: what must match for a resumed run to be the same run. */
Result<std::string> stateKey(const ModelWeights &w,
                             const std::string &fingerprint,
                             const core::data::CalibrationSet &calibration,
                             const ProbeSettings &settings)
{
    std::string text = fingerprint + "\n" + calibration.toJson() + "\n";
    for (const core::quant::FormatId id : settings.formats) {
        text += std::string(core::quant::formatInfo(id).name) + ",";
    }
    text += fmt::format("\n{} {} {} {} {} {}", settings.outputTokens, settings.minExpertTokens,
                        w.config().numLayers, torchVersion(), w.compute().device.str(),
                        c10::toString(w.compute().dtype));
    if (settings.shard) {
        text += fmt::format("\nshard {}/{}", settings.shard->index, settings.shard->count);
    }
    return core::sha256Hex(text);
}

Status checkWindows(const core::data::CalibrationSet &calibration)
{
    if (calibration.calibration.empty()) {
        return core::makeError(core::ErrorCode::InvalidArgument, "no calibration windows");
    }
    const std::size_t T = calibration.calibration.front().ids.size();
    for (const core::data::TokenWindow &w : calibration.calibration) {
        if (w.ids.size() != T || T < 2) {
            return core::makeError(core::ErrorCode::InvalidArgument,
                                   "calibration windows must all have the same length ≥ 2");
        }
    }
    return {};
}

/**
 * Where boundary spill files go, or "" when the boundaries of the `windows` measured fit the
 * memory budget.
 */
Result<std::string> spillDirFor(const ModelWeights &w,
                                const core::data::CalibrationSet &calibration,
                                std::uint64_t windows,
                                const ProbeSettings &settings,
                                const core::JobContext &ctx)
{
    const std::uint64_t limit =
            settings.memoryLimitBytes > 0 ? settings.memoryLimitBytes : physicalMemory() / 2;
    const std::uint64_t need = static_cast<std::uint64_t>(w.config().numLayers + 1) * windows *
                               calibration.calibration.front().ids.size() *
                               static_cast<std::uint64_t>(w.config().hiddenSize) * sizeof(float);
    if (limit == 0 || need <= limit) {
        return std::string();
    }
    std::string dir = settings.stateDir.empty()
                              ? (std::filesystem::temp_directory_path() /
                                 fmt::format("prismaquant-boundaries-{}", ::getpid()))
                                        .string()
                              : settings.stateDir;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return core::makeError(core::ErrorCode::Io,
                               fmt::format("cannot create the boundary folder: {}", ec.message()))
                .withPath(dir);
    }
    ctx.log(fmt::format("layer boundaries need {} (more than the {} memory limit): kept in {}",
                        core::formatBytes(need), core::formatBytes(limit), dir));
    return dir;
}

}  // namespace

Result<SensitivityReport> runProbe(const std::string &modelDir,
                                   const core::data::CalibrationSet &calibration,
                                   const ProbeSettings &settings,
                                   core::quant::QuantBackend &backend,
                                   const core::JobContext &ctx)
{
    try {
        PQ_TRY_STATUS(checkWindows(calibration));
        PQ_TRY_STATUS(checkRuntimeOptions(settings.runtime));
        applyRuntimeOptions(settings.runtime);
        const HeapScope heap;
        auto weights = ModelWeights::open(modelDir, settings.runtime);
        if (!weights) {
            return std::move(weights).error();
        }
        weights->setReleaseMappedPages(true);  // each layer is read twice, far apart
        // its own mapping, unmapped at once: the pages it reads would otherwise stay resident
        auto fingerprint = [&]() -> Result<std::string> {
            auto cp = core::Checkpoint::open(modelDir);
            return cp ? cp->fingerprint() : Result<std::string>(std::move(cp).error());
        }();
        if (!fingerprint) {
            return std::move(fingerprint).error();
        }
        SensitivityReport report;
        report.modelDir = modelDir;
        report.modelFingerprint = *fingerprint;
        report.formats = settings.formats;
        report.outputTokens = settings.outputTokens;
        report.minExpertTokens = settings.minExpertTokens;
        report.runtime =
                fmt::format("libtorch {}, {}, {}", torchVersion(), weights->compute().device.str(),
                            c10::toString(weights->compute().dtype));
        report.calibrationJson = calibration.toJson();

        WalkOptions opt;
        if (settings.shard) {
            auto shard = core::data::planShard(settings.shard->index, settings.shard->count,
                                               calibration.calibration.size(),
                                               calibration.calibration.front().ids.size());
            if (!shard) {
                return std::move(shard).error();
            }
            opt.shard = report.shard = *shard;
        }
        opt.subsampleTokens = settings.outputTokens;
        opt.stateDir = settings.stateDir;
        auto key = stateKey(*weights, *fingerprint, calibration, settings);
        if (!key) {
            return std::move(key).error();
        }
        opt.key = *key;
        if (!settings.stateDir.empty()) {
            std::error_code ec;
            std::filesystem::create_directories(settings.stateDir, ec);
            opt.resume = loadState(settings.stateDir, opt.key);
            if (!opt.resume) {  // stale files of another run would be misleading: start clean
                std::filesystem::remove_all(settings.stateDir, ec);
                std::filesystem::create_directories(settings.stateDir, ec);
                if (ec) {
                    return core::makeError(core::ErrorCode::Io, ec.message())
                            .withPath(settings.stateDir);
                }
            }
        }
        const std::int64_t L = weights->config().numLayers;
        std::map<std::int64_t, std::vector<LinearSensitivity>> byLayer;
        if (opt.resume) {
            for (std::int64_t l = opt.resume->nextLayer + 1; l < L; ++l) {
                auto text = core::readSmallFile(layerFile(settings.stateDir, l), 1ULL << 32U);
                auto linears = text ? core::data::linearsFromJson(*text)
                                    : Result<std::vector<LinearSensitivity>>(text.error());
                if (!linears) {
                    return std::move(linears).error();
                }
                byLayer[l] = std::move(*linears);
            }
            ctx.log(fmt::format("resuming the probe at layer {} of {} (state in {})",
                                opt.resume->nextLayer, L, settings.stateDir));
        }
        auto spill = spillDirFor(*weights, calibration,
                                 opt.shard ? opt.shard->windows : calibration.calibration.size(),
                                 settings, ctx);
        if (!spill) {
            return std::move(spill).error();
        }
        opt.spillDir = *spill;
        StreamedWalk walk(*weights, calibration, opt, ctx);
        const Status walked =
                walk.run([&](std::int64_t l, math::LayerWeights &layer, LayerAccum &acc) -> Status {
                    std::vector<LinearSensitivity> &out = byLayer[l];
                    PQ_TRY_STATUS(measureLayer(backend, settings, *weights, l, layer, acc,
                                               walk.calibrationTokens(), out));
                    if (!settings.stateDir.empty()) {
                        PQ_TRY_STATUS(core::writeFileAtomically(layerFile(settings.stateDir, l),
                                                                core::data::linearsToJson(out)));
                    }
                    return {};
                });
        if (!opt.spillDir.empty() && opt.spillDir != settings.stateDir) {
            std::error_code ec;
            std::filesystem::remove_all(opt.spillDir, ec);
        }
        PQ_TRY_STATUS(walked);
        for (auto &[l, linears] : byLayer) {
            for (LinearSensitivity &s : linears) {
                report.linears.push_back(std::move(s));
            }
        }
        report.tokens = walk.lossTokens();
        report.meanLoss =
                walk.lossSum() / static_cast<double>(std::max<std::uint64_t>(1, walk.lossTokens()));
        return report;
    } catch (const std::exception &e) {
        return torchError(e);
    }
}

Result<std::map<std::string, std::vector<double>>>
streamedFisher(const std::string &modelDir,
               const core::data::CalibrationSet &calibration,
               std::int64_t headChunkRows)
{
    try {
        PQ_TRY_STATUS(checkWindows(calibration));
        auto weights = ModelWeights::open(modelDir);
        if (!weights) {
            return std::move(weights).error();
        }
        weights->setReleaseMappedPages(true);
        std::map<std::string, std::vector<double>> out;
        const core::JobContext ctx;
        WalkOptions opt;
        opt.headChunkRows = headChunkRows;
        StreamedWalk walk(*weights, calibration, opt, ctx);
        PQ_TRY_STATUS(walk.run([&](std::int64_t l, math::LayerWeights &,
                                   LayerAccum &acc) -> Status {
            for (const auto &[module, a] : acc) {
                const torch::Tensor f = (a.fisher.to(torch::kFloat64) /
                                         static_cast<double>(walk.calibrationTokens()))
                                                .contiguous();
                out[weights->layerPrefix(l) + module] =
                        std::vector<double>(f.data_ptr<double>(), f.data_ptr<double>() + f.numel());
            }
            return {};
        }));
        return out;
    } catch (const std::exception &e) {
        return torchError(e);
    }
}

}  // namespace pq::probe
