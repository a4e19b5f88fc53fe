// The arguments of `new SSEClient(url, options)`: the URL resolved and
// checked, the options checked, defaulted and put in the canonical form
// that the client (src/web/client.js) reads. A wasm-bindgen snippet, like
// runtime.js and client.js.
//
// These are the only option rules: the Rust API's builder
// (src/web/rust_api/builder.rs) writes a JavaScript options object and has
// it checked here too, so both APIs accept and reject the same things with
// the same messages. The defaults are those of `RetryOptions::default`
// (src/core/retry.rs) and the README's options table.

import { SSEError } from './runtime.js';

/** Every option, as the "unknown option" message lists them. */
const KNOWN = [
  'transport',
  'withCredentials',
  'json',
  'headers',
  'method',
  'body',
  'signal',
  'lastEventId',
  'lastEventIdParam',
  'onUnauthorized',
  'retry',
  'interval',
  'idleTimeoutMs',
  'pauseWhenHidden',
  'maxEventSize',
];

/** The keys of the `retry` object. */
const RETRY_KEYS = ['maxAttempts', 'initialDelayMs', 'maxDelayMs', 'factor', 'jitter', 'healthyAfterMs'];

/** The largest whole number the engine keeps (`u32::MAX`). */
const U32_MAX = 4294967295;

/** The largest delay a timer takes (`i32::MAX`). */
const MAX_MS = 2147483647;

/** An RFC 9110 token: a header name or a method. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** What a header value cannot carry: NUL, CR, LF, or more than a byte. */
const NOT_A_HEADER_BYTE = /[\x00\r\n\u0100-\uffff]/;

/**
 * What the client and the Rust API use, under one name, as runtime.js
 * does: the wasm would import a function of this module that needs no glue
 * straight from the module, out of reach of .ci/minify-imports.mjs.
 */
export const options = { normalizeOptions, headerList, credentials, checkUrl, messageOf };

/** Why a URL with `user:password@` is refused. */
const CREDENTIALS_IN_URL =
  'credentials in the URL (user:password@) are not allowed; send them in a header (the `headers` option)';

/**
 * Resolves `url` against the page (or worker) location; http(s) only, and
 * no credentials (`user:password@`: `fetch` refuses such a URL at every
 * attempt, quoting it, and a secret in a URL leaks into logs). Returns
 * `[href]`, or `[shown, reason]` when refused, `shown` being the URL
 * without its credentials, textually if it does not parse: errors end up
 * in logs.
 */
function checkUrl(url) {
  const given = String(url);
  const shown = withoutCredentials(given);
  let parsed;
  try {
    parsed = new URL(given, globalThis.location?.href);
  } catch (error) {
    // Firefox's parse error quotes the input.
    const message = messageOf(error);
    return [shown, shown === given ? message : message.split(given).join(shown)];
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return [shown, `the scheme "${parsed.protocol}" is not supported; use http: or https:`];
  }
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = '';
    parsed.password = '';
    return [parsed.href, CREDENTIALS_IN_URL];
  }
  return [parsed.href];
}

/**
 * `url` without the `user:password@` of its authority, textually (so also
 * for a URL that does not parse): `https://user:pw@host/x` is shown as
 * `https://host/x`.
 */
