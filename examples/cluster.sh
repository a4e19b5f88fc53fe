#!/usr/bin/env bash
# Usage: examples/cluster.sh [--fast] [-- CMD ARGS...]
# The demo at scale, on one machine: a Redis, two demo-server instances
# (a and b) sharing it through REDIS_URL, and sse-demo-balancer in front,
# sending connections to a and b in turn, as HAProxy in TCP mode would.
# Everything listens on 127.0.0.1 only; logs and state live in a temporary
# directory removed on exit.
#
# Without CMD (what `make demo-cluster` runs after `make build`): the
# balancer listens on 127.0.0.1:${PORT:-8080}; prints the URLs and runs
# until Ctrl-C. With `-- CMD ARGS...` (for the tests): the balancer takes a
# free port, CMD runs with REDIS_URL, CLUSTER_URL (the balancer),
# CLUSTER_A_URL, CLUSTER_B_URL, CLUSTER_A_PID, CLUSTER_B_PID (to kill an
# instance mid-stream) and CLUSTER_DIR (a.log, b.log, redis.log, lb.log)
# exported, and the script exits with CMD's status once all is stopped.
# --fast is passed to both instances (simulated jobs 10 times faster).
# Exit status 3: redis-server is not installed (a test runner skips).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

me=examples/cluster.sh
fast=()
cmd=()
while [ $# -gt 0 ]; do
  case $1 in
    --fast) fast=(--fast); shift ;;
    --)
      shift
      cmd=("$@")
      [ ${#cmd[@]} -gt 0 ] || { echo "$me: -- needs a command" >&2; exit 2; }
      break
      ;;
    -h | --help) sed -n '2,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "$me: unknown argument $1 (usage: $me [--fast] [-- CMD ARGS...])" >&2; exit 2 ;;
  esac
done

if [ ! -f pkg/sse_wasm.js ]; then
  echo "$me: pkg/ is missing; run \`make build\` first (or just \`make demo-cluster\`)" >&2
  exit 1
fi
if ! command -v redis-server >/dev/null; then
  echo "$me: redis-server is not installed (make deps installs it from Debian)" >&2
  exit 3
fi

echo "== building the demo server and the balancer (examples/server)"
cargo build -q -p sse-demo-server
bin=${CARGO_TARGET_DIR:-target}/debug

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sse-cluster.XXXXXX")
declare -A pid=()
# stop NAME...: SIGTERM, a graceful stop for each of them; an instance waits
# up to 3 s for its streams, so after 5 s whatever is left gets SIGKILL.
stop() {
  local name alive
  for name in "$@"; do
    if [ -n "${pid[$name]:-}" ]; then kill "${pid[$name]}" 2>/dev/null; fi
  done
  for _ in $(seq 1 50); do
    alive=0
    for name in "$@"; do
      if [ -n "${pid[$name]:-}" ] && kill -0 "${pid[$name]}" 2>/dev/null; then alive=1; fi
    done
    [ $alive -eq 1 ] || return 0
    sleep 0.1
  done
  for name in "$@"; do
    if [ -n "${pid[$name]:-}" ]; then kill -KILL "${pid[$name]}" 2>/dev/null; fi
  done
}
cleanup() {
  local status=$?
  # Stop everything, whatever fails on the way.
  set +e
  trap - EXIT INT TERM
  # Redis last, so the instances do not log errors about it on their way out.
  stop lb a b
  stop redis
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
# Through `exit`, so that the EXIT trap runs once, with a status that says why.
trap 'exit 130' INT
trap 'exit 143' TERM

# fail NAME WHAT: reports that WHAT did not start, with its log, and exits.
fail() {
  echo "$me: $2 did not start; its log ($1.log):" >&2
  sed 's/^/  | /' "$tmp/$1.log" >&2 || true
  exit 1
}

# spawn NAME CMD...: runs CMD in the background, its output in $tmp/NAME.log,
# its PID in pid[NAME]. Disowned, because killing an instance is part of the
# demo and of the tests, and bash would then print "line N: PID Killed ..."
# as if something had gone wrong; bash still reaps it, and `stop` polls.
spawn() {
  local name=$1
  shift
  "$@" >"$tmp/$name.log" 2>&1 &
  pid[$name]=$!
  disown "${pid[$name]}"
}

# port_taken PORT: whether something accepts connections on 127.0.0.1:PORT.
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# redis_ready PORT: whether the Redis on PORT answers. Debian's redis-server
# depends on redis-tools (redis-cli), but a Redis built by hand may lack it:
# then accepting a connection has to do.
redis_ready() {
  if command -v redis-cli >/dev/null; then
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
  else
    port_taken "$1"
  fi
}

# start_redis: Redis on a free port, in pid[redis] and redis_port. Redis
# cannot pick a port itself, so: a random one nobody answers on, and
# another if some process binds it first.
start_redis() {
  local attempt
  for attempt in 1 2 3 4 5; do
    redis_port=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
    if port_taken "$redis_port"; then continue; fi
    # No persistence: the cluster's streams live as long as the cluster.
    spawn redis redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$tmp" \
      --save '' --appendonly no --daemonize no
    for _ in $(seq 1 100); do
      if redis_ready "$redis_port"; then return 0; fi
      kill -0 "${pid[redis]}" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "${pid[redis]}" 2>/dev/null || true
    unset 'pid[redis]'
    echo "$me: Redis did not start on port $redis_port (attempt $attempt of 5)" >&2
  done
  fail redis Redis
}

# start_instance NAME: a demo server on a free port, sharing the Redis, in
# pid[NAME]; it writes its port to $tmp/NAME.port.
start_instance() {
  spawn "$1" env REDIS_URL="$redis_url" "$bin"/sse-demo-server --port 0 \
    --port-file "$tmp/$1.port" --root "$PWD" --instance "$1" "${fast[@]}"
}

. .ci/wait-for-file.sh

start_redis
redis_url=redis://127.0.0.1:$redis_port

# Both at once: neither needs the other to start.
start_instance a
start_instance b
wait_for_file "$tmp/a.port" "${pid[a]}" "$me: instance a" || fail a "instance a"
wait_for_file "$tmp/b.port" "${pid[b]}" "$me: instance b" || fail b "instance b"
a_url=http://127.0.0.1:$(cat "$tmp/a.port")
b_url=http://127.0.0.1:$(cat "$tmp/b.port")

lb_port=${PORT:-8080}
[ ${#cmd[@]} -eq 0 ] || lb_port=0
spawn lb "$bin"/sse-demo-balancer --port "$lb_port" --port-file "$tmp/lb.port" \
  --upstream "${a_url#http://}" --upstream "${b_url#http://}"
wait_for_file "$tmp/lb.port" "${pid[lb]}" "$me: the balancer" || fail lb "the balancer"
cluster_url=http://127.0.0.1:$(cat "$tmp/lb.port")

if [ ${#cmd[@]} -gt 0 ]; then
  echo "== cluster: $cluster_url -> a $a_url, b $b_url; $redis_url${fast[*]:+ (--fast)}" >&2
  export REDIS_URL=$redis_url CLUSTER_URL=$cluster_url CLUSTER_A_URL=$a_url \
    CLUSTER_B_URL=$b_url CLUSTER_A_PID=${pid[a]} CLUSTER_B_PID=${pid[b]} CLUSTER_DIR=$tmp
  status=0
  "${cmd[@]}" || status=$?
  exit "$status"
fi

row() { printf '  %-34s %s\n' "$1" "$2"; }
echo
echo "sse-demo cluster: open $cluster_url/"
echo
row "$cluster_url/" "the examples, through the balancer (a and b in turn)"
row "$a_url/" "instance a directly (pid ${pid[a]})"
row "$b_url/" "instance b directly (pid ${pid[b]})"
row "REDIS_URL=$redis_url" "the Redis both instances share"
echo
echo "To watch a failover, kill an instance (kill -9 ${pid[a]}): the balancer"
echo "skips it, and its streams reconnect to the other one."
echo "Logs: $tmp/{a,b,redis,lb}.log"
echo
echo "Press Ctrl-C to stop."
# Until Ctrl-C, or until the balancer or Redis dies: a cluster without them
# would only mislead. Killing an instance is part of the demo, so the
# instances are not watched.
while sleep 1; do
  for name in lb redis; do
    if ! kill -0 "${pid[$name]}" 2>/dev/null; then
      what=Redis
      [ "$name" = redis ] || what="the balancer"
      echo "$me: $what exited; stopping the cluster. Its log:" >&2
      sed 's/^/  | /' "$tmp/$name.log" >&2 || true
      exit 1
    fi
  done
done
