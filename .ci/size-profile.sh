#!/usr/bin/env bash
# The largest items of the release wasm, by twiggy (SIZE.md): the same build
# as `make build` (cargo release, wasm-bindgen, wasm-opt -Oz) but keeping the
# function names, which the shipped file drops. Installs twiggy from
# crates.io if it is missing (about 3 minutes). TOP (default 20) items.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if ! command -v twiggy >/dev/null; then
  echo "[size-profile] installing twiggy from crates.io (about 3 minutes)"
  cargo install twiggy --version 0.8.0
fi

target=${CARGO_TARGET_DIR:-target}/size-profile
out=build/size-profile
# $WASM_FEATURES and $RUSTFLAGS: the Makefile's, as `make build` uses them.
CARGO_TARGET_DIR=$target CARGO_PROFILE_RELEASE_STRIP=false \
  cargo build --quiet --release --lib --target wasm32-unknown-unknown $WASM_FEATURES
rm -rf "$out"
mkdir -p "$out"
# Without its `target_features` section, as `strip = true` leaves the shipped
# build: the section lists the standard library's reference types, which
# make wasm-bindgen look for the externref intrinsics that RUSTFLAGS
# (`-reference-types`) left out. No optimisation before wasm-bindgen.
$WASM_OPT $WASM_OPT_FEATURES -g --strip-target-features \
  "$target/wasm32-unknown-unknown/release/sse_wasm.wasm" -o "$out/input.wasm"
wasm-bindgen --target bundler --out-dir "$out" --out-name sse_wasm "$out/input.wasm"
# $WASM_OPT and $WASM_OPT_FEATURES: the Makefile's wasm-opt and its flags;
# -g keeps the names.
$WASM_OPT -Oz $WASM_OPT_FEATURES -g "$out/sse_wasm_bg.wasm" -o "$out/named.wasm"
twiggy top -n "${TOP:-20}" "$out/named.wasm"
echo "(the \"function names\" subsection is not in the shipped file; $out/named.wasm is the profiled module)"
