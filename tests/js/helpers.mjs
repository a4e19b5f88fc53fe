// Shared by the tests/js/*.test.mjs files: where run.sh put the packed app,
// the test server, a static file server for the built app, and polling.

import assert from 'node:assert/strict';

import { until } from '../webdriver/until.mjs';

/** build/js-test: the tarball, the fresh app and its builds (set by run.sh). */
export const WORK = process.env.SSE_JS_WORK;
/** The test server (set by .ci/with-server.sh). */
export const SERVER = process.env.SSE_TEST_SERVER;

/**
 * Debian's Chromium, headless, launched as every browser suite here does;
 * the engines the browser tests run in (SSE_BROWSERS), and how to launch
 * each; what Chromium reports about a page through Playwright.
 */
export { ENGINES, chromiumConsole, launchBrowser, launchChromium } from '../demo/helpers.mjs';

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
  let last;
  const { value } = await until(
    () => `${what}; last value: ${JSON.stringify(last)}`,
    async () => ok((last = await probe())) && { value: last },
    timeoutMs,
  );
  return value;
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

/** A static file server for built apps (also used by tests/soak). */
export { serveStatic } from './static.mjs';
