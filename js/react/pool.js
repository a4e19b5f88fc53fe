// Shared connections for the React hooks: one SSEClient per connection key
// (URL, transport, JSON mode, auth identity, the other options), reference
// counted, closed a tick after its last user lets go. The deferred close is
// what lets React's StrictMode (mount, unmount, mount again in development)
// and quick re-renders reuse the connection instead of opening a second one.
//
// Nothing here runs during render except `peek` and `snapshot`, which only
// read: clients are created from effects (`acquire`), after a lazy `init()`.

import { SSEClient, init, isInitialized } from '../init.js';
import { hash } from '../hash.js';

/** Options the hooks read themselves; never passed to the client. */
const HOOK_OPTIONS = ['event', 'key', 'enabled'];

/** Options whose functions are called through a wrapper reading the latest render's. */
const LATEST_FUNCTIONS = ['headers', 'onUnauthorized'];

/** The state of a key without a connection (and on the server). */
export const IDLE = Object.freeze({
  status: 'idle',
  error: null,
  lastEventId: '',
  data: undefined,
  event: null,
  initError: undefined,
});

/**
 * The options to hand to the client: the hook's own keys removed, and
 * `undefined` values dropped (the client treats them as absent anyway).
 */
export function clientOptions(options) {
  const out = {};
  if (options) {
    for (const name of Object.keys(options)) {
      if (!HOOK_OPTIONS.includes(name) && options[name] !== undefined) out[name] = options[name];
    }
  }
  return out;
}

/** `url` made absolute against the page when there is one (no I/O). */
export function resolveUrl(url) {
  const text = typeof URL === 'function' && url instanceof URL ? url.href : String(url);
  const base = globalThis.location && globalThis.location.href;
  if (typeof base !== 'string') return text;
  try {
    return new URL(text, base).href;
  } catch {
    return text; // the client reports the invalid URL as an error state
  }
}

/**
 * The key that decides which hooks share a connection. Options are part of
 * it by value, except that the values of functions do not count (an inline
 * `headers: () => ...` would otherwise reconnect on every render) and that
 * everything but the URL, the transport, the JSON flag and the user's
 * `identity` is hashed, so header values such as tokens never appear in it.
 * Objects that cannot be compared by value (an AbortSignal, a Blob) count
 * by identity.
 */
export function connectionKey(url, options, identity) {
  const opts = clientOptions(options);
  const { transport = 'auto', json = false, ...rest } = opts;
  return JSON.stringify([
    resolveUrl(url),
    String(transport),
    json === true,
    identity === undefined || identity === null ? null : String(identity),
    hash(canonical(rest)),
  ]);
}

const objectIds = new WeakMap();
let nextObjectId = 1;

/** A deterministic string for an options value (see `connectionKey`). */
function canonical(value) {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function') return 'f';
    if (typeof value === 'number' && !Number.isFinite(value)) return `n:${value}`;
    return JSON.stringify(value) ?? 'u';
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  if (typeof URLSearchParams === 'function' && value instanceof URLSearchParams) {
    return `q:${JSON.stringify(value.toString())}`;
  }
  let id = objectIds.get(value);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(value, id);
  }
  return `#${id}`;
}

/**
 * The error to show when the module cannot load: the one the constructor
 * throws now, which names the cause and the usual fixes (the .wasm URL,
 * the CSP), rather than the bare CompileError or fetch failure.
 */
function explainInitFailure(url, error) {
  try {
    new SSEClient(url);
  } catch (explained) {
    return explained;
  }
  return error;
}

/** Reports an exception thrown by user code without stopping the caller. */
function report(error) {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else console.error(error);
}

/**
 * One shared connection: the client, who uses it (`refs`), the handlers per
 * event type, and an immutable state object replaced on every change (what
 * `useSyncExternalStore` compares).
 */
export class PooledClient {
  constructor(pool, key, url, options) {
    this.pool = pool;
    this.key = key;
    this.url = url;
    /** The latest render's options; function options are read from here at call time. */
    this.options = options;
    this.refs = 0;
    this.client = null;
    this.disposed = false;
    this.userClosed = false;
    this.initializing = false;
    this.sweepPending = false;
    this.state = { status: 'idle', error: null, lastEventId: '', initError: undefined };
    /** type -> { data, event } of the last event of that type. */
    this.latest = new Map();
    /** type -> Set of handlers. */
    this.handlers = new Map();
    /** type -> the client's Subscription (one per type, fanned out here). */
    this.subscriptions = new Map();
    /** Store listeners (`useSyncExternalStore`). */
    this.watchers = new Set();
    /** type -> { state, last, value }: snapshots kept while nothing changed. */
    this.snapshots = new Map();
  }

  /** One more user; connects (after `init()`) if it is the first. */
  retain() {
    this.refs++;
    this.ensureClient();
  }

  /** One user less; the close is deferred so a remount can take over. */
  release() {
    this.refs--;
    this.scheduleSweep();
  }

