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
//
// Written for size, as every page downloads it: the options are a table
// of rules, one per option in the order of the checks, read by one
// function (`read`) that also reads the `retry` object; the rules share
// one template for most messages ("expected ...").

import { makeError } from './runtime.js';

/**
 * What the client and the Rust API use, under one name, as runtime.js
 * does: the wasm would import a function of this module that needs no glue
 * straight from the module, out of reach of .ci/minify-imports.mjs.
 */
export const options = { normalizeOptions, headerList, credentials, checkUrl, messageOf };

/** The classes `fetch` sends as they are (besides strings and typed arrays). */
const BODIES = ['URLSearchParams', 'Blob', 'ArrayBuffer', 'FormData'];

/** The largest whole number the engine keeps (`u32::MAX`). */
const U32_MAX = 4294967295;

/** The largest delay a timer takes (`i32::MAX`). */
const MAX_MS = 2147483647;

/** An RFC 9110 token: a header name or a method. */
const TOKEN = /^[\w!#$%&'*+.^`|~-]+$/;

/** What a header value cannot carry: NUL, CR, LF, or more than a byte. */
const NOT_A_HEADER_BYTE = /[\0\r\n\u0100-\uffff]/;

/** An `SSEError` of kind `invalid-option` naming `option`: "option `x`: message". */
const invalid = (option, message) => makeError('invalid-option', message, { option });

/** Throws "option `option`: expected `what`" unless `ok`. */
const check = (ok, option, what) => {
  if (!ok) throw invalid(option, `expected ${what}`);
};

/**
 * `value` if absent (then `dflt`) or of `typeof` `type` (a number: not
 * NaN); else throws, naming `option`.
 */
const typed = (value, option, type, dflt) => {
  check(value === undefined || (typeof value == type && value === value), option, `a ${type}`);
  return value ?? dflt;
};

/** The rule of an option of `typeof` `type`, `dflt` when absent (see `typed`). */
const rule = (type, dflt) => (value, option) => typed(value, option, type, dflt);

/** A whole number the engine keeps, >= 1. */
const whole = (n) => n >= 1 && n <= U32_MAX && n % 1 == 0;

/**
 * A number of attempts: a whole number >= 1, or `Infinity` for no limit;
 * `dflt` when absent.
 */
const attempts = (n, option, dflt) => {
  n = typed(n, option, 'number', dflt);
  check(n === Infinity || whole(n), option, 'a whole number >= 1 or Infinity');
  return n;
};

/** A delay, rounded to whole milliseconds a timer accepts; `dflt` when absent. */
const milliseconds = (ms, option, dflt) => {
  ms = typed(ms, option, 'number', dflt);
  check(ms >= 0 && ms <= MAX_MS, option, `milliseconds between 0 and ${MAX_MS}`);
  return Math.round(ms);
};

/** `value instanceof globalThis[name]`; false where there is no such class. */
const isInstance = (value, name) => typeof globalThis[name] == 'function' && value instanceof globalThis[name];

/** True for `{...}` literals and `Object.create(null)`: what JSON can carry. */
const isPlainObject = (value) =>
  typeof value == 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  [null, Object.prototype].includes(Object.getPrototypeOf(value));

/**
 * Every option, in the order of the checks (the "unknown option" message
 * lists them in this order), and its rule: a default, for an option of
 * the default's type (see `typed`), or a function `(value, option, out)`,
 * with `value` `undefined` when absent, `option` the name errors give,
 * and `out` the canonical options read so far, that returns the canonical
 * value or throws. `interval` is read before `retry`, which folds it in.
 */
const OPTIONS = {
  /** `'auto'`, `'fetch'` or `'eventsource'`; `normalizeOptions` resolves `'auto'`. */
  transport: (value, option) => {
    value = typed(value, option, 'string', 'auto');
    check(['auto', 'fetch', 'eventsource'].includes(value), option, `"auto", "fetch" or "eventsource", got "${value}"`);
    return value;
  },
  withCredentials: false,
  json: false,
  /**
   * `null` when absent, else `[name, value]` pairs; a function is
   * `headerProvider`, and the pairs are then empty.
   */
  headers: (value, option, out) => {
    if (typeof value == 'function') {
      out.headerProvider = value;
      return [];
    }
    if (value === undefined) return null;
    value = headerList(value);
    if (typeof value == 'string') throw invalid(option, value);
    return value;
  },
  method: 'GET',
  /**
   * What `fetch` sends: the value as it is, or serialised as JSON from a
   * plain object or array (`bodyIsJson`: `Content-Type: application/json`).
   */
  body: (value, option, out) => {
    out.bodyIsJson =
      value !== undefined &&
      typeof value != 'string' &&
      !ArrayBuffer.isView(value) &&
      !BODIES.some((name) => isInstance(value, name));
    if (!out.bodyIsJson) return value;
    check(
      isPlainObject(value) || Array.isArray(value),
      option,
      `a string, ${BODIES.join(', ')}, typed array, plain object or array`,
    );
    try {
      return JSON.stringify(value);
    } catch (error) {
      throw invalid(option, `cannot be serialised as JSON: ${messageOf(error)}`);
    }
  },
  /** An `AbortSignal`, or `undefined`. */
  signal: (value, option) => {
    check(value === undefined || isInstance(value, 'AbortSignal'), option, 'an AbortSignal');
    return value;
  },
  lastEventId: '',
  lastEventIdParam: rule('string'),
  onUnauthorized: rule('function'),
  interval: rule('number'),
  /** The engine's array, or `null` (see `readRetry`). */
  retry: (value, option, out) => readRetry(value, out.interval),
  /** Whole milliseconds, or `null` when off (absent or 0). */
  idleTimeoutMs: (value, option) => (typed(value, option, 'number') ? milliseconds(value, option) : null),
  pauseWhenHidden: false,
  /** A whole number of bytes the engine keeps, >= 1. */
  maxEventSize: (value, option) => {
    value = typed(value, option, 'number', 1048576);
    check(whole(value), option, 'a whole number >= 1');
    return value;
  },
};

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
    return [shown, messageOf(error).split(given).join(shown)];
  }
  if (!/^https?:$/.test(parsed.protocol)) {
    return [shown, 'expected an http: or https: URL'];
  }
  // A parsed URL's user and password are percent-encoded: its first `@`
  // ends them.
  const href = withoutCredentials(parsed.href);
  return href == parsed.href
    ? [href]
    : [href, 'credentials (user:password@) are not allowed; send them in a header'];
}

