// SPDX-License-Identifier: MIT
// Training a small Llama from scratch (the bundled demo model) with libtorch, reusing the
// runtime's decoder math (llama_math_torch.h) so the trained model is exactly the one the
// runtime, the probe and the evaluation run.
//
// Notation: B windows per step, L tokens per window (BOS + L − 1 text tokens), so each window
// feeds L − 1 positions and predicts the L − 1 text tokens; H hidden size, V vocabulary.
// decoderLayer() takes one sequence [T, H]: the B windows of a step run one after another
// through the layers and meet again for the final norm and lm_head ([B·(L−1), V] logits).
#include "core/probe/train.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/probe/causal_lm.h"
#include "core/probe/llama_math_torch.h"
#include "core/probe/model_weights_torch.h"
#include "core/probe/train_io.h"

namespace pq::probe {
namespace {

using core::ErrorCode;
using core::makeError;
using core::Result;
using core::Status;

Status invalid(std::string detail)
{
    return makeError(ErrorCode::InvalidArgument, std::move(detail));
}

Status validateShape(const LlamaShape &s)
{
    if (s.hiddenSize <= 0 || s.intermediateSize <= 0 || s.numLayers <= 0 || s.numHeads <= 0 ||
        s.numKvHeads <= 0 || s.vocabSize <= 0 || s.maxPositions < 2) {
        return invalid("model sizes must be positive (and max positions at least 2)");
    }
    if (s.hiddenSize % s.numHeads != 0 || s.headDim() % 2 != 0) {
        return invalid(fmt::format("hidden size {} must be a multiple of the {} heads with an even "
                                   "head size (RoPE)",
                                   s.hiddenSize, s.numHeads));
    }
    if (s.numHeads % s.numKvHeads != 0) {
        return invalid(fmt::format("{} attention heads are not a multiple of {} KV heads",
                                   s.numHeads, s.numKvHeads));
    }
    return {};
}

/** Every id below the vocabulary size. */
Status validateIds(const std::vector<std::int32_t> &ids, std::int64_t vocab, const char *what)
{
    for (const std::int32_t id : ids) {
        if (id < 0 || id >= vocab) {
            return invalid(fmt::format("{}: token id {} is outside the vocabulary of {}", what, id,
                                       vocab));
        }
    }
    return {};
}

Status validate(const TrainData &d, const TrainSettings &s)
{
    PQ_TRY_STATUS(validateShape(s.shape));
    if (s.steps == 0 || s.batchSize == 0 || s.seqLen < 2 ||
        s.seqLen > static_cast<std::uint64_t>(s.shape.maxPositions)) {
        return invalid(fmt::format("steps and batch size must be at least 1, and the sequence "
                                   "length between 2 and the model's {} positions",
                                   s.shape.maxPositions));
    }
    if (s.learningRate <= 0 || s.minLearningRate < 0 || s.minLearningRate > s.learningRate) {
        return invalid("learning rates must satisfy 0 <= min <= peak, peak > 0");
    }
    if (d.train.size() < s.seqLen || d.heldOut.size() < s.seqLen - 1) {
        return invalid(fmt::format("too little text: {} training and {} held-out tokens for "
                                   "windows of {} tokens",
                                   d.train.size(), d.heldOut.size(), s.seqLen - 1));
    }
    PQ_TRY_STATUS(validateIds(d.train, s.shape.vocabSize, "training text"));
    PQ_TRY_STATUS(validateIds(d.heldOut, s.shape.vocabSize, "held-out text"));
    PQ_TRY_STATUS(validateIds({d.bos, d.eos}, s.shape.vocabSize, "BOS/EOS"));
    return {};
}

/** The ModelConfig the runtime math reads (the config.json that will be written). */
core::ModelConfig modelConfig(const LlamaShape &s)
{
    core::ModelConfig c;
    c.architectures = {"LlamaForCausalLM"};
    c.modelType = c.textModelType = "llama";
    c.hiddenSize = s.hiddenSize;
    c.intermediateSize = s.intermediateSize;
    c.numLayers = s.numLayers;
    c.numHeads = s.numHeads;
    c.numKvHeads = s.numKvHeads;
    c.headDim = s.headDim();
    c.vocabSize = s.vocabSize;
    c.maxPositionEmbeddings = s.maxPositions;
    c.rmsNormEps = s.rmsNormEps;
    c.tieWordEmbeddings = s.tieEmbeddings;
    c.rope.theta = s.ropeTheta;
    c.torchDtype = "bfloat16";
    return c;
}

/**
 * N(0, σ²) values from a seeded std::mt19937_64 (not torch's generator), so the initial weights
 * are the same with every libtorch version (for one C++ standard library: the distribution's
 * algorithm is the library's).
 */
torch::Tensor normalInit(std::mt19937_64 &rng, const std::vector<std::int64_t> &shape, double std)
{
    torch::Tensor t = torch::empty(shape, torch::kFloat32);
    std::normal_distribution<float> normal(0.0F, static_cast<float>(std));
    auto *p = t.data_ptr<float>();
    for (std::int64_t i = 0; i < t.numel(); ++i) {
        p[i] = normal(rng);
    }
    return t.set_requires_grad(true);
}

torch::Tensor ones(std::int64_t n)
{
    return torch::ones({n}, torch::kFloat32).set_requires_grad(true);
}

/** The trainable tensors, named as transformers names them. */
struct Parameters
{
    torch::Tensor embed;
    std::vector<math::LayerWeights> layers;
    torch::Tensor finalNorm;
    torch::Tensor head;  ///< == embed when tied

