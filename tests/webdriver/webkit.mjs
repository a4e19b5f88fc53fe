// WebKit (WebKitGTK's MiniBrowser) for the browser tests, driven over W3C
// WebDriver by WebKitWebDriver, behind the subset of Playwright's Browser,
// BrowserContext and Page the tests use (browser.mjs), so one test runs in
// any engine. Each context is a fresh MiniBrowser process.

import { webDriverBrowser } from './browser.mjs';

/** The driver Debian's webkit2gtk-driver package installs. */
const WEBKIT_WEBDRIVER = process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver';

/**
 * WebKit as a Playwright-like Browser: `newContext({ viewport })` starts a
 * MiniBrowser; `close()` ends those still open. MiniBrowser has no headless
 * mode, so this needs an X display (DISPLAY): run the tests under
 * .ci/with-xvfb.sh.
 */
export async function launchWebKit() {
  if (!process.env.DISPLAY) {
    throw new Error('WebKit (MiniBrowser) needs an X display and DISPLAY is not set: run the tests under .ci/with-xvfb.sh');
  }
  return webDriverBrowser(WEBKIT_WEBDRIVER);
}
