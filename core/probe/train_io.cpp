// SPDX-License-Identifier: MIT
// The trained model's Hugging Face directory, written all-or-nothing (HOUSE_STYLE 7.3.7): every
// file goes into ".<name>.tmp-<pid>-<n>" beside the destination, which is renamed into place
// only when the last file is complete.
#include "core/probe/train_io.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/io/checkpoint_writer.h"
#include "core/probe/causal_lm.h"
#include "core/util/atomic_file.h"
#include "core/util/bf16.h"

namespace pq::probe {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::makeError;
using core::makeIoError;
using core::Status;
using ojson = nlohmann::ordered_json;

/** A directory removed on destruction unless released. */
class TempDir
{
public:
    explicit TempDir(fs::path path)
        : m_path(std::move(path))
    {}

    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    TempDir(TempDir &&) = delete;
    TempDir &operator=(TempDir &&) = delete;

    ~TempDir()
    {
        if (!m_released) {
            std::error_code ec;
            fs::remove_all(m_path, ec);
        }
    }

    const fs::path &path() const { return m_path; }

    void release() { m_released = true; }

private:
    fs::path m_path;
    bool m_released = false;
};

/** `outDir` without a trailing separator ("out/" → "out"). */
fs::path finalPath(const std::string &outDir)
{
    fs::path p = fs::path(outDir).lexically_normal();
    return p.has_filename() ? p : p.parent_path();
}

fs::path tempPathBeside(const fs::path &final)
{
    static std::atomic<unsigned> counter{0};
    return final.parent_path() / fmt::format(".{}.tmp-{}-{}", final.filename().string(),
                                             static_cast<long>(::getpid()), counter++);
}

Status writeTensors(const fs::path &dir,
                    const std::vector<NamedTensor> &tensors,
                    const core::JobContext &ctx)
{
    std::vector<core::TensorInfo> infos;
    infos.reserve(tensors.size());
    for (const NamedTensor &t : tensors) {
        infos.push_back(core::TensorInfo{t.name, core::DType::BF16, t.shape});
    }
    auto writer = core::CheckpointWriter::create(dir.string(), std::move(infos));
    if (!writer) {
        return std::move(writer).error();
    }
    const auto &order = writer->writeOrder();
    std::vector<std::byte> bytes;
    for (std::size_t i = 0; i < order.size(); ++i) {
        if (ctx.isCancelled()) {
            return makeError(ErrorCode::Cancelled, "cancelled while writing the model");
        }
        const auto it = std::find_if(tensors.begin(), tensors.end(),
                                     [&](const NamedTensor &t) { return t.name == order[i]; });
        bytes.resize(it->values.size() * 2);
        for (std::size_t k = 0; k < it->values.size(); ++k) {
            const std::uint16_t b = core::floatToBf16(it->values[k]);
            std::memcpy(bytes.data() + 2 * k, &b, 2);
        }
        PQ_TRY_STATUS(writer->writeTensor(order[i], bytes));
        ctx.reportProgress("write", i + 1, order.size());
    }
    return writer->finish();
}

ojson settingsJson(const TrainSettings &s)
{
    return {{"steps", s.steps},
            {"batch_size", s.batchSize},
            {"seq_len", s.seqLen},
            {"learning_rate", s.learningRate},
            {"min_learning_rate", s.minLearningRate},
            {"warmup_steps", s.warmupSteps},
            {"weight_decay", s.weightDecay},
            {"betas", {s.beta1, s.beta2}},
            {"grad_clip", s.gradClip},
            {"init_std", s.initStd},
            {"seed", s.seed},
            {"threads", s.threads}};
}

ojson logJson(const std::vector<TrainLogEntry> &log)
{
    ojson out = ojson::array();
    for (const TrainLogEntry &e : log) {
        ojson row = {{"step", e.step},
                     {"lr", e.learningRate},
                     {"train_loss", e.trainLoss},
                     {"seconds", e.seconds},
                     {"tokens_per_second", e.tokensPerSecond}};
        if (e.heldOutLoss >= 0) {
            row["held_out_loss"] = e.heldOutLoss;
        }
        out.push_back(std::move(row));
    }
    return out;
}

/** training.json: how the model was made, for the model card and for reproducing it. */
std::string trainingJson(const TrainData &d, const TrainSettings &s, const TrainReport &r)
{
    const ojson doc = {
            {"schema", "prismaquant.train/1"},
            {"libtorch", torchVersion()},
            {"settings", settingsJson(s)},
            {"data", {{"train_tokens", d.train.size()}, {"held_out_tokens", d.heldOut.size()}}},
            {"result",
             {{"parameters", r.parameters},
              {"weight_bytes", r.weightBytes},
              {"tokens_seen", r.tokensSeen},
              {"seconds", r.seconds},
              {"tokens_per_second", r.tokensPerSecond},
              {"final_train_loss", r.finalTrainLoss},
              {"held_out_loss", r.heldOutLoss},
              {"held_out_perplexity", r.heldOutPerplexity},
              {"held_out_tokens", r.heldOutTokens}}},
            {"log", logJson(r.log)}};
    return doc.dump(2) + "\n";
}

std::string generationConfigJson(std::int32_t bos, std::int32_t eos)
{
    const ojson j = {{"bos_token_id", bos}, {"eos_token_id", eos}, {"do_sample", false}};
    return j.dump(2) + "\n";
}

Status
writeFiles(const fs::path &dir, const TrainData &d, const TrainSettings &s, const TrainReport &r)
{
    const std::pair<const char *, std::string> files[] = {
            {"config.json", llamaConfigJson(s.shape, d.bos, d.eos)},
            {"generation_config.json", generationConfigJson(d.bos, d.eos)},
            {"tokenizer.json", d.tokenizerJson},
            {"tokenizer_config.json", d.tokenizerConfigJson},
            {"training.json", trainingJson(d, s, r)}};
    for (const auto &[name, text] : files) {
        PQ_TRY_STATUS(core::writeFileAtomically((dir / name).string(), text));
    }
    return {};
}

/** Renames `from` to `to`; with `replace`, an existing `to` is moved aside and removed after. */
Status moveIntoPlace(const fs::path &from, const fs::path &to, bool replace)
{
    std::error_code ec;
    fs::path aside;
    if (fs::exists(to, ec)) {
        if (!replace) {
            return makeError(ErrorCode::InvalidArgument, "the output directory exists")
                    .withPath(to.string());
        }
        aside = tempPathBeside(to);
        fs::rename(to, aside, ec);
        if (ec) {
            return makeIoError("cannot move the old model aside", to.string(), ec.value());
        }
    }
    fs::rename(from, to, ec);
    if (ec) {
        const int err = ec.value();
        if (!aside.empty()) {
            fs::rename(aside, to, ec);
        }
        return makeIoError("cannot rename the written model into place", to.string(), err);
    }
    if (!aside.empty()) {
        fs::remove_all(aside, ec);
    }
    return {};
}

}  // namespace

