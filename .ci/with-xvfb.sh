#!/usr/bin/env bash
# Usage: .ci/with-xvfb.sh COMMAND...
# Runs COMMAND with DISPLAY pointing at an Xvfb server of its own, on a
# display number Xvfb picks as free (-displayfd), and stops that server
# whatever happens. WebKitGTK's MiniBrowser, the browser WebKitWebDriver
# drives, has no headless mode: it needs an X display, and a virtual one
# keeps the run headless and independent of any desktop session.
set -euo pipefail

display_file=$(mktemp)
exec 3>"$display_file"
Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp -noreset >/dev/null 2>&1 &
xvfb_pid=$!
exec 3>&-
trap 'kill "$xvfb_pid" 2>/dev/null; wait "$xvfb_pid" 2>/dev/null || true; rm -f "$display_file"' EXIT

. "$(dirname "$0")/wait-for-file.sh"
wait_for_file "$display_file" "$xvfb_pid" Xvfb
export DISPLAY=":$(head -n 1 "$display_file")"
echo "Xvfb on display $DISPLAY"
"$@"
