// WebKit (WebKitGTK's MiniBrowser) for the browser tests, driven over W3C
// WebDriver by WebKitWebDriver, behind the subset of Playwright's Browser,
// BrowserContext and Page the tests use, so one test runs in either engine.
//
// WebKitWebDriver serves a single session at a time, and each session is a
// fresh MiniBrowser process: a context here is a driver of its own with
// its session, so contexts are isolated (cookies, cache) and can be open
// at the same time.

import { startDriver } from './driver.mjs';
import { Page } from './page.mjs';
import { command } from './protocol.mjs';

/** The driver Debian's webkit2gtk-driver package installs. */
const WEBKIT_WEBDRIVER = process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver';

/**
 * A fresh MiniBrowser window, as Playwright's BrowserContext: `newPage()`
 * gives its page (one per context), `close()` ends it.
 * @param {{ viewport?: { width: number, height: number } }} [options]
 */
async function startContext({ viewport } = {}) {
  const driver = await startDriver(WEBKIT_WEBDRIVER);
  let session;
  /** Ends the session (MiniBrowser quits), if it began, and stops the driver. */
  const end = async () => {
    try {
      if (session) await command('DELETE', session);
    } finally {
      await driver.close();
    }
  };
  let page;
  try {
    const { sessionId } = await command('POST', `${driver.url}/session`, { capabilities: {} });
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
      if (pageTaken) throw new Error('a WebKit context over WebDriver has one page: open another context');
      pageTaken = true;
      return page;
    },
    /** Ends the context; closing it again does nothing. */
    close: () => (closed ??= end()),
  };
}

/**
 * WebKit as a Playwright-like Browser: `newContext({ viewport })` starts a
 * MiniBrowser; `close()` ends those still open (a failed test leaves its
 * context open). MiniBrowser has no headless mode, so this needs an X
 * display (DISPLAY): run the tests under .ci/with-xvfb.sh.
 */
export async function launchWebKit() {
  if (!process.env.DISPLAY) {
    throw new Error('WebKit (MiniBrowser) needs an X display and DISPLAY is not set: run the tests under .ci/with-xvfb.sh');
  }
  const open = new Set();
  return {
    /**
     * A fresh MiniBrowser, as Playwright's BrowserContext (see `startContext`).
     * @param {{ viewport?: { width: number, height: number } }} [options]
     */
    async newContext(options) {
      const context = await startContext(options);
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
