// The JavaScript half of the hot path, and the transports' I/O: a
// wasm-bindgen snippet that the client (client.js) and the engine
// (src/web/engine.rs) use.
// - fetch transport: `FetchSource` sends the request and reads the body;
//   the client hands each chunk to the engine in one call (`feed`), and
//   each event costs one call from the engine into `deliverSpan` (or
//   another `deliver*`), which slices the data (and a new id) out of the
//   chunk's text, decoded once, builds one `SSEEvent` and calls the
//   handlers.
// - native EventSource transport: events never cross into wasm.
//   `NativeSource` listens once per subscribed type and hands each
//   `MessageEvent` to the dispatcher in JS; only lifecycle changes (open,
//   error) reach the client, and from it the engine.

// The numbers of the interfaces: the engine's (src/web/engine.rs, which
// client.js speaks) and the transports'. They come first in this module,
// which imports nothing, so that a bundler inlines them wherever they are
// used (esbuild inlines only the constants at the top of a module): no name
// of theirs ships.

/** The engine's state numbers (`Engine::state`) that client.js tells apart. */
export const IDLE = 0;
export const CONNECTING_STATE = 1;
export const CLOSED_STATE = 5;

/** The engine's actions (`Engine::next`). */
export const CONNECT = 1;
export const ABORT = 2;
export const SET_TIMER = 3;
export const CLEAR_TIMER = 4;
export const AUTHORIZE = 5;
export const STATE = 6;
export const OPEN = 7;
export const RECONNECTING = 8;
export const ERROR = 9;
export const CLOSED = 10;

/** Whose error a notice carries (`Engine::error`). */
export const IDLE_TIMEOUT = 1;
export const EVENT_TOO_LARGE = 2;

/** The timers, by the engine's numbers. */
export const IDLE_TIMER = 1;

/** The engine's inputs (`Input` in src/web/engine.rs). */
export const START = 0;
export const STOP = 1;
export const CLOSE = 2;
export const RECONNECT = 3;
export const TIMER = 4;
export const NETWORK_CHANGE = 5;
export const VISIBILITY = 6;
export const PAGESHOW = 7;
export const AUTHORIZED = 8;
export const OPENED = 9;
export const ENDED = 10;
export const FAILED = 11;
export const LOST = 12;
export const ACTIVITY = 13;
export const PROGRESS = 14;

/** `FAILED` kinds: retried, or closing the client. */
export const NETWORK = 0;
export const FATAL = 1;

/** `Engine::response` verdicts. */
export const VERDICT_OPEN = 0;
export const VERDICT_UNAUTHORIZED = 1;
export const VERDICT_CONTENT_TYPE = 2;
export const VERDICT_HTTP = 3;

/** What a `NativeSource` reports to the client (see `NativeSource`). */
export const NATIVE_OPENED = 0;
export const NATIVE_LOST = 1;
export const NATIVE_REFUSED = 2;
export const NATIVE_DATA_ERROR = 3;

/** `EventSource.CONNECTING`: the browser reconnects by itself. */
const CONNECTING = 0;

/** What a `FetchSource` reports to the client (see `FetchSource`). */
export const FETCH_RESPONSE = 0;
export const FETCH_CHUNK = 1;
export const FETCH_ENDED = 2;
export const FETCH_FAILED = 3;
export const FETCH_NOT_BUILT = 4;

/**
 * The most bytes handed to wasm at once (64 KiB). A read hands over
 * whatever the browser has buffered: Firefox gives reads of over 100 MB
 * when the page falls behind the network, and copying one whole would grow
 * the wasm memory, which never shrinks, by as much.
 */
const MAX_SLICE_BYTES = 65536;

/** How a `settle` call ended. */
export const RETURNED = 0;
export const THREW = 1;
export const REJECTED = 2;

/** The metadata of one event, handed to handlers as their second argument. */
export class SSEEvent {
  constructor(type, data, lastEventId) {
    /** The event type (`message` unless the server sent `event:`). */
    this.type = type;
    /** The raw data string, also when `json: true` decoded it. */
    this.data = data;
    /** The last event ID at the time of the event (possibly empty). */
    this.lastEventId = lastEventId;
  }
}

