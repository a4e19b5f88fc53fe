// `make soak`: a long run of reconnects and subscribe/unsubscribe churn in
// headless Chromium (tests/soak/page.js does the work), sampled every
// SOAK_SAMPLE_SECONDS after a forced GC. Writes the samples to a CSV and an
// SVG chart, prints the first and last samples and the growth, and exits
// non-zero if a correctness check failed (a duplicate or out-of-order or
// lost event, anything firing after close() or unsubscribe(), a stream the
// server still holds open for a closed client). Memory growth is reported,
// not asserted.
//
//   SOAK_MINUTES         run time (default 30)
//   SOAK_SAMPLE_SECONDS  time between samples (default 60)
//   SOAK_CLIENTS         clients at a time (default 4)
//   SOAK_CSV             output (default build/soak/soak.csv; the SVG goes next to it)
//   SSE_TEST_SERVER      the test server (set by .ci/with-server.sh)
//   CHROMIUM             the browser (default /usr/bin/chromium)

import { mkdirSync, appendFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import { launchChromium } from '../demo/helpers.mjs';
import { serveStatic } from '../js/static.mjs';

import { renderSvg } from './plot.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 60);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 4);
const CSV = resolve(REPO, process.env.SOAK_CSV ?? 'build/soak/soak.csv');
const SVG = CSV.replace(/\.csv$/, '') + '.svg';
const SERVER = process.env.SSE_TEST_SERVER;
const COLUMNS = ['minute', 'js_heap_bytes', 'wasm_memory_bytes', 'events', 'reconnects', 'clients_open', 'errors'];

if (!SERVER) throw new Error('SSE_TEST_SERVER is not set: run `.ci/with-server.sh tests/soak/run.sh`');
if (!(MINUTES > 0 && SAMPLE_SECONDS > 0)) throw new Error('SOAK_MINUTES and SOAK_SAMPLE_SECONDS must be positive numbers');

/** How many streams the test server holds open for `tag`. */
async function openStreams(tag) {
  const response = await fetch(`${SERVER}/stream-counter?tag=${encodeURIComponent(tag)}`);
  return (await response.json()).open;
}

const mb = (bytes) => `${(bytes / 1048576).toFixed(2)} MiB`;
const signedMb = (bytes) => `${bytes < 0 ? '-' : '+'}${mb(Math.abs(bytes))}`;
const int = (n) => n.toLocaleString('en-US');

// Console errors: Chromium logs every cut stream as a failed load (that is
// the point of /drop); anything else is counted as an error.
const EXPECTED_CONSOLE = /net::ERR_INCOMPLETE_CHUNKED_ENCODING|net::ERR_ABORTED/;
const consoleTally = new Map();
let consoleErrors = 0;
const consoleMessages = [];

// The repository (the page, js/ and pkg/) on a free loopback port.
const site = await serveStatic(REPO);
// `gc()` and unrounded `performance.memory` on top of the usual flags.
const browser = await launchChromium(['--js-flags=--expose-gc', '--enable-precise-memory-info']);
const page = await browser.newPage();
let crashed = false;
page.on('crash', () => (crashed = true));
page.on('console', (message) => {
  if (message.type() !== 'error') return;
  const text = message.text().replace(/https?:\/\/\S+/g, '<url>');
  if (!EXPECTED_CONSOLE.test(text)) {
    consoleErrors++;
    if (consoleMessages.length < 20) consoleMessages.push(text);
  }
  if (consoleTally.size < 50 || consoleTally.has(text)) consoleTally.set(text, (consoleTally.get(text) ?? 0) + 1);
});

const run = `soak-${Date.now().toString(36)}`;
const query = new URLSearchParams({ server: SERVER, run, clients: String(CLIENTS) });
await page.goto(`${site.origin}/tests/soak/index.html?${query}`);
await page.waitForFunction(() => window.soak?.ready === true, null, { timeout: 30_000 });
const started = Date.now();
console.log(`== soak: ${MINUTES} min, a sample every ${SAMPLE_SECONDS} s, ${CLIENTS} clients at a time, test server ${SERVER}`);

mkdirSync(dirname(CSV), { recursive: true });
writeFileSync(CSV, COLUMNS.join(',') + '\n');
const rows = [];
let last; // the latest page sample
let toCheck = []; // tags of clients closed before the previous sample
const leaked = [];
let shownViolations = 0;
let shownErrors = 0;

/** Streams still open on the server for clients closed at least a sample ago. */
async function checkClosed(tags) {
  for (const tag of tags) {
    const open = await openStreams(tag);
    if (open !== 0) leaked.push(`${tag}: ${open} stream(s) still open on the server after close()`);
  }
}

async function takeSample() {
  last = await page.evaluate(() => window.soak.sample());
  const row = {
    minute: Number(((Date.now() - started) / 60000).toFixed(2)),
    js_heap_bytes: last.jsHeap,
    wasm_memory_bytes: last.wasmMemory,
    events: last.totals.events,
    reconnects: last.totals.reconnects,
    clients_open: last.clientsOpen,
    errors: last.totals.errors + consoleErrors,
  };
  rows.push(row);
  appendFileSync(CSV, COLUMNS.map((c) => row[c]).join(',') + '\n');
  writeFileSync(SVG, renderSvg(rows));
  console.log(
    `minute ${row.minute.toFixed(2).padStart(6)}: JS heap ${mb(row.js_heap_bytes)}, wasm ${mb(row.wasm_memory_bytes)}, ` +
      `events ${int(row.events)}, reconnects ${int(row.reconnects)}, clients ${row.clients_open} ` +
      `(${int(last.totals.created)} created), errors ${row.errors}, violations ${last.violations.count}`,
  );
  // New problems as they come (the page keeps the first 20 of each).
  for (const message of last.violations.messages.slice(shownViolations)) console.log(`  VIOLATION ${message}`);
  shownViolations = last.violations.messages.length;
  for (const message of last.errorMessages.slice(shownErrors)) console.log(`  error: ${message}`);
  shownErrors = last.errorMessages.length;
  await checkClosed(toCheck);
  toCheck = last.closedTags;
}

const samples = Math.floor((MINUTES * 60) / SAMPLE_SECONDS);
for (let k = 0; k <= samples && !crashed; k++) {
  await sleep(Math.max(0, started + k * SAMPLE_SECONDS * 1000 - Date.now()));
  await takeSample();
}

// The end: close every client, give a late event or callback the time to
// show up, and check that the server let go of every stream.
let final = last;
if (!crashed) {
  await page.evaluate(() => window.soak.stop());
  await sleep(2000);
  final = await page.evaluate(() => window.soak.sample());
  const remaining = [...toCheck, ...final.closedTags];
  for (let i = 0; i < 50; i++) {
    const open = await Promise.all(remaining.map(openStreams));
    if (open.every((n) => n === 0)) break;
    await sleep(100);
  }
  await checkClosed(remaining);
}
await browser.close();
site.close();

// The report.
if (rows.length === 0 || final === undefined) {
  console.log('FAILED: no sample was taken (the page crashed)');
  process.exit(1);
}
const first = rows[0];
const end = rows.at(-1);
const describe = (r) =>
  `minute ${r.minute.toFixed(2)}: JS heap ${mb(r.js_heap_bytes)} (${int(r.js_heap_bytes)} B), ` +
  `wasm memory ${mb(r.wasm_memory_bytes)} (${int(r.wasm_memory_bytes)} B), events ${int(r.events)}, ` +
  `reconnects ${int(r.reconnects)}, clients open ${r.clients_open}, errors ${r.errors}`;
const growth = (from, to) => {
  const heap = to.js_heap_bytes - from.js_heap_bytes;
  const wasm = to.wasm_memory_bytes - from.wasm_memory_bytes;
  const pct = ((100 * heap) / from.js_heap_bytes).toFixed(1);
  return `JS heap ${signedMb(heap)} (${pct}%), wasm memory ${signedMb(wasm)}`;
};
const t = final.totals;
const seconds = (Date.now() - started) / 1000;
console.log('');
console.log(`== soak results (${CSV}, ${SVG})`);
console.log(`first  ${describe(first)}`);
console.log(`last   ${describe(end)}`);
console.log(`growth first to last: ${growth(first, end)}`);
if (rows.length >= 3) console.log(`growth after warm-up (minute ${rows[1].minute.toFixed(2)} to last): ${growth(rows[1], end)}`);
console.log(
  `totals: ${int(t.events)} events (${(t.events / seconds).toFixed(0)}/s), ${int(t.reconnects)} reconnects, ` +
    `${int(t.opens)} opens, ${int(t.created)} clients created, ${int(t.closed)} closed, ` +
    `${int(t.subscribes)} subscribes, ${int(t.unsubscribes)} unsubscribes, ${int(t.idleCycles)} last-handler closes, ` +
    `${int(t.skipped)} ids skipped while no handler listened`,
);
console.log(`console errors by text (the expected ones included):`);
for (const [text, n] of [...consoleTally].sort((a, b) => b[1] - a[1])) console.log(`  ${int(n).padStart(8)}  ${text}`);
if (final.errorMessages.length > 0 || consoleMessages.length > 0) {
  console.log(`errors (${t.errors + consoleErrors}; the first ones):`);
  for (const message of [...final.errorMessages, ...consoleMessages]) console.log(`  ${message}`);
}

const failures = [...final.violations.messages, ...leaked];
if (crashed) failures.push('the page crashed');
if (final.violations.count > 0 || leaked.length > 0 || crashed) {
  console.log(`FAILED: ${final.violations.count + leaked.length + (crashed ? 1 : 0)} correctness failure(s); the first ones:`);
  for (const message of failures.slice(0, 40)) console.log(`  ${message}`);
  process.exitCode = 1;
} else {
  console.log('correctness: OK (no duplicate, out-of-order or lost event, nothing after close() or unsubscribe(), no stream left open)');
}
