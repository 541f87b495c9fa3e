#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus for fuzz_safetensors_header (fuzz/corpus/safetensors_header/).

Valid seeds follow compressed-tensors.md section 1 (the reference writer's layout: header padded
with spaces to a multiple of 8, __metadata__ {"format": "pt"}, tensors sorted by descending
alignment then name, data back to back). Invalid seeds each break one rule, so the fuzzer starts
next to every rejection path. Deterministic: rerunning rewrites identical files.

    python3 fuzz/make_corpus.py [OUTPUT_DIR]
"""
import json
import struct
import sys
from pathlib import Path

BITS = {
    "BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "U8": 8, "I8": 8, "F8_E5M2": 8,
    "F8_E4M3": 8, "F8_E8M0": 8, "F8_E4M3FNUZ": 8, "F8_E5M2FNUZ": 8, "I16": 16, "U16": 16,
    "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "C64": 64, "F64": 64, "I64": 64,
    "U64": 64,
}


def nbytes(dtype, shape):
    n = 1
    for d in shape:
        n *= d
    return n * BITS[dtype] // 8


def file_from_json(header_json, data_len, pad=True):
    raw = header_json.encode("utf-8")
    if pad:
        raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + bytes(i % 251 for i in range(data_len))


def reference_file(tensors, metadata=None):
    """tensors: [(name, dtype, shape)] laid out like the reference writer."""
    order = sorted(tensors, key=lambda t: (-max(1, BITS[t[1]] // 8), t[0]))
    header = {"__metadata__": metadata if metadata is not None else {"format": "pt"}}
    offset = 0
    for name, dtype, shape in order:
        size = nbytes(dtype, shape)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    return file_from_json(json.dumps(header, separators=(",", ":")), offset)


def one(dtype, shape, offsets, data_len, extra=""):
    entry = '{"dtype":"%s","shape":%s,"data_offsets":%s%s}' % (
        dtype, json.dumps(shape), json.dumps(offsets), extra)
    return file_from_json('{"w":%s}' % entry, data_len)


def seeds():
    layer = "model.layers.0.mlp.down_proj."
    yield "valid_empty", reference_file([])
    yield "valid_single_f32", reference_file([("w", "F32", [2, 3])])
    yield "valid_scalar_zero_size", reference_file(
        [("s", "F32", []), ("z", "BF16", [0, 8]), ("b", "U8", [3])])
    yield "valid_nvfp4_layer", reference_file([
        (layer + "weight_packed", "U8", [4, 8]), (layer + "weight_scale", "F8_E4M3", [4, 1]),
        (layer + "weight_global_scale", "F32", [1]), (layer + "input_global_scale", "F32", [1])])
    yield "valid_all_dtypes", reference_file(
        [("t_" + dt, dt, [2, 4]) for dt in BITS], {"format": "pt", "producer": "seed"})
    yield "valid_unpadded_leading_ws", file_from_json(
        ' \n{"a":{"dtype":"I64","shape":[1,1,1,2],"data_offsets":[0,16]}}', 16, pad=False)
    yield "invalid_length_over_cap", struct.pack("<Q", 1 << 60) + b"{}      "
    yield "invalid_length_beyond_eof", struct.pack("<Q", 64) + b"{}      "
    yield "invalid_short", b"\x02\x00\x00"
    yield "invalid_json", file_from_json('{"w":{"dtype":"F32","shape":[1],', 4)
    yield "invalid_unknown_dtype", one("F128", [1], [0, 16], 16)
    yield "invalid_negative_shape", one("F32", [-1], [0, 4], 4)
    yield "invalid_unknown_field", one("F32", [1], [0, 4], 4, ',"strides":[1]')
    yield "invalid_span_mismatch", one("F32", [3], [0, 8], 8)
    yield "invalid_trailing", one("F32", [1], [0, 4], 9)
    yield "invalid_overlap", file_from_json(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
        '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', 12)
    yield "invalid_duplicate", file_from_json(
        '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
        '"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', 2)
    yield "invalid_truncated", reference_file([("w", "BF16", [4, 4])])[:-5]


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parent / "corpus" / "safetensors_header")
    out.mkdir(parents=True, exist_ok=True)
    for name, data in seeds():
        (out / (name + ".safetensors")).write_bytes(data)
    print(f"wrote {len(list(seeds()))} seeds to {out}")


if __name__ == "__main__":
    main()
