#!/usr/bin/env bash
# The JS/React suite (`make test-js`): needs pkg/ (`make build`),
# SSE_TEST_SERVER and an X display for WebKit; run it as
# `.ci/with-xvfb.sh .ci/with-server.sh tests/js/run.sh [TEST FILE...]`.
#
# 1. packs the package (npm pack) and installs the tarball in a fresh copy
#    of tests/js/app under build/js-test/, as a user's app would;
# 2. builds that app with Vite twice: development React (StrictMode really
#    double-invokes effects there) and production;
# 3. runs the node:test files: tsc over the typed usage files and over the
#    README's code blocks, the tarball, prepack and SSR checks in Node, the
#    browser tests against the built app and the test server, once per
#    engine (Debian's Chromium driven by playwright-core, and WebKitGTK's
#    MiniBrowser driven over WebDriver by WebKitWebDriver; SSE_BROWSERS=
#    chromium or =webkit runs one), cross-tab sharing (share.test.mjs,
#    in SSE_SHARE_BROWSERS: Chromium, Firefox through geckodriver, and
#    WebKit by default), and esbuild bundles (ESM and IIFE, in Chromium).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

: "${SSE_TEST_SERVER:?SSE_TEST_SERVER is not set: run .ci/with-xvfb.sh .ci/with-server.sh tests/js/run.sh}"
if [ ! -f pkg/sse_wasm_bg.wasm ] || [ ! -f pkg/sse_wasm.js ]; then
  echo "pkg/ is missing: run 'make build' first" >&2
  exit 1
fi
# `make` installs the npm packages (.ci/install-deps.sh); when run alone:
if [ ! -x node_modules/.bin/vite ] || [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund
fi

work=build/js-test
rm -rf "$work"
mkdir -p "$work"
step() { printf '== %s\n' "$*"; }
t0=$SECONDS

step "npm pack"
# pkg/ was just built (`make test-js` depends on `make build`), so the
# prepack build is skipped here; node.test.mjs tests it on an unbuilt tree.
tarball=$(npm pack --silent --ignore-scripts --pack-destination "$work" 2>/dev/null | tail -n 1)
[ -f "$work/$tarball" ] || { echo "npm pack produced no tarball" >&2; exit 1; }

step "fresh app: npm install $tarball"
mkdir -p "$work/app"
# The app's sources only (a developer may have node_modules or dist there).
(cd tests/js/app && tar --exclude=node_modules --exclude='dist*' -cf - .) | (cd "$work/app" && tar -xf -)
(cd "$work/app" && npm install --no-audit --no-fund --prefer-offline --loglevel=error "../$tarball")

step "vite build (development React, for StrictMode) and vite build (production)"
vite="$root/node_modules/.bin/vite"
(cd "$work/app" && NODE_ENV=development OUT_DIR=dist-dev "$vite" build)
(cd "$work/app" && OUT_DIR=dist "$vite" build)
echo "prepared in $((SECONDS - t0)) s"

export SSE_JS_WORK="$root/$work"
# Arguments: the test files to run (default: all of them).
if [ $# -eq 0 ]; then
  set -- tests/js/types.test.mjs tests/js/readme.test.mjs tests/js/node.test.mjs tests/js/url.test.mjs \
    tests/js/retry-after.test.mjs tests/js/handles.test.mjs \
    tests/js/browser.test.mjs tests/js/share.test.mjs tests/js/bundlers.test.mjs
fi
exec node --test --test-reporter=spec --test-concurrency=1 "$@"
