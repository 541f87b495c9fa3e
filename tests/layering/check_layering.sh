#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The layering rules of DESIGN.md §2: the engine and CLI never include Qt; only the probe target
# includes torch; CUDA headers only in kernels/cuda; widgets never reach into kernels or torch.
# Usage: check_layering.sh REPO_ROOT        Exit 0 when clean, 1 with one line per violation.
set -u
root=${1:?usage: check_layering.sh REPO_ROOT}
cd "$root" || exit 2
status=0
report() { echo "layering: $1"; status=1; }

src() { find "$@" -type f \( -name '*.h' -o -name '*.hpp' -o -name '*.cpp' -o -name '*.cu' -o -name '*.cuh' \) 2>/dev/null; }

qt='#include *[<"](Q[A-Za-z]+|Qt[A-Za-z]+/)'
torch='#include *[<"](torch/|ATen/|c10/|caffe2/)'
cuda='#include *[<"](cuda_runtime|cuda\.h|cuda_fp|cublas|cuda_bf16|cuda/)'

while IFS= read -r f; do
    grep -qE "$qt" "$f" && report "$f includes Qt (core, kernels and app/cli must build without Qt)"
done < <(src core kernels app/cli)

# libtorch: only the probe target's .cpp files and its private *_torch.h headers, which nothing
# outside core/probe may include (its public headers show core types only).
while IFS= read -r f; do
    case "$f" in core/probe/*.cpp | core/probe/*_torch.h) continue ;; esac
    grep -qE "$torch" "$f" && report "$f includes libtorch (only core/probe/*.cpp and core/probe/*_torch.h may)"
done < <(src core kernels widgets app)
while IFS= read -r f; do
    case "$f" in core/probe/*) continue ;; esac
    grep -qE '#include *"core/probe/[a-z_]*_torch\.h"' "$f" && report "$f includes a private torch header of core/probe"
done < <(src core kernels widgets app tests bench)

while IFS= read -r f; do
    case "$f" in kernels/cuda/*) continue ;; esac
    grep -qE "$cuda" "$f" && report "$f includes CUDA headers (only kernels/cuda may)"
done < <(src core kernels widgets app)

while IFS= read -r f; do
    grep -qE '#include *"kernels/' "$f" && report "$f includes kernels/ internals (widgets use core only)"
done < <(src widgets)

# core never includes the layers above it.
while IFS= read -r f; do
    grep -qE '#include *"(kernels|widgets|app)/' "$f" && report "$f (core) includes a layer above core"
done < <(src core)

[ "$status" -eq 0 ] && echo "layering: clean"
exit "$status"
