// Firefox for the browser tests, headless, driven over W3C WebDriver by
// geckodriver, behind the subset of Playwright's Browser, BrowserContext
// and Page the tests use (browser.mjs), so one test runs in any engine.
// Each context is a fresh Firefox process with a fresh profile.

import { webDriverBrowser } from './browser.mjs';

/** geckodriver (`cargo install geckodriver` puts it on PATH). */
const GECKODRIVER = process.env.GECKODRIVER ?? 'geckodriver';
/** Debian's Firefox ESR. */
const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';

/**
 * Firefox as a Playwright-like Browser: `newContext({ viewport })` starts a
 * headless Firefox; `close()` ends those still open. Needs no X display.
 */
export async function launchFirefox() {
  return webDriverBrowser(GECKODRIVER, {
    browserName: 'firefox',
    'moz:firefoxOptions': { binary: FIREFOX, args: ['-headless'] },
  });
}
