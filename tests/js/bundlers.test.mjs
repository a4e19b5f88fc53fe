// The packed package through esbuild, the bundler of many toolchains that
// are not Vite: an ES module bundle of the main entry builds without a
// warning, and an IIFE bundle (no ES modules, no import.meta, no top-level
// await) of the manual entry, built as the README documents, runs from a
// plain <script> in Chromium.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

import { SERVER, WORK, launchChromium, serveStatic, uniqueTag, waitFor, waitForStats } from './helpers.mjs';

const APP = join(WORK, 'app');
const OUT = join(WORK, 'esbuild');

let browser;
let site;

before(async () => {
  await mkdir(OUT, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
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

test('an IIFE bundle of sse-wasm/init with an explicit .wasm URL runs from a plain <script>', async (t) => {
  const messages = await bundle("import './src/iife.js';\n", {
    format: 'iife',
    // As the README says: the glue's import.meta.url is only a default for
    // init() without a URL, which an IIFE cannot use.
    define: { 'import.meta.url': 'undefined' },
    outfile: join(OUT, 'app.js'),
  });
  assert.deepEqual(messages, { warnings: [], errors: [] });
  await copyFile(join(APP, 'node_modules', 'sse-wasm', 'pkg', 'sse_wasm_bg.wasm'), join(OUT, 'sse_wasm_bg.wasm'));
  await writeFile(
    join(OUT, 'index.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><pre id="iife"></pre><script src="app.js"></script>\n',
  );
  site = await serveStatic(OUT);
  const tag = uniqueTag('iife');
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${site.origin}/index.html?${new URLSearchParams({ server: SERVER, tag })}`);
  const out = await waitFor(
    'three events through the IIFE bundle',
    async () => JSON.parse((await page.locator('#iife').textContent()) || '{}'),
    (value) => value.done === true || value.initError !== undefined,
  );
  assert.deepEqual(out, { data: ['0', '1', '2'], done: true });
  assert.deepEqual(problems, []);
  await waitForStats(tag, { open: 0, requests: 1 });
});
