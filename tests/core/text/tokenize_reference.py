#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reference tokenizations with Hugging Face `tokenizers`, for test_tokenizer_interop.

  tokenize_reference.py lines TEXT_FILE COUNT NAME=TOKENIZER_JSON [NAME=TOKENIZER_JSON ...]
      the first COUNT non-empty lines of TEXT_FILE (split on "\\n" only, kept exactly);
      a tokenizer path ending in .gz is decompressed first.
  tokenize_reference.py variants OUT_DIR COUNT GEMMA3_JSON_GZ QWEN3_JSON
      writes tokenizer.json variants built from the real Gemma 3 / Qwen 3 files (Llama-2 style
      normalizers, Metaspace, GPT-2 ByteLevel, added-token flags...) to OUT_DIR/<name>.json,
      and tokenizes COUNT seeded random strings made to hit edge cases.

Prints one JSON object on stdout:
  {"tokenizers": VERSION, "lines": [...], "files": {NAME: PATH},   # "files": variants only
   "results": {NAME: {"ids": [[...]...],          # encode(text, add_special_tokens=False)
                      "ids_special": [[...]...],  # add_special_tokens=True, first 50 texts
                      "decoded": [...]}}}         # decode(ids, skip_special_tokens=False)
"""

import copy
import gzip
import json
import os
import random
import sys

import tokenizers

SPECIAL_TEXTS = 50

# Pieces the random strings are made of: whitespace runs and line breaks, contractions, digits,
# scripts, emoji sequences, combining marks and compatibility characters (normalizers), letters
# and digits of Unicode 15/16, special-token look-alikes, and code points at the edges.
PIECES = [
    " ", "  ", "\t", "\n", "\r\n", "\r", "\u0085", "\u00a0", "\u180e", "\u3000", "\u2028",
    "'s", "'S", "'ll", "'LL", "'ve", "'\u017f", "'d", "'M", "'re",
    "0", "12", "123", "1234", "3.14", "\u0663\u0664", "\u00bd", "\u216b",
    "hello", "World", "na\u00efve", "e\u0301", "\u00c5", "A\u030a", "\ufb01", "\ud55c\uad6d\uc5b4",
    "\u65e5\u672c\u8a9e", "\U0001f600", "\U0001f999", "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac", "\u0440\u0443\u0441\u0441\u043a\u0438\u0439",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\u0939\u093f\u0928\u094d\u0926\u0940",
    "\U00031350", "\U000105c0", "\U00010d40", "\u1c89", "\ua7f2", "\U0001d518\U0001d52b",
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "<|begin_of_text|>", "<bos>",
    "<eos>", "<start_of_turn>", "<unused5>", "\u2581", "\u2581\u2581", "<0x41>", "<unk>", "<pad>",
    "<mask>", "[SW]", "<rs>", "!", "?!", "...", "\u2014", "\u00ab", "\"", "```", "$", "\u20ac",
    "_", "-", "==", "\x00", "\x7f", "\ufeff", "\u200b", "\u200d", "\ue000", "\U0010ffff",
    "\ufffd", "\u1100\u1161\u11a8", "a\u0316\u0301", "\u0344", "\u0958", "\ufb2c", "\u337b",
    "\u2460", "\uff21", "\u212b", "\U00011938", "\U00011935\U00011930", "\u1e9b\u0323",
    "a\U0001e94a\u0316",
]


def random_texts(count, seed=20240607):
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(0, 12)):
            if rng.random() < 0.8:
                parts.append(rng.choice(PIECES))
            else:
                lo, hi = rng.choice([(0x20, 0x2FFF), (0x3000, 0xD7FF), (0xE000, 0x10FFFF)])
                parts.append(chr(rng.randint(lo, hi)))
        texts.append("".join(parts))
    return texts


def sequence(kind, key, items):
    return {"type": "Sequence", key: items}


def variants(gemma, qwen):
    """tokenizer.json dicts that exercise the components the real files do not use."""
    out = {}
    v = copy.deepcopy(gemma)  # Llama 2 / Mistral (legacy): Prepend + Replace, Strip decoder
    v["normalizer"] = sequence("normalizer", "normalizers", [
        {"type": "Prepend", "prepend": "\u2581"},
        {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}])
    v["pre_tokenizer"] = None
    v["decoder"] = sequence("decoder", "decoders", [
        {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
        {"type": "ByteFallback"}, {"type": "Fuse"},
        {"type": "Strip", "content": " ", "start": 1, "stop": 0}])
    out["llama2_style"] = v
    for scheme, split in (("first", False), ("always", True), ("never", True)):
        v = copy.deepcopy(gemma)  # Metaspace pre-tokenizer and decoder
        meta = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": scheme,
                "split": split}
        v["normalizer"] = None
        v["pre_tokenizer"] = meta
        v["decoder"] = sequence("decoder", "decoders", [{"type": "ByteFallback"}, meta])
        out[f"metaspace_{scheme}"] = v
    v = copy.deepcopy(qwen)  # GPT-2 style ByteLevel (regex, prefix space), NFKC, Roberta
    v["normalizer"] = {"type": "NFKC"}
    v["pre_tokenizer"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                          "use_regex": True}
    v["post_processor"] = {"type": "RobertaProcessing", "sep": ["<|im_end|>", 151645],
                           "cls": ["<|im_start|>", 151644], "trim_offsets": True,
                           "add_prefix_space": True}
    out["gpt2_style"] = v
    out["added_flags"] = added_flags_variant(qwen)
    return out


def added_flags_variant(qwen):
    """Added tokens with every flag; normalizers and Split behaviours in sequence."""
    v = copy.deepcopy(qwen)

    def token(i, content, single_word=False, lstrip=False, rstrip=False, normalized=False,
              special=False):
        return {"id": 151669 + i, "content": content, "single_word": single_word,
                "lstrip": lstrip, "rstrip": rstrip, "normalized": normalized, "special": special}

    v["added_tokens"] += [
        token(0, "<mask>", lstrip=True, special=True), token(1, "[SW]", single_word=True),
        token(2, "<rs>", rstrip=True), token(3, "\u00c5", normalized=True),
        token(4, "hello", single_word=True, lstrip=True, rstrip=True, normalized=True),
        token(5, "<|im")]
    v["normalizer"] = sequence("normalizer", "normalizers", [
        {"type": "NFD"}, {"type": "Strip", "strip_left": True, "strip_right": True},
        {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "}])

    def split(pattern, behavior, invert=False):
        return {"type": "Split", "pattern": pattern, "behavior": behavior, "invert": invert}

    v["pre_tokenizer"] = sequence("pre_tokenizer", "pretokenizers", [
        split({"Regex": "\\p{N}"}, "MergedWithPrevious"),
        split({"String": " "}, "MergedWithNext"),
        split({"Regex": "[aeiou]+"}, "Contiguous", invert=True),
        split({"String": "x"}, "Removed"),
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False,
         "use_regex": False}])
    return v


def load_text(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read().decode("utf-8")


def reference(tok, texts):
    ids = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
    special = tok.encode_batch(texts[:SPECIAL_TEXTS], add_special_tokens=True)
    return {"ids": ids, "ids_special": [e.ids for e in special],
            "decoded": tok.decode_batch(ids, skip_special_tokens=False)}


def main():
    if len(sys.argv) < 5 or sys.argv[1] not in ("lines", "variants"):
        sys.exit(__doc__)
    out = {"tokenizers": tokenizers.__version__, "results": {}}
    if sys.argv[1] == "lines":
        with open(sys.argv[2], encoding="utf-8", newline="") as f:
            texts = [line for line in f.read().split("\n") if line][:int(sys.argv[3])]
        for spec in sys.argv[4:]:
            name, path = spec.split("=", 1)
            tok = tokenizers.Tokenizer.from_str(load_text(path))
            out["results"][name] = reference(tok, texts)
    else:
        out_dir, count = sys.argv[2], int(sys.argv[3])
        texts = random_texts(count)
        gemma, qwen = json.loads(load_text(sys.argv[4])), json.loads(load_text(sys.argv[5]))
        out["files"] = {}
        for name, spec in variants(gemma, qwen).items():
            path = os.path.join(out_dir, name + ".json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(spec, f, ensure_ascii=False)
            out["files"][name] = path
            out["results"][name] = reference(tokenizers.Tokenizer.from_file(path), texts)
    out["lines"] = texts
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