  /** Calls `handler(data, event)` for events of `type`; returns the remover. */
  listen(type, handler) {
    let set = this.handlers.get(type);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(type, set);
    }
    set.add(handler);
    this.subscribeType(type);
    return () => {
      set.delete(handler);
      this.scheduleSweep();
    };
  }

  /** Adds a store listener; returns the remover. */
  watch(listener) {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /** The `useSSE` view for `type`: the same object until something changes. */
  snapshot(type) {
    const last = this.latest.get(type);
    const cached = this.snapshots.get(type);
    if (cached !== undefined && cached.state === this.state && cached.last === last) return cached.value;
    const value = {
      status: this.state.status,
      error: this.state.error,
      lastEventId: this.state.lastEventId,
      data: last === undefined ? undefined : last.data,
      event: last === undefined ? null : last.event,
      initError: this.state.initError,
    };
    this.snapshots.set(type, { state: this.state, last, value });
    return value;
  }

  /** Closes the shared connection for every user, until `reconnect()`. */
  close() {
    if (this.disposed) return;
    this.userClosed = true;
    if (this.client !== null) this.client.close();
    this.setState({ status: 'closed' });
  }

  /**
   * Reconnects now. A client that is closed (by `close()`, a fatal error
   * or exhausted retries) cannot reconnect, so it is replaced.
   */
  reconnect() {
    if (this.disposed) return;
    this.userClosed = false;
    if (this.client !== null && this.client.status !== 'closed') {
      this.client.reconnect();
      return;
    }
    this.dropClient();
    this.setState({ error: null });
    this.ensureClient();
  }

  // ----- internals -------------------------------------------------------

  ensureClient() {
    if (this.client !== null || this.disposed || this.refs <= 0 || this.userClosed) return;
    if (!isInitialized()) {
      if (this.initializing) return;
      this.initializing = true;
      init().then(
        () => {
          this.initializing = false;
          this.ensureClient();
        },
        (error) => {
          this.initializing = false;
          this.setState({ initError: explainInitFailure(this.url, error) });
        },
      );
      return;
    }
    let client;
    try {
      client = new SSEClient(this.url, this.clientOptions());
    } catch (error) {
      // invalid-url / invalid-option: an error state, not a crash.
      this.setState({ status: 'closed', error });
      return;
    }
    this.client = client;
    client.on('statechange', (status) => this.setState({ status }));
    client.on('open', () => this.setState({ status: 'open', error: null }));
    client.on('error', (error) => this.setState({ error }));
    client.on('reconnecting', (info) => this.setState({ error: info.error }));
    client.on('close', () => this.setState({ status: 'closed' }));
    for (const [type, set] of this.handlers) {
      if (set.size > 0) this.subscribeType(type);
    }
    this.refresh();
  }

  /** The constructor's options, function options wrapped to call the latest render's. */
  clientOptions() {
    const options = clientOptions(this.options);
    for (const name of LATEST_FUNCTIONS) {
      if (typeof options[name] === 'function') {
        options[name] = (...args) => {
          const latest = this.options[name];
          return typeof latest === 'function' ? latest(...args) : undefined;
        };
      }
    }
    return options;
  }

  subscribeType(type) {
    const client = this.client;
    if (client === null || this.subscriptions.has(type) || client.status === 'closed') return;
    let subscription;
    try {
      subscription = client.subscribe(type, (data, event) => this.deliver(type, data, event));
    } catch (error) {
      this.setState({ error });
      return;
    }
    this.subscriptions.set(type, subscription);
    this.refresh();
  }

  deliver(type, data, event) {
    this.latest.set(type, { data, event });
    if (event.lastEventId !== this.state.lastEventId) {
      this.setState({ lastEventId: event.lastEventId });
    } else {
      this.notify();
    }
    const set = this.handlers.get(type);
    if (set === undefined) return;
    for (const handler of Array.from(set)) {
      // A handler removed by an earlier one during this dispatch is skipped.
      if (!set.has(handler)) continue;
      try {
        handler(data, event);
      } catch (error) {
        report(error);
      }
    }
  }

  scheduleSweep() {
    if (this.sweepPending) return;
    this.sweepPending = true;
    setTimeout(() => {
      this.sweepPending = false;
      this.sweep();
    }, 0);
  }

  /** Runs a tick after a release: closes if unused, drops types nobody listens to. */
  sweep() {
    if (this.disposed) return;
    if (this.refs <= 0) {
      this.dispose();
      return;
    }
    for (const [type, set] of this.handlers) {
      if (set.size > 0) continue;
      this.handlers.delete(type);
      const subscription = this.subscriptions.get(type);
      if (subscription !== undefined) {
        this.subscriptions.delete(type);
        subscription.unsubscribe();
        subscription.free();
      }
    }
    this.refresh();
  }

  dispose() {
    this.disposed = true;
    this.dropClient();
    this.watchers.clear();
    this.pool.forget(this);
  }

  /** Closes and frees the client (freeing closes it) and its subscriptions. */
  dropClient() {
    for (const subscription of this.subscriptions.values()) subscription.free();
    this.subscriptions.clear();
    if (this.client !== null) {
      const client = this.client;
      this.client = null;
      client.free();
    }
  }

  /** Reads what the client knows (status, last event ID) into the state. */
  refresh() {
    const client = this.client;
    if (client === null) return;
    this.setState({ status: client.status, lastEventId: client.lastEventId });
  }

  setState(patch) {
    let changed = false;
    for (const name of Object.keys(patch)) {
      if (this.state[name] !== patch[name]) changed = true;
    }
    if (!changed) return;
    this.state = { ...this.state, ...patch };
    this.notify();
  }

  notify() {
    for (const listener of Array.from(this.watchers)) listener();
  }
}

/** The shared connections of one scope (the page, or one `SSEProvider`). */
export class ClientPool {
  constructor() {
    this.connections = new Map();
  }

  /** The live connection for `key`, if any (reads only: safe during render). */
  peek(key) {
    return key === null ? undefined : this.connections.get(key);
  }

  /** Retains the connection for `key`, creating it (and its client) if needed. */
  acquire(key, url, options) {
    let connection = this.connections.get(key);
    if (connection === undefined) {
      connection = new PooledClient(this, key, url, options);
      this.connections.set(key, connection);
    } else {
      connection.options = options;
    }
    connection.retain();
    return connection;
  }

  forget(connection) {
    if (this.connections.get(connection.key) === connection) this.connections.delete(connection.key);
  }
}
