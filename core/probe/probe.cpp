// SPDX-License-Identifier: MIT
// The streamed sensitivity probe (DESIGN.md §4) on libtorch.
//
// Notation: N windows of T tokens; h_l[s] = hidden states entering layer l for window s (the
// only activations kept across layers); G[s] = ∂L/∂h for the layer being walked, L the summed
// token cross-entropy. For a Linear y = x Wᵀ: δ_t = ∂L/∂y_t and the Fisher is
// F = (1/(N·T)) Σ_t (δ_t ⊙ δ_t)ᵀ (x_t ⊙ x_t), accumulated as one [out, T]×[T, in] matmul per
// window.
#include "core/probe/probe.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/probe/model_weights_torch.h"

namespace pq::probe {
namespace {

using core::Result;
using core::Status;

/** What the backward walk gathers for one Linear across all windows. */
struct LinearAccum
{
    torch::Tensor fisher;             ///< Σ δ²ᵀx² in float64 [out, in]
    std::vector<torch::Tensor> subX;  ///< token subsample of inputs [n, in]
    std::vector<torch::Tensor> subD;  ///< the same tokens' output gradients [n, out]
    std::uint64_t tokens = 0;
    float amax = 0.0F;
};

using LayerCallback = std::function<Status(
        std::int64_t layer, const ModelWeights &, LinearAccum (&)[math::LINEAR_SLOTS])>;

std::vector<torch::Tensor> windowIds(const core::data::CalibrationSet &set)
{
    std::vector<torch::Tensor> ids;
    for (const core::data::TokenWindow &w : set.calibration) {
        ids.push_back(torch::tensor(std::vector<std::int64_t>(w.ids.begin(), w.ids.end()),
                                    torch::kInt64));
    }
    return ids;
}

/** The streamed walk: forward keeping boundaries, loss gradient, then layers in reverse. */
class StreamedWalk
{
public:
    StreamedWalk(const ModelWeights &w,
                 const core::data::CalibrationSet &set,
                 std::uint64_t subsampleTokens,
                 const core::JobContext &ctx)
        : m_w(w)
        , m_ids(windowIds(set))
        , m_ctx(ctx)
    {
        const std::uint64_t total = set.calibration.size() * set.settings.seqLen;
        m_stride = std::max<std::uint64_t>(1, total / std::max<std::uint64_t>(1, subsampleTokens));
    }

    Status run(const LayerCallback &onLayer);

    double lossSum() const { return m_loss; }

    std::uint64_t lossTokens() const { return m_lossTokens; }

private:
    Status forward();
    Status lossGradients();
    Status backwardLayer(std::int64_t l, const LayerCallback &onLayer);
    void accumulate(LinearAccum &acc, const torch::Tensor &x, const torch::Tensor &d);

