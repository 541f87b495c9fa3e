#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configures without Qt, torch and CUDA and builds the CLI: what a headless server builds.
set -euo pipefail
src=${1:?usage: configure_minimal.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: configure_minimal.sh SOURCE_DIR BUILD_DIR}
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DPQ_BUILD_GUI=OFF -DPQ_WITH_TORCH=OFF -DPQ_WITH_CUDA=OFF -DBUILD_TESTING=OFF >/dev/null
grep -q 'PQ_BUILD_GUI:BOOL=OFF' "$build/CMakeCache.txt"
cmake --build "$build" --target prismaquant -j 2 >/dev/null
"$build/app/cli/prismaquant" inspect "$src/examples/tiny-random-llama" | grep -q "every tensor classified"
if ldd "$build/app/cli/prismaquant" | grep -qiE 'libQt|libtorch'; then
    echo "the CLI links Qt or torch"; exit 1
fi
echo "minimal configure + CLI build: ok"