/**
 * `url` without the `user:password@` of its authority, textually (so also
 * for a URL that does not parse): `https://user:pw@host/x` is shown as
 * `https://host/x`. Only a `scheme://` or a leading `//` starts an
 * authority, which ends at the first `/`, `\`, `?` or `#`; the greedy
 * match cuts to its last `@`.
 */
const withoutCredentials = (url) => url.replace(/^([A-Za-z0-9+.-]*:?\/\/)[^/\\?#]*@/, '$1');

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
 *   `maxAttempts` being `Infinity` for no limit; `interval` is folded in
 *   (and left as given, unused).
 * - `idleTimeoutMs`: `null` when off.
 *
 * Throws an `SSEError` of kind `invalid-option` naming the first offending
 * option. `undefined` and `null` mean every default.
 */
function normalizeOptions(options) {
  // `instanceof Object` is the test the client always made (it refuses an
  // object from `Object.create(null)` or from another realm).
  if (options == null) options = {};
  else check(options instanceof Object && typeof options != 'function' && !Array.isArray(options), 'options', 'an object');
  const out = read(options, OPTIONS, '');
  const { retry, transport, method, lastEventIdParam } = out;

  // What spans several options.
  const hasBody = out.bodyIsJson || out.body !== undefined;
  check(TOKEN.test(method), 'method', 'a valid HTTP method');
  // A token is ASCII, so `i` compares as Rust's `eq_ignore_ascii_case`.
  const get = /^get$/i.test(method);
  if (hasBody && /^(get|head)$/i.test(method)) {
    throw invalid('body', `a ${method} request cannot have a body; set \`method: 'POST'\``);
  }
  check(lastEventIdParam !== '', 'lastEventIdParam', 'a non-empty string');
  if (retry) {
    // The retry policy's own rules (`RetryOptions::validate`).
    check(retry[2] >= retry[1], 'retry.maxDelayMs', `at least initialDelayMs (${retry[1]}), got ${retry[2]}`);
    check(retry[3] >= 1 && retry[3] < Infinity, 'retry.factor', 'a finite number >= 1');
    check(retry[4] >= 0 && retry[4] <= 1, 'retry.jitter', 'a number between 0 and 1');
  }

  // `auto` picks fetch when a fetch-only option is present or a starting
  // last event ID must go out as a header; otherwise the native EventSource.
  // (A body is one too, but it came with a method other than GET.)
  const fetchOnly = out.headers
    ? 'headers'
    : !get
      ? 'method'
      : out.onUnauthorized
        ? 'onUnauthorized'
        : out.lastEventId && lastEventIdParam === undefined && 'lastEventId';
  if (fetchOnly && transport == 'eventsource') {
    throw invalid(fetchOnly, `needs the fetch transport${fetchOnly == 'lastEventId' ? ' or `lastEventIdParam`' : ''}`);
  }
  if (transport == 'auto') out.transport = fetchOnly ? 'fetch' : 'eventsource';
  return out;
}

/**
 * Reads `object` by `rules` (see `OPTIONS`), refusing first the keys it
 * has no rule for, then in the rules' order: the canonical values, by
 * name. Errors name `prefix` + the key; a throwing getter is one too.
 */
function read(object, rules, prefix) {
  const known = Object.keys(rules);
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) throw invalid(prefix + key, `unknown option; known: ${known.join(', ')}`);
  }
  const out = {};
  for (const key of known) {
    const option = prefix + key;
    let value;
    try {
      value = object[key];
    } catch (error) {
      throw invalid(option, messageOf(error));
    }
    const rule = rules[key];
    out[key] = typeof rule == 'function' ? rule(value, option, out) : typed(value, option, typeof rule, rule);
  }
  return out;
}

