#!/usr/bin/env bash
# One command: set up the venv (idempotent), capture every scenario against a real
# Label Studio 1.23.2, rewrite tests/fixtures/label-studio-1.23.2/*.json, then check them.
#   tools/capture/run.sh                         venv in tools/capture/.venv
#   LS_VENV=/opt/ls-venv tools/capture/run.sh    reuse an existing venv
#   tools/capture/run.sh --only headers,batching --keep    extra args go to capture.py
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$("$HERE/setup.sh" | tail -n 1)"
python3 "$HERE/capture.py" --venv "$VENV" "$@"
python3 "$HERE/check_fixtures.py"
