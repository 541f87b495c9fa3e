// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/util/result.h"

namespace pq::core {

/** Rotary position embedding settings (`rope_scaling` / `rope_parameters`). */
struct RopeConfig
{
    std::string type = "default";  ///< default, linear, llama3, yarn, dynamic, ...
    double theta = 10000.0;
    double factor = 1.0;
    double partialRotaryFactor = 1.0;
    double lowFreqFactor = 1.0;   ///< llama3
    double highFreqFactor = 4.0;  ///< llama3
    std::int64_t originalMaxPositions = 0;
};

/** Mixture-of-experts settings, normalised over the families' different key names. */
struct MoeConfig
{
    std::int64_t numExperts = 0;
    std::int64_t expertsPerToken = 0;
    std::int64_t expertIntermediateSize = 0;
    std::int64_t numSharedExperts = 0;  ///< DeepSeek n_shared_experts; 1 for Qwen's shared expert
    std::int64_t sharedIntermediateSize = 0;  ///< per shared expert
    std::int64_t firstDenseLayers = 0;        ///< DeepSeek first_k_dense_replace
    std::int64_t layerFrequency = 1;  ///< MoE every N layers (decoder_sparse_step, moe_layer_freq)
    std::vector<std::int64_t> denseLayers;  ///< Qwen mlp_only_layers
    bool normTopkProb = false;
};

/** Multi-head latent attention (DeepSeek V2/V3). */
struct MlaConfig
{
    std::int64_t qLoraRank = 0;  ///< 0 = q_proj without low-rank split
    std::int64_t kvLoraRank = 0;
    std::int64_t qkNopeHeadDim = 0;
    std::int64_t qkRopeHeadDim = 0;
    std::int64_t vHeadDim = 0;
};

/** Gated DeltaNet linear attention (Qwen3-Next / Qwen3.5). */
struct LinearAttentionConfig
{
    std::int64_t numKeyHeads = 0;
    std::int64_t numValueHeads = 0;
    std::int64_t keyHeadDim = 0;
    std::int64_t valueHeadDim = 0;
    std::int64_t convKernel = 4;
};

/**
 * The parts of a Hugging Face config.json the engine needs. For multimodal models the language
 * model's `text_config` is merged in (its keys win), and `multimodal` is set.
 */
struct ModelConfig
{
    std::vector<std::string> architectures;
    std::string modelType;      ///< top-level model_type ("qwen3_5_moe")
    std::string textModelType;  ///< text_config.model_type when nested, else modelType
    bool multimodal = false;    ///< has text_config
    bool hasVision = false;     ///< vision_config present
    bool hasAudio = false;      ///< audio_config present

    std::int64_t hiddenSize = 0;
    std::int64_t intermediateSize = 0;
    std::int64_t numLayers = 0;
    std::int64_t numHeads = 0;
    std::int64_t numKvHeads = 0;
    std::int64_t headDim = 0;  ///< explicit head_dim, else hidden/heads
    std::int64_t vocabSize = 0;
    std::int64_t maxPositionEmbeddings = 0;
    std::int64_t slidingWindow = 0;
    double rmsNormEps = 1e-6;
    bool tieWordEmbeddings = false;
    bool attentionBias = false;
    bool attnOutputGate = false;  ///< Qwen3.5: q_proj produces queries and an output gate
    std::string torchDtype;       ///< "bfloat16", "float32", ... (empty when absent)
    std::string hiddenAct = "silu";

    RopeConfig rope;
    std::optional<MoeConfig> moe;
    std::optional<MlaConfig> mla;
    std::optional<LinearAttentionConfig> linearAttention;
    std::vector<std::string>
            layerTypes;  ///< per layer: full_attention / linear_attention / sliding_attention
    std::int64_t mtpLayers = 0;  ///< multi-token-prediction blocks

    std::string quantMethod;  ///< quantization_config.quant_method of an already-quantized model

    /** True when layer `layer` has a mixture-of-experts MLP. */
    bool isMoeLayer(std::int64_t layer) const;
    /** Layer type of `layer` ("full_attention" when the config gives none). */
    std::string layerType(std::int64_t layer) const;
};

/** Parses config.json text. Errors name the missing or malformed key; the caller adds the path. */
Result<ModelConfig> parseModelConfig(const std::string &jsonText);

/** Reads `<dir>/config.json` (at most 16 MB) and parses it. */
Result<ModelConfig> loadModelConfig(const std::string &modelDir);

}  // namespace pq::core
