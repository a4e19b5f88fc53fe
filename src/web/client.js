// The client: everything around the connection machine and the parser,
// which stay in wasm (`Engine`, src/web/engine.rs). A wasm-bindgen snippet:
// the npm entry (js/client.js) and the Rust API (src/web/js_client.rs,
// src/web/rust_api) both drive this class.
//
// The rules this file keeps:
// - The engine decides; this file carries out what it asks (connect,
//   abort, timers, the auth hook, notices) and reports what the browser
//   did. After each input, `drive()` drains the engine's actions.
// - Handlers may subscribe or unsubscribe while being called, with DOM
//   listener semantics: a type's handlers are an immutable list of records
//   (`{ fn, removed }`), replaced on change; removal marks the record, so a
//   dispatch under way skips it.
// - Every transport report names its attempt; reports of an attempt that
//   is no longer the current one are ignored.
// - Nothing fires after `close()` returns; `free()` closes without a
//   callback at all.

import {
  ABORT,
  ACTIVITY,
  AUTHORIZE,
  AUTHORIZED,
  CLEAR_TIMER,
  CLOSE,
  CLOSED,
  CLOSED_STATE,
  CONNECT,
  CONNECTING_STATE,
  Dispatcher,
  ENDED,
  ERROR,
  EVENT_TOO_LARGE,
  FAILED,
  FATAL,
  FETCH_CHUNK,
  FETCH_ENDED,
  FETCH_FAILED,
  FETCH_RESPONSE,
  FetchSource,
  IDLE,
  IDLE_TIMEOUT,
  IDLE_TIMER,
  LOST,
  NATIVE_DATA_ERROR,
  NATIVE_LOST,
  NATIVE_OPENED,
  NETWORK,
  NETWORK_CHANGE,
  NativeSource,
  OPEN,
  OPENED,
  PAGESHOW,
  PROGRESS,
  RECONNECT,
  RECONNECTING,
  RETURNED,
  SET_TIMER,
  SSEError,
  START,
  STATE,
  STOP,
  THREW,
  TIMER,
  VERDICT_CONTENT_TYPE,
  VERDICT_HTTP,
  VERDICT_OPEN,
  VERDICT_UNAUTHORIZED,
  VISIBILITY,
  emit,
  feed,
  isHidden,
  isOffline,
  makeError,
  report,
  retryAfterMs,
  settle,
} from './runtime.js';
import { options as rules } from './options.js';

/** `status` by the engine's state number. */
const STATUS = ['idle', 'connecting', 'open', 'reconnecting', 'paused', 'closed'];
/** `readyState` by the engine's state number. */
const READY_STATE = [2, 0, 1, 0, 0, 2];

/** The names `on()` accepts. */
const CALLBACK_NAMES = ['open', 'error', 'reconnecting', 'close', 'statechange'];

/**
 * One handler or callback registration. `unsubscribe()` removes it (and
 * closes the connection if it was the last handler); calling it twice, or
 * after the client is closed, does nothing.
 */
export class Subscription {
  #owner;
  #record;

  /** @internal `owner.remove(record)` unsubscribes. */
  constructor(owner, record) {
    this.#owner = owner;
    this.#record = record;
  }