/**
 * The error type of sse-wasm. `kind` tells the cause apart (`network`,
 * `http`, `content-type`, `json`, `retries-exhausted`, ...); the other
 * properties are set when they apply.
 */
export class SSEError extends Error {
  /** `details`: the properties; its `cause`, if any, is the standard one. */
  constructor(kind, message, details) {
    super(message, details);
    this.name = 'SSEError';
    this.kind = kind;
    for (const key in details) if (key !== 'cause') this[key] = details[key];
  }
}

/** Reports a handler's exception the way an EventSource listener's is. */
export function report(error) {
  if (typeof globalThis.reportError === 'function') {
    globalThis.reportError(error);
  } else {
    console.error(error);
  }
}

/** Calls every live callback record in `list` with `value`, its one argument (see `callHandlers`). */
export function emit(list, value) {
  callHandlers(list, value);
}

/**
 * Decodes a chunk's text for span deliveries. `ignoreBOM` keeps a U+FEFF in
 * the text (the parser drops the stream's leading BOM itself), so offsets
 * counted on the bytes hold in the string.
 */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * A client's handlers by event type, and the delivery of events to them:
 * what the engine's deliveries reach (through `feed`), and what a
 * `NativeSource` delivers through. The last event ID string lives here, so
 * that it is made once per change, not once per event.
 */
export class Dispatcher {
  /** Holders by the number the engine knows them by (0: nobody's). */
  #numbered = [undefined];
  #onDataError;

  /** `onDataError(error)` hears the `SSEError` of data that is not JSON. */
  constructor(json, lastEventId, onDataError) {
    this.json = json;
    this.lastEventId = lastEventId;
    this.#onDataError = onDataError;
    /**
     * Event type -> `{ type, list, index }`: `list` is the current listener
     * records, an immutable snapshot replaced on change. The holder object
     * stays, so a native listener keeps it and reads `holder.list` per event.
     */
    this.holders = new Map();
  }

  /** The holder of `type`'s listener records, made on first use. */
  holder(type) {
    let holder = this.holders.get(type);
    if (holder === undefined) {
      holder = { type, list: [], index: 0 };
      this.holders.set(type, holder);
    }
    return holder;
  }

  /** The engine's number for `type`: 0 while nobody ever subscribed to it. */
  typeIndex(type) {
    const holder = this.holders.get(type);
    if (holder === undefined) return 0;
    if (holder.index === 0) {
      holder.index = this.#numbered.length;
      this.#numbered.push(holder);
    }
    return holder.index;
  }

  /** Calls the handlers of type number `type` with `data`. */
  deliver(type, data) {
    const holder = this.#numbered[type];
    if (holder.list.length > 0) {
      const error = dispatch(holder.list, holder.type, data, this.lastEventId, this.json);
      if (error !== undefined) this.#onDataError(error);
    }
  }
}

// The chunk being fed, between the start and the end of `feed`: one at a
// time, as the engine parses it in one call and no handler can start
// another (a fetch body is read asynchronously).
/** Its client's dispatcher. */
let feeding;
/** The fetch attempt that read it, and the bytes. */
let attempt;
let chunk;
/** Its bytes `textStart..textEnd` decode to `text`, which offsets point into (decoded on first use). */
let textStart;
let textEnd;
let text;

/**
 * Feeds `bytes`, a read of the fetch attempt `source`, to `engine`, which
 * delivers its events to `dispatcher`. Returns whether to read on.
 *
 * The fast path: each chunk is decoded once, on first use, and an event's
 * data and id arrive as UTF-16 offsets into that text; slicing is cheap in
 * every engine, where a string decoded from wasm memory per event is not.
 * Data spread over several `data:` lines arrives as a list of offsets in
 * wasm memory.
 */
export function feed(engine, dispatcher, source, bytes) {
  feeding = dispatcher;
  attempt = source;
  chunk = bytes;
  text = undefined;
  const more = engine.feed(bytes, Date.now());
  // Let the chunk be collected.
  feeding = attempt = chunk = text = undefined;
  return more;
}

