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

# ---- browser tests (payload preview, issue 5): begin ----
# The wasm tests again, in headless Chromium through Debian's chromedriver, so
# browser and Node cannot drift. WASM_BINDGEN_USE_BROWSER runs tests/wasm.rs
# (which has no run_in_browser) in the browser; webdriver.json passes the flags.
echo "== wasm-pack test --headless --chrome (the wasm tests in Chromium)"
chrome_log=$(mktemp)
WASM_BINDGEN_USE_BROWSER=1 \
WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/browser/webdriver.json" \
  wasm-pack --log-level warn test --headless --chrome \
    --chromedriver "${CHROMEDRIVER:-/usr/bin/chromedriver}" 2>&1 | tee "$chrome_log"
if ! grep -q "Running headless tests in Chrome" "$chrome_log" || ! grep -Eq "^test result: ok\. [1-9]" "$chrome_log"; then
  rm -f "$chrome_log"
  echo "error: the wasm tests did not run in Chromium" >&2
  exit 1
fi
rm -f "$chrome_log"

echo "== node --test tests/browser/ (the payload preview in headless Chromium)"
node --test tests/browser/
# ---- browser tests (payload preview, issue 5): end ----

# ---- Node 18 and 22 for the version tests: begin ----
# Issue 16: tests/node/ again on Node 18 and 22 (installed by scripts/setup.sh), less the
# files the script names as left out (the database tests need a native addon built for
# Node 20); each file runs on both versions at once.
echo "== node --test on Node 18 and 22 (scripts/test-node-versions.sh)"
bash scripts/test-node-versions.sh
# ---- Node 18 and 22 for the version tests: end ----
