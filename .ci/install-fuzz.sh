#!/usr/bin/env bash
# Installs what `make fuzz` needs and this machine lacks: a nightly toolchain
# (cargo-fuzz builds with -Zsanitizer and libFuzzer's coverage flags, which
# stable refuses), cargo-fuzz, and a C++ compiler for libFuzzer itself.
# Idempotent and quiet when everything is present; an installed nightly is
# used as it is, never updated.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[fuzz-deps]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# 1. Nightly, minimal profile (rustc, cargo, rust-std: about 15 seconds).
# (`rustup toolchain list` rather than `rustup run nightly`, which may
# auto-install the default profile.)
if ! rustup toolchain list | grep -q '^nightly-'; then
  say "installing the nightly toolchain (minimal profile)"
  rustup toolchain install nightly --profile minimal
fi

# 2. cargo-fuzz, built with stable (1 to 2 minutes on 2 cores).
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz from crates.io (1 to 2 minutes)"
  cargo install cargo-fuzz --version 0.13.2 --locked
fi

# 3. libfuzzer-sys compiles libFuzzer's C++ sources.
if ! command -v c++ >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "installing g++ with apt-get"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q g++
fi
