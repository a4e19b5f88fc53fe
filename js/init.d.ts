// Public types of sse-wasm: the `sse-wasm/init` entry (and, re-exported,
// `sse-wasm`). Hand-written: the generated pkg/sse_wasm.d.ts cannot say
// what a handler receives in JSON mode or which callback gets what.
// Self-sufficient under any `lib` from ES2020 (`Symbol.dispose` comes from
// the disposable lib referenced here), with `skipLibCheck: false`.

/// <reference lib="esnext.disposable" />

/** Where the connection is in its life cycle (`SSEClient.status`). */
export type SSEStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'paused' | 'closed';

/** The transport a client uses, once `'auto'` is resolved. */
export type SSETransport = 'fetch' | 'eventsource';

/**
 * What a handler's `data` is: the raw string, or with `json: true` the
 * parsed value (`unknown` until the handler says what it expects).
 */
export type SSEData<Json extends boolean> = Json extends true ? unknown : string;

/** An event handler: the data (string, or parsed JSON) and the event's metadata. */
export type Handler<T = string> = (data: T, event: SSEEvent) => void;

/** The metadata of one event, handed to handlers as their second argument. */
export declare class SSEEvent {
  private constructor();
  /** The event type (`message` unless the server sent `event:`). */
  readonly type: string;
  /** The raw data string, also when `json: true` decoded it. */
  readonly data: string;
  /** The last event ID at the time of the event (possibly empty). */
  readonly lastEventId: string;
}

/** Every `SSEError.kind`. */
export type SSEErrorKind =
  | 'init'
  | 'invalid-option'
  | 'invalid-url'
  | 'network'
  | 'http'
  | 'unauthorized'
  | 'content-type'
  | 'stream-ended'
  | 'idle-timeout'
  | 'event-too-large'
  | 'json'
  | 'retries-exhausted'
  | 'closed';

/**
 * The error type of sse-wasm: everything it throws or reports is one.
 * `kind` tells the causes apart; the optional fields are set for the kinds
 * named in their comments.
 */
export declare class SSEError extends Error {
  private constructor();
  /** Always `'SSEError'`. */
  readonly name: 'SSEError';
  /**
   * What went wrong. `init`: the WebAssembly module could not be loaded
   * (`cause`), or `init()` was never called, or (with `share`) the sharing
   * code could not be loaded (`cause`).
   */
  readonly kind: SSEErrorKind;
  /** `invalid-option`: the option's name as spelled (`'retry.factor'`, `'headers'`). */
  readonly option?: string;
  /** `invalid-url`: the URL as given, without any `user:password@` (a URL with credentials is refused, and never echoed). */
  readonly url?: string;
  /** `http`, `unauthorized`: the status code; `retries-exhausted`: the last failure's status, if it had one. */
  readonly status?: number;
  /** `http`, `unauthorized`: the response headers, as far as CORS exposes them. */
  readonly headers?: Headers;
  /** `http`: the server's `Retry-After`, in milliseconds, when it sent a valid one. */
  readonly retryAfterMs?: number;
  /** `content-type`: the `Content-Type` the server sent (empty when none). */
  readonly contentType?: string;
  /** `idle-timeout`: the configured `idleTimeoutMs`. */
  readonly idleTimeoutMs?: number;
  /** `event-too-large`: the `maxEventSize` cap in bytes. */
  readonly limit?: number;
  /** `json`: the event's raw data that is not valid JSON. */
  readonly data?: string;
  /** `json`: the event whose data is not valid JSON (it was not delivered). */
  readonly event?: SSEEvent;
  /** `retries-exhausted`: how many connection attempts were made, the first included. */
  readonly attempts?: number;
  /** `retries-exhausted`: the last failure (an `SSEError`); `json`: the `SyntaxError`; `init`: why the module (or the sharing code) did not load. */
  readonly cause?: unknown;
}

/** Headers as a plain object: name to value. */
export type SSEHeaders = Record<string, string>;