/**
 * The retry policy as the engine's array (in the order of its keys), or
 * `null` for none. `retry` is `false`, `true`, a number or an object; the
 * seed SDK's `{ retry: 5, interval: 3000 }` means 5 retries after the
 * first attempt and 3000 ms before the first retry.
 */
function readRetry(value, interval) {
  if (value === false) {
    if (interval !== undefined) throw invalid('interval', 'conflicts with `retry: false`');
    return null;
  }
  if (value === 0) return null;
  if (typeof value == 'number') {
    // The number of retries; maxAttempts counts the first attempt too.
    const retries = attempts(value, 'retry');
    value = { maxAttempts: retries < U32_MAX ? retries + 1 : retries };
  } else if (value === undefined || value === true) {
    value = {};
  }
  check(isPlainObject(value), 'retry', 'a boolean, a number of retries, or an object');
  // The defaults are `RetryOptions::default`.
  const retry = Object.values(
    read(
      value,
      {
        /** Attempts in a row that deliver no event, the first one included. */
        maxAttempts: (n, option) => attempts(n, option, 10),
        /** The base delay, which `interval` would set too. */
        initialDelayMs: (n, option) => {
          if (typed(n, option, 'number') !== undefined && interval !== undefined) {
            throw invalid('interval', 'conflicts with `retry.initialDelayMs`');
          }
          return milliseconds(n, option, 1000);
        },
        /** The cap; the default one rises to an explicit initial delay. */
        maxDelayMs: (n, option, out) => milliseconds(n, option, Math.max(30000, out.initialDelayMs)),
        factor: 2,
        jitter: 0.5,
        /** How long a connection stays open before the delays start again. */
        healthyAfterMs: (n, option) => milliseconds(n, option, 30000),
      },
      'retry.',
    ),
  );
  if (interval !== undefined) {
    retry[1] = milliseconds(interval, 'interval');
    retry[2] = Math.max(retry[2], retry[1]);
  }
  return retry;
}

/**
 * The `[name, value]` pairs of a plain object of header names to string
 * values (the `headers` option, or what a `headers` function returned),
 * checked as `fetch` would check them; or a string saying what is wrong.
 * Values are never quoted: they carry tokens.
 */
function headerList(value) {
  if (!isPlainObject(value)) {
    return 'expected an object of header names to strings, or a function returning one';
  }
  const pairs = Object.entries(value);
  for (const [name, text] of pairs) {
    if (typeof text != 'string') return `header "${name}": expected a string value`;
  }
  for (const [name, text] of pairs) {
    if (!TOKEN.test(name) || NOT_A_HEADER_BYTE.test(text)) {
      return `header "${name}": ${TOKEN.test(name) ? 'the value has characters a header cannot carry' : 'not a valid name'}`;
    }
  }
  return pairs;
}

/**
 * The headers an `onUnauthorized` answer asks for, as `[name, value]`
 * pairs: none for `true` (the `headers` function makes the fresh token),
 * `Authorization: Bearer <token>` for a string, those of a header object;
 * or `null` to give up, for anything else (`headerList` refuses what is
 * not a plain object). Headers `fetch` would refuse also give up:
 * `Headers.set` would throw an error that quotes the token (Firefox:
 * "Headers.set: Bearer ... is an invalid header value").
 */
function credentials(value) {
  if (value === true) return [];
  const pairs = headerList(typeof value == 'string' ? { Authorization: `Bearer ${value}` } : value);
  return typeof pairs == 'string' ? null : pairs;
}

/** The `message` of a thrown value, or the value if it is a string. */
function messageOf(error) {
  try {
    const message = error.message;
    if (typeof message == 'string') return message;
  } catch {
    // `null`, `undefined`, or a throwing getter.
  }
  return typeof error == 'string' ? error : 'unknown error';
}
