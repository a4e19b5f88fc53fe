// `SSEClient` and `Subscription`, as both entries export them: thin handles
// over the wasm-bindgen client. They let a client exist before the
// WebAssembly module has loaded (the main entry starts loading on import
// and never holds the app up): such a client is a `PendingClient` that
// records its subscriptions and callbacks, reports `connecting` once
// subscribed, and hands everything over to the real client when the module
// is ready. After that every call goes straight through; events never pass
// through this file.

import { SSEClient as WasmClient } from '../pkg/sse_wasm.js';
import { SSEError, options as optionRules, report, runtime } from '../pkg/runtime.js';
import { checkCallbackName } from './callbacks.js';
import { isInitialized, loadError, loading } from './loader.js';
import { canShare, checkShareOption } from './share-option.js';

/**
 * One handler or callback registration. `unsubscribe()` removes it (and
 * closes the connection if it was the last handler); calling it twice, or
 * after the client is gone, does nothing.
 */
export class Subscription {
  #target;
  /** The owning client's set of live subscriptions (see `SSEClient#live`). */
  #live;

  /**
   * @internal `target`: a wasm `Subscription`, a pending `Registration`,
   * or nothing (a client already closed); `live`: the set to join.
   */
  constructor(target, live) {
    this.#target = target;
    if (target !== undefined && live !== undefined) {
      this.#live = live;
      live.add(this);
    }
  }

  /** Removes this handler or callback. */
  unsubscribe() {
    const target = this.#detach();
    if (target !== undefined) {
      target.unsubscribe();
      target.free();
    }
  }

  /** Lets go of this handle without removing the handler. */
  free() {
    this.#detach()?.free();
  }

  #detach() {
    const target = this.#target;
    this.#target = undefined;
    this.#live?.delete(this);
    this.#live = undefined;
    return target;
  }
}

/** A Server-Sent Events client (see the type declarations for the API). */
export class SSEClient {
  /** The wasm-bindgen client, once the module is ready, until `close()`. */
  #client;
  /** Until then (and for good if it never gets one): what to hand over. */
  #pending;
  /** After `close()`: what the getters answer. */
  #closed;
  /**
   * The subscriptions handed out and not yet removed or freed: each holds a
   * wasm object, freed with the client by `close()`.
   */
  #live = new Set();
  #json;

  constructor(url, options) {
    // The glue expects a string; accept a URL object as fetch() does.
    const href = typeof URL === 'function' && url instanceof URL ? url.href : url;
    this.#json = options != null && options.json === true;
    checkShareOption(options?.share);
    // Thrown at once, even before the module has loaded (the checks are
    // JavaScript's: src/web/options.js).
    const checked = checkOptions(options);
    const sharing = wantsToShare(options);
    if (isInitialized() && (!sharing || SharedClient !== undefined)) {
      this.#setClient(createClient(href, options));
      return;
    }
    // Wait for the module, and for the sharing code when this client shares.
    let ready = isInitialized() ? Promise.resolve() : loading();
    if (ready === undefined) throw loadError();
    if (sharing) ready = Promise.all([ready, loadSharing()]);
    const pending = new PendingClient(resolveUrl(href), options, checked);
    this.#pending = pending;
    // A client dropped before the module arrives is never started.
    const self = new WeakRef(this);
    ready.then(
      () => {
        const client = self.deref();
        if (client !== undefined) client.#start();
      },
      (error) => pending.fail(error instanceof SSEError ? error : loadError(error)),
    );
  }