/** The object form of the `retry` option. */
export interface SSERetryOptions {
  /** Connection attempts in a row that deliver no event, the first request included (a connection that delivered an event starts a fresh count); `Infinity` allowed. @default 10 */
  maxAttempts?: number;
  /** Delay before the first retry, in ms (the server's `retry:` field overrides it, capped at `maxDelayMs` or 5 minutes, whichever is larger). @default 1000 */
  initialDelayMs?: number;
  /** Upper bound of the growing delay, in ms. A server's `retry:` above it is honoured up to 5 minutes (or up to this bound, if larger), `Retry-After` up to 5 minutes. @default 30000 */
  maxDelayMs?: number;
  /** Each retry's delay is the previous one times this. @default 2 */
  factor?: number;
  /** Random share of each delay, 0 to 1 (0.5: between 50% and 100% of it). @default 0.5 */
  jitter?: number;
  /** A connection open this long (ms) resets the attempt count and the delay. @default 30000 */
  healthyAfterMs?: number;
}

/** What `onUnauthorized` receives. */
export interface SSEUnauthorizedContext {
  /** 401 or 403. */
  status: number;
  /** The `unauthorized` error that the client reports if the hook gives up. */
  error: SSEError;
}

/**
 * What `onUnauthorized` returns: `true` to retry at once (a `headers`
 * function then produces the fresh token), a string to use as a bearer
 * token, an object of headers to add, or a falsy value to give up (the
 * client closes with kind `unauthorized`).
 */
export type SSEUnauthorizedResult = boolean | string | SSEHeaders | null | undefined | void;

/** The request body (fetch transport, with a method other than GET/HEAD). */
export type SSEBody =
  | string
  | URLSearchParams
  | Blob
  | ArrayBuffer
  | ArrayBufferView
  | FormData
  | { [key: string]: unknown }
  | unknown[];

/**
 * The options of `new SSEClient(url, options)`; all optional. A wrong type,
 * an out-of-range value or an unknown key throws an `SSEError` of kind
 * `invalid-option` from the constructor. `Json` is the type of `json`.
 */
export interface SSEOptions<Json extends boolean = boolean> {
  /**
   * `'fetch'` (our own parser over `fetch`), `'eventsource'` (the browser's
   * native EventSource), or `'auto'`: fetch when `headers`, a method other
   * than GET, `body`, `onUnauthorized`, or a `lastEventId` without
   * `lastEventIdParam` are given, otherwise EventSource.
   * @default 'auto'
   */
  transport?: 'auto' | SSETransport;
  /** Send cookies cross-origin (`credentials: 'include'` / EventSource `withCredentials`). @default false */
  withCredentials?: boolean;
  /** Decode each event's data with `JSON.parse`; invalid JSON is reported as an `error` of kind `json` and the stream goes on. @default false */
  json?: Json;
  /** Request headers (fetch only); a function is called before every attempt, so it can return a fresh token. */
  headers?: SSEHeaders | (() => SSEHeaders | Promise<SSEHeaders>);
  /** HTTP method (fetch only). @default 'GET' */
  method?: string;
  /** Request body (fetch only); a plain object or array is sent as JSON with `Content-Type: application/json`. */
  body?: SSEBody;
  /**
   * Aborting it closes the client for good, exactly as `close()` does: one
   * `statechange` to `closed`, then nothing (no `error`, no `close`).
   */
  signal?: AbortSignal;
  /** The last event ID to resume from on the first request. @default '' */
  lastEventId?: string;
  /**
   * Send the last event ID as this query parameter instead of the
   * `Last-Event-ID` header: avoids a CORS preflight on fetch, and lets a new
   * native EventSource (opened after a refused response or an idle timeout)
   * resume. A server should prefer the header when both are present: the
   * browser's own reconnects send the header with the newest id.
   */
  lastEventIdParam?: string;
  /** Called on 401/403; see `SSEUnauthorizedResult`. Without it a 401/403 closes the client (kind `unauthorized`). Fetch only. */
  onUnauthorized?: (context: SSEUnauthorizedContext) => SSEUnauthorizedResult | Promise<SSEUnauthorizedResult>;
  /**
   * Reconnection: `false` never, `true` the defaults, a number N allows N
   * retries after the first request, or an object (`SSERetryOptions`).
   * @default true
   */
  retry?: boolean | number | SSERetryOptions;
  /** Initial retry delay in ms (shorthand for `retry.initialDelayMs`). @default 1000 */
  interval?: number;
  /** Reconnect when nothing (not even a comment) arrives for this long, in ms; 0 or absent: off. @default 0 */
  idleTimeoutMs?: number;
  /** Disconnect while the page is hidden (status `paused`) and resume when it is visible again. @default false */
  pauseWhenHidden?: boolean;
  /** Largest event in bytes; a larger one is discarded (an `error` of kind `event-too-large`) and the stream goes on. @default 1048576 */
  maxEventSize?: number;
  /**
   * One connection for every same-origin tab, iframe and worker: clients
   * with the same share key elect a leader (Web Locks) that runs the
   * connection with its own options and relays everything to the others
   * (BroadcastChannel); when it goes, another takes over and resumes from
   * the last event ID. `true`: the key is the URL, method and body; a
   * string: that key. Share only between contexts of the same user. A
   * client whose URL, transport, method, body or `withCredentials` differ
   * from the shared connection's gets its own, with a console warning;
   * without Web Locks or BroadcastChannel every client has its own.
   * `pauseWhenHidden` does not apply to a shared connection.
   * @default false
   */
  share?: boolean | string;
}