    Parameters(const LlamaShape &s, double std, std::uint64_t seed);

    /** (name, tensor) in the checkpoint's naming; a tied head is not listed. */
    std::vector<std::pair<std::string, torch::Tensor>> named(bool tied) const;
};

Parameters::Parameters(const LlamaShape &s, double std, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    const std::int64_t h = s.hiddenSize;
    const std::int64_t kv = s.numKvHeads * s.headDim();
    embed = normalInit(rng, {s.vocabSize, h}, std);
    for (std::int64_t l = 0; l < s.numLayers; ++l) {
        math::LayerWeights w;
        w.inputNorm = ones(h);
        w.postNorm = ones(h);
        w.q = normalInit(rng, {s.numHeads * s.headDim(), h}, std);
        w.k = normalInit(rng, {kv, h}, std);
        w.v = normalInit(rng, {kv, h}, std);
        w.o = normalInit(rng, {h, s.numHeads * s.headDim()}, std);
        w.gate = normalInit(rng, {s.intermediateSize, h}, std);
        w.up = normalInit(rng, {s.intermediateSize, h}, std);
        w.down = normalInit(rng, {h, s.intermediateSize}, std);
        layers.push_back(std::move(w));
    }
    finalNorm = ones(h);
    head = s.tieEmbeddings ? embed : normalInit(rng, {s.vocabSize, h}, std);
}

std::vector<std::pair<std::string, torch::Tensor>> Parameters::named(bool tied) const
{
    std::vector<std::pair<std::string, torch::Tensor>> out = {{"model.embed_tokens.weight", embed}};
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const math::LayerWeights &w = layers[l];
        const std::string p = fmt::format("model.layers.{}.", l);
        out.emplace_back(p + "input_layernorm.weight", w.inputNorm);
        out.emplace_back(p + "post_attention_layernorm.weight", w.postNorm);
        const std::pair<const char *, const torch::Tensor *> linears[] = {
                {"self_attn.q_proj", &w.q}, {"self_attn.k_proj", &w.k}, {"self_attn.v_proj", &w.v},
                {"self_attn.o_proj", &w.o}, {"mlp.gate_proj", &w.gate}, {"mlp.up_proj", &w.up},
                {"mlp.down_proj", &w.down}};
        for (const auto &[module, t] : linears) {
            out.emplace_back(p + module + ".weight", *t);
        }
    }
    out.emplace_back("model.norm.weight", finalNorm);
    if (!tied) {
        out.emplace_back("lm_head.weight", head);
    }
    return out;
}

/** Inputs [B, L−1] and targets [B, L−1] of a batch of windows. */
struct Batch
{
    torch::Tensor inputs;
    torch::Tensor targets;
};

/** Windows BOS + stream[o, o + L − 1) for each offset o. */
Batch makeBatch(const std::vector<std::int32_t> &stream,
                const std::vector<std::uint64_t> &offsets,
                std::uint64_t seqLen,
                std::int32_t bos)
{
    const auto b = static_cast<std::int64_t>(offsets.size());
    const auto t = static_cast<std::int64_t>(seqLen - 1);
    Batch out{torch::empty({b, t}, torch::kInt64), torch::empty({b, t}, torch::kInt64)};
    auto in = out.inputs.accessor<std::int64_t, 2>();
    auto tg = out.targets.accessor<std::int64_t, 2>();
    for (std::int64_t i = 0; i < b; ++i) {
        const std::int32_t *w = stream.data() + offsets[static_cast<std::size_t>(i)];
        in[i][0] = bos;
        for (std::int64_t j = 0; j < t; ++j) {
            tg[i][j] = w[j];
            if (j + 1 < t) {
                in[i][j + 1] = w[j];
            }
        }
    }
    return out;
}

/** Elapsed seconds that can leave out paused intervals. */
class Stopwatch
{
public:
    double seconds() const { return m_total + (m_running ? since(m_start) : 0.0); }

