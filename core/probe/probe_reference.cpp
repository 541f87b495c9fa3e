// SPDX-License-Identifier: MIT
// The Fisher the slow, obvious way, for the exactness test of the streamed probe: a plain
// full-model autograd pass per window (all layers at once, nothing streamed), then an explicit
// loop over tokens adding (δ_t ⊙ δ_t)(x_t ⊙ x_t)ᵀ one outer product at a time. An expert sees
// only the tokens routed to it; every Fisher is divided by the number of calibration tokens.
#include <fmt/format.h>
#include <torch/torch.h>

#include "core/probe/model_weights_torch.h"
#include "core/probe/probe.h"

namespace pq::probe {

using core::Result;

namespace {

/** Forward of one window with every Linear traced, then backward of the summed loss. */
Result<std::vector<math::LayerTrace>> tracedWindow(const ModelWeights &w, const torch::Tensor &ids)
{
    const core::ModelConfig &c = w.config();
    auto embed = w.embedding();
    auto norm = w.finalNorm();
    auto head = w.head();
    if (!embed || !norm || !head) {
        return core::makeError(core::ErrorCode::NotFound, "embedding, norm or head missing");
    }
    const auto [cos, sin] = w.ropeTables(ids.size(0));
    torch::Tensor x = embed->index_select(0, ids).clone().requires_grad_(true);
    std::vector<math::LayerTrace> traces(static_cast<std::size_t>(c.numLayers));
    for (std::int64_t l = 0; l < c.numLayers; ++l) {
        auto lw = w.layer(l);
        if (!lw) {
            return std::move(lw).error();
        }
        traces[static_cast<std::size_t>(l)].retainGrad = true;
        x = math::decoderLayer(x, *lw, c, cos, sin, &traces[static_cast<std::size_t>(l)]);
    }
    const torch::Tensor logits = torch::matmul(math::rmsNorm(x, *norm, c.rmsNormEps), head->t());
    const std::int64_t T = ids.size(0);
    torch::nn::functional::cross_entropy(
            logits.narrow(0, 0, T - 1), ids.narrow(0, 1, T - 1),
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
            .backward();
    return traces;
}

}  // namespace

Result<std::map<std::string, std::vector<double>>>
referenceFisher(const std::string &modelDir, const core::data::CalibrationSet &calibration)
{
    try {
        auto weights = ModelWeights::open(modelDir);
        if (!weights) {
            return std::move(weights).error();
        }
        std::map<std::string, torch::Tensor> sums;
        std::uint64_t tokens = 0;
        for (const core::data::TokenWindow &win : calibration.calibration) {
            const torch::Tensor ids = torch::tensor(
                    std::vector<std::int64_t>(win.ids.begin(), win.ids.end()), torch::kInt64);
            auto traces = tracedWindow(*weights, ids);
            if (!traces) {
                return std::move(traces).error();
            }
            for (std::size_t l = 0; l < traces->size(); ++l) {
                for (const math::TracedLinear &t : (*traces)[l].linears) {
                    const std::string name =
                            weights->layerPrefix(static_cast<std::int64_t>(l)) + t.module;
                    const torch::Tensor d = t.output.grad().to(torch::kFloat64);
                    const torch::Tensor x = t.input.detach().to(torch::kFloat64);
                    torch::Tensor &f = sums[name];
                    for (std::int64_t r = 0; r < x.size(0); ++r) {  // one token at a time
                        const torch::Tensor o = torch::outer(d[r].square(), x[r].square());
                        f = f.defined() ? f + o : o;
                    }
                }
            }
            tokens += static_cast<std::uint64_t>(ids.size(0));
        }
        std::map<std::string, std::vector<double>> out;
        for (auto &[name, f] : sums) {
            const torch::Tensor m = (f / static_cast<double>(tokens)).contiguous();
            out[name] = std::vector<double>(m.data_ptr<double>(), m.data_ptr<double>() + m.numel());
        }
        return out;
    } catch (const std::exception &e) {
        return torchError(e);
    }
}

}  // namespace pq::probe
