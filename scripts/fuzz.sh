#!/usr/bin/env bash
# Fuzzes the native core (event bytes in, plan or typed error out) for a
# bounded time: bash scripts/fuzz.sh [SECONDS] (default 300);
# FUZZ_TARGET=pyjson_dumps fuzzes the JSON writer alone. Not part of
# scripts/test.sh or CI. One job only (the machine is shared).
#
# cargo fuzz needs nightly flags; this machine has only stable Rust, so the
# script sets RUSTC_BOOTSTRAP=1. It uses AddressSanitizer when the toolchain
# ships its runtime and falls back to --sanitizer none otherwise
# (FUZZ_SANITIZER=none|address forces one).
#
# The corpus grows in fuzz/corpus/build_deliveries (not committed), seeded
# from fuzz/seeds/build_deliveries (committed); crashes land in
# fuzz/artifacts/build_deliveries. Record each run in fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN="${1:-300}"
TARGET="${FUZZ_TARGET:-build_deliveries}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
sanitizer="${FUZZ_SANITIZER:-}"
if [ -z "$sanitizer" ]; then
  if ls "$(rustc --print sysroot)"/lib/rustlib/*/lib/librustc-*_rt.asan.a >/dev/null 2>&1; then
    sanitizer=address
  else
    sanitizer=none
  fi
fi

mkdir -p "fuzz/corpus/$TARGET"
SEEDS="fuzz/seeds/$TARGET"
[ -d "$SEEDS" ] || SEEDS=fuzz/seeds/build_deliveries # events are JSON too
echo "== cargo fuzz run $TARGET for ${SECONDS_TO_RUN}s (sanitizer: $sanitizer, one job)"
# Optimized, with debug assertions and overflow checks on, so the core's own
# debug_assert!s and any arithmetic overflow count as crashes too. One job:
# libFuzzer runs in this process (no -fork, no -jobs children).
cargo fuzz run --release --debug-assertions --jobs 1 --sanitizer "$sanitizer" "$TARGET" \
  "fuzz/corpus/$TARGET" "$SEEDS" -- \
  -max_total_time="$SECONDS_TO_RUN" \
  -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
  -dict=fuzz/event.dict -print_final_stats=1
