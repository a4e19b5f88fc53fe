// Playwright's Page, the part the browser tests use, over one WebDriver
// session (one browser window).

import { writeFile } from 'node:fs/promises';

import { setInputFiles } from './in-page.mjs';
import { Locator } from './locator.mjs';
import { command } from './protocol.mjs';
import { until } from './until.mjs';

/**
 * The script WebDriver's Execute Async Script runs: calls the function
 * `source` with the arguments and reports what it returns (awaited) or
 * throws. WebDriver resolves the call through the callback it appends to
 * the arguments; a returned promise alone would not end it. An undefined
 * result is reported as no `value` at all: WebKit would turn it into null.
 * @param {string} source
 */
function asyncScript(source) {
  return `const done = arguments[arguments.length - 1];
const args = Array.prototype.slice.call(arguments, 0, -1);
Promise.resolve()
  .then(() => (${source})(...args))
  .then((value) => done(value === undefined ? {} : { value }), (error) => done({ error: String(error) }));`;
}

/**
 * What `page.request.get` returns, as Playwright's APIResponse: the status,
 * the headers (lower-case names) and the body, read in full.
 * @param {Response} response
 */
async function apiResponse(response) {
  const body = Buffer.from(await response.arrayBuffer());
  return {
    status: () => response.status,
    headers: () => Object.fromEntries(response.headers),
    body: async () => body,
    text: async () => body.toString('utf8'),
  };
}

export class Page {
  /** The session's URL (`http://driver/session/<id>`). */
  #session;
  /** How long waits last: Playwright's default, until `setDefaultTimeout`. */
  #timeoutMs = 30_000;
  /** @type {Function[]} */
  #afterLoad = [];
  /** @type {import('./locator.mjs').Frame} */
  #frame = {
    execute: (source, args) => this.#execute(source, args),
    command: (method, path, body) => command(method, `${this.#session}${path}`, body),
    timeoutMs: () => this.#timeoutMs,
  };

  /**
   * HTTP requests from the test, as Playwright's `page.request` (here
   * Node's fetch: the pages under test set no cookies to share).
   */
  request = {
    /**
     * GETs `url`; resolves once the whole body is there.
     * @param {string} url
     */
    get: async (url) => apiResponse(await fetch(url)),
  };

  /** @param {string} session the session's URL */
  constructor(session) {
    this.#session = session;
  }

  /**
   * How long waits (locators, `waitForFunction`) last before failing.
   * @param {number} timeoutMs
   */
  setDefaultTimeout(timeoutMs) {
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Resizes the window so that the page's viewport (`innerWidth` x
   * `innerHeight`) is `width` x `height`: the window is set to that size,
   * then grown by what its toolbar took.
   * @param {{ width: number, height: number }} size
   */
  async setViewportSize({ width, height }) {
    await this.#frame.command('POST', '/window/rect', { width, height });
    const [innerWidth, innerHeight] = await this.evaluate(() => [window.innerWidth, window.innerHeight]);
    await this.#frame.command('POST', '/window/rect', { width: 2 * width - innerWidth, height: 2 * height - innerHeight });
  }

  /**
   * Runs `fn` in every page `goto` loads, once it has loaded. The nearest
   * WebDriver comes to Playwright's `addInitScript`, which runs before the
   * page's own scripts: whatever happens while the page loads, `fn` is not
   * there to see.
   * @param {() => unknown} fn
   */
  addScriptAfterLoad(fn) {
    this.#afterLoad.push(fn);
  }

  /**
   * Loads `url` and waits for its `load` event (WebDriver's normal page
   * load strategy, like Playwright's default).
   * @param {string} url
   */
  async goto(url) {
    await this.#frame.command('POST', '/url', { url });
    for (const fn of this.#afterLoad) await this.evaluate(fn);
  }

  /**
   * Runs `fn(arg)` in the page and returns its (awaited) result; `arg` and
   * the result travel as JSON. Works under the pages' CSP: WebDriver runs
   * the script itself, it is no `eval` of the page's.
   * @param {(arg?: any) => any} fn
   * @param {unknown} [arg]
   */
  evaluate(fn, arg) {
    return this.#execute(String(fn), [arg]);
  }

  /**
   * Waits until `fn(arg)`, run in the page, returns a truthy value, and
   * returns that value.
   * @param {(arg?: any) => any} fn
   * @param {unknown} [arg]
   */
  waitForFunction(fn, arg) {
    return until(`${fn} to hold`, async () => (await this.evaluate(fn, arg)) || false, this.#timeoutMs);
  }

  /**
   * The elements matching the CSS `selector`, optionally only those whose
   * text contains `hasText` (case-insensitive) or matches it.
   * @param {string} selector
   * @param {{ hasText?: string | RegExp }} [options]
   */
  locator(selector, options) {
    return new Locator(this.#frame, []).locator(selector, options);
  }

  /**
   * Clicks the single element matching `selector`, once it is visible.
   * @param {string} selector
   */
  click(selector) {
    return this.locator(selector).click();
  }

  /**
   * Types `value` into the single field matching `selector`, replacing its content.
   * @param {string} selector
   * @param {string} value
   */
  fill(selector, value) {
    return this.locator(selector).fill(value);
  }

  /**
   * Gives the file input matching `selector` the file(s) described, as if
   * picked by a person (`input` and `change` fire).
   * @param {string} selector
   * @param {{ name: string, mimeType: string, buffer: Buffer } | { name: string, mimeType: string, buffer: Buffer }[]} files
   */
  setInputFiles(selector, files) {
    const described = [files].flat().map(({ name, mimeType, buffer }) => ({ name, mimeType, base64: buffer.toString('base64') }));
    return this.locator(selector).evaluate(setInputFiles, described);
  }

  /**
   * A PNG of the viewport (what WebDriver's Take Screenshot captures, like
   * Playwright's default `fullPage: false`), written to `path` if given.
   * @param {{ path?: string }} [options]
   * @returns {Promise<Buffer>}
   */
  async screenshot({ path } = {}) {
    const png = Buffer.from(await this.#frame.command('GET', '/screenshot'), 'base64');
    if (path) await writeFile(path, png);
    return png;
  }

  /** Runs the function `source` in the page with `args` (see `asyncScript`). */
  async #execute(source, args) {
    const { value, error } = await this.#frame.command('POST', '/execute/async', { script: asyncScript(source), args });
    if (error !== undefined) throw new Error(`in the page: ${error}`);
    return value;
  }
}
