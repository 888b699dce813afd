#!/usr/bin/env bash
# Installs whatever the build and the tests need and is missing; does nothing when all is present.
# Usage: scripts/deps.sh [run|build|bench|test]
#   run: the Rust tools a debug build needs; build: also wasm-opt (release builds);
#   bench: also Chromium and Lighthouse; test: also nextest, Chromium, PostgreSQL, SMTP, Schemathesis.
set -euo pipefail
cd "$(dirname "$0")/.."

want=${1:-test}
CARGO_LEPTOS_VERSION=0.3.10

say() { printf '\033[1mdeps:\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes a while, once)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

# cargo-leptos calls wasm-bindgen, which must match the wasm-bindgen crate in Cargo.lock exactly.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $bindgen_version\$"; then
  say "installing wasm-bindgen-cli $bindgen_version"
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

# wasm-opt (release builds) and the browser-test driver come from npm, pinned by end2end/package-lock.json.
if [ "$want" = run ]; then
  exit 0
fi

if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/playwright-core ] \
  || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing npm packages in end2end/"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "$want" = bench ]; then
  apt_install chromium
  if [ ! -d bench/lighthouse/node_modules/lighthouse ] \
    || [ bench/lighthouse/package-lock.json -nt bench/lighthouse/node_modules/.package-lock.json ]; then
    say "installing Lighthouse in bench/lighthouse/"
    (cd bench/lighthouse && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

if [ "$want" = test ]; then
  if ! command -v cargo-nextest >/dev/null; then
    say "installing cargo-nextest"
    cargo install cargo-nextest --locked
  fi
  apt_install chromium postgresql
  if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    say "installing the aiosmtpd SMTP server"
    python3 -m pip install --quiet aiosmtpd
  fi
  if ! python3 -c 'import schemathesis, sys; sys.exit(not schemathesis.__version__.startswith("4."))' 2>/dev/null; then
    say "installing Schemathesis (API fuzzing)"
    python3 -m pip install --quiet 'schemathesis>=4.32,<5'
  fi
fi
