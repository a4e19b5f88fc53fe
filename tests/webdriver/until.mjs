// Waiting for a condition by polling it: what WebDriver offers instead of
// Playwright's auto-waiting, and the one polling loop of the JS and demo
// tests (their waitFor and waitForText are built on it).

import { setTimeout as delay } from 'node:timers/promises';

/** How often a condition is checked again. */
const INTERVAL_MS = 25;

/**
 * Polls `probe` until it returns something other than undefined, null or
 * false, and returns that. After `timeoutMs` it throws, naming `what` (a
 * function is called then, so it can describe the last state seen). A
 * probe that throws fails the wait at once.
 * @template T
 * @param {string | (() => string)} what
 * @param {() => Promise<T | undefined | null | false>} probe
 * @param {number} timeoutMs
 * @returns {Promise<T>}
 */
export async function until(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    }
    await delay(INTERVAL_MS);
  }
}