    void pause()
    {
        m_total += since(m_start);
        m_running = false;
    }

    void resume()
    {
        m_start = std::chrono::steady_clock::now();
        m_running = true;
    }

private:
    static double since(std::chrono::steady_clock::time_point t)
    {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    }

    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
    double m_total = 0.0;
    bool m_running = true;
};

class Trainer
{
public:
    Trainer(const TrainData &data, const TrainSettings &settings)
        : m_data(data)
        , m_s(settings)
        , m_config(modelConfig(settings.shape))
        , m_params(settings.shape, settings.initStd, settings.seed)
        , m_rng(settings.seed ^ 0x5EED'B47C'0000'0000ULL)
    {
        std::tie(m_cos, m_sin) = math::ropeTables(m_config, static_cast<std::int64_t>(m_s.seqLen));
    }

    /** Trains for settings.steps; fills the log and the throughput figures of `report`. */
    Status train(const core::JobContext &ctx, const TrainLogFn &log, TrainReport &report);

    /** Mean held-out cross-entropy over at most `windows` windows, and the targets counted. */
    std::pair<double, std::uint64_t> heldOutLoss(std::uint64_t windows);

    /** Rounds every parameter to BF16 (what is written), so the final figures are the file's. */
    void roundToBf16();

    const Parameters &parameters() const { return m_params; }

private:
    torch::Tensor loss(const Batch &batch);
    /** One optimizer step on a fresh batch; its loss. */
    double step(torch::optim::AdamW &opt,
                const std::vector<torch::Tensor> &params,
                std::uniform_int_distribution<std::uint64_t> &offset);
    double learningRate(std::uint64_t step) const;
    std::unique_ptr<torch::optim::AdamW> makeOptimizer() const;
    std::vector<torch::Tensor> allParameters() const;

    const TrainData &m_data;
    const TrainSettings &m_s;
    core::ModelConfig m_config;
    Parameters m_params;
    std::mt19937_64 m_rng;
    torch::Tensor m_cos, m_sin;
};

torch::Tensor Trainer::loss(const Batch &batch)
{
    const std::int64_t b = batch.inputs.size(0);
    const std::int64_t t = batch.inputs.size(1);
    const torch::Tensor x = m_params.embed.index_select(0, batch.inputs.reshape({-1}));
    std::vector<torch::Tensor> outs;
    for (std::int64_t i = 0; i < b; ++i) {
        torch::Tensor h = x.narrow(0, i * t, t);
        for (const math::LayerWeights &w : m_params.layers) {
            h = math::decoderLayer(h, w, m_config, m_cos, m_sin);
        }
        outs.push_back(h);
    }
    const torch::Tensor hs =
            math::rmsNorm(torch::cat(outs, 0), m_params.finalNorm, m_config.rmsNormEps);
    const torch::Tensor logits = torch::matmul(hs, m_params.head.t());
    return torch::nn::functional::cross_entropy(logits, batch.targets.reshape({-1}));
}

double Trainer::learningRate(std::uint64_t step) const
{
    if (step < m_s.warmupSteps) {
        return m_s.learningRate * static_cast<double>(step + 1) /
               static_cast<double>(m_s.warmupSteps);
    }
    const double span =
            static_cast<double>(std::max<std::uint64_t>(1, m_s.steps - m_s.warmupSteps));
    const double progress = std::min(1.0, static_cast<double>(step - m_s.warmupSteps) / span);
    return m_s.minLearningRate + 0.5 * (m_s.learningRate - m_s.minLearningRate) *
                                         (1.0 + std::cos(std::numbers::pi * progress));
}

std::vector<torch::Tensor> Trainer::allParameters() const
{
    std::vector<torch::Tensor> out;
    for (const auto &[name, t] : m_params.named(m_s.shape.tieEmbeddings)) {
        out.push_back(t);
    }
    return out;
}

/** AdamW with weight decay on the matrices and none on the norms. */
std::unique_ptr<torch::optim::AdamW> Trainer::makeOptimizer() const
{
    std::vector<torch::Tensor> decay;
    std::vector<torch::Tensor> noDecay;
    for (const torch::Tensor &t : allParameters()) {
        (t.dim() >= 2 ? decay : noDecay).push_back(t);
    }
    const auto options = [this](double wd) {
        return torch::optim::AdamWOptions(m_s.learningRate)
                .betas({m_s.beta1, m_s.beta2})
                .eps(1e-8)
                .weight_decay(wd);
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay,
                        std::make_unique<torch::optim::AdamWOptions>(options(m_s.weightDecay)));
    groups.emplace_back(noDecay, std::make_unique<torch::optim::AdamWOptions>(options(0.0)));
    return std::make_unique<torch::optim::AdamW>(std::move(groups), options(m_s.weightDecay));
}

double Trainer::step(torch::optim::AdamW &opt,
                     const std::vector<torch::Tensor> &params,
                     std::uniform_int_distribution<std::uint64_t> &offset)
{
    std::vector<std::uint64_t> offsets(m_s.batchSize);
    for (std::uint64_t &o : offsets) {
        o = offset(m_rng);
    }
    opt.zero_grad();
    const torch::Tensor l = loss(makeBatch(m_data.train, offsets, m_s.seqLen, m_data.bos));
    l.backward();
    if (m_s.gradClip > 0) {
        torch::nn::utils::clip_grad_norm_(params, m_s.gradClip);
    }
    opt.step();
    return l.item<double>();
}

Status Trainer::train(const core::JobContext &ctx, const TrainLogFn &log, TrainReport &report)
{
    const auto opt = makeOptimizer();
    const std::vector<torch::Tensor> params = allParameters();
    std::uniform_int_distribution<std::uint64_t> offset(0, m_data.train.size() - (m_s.seqLen - 1));
    Stopwatch clock;  // training time, held-out evaluations excluded
    double lossSum = 0.0;
    std::uint64_t lossSteps = 0;
    for (std::uint64_t s = 1; s <= m_s.steps; ++s) {
        if (ctx.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "training cancelled");
        }
        const double lr = learningRate(s - 1);
        for (auto &group : opt->param_groups()) {
            dynamic_cast<torch::optim::AdamWOptions &>(group.options()).lr(lr);
        }
        lossSum += step(*opt, params, offset);
        ++lossSteps;
        report.tokensSeen += m_s.batchSize * (m_s.seqLen - 1);
        ctx.reportProgress("train", s, m_s.steps);
        const bool evalNow = s == m_s.steps || (m_s.evalEvery > 0 && s % m_s.evalEvery == 0);
        if (evalNow || (m_s.logEvery > 0 && s % m_s.logEvery == 0)) {
            TrainLogEntry e{s,  lr, lossSum / static_cast<double>(lossSteps), -1.0, clock.seconds(),
                            0.0};
            e.tokensPerSecond = static_cast<double>(report.tokensSeen) / e.seconds;
            if (evalNow) {
                clock.pause();
                e.heldOutLoss = heldOutLoss(m_s.evalWindows).first;
                clock.resume();
            }
            report.log.push_back(e);
            if (log) {
                log(e);
            }
            lossSum = 0.0;
            lossSteps = 0;
        }
    }
    report.seconds = clock.seconds();
    report.tokensPerSecond = static_cast<double>(report.tokensSeen) / report.seconds;
    report.finalTrainLoss = report.log.back().trainLoss;
    return {};
}

std::pair<double, std::uint64_t> Trainer::heldOutLoss(std::uint64_t windows)
{
    torch::NoGradGuard noGrad;
    const std::uint64_t len = m_s.seqLen - 1;
    const std::uint64_t n = std::min<std::uint64_t>(windows, m_data.heldOut.size() / len);
    double sum = 0.0;
    for (std::uint64_t first = 0; first < n; first += m_s.batchSize) {
        std::vector<std::uint64_t> offsets;
        for (std::uint64_t w = first; w < std::min(n, first + m_s.batchSize); ++w) {
            offsets.push_back(w * len);
        }
        const torch::Tensor l = loss(makeBatch(m_data.heldOut, offsets, m_s.seqLen, m_data.bos));
        sum += l.item<double>() * static_cast<double>(offsets.size());
    }
    return {sum / static_cast<double>(n), n * len};
}

void Trainer::roundToBf16()
{
    torch::NoGradGuard noGrad;
    for (const torch::Tensor &t : allParameters()) {
        t.copy_(t.to(torch::kBFloat16).to(torch::kFloat32));
    }
}

Result<TrainReport> trainAndWrite(const TrainData &data,
                                  const TrainSettings &settings,
                                  const std::string &outDir,
                                  const core::JobContext &ctx,
                                  const TrainLogFn &log)
{
    RuntimeOptions runtime;  // CPU, float32
    runtime.threads = settings.threads;
    applyRuntimeOptions(runtime);
    Trainer trainer(data, settings);
    TrainReport report;
    report.parameters = settings.shape.parameters();
    PQ_TRY_STATUS(trainer.train(ctx, log, report));
    trainer.roundToBf16();
    const auto [loss, tokens] = trainer.heldOutLoss(data.heldOut.size());
    report.heldOutLoss = loss;
    report.heldOutPerplexity = std::exp(loss);
    report.heldOutTokens = tokens;
    std::vector<NamedTensor> tensors;
    for (const auto &[name, t] : trainer.parameters().named(settings.shape.tieEmbeddings)) {
        const torch::Tensor c = t.detach().contiguous();
        NamedTensor nt{name, {}, {}};
        for (const std::int64_t d : c.sizes()) {
            nt.shape.push_back(static_cast<std::uint64_t>(d));
        }
        nt.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
        report.weightBytes += 2 * nt.values.size();
        tensors.push_back(std::move(nt));
    }
    PQ_TRY_STATUS(writeTrainedModel(outDir, data, settings, report, tensors, ctx));
    return report;
}

}  // namespace

