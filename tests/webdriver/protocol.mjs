// The W3C WebDriver wire protocol: JSON over HTTP, with Node's fetch.

/** The key under which WebDriver serializes an element reference. */
export const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** A command the driver answered with an error (`code`: e.g. `stale element reference`). */
export class WebDriverError extends Error {
  /**
   * @param {string} command
   * @param {{ error: string, message: string }} value
   */
  constructor(command, { error, message }) {
    super(`${command}: ${error}${message ? `: ${message}` : ''}`);
    this.name = 'WebDriverError';
    this.code = error;
  }
}

/**
 * Sends one command (`url` is the driver's, or a session's, plus the
 * command's path) and returns the `value` of the answer; throws a
 * WebDriverError when the driver reports one.
 * @param {'GET' | 'POST' | 'DELETE'} method
 * @param {string} url
 * @param {object} [body]
 */
export async function command(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: body ? { 'content-type': 'application/json; charset=utf-8' } : {},
    body: body && JSON.stringify(body),
  });
  const { value } = await response.json();
  if (!response.ok) throw new WebDriverError(`${method} ${new URL(url).pathname}`, value);
  return value;
}