  /** Creates the real client and hands the recorded calls over to it. */
  #start() {
    const pending = this.#pending;
    if (pending.status === 'closed') return;
    pending.stopWatchingSignal();
    let client;
    try {
      client = createClient(pending.url, pending.options);
    } catch (error) {
      // Not expected (the options were checked at construction), but
      // reported rather than lost.
      return pending.fail(error);
    }
    this.#setClient(client);
    this.#pending = undefined;
    pending.handOver(client);
  }

  #setClient(client) {
    this.#client = client;
    // A wasm client closes when it is garbage-collected; a shared one is
    // kept alive by its BroadcastChannel, so it is freed with this handle.
    if (SharedClient !== undefined && client instanceof SharedClient) {
      unreachableShared?.register(this, client, this);
    }
  }

  /**
   * Wraps a wasm subscription; freed at once if a callback closed the
   * client while it was being made.
   */
  #track(subscription) {
    if (this.#client !== undefined) return new Subscription(subscription, this.#live);
    subscription.free();
    return new Subscription(undefined);
  }

  subscribe(type, handler) {
    if (this.#client) return this.#track(this.#client.subscribe(type, handler));
    if (this.#closed) throw new SSEError('closed', 'the client is closed');
    return new Subscription(this.#pending.subscribe(type, handler), this.#live);
  }

  unsubscribe(type, handler) {
    if (type == null) this.close();
    else if (this.#client) this.#client.unsubscribe(type, handler);
    else this.#pending?.unsubscribe(type, handler);
  }

  close() {
    const client = this.#client;
    if (client) {
      client.close();
      this.#release(client);
      // Not from inside this call: close() may run in a callback that a
      // method of the same client is still calling (`statechange` during
      // `subscribe`), and wasm-bindgen refuses to free an object in use.
      // The Rust side has already let go of its buffers and handlers.
      queueMicrotask(() => client.free());
    } else {
      this.#pending?.close(true);
    }
  }

  /**
   * Lets go of the wasm client: the getters answer from a snapshot, and
   * every subscription's wasm handle is freed, so nothing of this client
   * stays in wasm memory until a garbage collection.
   */
  #release(client) {
    unreachableShared?.unregister(this);
    this.#closed = { url: client.url, lastEventId: client.lastEventId, transport: client.transport };
    this.#client = undefined;
    for (const subscription of this.#live) subscription.free();
  }

  reconnect() {
    // A pending client has nothing to reconnect yet.
    this.#client?.reconnect();
  }

  on(name, callback) {
    if (this.#client) return this.#track(this.#client.on(name, callback));
    if (this.#closed) {
      // Accepted, as before close(), but never called.
      checkCallbackName(name);
      return new Subscription(undefined);
    }
    return new Subscription(this.#pending.on(name, callback), this.#live);
  }

  get readyState() {
    if (this.#client) return this.#client.readyState;
    return this.#pending?.status === 'connecting' ? 0 : 2;
  }

  get status() {
    if (this.#client) return this.#client.status;
    return this.#closed ? 'closed' : this.#pending.status;
  }

  get url() {
    return (this.#client ?? this.#closed ?? this.#pending).url;
  }

  get lastEventId() {
    return (this.#client ?? this.#closed ?? this.#pending).lastEventId;
  }

  get transport() {
    return (this.#client ?? this.#closed ?? this.#pending).transport;
  }

  /** Whether handlers receive parsed JSON (`json: true`). */
  get json() {
    return this.#json;
  }

  /** With `share`: `'leader'` or `'follower'` while in a group of contexts, else `null`. */
  get shareRole() {
    return this.#client?.shareRole ?? null;
  }

  free() {
    const client = this.#client;
    if (client) {
      this.#release(client);
      client.free();
    } else {
      this.#pending?.close(false);
    }
  }
}

if (typeof Symbol.dispose === 'symbol') {
  SSEClient.prototype[Symbol.dispose] = SSEClient.prototype.free;
  Subscription.prototype[Symbol.dispose] = Subscription.prototype.unsubscribe;
}

/**
 * A client whose module is still loading: the handlers and callbacks it
 * was given, in order, and the status it shows meanwhile.
 */
class PendingClient {
  /** `checked`: the options in the canonical form of `checkOptions`. */
  constructor(url, options, checked) {
    this.url = url;
    this.options = options;
    this.checked = checked;
    /** @type {Registration[]} */
    this.registrations = [];
    this.status = 'idle';
    const signal = options?.signal;
    if (signal?.aborted) {
      this.status = 'closed';
    } else if (signal) {
      this.onAbort = () => this.close(true);
      signal.addEventListener('abort', this.onAbort);
    }
  }

  get lastEventId() {
    return this.checked[CHECKED_LAST_EVENT_ID] ?? '';
  }

  /** What `transport: 'auto'` resolves to. */
  get transport() {
    return this.checked[CHECKED_TRANSPORT];
  }

  subscribe(type, handler) {
    if (this.status === 'closed') throw new SSEError('closed', 'the client is closed');
    const registration = this.register('handler', String(type), handler);
    if (this.status === 'idle') this.setStatus('connecting');
    return registration;
  }

  on(name, callback) {
    checkCallbackName(name);
    return this.register('callback', name, callback);
  }

  register(kind, name, fn) {
    const registration = new Registration(this, kind, name, fn);
    if (this.status !== 'closed') this.registrations.push(registration);
    return registration;
  }

  unsubscribe(type, handler) {
    for (const r of this.registrations) {
      if (r.kind === 'handler' && r.name === type && (handler == null || r.fn === handler)) r.removed = true;
    }
    this.afterRemoval();
  }

  /** A registration went: forget it; with no handler left, go idle. */
  afterRemoval() {
    this.registrations = this.registrations.filter((r) => !r.removed);
    if (this.status === 'connecting' && !this.registrations.some((r) => r.kind === 'handler')) {
      this.setStatus('idle');
    }
  }

  /** `close()` and the signal (`notify`), or `free()`: closed for good. */
  close(notify) {
    if (this.status === 'closed') return;
    this.stopWatchingSignal();
    if (notify) this.setStatus('closed');
    this.status = 'closed';
    this.registrations = [];
  }

  /** The module or the options failed: as a fatal error does, report and close. */
  fail(error) {
    if (this.status === 'closed') return;
    this.stopWatchingSignal();
    const hasErrorCallback = this.callbacks('error').length > 0;
    this.setStatus('closed');
    this.emit('error', error);
    this.emit('close', undefined);
    this.registrations = [];
    if (!hasErrorCallback) report(error);
  }

  stopWatchingSignal() {
    if (this.onAbort) this.options.signal.removeEventListener('abort', this.onAbort);
    this.onAbort = undefined;
  }

  /**
   * Registers everything with the real `client`, in the order it was given.
   * The statechange callbacks hear only what differs from what they were
   * told already (`connecting`, typically, is not repeated).
   */
  handOver(client) {
    const shown = this.status;
    let replaying = true;
    for (const r of this.registrations) {
      try {
        if (r.kind === 'handler') {
          r.attach(client.subscribe(r.name, r.fn));
        } else if (r.name === 'statechange') {
          const callback = r.fn;
          r.attach(client.on(r.name, (status) => replaying || callback(status)));
        } else {
          r.attach(client.on(r.name, r.fn));
        }
      } catch (error) {
        report(error);
      }
    }
    replaying = false;
    const statechange = this.callbacks('statechange');
    this.registrations = [];
    if (client.status !== shown) runtime.emit(statechange, client.status);
  }

  setStatus(status) {
    this.status = status;
    this.emit('statechange', status);
  }

  /** The live registrations of callback `name`: listener records (`fn`, `removed`) for the runtime's `emit`. */
  callbacks(name) {
    return this.registrations.filter((r) => r.kind === 'callback' && r.name === name);
  }

  emit(name, value) {
    runtime.emit(this.callbacks(name), value);
  }
}

/** A handler or callback given to a pending client. */
class Registration {
  constructor(owner, kind, name, fn) {
    this.owner = owner;
    this.kind = kind;
    this.name = name;
    this.fn = fn;
    this.removed = false;
    /** The real client's subscription, after the hand-over. */
    this.subscription = undefined;
    this.freed = false;
  }

  attach(subscription) {
    if (this.freed) subscription.free();
    else this.subscription = subscription;
  }

  unsubscribe() {
    if (this.subscription !== undefined) {
      this.subscription.unsubscribe();
    } else if (!this.removed) {
      this.removed = true;
      this.owner.afterRemoval();
    }
  }

  free() {
    this.freed = true;
    this.subscription?.free();
    this.subscription = undefined;
  }
}

/** Frees the shared client of an `SSEClient` that was garbage-collected unclosed. */
const unreachableShared =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((client) => client.free()) : undefined;

/** `SharedClient` from ./share.js, once loaded (see `loadSharing`). */
let SharedClient;
let sharingLoad;

/**
 * Loads ./share.js, once: a chunk of its own in a bundled app, fetched by
 * the first client that shares. A failure rejects with an `SSEError` of
 * kind `init`; the next client that shares tries again.
 */
function loadSharing() {
  sharingLoad ??= import('./share.js').then(
    (module) => {
      SharedClient = module.SharedClient;
    },
    (cause) => {
      sharingLoad = undefined;
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new SSEError('init', `the code of the \`share\` option failed to load (${why})`, { cause });
    },
  );
  return sharingLoad;
}

/** Positions in the canonical options (`normalizeOptions` in src/web/options.js). */
const CHECKED_TRANSPORT = 0;
const CHECKED_LAST_EVENT_ID = 9;

/**
 * Checks `options` as the wasm client will (throwing the `SSEError` of kind
 * `invalid-option` naming the first wrong one) and returns them in
 * canonical form. `share` is this file's to check.
 */
function checkOptions(options) {
  if (options == null || typeof options !== 'object' || !('share' in options)) {
    return optionRules.normalizeOptions(options);
  }
  const { share: _, ...rest } = options;
  return optionRules.normalizeOptions(rest);
}

/** Whether a client with `options` shares its connection: `share` set, and a context that can. */
function wantsToShare(options) {
  const share = options?.share;
  return share !== undefined && share !== false && canShare();
}

/**
 * The client behind an `SSEClient`: a `SharedClient` when it shares (its
 * code loaded: see the constructor), else a wasm-bindgen client (which does
 * not know the `share` option).
 */
function createClient(url, options) {
  const share = options?.share;
  if (share === undefined) return new WasmClient(url, options);
  if (wantsToShare(options)) return new SharedClient(url, options, share);
  const { share: _, ...rest } = options;
  return new WasmClient(url, rest);
}

/**
 * Resolves `url` against the page (or worker) location, as the wasm client
 * does (`checkUrl` in src/web/options.js): http(s) only, no credentials,
 * and an error that never shows them.
 */
function resolveUrl(url) {
  const [href, reason] = optionRules.checkUrl(url);
  if (reason === undefined) return href;
  throw new SSEError('invalid-url', `invalid URL "${href}": ${reason}`, { url: href });
}
