// SPDX-License-Identifier: MIT
// The probe's costs per Linear (probe_costs_torch.h): C_w(f) = ½ Σ F (W − Q_f(W))² with the
// production quantizers, C_y(f) on the token subsample with the format's activation quantizer,
// and the prior Fisher of rarely routed experts (DESIGN.md §4.6).
#include <algorithm>
#include <set>

#include "core/probe/probe_costs_torch.h"

namespace pq::probe {
namespace {

using core::Result;
using core::Status;

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

/** What C_y needs of one Linear whatever the format: computed once, not once per format. */
struct OutputSample
{
    torch::Tensor w;   ///< [out, in] float32
    torch::Tensor x;   ///< the token subsample of inputs [n, in]
    torch::Tensor d2;  ///< the same tokens' δ² [n, out]
    torch::Tensor y;   ///< x·Wᵀ [n, out]
};

OutputSample outputSample(const LinearAccum &acc, const torch::Tensor &w)
{
    OutputSample s;
    s.w = w;
    s.x = torch::cat(acc.subX).contiguous();
    s.d2 = torch::cat(acc.subD).square();
    s.y = torch::matmul(s.x, w.t());
    return s;
}

/**
 * C_y(f) = ½ (1/n) Σ_t Σ_o δ²_{t,o} (Q_f(W)·A_f(x_t) − W x_t)²_o on the token subsample, times
 * the share of calibration tokens that reach the Linear (1 except for experts).
 */
Result<double> outputCost(core::quant::QuantBackend &backend,
                          core::quant::FormatId id,
                          const std::string &name,
                          const OutputSample &s,
                          float inputAmax,
                          double share)
{
    torch::Tensor wq = torch::empty_like(s.w);
    core::quant::QuantOptions o;
    o.inputAmax = inputAmax;
    PQ_TRY_STATUS(backend.fakeQuant(id, viewOfTensor(s.w, name), o,
                                    {wq.data_ptr<float>(), static_cast<std::size_t>(wq.numel())}));
    torch::Tensor xq = s.x.clone();
    PQ_TRY_STATUS(backend.quantizeActivations(
            core::quant::formatInfo(id).activation,
            {xq.data_ptr<float>(), static_cast<std::size_t>(xq.numel())},
            static_cast<std::uint64_t>(s.x.size(1)), inputAmax));
    const torch::Tensor diff = torch::matmul(xq, wq.t()) - s.y;
    return share * 0.5 * (s.d2 * diff.square()).sum().item<double>() /
           static_cast<double>(s.x.size(0));
}

/** Every cost of one Linear from its Fisher F (already divided by the calibration tokens). */
Result<LinearSensitivity> measureLinear(core::quant::QuantBackend &backend,
                                        const ProbeSettings &settings,
                                        const std::string &name,
                                        const LinearAccum &acc,
                                        const torch::Tensor &fisher,
                                        double share,
                                        bool prior)
{
    LinearSensitivity out;
    out.name = name;
    out.tokens = acc.tokens;
    out.inputAmax = acc.amax;
    out.prior = prior;
    out.fisherTrace = fisher.sum(torch::kFloat64).item<double>();
    const torch::Tensor channels =
            fisher.sum(1, false, torch::kFloat64).to(torch::kCPU).contiguous();
    out.channelFisher.assign(channels.data_ptr<double>(),
                             channels.data_ptr<double>() + channels.numel());
    const torch::Tensor f = Compute::host(fisher);
    const torch::Tensor w = Compute::host(acc.weight);
    std::vector<core::quant::FormatId> usable;
    for (const core::quant::FormatId id : settings.formats) {
        if (core::quant::checkShape(id, static_cast<std::uint64_t>(w.size(0)),
                                    static_cast<std::uint64_t>(w.size(1)))) {
            usable.push_back(id);
        }
    }
    core::quant::QuantOptions o;
    if (acc.amax > 0.0F) {
        // an expert no calibration token reached has no input maximum; its weight costs do not
        // need one (only C_y, which it has no tokens for, quantizes the input)
        o.inputAmax = acc.amax;
    }
    auto metrics = backend.measure(usable, viewOfTensor(w, name),
                                   {f.data_ptr<float>(), static_cast<std::size_t>(f.numel())}, o);
    if (!metrics) {
        return std::move(metrics).error();
    }
    // no tokens of its own to measure C_y on (a prior): the allocator uses C_w
    const bool measureOutput = !prior && !acc.subX.empty();
    const OutputSample sample = measureOutput ? outputSample(acc, w) : OutputSample{};
    out.subsampleTokens = measureOutput ? static_cast<std::uint64_t>(sample.x.size(0)) : 0;
    for (std::size_t i = 0; i < usable.size(); ++i) {
        out.weightCost[usable[i]] = 0.5 * (*metrics)[i].fisherSse;
        if (!measureOutput) {
            continue;
        }
        auto cy = outputCost(backend, usable[i], name, sample, acc.amax, share);
        if (!cy) {
            return std::move(cy).error();
        }
        out.outputCost[usable[i]] = *cy;
    }
    return out;
}

/** The role of an expert Linear inside its layer ("gate_proj" of "mlp.experts.3.gate_proj"). */
std::string expertRole(const std::string &module)
{
    return module.substr(module.rfind('.') + 1);
}

/**
 * Prior Fisher per expert role for the rarely routed experts of one layer (DESIGN.md §4.6):
 * the mean per-routed-token Fisher density of the well-sampled experts, rescaled so that its
 * trace is their median trace, times the uniform routing share top-k / experts. With no
 * well-sampled expert the pool is every expert that saw a token.
 */
std::map<std::string, torch::Tensor> expertPriors(const LayerAccum &acc,
                                                  const std::set<std::string> &experts,
                                                  std::uint64_t minTokens,
                                                  double uniformShare)
{
    std::map<std::string, std::vector<const LinearAccum *>> byRole;
    for (const std::string &m : experts) {
        byRole[expertRole(m)].push_back(&acc.at(m));
    }
    std::map<std::string, torch::Tensor> priors;
    for (const auto &[role, list] : byRole) {
        for (const std::uint64_t threshold : {minTokens, std::uint64_t{1}}) {
            std::vector<double> traces;
            torch::Tensor sum;
            for (const LinearAccum *a : list) {
                if (a->tokens < threshold || a->tokens == 0) {
                    continue;
                }
                const torch::Tensor density =
                        a->fisher.to(torch::kFloat64) / static_cast<double>(a->tokens);
                traces.push_back(density.sum().item<double>());
                sum = sum.defined() ? sum + density : density;
            }
            if (traces.empty()) {
                continue;
            }
            std::nth_element(traces.begin(), traces.begin() + traces.size() / 2, traces.end());
            const double median = traces[traces.size() / 2];
            const torch::Tensor mean = sum / static_cast<double>(traces.size());
            const double meanTrace = mean.sum().item<double>();
            priors[role] = meanTrace > 0.0 ? mean * (median / meanTrace * uniformShare)
                                           : mean * uniformShare;
            break;
        }
    }
    return priors;
}

}  // namespace

Status measureLayer(core::quant::QuantBackend &backend,
                    const ProbeSettings &settings,
                    const ModelWeights &w,
                    std::int64_t l,
                    math::LayerWeights &layer,
                    LayerAccum &acc,
                    std::uint64_t calibrationTokens,
                    std::vector<LinearSensitivity> &out)
{
    const double n = static_cast<double>(std::max<std::uint64_t>(1, calibrationTokens));
    std::set<std::string> experts;
    // Experts never routed a token are absent from the trace: add them with their weights.
    if (layer.moe) {
        for (math::ExpertWeights &e : layer.moe->experts) {
            for (const auto &[module, weight] :
                 {std::pair{e.gateModule, e.gate}, std::pair{e.upModule, e.up},
                  std::pair{e.downModule, e.down}}) {
                LinearAccum &a = acc[module];
                if (!a.weight.defined()) {
                    a.weight = weight;
                    a.order = acc.size() + (1U << 30U);
                    a.fisher = torch::zeros({weight.size(0), weight.size(1)},
                                            weight.options().dtype(torch::kFloat32));
                }
                experts.insert(module);
            }
        }
    }
    std::map<std::string, torch::Tensor> priors;
    if (layer.moe) {
        const auto &moe = *w.config().moe;
        priors = expertPriors(acc, experts, settings.minExpertTokens,
                              static_cast<double>(moe.expertsPerToken) /
                                      static_cast<double>(moe.numExperts));
    }
    // the layer's module order (attention, then the MLP or the experts by index), whatever
    // order the windows routed tokens in: the same in every run and every shard
    std::map<std::string, std::uint64_t> rank;
    layer.forEachLinear([&rank](const std::string &module, torch::Tensor &) {
        rank.emplace(module, rank.size());
    });
    std::vector<std::pair<std::uint64_t, std::string>> order;
    for (const auto &[module, a] : acc) {
        const auto r = rank.find(module);
        order.emplace_back(r != rank.end() ? r->second : rank.size() + a.order, module);
    }
    std::sort(order.begin(), order.end());
    for (const auto &[rank, module] : order) {
        LinearAccum &a = acc.at(module);
        const bool isExpert = experts.count(module) != 0;
        const bool rare = isExpert && a.tokens < settings.minExpertTokens;
        const torch::Tensor fisher = a.fisher.div_(n);  // float32 in place; summed in float64
        torch::Tensor prior;
        if (rare) {
            const auto p = priors.find(expertRole(module));
            prior = p != priors.end() ? p->second : torch::zeros_like(fisher);
        }
        const double share = isExpert ? static_cast<double>(a.tokens) / n : 1.0;
        const std::string name = w.layerPrefix(l) + module;
        // A shard cannot tell whether the expert is rare in the whole: it keeps its own values
        // and the prior's beside them, and merge picks once the shards' counts are added.
        const bool own = !rare || settings.shard.has_value();
        auto s = measureLinear(backend, settings, name, a, own ? fisher : prior, share, !own);
        if (!s) {
            return std::move(s).error();
        }
        if (rare && own) {
            auto p = measureLinear(backend, settings, name, a, prior, share, true);
            if (!p) {
                return std::move(p).error();
            }
            s->priorEstimate = core::data::PriorEstimate{
                    p->fisherTrace, std::move(p->channelFisher), std::move(p->weightCost)};
        }
        out.push_back(std::move(*s));
        // done with this Linear: the layer's later (larger) Linears need the room
        a.fisher = torch::Tensor();
        a.subX.clear();
        a.subD.clear();
    }
    return {};
}

}  // namespace pq::probe
