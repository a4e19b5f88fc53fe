// Shared by the end-to-end tests of the examples: the demo server's URL,
// the browsers (headless Chromium through Playwright, WebKit through
// WebDriver), screenshots, and a tiny PNG encoder for uploads.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, crc32 } from 'node:zlib';

import { chromium } from 'playwright-core';

import { pageErrors, recordPageErrors } from '../webdriver/page-errors.mjs';
import { launchFirefox } from '../webdriver/firefox.mjs';
import { launchWebKit } from '../webdriver/webkit.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the screenshots go (gitignored). */
export const SCREENSHOTS = join(repo, 'build', 'screenshots');

/** The demo server started by tests/demo/run.sh (with `--fast`). */
export function demoUrl() {
  const url = process.env.DEMO_URL;
  if (!url) throw new Error('DEMO_URL is not set: run the tests with tests/demo/run.sh');
  return url.replace(/\/$/, '');
}

/**
 * Debian's Chromium, headless, as every browser suite of this repo runs it,
 * with `extraArgs` on top (e.g. `--js-flags=--expose-gc`).
 */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/**
 * How each engine is launched, as a Playwright-like Browser. Firefox
 * (geckodriver, headless) is not in the default ENGINES: the cross-tab
 * sharing tests (tests/js/share.test.mjs) pick it.
 */
const LAUNCHERS = {
  chromium: () => launchChromium(),
  firefox: launchFirefox,
  webkit: launchWebKit,
};

/**
 * The engines the browser tests run in, in order: `SSE_BROWSERS`, a
 * comma-separated list of `chromium` and `webkit` (default: both).
 */
export const ENGINES = enginesFrom(process.env.SSE_BROWSERS || 'chromium,webkit');

/** @param {string} list */
function enginesFrom(list) {
  const engines = list.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = engines.filter((name) => !Object.hasOwn(LAUNCHERS, name));
  if (unknown.length > 0) {
    throw new Error(`SSE_BROWSERS=${list}: unknown engine ${unknown.join(', ')} (known: ${Object.keys(LAUNCHERS).join(', ')})`);
  }
  return engines;
}

/**
 * `engine`'s browser: Chromium through Playwright, or WebKit through
 * WebDriver (tests/webdriver/, the same subset of Playwright's API; it needs
 * an X display: .ci/with-xvfb.sh).
 * @param {string} engine one of ENGINES
 */
export function launchBrowser(engine) {
  return LAUNCHERS[engine]();
}

/**
 * A page that records uncaught exceptions, unhandled rejections and console
 * errors, so a test can assert that a scenario ran without a script
 * failing behind the scenes: `problems()` resolves to those seen so far.
 * `expected`: console errors the scenario causes on purpose.
 *
 * Chromium: Playwright's events, from the page's first script on, with the
 * messages Chromium logs by itself (it logs every failed resource load, a
 * 401 included). WebKit: WebDriver has no such events, and the demo
 * server's pages cannot load a probe first, so the probe
 * (recordPageErrors) is installed right after each `goto`: WebKit sees the
 * scripts' errors from after load only, and none the browser logs itself.
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} engine
 * @param {RegExp[]} [expected]
 */
export async function newPage(context, engine, expected = []) {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const isExpected = (text) => expected.some((re) => re.test(text));
  if (engine === 'webkit') {
    page.addScriptAfterLoad(recordPageErrors);
    const unexpected = (problem) => !(problem.startsWith('console.error: ') && isExpected(problem));
    return { page, problems: async () => (await pageErrors(page)).filter(unexpected) };
  }
  const reported = chromiumConsole(page);
  // A cut connection is logged by Chromium as a failed resource load
  // (net::ERR_INCOMPLETE_CHUNKED_ENCODING): that one is the point of the
  // drop button, not a bug.
  const unexpected = (problem) =>
    !(problem.startsWith(CONSOLE_ERROR) && (/ERR_INCOMPLETE_CHUNKED_ENCODING/.test(problem) || isExpected(problem)));
  return { page, problems: async () => reported.problems.filter(unexpected) };
}

/** How `chromiumConsole` labels a console error among its problems. */
const CONSOLE_ERROR = 'console: ';

/**
 * What Chromium reports about `page` through Playwright, from the page's
 * first script on, as it happens: `problems`, its uncaught errors
 * (`uncaught: …`) and console errors (`console: …`), the messages Chromium
 * logs by itself (a failed resource load, a cut response) included, which
 * no script in the page can see; and `warnings`, its console warnings.
 * @param {import('playwright-core').Page} page
 */
export function chromiumConsole(page) {
  const problems = [];
  const warnings = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${CONSOLE_ERROR}${message.text()}`);
    if (message.type() === 'warning') warnings.push(message.text());
  });
  return { problems, warnings };
}

/**
 * Saves a screenshot of `page` as build/screenshots/NAME.png, or
 * NAME-ENGINE.png for an engine other than Chromium (whose pictures the
 * README shows); returns the PNG bytes.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 * @param {string} [engine]
 */
export async function screenshot(page, name, engine = 'chromium') {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = engine === 'chromium' ? `${name}.png` : `${name}-${engine}.png`;
  return page.screenshot({ path: join(SCREENSHOTS, file), fullPage: false });
}

/** Text content of every element matching `selector`. */
export function texts(page, selector) {
  return page.locator(selector).allTextContents();
}

/**
 * A `width` x `height` PNG filled with a horizontal gradient of `rgb`,
 * encoded by hand (zlib's deflate and CRC-32, nothing else).
 * @param {number} width
 * @param {number} height
 * @param {[number, number, number]} rgb
 */
export function makePng(width, height, [r, g, b]) {
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3); // filter byte 0, then RGB
    for (let x = 0; x < width; x++) {
      const shade = 0.5 + (0.5 * x) / width;
      row.set([Math.round(r * shade), Math.round(g * shade), Math.round(b * shade)], 1 + x * 3);
    }
    rows.push(row);
  }
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Reads a `text/event-stream` response until `count` events have arrived,
 * then cancels it. Returns the events as `{ id, event, data }` (a minimal
 * parser: enough for the demo server's output).
 * @param {Response} response
 * @param {number} count
 */
export async function readEvents(response, count) {
  const stream = eventReader(response);
  const events = [];
  try {
    while (events.length < count) {
      const event = await stream.next();
      if (event === null) break;
      events.push(event);
    }
  } finally {
    await stream.cancel();
  }
  return events;
}

/**
 * A `text/event-stream` response read one event at a time: `next()`
 * resolves to the next event as `{ id, event, data }`, or null when the
 * stream ends; `cancel()` closes it (the server sees the connection go).
 * @param {Response} response
 */
export function eventReader(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = parseBlock(block);
          if (event !== null) return event;
        }
        const { value, done } = await reader.read();
        if (done) return null;
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

/** One event's lines as `{ id, event, data }`, or null without data. */
function parseBlock(block) {
  const fields = { id: undefined, event: 'message', data: [] };
  let hasData = false;
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === 0) continue; // comment
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'data') {
      fields.data.push(value);
      hasData = true;
    } else if (name === 'id' || name === 'event') {
      fields[name] = value;
    }
  }
  return hasData ? { id: fields.id, event: fields.event, data: fields.data.join('\n') } : null;
}
