#!/usr/bin/env bash
# Usage: .ci/with-server.sh COMMAND...
# Starts the test server on a free 127.0.0.1 port, exports its URL as
# SSE_TEST_SERVER, runs COMMAND, and stops the server whatever happens. The
# same server also listens on a second free port, a second origin for
# cross-origin tests, exported as SSE_TEST_PEER_SERVER.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -q -p sse-test-server
port_file=$(mktemp)
peer_port_file=$(mktemp)
rm -f "$port_file" "$peer_port_file"
"${CARGO_TARGET_DIR:-target}"/debug/sse-test-server --port-file "$port_file" --peer-port-file "$peer_port_file" >/dev/null &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; rm -f "$port_file" "$peer_port_file"' EXIT

. .ci/wait-for-file.sh
wait_for_file "$port_file" "$server_pid" "test server"
# The server writes the peer's port file before the main one.
[ -s "$peer_port_file" ] || { echo "test server wrote no peer port" >&2; exit 1; }
export SSE_TEST_SERVER="http://127.0.0.1:$(cat "$port_file")"
export SSE_TEST_PEER_SERVER="http://127.0.0.1:$(cat "$peer_port_file")"
echo "test server at $SSE_TEST_SERVER (peer origin $SSE_TEST_PEER_SERVER)"
"$@"