function withoutCredentials(url) {
  const slashes = url.indexOf('//');
  // Only a `scheme://` or a leading `//` starts an authority.
  if (slashes < 0 || !/^[A-Za-z0-9+.-]*:?$/.test(url.slice(0, slashes))) return url;
  const start = slashes + 2;
  const rest = url.slice(start);
  const end = rest.search(/[/\\?#]/);
  const at = (end < 0 ? rest : rest.slice(0, end)).lastIndexOf('@');
  return at < 0 ? url : url.slice(0, start) + rest.slice(at + 1);
}

/** An `SSEError` of kind `invalid-option` naming `option`. */
function invalid(option, message) {
  return new SSEError('invalid-option', `option \`${option}\`: ${message}`, { option });
}

/**
 * Checks `options` and returns them in canonical form, an object of every
 * option but `share` (js/client.js's), with these differences:
 *
 * - `transport`: `'fetch'` or `'eventsource'` (`'auto'` resolved).
 * - `headers`: `null` without the option, else `[name, value]` pairs
 *   (empty when the option is a function, which is `headerProvider`).
 * - `body`: `undefined`, or what `fetch` sends; `bodyIsJson` when it was
 *   serialised from an object (`Content-Type: application/json`).
 * - `signal`, `lastEventIdParam`, `onUnauthorized`: `undefined` when absent.
 * - `retry`: `null` (never retry) or `[maxAttempts, initialDelayMs,
 *   maxDelayMs, factor, jitter, healthyAfterMs]` (the engine's argument),
 *   `maxAttempts` being `Infinity` for no limit; `interval` is folded in.
 * - `idleTimeoutMs`: `null` when off.
 *
 * Throws an `SSEError` of kind `invalid-option` naming the first offending
 * option. `undefined` and `null` mean every default.
 */
function normalizeOptions(options) {
  // `instanceof Object` is the test the client always made (it refuses an
  // object from `Object.create(null)` or from another realm).
  if (options === undefined || options === null) {
    options = {};
  } else if (!(options instanceof Object) || typeof options === 'function' || Array.isArray(options)) {
    throw invalid('options', 'expected an object');
  }
  rejectUnknown(options, KNOWN, '');

  const transport = string(options, 'transport') ?? 'auto';
  if (transport !== 'auto' && transport !== 'fetch' && transport !== 'eventsource') {
    throw invalid('transport', `expected "auto", "fetch" or "eventsource", got "${transport}"`);
  }
  const withCredentials = boolean(options, 'withCredentials') ?? false;
  const json = boolean(options, 'json') ?? false;

  const headersOption = get(options, 'headers');
  let headers = null;
  let headerProvider;
  if (typeof headersOption === 'function') {
    headers = [];
    headerProvider = headersOption;
  } else if (headersOption !== undefined) {
    headers = headerList(headersOption);
    if (typeof headers === 'string') throw invalid('headers', headers);
  }

  const method = string(options, 'method') ?? 'GET';

  let body = get(options, 'body');
  const hasBody = body !== undefined;
  let bodyIsJson = false;
  if (hasBody && !sentAsIs(body)) {
    if (!isPlainObject(body) && !Array.isArray(body)) {
      throw invalid(
        'body',
        'expected a string, URLSearchParams, Blob, ArrayBuffer, typed array, FormData, or a plain object (sent as JSON)',
      );
    }
    try {
      body = JSON.stringify(body);
    } catch (error) {
      throw invalid('body', `cannot be serialised as JSON: ${messageOf(error)}`);
    }
    bodyIsJson = true;
  }

  const signal = get(options, 'signal');
  if (signal !== undefined && !isInstance(signal, 'AbortSignal')) {
    throw invalid('signal', 'expected an AbortSignal');
  }
  const lastEventId = string(options, 'lastEventId') ?? '';
  const lastEventIdParam = string(options, 'lastEventIdParam');
  const onUnauthorized = get(options, 'onUnauthorized');
  if (onUnauthorized !== undefined && typeof onUnauthorized !== 'function') {
    throw invalid('onUnauthorized', 'expected a function');
  }
  const retry = readRetry(options);
  const idle = number(options, 'idleTimeoutMs');
  const idleTimeoutMs = idle === undefined || idle === 0 ? null : milliseconds('idleTimeoutMs', idle);
  const pauseWhenHidden = boolean(options, 'pauseWhenHidden') ?? false;
  const maxEventSize = number(options, 'maxEventSize') ?? 1048576;
  if (!(maxEventSize >= 1 && Number.isInteger(maxEventSize) && maxEventSize <= U32_MAX)) {
    throw invalid('maxEventSize', 'expected a whole number of bytes >= 1');
  }

  // What spans several options.
  if (!TOKEN.test(method)) throw invalid('method', 'not a valid HTTP method');
  // A token is ASCII, so `toUpperCase` compares as Rust's `eq_ignore_ascii_case`.
  const upperMethod = method.toUpperCase();
  if (hasBody && (upperMethod === 'GET' || upperMethod === 'HEAD')) {
    throw invalid('body', `a ${method} request cannot have a body; set \`method: 'POST'\``);
  }
  if (lastEventIdParam === '') throw invalid('lastEventIdParam', 'must not be empty');
  if (retry !== null) checkRetry(retry);

  // `auto` picks fetch when a fetch-only option is present or a starting
  // last event ID must go out as a header; otherwise the native EventSource.
  let fetchOnly;
  if (headers !== null) fetchOnly = 'headers';
  else if (upperMethod !== 'GET') fetchOnly = 'method';
  else if (hasBody) fetchOnly = 'body';
  else if (onUnauthorized !== undefined) fetchOnly = 'onUnauthorized';
  const needsFetchForId = lastEventId !== '' && lastEventIdParam === undefined;
  if (transport === 'eventsource') {
    if (fetchOnly !== undefined) {
      throw invalid(fetchOnly, 'needs the fetch transport; the native EventSource cannot send it');
    }
    if (needsFetchForId) {
      throw invalid(
        'lastEventId',
        'the native EventSource cannot send a starting Last-Event-ID header; set `lastEventIdParam` or use the fetch transport',
      );
    }
  }
  const resolved = transport === 'fetch' || (transport === 'auto' && (fetchOnly !== undefined || needsFetchForId));

  return {
    transport: resolved ? 'fetch' : 'eventsource',
    withCredentials,
    json,
    headers,
    headerProvider,
    method,
    body,
    bodyIsJson,
    signal,
    lastEventId,
    lastEventIdParam,
    onUnauthorized,
    retry: retry && [
      retry.maxAttempts,
      retry.initialDelayMs,
      retry.maxDelayMs,
      retry.factor,
      retry.jitter,
      retry.healthyAfterMs,
    ],
    idleTimeoutMs,
    pauseWhenHidden,
    maxEventSize,
  };
}

/**
 * The `[name, value]` pairs of a plain object of header names to string
 * values (the `headers` option, or what a `headers` function returned),
 * checked as `fetch` would check them; or a string saying what is wrong.
 */
function headerList(value) {
  if (!isPlainObject(value)) {
    return 'expected an object of header names to string values, or a function returning one';
  }
  const pairs = Object.entries(value);
  for (const [name, text] of pairs) {
    if (typeof text !== 'string') return `the value of header "${name}" is not a string`;
  }
  for (const [name, text] of pairs) {
    if (!TOKEN.test(name)) return `"${name}" is not a valid header name`;
    if (NOT_A_HEADER_BYTE.test(text)) return `the value of header "${name}" has characters a header cannot carry`;
  }
  return pairs;
}

/**
 * The headers an `onUnauthorized` answer asks for, as `[name, value]`
 * pairs: none for `true` (the `headers` function makes the fresh token),
 * `Authorization: Bearer <token>` for a string, those of a header object;
 * or `null` to give up, for anything else. Headers `fetch` would refuse
 * also give up: `Headers.set` would throw an error that quotes the token
 * (Firefox: "Headers.set: Bearer ... is an invalid header value").
 */
function credentials(value) {
  if (value === true) return [];
  if (typeof value === 'string') value = { Authorization: `Bearer ${value}` };
  else if (typeof value !== 'object' || value === null) return null;
  const pairs = headerList(value);
  return typeof pairs === 'string' ? null : pairs;
}

/**
 * The retry policy, or `null` for none. `retry` is `false`, `true`, a
 * number or an object; the seed SDK's `{ retry: 5, interval: 3000 }` means
 * 5 retries after the first attempt and 3000 ms before the first retry.
 */
function readRetry(options) {
  const interval = number(options, 'interval');
  const value = get(options, 'retry');
  const retry = {
    maxAttempts: 10,
    initialDelayMs: 1000,
    maxDelayMs: 30000,
    factor: 2,
    jitter: 0.5,
    healthyAfterMs: 30000,
  };
  if (value === false) {
    if (interval !== undefined) throw invalid('interval', 'has no effect with `retry: false`');
    return null;
  } else if (typeof value === 'number') {
    if (value === 0) return null;
    // The number of retries; maxAttempts counts the first attempt too.
    const retries = attempts('retry', value);
    retry.maxAttempts = retries === Infinity ? Infinity : Math.min(retries + 1, U32_MAX);
  } else if (isPlainObject(value)) {
    rejectUnknown(value, RETRY_KEYS, 'retry.');
    const maxAttempts = number(value, 'maxAttempts', 'retry.');
    if (maxAttempts !== undefined) retry.maxAttempts = attempts('retry.maxAttempts', maxAttempts);
    const initialDelayMs = number(value, 'initialDelayMs', 'retry.');
    if (initialDelayMs !== undefined) {
      if (interval !== undefined) throw invalid('interval', 'conflicts with `retry.initialDelayMs`; use one');
      retry.initialDelayMs = milliseconds('retry.initialDelayMs', initialDelayMs);
    }
    const maxDelayMs = number(value, 'maxDelayMs', 'retry.');
    retry.maxDelayMs =
      maxDelayMs === undefined
        ? // Only the default cap: let it rise to an explicit initial delay.
          Math.max(retry.maxDelayMs, retry.initialDelayMs)
        : milliseconds('retry.maxDelayMs', maxDelayMs);
    retry.factor = number(value, 'factor', 'retry.') ?? retry.factor;
    retry.jitter = number(value, 'jitter', 'retry.') ?? retry.jitter;
    const healthyAfterMs = number(value, 'healthyAfterMs', 'retry.');
    if (healthyAfterMs !== undefined) retry.healthyAfterMs = milliseconds('retry.healthyAfterMs', healthyAfterMs);
  } else if (value !== undefined && value !== true) {
    throw invalid('retry', 'expected false, true, a number of attempts, or an object');
  }
  if (interval !== undefined) {
    retry.initialDelayMs = milliseconds('interval', interval);
    retry.maxDelayMs = Math.max(retry.maxDelayMs, retry.initialDelayMs);
  }
  return retry;
}

/** The retry policy's own rules (`RetryOptions::validate`), for the checks reading alone does not make. */
function checkRetry(retry) {
  if (retry.maxDelayMs < retry.initialDelayMs) {
    throw invalid(
      'retry.maxDelayMs',
      `must be at least initialDelayMs (${retry.initialDelayMs}), got ${retry.maxDelayMs}`,
    );
  }
  if (!(Number.isFinite(retry.factor) && retry.factor >= 1)) {
    throw invalid('retry.factor', 'must be a finite number >= 1');
  }
  if (!(retry.jitter >= 0 && retry.jitter <= 1)) {
    throw invalid('retry.jitter', 'must be between 0 and 1');
  }
}

/** A number of attempts: a whole number >= 1, or `Infinity` for no limit. */
function attempts(option, n) {
  if (n === Infinity || (n >= 1 && Number.isInteger(n) && n <= U32_MAX)) return n;
  throw invalid(option, 'expected a whole number >= 1 or Infinity');
}

/** A delay, rounded to whole milliseconds a timer accepts. */
function milliseconds(option, ms) {
  if (ms >= 0 && ms <= MAX_MS) return Math.round(ms);
  throw invalid(option, 'expected milliseconds between 0 and 2147483647');
}

/** Throws for the first own key of `object` not in `known`. */
function rejectUnknown(object, known, prefix) {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      throw invalid(prefix + key, `unknown option; known: ${known.join(', ')}`);
    }
  }
}

