#!/usr/bin/env bash
# The main job on the embedded default: install, compile the reference data from the mirror
# (CODERIGHT_DATA_MIRROR, default ../shared/data when present), then show what is loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${CODERIGHT_DATA_MIRROR:-}" ] && [ -d ../shared/data ]; then
  export CODERIGHT_DATA_MIRROR="$(cd ../shared/data && pwd)"
fi
export CODERIGHT_CACHE_DIR="${CODERIGHT_CACHE_DIR:-$PWD/.coderight-cache/data}"
.venv/bin/coderight data sync
.venv/bin/coderight data status
.venv/bin/coderight code show S72.001A