std::uint64_t LlamaShape::parameters() const
{
    const auto h = static_cast<std::uint64_t>(hiddenSize);
    const auto hd = static_cast<std::uint64_t>(headDim());
    const std::uint64_t attn = h * hd * static_cast<std::uint64_t>(2 * numHeads + 2 * numKvHeads);
    const std::uint64_t mlp = 3 * h * static_cast<std::uint64_t>(intermediateSize);
    const std::uint64_t layer = attn + mlp + 2 * h;
    const std::uint64_t embed = static_cast<std::uint64_t>(vocabSize) * h;
    return embed * (tieEmbeddings ? 1 : 2) + layer * static_cast<std::uint64_t>(numLayers) + h;
}

core::Result<TrainReport> trainLlama(const TrainData &data,
                                     const TrainSettings &settings,
                                     const std::string &outDir,
                                     const core::JobContext &ctx,
                                     const TrainLogFn &log)
{
    PQ_TRY_STATUS(validate(data, settings));
    std::error_code ec;
    if (!settings.overwrite && std::filesystem::exists(outDir, ec)) {
        return makeError(ErrorCode::InvalidArgument,
                         "the output directory exists (choose another or allow overwriting)")
                .withPath(outDir);
    }
    try {
        return trainAndWrite(data, settings, outDir, ctx, log);
    } catch (const std::exception &e) {
        return torchError(e);
    }
}

}  // namespace pq::probe
