#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Plants each kind of violation in a scratch tree and expects check_layering.sh to report it.
set -u
checker=${1:?usage: selftest.sh CHECKER}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail=0
expect() {  # expect <file> <line> : the checker must fail on a tree holding just that file
    rm -rf "${scratch:?}"/*
    mkdir -p "$scratch/$(dirname "$1")"
    echo "$2" > "$scratch/$1"
    if bash "$checker" "$scratch" >/dev/null; then
        echo "selftest: $1 with '$2' was not reported"; fail=1
    fi
}
expect core/io/x.cpp '#include <QString>'
expect app/cli/main.cpp '#include <QtCore/QObject>'
expect core/io/x.cpp '#include <torch/torch.h>'
expect widgets/x.cpp '#include <ATen/ATen.h>'
expect core/quant/x.h '#include <cuda_runtime.h>'
expect widgets/x.cpp '#include "kernels/cpu/fast.h"'
expect core/probe/public.h '#include <torch/torch.h>'
expect app/cli/x.cpp '#include "core/probe/llama_math_torch.h"'
rm -rf "${scratch:?}"/*
mkdir -p "$scratch/core/probe" && echo '#include <torch/torch.h>' > "$scratch/core/probe/p.cpp"
bash "$checker" "$scratch" >/dev/null || { echo "selftest: torch in core/probe/*.cpp was refused"; fail=1; }
[ "$fail" -eq 0 ] && echo "selftest: ok"
exit "$fail"
