#!/usr/bin/env bash
# The main job on the embedded default: install, compile the reference data from the mirror
# (CODERIGHT_DATA_MIRROR, default ../shared/data when present), then start the coding service on
# SQLite with the demo encounters and print where to reach it (and a token per role).
#   bash scripts/run.sh            serve until Ctrl-C (CODERIGHT_PORT, default 8000)
#   bash scripts/run.sh --check    start, answer /health and the demo worklist once, exit
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${CODERIGHT_DATA_MIRROR:-}" ] && [ -d ../shared/data ]; then
  export CODERIGHT_DATA_MIRROR="$(cd ../shared/data && pwd)"
fi
export CODERIGHT_CACHE_DIR="${CODERIGHT_CACHE_DIR:-$PWD/.coderight-cache/data}"
export CODERIGHT_DATABASE_URL="${CODERIGHT_DATABASE_URL:-sqlite:///$PWD/.coderight-cache/coderight.db}"
.venv/bin/coderight data sync
.venv/bin/coderight data status
exec .venv/bin/coderight serve --demo --host 127.0.0.1 --port "${CODERIGHT_PORT:-8000}" "$@"