    const ModelWeights &m_w;
    std::vector<torch::Tensor> m_ids;
    const core::JobContext &m_ctx;
    std::uint64_t m_stride = 1;
    std::vector<std::vector<torch::Tensor>> m_bound;  ///< [layer][window]
    std::vector<torch::Tensor> m_grad;                ///< [window]
    torch::Tensor m_cos, m_sin;
    double m_loss = 0.0;
    std::uint64_t m_lossTokens = 0;
};

Status StreamedWalk::forward()
{
    const core::ModelConfig &c = m_w.config();
    auto embed = m_w.embedding();
    if (!embed) {
        return std::move(embed).error();
    }
    std::tie(m_cos, m_sin) = math::ropeTables(c, m_ids.front().size(0));
    m_bound.assign(static_cast<std::size_t>(c.numLayers) + 1, {});
    for (const torch::Tensor &ids : m_ids) {
        m_bound[0].push_back(embed->index_select(0, ids));
    }
    torch::NoGradGuard noGrad;
    for (std::int64_t l = 0; l < c.numLayers; ++l) {
        auto w = m_w.layer(l);
        if (!w) {
            return std::move(w).error();
        }
        for (const torch::Tensor &h : m_bound[static_cast<std::size_t>(l)]) {
            m_bound[static_cast<std::size_t>(l) + 1].push_back(
                    math::decoderLayer(h, *w, c, m_cos, m_sin));
        }
        m_ctx.reportProgress("forward", static_cast<std::uint64_t>(l) + 1,
                             static_cast<std::uint64_t>(c.numLayers));
        if (m_ctx.isCancelled()) {
            return core::makeError(core::ErrorCode::Cancelled, "cancelled during the forward pass");
        }
    }
    return {};
}

Status StreamedWalk::lossGradients()
{
    const core::ModelConfig &c = m_w.config();
    auto norm = m_w.finalNorm();
    auto head = m_w.head();
    if (!norm || !head) {
        return !norm ? std::move(norm).error() : std::move(head).error();
    }
    for (std::size_t s = 0; s < m_ids.size(); ++s) {
        torch::Tensor x = m_bound.back()[s].detach().requires_grad_(true);
        const torch::Tensor logits =
                torch::matmul(math::rmsNorm(x, *norm, c.rmsNormEps), head->t());
        const std::int64_t T = logits.size(0);
        const torch::Tensor loss = torch::nn::functional::cross_entropy(
                logits.narrow(0, 0, T - 1), m_ids[s].narrow(0, 1, T - 1),
                torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
        loss.backward();
        m_loss += loss.item<double>();
        m_lossTokens += static_cast<std::uint64_t>(T - 1);
        m_grad.push_back(x.grad().detach());
    }
    m_bound.back().clear();
    return {};
}

void StreamedWalk::accumulate(LinearAccum &acc, const torch::Tensor &x, const torch::Tensor &d)
{
    const torch::Tensor f = torch::matmul(d.square().t(), x.square()).to(torch::kFloat64);
    acc.fisher = acc.fisher.defined() ? acc.fisher + f : f;
    acc.tokens += static_cast<std::uint64_t>(x.size(0));
    acc.amax = std::max(acc.amax, x.abs().max().item<float>());
    const torch::Tensor rows = torch::arange(0, x.size(0), static_cast<std::int64_t>(m_stride));
    acc.subX.push_back(x.index_select(0, rows));
    acc.subD.push_back(d.index_select(0, rows));
}

Status StreamedWalk::backwardLayer(std::int64_t l, const LayerCallback &onLayer)
{
    auto w = m_w.layer(l);
    if (!w) {
        return std::move(w).error();
    }
    LinearAccum acc[math::LINEAR_SLOTS];
    std::vector<torch::Tensor> &bound = m_bound[static_cast<std::size_t>(l)];
    for (std::size_t s = 0; s < bound.size(); ++s) {
        torch::Tensor x = bound[s].detach().requires_grad_(true);
        math::LayerTrace trace;
        trace.retainGrad = true;
        const torch::Tensor out = math::decoderLayer(x, *w, m_w.config(), m_cos, m_sin, &trace);
        out.backward(m_grad[s]);
        m_grad[s] = x.grad().detach();
        for (int k = 0; k < math::LINEAR_SLOTS; ++k) {
            accumulate(acc[k], trace.input[k].detach(), trace.output[k].grad().detach());
        }
    }
    bound.clear();  // this layer's boundary is no longer needed
    return onLayer(l, m_w, acc);
}

Status StreamedWalk::run(const LayerCallback &onLayer)
{
    PQ_TRY_STATUS(forward());
    PQ_TRY_STATUS(lossGradients());
    const std::int64_t L = m_w.config().numLayers;
    for (std::int64_t l = L - 1; l >= 0; --l) {
        if (m_ctx.isCancelled()) {
            return core::makeError(core::ErrorCode::Cancelled,
                                   "cancelled during the backward pass");
        }
        PQ_TRY_STATUS(backwardLayer(l, onLayer));
        m_ctx.reportProgress("backward", static_cast<std::uint64_t>(L - l),
                             static_cast<std::uint64_t>(L));
    }
    return {};
}

/** A WeightView over a float32 torch tensor (contiguous). */
core::quant::WeightView viewOfTensor(const torch::Tensor &t, const std::string &name)
{
    core::quant::WeightView v;
    v.dtype = core::DType::F32;
    v.data = static_cast<const std::byte *>(t.data_ptr());
    v.rows = static_cast<std::uint64_t>(t.size(0));
    v.cols = static_cast<std::uint64_t>(t.size(1));
    v.name = name;
    return v;
}

/** C_y(f) = ½ (1/n) Σ_t Σ_o δ²_{t,o} (Q_f(W)·A_f(x_t) − W x_t)²_o on the token subsample. */
Result<double> outputCost(core::quant::QuantBackend &backend,
                          core::quant::FormatId id,
                          const torch::Tensor &w,
                          const std::string &name,
                          const LinearAccum &acc)
{
    const torch::Tensor x = torch::cat(acc.subX).contiguous();
    const torch::Tensor d2 = torch::cat(acc.subD).square();
    const torch::Tensor y = torch::matmul(x, w.t());
    torch::Tensor wq = torch::empty_like(w);
    core::quant::QuantOptions o;
    o.inputAmax = acc.amax;
    PQ_TRY_STATUS(backend.fakeQuant(id, viewOfTensor(w, name), o,
                                    {wq.data_ptr<float>(), static_cast<std::size_t>(wq.numel())}));
    torch::Tensor xq = x.clone();
    PQ_TRY_STATUS(backend.quantizeActivations(
            core::quant::formatInfo(id).activation,
            {xq.data_ptr<float>(), static_cast<std::size_t>(xq.numel())},
            static_cast<std::uint64_t>(x.size(1)), acc.amax));
    const torch::Tensor diff = torch::matmul(xq, wq.t()) - y;
    return 0.5 * (d2 * diff.square()).sum().item<double>() / static_cast<double>(x.size(0));
}

Result<LinearSensitivity> measureLinear(core::quant::QuantBackend &backend,
                                        const ProbeSettings &settings,
                                        const std::string &name,
                                        const torch::Tensor &weight,
                                        LinearAccum &acc)
{
    LinearSensitivity out;
    out.name = name;
    out.tokens = acc.tokens;
    out.inputAmax = acc.amax;
    const torch::Tensor f64 = acc.fisher / static_cast<double>(acc.tokens);
    out.fisherTrace = f64.sum().item<double>();
    const torch::Tensor channels = f64.sum(1).contiguous();
    out.channelFisher.assign(channels.data_ptr<double>(),
                             channels.data_ptr<double>() + channels.numel());
    const torch::Tensor f = f64.to(torch::kFloat32).contiguous();
    const torch::Tensor w = weight.contiguous();
    std::vector<core::quant::FormatId> usable;
    for (const core::quant::FormatId id : settings.formats) {
        if (core::quant::checkShape(id, static_cast<std::uint64_t>(w.size(0)),
                                    static_cast<std::uint64_t>(w.size(1)))) {
            usable.push_back(id);
        }
    }
    core::quant::QuantOptions o;
    o.inputAmax = acc.amax;
    auto metrics = backend.measure(usable, viewOfTensor(w, name),
                                   {f.data_ptr<float>(), static_cast<std::size_t>(f.numel())}, o);
    if (!metrics) {
        return std::move(metrics).error();
    }
    for (std::size_t i = 0; i < usable.size(); ++i) {
        out.weightCost[usable[i]] = 0.5 * (*metrics)[i].fisherSse;
        auto cy = outputCost(backend, usable[i], w, name, acc);
        if (!cy) {
            return std::move(cy).error();
        }
        out.outputCost[usable[i]] = *cy;
    }
    return out;
}

}  // namespace

Result<SensitivityReport> runProbe(const std::string &modelDir,
                                   const core::data::CalibrationSet &calibration,
                                   const ProbeSettings &settings,
                                   core::quant::QuantBackend &backend,
                                   const core::JobContext &ctx)
{
    try {
        applyRuntimeOptions(settings.runtime);
        auto weights = ModelWeights::open(modelDir);
        if (!weights) {
            return std::move(weights).error();
        }
        SensitivityReport report;
        report.modelDir = modelDir;
        report.settings = settings;
        report.calibrationJson = calibration.toJson();
        StreamedWalk walk(*weights, calibration, settings.outputTokens, ctx);
        PQ_TRY_STATUS(walk.run([&](std::int64_t l, const ModelWeights &w,
                                   LinearAccum(&acc)[math::LINEAR_SLOTS]) -> Status {
            auto layer = w.layer(l);
            if (!layer) {
                return std::move(layer).error();
            }
            const torch::Tensor *mats[math::LINEAR_SLOTS] = {&layer->q,   &layer->k,    &layer->v,
                                                             &layer->o,   &layer->gate, &layer->up,
                                                             &layer->down};
            for (int k = 0; k < math::LINEAR_SLOTS; ++k) {
                const std::string name =
                        w.layerPrefix(l) + math::slotModule(static_cast<math::LinearSlot>(k));
                auto s = measureLinear(backend, settings, name, *mats[k], acc[k]);
                if (!s) {
                    return std::move(s).error();
                }
                report.linears.push_back(std::move(*s));
            }
            return {};
        }));
        std::sort(report.linears.begin(), report.linears.end(),
                  [](const auto &a, const auto &b) { return a.name < b.name; });
        report.tokens = walk.lossTokens();
        report.meanLoss =
                walk.lossSum() / static_cast<double>(std::max<std::uint64_t>(1, walk.lossTokens()));
        return report;
    } catch (const std::exception &e) {
        return torchError(e);
    }
}

Result<std::map<std::string, std::vector<double>>>
streamedFisher(const std::string &modelDir, const core::data::CalibrationSet &calibration)
{
    try {
        auto weights = ModelWeights::open(modelDir);
        if (!weights) {
            return std::move(weights).error();
        }
        std::map<std::string, std::vector<double>> out;
        const core::JobContext ctx;
        StreamedWalk walk(*weights, calibration, 1, ctx);
        PQ_TRY_STATUS(walk.run([&](std::int64_t l, const ModelWeights &w,
                                   LinearAccum(&acc)[math::LINEAR_SLOTS]) -> Status {
            for (int k = 0; k < math::LINEAR_SLOTS; ++k) {
                const torch::Tensor f =
                        (acc[k].fisher / static_cast<double>(acc[k].tokens)).contiguous();
                out[w.layerPrefix(l) + math::slotModule(static_cast<math::LinearSlot>(k))] =
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
