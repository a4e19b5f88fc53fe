// The packed package through esbuild, the bundler of many toolchains that
// are not Vite: an ES module bundle of the main entry builds without a
// warning, and an IIFE bundle (no ES modules, no import.meta, no top-level
// await) of the manual entry, built as the README documents, runs from a
// plain <script> in Chromium, with the README's preload link, and with a
// server that gets the .wasm MIME type wrong.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

import { SERVER, WORK, launchChromium, serveStatic, uniqueTag, waitFor, waitForStats } from './helpers.mjs';

const APP = join(WORK, 'app');
const OUT = join(WORK, 'esbuild');

let browser;
const sites = [];

before(async () => {
  await mkdir(OUT, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all(sites.map((site) => site.close()));
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
      '<link rel="preload" href="sse_wasm_bg.wasm" as="fetch" type="application/wasm" crossorigin>' +
      '<pre id="iife"></pre><script src="app.js"></script>\n',
  );
  return messages;
}

/** Opens the IIFE app served by `site`; returns what it showed, the .wasm requests and the console. */
async function runIife(t, site) {
  const tag = uniqueTag('iife');
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = [];
  const warnings = [];
  const wasmRequests = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
    if (message.type() === 'warning') warnings.push(message.text());
  });
  page.on('request', (request) => {
    if (request.url().endsWith('.wasm')) wasmRequests.push(request.url());
  });
  await page.goto(`${site.origin}/index.html?${new URLSearchParams({ server: SERVER, tag })}`);
  const out = await waitFor(
    'three events through the IIFE bundle',
    async () => JSON.parse((await page.locator('#iife').textContent()) || '{}'),
    (value) => value.done === true || value.initError !== undefined,
  );
  await waitForStats(tag, { open: 0, requests: 1 });
  return { out, problems, warnings, wasmRequests };
}

test('an IIFE bundle of sse-wasm/init with an explicit .wasm URL runs from a plain <script>', async (t) => {
  assert.deepEqual(await buildIife(), { warnings: [], errors: [] });
  sites.push(await serveStatic(OUT));
  const { out, problems, warnings, wasmRequests } = await runIife(t, sites.at(-1));
  assert.deepEqual(out, { data: ['0', '1', '2'], done: true });
  assert.deepEqual(problems, []);
  assert.deepEqual(warnings, [], 'the preloaded .wasm was used, nothing to warn about');
  assert.equal(wasmRequests.length, 1, 'the README\'s preload link and init() share one download');
});

test('a .wasm served as application/octet-stream still works, with the console warning the README mentions', async (t) => {
  sites.push(await serveStatic(OUT, { wasmType: 'application/octet-stream' }));
  const { out, problems, warnings } = await runIife(t, sites.at(-1));
  assert.deepEqual(out, { data: ['0', '1', '2'], done: true });
  assert.deepEqual(problems, []);
  assert.ok(
    warnings.some((text) => text.includes('application/wasm')),
    `a warning names the MIME type: ${JSON.stringify(warnings)}`,
  );
});