/** What a `reconnecting` callback receives. */
export interface SSEReconnectingInfo {
  /** The attempt about to be made, counting the first request as 1 (so the first retry is 2). */
  attempt: number;
  /**
   * How long the client waits before it, in ms; `null` when the native
   * EventSource reconnects by itself (after a dropped or ended stream) and
   * the browser picks the delay (the server's `retry:`, else its default).
   */
  delayMs: number | null;
  /** Why the connection was lost. */
  error: SSEError;
}

/** The lifecycle callbacks of `SSEClient.on`, by name. */
export interface SSECallbacks {
  /** The connection opened (after every successful (re)connect). */
  open: () => void;
  /** A fatal error (followed by `close`), or a data error (bad JSON, event too large) after which the stream goes on. */
  error: (error: SSEError) => void;
  /** A reconnect is scheduled, or the native EventSource is reconnecting by itself. */
  reconnecting: (info: SSEReconnectingInfo) => void;
  /** The client closed itself (a fatal error, exhausted retries); not for `close()` or the `signal`. */
  close: () => void;
  /**
   * `status` changed: once for every change, `idle` and `closed` included
   * (`close()` fires it before returning; nothing fires after).
   */
  statechange: (status: SSEStatus) => void;
}

/** A lifecycle callback name. */
export type SSECallbackName = keyof SSECallbacks;

/**
 * One handler or callback registration. `unsubscribe()` removes it (and
 * closes the connection if it was the last handler); calling it twice, or
 * after the client is gone, does nothing.
 */
export declare class Subscription {
  private constructor();
  /** Removes this handler or callback. */
  unsubscribe(): void;
  /** Lets go of this handle without removing the handler. */
  free(): void;
  /** `using sub = client.subscribe(...)`: unsubscribes at the end of the scope. */
  [Symbol.dispose](): void;
}

/**
 * A Server-Sent Events client. The connection opens lazily on the first
 * `subscribe` and closes when the last subscription goes, on `close()`, or
 * when the client is freed or garbage-collected (so keep a reference).
 * After `close()` returns, no handler or callback is called again.
 *
 * `Json` is `true` for a client created with `json: true` (handlers get
 * parsed values), `false` for a text client, and `boolean` (the default,
 * so any client fits a plain `SSEClient` variable) when not known.
 */
