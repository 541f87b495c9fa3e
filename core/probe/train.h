// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/util/job_context.h"
#include "core/util/result.h"

namespace pq::probe {

/** The shape of a Llama-architecture model to train (transformers' LlamaConfig fields). */
struct LlamaShape
{
    std::int64_t hiddenSize = 256;
    std::int64_t intermediateSize = 768;
    std::int64_t numLayers = 4;
    std::int64_t numHeads = 8;
    std::int64_t numKvHeads = 4;  ///< GQA when below numHeads; must divide it
    std::int64_t vocabSize = 2048;
    std::int64_t maxPositions = 512;
    double ropeTheta = 10000.0;
    double rmsNormEps = 1e-5;
    bool tieEmbeddings = false;  ///< false: lm_head.weight is a tensor of its own

    std::int64_t headDim() const { return numHeads > 0 ? hiddenSize / numHeads : 0; }

    /** Parameters in all (embedding, layers, final norm, lm_head unless tied). */
    std::uint64_t parameters() const;
};

/** Optimisation settings: AdamW, linear warm-up then cosine decay, global-norm clipping. */
struct TrainSettings
{
    LlamaShape shape;
    std::uint64_t steps = 1000;
    std::uint64_t batchSize = 16;     ///< windows per step
    std::uint64_t seqLen = 128;       ///< tokens per window, BOS included
    double learningRate = 3e-3;       ///< peak
    double minLearningRate = 3e-4;    ///< end of the cosine
    std::uint64_t warmupSteps = 100;  ///< linear from 0 to the peak
    double weightDecay = 0.1;         ///< on matrices only (not norms)
    double beta1 = 0.9;
    double beta2 = 0.95;
    double gradClip = 1.0;  ///< max global L2 norm of the gradient; 0 = off
    double initStd = 0.02;  ///< N(0, σ²) for embeddings and Linears (transformers'
                            ///< initializer_range); norms start at 1
    std::uint64_t seed = 1;
    std::uint64_t logEvery = 25;     ///< steps between log entries
    std::uint64_t evalEvery = 250;   ///< steps between held-out evaluations (0: only at the end)
    std::uint64_t evalWindows = 32;  ///< held-out windows per evaluation (from the stream's start)
    int threads = 0;                 ///< libtorch intra-op threads; 0 = one per core
    bool overwrite = false;          ///< replace an existing output directory
};

/** Token streams and tokenizer files of a training run. */
struct TrainData
{
    std::vector<std::int32_t> train;    ///< the training token stream
    std::vector<std::int32_t> heldOut;  ///< text never trained on, for the held-out loss
    std::int32_t bos = 0;               ///< prepended to every window
    std::int32_t eos = 0;               ///< recorded in config.json / generation_config.json
    std::string tokenizerJson;
    std::string tokenizerConfigJson;
};

/** One line of the training log. */
struct TrainLogEntry
{
    std::uint64_t step = 0;        ///< steps done
    double learningRate = 0.0;     ///< of the last step
    double trainLoss = 0.0;        ///< mean over the steps since the previous entry (nats)
    double heldOutLoss = -1.0;     ///< mean token cross-entropy; < 0 when not evaluated
    double seconds = 0.0;          ///< since the start of training
    double tokensPerSecond = 0.0;  ///< training tokens per second so far
};

/** What a finished run measured. */
struct TrainReport
{
    std::vector<TrainLogEntry> log;
    std::uint64_t parameters = 0;
    std::uint64_t weightBytes = 0;  ///< BF16 tensor bytes in model.safetensors
    std::uint64_t tokensSeen = 0;   ///< training tokens (steps × batch × (seqLen − 1) targets)
    double seconds = 0.0;           ///< training time (without writing)
    double tokensPerSecond = 0.0;
    double finalTrainLoss = 0.0;      ///< mean over the last log interval
    double heldOutLoss = 0.0;         ///< with the BF16-rounded weights that were written
    double heldOutPerplexity = 0.0;   ///< exp(heldOutLoss)
    std::uint64_t heldOutTokens = 0;  ///< targets the final held-out loss averages over
};

using TrainLogFn = std::function<void(const TrainLogEntry &)>;

/**
 * Trains a Llama-architecture causal LM from scratch on `data.train` with libtorch (float32 on
 * the CPU) and writes a Hugging Face model directory to `outDir`: config.json (LlamaForCausalLM,
 * bfloat16), model.safetensors (BF16, transformers' tensor names), tokenizer.json,
 * tokenizer_config.json, generation_config.json and training.json (settings and log).
 *
 * Each step draws `batchSize` windows of seqLen − 1 tokens at seeded random offsets of the
 * training stream and puts BOS in front (as the calibration windows have it); the loss is the
 * mean next-token cross-entropy over every position. The held-out loss uses consecutive
 * windows of `data.heldOut` built the same way. The same seed, settings, data and thread count
 * give the same model.
 *
 * The directory is written atomically: into a temporary directory beside `outDir`, renamed into
 * place when complete. A failure or cancellation leaves no `outDir` and no temporary directory;
 * an existing `outDir` is refused before training unless `overwrite` is set.
 * Progress: "train" per step, "write" per tensor; cancellable between steps and tensors.
 * `log` (optional) is called on the calling thread at every log entry.
 * Errors: InvalidArgument (shape, settings, too little data), Cancelled, Io/NoSpace.
 */
core::Result<TrainReport> trainLlama(const TrainData &data,
                                     const TrainSettings &settings,
                                     const std::string &outDir,
                                     const core::JobContext &ctx,
                                     const TrainLogFn &log = {});

}  // namespace pq::probe
