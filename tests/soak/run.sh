#!/usr/bin/env bash
# `make soak`: runs tests/soak/soak.mjs (see its header for the knobs:
# SOAK_MINUTES, SOAK_SAMPLE_SECONDS, SOAK_CLIENTS, SOAK_CSV) against the test
# server. Needs pkg/ (`make build`) and SSE_TEST_SERVER, so run it as
#   .ci/with-server.sh tests/soak/run.sh
# e.g. a quick check: SOAK_MINUTES=2 SOAK_SAMPLE_SECONDS=10 .ci/with-server.sh tests/soak/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${SSE_TEST_SERVER:?SSE_TEST_SERVER is not set: run .ci/with-server.sh tests/soak/run.sh}"
[ -f pkg/sse_wasm.js ] || { echo "tests/soak: pkg/ is missing; run \`make build\` first" >&2; exit 1; }
# playwright-core comes with the project's npm packages (.ci/install-deps.sh).
[ -d node_modules/playwright-core ] || { echo "tests/soak: node_modules/playwright-core is missing; run \`make deps\`" >&2; exit 1; }

exec node tests/soak/soak.mjs
