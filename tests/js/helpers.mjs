// Shared by the tests/js/*.test.mjs files: where run.sh put the packed app,
// the test server, a static file server for the built app, and polling.

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import assert from 'node:assert/strict';

/** build/js-test: the tarball, the fresh app and its builds (set by run.sh). */
export const WORK = process.env.SSE_JS_WORK;
/** The test server (set by .ci/with-server.sh). */
export const SERVER = process.env.SSE_TEST_SERVER;

/** Debian's Chromium, headless, launched as every browser suite here does. */
export { launchChromium } from '../demo/helpers.mjs';

assert.ok(WORK, 'SSE_JS_WORK is not set: run tests/js/run.sh');
assert.ok(SERVER, 'SSE_TEST_SERVER is not set: run under .ci/with-server.sh');

/** A tag no other test (or earlier run against the same server) uses. */
export function uniqueTag(name) {
  return `js-${name}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** `GET /stats?tag=`: `{ requests, open, ... }` for one tag. */
export async function stats(tag) {
  const response = await fetch(`${SERVER}/stats?tag=${encodeURIComponent(tag)}`);
  assert.equal(response.status, 200);
  return response.json();
}

/**
 * Polls `probe` until `ok(value)` holds (default: the value is neither
 * undefined nor false), with a generous timeout; returns the value, or
 * fails naming `what` and the last value seen.
 */
export async function waitFor(what, probe, ok = (value) => value !== undefined && value !== false, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the server's stats for `tag` match `expected` (a subset of fields). */
export async function waitForStats(tag, expected) {
  let seen;
  try {
    return await waitFor(
      `stats ${JSON.stringify(expected)} for ${tag}`,
      async () => (seen = await stats(tag)),
      (value) => Object.entries(expected).every(([k, v]) => value[k] === v),
    );
  } catch (error) {
    const { records, ...counts } = seen || {};
    error.message += `\nserver saw ${JSON.stringify(counts)} and ${records ? records.length : 0} records`;
    throw error;
  }
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Serves a built app from `root` on 127.0.0.1 (free port). Pages get the
 * Content-Security-Policy the README documents (`script-src 'self'
 * 'wasm-unsafe-eval'`), or, with `?csp=no-wasm` in the page URL, the same
 * without 'wasm-unsafe-eval'. `wasmType` overrides the Content-Type of
 * `.wasm` files (a misconfigured server).
 */
export async function serveStatic(root, { wasmType = TYPES['.wasm'] } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const path = url.pathname === '/' ? '/index.html' : url.pathname;
    const file = normalize(join(root, path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    let body;
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    const type = extname(file) === '.wasm' ? wasmType : TYPES[extname(file)];
    const headers = { 'content-type': type || 'application/octet-stream', 'cache-control': 'no-store' };
    if (extname(file) === '.html') {
      const wasm = url.searchParams.get('csp') === 'no-wasm' ? '' : " 'wasm-unsafe-eval'";
      headers['content-security-policy'] =
        `default-src 'self'; script-src 'self'${wasm}; connect-src 'self' ${SERVER}; img-src 'self' data:`;
    }
    res.writeHead(200, headers).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}