std::string llamaConfigJson(const LlamaShape &s, std::int32_t bos, std::int32_t eos)
{
    const ojson j = {{"architectures", {"LlamaForCausalLM"}},
                     {"model_type", "llama"},
                     {"attention_bias", false},
                     {"attention_dropout", 0.0},
                     {"bos_token_id", bos},
                     {"eos_token_id", eos},
                     {"head_dim", s.headDim()},
                     {"hidden_act", "silu"},
                     {"hidden_size", s.hiddenSize},
                     {"initializer_range", 0.02},
                     {"intermediate_size", s.intermediateSize},
                     {"max_position_embeddings", s.maxPositions},
                     {"mlp_bias", false},
                     {"num_attention_heads", s.numHeads},
                     {"num_hidden_layers", s.numLayers},
                     {"num_key_value_heads", s.numKvHeads},
                     {"pretraining_tp", 1},
                     {"rms_norm_eps", s.rmsNormEps},
                     {"rope_scaling", nullptr},
                     {"rope_theta", s.ropeTheta},
                     {"tie_word_embeddings", s.tieEmbeddings},
                     {"torch_dtype", "bfloat16"},
                     {"use_cache", true},
                     {"vocab_size", s.vocabSize}};
    return j.dump(2) + "\n";
}

Status writeTrainedModel(const std::string &outDir,
                         const TrainData &data,
                         const TrainSettings &settings,
                         const TrainReport &report,
                         const std::vector<NamedTensor> &tensors,
                         const core::JobContext &ctx)
{
    const fs::path final = finalPath(outDir);
    std::error_code ec;
    if (!final.parent_path().empty()) {
        fs::create_directories(final.parent_path(), ec);
        if (ec) {
            return makeIoError("cannot create directory", final.parent_path().string(), ec.value());
        }
    }
    TempDir tmp(tempPathBeside(final));
    if (!fs::create_directory(tmp.path(), ec) || ec) {
        return makeIoError("cannot create a temporary directory", tmp.path().string(),
                           ec ? ec.value() : EEXIST);
    }
    PQ_TRY_STATUS(writeTensors(tmp.path(), tensors, ctx));
    PQ_TRY_STATUS(writeFiles(tmp.path(), data, settings, report));
    if (ctx.isCancelled()) {
        return makeError(ErrorCode::Cancelled, "cancelled while writing the model");
    }
    PQ_TRY_STATUS(moveIntoPlace(tmp.path(), final, settings.overwrite));
    tmp.release();
    return {};
}

}  // namespace pq::probe
