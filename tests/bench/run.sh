#!/usr/bin/env bash
# `make bench`: sse-wasm against its peers in a headless browser:
# throughput, latency and memory, one browser process per page. No
# Playwright or WebDriver: network tracking slows the native EventSource
# several times over, so the page runs by itself and posts its results to
# the test server (tests/bench/bench.js describes the workloads).
#
#   WORKLOADS     tiny,ids,cjk,large,multiline (throughput), latency, memory
#                 (default: all seven)
#   N             the size of every workload (default per workload:
#                 tiny 500000 events, ids/cjk/multiline 100000, large 2000;
#                 latency 1000 pings per client; memory N connect cycles,
#                 default 1000, and 10 x N subscribe cycles)
#   ROUNDS        interleaved rounds per client, throughput only (default 5)
#   ONLY          comma-separated substrings of client names (default: all;
#                 latency's bare POST round trip always runs)
#   BROWSER       chromium | firefox | all (default chromium)
#   TIMEOUT_S     seconds one page may take (default 900; smoke 60)
#   BENCH_REPORT  0: leave BENCHMARKS.md and benchmarks.svg alone
#   BENCH_SMOKE   1: a check for `make test`: every workload at tiny sizes
#                 (throughput 2000 events, 20 pings, 20 connect and 200
#                 subscribe cycles; ROUNDS 1) in Chromium; fails if a client
#                 errors or disagrees on the data, asserts no timing, and
#                 writes neither results.json nor the report
#
#   N=20000 ROUNDS=1 WORKLOADS=ids,cjk BROWSER=all tests/bench/run.sh
#   BENCH_SMOKE=1 tests/bench/run.sh
#
# Prints one table per (browser, workload), writes every result of every
# browser to tests/bench/results.json, then BENCHMARKS.md and
# benchmarks.svg at the repository root (tests/bench/report.mjs).
set -euo pipefail
cd "$(dirname "$0")/../.."

# `$1` as one shell word: as is when that is safe, else single-quoted.
shell_word() {
  if [[ $1 =~ ^[A-Za-z0-9_.,:/+=-]*$ ]]; then echo "$1"; else printf "'%s'\n" "${1//\'/\'\\\'\'}"; fi
}

# The command as typed (the knobs that were set), for the report.
command=tests/bench/run.sh
for knob in BENCH_SMOKE TIMEOUT_S BROWSER ONLY ROUNDS N WORKLOADS; do
  if [ -n "${!knob+set}" ]; then command="$knob=$(shell_word "${!knob}") $command"; fi
done

if [ "${BENCH_SMOKE:-0}" = 1 ]; then smoke=true; else smoke=false; fi
WORKLOADS=${WORKLOADS:-tiny,ids,cjk,large,multiline,latency,memory}
ROUNDS=${ROUNDS:-$($smoke && echo 1 || echo 5)}
ONLY=${ONLY:-}
BROWSER=${BROWSER:-chromium}
# A throughput page streams ROUNDS x clients x N events.
TIMEOUT_S=${TIMEOUT_S:-$($smoke && echo 60 || echo 900)}
RESULTS=tests/bench/results.json

size_for() {
  if [ -n "${N:-}" ]; then echo "$N"; return; fi
  if $smoke; then
    case $1 in latency | memory) echo 20 ;; *) echo 2000 ;; esac
    return
  fi
  case $1 in
    tiny) echo 500000 ;;
    large) echo 2000 ;;
    latency | memory) echo 1000 ;;
    *) echo 100000 ;;
  esac
}

for w in ${WORKLOADS//,/ }; do
  case $w in tiny | ids | cjk | large | multiline | latency | memory) ;; *) echo "unknown workload '$w'" >&2; exit 2 ;; esac
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
runs="$work/runs.json"
: >"$report"
"${CARGO_TARGET_DIR:-target}"/release/sse-test-server --port-file "$work/port" --static-root "$PWD" --report-file "$report" >/dev/null &
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
      # --expose-gc and --enable-precise-memory-info: the memory workload's
      # forced GCs and exact performance.memory figures.
      chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-extensions \
        --js-flags=--expose-gc --enable-precise-memory-info \
        --user-data-dir="$profile" "$url" </dev/null >"$profile.log" 2>&1 &
      ;;
    firefox)
      # A fresh profile would otherwise spend the run on first-start chores.
      # privacy.reduceTimerPrecision: otherwise performance.now() is
      # coarsened to 1 ms, as coarse as the latencies measured.
      cat >"$profile/user.js" <<'PREFS'
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.aboutwelcome.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.auto", false);
user_pref("extensions.update.enabled", false);
user_pref("privacy.reduceTimerPrecision", false);
PREFS
      firefox-esr --headless --no-remote --profile "$profile" "$url" </dev/null >"$profile.log" 2>&1 &
      ;;
  esac
  browser_pid=$!
}

