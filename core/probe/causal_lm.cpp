// SPDX-License-Identifier: MIT
// CausalLm on libtorch: weights from the memory-mapped checkpoint, one decoder layer at a time.
#include "core/probe/causal_lm.h"

#include <thread>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/probe/model_weights_torch.h"

namespace pq::probe {
namespace {

using core::Result;

class TorchCausalLm final : public CausalLm
{
public:
    explicit TorchCausalLm(ModelWeights weights)
        : m_w(std::move(weights))
    {}

    Result<std::vector<float>> logits(std::span<const std::int32_t> tokens) override;
    Result<std::vector<std::int32_t>> greedy(std::span<const std::int32_t> prompt,
                                             int steps) override;

    std::int64_t vocabSize() const override { return m_w.config().vocabSize; }

private:
    Result<torch::Tensor> forward(const torch::Tensor &ids);

    ModelWeights m_w;
};

Result<torch::Tensor> TorchCausalLm::forward(const torch::Tensor &ids)
{
    const core::ModelConfig &c = m_w.config();
    auto embed = m_w.embedding();
    if (!embed) {
        return std::move(embed).error();
    }
    torch::Tensor x = embed->index_select(0, m_w.compute().to(ids));
    const auto [cos, sin] = m_w.ropeTables(ids.size(0));
    for (std::int64_t l = 0; l < c.numLayers; ++l) {
        auto w = m_w.layer(l);
        if (!w) {
            return std::move(w).error();
        }
        x = math::decoderLayer(x, *w, c, cos, sin);
    }
    auto norm = m_w.finalNorm();
    auto head = m_w.head();
    if (!norm || !head) {
        return !norm ? std::move(norm).error() : std::move(head).error();
    }
    return torch::matmul(math::rmsNorm(x, *norm, c.rmsNormEps), head->t());
}

Result<std::vector<float>> TorchCausalLm::logits(std::span<const std::int32_t> tokens)
{
    try {
        torch::NoGradGuard noGrad;
        const torch::Tensor ids = torch::tensor(
                std::vector<std::int64_t>(tokens.begin(), tokens.end()), torch::kInt64);
        auto out = forward(ids);
        if (!out) {
            return std::move(out).error();
        }
        const torch::Tensor flat = Compute::host(*out);
        return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
    } catch (const std::exception &e) {
        return torchError(e);
    }
}

Result<std::vector<std::int32_t>> TorchCausalLm::greedy(std::span<const std::int32_t> prompt,
                                                        int steps)
{
    std::vector<std::int32_t> seq(prompt.begin(), prompt.end());
    std::vector<std::int32_t> generated;
    for (int s = 0; s < steps; ++s) {
        auto l = logits(seq);  // no KV cache: generation is only used on tiny models
        if (!l) {
            return std::move(l).error();
        }
        const auto v = static_cast<std::size_t>(vocabSize());
        const float *last = l->data() + (seq.size() - 1) * v;
        const auto next = static_cast<std::int32_t>(std::max_element(last, last + v) - last);
        seq.push_back(next);
        generated.push_back(next);
    }
    return generated;
}

}  // namespace

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

core::Status checkRuntimeOptions(const RuntimeOptions &options)
{
    if (options.device == Device::Cuda && !torch::cuda::is_available()) {
        return core::makeError(core::ErrorCode::Unsupported,
                               "--device cuda: this libtorch has no CUDA or no GPU is visible "
                               "(build against a CUDA libtorch with CMAKE_PREFIX_PATH)");
    }
    return {};
}

void applyRuntimeOptions(const RuntimeOptions &options)
{
    torch::set_num_threads(options.threads > 0
                                   ? options.threads
                                   : static_cast<int>(std::thread::hardware_concurrency()));
}

Result<std::unique_ptr<CausalLm>> CausalLm::open(const std::string &modelDir,
                                                 const RuntimeOptions &options)
{
    PQ_TRY_STATUS(checkRuntimeOptions(options));
    applyRuntimeOptions(options);
    auto weights = ModelWeights::open(modelDir, options);
    if (!weights) {
        return std::move(weights).error();
    }
    return std::unique_ptr<CausalLm>(new TorchCausalLm(std::move(*weights)));
}

std::string torchVersion()
{
    return TORCH_VERSION;
}

}  // namespace pq::probe