/**
 * `object[key]`, `undefined` when absent. A throwing getter is reported as
 * an invalid option, named with `prefix` (`retry.`).
 */
function get(object, key, prefix = '') {
  try {
    return object[key];
  } catch (error) {
    throw invalid(prefix + key, messageOf(error));
  }
}

/** `object[key]` if it is a boolean, `undefined` when absent. */
function boolean(object, key) {
  const value = get(object, key);
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalid(key, 'expected true or false');
}

/** `object[key]` if it is a string, `undefined` when absent. */
function string(object, key) {
  const value = get(object, key);
  if (value === undefined || typeof value === 'string') return value;
  throw invalid(key, 'expected a string');
}

/** `object[key]` if it is a number other than NaN, `undefined` when absent. */
function number(object, key, prefix = '') {
  const value = get(object, key, prefix);
  if (value === undefined || (typeof value === 'number' && !Number.isNaN(value))) return value;
  throw invalid(prefix + key, 'expected a number');
}

/** Whether `fetch` takes `body` as it is. */
function sentAsIs(body) {
  return (
    typeof body === 'string' ||
    isInstance(body, 'URLSearchParams') ||
    isInstance(body, 'Blob') ||
    isInstance(body, 'ArrayBuffer') ||
    ArrayBuffer.isView(body) ||
    isInstance(body, 'FormData')
  );
}

/** `value instanceof globalThis[name]`; false where there is no such class. */
function isInstance(value, name) {
  const type = globalThis[name];
  return typeof type === 'function' && value instanceof type;
}

/** True for `{...}` literals and `Object.create(null)`: what JSON can carry. */
function isPlainObject(value) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/** The `message` of a thrown value, or the value if it is a string. */
function messageOf(error) {
  try {
    if (typeof error.message === 'string') return error.message;
  } catch {
    // `null`, `undefined`, or a throwing getter.
  }
  return typeof error === 'string' ? error : 'unknown error';
}
