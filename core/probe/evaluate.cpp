// SPDX-License-Identifier: MIT
// Held-out evaluation of fake-quantized variants (DESIGN.md §1 "evaluate"): each variant's
// layers are quantized once, all windows run through a layer before the next is loaded, and the
// next-token log-probabilities are compared with the source model's.
#include "core/probe/evaluate.h"

#include <cmath>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/probe/model_weights_torch.h"

namespace pq::probe {
namespace {

using core::Result;
using core::Status;

/** W replaced by decode(encode(W)) with the production quantizer. */
Result<torch::Tensor> fakeQuantized(core::quant::QuantBackend &backend,
                                    core::quant::FormatId id,
                                    const torch::Tensor &w,
                                    const std::string &name,
                                    const core::quant::QuantOptions &options)
{
    const torch::Tensor src = Compute::host(w);
    torch::Tensor out = torch::empty_like(src);
    core::quant::WeightView v;
    v.dtype = core::DType::F32;
    v.data = static_cast<const std::byte *>(src.data_ptr());
    v.rows = static_cast<std::uint64_t>(src.size(0));
    v.cols = static_cast<std::uint64_t>(src.size(1));
    v.name = name;
    PQ_TRY_STATUS(backend.fakeQuant(
            id, v, options, {out.data_ptr<float>(), static_cast<std::size_t>(out.numel())}));
    return out.to(w.device(), w.scalar_type());
}

/** A Linear's weights as an exported checkpoint stores them, dequantized. */
Result<torch::Tensor> readBack(const core::ct::CompressedCheckpoint &c,
                               const core::ct::QuantizedModule &m,
                               core::quant::QuantBackend &backend,
                               const torch::Tensor &w)
{
    if (static_cast<std::uint64_t>(w.size(0)) != m.rows ||
        static_cast<std::uint64_t>(w.size(1)) != m.cols) {
        return core::makeError(core::ErrorCode::InvalidFormat,
                               fmt::format("the export stores [{}, {}], the model has [{}, {}]",
                                           m.rows, m.cols, w.size(0), w.size(1)))
                .withTensor(m.name);
    }
    torch::Tensor out = torch::empty({w.size(0), w.size(1)}, torch::kFloat32);
    PQ_TRY_STATUS(c.dequantize(m, backend,
                               {out.data_ptr<float>(), static_cast<std::size_t>(out.numel())}));
    return out.to(w.device(), w.scalar_type());
}

/** Applies a variant to one layer: quantized weights and activation hooks. */
Status applyVariant(const ModelWeights &mw,
                    std::int64_t l,
                    const EvalVariant &v,
                    core::quant::QuantBackend &backend,
                    math::LayerWeights &lw,
                    std::size_t &readBackModules)
{
    using Act = std::pair<core::quant::ActivationQuant, float>;
    std::map<std::string, Act> acts;  // module → its serve-time activation quantizer
    Status status;
    lw.forEachLinear([&](const std::string &module, torch::Tensor &weight) {
        const std::string name = mw.layerPrefix(l) + module;
        if (status && v.checkpoint != nullptr) {
            const core::ct::QuantizedModule *m = v.checkpoint->find(name);
            if (m == nullptr) {
                return;  // unquantized in the export: the source's bytes
            }
            auto q = readBack(*v.checkpoint, *m, backend, weight);
            if (!q) {
                status = std::move(q).error();
                return;
            }
            weight = *q;
            acts[module] = {core::quant::formatInfo(*m->format).activation,
                            v.checkpoint->inputAmax(*m).value_or(0.0F)};
            ++readBackModules;
            return;
        }
        const auto f = v.formats.find(name);
        if (!status || f == v.formats.end() || f->second == core::quant::FormatId::BF16) {
            return;
        }
        core::quant::QuantOptions options;
        if (const auto g = v.globalAmax.find(name); g != v.globalAmax.end()) {
            options.globalAmax = g->second;
        }
        auto q = fakeQuantized(backend, f->second, weight, name, options);
        if (!q) {
            status = std::move(q).error();
            return;
        }
        weight = *q;
        const auto amax = v.inputAmax.find(name);
        acts[module] = {core::quant::formatInfo(f->second).activation,
                        amax == v.inputAmax.end() ? 0.0F : amax->second};
    });
    PQ_TRY_STATUS(status);
    lw.inputHook = [acts = std::move(acts), &backend](const std::string &module,
                                                      const torch::Tensor &x) -> torch::Tensor {
        const auto it = acts.find(module);
        if (it == acts.end() || it->second.first == core::quant::ActivationQuant::None) {
            return x;
        }
        const auto &[a, amax] = it->second;
        torch::Tensor xq = Compute::host(x).clone();
        const auto st = backend.quantizeActivations(
                a, {xq.data_ptr<float>(), static_cast<std::size_t>(xq.numel())},
                static_cast<std::uint64_t>(x.size(-1)), amax);
        if (!st) {
            throw std::runtime_error(st.error().message());  // caught at evaluate()'s boundary
        }
        return xq.to(x.device(), x.scalar_type());
    };
    return {};
}

/** Next-token log-probabilities [T, vocab] of every window under a variant (nullptr = source). */
Result<std::vector<torch::Tensor>> logProbs(const ModelWeights &mw,
                                            const std::vector<torch::Tensor> &ids,
                                            const EvalVariant *variant,
                                            core::quant::QuantBackend &backend)
{
    const core::ModelConfig &c = mw.config();
    auto embed = mw.embedding();
    auto norm = mw.finalNorm();
    auto head = mw.head();
    if (!embed || !norm || !head) {
        return core::makeError(core::ErrorCode::NotFound, "embedding, final norm or head missing");
    }
    const auto [cos, sin] = mw.ropeTables(ids.front().size(0));
    std::vector<torch::Tensor> h;
    std::size_t readBackModules = 0;  // modules of an exported checkpoint put in place
    for (const torch::Tensor &w : ids) {
        h.push_back(embed->index_select(0, w));
    }
    for (std::int64_t l = 0; l < c.numLayers; ++l) {
        auto lw = mw.layer(l);
        if (!lw) {
            return std::move(lw).error();
        }
        if (variant != nullptr) {
            PQ_TRY_STATUS(applyVariant(mw, l, *variant, backend, *lw, readBackModules));
        }
        for (torch::Tensor &x : h) {
            x = math::decoderLayer(x, *lw, c, cos, sin);
        }
    }
    if (variant != nullptr && variant->checkpoint != nullptr &&
        readBackModules != variant->checkpoint->modules().size()) {
        return core::makeError(core::ErrorCode::InvalidFormat,
                               fmt::format("the export quantizes {} Linears but the model's "
                                           "forward pass uses {} of them (names that differ "
                                           "from the source's?)",
                                           variant->checkpoint->modules().size(), readBackModules));
    }
    for (torch::Tensor &x : h) {
        x = torch::log_softmax(
                torch::matmul(math::rmsNorm(x, *norm, c.rmsNormEps), head->t()).to(torch::kFloat32),
                -1);
    }
    return h;
}

EvalResult compare(const std::string &label,
                   const std::vector<torch::Tensor> &ids,
                   const std::vector<torch::Tensor> &source,
                   const std::vector<torch::Tensor> &lp)
{
    EvalResult r;
    r.label = label;
    double nll = 0.0;
    double kl = 0.0;
    for (std::size_t s = 0; s < ids.size(); ++s) {
        const std::int64_t T = ids[s].size(0);
        const torch::Tensor targets = ids[s].narrow(0, 1, T - 1).unsqueeze(1);
        nll -= lp[s].narrow(0, 0, T - 1).gather(1, targets).sum().item<double>();
        const torch::Tensor ps = source[s].narrow(0, 0, T - 1);
        kl += (ps.exp() * (ps - lp[s].narrow(0, 0, T - 1))).sum().item<double>();
        r.tokens += static_cast<std::uint64_t>(T - 1);
    }
    r.meanLoss = nll / static_cast<double>(r.tokens);
    r.perplexity = std::exp(r.meanLoss);
    r.meanKl = kl / static_cast<double>(r.tokens);
    return r;
}

}  // namespace

Result<std::vector<EvalResult>> evaluate(const std::string &modelDir,
                                         const core::data::CalibrationSet &calibration,
                                         const std::vector<EvalVariant> &variants,
                                         core::quant::QuantBackend &backend,
                                         const core::JobContext &ctx,
                                         const RuntimeOptions &runtime)
{
    try {
        PQ_TRY_STATUS(checkRuntimeOptions(runtime));
        applyRuntimeOptions(runtime);
        torch::NoGradGuard noGrad;
        auto mw = ModelWeights::open(modelDir, runtime);
        if (!mw) {
            return std::move(mw).error();
        }
        std::vector<torch::Tensor> ids;
        for (const core::data::TokenWindow &w : calibration.heldOut) {
            ids.push_back(mw->compute().to(torch::tensor(
                    std::vector<std::int64_t>(w.ids.begin(), w.ids.end()), torch::kInt64)));
        }
        if (ids.empty()) {
            return core::makeError(core::ErrorCode::InvalidArgument, "no held-out windows");
        }
        auto source = logProbs(*mw, ids, nullptr, backend);
        if (!source) {
            return std::move(source).error();
        }
        std::vector<EvalResult> results;
        for (std::size_t i = 0; i < variants.size(); ++i) {
            if (ctx.isCancelled()) {
                return core::makeError(core::ErrorCode::Cancelled, "evaluation cancelled");
            }
            auto lp = variants[i].formats.empty() && variants[i].checkpoint == nullptr
                              ? source
                              : logProbs(*mw, ids, &variants[i], backend);
            if (!lp) {
                return std::move(lp).error();
            }
            results.push_back(compare(variants[i].label, ids, *source, *lp));
            ctx.reportProgress("evaluate", i + 1, variants.size());
        }
        return results;
    } catch (const std::exception &e) {
        return torchError(e);
    }
}

}  // namespace pq::probe
