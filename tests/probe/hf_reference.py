# SPDX-License-Identifier: MIT
"""Tiny random models of each supported family, built and run by Hugging Face `transformers`.

For every case below: transformers builds the model from a small config (float32, seeded
weights), saves it with save_pretrained (config.json + model.safetensors, the layout real
checkpoints have), runs it on a fixed batch of token ids and writes the logits. The C++ test
(test_hf_parity.cpp) runs our forward on the saved directory and compares.

Usage: hf_reference.py OUT_DIR  ->  OUT_DIR/<case>/{config.json, model.safetensors, ids.json,
logits.f32 (float32 [sequences, tokens, vocab], little-endian)} and OUT_DIR/cases.json.
"""
import json
import os
import sys

import torch
import transformers

VOCAB = 96
SEQUENCES = 2
TOKENS = 40

COMMON = dict(
    vocab_size=VOCAB,
    hidden_size=64,
    intermediate_size=96,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    head_dim=16,
    max_position_embeddings=256,
    # larger than the default 0.02, so that every layer moves the logits measurably
    initializer_range=0.2,
)

MOE = dict(num_experts_per_tok=2)

# case name -> (model_type, config overrides)
CASES = {
    "llama": ("llama", dict(rms_norm_eps=1e-5, tie_word_embeddings=False)),
    "llama_tied_rope_llama3": (
        "llama",
        dict(
            tie_word_embeddings=True,
            rope_theta=500000.0,
            rope_scaling=dict(
                rope_type="llama3",
                factor=8.0,
                low_freq_factor=1.0,
                high_freq_factor=4.0,
                original_max_position_embeddings=32,
            ),
        ),
    ),
    "llama_rope_linear": (
        "llama",
        dict(rope_scaling=dict(rope_type="linear", factor=4.0)),
    ),
    "mistral": ("mistral", dict(sliding_window=None)),
    "qwen2": ("qwen2", dict(tie_word_embeddings=True)),
    "qwen3": ("qwen3", dict(tie_word_embeddings=False)),
    "qwen3_moe": (
        "qwen3_moe",
        dict(
            num_experts=4,
            moe_intermediate_size=32,
            norm_topk_prob=True,
            decoder_sparse_step=1,
            mlp_only_layers=[1],
            **MOE,
        ),
    ),
    "qwen3_moe_unnormalised": (
        "qwen3_moe",
        dict(num_experts=6, moe_intermediate_size=32, norm_topk_prob=False, **MOE),
    ),
    "mixtral": ("mixtral", dict(num_local_experts=4, **MOE)),
}


def make_case(out_dir, name, model_type, overrides):
    cfg = transformers.AutoConfig.for_model(model_type, **{**COMMON, **overrides})
    torch.manual_seed(1234)
    model = transformers.AutoModelForCausalLM.from_config(cfg, dtype=torch.float32)
    with torch.no_grad():
        # default init leaves norms at 1 and biases at 0: perturb them so they are exercised
        for pname, p in model.named_parameters():
            if pname.endswith("norm.weight") or pname.endswith(".bias"):
                p.add_(0.1 * torch.randn_like(p))
    model.eval()
    path = os.path.join(out_dir, name)
    model.save_pretrained(path)
    gen = torch.Generator().manual_seed(99)
    ids = torch.randint(0, VOCAB, (SEQUENCES, TOKENS), generator=gen)
    with torch.no_grad():
        logits = model(input_ids=ids).logits.to(torch.float32).contiguous()
    with open(os.path.join(path, "ids.json"), "w") as f:
        json.dump(ids.tolist(), f)
    logits.numpy().astype("<f4").tofile(os.path.join(path, "logits.f32"))
    return {"name": name, "model_type": model_type, "vocab": VOCAB,
            "sequences": SEQUENCES, "tokens": TOKENS}


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    cases = [make_case(out_dir, n, t, o) for n, (t, o) in CASES.items()]
    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump({"transformers": transformers.__version__, "torch": torch.__version__,
                   "cases": cases}, f, indent=1)


if __name__ == "__main__":
    main()