/** `start..end` (UTF-16 offsets) of the current chunk's text. */
function slice(start, end) {
  if (text === undefined) {
    text = decoder.decode(textStart === 0 && textEnd === chunk.length ? chunk : chunk.subarray(textStart, textEnd));
  }
  return text.slice(start, end);
}

/**
 * Delivers an event of type number `type`. Returns whether the attempt
 * goes on (a handler may have closed the client or reconnected it): one
 * boolean, nothing to hand back to wasm per event.
 */
function deliver(type, data) {
  feeding.deliver(type, data);
  return attempt.live;
}

// What the engine calls while it parses a chunk (the imports of
// src/web/engine.rs). Free functions, so that the engine holds no
// JavaScript object.

/** The engine's number for event type `type` (`Dispatcher.typeIndex`). */
export const typeIndex = (type) => feeding.typeIndex(type);

/** The chunk's bytes `start..end` decode to the text offsets point into. */
export const setText = (start, end) => {
  textStart = start;
  textEnd = end;
};

/** An event whose data is `start..end` of the chunk's text; a new id at `idStart..idEnd`, unless negative. */
export const deliverSpan = (type, start, end, idStart, idEnd) => {
  if (idStart >= 0) feeding.lastEventId = slice(idStart, idEnd);
  return deliver(type, slice(start, end));
};

/**
 * An event of several lines, joined with LF, whose offsets are the
 * (start, end) pairs of `offsets` (a view of wasm memory); the id as for
 * `deliverSpan`.
 */
export const deliverLines = (type, offsets, idStart, idEnd) => {
  if (idStart >= 0) feeding.lastEventId = slice(idStart, idEnd);
  let data = slice(offsets[0], offsets[1]);
  for (let i = 2; i < offsets.length; i += 2) data += '\n' + slice(offsets[i], offsets[i + 1]);
  return deliver(type, data);
};

/** An event whose data (and new id, unless undefined) come as strings. */
export const deliverText = (type, data, id) => {
  if (id !== undefined) feeding.lastEventId = id;
  return deliver(type, data);
};

/** The last event ID changed without an event. */
export const setId = (id) => {
  feeding.lastEventId = id;
};

/**
 * Calls the live listener records in `list` with `(data, event)`; with
 * `json`, parses once for all of them. Returns the SSEError of kind `json`
 * when the data is not JSON (no listener is called then), else undefined.
 * Also how a shared client's members deliver relayed events (js/share.js).
 */
function dispatch(list, type, data, lastEventId, json) {
  const event = new SSEEvent(type, data, lastEventId);
  let value = data;
  if (json) {
    try {
      value = JSON.parse(data);
    } catch (cause) {
      const message = `the data of a ${JSON.stringify(type)} event is not valid JSON: ${cause.message}`;
      return new SSEError('json', message, { cause, data, event });
    }
  }
  callHandlers(list, value, event);
  return undefined;
}

/**
 * Calls the live listener records in `list` with `(value, event)`, or
 * `(value)` without an event; a handler's exception is reported and the
 * others still run.
 */
function callHandlers(list, value, event) {
  for (let i = 0; i < list.length; i++) {
    const l = list[i];
    if (l.removed) continue;
    const fn = l.fn; // called as a plain function: `this` is undefined
    try {
      if (event === undefined) fn(value);
      else fn(value, event);
    } catch (e) {
      report(e);
    }
  }
}

/**
 * One native `EventSource` connection: the native transport's attempt.
 *
 * One listener per subscribed event type (`listen`/`unlisten`), removed
 * when the type's last handler goes. Events are delivered in JS, guarded by
 * `live`, which `abort()` clears: after it, nothing is delivered, not even
 * an event the browser already queued.
 *
 * The last event ID never goes backwards by accident: a new EventSource
 * reports `lastEventId === ''` until its stream sets an id, so until this
 * object has seen an id, `''` keeps the client's id. After that, `''` is the
 * server clearing it (`id:` with an empty value).
 */
export class NativeSource {
  #source;
  #dispatcher;
  #report;
  #trackActivity;
  #live = true;
  #sawId = false;
  /** The listener of each subscribed type. */
  #listeners = new Map();

