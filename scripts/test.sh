#!/usr/bin/env bash
# Runs every test: the native core, the same behaviour through wasm in Node,
# and the Node-side tests of the package. Expects scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test (native core)"
cargo test --quiet

echo "== wasm-pack test --node (through the wasm boundary)"
wasm-pack --log-level warn test --node

if compgen -G "tests/node/*.test.*js" >/dev/null; then
  echo "== node --test (package, CLI, conformance replay)"
  node --test tests/node/
fi
