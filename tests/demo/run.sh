#!/usr/bin/env bash
# Usage: .ci/with-xvfb.sh tests/demo/run.sh
# The examples end to end: builds the React example and the demo server,
# starts the server on a free 127.0.0.1 port with --fast (short simulated
# jobs), runs the browser tests in tests/demo/ against it once per engine
# (Debian's Chromium driven by Playwright, and WebKitGTK's MiniBrowser
# driven over WebDriver, which needs the X display .ci/with-xvfb.sh
# provides; SSE_BROWSERS=chromium or =webkit runs one), and stops the
# server whatever happens. Needs `make build` (pkg/) and `npm install`
# (playwright-core, vite, react) first.
# Screenshots: build/screenshots/ (WebKit's with a -webkit suffix).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

[ -f pkg/sse_wasm.js ] || { echo "tests/demo: pkg/ is missing; run \`make build\` first" >&2; exit 1; }
for dep in playwright-core vite react react-dom; do
  [ -d "node_modules/$dep" ] || { echo "tests/demo: node_modules/$dep is missing; run \`npm install\`" >&2; exit 1; }
done

echo "== tests/demo: building the React example and the demo server"
node node_modules/vite/bin/vite.js build examples/react-report
cargo build -q -p sse-demo-server

port_file=$(mktemp)
rm -f "$port_file"
log_file=$(mktemp)
"${CARGO_TARGET_DIR:-target}"/debug/sse-demo-server --port 0 --port-file "$port_file" --fast --root "$PWD" >"$log_file" 2>&1 &
server_pid=$!
cleanup() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  rm -f "$port_file" "$log_file"
}
trap cleanup EXIT

. .ci/wait-for-file.sh
wait_for_file "$port_file" "$server_pid" "tests/demo: the demo server" || { cat "$log_file" >&2; exit 1; }
export DEMO_URL="http://127.0.0.1:$(cat "$port_file")"
echo "== tests/demo: demo server at $DEMO_URL (--fast)"

node --test --test-concurrency=1 tests/demo/*.test.mjs
