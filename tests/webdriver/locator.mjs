// Playwright's Locator, the part the browser tests use, over WebDriver:
// a chain of selectors resolved again on every call, strict (an action on
// a locator matching several elements fails), auto-waiting by polling.

import { findAll, isVisible } from './in-page.mjs';
import { ELEMENT, WebDriverError } from './protocol.mjs';
import { until } from './until.mjs';

/**
 * What a Locator needs from its page.
 * @typedef {object} Frame
 * @property {(source: string, args: unknown[]) => Promise<any>} execute runs a function's source in the page
 * @property {(method: 'GET' | 'POST', path: string, body?: object) => Promise<any>} command a WebDriver command of the session
 * @property {() => number} timeoutMs how long waits last
 */

/**
 * One link of a locator's chain (in-page.mjs's `findAll` resolves it).
 * @typedef {{ selector: string, hasText?: string | { source: string, flags: string } }} Step
 */

/** Errors after which an action is tried again: the element changed under it. */
const RETRIED = new Set(['stale element reference', 'element click intercepted', 'element not interactable']);

/** The states `waitFor` knows, as a test of the matching elements' visibility. */
const STATES = {
  attached: (visible) => visible.length === 1,
  detached: (visible) => visible.length === 0,
  visible: (visible) => visible.length === 1 && visible[0],
  hidden: (visible) => visible.length === 0 || !visible[0],
};

export class Locator {
  /** @type {Frame} */
  #frame;
  /** @type {Step[]} */
  #steps;

  /**
   * @param {Frame} frame
   * @param {Step[]} steps
   */
  constructor(frame, steps) {
    this.#frame = frame;
    this.#steps = steps;
  }

  /** The selectors, for messages. */
  toString() {
    return this.#steps
      .map(({ selector, hasText }) => (hasText === undefined ? selector : `${selector} (text ${JSON.stringify(hasText)})`))
      .join(' >> ');
  }

  /**
   * The elements matching `selector` inside this locator's, optionally only
   * those whose text contains `hasText` (case-insensitive) or matches it.
   * @param {string} selector
   * @param {{ hasText?: string | RegExp }} [options]
   */
  locator(selector, { hasText } = {}) {
    const text = hasText instanceof RegExp ? { source: hasText.source, flags: hasText.flags } : hasText;
    return new Locator(this.#frame, [...this.#steps, { selector, hasText: text }]);
  }

  /** How many elements match now (no waiting). */
  count() {
    return this.#evaluateMatches('(elements) => elements.length');
  }

  /** The text content of every element matching now (no waiting). */
  allTextContents() {
    return this.#evaluateMatches('(elements) => elements.map((element) => element.textContent)');
  }

  /**
   * Runs `fn(elements, arg)` in the page on every element matching now
   * (no waiting) and returns its result.
   * @param {(elements: Element[], arg?: any) => any} fn
   * @param {unknown} [arg]
   */
  evaluateAll(fn, arg) {
    return this.#evaluateMatches(String(fn), arg);
  }

  /**
   * Waits for the single matching element, then runs `fn(element, arg)` in
   * the page and returns its result.
   * @param {(element: Element, arg?: any) => any} fn
   * @param {unknown} [arg]
   */
  evaluate(fn, arg) {
    return this.#evaluateOne(String(fn), arg);
  }

  /**
   * The text content of the single matching element, once there is one.
   * @param {{ timeout?: number }} [options]
   */
  textContent({ timeout } = {}) {
    return this.#evaluateOne('(element) => element.textContent', undefined, timeout);
  }

  /**
   * The attribute `name` of the single matching element (null if absent),
   * once there is one.
   * @param {string} name
   */
  getAttribute(name) {
    return this.#evaluateOne('(element, name) => element.getAttribute(name)', name);
  }

  /** Whether no element matches, or the one that does is not visible (no waiting). */
  async isHidden() {
    return STATES.hidden(await this.#visibility());
  }

  /**
   * Waits until the locator is in `state`: `visible` (the default), `attached`,
   * `hidden` or `detached`.
   * @param {{ state?: keyof typeof STATES, timeout?: number }} [options]
   */
  async waitFor({ state = 'visible', timeout = this.#frame.timeoutMs() } = {}) {
    let last = [];
    await until(
      () => `${this} to be ${state} (matching: ${last.length}, visible: ${last.filter(Boolean).length})`,
      async () => STATES[state]((last = await this.#visibility())),
      timeout,
    );
  }

  /** Clicks the single matching element, once it is visible, as WebDriver does: a real pointer click at its centre. */
  async click() {
    await this.#actOnVisible('click', (element) => this.#frame.command('POST', `/element/${element}/click`, {}));
  }

  /**
   * Types `value` into the single matching field, once it is visible,
   * replacing what it held (WebDriver's Element Clear, then Send Keys).
   * @param {string} value
   */
  async fill(value) {
    await this.#actOnVisible('fill', async (element) => {
      await this.#frame.command('POST', `/element/${element}/clear`, {});
      await this.#frame.command('POST', `/element/${element}/value`, { text: value });
    });
  }

  /** Runs `source` (a function of the matching elements and `arg`) in the page. */
  #evaluateMatches(source, arg) {
    return this.#frame.execute(`(steps, arg) => (${source})((${findAll})(steps), arg)`, [this.#steps, arg]);
  }

  /** The visibility of each matching element; fails if there are several. */
  async #visibility() {
    const visible = await this.#evaluateMatches(`(elements) => elements.map(${isVisible})`);
    this.#assertNotAmbiguous(visible.length);
    return visible;
  }

  /**
   * Waits until exactly one element matches, then runs `source` (a function
   * of that element and `arg`) on it in the same script: a re-render
   * between finding and reading cannot interfere.
   */
  async #evaluateOne(source, arg, timeout = this.#frame.timeoutMs()) {
    // An undefined result travels as no `value` (WebKit would send null).
    const onOne = `async (elements, arg) => {
      if (elements.length !== 1) return { found: elements.length };
      const value = await (${source})(elements[0], arg);
      return value === undefined ? { found: 1 } : { found: 1, value };
    }`;
    let found = 0;
    const outcome = await until(
      () => `${this} to match an element (matching: ${found})`,
      async () => {
        const result = await this.#evaluateMatches(onOne, arg);
        found = result.found;
        this.#assertNotAmbiguous(found);
        return found === 1 && result;
      },
      timeout,
    );
    return outcome.value;
  }

  /**
   * Waits until the single matching element is visible, then runs `action`
   * with its WebDriver id; if the element is replaced or covered meanwhile,
   * looks it up again and retries until the timeout.
   * @param {string} name
   * @param {(elementId: string) => Promise<void>} action
   */
  async #actOnVisible(name, action) {
    const timeout = this.#frame.timeoutMs();
    let lastError;
    await until(
      () => `${this} to ${name} (last error: ${lastError?.message ?? 'none'})`,
      async () => {
        const matches = await this.#evaluateMatches(
          `(elements) => elements.map((element) => ({ element, visible: (${isVisible})(element) }))`,
        );
        this.#assertNotAmbiguous(matches.length);
        if (!matches[0]?.visible) return false;
        try {
          await action(matches[0].element[ELEMENT]);
          return true;
        } catch (error) {
          if (!(error instanceof WebDriverError && RETRIED.has(error.code))) throw error;
          lastError = error;
          return false;
        }
      },
      timeout,
    );
  }

  /** Playwright's strictness: an element-wise call on several elements is a mistake in the test. */
  #assertNotAmbiguous(count) {
    if (count > 1) throw new Error(`strict mode violation: ${this} matches ${count} elements`);
  }
}
