// The packed package in a real app: tests/js/app, installed from the
// tarball and built by Vite (run.sh), served under the documented CSP, in
// each browser engine (ENGINES: Debian's Chromium driven by playwright-core,
// WebKitGTK's MiniBrowser driven over WebDriver, under .ci/with-xvfb.sh),
// against the test server.
//
// `dist-dev` is built with development React, so <StrictMode> really
// mounts, unmounts and remounts every effect (the app's probe checks it);
// `dist` is the production build.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { pageErrors, recordPageErrors } from '../webdriver/page-errors.mjs';
import { ENGINES, SERVER, WORK, chromiumConsole, launchBrowser, serveStatic, stats, uniqueTag, waitFor, waitForStats } from './helpers.mjs';

/**
 * Runs in the page (self-contained): counts every connection the page
 * starts, in `window.opened`, before the server can tell: a request opened
 * and aborted in the same task never reaches it, so the server's counts
 * alone would miss a StrictMode double connect.
 */
function countConnections() {
  window.opened = [];
  const NativeEventSource = window.EventSource;
  window.EventSource = class extends NativeEventSource {
    constructor(url, init) {
      super(url, init);
      window.opened.push(String(url));
    }
  };
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    window.opened.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return nativeFetch(input, init);
  };
}

/**
 * The app's pages load this first (serveStatic's `probe`), in every engine:
 * it records page errors (recordPageErrors) and counts connections.
 */
const PROBE = `(${recordPageErrors})();\n(${countConnections})();\n`;

/** The browser of each engine in ENGINES, launched once for the file. */
const browsers = new Map();
let devApp;
let prodApp;
/** The development build again, its .wasm held back 2 s (a slow network for the module only). */
let slowWasmApp;

before(async () => {
  devApp = await serveStatic(join(WORK, 'app', 'dist-dev'), { probe: PROBE });
  prodApp = await serveStatic(join(WORK, 'app', 'dist'), { probe: PROBE });
  slowWasmApp = await serveStatic(join(WORK, 'app', 'dist-dev'), { probe: PROBE, delayWasmMs: 2000 });
  for (const engine of ENGINES) browsers.set(engine, await launchBrowser(engine));
});

after(async () => {
  for (const browser of browsers.values()) await browser.close();
  await devApp?.close();
  await prodApp?.close();
  await slowWasmApp?.close();
});

/**
 * Opens the app on `scenario` in a fresh context of `engine`. Page errors
 * and console errors are collected (the probe, and in Chromium Playwright's
 * events too); `expectClean()` fails on any.
 */
async function openPage(t, engine, scenario, { tag = uniqueTag(scenario), app = devApp, csp } = {}) {
  const context = await browsers.get(engine).newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  // In Chromium, Playwright's reports too: they include what Chromium logs
  // by itself, which the probe cannot see (a script's console.error is then
  // in both lists).
  const reported = engine === 'chromium' ? chromiumConsole(page).problems : [];
  const problems = async () => [...reported, ...(await pageErrors(page))];
  const query = new URLSearchParams({ server: SERVER, tag, scenario });
  if (csp) query.set('csp', csp);
  const path = scenario === 'manual' || scenario === 'deferred' ? `/${scenario}.html` : '/';
  await page.goto(`${app.origin}${path}?${query}`);
  const text = (selector) => page.locator(selector).textContent({ timeout: 15000 });
  /** Waits until `selector`'s text is `expected`; a timeout also lists the page's problems. */
  const see = async (selector, expected) => {
    try {
      return await waitFor(
        `${selector} to read ${JSON.stringify(expected)}`,
        () => text(selector),
        (actual) => actual === expected,
      );
    } catch (error) {
      error.message += `\npage problems: ${JSON.stringify(await problems())}`;
      throw error;
    }
  };
  /** No page error and no console error, except those matching `allow`. */
  const expectClean = async (allow) =>
    assert.deepEqual(
      (await problems()).filter((problem) => !(allow && allow.test(problem))),
      [],
    );
  /** How many connections the page started for the stream tagged `streamTag`. */
  const opened = async (streamTag = tag) =>
    (await page.evaluate(() => window.opened)).filter((url) =>
      new URL(url).searchParams.get('tag') === streamTag,
    ).length;
  return { page, tag, text, see, expectClean, opened };
}

