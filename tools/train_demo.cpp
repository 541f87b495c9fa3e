// SPDX-License-Identifier: MIT
// pq-train-demo: trains the bundled demo model (examples/demo-llama) from a text source:
// a byte-level BPE tokenizer, then a small Llama from scratch, written as a Hugging Face
// directory. The tail of the text (whole documents) is held out of both.
//   pq-train-demo --text examples/calibration/kjv.txt.gz --out /tmp/demo-llama --seed 1
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "core/data/text_source.h"
#include "core/probe/causal_lm.h"
#include "core/probe/train.h"
#include "core/text/bpe_trainer.h"
#include "core/text/tokenizer.h"

namespace {

using pq::core::Error;
using pq::core::JobContext;

struct Args
{
    std::string text;
    std::string out;
    pq::probe::TrainSettings train;
    double heldOutFraction = 0.05;
    std::string samplePrompt = "In the beginning";
    int sampleTokens = 48;
};

/** The running job, for the SIGINT handler (which only sets its cancel flag). */
std::atomic<JobContext *> cancelTarget{nullptr};  // NOLINT(*-avoid-non-const-global-variables)

extern "C" void onSigint(int /*signal*/)
{
    if (JobContext *ctx = cancelTarget.load()) {
        ctx->requestCancel();
    }
}

int fail(const Error &e)
{
    fmt::print(stderr, "error: {}\n", e.message());
    return e.code == pq::core::ErrorCode::Cancelled ? 3 : 2;
}

double secondsSince(std::chrono::steady_clock::time_point t)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/** Index of the first held-out document: the tail holding at least `fraction` of the bytes. */
std::size_t heldOutStart(const pq::core::data::TextCorpus &corpus, double fraction)
{
    const auto want =
            static_cast<std::uint64_t>(fraction * static_cast<double>(corpus.textBytes()));
    std::uint64_t bytes = 0;
    std::size_t d = corpus.documents.size();
    while (d > 1 && bytes < std::max<std::uint64_t>(want, 1)) {
        bytes += corpus.documents[--d].text.size();
    }
    return d;
}

/** Tokens of documents [first, last), each followed by "\n\n" (as calibration joins them). */
std::vector<std::int32_t> tokenize(const pq::core::text::Tokenizer &tok,
                                   const pq::core::data::TextCorpus &corpus,
                                   std::size_t first,
                                   std::size_t last)
{
    std::vector<std::int32_t> out;
    for (std::size_t d = first; d < last; ++d) {
        const auto ids = tok.encode(corpus.documents[d].text + "\n\n");
        out.insert(out.end(), ids.begin(), ids.end());
    }
    return out;
}

/** The tokenizer and the two token streams. */
pq::core::Result<pq::probe::TrainData> prepareData(const Args &a, const JobContext &ctx)
{
    auto corpus = pq::core::data::loadTextSource(a.text);
    if (!corpus) {
        return std::move(corpus).error();
    }
    const std::size_t split = heldOutStart(*corpus, a.heldOutFraction);
    std::vector<std::string> texts;
    for (std::size_t d = 0; d < split; ++d) {
        texts.push_back(corpus->documents[d].text + "\n\n");
    }
    const auto start = std::chrono::steady_clock::now();
    pq::core::text::BpeTrainerOptions bpeOptions;
    bpeOptions.vocabSize = static_cast<std::size_t>(a.train.shape.vocabSize);
    const std::vector<std::string_view> views(texts.begin(), texts.end());
    auto bpe = pq::core::text::trainByteLevelBpe(views, bpeOptions, ctx);
    if (!bpe) {
        return std::move(bpe).error();
    }
    pq::probe::TrainData data;
    data.tokenizerJson = bpe->tokenizerJson();
    data.tokenizerConfigJson = bpe->tokenizerConfigJson(a.train.shape.maxPositions);
    auto tok = pq::core::text::Tokenizer::fromJson(data.tokenizerJson, data.tokenizerConfigJson);
    if (!tok) {
        return std::move(tok).error();
    }
    data.bos = bpe->specialId(0);
    data.eos = bpe->specialId(1);
    data.train = tokenize(*tok, *corpus, 0, split);
    data.heldOut = tokenize(*tok, *corpus, split, corpus->documents.size());
    fmt::print("tokenizer: {} merges ({} words, {} distinct) on documents 1-{} of {}; "
               "{} training + {} held-out tokens ({:.1f} s)\n",
               bpe->merges.size(), bpe->words, bpe->uniqueWords, split, corpus->documents.size(),
               data.train.size(), data.heldOut.size(), secondsSince(start));
    return data;
}

void printLog(const pq::probe::TrainLogEntry &e, std::uint64_t steps)
{
    fmt::print("step {:>5}/{}  lr {:.2e}  loss {:.4f}", e.step, steps, e.learningRate, e.trainLoss);
    if (e.heldOutLoss >= 0) {
        fmt::print("  held-out {:.4f} (ppl {:.2f})", e.heldOutLoss, std::exp(e.heldOutLoss));
    }
    fmt::print("  {:.0f} tok/s  {:.0f} s\n", e.tokensPerSecond, e.seconds);
    std::fflush(stdout);
}

/** Greedy continuation of the prompt with the model as written (BF16 weights). */
void printSample(const Args &a)
{
    auto tok = pq::core::text::Tokenizer::load(a.out);
    pq::probe::RuntimeOptions runtime;
    runtime.threads = a.train.threads;
    auto lm = pq::probe::CausalLm::open(a.out, runtime);
    if (!tok || !lm) {
        fmt::print(stderr, "sample: {}\n", (!tok ? tok.error() : lm.error()).message());
        return;
    }
    const auto prompt = tok->encode(a.samplePrompt, true);
    auto ids = (*lm)->greedy(prompt, a.sampleTokens);
    if (ids) {
        fmt::print("greedy sample: {}{}\n", a.samplePrompt, tok->decode(*ids, true));
    }
}

int run(Args &a)
{
    JobContext ctx;
    cancelTarget = &ctx;
    std::signal(SIGINT, onSigint);
    auto data = prepareData(a, ctx);
    if (!data) {
        return fail(data.error());
    }
    const pq::probe::LlamaShape &s = a.train.shape;
    fmt::print("model: {} layers, hidden {}, {} heads ({} KV), MLP {}, vocab {}: {} parameters; "
               "{} steps × {} windows × {} tokens, seed {}\n",
               s.numLayers, s.hiddenSize, s.numHeads, s.numKvHeads, s.intermediateSize, s.vocabSize,
               s.parameters(), a.train.steps, a.train.batchSize, a.train.seqLen, a.train.seed);
    const std::uint64_t steps = a.train.steps;
    auto report = pq::probe::trainLlama(*data, a.train, a.out, ctx,
                                        [steps](const auto &e) { printLog(e, steps); });
    cancelTarget = nullptr;
    if (!report) {
        return fail(report.error());
    }
    fmt::print("trained {} tokens in {:.0f} s ({:.0f} tok/s); final train loss {:.4f}\n"
               "held-out: loss {:.4f}, perplexity {:.3f} over {} tokens (BF16 weights)\n"
               "wrote {} ({} bytes of BF16 weights)\n",
               report->tokensSeen, report->seconds, report->tokensPerSecond, report->finalTrainLoss,
               report->heldOutLoss, report->heldOutPerplexity, report->heldOutTokens, a.out,
               report->weightBytes);
    if (a.sampleTokens > 0) {
        printSample(a);
    }
    return 0;
}

void addModelOptions(CLI::App &app, pq::probe::LlamaShape &s)
{
    app.add_option("--hidden", s.hiddenSize, "hidden size")->capture_default_str();
    app.add_option("--layers", s.numLayers, "decoder layers")->capture_default_str();
    app.add_option("--heads", s.numHeads, "attention heads")->capture_default_str();
    app.add_option("--kv-heads", s.numKvHeads, "key/value heads")->capture_default_str();
    app.add_option("--intermediate", s.intermediateSize, "MLP size")->capture_default_str();
    app.add_option("--vocab", s.vocabSize, "vocabulary (BPE) size")->capture_default_str();
    app.add_option("--max-positions", s.maxPositions, "context length")->capture_default_str();
    app.add_flag("--tie-embeddings", s.tieEmbeddings, "share embedding and lm_head");
}

void addTrainOptions(CLI::App &app, pq::probe::TrainSettings &t)
{
    app.add_option("--steps", t.steps, "optimizer steps")->capture_default_str();
    app.add_option("--batch", t.batchSize, "windows per step")->capture_default_str();
    app.add_option("--seq-len", t.seqLen, "tokens per window (BOS included)")
            ->capture_default_str();
    app.add_option("--lr", t.learningRate, "peak learning rate")->capture_default_str();
    app.add_option("--min-lr", t.minLearningRate, "final learning rate")->capture_default_str();
    app.add_option("--warmup", t.warmupSteps, "warm-up steps")->capture_default_str();
    app.add_option("--weight-decay", t.weightDecay, "AdamW weight decay")->capture_default_str();
    app.add_option("--seed", t.seed, "seed (initial weights, windows)")->capture_default_str();
    app.add_option("--log-every", t.logEvery, "steps per log line")->capture_default_str();
    app.add_option("--eval-every", t.evalEvery, "steps per held-out evaluation")
            ->capture_default_str();
    app.add_option("--threads", t.threads, "CPU threads (0 = all)")->capture_default_str();
    app.add_flag("--overwrite", t.overwrite, "replace an existing --out directory");
}

int parseAndRun(int argc, char **argv)
{
    Args a;
    CLI::App app{"Train PrismaQuant's demo model: a byte-level BPE tokenizer and a small Llama "
                 "on a public-domain text, written as a Hugging Face directory.\n\nExample:\n"
                 "  pq-train-demo --text examples/calibration/kjv.txt.gz --out /tmp/demo-llama",
                 "pq-train-demo"};
    app.add_option("--text", a.text, "text source (.txt/.jsonl, optionally .gz, or a directory)")
            ->required();
    app.add_option("--out", a.out, "model directory to write")->required();
    app.add_option("--held-out-fraction", a.heldOutFraction,
                   "share of the text (last documents) kept out of training")
            ->capture_default_str();
    app.add_option("--sample-prompt", a.samplePrompt, "prompt of the greedy sample")
            ->capture_default_str();
    app.add_option("--sample-tokens", a.sampleTokens, "tokens to generate (0 = no sample)")
            ->capture_default_str();
    addModelOptions(app, a.train.shape);
    addTrainOptions(app, a.train);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    }
    return run(a);
}

}  // namespace

int main(int argc, char **argv)
{
    try {
        return parseAndRun(argc, argv);
    } catch (const std::exception &e) {  // the engine returns errors; this is bad_alloc & co.
        std::fputs("error: ", stderr);
        std::fputs(e.what(), stderr);
        std::fputs("\n", stderr);
        return 2;
    }
}
