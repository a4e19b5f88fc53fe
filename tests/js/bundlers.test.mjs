// The packed package through esbuild, the bundler of many toolchains that
// are not Vite: an ES module bundle of the main entry builds without a
// warning, and an IIFE bundle (no ES modules, no import.meta, no top-level
// await) of the manual entry, built as the README documents, runs from a
// plain <script> in each engine (ENGINES: Chromium and WebKit), with the
// README's preload link, and with a server that gets the .wasm MIME type
// wrong.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

import { pageErrors, recordPageErrors } from '../webdriver/page-errors.mjs';
import { ENGINES, SERVER, WORK, chromiumConsole, launchBrowser, serveStatic, uniqueTag, waitFor, waitForStats } from './helpers.mjs';

const APP = join(WORK, 'app');
const OUT = join(WORK, 'esbuild');

/** The browser of each engine in ENGINES, launched once for the file. */
const browsers = new Map();
/** The IIFE app, served right (`application/wasm`) and wrong (`application/octet-stream`). */
let site;
let octetStreamSite;

/**
 * Runs in the page (self-contained): records `console.warn` calls into
 * `window.pageWarnings`, where WebKit's tests read them (Chromium's come
 * through Playwright).
 */
function recordWarnings() {
  const warnings = (window.pageWarnings = []);
  const consoleWarn = console.warn;
  console.warn = function warn(...args) {
    warnings.push(args.map(String).join(' '));
    return consoleWarn.apply(this, args);
  };
}

/** Loaded first by every page of the IIFE app (serveStatic's `probe`). */
const PROBE = `(${recordPageErrors})();\n(${recordWarnings})();\n`;

before(async () => {
  await mkdir(OUT, { recursive: true });
  for (const engine of ENGINES) browsers.set(engine, await launchBrowser(engine));
});

after(async () => {
  for (const browser of browsers.values()) await browser.close();
  await site?.close();
  await octetStreamSite?.close();
});

/** Bundles `source` (a module's text, resolved from the app) with `options`; returns esbuild's messages. */
async function bundle(source, options) {
  const result = await build({
    stdin: { contents: source, resolveDir: APP, sourcefile: 'entry.js' },
    bundle: true,
    write: true,
    logLevel: 'silent',
    ...options,
  });
  return { warnings: result.warnings.map((w) => `${w.id}: ${w.text}`), errors: result.errors };
}

test('an ES module bundle of sse-wasm builds without a warning', async () => {
  const messages = await bundle(
    "import { SSEClient } from 'sse-wasm';\nnew SSEClient('/events').subscribe('message', console.log);\n",
    { format: 'esm', outfile: join(OUT, 'esm.js') },
  );
  assert.deepEqual(messages, { warnings: [], errors: [] });
});

/** Builds the IIFE app once: app.js, the .wasm beside it, and index.html (with the README's preload link). */
async function buildIife() {
  const messages = await bundle("import './src/iife.js';\n", {
    format: 'iife',
    // As the README says: the glue's import.meta.url is only a default for
    // init() without a URL, which an IIFE cannot use.
    define: { 'import.meta.url': 'undefined' },
    outfile: join(OUT, 'app.js'),
  });
  await copyFile(join(APP, 'node_modules', 'sse-wasm', 'pkg', 'sse_wasm_bg.wasm'), join(OUT, 'sse_wasm_bg.wasm'));
  await writeFile(
    join(OUT, 'index.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">' +
      '<head><link rel="preload" href="sse_wasm_bg.wasm" as="fetch" type="application/wasm" crossorigin></head>' +
      '<pre id="iife"></pre><script src="app.js"></script>\n',
  );
  return messages;
}

/**
 * What the page reported: Chromium's through Playwright's events (console
 * errors and warnings the browser logs itself included), WebKit's through
 * the probe. `collect()` resolves, once the page is done, to the uncaught
 * errors and console errors (`problems`) and the console warnings.
 */
function watch(engine, page) {
  if (engine !== 'chromium') {
    return {
      collect: async () => ({
        problems: await pageErrors(page),
        warnings: await page.evaluate(() => window.pageWarnings),
      }),
    };
  }
  const { problems, warnings } = chromiumConsole(page);
  return { collect: async () => ({ problems: [...problems, ...(await pageErrors(page))], warnings }) };
}

/**
 * Opens the IIFE app served by `site` in `engine`; returns what it showed,
 * the console, and how many times the page requested the .wasm.
 */
async function runIife(t, engine, site) {
  const tag = uniqueTag('iife');
  const wasmRequestsBefore = site.requests('/sse_wasm_bg.wasm');
  const context = await browsers.get(engine).newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const seen = watch(engine, page);
  await page.goto(`${site.origin}/index.html?${new URLSearchParams({ server: SERVER, tag })}`);
  const out = await waitFor(
    'three events through the IIFE bundle',
    async () => JSON.parse((await page.locator('#iife').textContent()) || '{}'),
    (value) => value.done === true || value.initError !== undefined,
  );
  await waitForStats(tag, { open: 0, requests: 1 });
  const wasmRequests = site.requests('/sse_wasm_bg.wasm') - wasmRequestsBefore;
  return { out, wasmRequests, ...(await seen.collect()) };
}

test('an IIFE bundle of sse-wasm/init with an explicit .wasm URL builds without a warning', async () => {
  assert.deepEqual(await buildIife(), { warnings: [], errors: [] });
  site = await serveStatic(OUT, { probe: PROBE });
  octetStreamSite = await serveStatic(OUT, { probe: PROBE, wasmType: 'application/octet-stream' });
});

for (const engine of ENGINES) {
  describe(`${engine}: the IIFE bundle`, () => {
    test('runs from a plain <script>', async (t) => {
      const { out, problems, warnings, wasmRequests } = await runIife(t, engine, site);
      assert.deepEqual(out, { data: ['0', '1', '2'], done: true });
      assert.deepEqual(problems, []);
      assert.deepEqual(warnings, [], 'the preloaded .wasm was used, nothing to warn about');
      // WebKit does not reuse an `as="fetch"` preload for fetch() (the
      // README says so): the .wasm is downloaded twice there.
      const downloads = engine === 'webkit' ? 2 : 1;
      assert.equal(wasmRequests, downloads, "the README's preload link and init() share one download, except in WebKit");
    });

    test('with a .wasm served as application/octet-stream still works, with the console warning the README mentions', async (t) => {
      const { out, problems, warnings } = await runIife(t, engine, octetStreamSite);
      assert.deepEqual(out, { data: ['0', '1', '2'], done: true });
      assert.deepEqual(problems, []);
      assert.ok(
        warnings.some((text) => text.includes('application/wasm')),
        `a warning names the MIME type: ${JSON.stringify(warnings)}`,
      );
    });
  });
}
