#!/usr/bin/env bash
# Installs whatever the build and the test suites need and this machine
# lacks: the wasm32 target, the wasm-bindgen CLI pinned to the crate's
# wasm-bindgen version, Debian's browsers and drivers (Chromium, Firefox,
# WebKitGTK's WebKitWebDriver with its MiniBrowser, and Xvfb for the latter),
# geckodriver, the npm packages, and Debian's redis-server for the cluster
# example (optional: without it the cluster tests are skipped). Idempotent and
# quiet when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[deps]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# 1. The wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen CLI: must match the `=x.y.z` pin in Cargo.toml exactly.
# (The dependency line is `wasm-bindgen = "=x.y.z"` or a table with
# `version = "=x.y.z"`.)
wbg_version=$(sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*/\1/p' Cargo.toml)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg_version" ]; then
  say "installing wasm-bindgen-cli $wbg_version (about 4 minutes)"
  cargo install wasm-bindgen-cli --version "$wbg_version" --force
fi

# 3. Debian packages: browsers, chromedriver, WebKitWebDriver (it pulls in
#    libwebkit2gtk-4.1-0, whose MiniBrowser it drives) and Xvfb.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v firefox-esr >/dev/null || missing+=(firefox-esr)
command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
command -v Xvfb >/dev/null || missing+=(xvfb)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_updated=""
# apt_install PACKAGE...: apt-get install, after one apt-get update per run.
apt_install() {
  if [ -z "$apt_updated" ]; then
    $sudo apt-get update -q
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@"
}
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} with apt-get"
  apt_install "${missing[@]}"
fi

# 3b. Redis, for the cluster example (examples/cluster.sh) and its tests
#     (issue: examples at scale). Apart from the others and optional: a
#     machine that cannot install it still builds and runs every other suite,
#     and the cluster tests say they are skipped (cluster.sh exits 3).
if ! command -v redis-server >/dev/null; then
  say "installing redis-server with apt-get (for the cluster example)"
  if ! apt_install redis-server; then
    say "warning: could not install redis-server; the cluster tests will be skipped" >&2
  fi
fi

# 4. geckodriver (Debian does not package it).
if ! command -v geckodriver >/dev/null; then
  say "installing geckodriver from crates.io"
  cargo install geckodriver --version 0.37.1
fi

# 5. npm packages (the project's, and the build tools': wasm-opt from the
#    npm registry's binaryen, since Debian's is too old for externref tables),
#    whenever a manifest changed since the last install.
npm_install() {
  local dir=$1 stamp=$1/node_modules/.install-stamp
  [ -f "$dir/package.json" ] || return 0
  if [ ! -f "$stamp" ] || [ "$dir/package.json" -nt "$stamp" ] || { [ -f "$dir/package-lock.json" ] && [ "$dir/package-lock.json" -nt "$stamp" ]; }; then
    say "installing npm packages in $dir"
    if [ -f "$dir/package-lock.json" ]; then
      (cd "$dir" && npm ci --no-audit --no-fund)
    else
      (cd "$dir" && npm install --no-audit --no-fund)
    fi
    touch "$stamp"
  fi
}
npm_install .
npm_install .ci/tools