export interface SSEClient<Json extends boolean = boolean> {
  /**
   * Calls `handler(data, event)` for every event of type `type` (`'message'`
   * for events without `event:`). With `json: true`, `data` is the parsed
   * value; say its type with the type argument or the handler's parameter.
   * Opens the connection if it is the first subscription. Throws an
   * `SSEError` of kind `closed` after `close()`.
   */
  subscribe<T extends SSEData<Json> = SSEData<Json>>(type: string, handler: Handler<T>): Subscription;
  /**
   * Without arguments: removes every handler and closes the client (like
   * `close()`). With a type: removes all its handlers; with a handler too:
   * that handler. The connection closes when no handler is left (status
   * `idle`); a later `subscribe` reconnects.
   */
  unsubscribe(type?: string, handler?: Handler<never>): void;
  /**
   * Closes the client for good. The `statechange` callbacks hear `closed`
   * before it returns; nothing fires afterwards, not even events already
   * received. Frees the client's state at once (its wasm side, the parser's
   * buffers, every handler and subscription handle), without waiting for
   * garbage collection; the getters keep answering.
   */
  close(): void;
  /** Drops the current connection (or the pending wait) and connects again at once, forgetting past failures. */
  reconnect(): void;
  /** The connection opened. */
  on(name: 'open', callback: SSECallbacks['open']): Subscription;
  /** A fatal error (followed by `close`) or a data error (the stream goes on). */
  on(name: 'error', callback: SSECallbacks['error']): Subscription;
  /** A reconnect is scheduled, or the native EventSource is reconnecting by itself. */
  on(name: 'reconnecting', callback: SSECallbacks['reconnecting']): Subscription;
  /** The client closed itself (not for `close()` or the `signal`). */
  on(name: 'close', callback: SSECallbacks['close']): Subscription;
  /** `status` changed. */
  on(name: 'statechange', callback: SSECallbacks['statechange']): Subscription;
  /** 0 connecting, reconnecting or paused; 1 open; 2 closed or idle (as `EventSource.readyState`). */
  readonly readyState: 0 | 1 | 2;
  /** Where the connection is in its life cycle. */
  readonly status: SSEStatus;
  /** The absolute URL of the stream. */
  readonly url: string;
  /** The last event ID received (or the `lastEventId` option). */
  readonly lastEventId: string;
  /** The transport `'auto'` resolved to. */
  readonly transport: SSETransport;
  /** Whether handlers receive parsed JSON (the `json` option). */
  readonly json: Json;
  /**
   * With `share`: `'leader'` while this context runs the shared connection,
   * `'follower'` while it receives from the leader; `null` when not sharing
   * (no `share`, no handler yet, closed, or a connection of its own).
   */
  readonly shareRole: 'leader' | 'follower' | null;
  /** Frees the client; it closes quietly (no callback runs). */
  free(): void;
  /** `using client = new SSEClient(...)`: frees (and closes) at the end of the scope. */
  [Symbol.dispose](): void;
}

/** The `SSEClient` class: `new SSEClient(url, options)`, and `instanceof SSEClient`. */
export interface SSEClientConstructor {
  /**
   * Creates a client for `url` (absolute, or relative to the page). Nothing
   * connects until the first `subscribe`. Throws an `SSEError`: kind
   * `invalid-url` (not `http:`/`https:`, or with `user:password@`) or
   * `invalid-option` naming what is wrong, or `init` if the
   * WebAssembly module failed to load or `init()` was never called.
   *
   * Created while the module is still loading, the client waits for it
   * (status `connecting` once subscribed). Its options are checked at once
   * all the same; a module that fails to load is reported as an `error`
   * (kind `init`) followed by `close`.
   */
  new <Json extends boolean = false>(url: string | URL, options?: SSEOptions<Json>): SSEClient<Json>;
  readonly prototype: SSEClient;
}

/** The `SSEClient` class (see `SSEClientConstructor` and `SSEClient`). */
export declare const SSEClient: SSEClientConstructor;

/**
 * Where `init()` gets the WebAssembly module from: its URL, a `Request`, a
 * `Response`, its bytes, or a compiled module (or a promise of one of them).
 */
export type InitInput =
  | string
  | URL
  | Request
  | Response
  | BufferSource
  | WebAssembly.Module
  | Promise<string | URL | Request | Response | BufferSource | WebAssembly.Module>;

/**
 * Loads and instantiates the WebAssembly module, once. Without `input`,
 * fetches the `.wasm` file next to the package's JavaScript (bundlers emit
 * it as an asset). Every call returns the same promise while the first is
 * pending or after it succeeded; after a failure, the next call retries.
 * Needs a CSP that allows `script-src 'wasm-unsafe-eval'`.
 */
export declare function init(input?: InitInput): Promise<void>;

/** Whether `init()` has completed (clients are backed by the module at once). */
export declare function isInitialized(): boolean;