for (const engine of ENGINES) {
  /** Opens the app on `scenario` in this engine (see openPage). */
  const open = (t, scenario, options) => openPage(t, engine, scenario, options);

  describe(`${engine}: React hooks in a Vite app built from the packed tarball`, () => {
    test('StrictMode opens exactly one connection, and JSON data renders', async (t) => {
      const { page, tag, see, expectClean, opened } = await open(t, 'feed');
      await see('#feed .n', '2');
      await see('#feed .raw', '{"n":2}');
      await see('#feed .last-id', '3');
      await see('#feed .status', 'open');
      // StrictMode did double-invoke effects, so the single connection below
      // is the hooks' doing, not React skipping the remount.
      assert.equal(await page.evaluate(() => window.effectRuns), 2);
      const seen = await waitForStats(tag, { open: 1 });
      assert.equal(seen.requests, 1, 'one request for the tag');
      assert.equal(await opened(), 1, 'the page started one connection');
      await expectClean();
    });

    test('close() and reconnect() act on the shared connection', async (t) => {
      const { page, tag, see, expectClean } = await open(t, 'feed');
      await see('#feed .n', '2');
      await page.click('#close');
      await see('#feed .status', 'closed');
      await waitForStats(tag, { open: 0, requests: 1 });
      await page.click('#reconnect');
      await see('#feed .status', 'open');
      await waitForStats(tag, { open: 1, requests: 2 });
      await see('#feed .n', '2');
      await expectClean();
    });

    test('two components on the same URL share one connection', async (t) => {
      const { tag, see, expectClean, opened } = await open(t, 'shared');
      await see('#feed .n', '2');
      await see('#tally', '0,1,2');
      const seen = await waitForStats(tag, { open: 1 });
      assert.equal(seen.requests, 1);
      assert.equal(await opened(), 1);
      await expectClean();
    });

    test('a dropped stream resumes through the hooks with Last-Event-ID, each event once', async (t) => {
      const { page, tag, see, expectClean, opened } = await open(t, 'resume');
      await see('#tally', '0,1,2,3,4');
      await see('#feed .last-id', '5');
      await see('#feed .status', 'open');
      const seen = await stats(tag);
      assert.equal(seen.requests, 2, 'the first connection and one reconnect');
      assert.equal(seen.records[0].headers['last-event-id'], undefined);
      assert.equal(seen.records[1].headers['last-event-id'], '2');
      assert.equal(await page.evaluate(() => window.opened.length > 0), true);
      assert.equal(await opened(), 1, 'one EventSource: the browser reconnected it');
      // The browser logs the cut itself; nothing else may be logged.
      await expectClean(/ERR_INCOMPLETE_CHUNKED_ENCODING/);
    });

    test('each SSEProvider is its own scope of shared connections', async (t) => {
      const { tag, see, expectClean, opened } = await open(t, 'scoped');
      await see('#one .n', '2');
      await see('#two .n', '2');
      const seen = await waitForStats(tag, { open: 2 });
      assert.equal(seen.requests, 2);
      assert.equal(await opened(), 2);
      await expectClean();
    });

    test('unmounting the last user closes the connection', async (t) => {
      const { page, tag, see, expectClean, opened } = await open(t, 'unmount');
      await see('#feed .n', '2');
      await waitForStats(tag, { open: 1 });
      await page.click('#unmount');
      await see('#gone', 'unmounted');
      const seen = await waitForStats(tag, { open: 0 });
      assert.equal(seen.requests, 1);
      assert.equal(await opened(), 1);
      await expectClean();
    });

    test('changing the URL closes the old stream and opens the new one', async (t) => {
      const { page, tag, see, expectClean, opened } = await open(t, 'switch');
      await see('#feed .last-id', '3');
      await waitForStats(`${tag}-a`, { open: 1 });
      await page.click('#switch');
      await see('#which', 'b');
      await see('#feed .last-id', '102');
      await see('#feed .n', '2');
      const a = await waitForStats(`${tag}-a`, { open: 0 });
      const b = await waitForStats(`${tag}-b`, { open: 1 });
      assert.equal(a.requests, 1);
      assert.equal(b.requests, 1);
      assert.equal(await opened(`${tag}-a`), 1);
      assert.equal(await opened(`${tag}-b`), 1);
      await expectClean();
    });

    test('changing an option (a header value) reconnects with the new options', async (t) => {
      const { page, tag, see, expectClean, opened } = await open(t, 'options');
      await see('#feed .n', '2');
      await waitForStats(tag, { open: 1, requests: 1 });
      await page.click('#mode-b');
      await see('#mode', 'b');
      const seen = await waitForStats(tag, { open: 1, requests: 2 });
      const modes = seen.records.filter((r) => r.method === 'GET').map((r) => r.headers['x-mode']);
      assert.deepEqual(modes, ['a', 'b'], 'the old connection had mode a, the new one b');
      assert.equal(await opened(), 2);
      await see('#feed .n', '2');
      await expectClean();
    });

    test('an HTTP 500 with retry: false renders the error state', async (t) => {
      const { tag, see, expectClean } = await open(t, 'failure');
      await see('#failure .kind', 'http');
      await see('#failure .http-status', '500');
      await see('#failure .instance', 'true');
      await see('#failure .status', 'closed');
      const seen = await stats(tag);
      assert.equal(seen.requests, 1, 'no retry');
      assert.equal(seen.open, 0);
      // The browser itself logs the failed request.
      await expectClean(/Failed to load resource: the server responded with a status of 500/);
    });

    test('invalid JSON is reported as an error while the stream stays open', async (t) => {
      const { tag, see, expectClean } = await open(t, 'badjson');
      await see('#badjson .kind', 'json');
      await see('#badjson .data', 'not json');
      await see('#badjson .status', 'open');
      await waitForStats(tag, { open: 1, requests: 1 });
      await expectClean();
    });

    test('the production build shares and renders the same way', async (t) => {
      const { tag, see, expectClean, opened } = await open(t, 'shared', { app: prodApp });
      await see('#feed .n', '2');
      await see('#tally', '0,1,2');
      const seen = await waitForStats(tag, { open: 1 });
      assert.equal(seen.requests, 1);
      assert.equal(await opened(), 1);
      await expectClean();
    });
  });

  describe(`${engine}: the vanilla sse-wasm entry in the same app`, () => {
    test('initialises on import; SSEError and SSEEvent are the real classes', async (t) => {
      const { page, tag, expectClean } = await open(t, 'vanilla');
      const result = await waitFor(
        'three events',
        async () => JSON.parse(await page.locator('#vanilla').textContent()),
        (out) => out.events.length === 3,
      );
      assert.deepEqual(result.invalidUrl, {
        instanceOfSSEError: true,
        instanceOfError: true,
        name: 'SSEError',
        kind: 'invalid-url',
        url: 'ftp://example.com/stream',
      });
      assert.equal(result.sameClasses, true, 'sse-wasm and sse-wasm/init export the same classes');
      assert.equal(result.initIdempotent, true, 'init() returns one promise');
      assert.equal(result.transport, 'eventsource');
      assert.deepEqual(result.events, [
        { n: 0, raw: '{"n":0}', id: '1', type: 'message', isSSEEvent: true },
        { n: 1, raw: '{"n":1}', id: '2', type: 'message', isSSEEvent: true },
        { n: 2, raw: '{"n":2}', id: '3', type: 'message', isSSEEvent: true },
      ]);
      assert.equal(result.closedStatus, 'closed');
      // close() let go of the wasm client: the getters answer from what it
      // was, and every other call is a quiet no-op or the closed error.
      assert.deepEqual(result.afterClose, {
        status: 'closed',
        readyState: 2,
        lastEventId: '3',
        transport: 'eventsource',
        sameUrl: true,
        subscribeError: 'closed',
        callsAfterCloseThrew: false,
      });
      assert.deepEqual(result.nested, { status: 'closed', readyState: 2 });
      assert.equal(result.nestedEvent, undefined);
      await waitForStats(tag, { open: 0, requests: 1 });
      await waitForStats(`${tag}-nested`, { requests: 0 });
      await expectClean();
    });

    test('the manual-init entry loads the module from a URL the app chose', async (t) => {
      const { page, tag, expectClean } = await open(t, 'manual');
      const result = await waitFor(
        'the manual page to finish',
        async () => {
          const text = await page.locator('#manual').textContent();
          return text ? JSON.parse(text) : {};
        },
        (out) => out.done === true,
      );
      assert.match(result.beforeInit, /not initialised yet/);
      assert.equal(result.beforeInitKind, 'init');
      assert.equal(result.samePromise, true);
      assert.equal(result.initialised, true);
      assert.equal(result.wasmFetches, 1, 'the wasm was fetched once, from the given URL');
      assert.deepEqual(result.data, ['0', '1', '2']);
      assert.equal(result.allEvents, true, 'handlers get SSEEvent instances');
      await waitForStats(tag, { open: 0, requests: 1 });
      await expectClean();
    });
  });

  describe(`${engine}: the main entry does not hold the app up while the .wasm downloads`, () => {
    test('the page paints before the module arrives, and early clients still get their events', async (t) => {
      const { page, tag, expectClean } = await open(t, 'deferred', { app: slowWasmApp });
      const result = await waitFor(
        'the deferred page to finish',
        async () => {
          const text = await page.locator('#deferred').textContent();
          return text ? JSON.parse(text) : {};
        },
        (out) => out.done === true,
      );
      const wasmArrived = await page.evaluate(
        () => performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('.wasm'))?.responseEnd,
      );
      assert.equal(result.initializedAtPaint, false, 'the module was not there when the page painted');
      assert.ok(
        result.paintedAt + 1500 < wasmArrived,
        `painted at ${result.paintedAt} ms, the .wasm arrived at ${wasmArrived} ms`,
      );
      assert.equal(result.instanceOfSSEClient, true);
      assert.deepEqual(result.before, {
        status: 'idle',
        readyState: 2,
        transport: 'eventsource',
        url: `${SERVER}/events?tag=${tag}&count=3&json=1&hold=1&id_start=1`,
      });
      assert.equal(result.subscribed, 'connecting', 'subscribed, it reports connecting while the module loads');
      assert.deepEqual(result.data, [
        { n: 0, id: '1' },
        { n: 1, id: '2' },
        { n: 2, id: '3' },
      ]);
      assert.deepEqual(result.states, ['connecting', 'open', 'closed'], 'one statechange per change, none repeated');
      assert.deepEqual(result.early, { status: 'closed', states: ['connecting', 'closed'] });
      assert.equal(result.earlyEvent, undefined);
      assert.deepEqual(result.wrong, { instanceOfSSEError: true, kind: 'invalid-option', option: 'retry.factor', initialized: false });
      assert.deepEqual(result.credentials, {
        instanceOfSSEError: true,
        kind: 'invalid-url',
        url: `${SERVER}/events`,
        shown: false,
        initialized: false,
      });
      await waitForStats(tag, { open: 0, requests: 1 });
      assert.equal((await stats(`${tag}-early`)).requests, 0, 'a client closed before the module arrived never connected');
      assert.equal((await stats(`${tag}-wrong`)).requests, 0);
      await expectClean();
    });
  });

  describe(`${engine}: a CSP without 'wasm-unsafe-eval'`, () => {
    test('the import still succeeds and the error names the fix', async (t) => {
      const hooks = await open(t, 'wasm-blocked', { csp: 'no-wasm' });
      const message = await hooks.text('#boundary');
      assert.match(message, /wasm-unsafe-eval/);
      const seen = await stats(hooks.tag);
      assert.equal(seen.requests, 0, 'no connection attempted');
    });
  });
}
