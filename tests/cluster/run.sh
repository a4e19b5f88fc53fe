#!/usr/bin/env bash
# Usage: tests/cluster/run.sh
# The demo server at scale: examples/cluster.sh starts a Redis, two demo
# server instances sharing it (REDIS_URL) and the round-robin balancer, all
# on free 127.0.0.1 ports and with --fast, then runs
# tests/cluster/cluster.test.mjs (headless Chromium through Playwright)
# against them, and stops everything whatever happens. Part of `make test`
# (make test-js); needs `make build` (pkg/) and `npm install`.
# Skipped, saying so, only when redis-server is not installed (`make deps`
# installs Debian's, and warns if it cannot).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "== tests/cluster: SKIPPED: redis-server (Debian's redis-server package) is not installed and" \
    "\`make deps\` could not install it; the Redis store of the demo server is not tested" >&2
  exit 0
fi
[ -d node_modules/playwright-core ] || { echo "tests/cluster: node_modules/playwright-core is missing; run \`npm install\`" >&2; exit 1; }

echo "== tests/cluster: Redis, two demo server instances and the balancer (--fast)"
exec examples/cluster.sh --fast -- node --test --test-concurrency=1 tests/cluster/cluster.test.mjs