# Whether client name `$1` is wanted by ONLY (comma-separated substrings,
# which may hold spaces: `ONLY='sse-wasm (fetch),native'`).
wanted() {
  [ -z "$ONLY" ] && return 0
  local o substrings
  IFS=, read -ra substrings <<<"$ONLY"
  for o in "${substrings[@]}"; do [[ -n $o && $1 == *"$o"* ]] && return 0; done
  return 1
}

# The memory clients wanted by ONLY, comma-separated keys of memory.js.
memory_clients() {
  local client keys=()
  for client in "fetch:sse-wasm (fetch)" "eventsource:sse-wasm (eventsource)" "native:native EventSource"; do
    if wanted "${client#*:}"; then keys+=("${client%%:*}"); fi
  done
  local IFS=,
  echo "${keys[*]}"
}

# The query of every page of workload `$1`, one a line. Memory measures one
# scenario and client per page, so each gets a fresh browser; the smoke run
# measures nothing, so it puts them all in one page.
pages() {
  local workload=$1 n clients
  n=$(size_for "$workload")
  case $workload in
    memory)
      clients=$(memory_clients)
      [ -n "$clients" ] || return 0
      if $smoke; then echo "workload=memory&n=$n&scenario=connect,subscribe&client=$clients"; return; fi
      local scenario client
      for scenario in connect subscribe; do
        for client in ${clients//,/ }; do echo "workload=memory&n=$n&scenario=$scenario&client=$client"; done
      done
      ;;
    latency) echo "workload=latency&n=$n&only=$ONLY" ;;
    *) echo "workload=$workload&n=$n&rounds=$ROUNDS&only=$ONLY" ;;
  esac
}

# Opens page query `$3` in a fresh browser `$1` (version `$2`), waits for
# its report and merges it into $runs. Non-zero when the page failed or
# timed out.
pages_run=0
run_page() {
  local name=$1 version=$2 query=$3 seen profile
  local url="http://127.0.0.1:$port/static/tests/bench/index.html?$query"
  profile="$work/$name-$((++pages_run))"
  echo "bench: $name: $query"
  seen=$(wc -l <"$report")
  launch "$name" "$url" "$profile"
  for _ in $(seq $((TIMEOUT_S * 10))); do
    [ "$(wc -l <"$report")" -gt "$seen" ] && break
    kill -0 "$browser_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$browser_pid" 2>/dev/null || true
  wait "$browser_pid" 2>/dev/null || true
  browser_pid=""
  if [ "$(wc -l <"$report")" -le "$seen" ]; then
    echo "bench: no result from $name for $url (timeout ${TIMEOUT_S}s or the browser exited)" >&2
    tail -20 "$profile.log" >&2
    return 1
  fi
  tail -n 1 "$report" | node tests/bench/collect.mjs add "$runs" "$name" "$version"
}

failed=0
for name in $browsers; do
  bin=$([ "$name" = firefox ] && echo firefox-esr || echo chromium)
  if ! command -v "$bin" >/dev/null; then
    echo "bench: skipping $name: '$bin' is not installed (Debian: apt-get install $bin)" >&2
    continue
  fi
  # Debian's chromium wrapper script complains on stderr; the version is on stdout.
  version=$("$bin" --version 2>/dev/null | head -n 1)
  for workload in ${WORKLOADS//,/ }; do
    mapfile -t queries < <(pages "$workload")
    for query in ${queries[@]+"${queries[@]}"}; do
      run_page "$name" "$version" "$query" || failed=1
    done
    node tests/bench/collect.mjs print "$runs" "$name" "$workload"
  done
done

[ -s "$runs" ] || { echo "bench: nothing ran" >&2; exit 1; }
if $smoke; then
  [ "$failed" = 0 ] && echo -e "\nbench smoke: every page ran and every client saw the same data"
  exit "$failed"
fi
node tests/bench/collect.mjs save "$runs" "$RESULTS" "$command"
echo -e "\nbench: raw results in $RESULTS"
if [ "${BENCH_REPORT:-1}" != 0 ]; then
  node tests/bench/report.mjs "$RESULTS" . || failed=1
fi
exit "$failed"
