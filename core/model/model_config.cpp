// SPDX-License-Identifier: MIT
#include "core/model/model_config.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/model/profile.h"
#include "core/util/atomic_file.h"

namespace pq::core {
namespace {

using json = nlohmann::json;

constexpr std::uint64_t MAX_CONFIG_BYTES = 16ULL << 20U;

/** Reads an integer key; absent or null gives `fallback`, a wrong type an error. */
Result<std::int64_t> intKey(const json &obj, const char *key, std::int64_t fallback)
{
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        return fallback;
    }
    if (it->is_number_integer()) {
        return it->get<std::int64_t>();
    }
    if (it->is_number_float() &&
        it->get<double>() == static_cast<double>(static_cast<std::int64_t>(it->get<double>()))) {
        return static_cast<std::int64_t>(it->get<double>());
    }
    return makeError(ErrorCode::InvalidFormat, fmt::format("\"{}\" is not an integer", key));
}

/** Reads several integer keys into their targets (absent keys leave the target as it is). */
Status readInts(const json &obj,
                std::initializer_list<std::pair<const char *, std::int64_t *>> keys)
{
    for (const auto &[key, target] : keys) {
        auto v = intKey(obj, key, *target);
        if (!v) {
            return std::move(v).error();
        }
        *target = *v;
    }
    return {};
}

double numberKey(const json &obj, const char *key, double fallback)
{
    const auto it = obj.find(key);
    return it != obj.end() && it->is_number() ? it->get<double>() : fallback;
}

bool boolKey(const json &obj, const char *key, bool fallback)
{
    const auto it = obj.find(key);
    return it != obj.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::string stringKey(const json &obj, const char *key)
{
    const auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/** The first of several alternative integer keys that is present. */
Result<std::int64_t> firstIntKey(const json &obj, std::initializer_list<const char *> keys)
{
    for (const char *k : keys) {
        if (obj.contains(k) && !obj.at(k).is_null()) {
            return intKey(obj, k, 0);
        }
    }
    return std::int64_t{0};
}

RopeConfig parseRope(const json &text)
{
    RopeConfig rope;
    rope.theta = numberKey(text, "rope_theta", rope.theta);
    rope.partialRotaryFactor = numberKey(text, "partial_rotary_factor", 1.0);
    for (const char *key : {"rope_scaling", "rope_parameters"}) {
        const auto it = text.find(key);
        if (it == text.end() || !it->is_object()) {
            continue;
        }
        const json &r = *it;
        std::string type = stringKey(r, "rope_type");
        if (type.empty()) {
            type = stringKey(r, "type");
        }
        if (!type.empty()) {
            rope.type = type;
        }
        rope.theta = numberKey(r, "rope_theta", rope.theta);
        rope.factor = numberKey(r, "factor", rope.factor);
        rope.partialRotaryFactor = numberKey(r, "partial_rotary_factor", rope.partialRotaryFactor);
        rope.lowFreqFactor = numberKey(r, "low_freq_factor", rope.lowFreqFactor);
        rope.highFreqFactor = numberKey(r, "high_freq_factor", rope.highFreqFactor);
        rope.originalMaxPositions =
                static_cast<std::int64_t>(numberKey(r, "original_max_position_embeddings", 0));
    }
    return rope;
}

Result<std::optional<MoeConfig>> parseMoe(const json &t)
{
    auto experts = firstIntKey(t, {"num_experts", "n_routed_experts", "num_local_experts"});
    if (!experts) {
        return std::move(experts).error();
    }
    if (*experts <= 0) {
        return std::optional<MoeConfig>{};
    }
    MoeConfig moe;
    moe.numExperts = *experts;
    auto topk = firstIntKey(t, {"num_experts_per_tok", "experts_per_token"});
    auto inter = firstIntKey(t, {"moe_intermediate_size", "intermediate_size"});
    auto sharedInter = firstIntKey(t, {"shared_expert_intermediate_size"});
    auto nShared = intKey(t, "n_shared_experts", 0);
    auto firstDense = intKey(t, "first_k_dense_replace", 0);
    auto freq = firstIntKey(t, {"decoder_sparse_step", "moe_layer_freq"});
    for (const auto *r : {&topk, &inter, &sharedInter, &nShared, &firstDense, &freq}) {
        if (!*r) {
            return r->error();
        }
    }
    moe.expertsPerToken = *topk;
    moe.expertIntermediateSize = *inter;
    moe.firstDenseLayers = *firstDense;
    moe.layerFrequency = std::max<std::int64_t>(1, *freq);
    if (*nShared > 0) {  // DeepSeek: shared experts have the routed experts' width each
        moe.numSharedExperts = *nShared;
        moe.sharedIntermediateSize = moe.expertIntermediateSize;
    } else if (*sharedInter > 0) {  // Qwen: one shared expert of its own width
        moe.numSharedExperts = 1;
        moe.sharedIntermediateSize = *sharedInter;
    }
    moe.normTopkProb = boolKey(t, "norm_topk_prob", false);
    const auto dense = t.find("mlp_only_layers");
    if (dense != t.end() && dense->is_array()) {
        for (const json &v : *dense) {
            if (v.is_number_integer()) {
                moe.denseLayers.push_back(v.get<std::int64_t>());
            }
        }
    }
    return std::optional<MoeConfig>(moe);
}

Status parseAttention(const json &t, ModelConfig &cfg)
{
    auto heads = intKey(t, "num_attention_heads", 0);
    auto kvHeads = intKey(t, "num_key_value_heads", 0);
    auto headDim = intKey(t, "head_dim", 0);
    for (const auto *r : {&heads, &kvHeads, &headDim}) {
        if (!*r) {
            return r->error();
        }
    }
    cfg.numHeads = *heads;
    cfg.numKvHeads = *kvHeads > 0 ? *kvHeads : *heads;
    cfg.headDim = *headDim > 0 ? *headDim : (*heads > 0 ? cfg.hiddenSize / *heads : 0);
    cfg.attentionBias = boolKey(t, "attention_bias", false);
    cfg.attnOutputGate = boolKey(t, "attn_output_gate", false);
    if (t.contains("kv_lora_rank") && !t.at("kv_lora_rank").is_null()) {
        MlaConfig mla;
        PQ_TRY_STATUS(readInts(t, {{"q_lora_rank", &mla.qLoraRank},
                                   {"kv_lora_rank", &mla.kvLoraRank},
                                   {"qk_nope_head_dim", &mla.qkNopeHeadDim},
                                   {"qk_rope_head_dim", &mla.qkRopeHeadDim},
                                   {"v_head_dim", &mla.vHeadDim}}));
        cfg.mla = mla;
    }
    if (t.contains("linear_num_value_heads")) {
        LinearAttentionConfig la;
        PQ_TRY_STATUS(readInts(t, {{"linear_num_key_heads", &la.numKeyHeads},
                                   {"linear_num_value_heads", &la.numValueHeads},
                                   {"linear_key_head_dim", &la.keyHeadDim},
                                   {"linear_value_head_dim", &la.valueHeadDim},
                                   {"linear_conv_kernel_dim", &la.convKernel}}));
        cfg.linearAttention = la;
    }
    return {};
}

Status parseTextConfig(const json &t, ModelConfig &cfg)
{
    auto hidden = intKey(t, "hidden_size", 0);
    auto inter = intKey(t, "intermediate_size", 0);
    auto layers = intKey(t, "num_hidden_layers", 0);
    auto vocab = intKey(t, "vocab_size", 0);
    auto maxPos = intKey(t, "max_position_embeddings", 0);
    auto window = intKey(t, "sliding_window", 0);
    auto mtp = firstIntKey(t, {"num_nextn_predict_layers", "mtp_num_hidden_layers"});
    for (const auto *r : {&hidden, &inter, &layers, &vocab, &maxPos, &window, &mtp}) {
        if (!*r) {
            return r->error();
        }
    }
    cfg.hiddenSize = *hidden;
    cfg.intermediateSize = *inter;
    cfg.numLayers = *layers;
    cfg.vocabSize = *vocab;
    cfg.maxPositionEmbeddings = *maxPos;
    cfg.slidingWindow = *window;
    cfg.mtpLayers = *mtp;
    cfg.rmsNormEps = numberKey(t, "rms_norm_eps", numberKey(t, "layer_norm_eps", cfg.rmsNormEps));
    if (t.contains("tie_word_embeddings")) {
        cfg.tieWordEmbeddings = boolKey(t, "tie_word_embeddings", cfg.tieWordEmbeddings);
    }
    for (const char *k : {"torch_dtype", "dtype"}) {
        if (cfg.torchDtype.empty()) {
            cfg.torchDtype = stringKey(t, k);
        }
    }
    const std::string act = stringKey(t, "hidden_act").empty() ? stringKey(t, "hidden_activation")
                                                               : stringKey(t, "hidden_act");
    if (!act.empty()) {
        cfg.hiddenAct = act;
    }
    PQ_TRY_STATUS(parseAttention(t, cfg));
    auto moe = parseMoe(t);
    if (!moe) {
        return std::move(moe).error();
    }
    cfg.moe = *moe;
    cfg.rope = parseRope(t);
    const auto types = t.find("layer_types");
    if (types != t.end() && types->is_array()) {
        for (const json &v : *types) {
            cfg.layerTypes.push_back(v.is_string() ? v.get<std::string>() : std::string());
        }
    }
    return {};
}

}  // namespace

bool ModelConfig::isMoeLayer(std::int64_t layer) const
{
    if (!moe) {
        return false;
    }
    if (layer < moe->firstDenseLayers) {
        return false;
    }
    if (std::find(moe->denseLayers.begin(), moe->denseLayers.end(), layer) !=
        moe->denseLayers.end()) {
        return false;
    }
    return (layer + 1) % moe->layerFrequency == 0 || moe->layerFrequency == 1;
}

std::string ModelConfig::layerType(std::int64_t layer) const
{
    if (layer >= 0 && static_cast<std::size_t>(layer) < layerTypes.size()) {
        return layerTypes[static_cast<std::size_t>(layer)];
    }
    return "full_attention";
}

Result<ModelConfig> parseModelConfig(const std::string &jsonText)
{
    const json root = json::parse(jsonText, nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
        return makeError(ErrorCode::InvalidFormat, "config.json is not a valid JSON object");
    }
    ModelConfig cfg;
    const auto arch = root.find("architectures");
    if (arch != root.end() && arch->is_array()) {
        for (const json &a : *arch) {
            if (a.is_string()) {
                cfg.architectures.push_back(a.get<std::string>());
            }
        }
    }
    cfg.modelType = stringKey(root, "model_type");
    cfg.tieWordEmbeddings = boolKey(root, "tie_word_embeddings", false);
    cfg.torchDtype = stringKey(root, "torch_dtype");
    cfg.hasVision = root.contains("vision_config") && root.at("vision_config").is_object();
    cfg.hasAudio = root.contains("audio_config") && root.at("audio_config").is_object();
    const auto text = root.find("text_config");
    const bool nested = text != root.end() && text->is_object();
    cfg.multimodal = nested;
    const json &t = nested ? *text : root;
    if (nested && !root.contains("tie_word_embeddings") && !t.contains("tie_word_embeddings")) {
        cfg.tieWordEmbeddings = true;  // transformers' default for the wrapper configs (Gemma 3)
    }
    PQ_TRY_STATUS(parseTextConfig(t, cfg));
    cfg.textModelType = nested ? stringKey(t, "model_type") : cfg.modelType;
    if (cfg.modelType.empty()) {
        return makeError(ErrorCode::InvalidFormat, "config.json has no \"model_type\"");
    }
    if ((cfg.numLayers <= 0 || cfg.hiddenSize <= 0) && findProfile(cfg) == nullptr) {
        // T5, BERT, Whisper, ...: not a decoder-only language model of a family we know.
        return makeError(ErrorCode::Unsupported,
                         fmt::format("model_type '{}'{} is not an architecture PrismaQuant "
                                     "supports: its config.json has no num_hidden_layers and "
                                     "hidden_size of a decoder-only language model, and no "
                                     "profile serves it. PrismaQuant quantizes the families it "
                                     "has profiles for ({}); use a model of one of those",
                                     cfg.modelType,
                                     cfg.architectures.empty()
                                             ? std::string()
                                             : fmt::format(" ({})", cfg.architectures.front()),
                                     supportedModelTypes()));
    }
    if (cfg.numLayers <= 0 || cfg.hiddenSize <= 0) {
        return makeError(ErrorCode::InvalidFormat,
                         "config.json lacks a positive num_hidden_layers and hidden_size");
    }
    const auto q = root.find("quantization_config");
    if (q != root.end() && q->is_object()) {
        cfg.quantMethod = stringKey(*q, "quant_method");
        if (cfg.quantMethod.empty()) {
            cfg.quantMethod = "unknown";
        }
    }
    return cfg;
}

Result<ModelConfig> loadModelConfig(const std::string &modelDir)
{
    const std::string path = (std::filesystem::path(modelDir) / "config.json").string();
    auto text = readSmallFile(path, MAX_CONFIG_BYTES);
    if (!text) {
        return std::move(text).error();
    }
    auto cfg = parseModelConfig(*text);
    if (!cfg) {
        return std::move(cfg).error().withPath(path);
    }
    return cfg;
}

}  // namespace pq::core
