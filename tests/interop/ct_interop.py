# SPDX-License-Identifier: MIT
"""Independent checks of PrismaQuant's compressed-tensors exports (test_export_interop.cpp).

  ct_interop.py make OUT_DIR
      transformers builds a tiny random Llama and Qwen3 (every in-feature a multiple of 128, so
      all formats fit), saves them in bfloat16 with save_pretrained: OUT_DIR/{llama,qwen3}/, and
      OUT_DIR/ids.json (fixed token ids).

  ct_interop.py check EXPORT_DIR READBACK.safetensors OUT.json [--logits IDS.json LOGITS.f32]
      1. The `compressed-tensors` library decompresses every quantized module of EXPORT_DIR (its
         stateless compressor for the group's format, QuantizationScheme from the group's JSON)
         and each weight is compared bit for bit with PrismaQuant's read-back (float32, one
         `<module>.weight` per module in READBACK): the library returns the scale's dtype
         (bfloat16 for INT/FP8 scales), so ours is rounded to that dtype first; with the scales
         upcast to float32 beforehand the library's float32 result must equal ours exactly.
      2. With --logits: transformers loads EXPORT_DIR through its compressed-tensors integration,
         decompresses it, runs it in float32 and writes the logits of the ids (float32
         [sequences, tokens, vocab]), and the dtype it held each weight in after decompression
         (bfloat16 for some schemes): the C++ side rounds our read-back the same way.
      OUT.json: versions, per format the modules compared and mismatches.
"""
import json
import os
import sys

import torch


def make(out_dir):
    import transformers

    torch.manual_seed(0)
    common = dict(vocab_size=96, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, head_dim=32,
                  max_position_embeddings=256, initializer_range=0.1,
                  tie_word_embeddings=False)
    for name, cls in (("llama", transformers.LlamaConfig), ("qwen3", transformers.Qwen3Config)):
        model = transformers.AutoModelForCausalLM.from_config(cls(**common))
        model.to(torch.bfloat16).save_pretrained(os.path.join(out_dir, name))
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 96, (2, 24), generator=g).tolist()
    with open(os.path.join(out_dir, "ids.json"), "w") as f:
        json.dump({"ids": ids, "transformers": transformers.__version__,
                   "torch": torch.__version__}, f)


def decompress_all(export_dir, readback_path):
    import compressed_tensors
    from compressed_tensors.compressors import BaseCompressor
    from compressed_tensors.quantization import QuantizationScheme
    from safetensors import safe_open
    from safetensors.torch import load_file

    with open(os.path.join(export_dir, "config.json")) as f:
        qc = json.load(f)["quantization_config"]
    ours = load_file(readback_path)
    tensors = {}
    index = os.path.join(export_dir, "model.safetensors.index.json")
    files = (sorted(set(json.load(open(index))["weight_map"].values())) if os.path.exists(index)
             else ["model.safetensors"])
    for fn in files:
        with safe_open(os.path.join(export_dir, fn), "pt") as f:
            for k in f.keys():
                tensors[k] = f.get_tensor(k)

    # Which group each module belongs to: the read-back's module list, matched by our targets'
    # regexes with Python's re.match (the library's own matcher needs a model).
    import re
    groups = []
    for name, g in qc["config_groups"].items():
        pats = [t[3:] for t in g["targets"] if t.startswith("re:")]
        groups.append((name, g, [re.compile(p) for p in pats]))

    report = {"compressed_tensors": compressed_tensors.__version__, "torch": torch.__version__,
              "formats": {}, "failures": []}
    for key, want in sorted(ours.items()):
        module = key[: -len(".weight")]
        hits = [(n, g) for n, g, pats in groups if any(p.match(module) for p in pats)]
        if len(hits) != 1:
            report["failures"].append(f"{module}: matched by {len(hits)} groups")
            continue
        gname, g = hits[0]
        scheme = QuantizationScheme.model_validate(g)
        comp = BaseCompressor.get_value_from_registry(g["format"])
        local = {k[len(module) + 1:]: v for k, v in tensors.items()
                 if k.startswith(module + ".")}
        stats = report["formats"].setdefault(g["format"] + "/" + gname,
                                             {"modules": 0, "native_dtype": None,
                                              "native_mismatch": 0, "f32_compared": 0,
                                              "f32_mismatch": 0})
        stats["modules"] += 1
        native = comp.decompress(dict(local), scheme)["weight"]
        stats["native_dtype"] = str(native.dtype)
        if not torch.equal(native, want.to(native.dtype)):
            stats["native_mismatch"] += 1
            d = (native.float() - want.to(native.dtype).float()).abs().max().item()
            report["failures"].append(f"{module}: native decompress differs (max {d:.3g})")
        up = {k: (v.float() if k == "weight_scale" and v.dtype in (torch.bfloat16, torch.float16)
                  else v) for k, v in local.items()}
        wide = comp.decompress(up, scheme)["weight"]
        stats["f32_compared"] += wide.dtype == torch.float32
        if wide.dtype == torch.float32 and not torch.equal(wide, want):
            stats["f32_mismatch"] += 1
            d = (wide - want).abs().max().item()
            report["failures"].append(f"{module}: float32 decompress differs (max {d:.3g})")
    return report


def logits(export_dir, ids_path, out_path):
    import transformers

    with open(ids_path) as f:
        ids = torch.tensor(json.load(f)["ids"])
    # transformers' default keeps the weights compressed and compressed-tensors decompresses
    # them, module by module with each module's own scheme, on the first forward pass; its
    # load-time `dequantize=True` path assumes one scheme for every dense module (no mixed
    # precision). So decompress explicitly now, then upcast: NVFP4 modules come back in bfloat16
    # even when float32 is asked for, and transformers refuses .float() on a quantized model.
    model = transformers.AutoModelForCausalLM.from_pretrained(export_dir, dtype=torch.float32)
    model.hf_quantizer.compressor.decompress_model(model)
    held = {name[: -len(".weight")]: str(p.dtype).replace("torch.", "")
            for name, p in model.named_parameters() if name.endswith(".weight")}
    for p in model.parameters():
        if p.dtype.is_floating_point:
            p.data = p.data.float()
    model.eval()
    with torch.no_grad():
        out = model(ids).logits.float().contiguous()
    out.numpy().tofile(out_path)
    return {"transformers": transformers.__version__,
            "linear_class": type(model.model.layers[0].mlp.down_proj).__name__,
            "weight_dtypes": held}


def main():
    if sys.argv[1] == "make":
        make(sys.argv[2])
        return
    export_dir, readback, out = sys.argv[2:5]
    report = decompress_all(export_dir, readback)
    if len(sys.argv) > 5 and sys.argv[5] == "--logits":
        report["logits"] = logits(export_dir, sys.argv[6], sys.argv[7])
    with open(out, "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
