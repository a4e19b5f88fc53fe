// What went wrong in a page, seen from inside it: WebDriver has no
// equivalent of Playwright's `pageerror` and `console` events, so a probe
// in the page records errors where the test can read them.

/**
 * Runs in the page (self-contained): records into `window.pageErrors`
 * every uncaught exception, unhandled promise rejection and
 * `console.error` call from then on. Installing it again does nothing.
 * Messages the browser logs by itself (a failed resource load, a CSP
 * violation report) are no script's doing and stay out of its sight.
 */
export function recordPageErrors() {
  if (window.pageErrors) return;
  const errors = (window.pageErrors = []);
  const describe = (value) => (value instanceof Error ? `${value.name}: ${value.message}` : String(value));
  window.addEventListener('error', (event) => errors.push(`pageerror: ${event.error ? describe(event.error) : event.message}`));
  window.addEventListener('unhandledrejection', (event) => errors.push(`unhandledrejection: ${describe(event.reason)}`));
  const consoleError = console.error;
  console.error = function error(...args) {
    errors.push(`console.error: ${args.map(describe).join(' ')}`);
    return consoleError.apply(this, args);
  };
}

/**
 * The errors `recordPageErrors` has recorded in `page` so far (a problem of
 * its own if the probe is missing, so a test cannot pass unwatched).
 * @param {{ evaluate: (fn: () => any) => Promise<any> }} page
 * @returns {Promise<string[]>}
 */
export function pageErrors(page) {
  return page.evaluate(() => window.pageErrors ?? ['the page-error probe is not installed in this page']);
}
