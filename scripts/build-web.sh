#!/usr/bin/env bash
# Builds the browser's module into www/pkg/ (the payload preview, and any page
# that imports it): size over speed. The `web` profile (opt-level z), without
# the `schemas` and `receiver` features (the schemas ship as docs/schemas/*.json;
# receivers run on servers, with the Node package), with `size` (a dependency's
# smaller form of the same results, see Cargo.toml), then
# binaryen's wasm-opt from npm (wasm-pack would download binaryen, which this
# network cannot reach). BENCHMARKS.md gives the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

out=www/pkg
cargo build --quiet --lib --target wasm32-unknown-unknown --profile web --no-default-features --features size
wasm-bindgen --target web --out-dir "$out" target/wasm32-unknown-unknown/web/ls_webhooks.wasm
# The features the Rust target emits (wasm-bindgen reads them from the module).
# --low-memory-unused lets wasm-opt fold `ptr + constant` into a load's or
# store's offset, which differ only if the sum wraps past 4 GiB into the first
# KiB: Rust never forms an address that way (the bottom of the shadow stack
# sits there, reached only one KiB short of a stack overflow). The producers
# and target_features sections are for tools; wasm-bindgen has read them.
node_modules/.bin/wasm-opt -Oz --low-memory-unused --strip-producers --strip-target-features \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/ls_webhooks_bg.wasm" -o "$out/ls_webhooks_bg.wasm"
printf 'www/pkg/ls_webhooks_bg.wasm: %s bytes, %s gzipped (-9)\n' \
  "$(wc -c < "$out/ls_webhooks_bg.wasm")" "$(gzip -9c "$out/ls_webhooks_bg.wasm" | wc -c)"
# The body types the module's d.ts imports (js/types.d.ts re-exports them from ./bodies.js).
cp js/bodies.d.ts "$out/bodies.d.ts"