  /** Removes this handler or callback. */
  unsubscribe() {
    const owner = this.#owner;
    this.#owner = undefined;
    owner?.remove(this.#record);
  }

  /** Lets go of this handle without removing the handler. */
  free() {
    this.#owner = undefined;
  }
}

/** A Server-Sent Events client (js/index.d.ts documents the API). */
export class Client {
  /** The options, checked and in canonical form (`normalizeOptions`). */
  #options;
  #dispatcher;
  /** Lifecycle callback records: `{ fn, removed, name }`. */
  #callbacks = [];
  /**
   * The current attempt, which `abort()` drops: a `FetchSource`, a
   * `NativeSource`, or a placeholder while the headers or the hook answer.
   */
  #attempt;
  #timers = [];
  /**
   * Aborted to remove the online/visibility listeners, while connected, and
   * the one on the user's signal.
   */
  #environment;
  #watchingSignal;
  /** The `SSEError` of the last failure reported to the engine. */
  #failure;
  /** Headers from the `onUnauthorized` hook, sent on top of the others. */
  #authHeaders;
  /** Set once no callback may run again (closed, or freed). */
  #silent = false;
  #closed = false;
  /** The status `statechange` callbacks were told last. */
  #told = 'idle';
  /** Undefined until `makeEngine` delivers it, and once closed (`#release`). */
  #engine;
  /**
   * Checks `url` and `options` (throwing the `SSEError` that names what is
   * wrong) and makes the engine with `makeEngine`, which returns one or a
   * promise of one: a client made while the wasm module loads works at
   * once and connects when its engine arrives.
   */
  constructor(url, options, makeEngine) {
    this.url = resolveUrl(url);
    this.#options = rules.normalizeOptions(options);
    const { json, lastEventId, signal } = this.#options;
    this.transport = this.#options.transport;
    this.json = json;
    this.#dispatcher = new Dispatcher(json, lastEventId, (error) => this.#dataError(error));
    this.#watchSignal(signal);
    if (this.#closed) return;
    const { retry, idleTimeoutMs, pauseWhenHidden, onUnauthorized, maxEventSize } = this.#options;
    // `Engine::new`'s settings (src/web/engine.rs), as bytes.
    const settings = [
      ...(retry ?? [0, 0, 0, 0, 0, 0]),
      idleTimeoutMs ?? 0,
      (pauseWhenHidden ? 1 : 0) | (onUnauthorized !== undefined ? 2 : 0),
      maxEventSize,
    ];
    const bytes = new Uint8Array(Float64Array.from(settings).buffer);
    const engine = makeEngine(bytes, encoder.encode(lastEventId));
    if (typeof engine?.then === 'function') {
      engine.then(
        (ready) => this.#attach(ready),
        (error) => this.#fail(error),
      );
    } else {
      this.#attach(engine);
    }
  }

  // ----- the API -------------------------------------------------------------

  subscribe(type, handler) {
    if (this.status === 'closed') throw makeError('closed');
    const name = String(type);
    const holder = this.#dispatcher.holder(name);
    const record = { fn: handler, removed: false, type: name };
    const first = holder.list.length === 0;
    holder.list = [...holder.list, record];
    if (first) this.#attempt?.listen?.(name);
    this.#start();
    return new Subscription(this, record);
  }

  unsubscribe(type, handler) {
    if (type == null) return this.close();
    const holder = this.#dispatcher.holders.get(String(type));
    if (holder !== undefined) {
      holder.list.filter((r) => handler == null || r.fn === handler).forEach((r) => this.remove(r));
    }
  }

  on(name, callback) {
    checkCallbackName(name);
    const record = { fn: callback, removed: false, name };
    if (this.#silent) return new Subscription(undefined, record);
    this.#callbacks = [...this.#callbacks, record];
    return new Subscription(this, record);
  }

  /** Closes for good: `statechange` hears `closed` before this returns, nothing fires after. */
  close() {
    this.#shutDown(true);
  }

  /** Closes without telling anyone: the client is being let go of. */
  free() {
    this.#shutDown(false);
  }

  /** Drops the connection (or the wait before the next one) and connects again at once. */
  reconnect() {
    this.#input(RECONNECT);
  }

  get status() {
    return STATUS[this.#state()];
  }

  get readyState() {
    return READY_STATE[this.#state()];
  }

  get lastEventId() {
    return this.#dispatcher.lastEventId;
  }

  // ----- registrations ---------------------------------------------------------

  /** Removes a handler or callback record (a `Subscription`'s). */
  remove(record) {
    if (record.removed) return;
    record.removed = true;
    if (record.type === undefined) {
      this.#callbacks = this.#callbacks.filter((r) => r !== record);
      return;
    }
    const holder = this.#dispatcher.holders.get(record.type);
    holder.list = holder.list.filter((r) => r !== record);
    if (holder.list.length > 0) return;
    this.#attempt?.unlisten?.(record.type);
    if (!this.#hasHandlers()) this.#stop();
  }

  #hasHandlers() {
    return [...this.#dispatcher.holders.values()].some((holder) => holder.list.length > 0);
  }

  /** The state number: the engine's, or what a client waiting for its engine shows. */
  #state() {
    if (this.#engine !== undefined) return this.#engine.state();
    if (this.#closed) return CLOSED_STATE;
    return this.#hasHandlers() ? CONNECTING_STATE : IDLE;
  }

  // ----- the engine -------------------------------------------------------------

  /** The engine arrived: connect if someone already subscribed. */
  #attach(engine) {
    if (this.#closed) return engine.free();
    this.#engine = engine;
    if (this.#hasHandlers()) this.#start();
  }

  /** The engine could not be made (the module failed to load): report, then close. */
  #fail(error) {
    if (this.#closed) return;
    const hasErrorCallback = this.#callbacks.some((r) => r.name === 'error');
    // Closed first: a callback that closes the client changes nothing.
    this.#closed = true;
    this.#notify('statechange', 'closed');
    this.#notify('error', error);
    this.#notify('close');
    this.#release();
    if (!hasErrorCallback) report(error);
  }

  /**
   * Puts input `input` (with its `arg`) into the engine, if there is one
   * (not before it arrives, nor once closed), then carries out what it asks.
   */
  #input(input, arg = 0) {
    const engine = this.#engine;
    if (engine === undefined) return;
    engine.input(input, arg, Date.now(), Math.random());
    this.#drive();
  }

  /**
   * Carries out the engine's actions until none is left. Re-entrant: a
   * callback may call `close()`, which empties the queue. Each action's
   * arguments are read before any user code runs.
   */
  #drive() {
    const engine = this.#engine;
    if (engine === undefined) return;
    for (let next = engine.next(); next !== 0; next = engine.next()) {
      // The action's code, and its argument (timer, state, attempt).
      const arg = next >>> 4;
      switch (next & 15) {
        case CONNECT:
          this.#connect();
          break;
        case ABORT:
          this.#abort();
          break;
        case SET_TIMER:
          this.#setTimer(arg, engine.delay);
          break;
        case CLEAR_TIMER:
          clearTimeout(this.#timers[arg]);
          this.#timers[arg] = undefined;
          break;
        case AUTHORIZE:
          this.#authorize();
          break;
        case STATE:
          this.#notify('statechange', STATUS[arg]);
          break;
        case OPEN:
          this.#notify('open');
          break;
        case RECONNECTING: {
          const delay = engine.delay;
          const info = { attempt: arg, delayMs: delay < 0 ? null : delay, error: this.#noticeError(engine) };
          this.#notify('reconnecting', info);
          break;
        }
        case ERROR:
          this.#notify('error', this.#noticeError(engine));
          break;
        case CLOSED:
          this.#closedItself();
          break;
      }
    }
  }

  /** The `SSEError` of the notice the engine just gave. */
  #noticeError(engine) {
    const described = engine.error;
    const source = described & 3;
    let error = this.#failure;
    if (source === IDLE_TIMEOUT) {
      error = makeError('idle-timeout', '', { idleTimeoutMs: this.#options.idleTimeoutMs });
    } else if (source === EVENT_TOO_LARGE) {
      error = makeError('event-too-large', '', { limit: this.#options.maxEventSize });
    }
    const attempts = described >>> 2;
    if (attempts === 0) return error;
    const details = { attempts, cause: error };
    if (error.status !== undefined) details.status = error.status;
    return makeError('retries-exhausted', '', details);
  }

  /** Calls the callbacks named `name` with `value`, unless silenced. */
  #notify(name, value) {
    if (this.#silent) return;
    if (name === 'statechange') {
      // A client that waited for its engine told `connecting` already.
      if (value === this.#told) return;
      this.#told = value;
    }
    emit(
      this.#callbacks.filter((r) => r.name === name),
      value,
    );
  }

  /** An event's data was not JSON: tell the `error` callbacks, while connected. */
  #dataError(error) {
    const state = this.#state();
    if (state !== IDLE && state !== CLOSED_STATE) this.#notify('error', error);
  }

  // ----- user calls -------------------------------------------------------------

  /** A subscription: connect (lazily), watching the network and the page. */
  #start() {
    const engine = this.#engine;
    if (engine === undefined) {
      this.#notify('statechange', 'connecting');
      return;
    }
    if (this.#environment === undefined) this.#watchEnvironment(engine);
    this.#input(START);
  }

  /** The last handler went: disconnect, stay reusable. */
  #stop() {
    this.#unwatchEnvironment();
    if (this.#engine === undefined) this.#notify('statechange', 'idle');
    else this.#input(STOP);
  }

  #shutDown(notify) {
    if (this.#closed) return;
    if (!notify) this.#silent = true;
    const engine = this.#engine;
    if (engine !== undefined) {
      // Aborts the attempt and clears the timers first, so nothing is
      // delivered while the callbacks hear the change to `closed`.
      engine.input(CLOSE, 0, 0, 0);
      this.#drive();
    } else {
      this.#notify('statechange', 'closed');
    }
    this.#release();
  }

  /**
   * The engine closed the client (a fatal error, the retry budget spent),
   * after its last notice: it has aborted the attempt and cleared the
   * timers.
   */
  #closedItself() {
    this.#notify('close');
    this.#release();
  }

  /**
   * Closed for good: lets go of everything, so nothing fires after. Every
   * handler and callback is marked removed (a dispatch under way skips
   * them); the listeners, the hook's headers and the engine go. Again (a
   * `close` callback that closed the client) changes nothing.
   */
  #release() {
    this.#closed = true;
    this.#silent = true;
    this.#watchingSignal?.abort();
    this.#unwatchEnvironment();
    for (const holder of this.#dispatcher.holders.values()) {
      for (const record of holder.list) record.removed = true;
      holder.list = [];
    }
    for (const record of this.#callbacks) record.removed = true;
    this.#callbacks = [];
    this.#authHeaders = undefined;
    const engine = this.#engine;
    if (engine !== undefined) {
      this.#engine = undefined;
      // Not from inside this call: close() may run in a handler that the
      // engine is still calling, and the Rust API's engine, a wasm-bindgen
      // object, cannot be freed in use (the npm package's handles can).
      queueMicrotask(() => engine.free());
    }
  }

  // ----- the environment -----------------------------------------------------------

  /** Closes the client when the user's signal aborts (at once, quietly, if it has). */
  #watchSignal(signal) {
    if (signal === undefined) return;
    if (signal.aborted) return this.#release();
    this.#watchingSignal = new AbortController();
    signal.addEventListener('abort', () => this.close(), { signal: this.#watchingSignal.signal });
  }

  /** online/offline, visibility and pageshow, while connected. */
  #watchEnvironment(engine) {
    this.#environment = new AbortController();
    const options = { signal: this.#environment.signal };
    // Not every global scope is an event target (Node before 22).
    const listen = (target, type, handle) => target.addEventListener?.(type, handle, options);
    listen(globalThis, 'online', () => this.#input(NETWORK_CHANGE, 1));
    listen(globalThis, 'offline', () => this.#input(NETWORK_CHANGE, 0));
    if (typeof document !== 'undefined') {
      listen(document, 'visibilitychange', () => this.#input(VISIBILITY, isHidden() ? 1 : 0));
      listen(globalThis, 'pageshow', () => this.#input(PAGESHOW));
    }
    if (isOffline()) engine.input(NETWORK_CHANGE, 0, Date.now(), 0);
    if (isHidden()) engine.input(VISIBILITY, 1, Date.now(), 0);
  }

  #unwatchEnvironment() {
    this.#environment?.abort();
    this.#environment = undefined;
  }

  #setTimer(timer, delay) {
    clearTimeout(this.#timers[timer]);
    this.#timers[timer] = setTimeout(() => {
      this.#timers[timer] = undefined;
      // The native transport sees its events in JavaScript: tell the
      // watchdog when the last one came, and whether any did.
      const attempt = this.#attempt;
      const engine = this.#engine;
      if (timer === IDLE_TIMER && attempt instanceof NativeSource && engine !== undefined) {
        engine.input(ACTIVITY, 0, attempt.lastActivity, 0);
        if (attempt.delivered) engine.input(PROGRESS, 0, 0, 0);
      }
      this.#input(TIMER, timer);
    }, delay);
  }

  // ----- attempts -----------------------------------------------------------------

  /** Drops the attempt in flight: nothing it reports is heard any more. */
  #abort() {
    const attempt = this.#attempt;
    this.#attempt = undefined;
    attempt?.abort();
  }

  /** Starts a new attempt over the client's transport. */
  #connect() {
    this.#abort();
    if (this.transport === 'eventsource') return this.#connectNative();
    const { headers, headerProvider } = this.#options;
    if (headerProvider === undefined) return this.#connectFetch(headers ?? []);
    // The attempt starts once the headers are known; a placeholder stands
    // for it meanwhile, so that aborting it drops the headers' answer.
    const pending = { abort() {} };
    this.#attempt = pending;
    settle(headerProvider, undefined, (how, value) => {
      if (this.#attempt !== pending) return;
      if (how !== RETURNED) {
        const message = `the headers function ${how === THREW ? 'threw' : 'failed'}: ${rules.messageOf(value)}`;
        return this.#failed(message);
      }
      const list = rules.headerList(value);
      if (typeof list === 'string') return this.#failed(list, true);
      this.#connectFetch(list);
    });
  }

  /**
   * The attempt failed: a network error, retried, or with `fatal`, a
   * `headers` option the request cannot carry, which closes the client.
   * `text` says why.
   */
  #failed(text, fatal) {
    this.#failure = fatal ? makeError('invalid-option', text, { option: 'headers' }) : makeError('network', text);
    this.#input(FAILED, fatal ? FATAL : NETWORK);
  }

  /** The URL of the next request: with the last event ID in the query, if asked. */
  #resumeUrl() {
    const param = this.#options.lastEventIdParam;
    const id = this.#dispatcher.lastEventId;
    return param === undefined || id === '' ? this.url : withQueryParam(this.url, param, id);
  }

  #connectFetch(headers) {
    const { method, body, bodyIsJson, withCredentials, lastEventIdParam } = this.#options;
    const list = [['Accept', 'text/event-stream']];
    if (bodyIsJson) list.push(['Content-Type', 'application/json']);
    // In order: a later pair replaces an earlier one of the same name.
    list.push(...headers, ...(this.#authHeaders ?? []));
    const id = this.#dispatcher.lastEventId;
    if (id !== '' && lastEventIdParam === undefined) list.push(['Last-Event-ID', byteString(id)]);
    const source = new FetchSource(this.#resumeUrl(), method, list, body, withCredentials, (kind, value) =>
      this.#attempt === source ? this.#onFetch(source, kind, value) : false,
    );
    this.#attempt = source;
  }

  /** What the fetch attempt `source` reports (see `FetchSource`). */
  #onFetch(source, kind, value) {
    const engine = this.#engine;
    if (kind === FETCH_CHUNK) {
      const more = feed(engine, this.#dispatcher, source, value);
      this.#drive();
      return more && this.#attempt === source;
    }
    if (kind === FETCH_RESPONSE) {
      const response = value;
      // Empty when absent, as the engine takes it (`Engine::response`).
      const contentType = response.headers.get('content-type') ?? '';
      const now = Date.now();
      const retryAfter = retryAfterMs(response.headers.get('retry-after') ?? '', now);
      const verdict = engine.response(
        response.status,
        // Bytes, as every string the engine takes.
        encoder.encode(contentType),
        retryAfter,
        response.body != null,
        now,
        Math.random(),
      );
      if (verdict !== VERDICT_OPEN) this.#failure = responseError(verdict, response, contentType, retryAfter);
      this.#drive();
      return verdict === VERDICT_OPEN && this.#attempt === source;
    }
    if (kind === FETCH_ENDED) {
      this.#failure = makeError('stream-ended');
      this.#input(ENDED);
    } else if (kind === FETCH_FAILED) {
      this.#failed(rules.messageOf(value));
    } else {
      this.#failed(`the browser refused to build the request (${value}): check the headers, the method and the body`, true);
    }
    return false;
  }

  #connectNative() {
    const { idleTimeoutMs, withCredentials } = this.#options;
    let source;
    try {
      source = new NativeSource(this.#resumeUrl(), withCredentials, idleTimeoutMs !== null, this.#dispatcher, (kind, value) => {
        if (this.#attempt === source) this.#onNative(kind, value);
        return true;
      });
    } catch (error) {
      return this.#failed(rules.messageOf(error));
    }
    this.#attempt = source;
    for (const [type, holder] of this.#dispatcher.holders) if (holder.list.length > 0) source.listen(type);
  }

  /** What the native attempt reports (see `NativeSource`). */
  #onNative(kind, value) {
    if (kind === NATIVE_OPENED) return this.#input(OPENED);
    if (kind === NATIVE_DATA_ERROR) return this.#dataError(value);
    // `value`: whether events arrived since the last open.
    if (value) this.#engine?.input(PROGRESS, 0, 0, 0);
    if (kind === NATIVE_LOST) {
      this.#failure = makeError('network', 'the EventSource connection was lost; the browser reconnects');
      this.#input(LOST);
    } else {
      this.#failed('the EventSource was refused: not a 200 text/event-stream response (the browser does not say why)');
    }
  }

  /**
   * Asks `onUnauthorized` for new credentials, then tells the engine. A
   * string or an object replaces the hook's earlier headers; `true` drops
   * them, leaving the fresh token to the `headers` function. An answer that
   * comes after the client moved on changes nothing.
   */
  #authorize() {
    const error = this.#failure;
    const waiting = { abort() {} };
    this.#attempt = waiting;
    const context = { status: error.status, error };
    settle(this.#options.onUnauthorized, context, (how, value) => {
      if (this.#attempt !== waiting) return;
      this.#attempt = undefined;
      const renewed = how === RETURNED ? rules.credentials(value) : null;
      if (renewed !== null) this.#authHeaders = renewed.length > 0 ? renewed : undefined;
      this.#input(AUTHORIZED, renewed !== null ? 1 : 0);
    });
  }
}

/**
 * Throws the `SSEError` of `on()` with a name it does not know (also
 * js/share.js's, through pkg/runtime.js).
 */
export function checkCallbackName(name) {
  if (CALLBACK_NAMES.includes(name)) return;
  const message = `unknown callback name "${name}"; expected one of ${CALLBACK_NAMES.join(', ')}`;
  throw makeError('invalid-option', message, { option: 'on' });
}

/**
 * The `SSEError` of a response the engine refused; `retryAfter` is the
 * delay its `Retry-After` asks for (-1: none).
 */
function responseError(verdict, response, contentType, retryAfter) {
  // A `Headers` of its own, so that an error does not hold the response.
  const details = { status: response.status, headers: new Headers(response.headers) };
  if (verdict === VERDICT_UNAUTHORIZED) return makeError('unauthorized', '', details);
  if (verdict === VERDICT_CONTENT_TYPE) return makeError('content-type', '', { contentType });
  if (verdict === VERDICT_HTTP) {
    if (retryAfter >= 0) details.retryAfterMs = retryAfter;
    return makeError('http', '', details);
  }
  return makeError('network', 'the response body cannot be read');
}

/**
 * Resolves `url` against the page (or worker) location: http(s) only, no
 * credentials, and an error that never shows them (`checkUrl` in
 * options.js).
 */
function resolveUrl(url) {
  const href = typeof URL === 'function' && url instanceof URL ? url.href : url;
  const [resolved, reason] = rules.checkUrl(href);
  if (reason === undefined) return resolved;
  throw makeError('invalid-url', reason, { url: resolved });
}

/** UTF-8, for the strings the engine takes as bytes and for header values (`byteString`). */
const encoder = new TextEncoder();

/** `text` as the bytes of its UTF-8, one character each: what a header value carries. */
function byteString(text) {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  let bytes = '';
  for (const byte of encoder.encode(text)) bytes += String.fromCharCode(byte);
  return bytes;
}

/**
 * `url` with its query parameter `name` set to `value` (`lastEventIdParam`),
 * the rest of the query left as given: `URL.searchParams.set` would
 * re-serialise it as a form (`flag` becoming `flag=`, `%20` becoming `+`),
 * which breaks signed URLs. The fragment is dropped.
 */
export function withQueryParam(url, name, value) {
  const [base, query = ''] = url.split('#')[0].split(/\?(.*)/s);
  const key = percentEncode(name);
  const kept = query.split('&').filter((pair) => {
    const k = pair.split('=')[0];
    return pair !== '' && k !== key && k !== name;
  });
  return `${base}?${[...kept, `${key}=${percentEncode(value)}`].join('&')}`;
}

/** `encodeURIComponent`, plus `!'()*`: everything but RFC 3986's unreserved characters. */
function percentEncode(text) {
  return encodeURIComponent(text.toWellFormed?.() ?? text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}


export { SSEError };
