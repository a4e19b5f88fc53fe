// A browser driven over W3C WebDriver, behind the subset of Playwright's
// Browser, BrowserContext and Page the tests use, so one test runs in any
// engine. WebKitWebDriver and geckodriver both serve a single session at a
// time, so a context here is a driver process of its own with its session:
// contexts are isolated (a fresh profile: cookies, cache, storage) and can
// be open at the same time.

import { startDriver } from './driver.mjs';
import { Page } from './page.mjs';
import { command } from './protocol.mjs';

/**
 * A fresh browser window, as Playwright's BrowserContext: `newPage()` gives
 * its page (one per context), `close()` ends it.
 * @param {string} binary the WebDriver server
 * @param {object} capabilities the session's `alwaysMatch` capabilities
 * @param {{ viewport?: { width: number, height: number } }} [options]
 */
async function startContext(binary, capabilities, { viewport } = {}) {
  const driver = await startDriver(binary);
  let session;
  /** Ends the session (the browser quits), if it began, and stops the driver. */
  const end = async () => {
    try {
      if (session) await command('DELETE', session);
    } finally {
      await driver.close();
    }
  };
  let page;
  try {
    const { sessionId } = await command('POST', `${driver.url}/session`, { capabilities: { alwaysMatch: capabilities } });
    session = `${driver.url}/session/${sessionId}`;
    page = new Page(session);
    if (viewport) await page.setViewportSize(viewport);
  } catch (error) {
    await end();
    throw error;
  }
  let pageTaken = false;
  let closed;
  return {
    /** The context's page; WebDriver gives one window per session, so only one. */
    async newPage() {
      if (pageTaken) throw new Error('a context over WebDriver has one page: open another context');
      pageTaken = true;
      return page;
    },
    /** Ends the context; closing it again does nothing. */
    close: () => (closed ??= end()),
  };
}

/**
 * The browser `binary` (a WebDriver server) drives, as a Playwright-like
 * Browser: `newContext({ viewport })` starts a driver and a session with
 * `capabilities`; `close()` ends the contexts still open (a failed test
 * leaves its context open).
 * @param {string} binary
 * @param {object} [capabilities]
 */
export function webDriverBrowser(binary, capabilities = {}) {
  const open = new Set();
  return {
    /**
     * A fresh window, as Playwright's BrowserContext (see `startContext`).
     * @param {{ viewport?: { width: number, height: number } }} [options]
     */
    async newContext(options) {
      const context = await startContext(binary, capabilities, options);
      const close = async () => {
        open.delete(close);
        await context.close();
      };
      open.add(close);
      return { newPage: context.newPage, close };
    },
    /** Closes every context still open. */
    async close() {
      await Promise.all([...open].map((close) => close()));
    },
  };
}
