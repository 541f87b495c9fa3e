// SPDX-License-Identifier: MIT
#pragma once

// config.json of tiny models whose every in-feature divides 128 (so every format fits), for
// tests that synthesize checkpoints or inventories from them.

#include <nlohmann/json.hpp>

namespace pq::test {

/** A dense Llama: hidden 128, intermediate 256, 4 heads / 2 KV heads of 32, vocab 96. */
inline nlohmann::json tinyLlamaConfig()
{
    return {{"model_type", "llama"},
            {"architectures", {"LlamaForCausalLM"}},
            {"hidden_size", 128},
            {"intermediate_size", 256},
            {"num_hidden_layers", 2},
            {"num_attention_heads", 4},
            {"num_key_value_heads", 2},
            {"head_dim", 32},
            {"vocab_size", 96},
            {"rms_norm_eps", 1e-6},
            {"tie_word_embeddings", false},
            {"torch_dtype", "bfloat16"}};
}

/** A Llama of the given shape (random weights through `prismaquant synth`), untied head. */
inline nlohmann::json
llamaConfig(int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab)
{
    nlohmann::json c = tinyLlamaConfig();
    c["hidden_size"] = hidden;
    c["intermediate_size"] = intermediate;
    c["num_hidden_layers"] = layers;
    c["num_attention_heads"] = heads;
    c["num_key_value_heads"] = kvHeads;
    c["head_dim"] = hidden / heads;
    c["vocab_size"] = vocab;
    return c;
}

/** A Qwen3-MoE with 4 experts (top-2) of width 128, layer 1 dense. */
inline nlohmann::json tinyMoeConfig(int layers)
{
    return {{"model_type", "qwen3_moe"},
            {"hidden_size", 128},
            {"intermediate_size", 256},
            {"moe_intermediate_size", 128},
            {"num_experts", 4},
            {"num_experts_per_tok", 2},
            {"num_hidden_layers", layers},
            {"num_attention_heads", 4},
            {"num_key_value_heads", 2},
            {"head_dim", 32},
            {"vocab_size", 96},
            {"rms_norm_eps", 1e-6},
            {"norm_topk_prob", true},
            {"tie_word_embeddings", false},
            {"torch_dtype", "bfloat16"},
            {"mlp_only_layers", nlohmann::json::array({1})}};
}

}  // namespace pq::test
