#!/usr/bin/env bash
# Creates (idempotently) the virtualenv holding label-studio==1.23.2 for the capture harness.
# Prints the venv path on its last line.
#   LS_VENV=/opt/ls-venv tools/capture/setup.sh   reuse an existing venv (checked, not modified)
#   default venv: tools/capture/.venv
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${LS_VENV:-$HERE/.venv}"
WANT="1.23.2"
have_ls() {
  [ -x "$VENV/bin/python" ] && [ -x "$VENV/bin/label-studio" ] &&
    [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("label-studio"))' 2>/dev/null)" = "$WANT" ]
}
if have_ls; then
  echo "label-studio $WANT already present in $VENV" >&2
else
  if [ -n "${LS_VENV:-}" ] && [ -x "$VENV/bin/python" ]; then
    echo "$VENV has no label-studio $WANT; installing into it" >&2
  else
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet "label-studio==$WANT"
  have_ls || { echo "label-studio $WANT install failed" >&2; exit 1; }
fi
echo "$VENV"
