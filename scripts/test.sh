#!/usr/bin/env bash
# The whole test suite: install with test extras, lint, then pytest against the mirror.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
if [ -z "${CODERIGHT_DATA_MIRROR:-}" ] && [ -d ../shared/data ]; then
  export CODERIGHT_DATA_MIRROR="$(cd ../shared/data && pwd)"
fi
export CODERIGHT_CACHE_DIR="${CODERIGHT_CACHE_DIR:-$PWD/.coderight-cache/test}"
.venv/bin/ruff check src tests bench
.venv/bin/python -m pytest "$@"
