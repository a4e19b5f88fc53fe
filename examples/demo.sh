#!/usr/bin/env bash
# Usage: examples/demo.sh [sse-demo-server options]
# What `make demo` runs after `make build`: builds the React example (when
# Vite is installed), builds and starts the demo server on
# 127.0.0.1:${PORT:-8080}, which prints the URLs of the example pages, and
# runs until Ctrl-C. Another port: `PORT=8081 make demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if [ ! -f pkg/sse_wasm.js ]; then
  echo "examples/demo.sh: pkg/ is missing; run \`make build\` first (or just \`make demo\`)" >&2
  exit 1
fi

if [ -f node_modules/vite/bin/vite.js ]; then
  echo "== building the React example (examples/react-report -> build/react-report)"
  node node_modules/vite/bin/vite.js build examples/react-report ||
    echo "examples/demo.sh: the React example did not build; the other pages still work" >&2
else
  echo "== skipping the React example: Vite is not installed (run \`npm install\`)"
fi

echo "== building the demo server (examples/server)"
cargo build -q -p sse-demo-server
# exec: Ctrl-C goes straight to the server, which shuts down gracefully.
exec "${CARGO_TARGET_DIR:-target}"/debug/sse-demo-server --root "$PWD" "$@"
