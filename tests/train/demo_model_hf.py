#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The committed demo model through Hugging Face transformers, for test_demo_model_hf.

  demo_model_hf.py MODEL_DIR CALIB_TXT_GZ SEQ_LEN HELD_OUT PROMPT NEW_TOKENS

Loads MODEL_DIR with LlamaForCausalLM (float32) and AutoTokenizer, builds the token stream the
way prismaquant's calibration does (each blank-line-separated document + "\\n\\n", encoded
without special tokens), and measures the perplexity of the last HELD_OUT windows of
SEQ_LEN - 1 tokens with BOS in front. Prints one JSON object on stdout: versions, stream
length, perplexity, predicted tokens, the prompt's ids (with special tokens) and NEW_TOKENS
greedily generated ids.
"""

import gzip
import json
import math
import sys

import torch
import transformers
from transformers import AutoTokenizer, LlamaForCausalLM


def held_out_perplexity(model, stream, bos, seq_len, held_out):
    length = seq_len - 1
    windows = len(stream) // length
    nll, count = 0.0, 0
    with torch.no_grad():
        for w in range(windows - held_out, windows):
            ids = [bos] + stream[w * length:(w + 1) * length]
            logits = model(torch.tensor([ids])).logits[0, :-1].double()
            logp = torch.log_softmax(logits, -1)
            target = torch.tensor(ids[1:])
            nll -= logp[torch.arange(len(target)), target].sum().item()
            count += len(target)
    return math.exp(nll / count), count


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    model_dir, calib, seq_len, held_out, prompt, new_tokens = sys.argv[1:]
    transformers.logging.set_verbosity_error()
    model = LlamaForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
    tok = AutoTokenizer.from_pretrained(model_dir)
    with gzip.open(calib, "rt", encoding="utf-8", newline="") as f:
        docs = [d for d in f.read().split("\n\n") if d.strip()]
    stream = []
    for doc in docs:
        stream += tok(doc + "\n\n", add_special_tokens=False).input_ids
    ppl, tokens = held_out_perplexity(model, stream, tok.bos_token_id, int(seq_len),
                                      int(held_out))
    prompt_ids = tok(prompt).input_ids
    with torch.no_grad():
        out = model.generate(torch.tensor([prompt_ids]), max_new_tokens=int(new_tokens),
                             do_sample=False)
    print(json.dumps({"torch": torch.__version__, "transformers": transformers.__version__,
                      "stream_tokens": len(stream), "perplexity": ppl, "tokens": tokens,
                      "prompt_ids": prompt_ids, "greedy_ids": out[0, len(prompt_ids):].tolist()}))


if __name__ == "__main__":
    main()
