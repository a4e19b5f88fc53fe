#!/usr/bin/env bash
# `make bench`: throughput of sse-wasm against its peers in one headless
# Chromium run. No Playwright or DevTools: network tracking slows the
# native EventSource several times over, so the page runs by itself and
# posts its results to the test server.
#   N=1000000 ROUNDS=3 ONLY=sse-wasm,parser tests/bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${N:-1000000}
ROUNDS=${ROUNDS:-3}
ONLY=${ONLY:-}

if [ ! -f tests/bench/node_modules/.install-stamp ] || [ tests/bench/package.json -nt tests/bench/node_modules/.install-stamp ]; then
  (cd tests/bench && npm install --no-audit --no-fund --no-save >/dev/null && touch node_modules/.install-stamp)
fi
[ -f pkg/sse_wasm_bg.wasm ] || { echo "run 'make build' first" >&2; exit 1; }
cargo build -q --release -p sse-test-server

work=$(mktemp -d)
report="$work/report.jsonl"
target/release/sse-test-server --port-file "$work/port" --static-root "$PWD" --report-file "$report" >/dev/null &
server=$!
browser=""
cleanup() {
  [ -n "$browser" ] && kill "$browser" 2>/dev/null
  kill "$server" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

page="http://127.0.0.1:$port/static/tests/bench/index.html?n=$N&rounds=$ROUNDS&only=$ONLY"
echo "bench: $N events x $ROUNDS rounds per client in headless Chromium ($page)"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --disable-extensions \
  --user-data-dir="$work/profile" "$page" >"$work/chromium.log" 2>&1 &
browser=$!

for _ in $(seq 1200); do [ -s "$report" ] && break; sleep 0.5; done
[ -s "$report" ] || { echo "no result after 10 minutes" >&2; tail -20 "$work/chromium.log" >&2; exit 1; }

node - "$report" <<'JS'
const fs = require('fs');
const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').pop());
if (report.error) { console.error(report.error); process.exit(1); }
const by = Object.fromEntries(report.results.map((r) => [r.name, r]));
const base = by['fetch + eventsource-parser'];
const native = by['native EventSource'];
const pad = (s, n) => String(s).padEnd(n);
console.log(`\n${report.userAgent}\n`);
console.log(`${pad('client', 32)} ${pad('median ms', 10)} ${pad('events/s', 12)} ${pad('vs parser loop', 15)} vs native`);
for (const r of [...report.results].sort((a, b) => a.medianMs - b.medianMs)) {
  const ratio = (other) => (other ? (r.eventsPerSecond / other.eventsPerSecond).toFixed(2) + 'x' : '-');
  console.log(`${pad(r.name, 32)} ${pad(r.medianMs.toFixed(0), 10)} ${pad((r.eventsPerSecond / 1e6).toFixed(2) + ' M', 12)} ${pad(ratio(base), 15)} ${ratio(native)}`);
}
console.log(`\nruns (ms): ${report.results.map((r) => `${r.name}: ${r.runsMs.map((x) => x.toFixed(0)).join('/')}`).join('; ')}`);
JS