  /**
   * `report(kind, value)` calls the client (`onNative` in client.js):
   * `NATIVE_OPENED`; `NATIVE_LOST` when the browser reconnects by itself and `NATIVE_REFUSED`
   * when it gave up, both with `value` saying whether events arrived since
   * the last open, so the retry budget can tell progress from failure;
   * `NATIVE_DATA_ERROR` with the `SSEError` of data that is not JSON. With
   * `trackActivity` (the idle watchdog is on), each event's time is kept.
   */
  constructor(url, withCredentials, trackActivity, dispatcher, report) {
    const source = (this.#source = new EventSource(url, { withCredentials }));
    this.#dispatcher = dispatcher;
    this.#report = report;
    this.#trackActivity = trackActivity;
    /** Whether events arrived since the last open. */
    this.delivered = false;
    /** When the last event came (with `trackActivity`), or the last open. */
    this.lastActivity = Date.now();
    source.addEventListener('open', () => {
      if (!this.#live) return;
      this.delivered = false;
      this.lastActivity = Date.now();
      report(NATIVE_OPENED);
    });
    source.addEventListener('error', () => {
      if (!this.#live) return;
      const delivered = this.delivered;
      this.delivered = false;
      report(source.readyState === CONNECTING ? NATIVE_LOST : NATIVE_REFUSED, delivered);
    });
  }

  /** Starts delivering events of `type` (once per type). */
  listen(type) {
    if (!this.#live || this.#listeners.has(type)) return;
    const holder = this.#dispatcher.holder(type);
    const listener = (message) => this.#deliver(type, holder, message);
    this.#listeners.set(type, listener);
    this.#source.addEventListener(type, listener);
  }

  /** Stops delivering events of `type`. */
  unlisten(type) {
    const listener = this.#listeners.get(type);
    if (listener === undefined) return;
    this.#listeners.delete(type);
    this.#source.removeEventListener(type, listener);
  }

  #deliver(type, holder, message) {
    if (!this.#live) return;
    this.delivered = true;
    if (this.#trackActivity) this.lastActivity = Date.now();
    const dispatcher = this.#dispatcher;
    const id = message.lastEventId;
    if (id !== '') {
      this.#sawId = true;
      dispatcher.lastEventId = id;
    } else if (this.#sawId) {
      dispatcher.lastEventId = '';
    }
    const list = holder.list;
    if (list.length === 0) return;
    // The plain case calls the handlers straight away: measured 4-6 % faster
    // on CJK text in Chromium than going through `dispatch`.
    if (dispatcher.json) {
      const error = dispatch(list, type, message.data, dispatcher.lastEventId, true);
      if (error !== undefined) this.#report(NATIVE_DATA_ERROR, error);
      return;
    }
    const event = new SSEEvent(type, message.data, dispatcher.lastEventId);
    callHandlers(list, event.data, event);
  }

  /**
   * Closes the connection, as a `FetchSource` aborts; nothing fires after.
   * The listeners stay: a closed EventSource dispatches nothing and is
   * collected with them.
   */
  abort() {
    this.#live = false;
    this.#source.close();
  }
}

const ignore = () => {};

/**
 * One fetch request and the reading of its body: the fetch transport's
 * attempt. The engine decides and parses; this only moves bytes. Everything
 * goes to one callback of the client, `report(kind, value)` (`onFetch` in
 * client.js):
 *
 * - `FETCH_NOT_BUILT`, the browser refused to build the request (`value`: the
 *   error's name only: its message may quote a header value, a token);
 * - `FETCH_FAILED`, the request or a read failed (`value`: the error);
 * - `FETCH_RESPONSE`, the response arrived (`value`); the client answers whether to
 *   read its body, else the body is cancelled;
 * - `FETCH_CHUNK`, up to `MAX_SLICE_BYTES` of the body (`value`); the client answers
 *   false to stop reading, and the reader is cancelled;
 * - `FETCH_ENDED`, the body ended.
 *
 * `abort()` aborts the request and its body; nothing is reported after it,
 * not even a read that was already resolved.
 */
export class FetchSource {
  #controller = new AbortController();
  #report;

  /**
   * `headers` is every header to send, as `[name, value]` pairs.
   * `body` may be undefined.
   */
  constructor(url, method, headers, body, withCredentials, report) {
    this.#report = report;
    /** Cleared by `abort()`: the dispatcher reads it after each event. */
    this.live = true;
    let request;
    try {
      const list = new Headers();
      for (const [name, value] of headers) list.set(name, value);
      request = new Request(url, {
        method,
        headers: list,
        body,
        // Not a hand-set `Cache-Control`, which would force a CORS preflight.
        cache: 'no-store',
        credentials: withCredentials ? 'include' : 'same-origin',
        signal: this.#controller.signal,
      });
    } catch (error) {
      // Later, as a failed fetch is: the attempt is not yet in place.
      queueMicrotask(() => this.live && report(FETCH_NOT_BUILT, error?.name ?? 'Error'));
      return;
    }
    // From a microtask, so that a client closed in the same task as it
    // connected sends nothing at all.
    queueMicrotask(() => this.live && this.#run(request));
  }

  async #run(request) {
    let response;
    try {
      response = await globalThis.fetch(request);
    } catch (error) {
      if (this.live) this.#report(FETCH_FAILED, error);
      return;
    }
    if (!this.live) return;
    if (!this.#report(FETCH_RESPONSE, response)) {
      response.body?.cancel().catch(ignore);
      return;
    }
    const reader = response.body.getReader();
    for (;;) {
      let result;
      try {
        result = await reader.read();
      } catch (error) {
        if (this.live) this.#report(FETCH_FAILED, error);
        return;
      }
      if (!this.live) return reader.cancel().catch(ignore);
      if (result.done) return this.#report(FETCH_ENDED);
      const chunk = result.value;
      for (let start = 0; start < chunk.length; start += MAX_SLICE_BYTES) {
        const end = Math.min(chunk.length, start + MAX_SLICE_BYTES);
        const slice = start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end);
        if (!this.live || !this.#report(FETCH_CHUNK, slice)) return reader.cancel().catch(ignore);
      }
    }
  }

  /** Aborts the request and the body; nothing is reported after this. */
  abort() {
    this.live = false;
    this.#controller.abort();
  }
}

// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date
// (§5.6.7), read here rather than in wasm because the browser has the
// calendar (`Date`): the reader in Rust was 1.2 KB of gzipped wasm, this
// one is 0.4 KB of gzipped JavaScript (SIZE.md). The grammar is as strict
// as the RFC's.

/**
 * The three forms, in one expression: IMF-fixdate `Sun, 06 Nov 1994
 * 08:49:37 GMT` (groups 1-6: day, month, year, hour, minute, second), RFC
 * 850 `Sunday, 06-Nov-94 08:49:37 GMT` (7-12, with a two-digit year) and
 * asctime `Sun Nov  6 08:49:37 1994` (13-18: month, day, hour, minute,
 * second, year). Names and `GMT` in any ASCII case (`i` without `u` folds
 * no other letter to ASCII); `\d` is ASCII digits only.
 */
const HTTP_DATE =
  /^(?:(?:mon|tue|wed|thu|fri|sat|sun), (\d\d) ([a-z]{3}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT|(?:mon|tues|wednes|thurs|fri|satur|sun)day, (\d\d)-([a-z]{3})-(\d\d) (\d\d):(\d\d):(\d\d) GMT|(?:mon|tue|wed|thu|fri|sat|sun) ([a-z]{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4}))$/i;
const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec';

/**
 * The delay in ms a `Retry-After` value asks for, or -1 when it is not
 * valid. `value` comes from `Headers.get`, which strips the whitespace
 * around it; `now` is `Date.now()`. At most 2^64 (the engine's `u64`).
 *
 * - delay-seconds (`1*DIGIT`): its seconds in ms, however many digits
 *   (no sign, point or unit);
 * - an HTTP-date: the ms from `now` until then, rounded up; 0 when it is
 *   past. Calendar dates only (month lengths, leap years), hours 0-23,
 *   minutes 0-59, seconds 0-60 (a leap second is the first second of the
 *   next minute). The day name is not checked against the date: it is
 *   redundant, and a wrong one is a harmless server bug. An RFC 850
 *   two-digit year is the year with those digits that is at most 50 years
 *   after and less than 50 years before the year of `now` (RFC 9110 puts
 *   dates more than 50 years ahead in the past).
 */
export function retryAfterMs(value, now) {
  let ms = -1;
  let date;
  if (/^\d+$/.test(value)) {
    ms = value * 1000;
  } else if ((date = HTTP_DATE.exec(value))) {
    let [day, name, year, hour, minute, second] = date[1]
      ? date.slice(1, 7)
      : date[7]
        ? date.slice(7, 13)
        : [date[14], date[13], date[18], date[15], date[16], date[17]];
    const month = MONTHS.indexOf(name.toLowerCase());
    if (date[7]) {
      const nowYear = new Date(now).getUTCFullYear();
      year = +year + nowYear - (nowYear % 100);
      if (year > nowYear + 50) year -= 100;
      else if (year <= nowYear - 50) year += 100;
    }
    // Midnight of that day; `setUTCFullYear`, unlike `Date.UTC`, does not
    // read the years 0 to 99 as 1900 to 1999.
    const midnight = new Date(0).setUTCFullYear(year, month / 3, day);
    if (month % 3 === 0 && new Date(midnight).getUTCDate() === +day && hour < 24 && minute < 60 && second < 61) {
      ms = Math.max(0, Math.ceil(midnight + ((hour * 60 + +minute) * 60 + +second) * 1000 - now));
    }
  }
  return Math.min(ms, 2 ** 64);
}

/**
 * Builds an SSEError: its message is written from the kind, the `details`
 * (the error's properties, when the kind has any) and `text`, the kind's
 * free text (a browser's message, the reason an option is wrong), for the
 * kinds that have one. The texts are those of `Display for Error` in
 * src/error.rs, which the Rust API shows (it reads the free text back out
 * of the message: src/web/error.rs).
 */
export function makeError(kind, text, details) {
  return new SSEError(kind, errorMessage(kind, text, details), details);
}

function errorMessage(kind, text, d) {
  switch (kind) {
    case 'invalid-option':
      return `option \`${d.option}\`: ${text}`;
    case 'invalid-url':
      return `invalid URL "${d.url}": ${text}`;
    case 'network':
      return `network error: ${text}`;
    case 'http':
      return d.status === 204
        ? 'the server answered 204 No Content: it asks the client to stop reconnecting'
        : `the server answered HTTP ${d.status} instead of 200`;
    case 'unauthorized':
      return `the server refused the credentials (HTTP ${d.status})`;
    case 'content-type':
      return d.contentType === ''
        ? 'the response has no Content-Type; expected text/event-stream'
        : `the response is "${d.contentType}", not text/event-stream`;
    case 'stream-ended':
      return 'the server ended the stream';
    case 'idle-timeout':
      return `no data for ${d.idleTimeoutMs} ms (idleTimeoutMs): the connection is presumed dead`;
    case 'event-too-large':
      return `an event exceeded maxEventSize (${d.limit} bytes) and was discarded`;
    case 'retries-exhausted':
      return `gave up after ${d.attempts} connection attempts; last error: ${d.cause.message}`;
    default:
      return 'the client is closed';
  }
}

/**
 * Calls `fn(arg)` from a microtask and hands the outcome to `done(how,
 * value)` once a returned promise (or any thenable) has settled: `how` is
 * `RETURNED` with the value, or `THREW` / `REJECTED` with the error. For
 * user functions that may be sync or async (the `headers` function,
 * `onUnauthorized`).
 */
export function settle(fn, arg, done) {
  queueMicrotask(() => {
    let result;
    try {
      result = fn(arg);
    } catch (error) {
      return done(THREW, error);
    }
    Promise.resolve(result).then(
      (value) => done(RETURNED, value),
      (error) => done(REJECTED, error),
    );
  });
}

/** Whether the environment says it is offline (no navigator: online). */
export function isOffline() {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

/** Whether a document exists and is hidden. */
export function isHidden() {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden';
}

/** What js/share.js uses (through pkg/runtime.js), under one name. */
export const runtime = { emit, dispatch };
