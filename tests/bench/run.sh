#!/usr/bin/env bash
# `make bench`: throughput of sse-wasm against its peers, one headless
# browser process per (browser, workload). No Playwright or WebDriver:
# network tracking slows the native EventSource several times over, so the
# page runs by itself and posts its results to the test server.
#
#   WORKLOADS  tiny,ids,cjk,large,multiline (default: all; see bench.js)
#   N          events per stream (default per workload: tiny 500000,
#              ids/cjk/multiline 100000, large 2000)
#   ROUNDS     interleaved rounds per client (default 5)
#   ONLY       comma-separated substrings of client names (default: all)
#   BROWSER    chromium | firefox | all (default chromium)
#
#   N=20000 ROUNDS=1 WORKLOADS=ids,cjk BROWSER=all tests/bench/run.sh
#
# Prints one table per (browser, workload) and writes every raw result to
# tests/bench/results.json.
set -euo pipefail
cd "$(dirname "$0")/../.."

WORKLOADS=${WORKLOADS:-tiny,ids,cjk,large,multiline}
ROUNDS=${ROUNDS:-5}
ONLY=${ONLY:-}
BROWSER=${BROWSER:-chromium}
# Per page: ROUNDS x clients streams of N events.
TIMEOUT_S=${TIMEOUT_S:-900}
RESULTS=tests/bench/results.json

events_for() {
  if [ -n "${N:-}" ]; then echo "$N"; return; fi
  case $1 in
    tiny) echo 500000 ;;
    large) echo 2000 ;;
    *) echo 100000 ;;
  esac
}

for w in ${WORKLOADS//,/ }; do
  case $w in tiny | ids | cjk | large | multiline) ;; *) echo "unknown workload '$w'" >&2; exit 2 ;; esac
done
case $BROWSER in
  chromium | firefox) browsers=$BROWSER ;;
  all) browsers="chromium firefox" ;;
  *) echo "BROWSER must be chromium, firefox or all" >&2; exit 2 ;;
esac

if [ ! -f tests/bench/node_modules/.install-stamp ] || [ tests/bench/package.json -nt tests/bench/node_modules/.install-stamp ]; then
  (cd tests/bench && npm install --no-audit --no-fund --no-save >/dev/null && touch node_modules/.install-stamp)
fi
[ -f pkg/sse_wasm_bg.wasm ] || { echo "run 'make build' first" >&2; exit 1; }
cargo build -q --release -p sse-test-server

work=$(mktemp -d)
report="$work/report.jsonl"
runs="$work/runs.jsonl"
: >"$report"
: >"$runs"
target/release/sse-test-server --port-file "$work/port" --static-root "$PWD" --report-file "$report" >/dev/null &
server=$!
browser_pid=""
cleanup() {
  [ -n "$browser_pid" ] && kill "$browser_pid" 2>/dev/null
  kill "$server" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

# Starts `$1` headless on URL `$2` with a fresh profile in `$3`; sets browser_pid.
launch() {
  local name=$1 url=$2 profile=$3
  mkdir -p "$profile"
  case $name in
    chromium)
      chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-extensions \
        --js-flags=--expose-gc --user-data-dir="$profile" "$url" >"$profile.log" 2>&1 &
      ;;
    firefox)
      # A fresh profile would otherwise spend the run on first-start chores.
      cat >"$profile/user.js" <<'PREFS'
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.aboutwelcome.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.auto", false);
user_pref("extensions.update.enabled", false);
PREFS
      firefox-esr --headless --no-remote --profile "$profile" "$url" >"$profile.log" 2>&1 &
      ;;
  esac
  browser_pid=$!
}

# Prints the table of one report line (`$2`, from browser `$1`) and appends
# it, with the browser's name, to $runs. Exits non-zero on an error report.
table() {
  node - "$1" "$2" "$runs" <<'JS'
const fs = require('fs');
const [browser, line, runs] = process.argv.slice(2);
const report = JSON.parse(line);
if (report.error) { console.error(`${browser} ${report.workload}: ${report.error}`); process.exit(1); }
const { workload, n, rounds, userAgent, results } = report;
fs.appendFileSync(runs, JSON.stringify({ browser, userAgent, workload, n, rounds, results }) + '\n');
const by = Object.fromEntries(results.map((r) => [r.name, r]));
const ratio = (r, other) => (other ? (r.eventsPerSecond / other.eventsPerSecond).toFixed(2) + 'x' : '-');
const rows = [...results].sort((a, b) => a.medianMs - b.medianMs).map((r) => [
  r.name,
  r.medianMs.toFixed(0),
  `${r.minMs.toFixed(0)}-${r.maxMs.toFixed(0)}`,
  `${(r.eventsPerSecond / 1e6).toFixed(3)} M`,
  ratio(r, by['fetch + eventsource-parser']),
  ratio(r, by['native EventSource']),
]);
const head = ['client', 'median ms', 'min-max ms', 'events/s', 'vs parser loop', 'vs native ES'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const fmt = (row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(`\n== ${browser} / ${workload}: ${n} events x ${rounds} rounds (${userAgent})`);
console.log(fmt(head));
rows.forEach((row) => console.log(fmt(row)));
console.log('(ratios: events/s relative to that client; above 1x is faster)');
JS
}

failed=0
for name in $browsers; do
  bin=$([ "$name" = firefox ] && echo firefox-esr || echo chromium)
  if ! command -v "$bin" >/dev/null; then
    echo "bench: skipping $name: '$bin' is not installed (Debian: apt-get install $bin)" >&2
    continue
  fi
  for workload in ${WORKLOADS//,/ }; do
    n=$(events_for "$workload")
    page="http://127.0.0.1:$port/static/tests/bench/index.html?workload=$workload&n=$n&rounds=$ROUNDS&only=$ONLY"
    echo "bench: $name, $workload: $n events x $ROUNDS rounds per client ($page)"
    seen=$(wc -l <"$report")
    launch "$name" "$page" "$work/$name-$workload"
    for _ in $(seq $((TIMEOUT_S * 2))); do
      [ "$(wc -l <"$report")" -gt "$seen" ] && break
      kill -0 "$browser_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill "$browser_pid" 2>/dev/null || true
    wait "$browser_pid" 2>/dev/null || true
    browser_pid=""
    if [ "$(wc -l <"$report")" -le "$seen" ]; then
      echo "bench: no result from $name for $workload (timeout ${TIMEOUT_S}s or the browser exited)" >&2
      tail -20 "$work/$name-$workload.log" >&2
      failed=1
      continue
    fi
    table "$name" "$(tail -n 1 "$report")" || failed=1
  done
done

[ -s "$runs" ] || { echo "bench: nothing ran" >&2; exit 1; }
node -e 'const fs = require("fs");
const lines = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
fs.writeFileSync(process.argv[2], JSON.stringify(lines.map((l) => JSON.parse(l)), null, 2) + "\n");' "$runs" "$RESULTS"
echo -e "\nbench: raw results in $RESULTS"
exit "$failed"
