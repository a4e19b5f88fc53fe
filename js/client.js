// `SSEClient` and `Subscription`, as both entries export them: handles over
// the client of src/web/client.js (`Client`), which works before the
// WebAssembly module has loaded (it connects once `makeEngine` delivers),
// or over a `SharedClient` (./share.js) for a client created with `share`.
// Events never pass through this file.
//
// A handle of its own, rather than `Client` itself, for two reasons:
// - `share` picks another client, whose code is a chunk loaded on demand;
// - the handle is what the app holds. The client is reachable from its
//   own transports and timers, so it would never be garbage-collected;
//   the handle is, and then frees the client, which closes it (as a wasm
//   client's finalizer did).

import { Client, SSEError, Subscription } from '../pkg/runtime.js';
import { checkLoading, describe, makeEngine } from './loader.js';
import { canShare, checkShareOption } from './share-option.js';

/**
 * The handles `subscribe` and `on` return: the class of src/web/client.js,
 * whose `unsubscribe()` calls its owner's `remove(record)`.
 */
export { Subscription };

/** A Server-Sent Events client (see the type declarations for the API). */
export class SSEClient {
  /** A `Client`, or a `SharedClient`; while ./share.js loads, a `Client` standing in (see `#handOver`). */
  #client;
  /**
   * While ./share.js loads, for a client that shares: what the stand-in
   * was given, in order, as `{ method, name, fn, removed, target }`,
   * `target` being the `Subscription` of the client that has it now.
   */
  #given;

  constructor(url, options) {
    const share = options?.share;
    checkShareOption(share);
    // `share` is this file's option; `Client` knows only the others.
    if (typeof options === 'object' && options !== null && 'share' in options) {
      const { share: _, ...rest } = options;
      options = rest;
    }
    const sharing = share !== undefined && share !== false && canShare();
    this.#client = new Client(url, options, sharing ? standInEngine : makeEngine);
    unreachable?.register(this, this.#client);
    if (!sharing) return;
    // A client that shares starts as a `Client` that never gets an engine:
    // it has checked the options and resolved the URL and the transport
    // for the `SharedClient`, and until ./share.js has loaded it stands in
    // for it: shows `connecting` once subscribed, hears the signal, and
    // reports a failed load.
    this.#given = [];
    if (handOver !== undefined) {
      this.#handOver(options, share);
    } else {
      // A client dropped meanwhile is never started.
      const self = new WeakRef(this);
      loadSharing().then(() => self.deref()?.#handOver(options, share), () => {});
    }
  }

  /** ./share.js has loaded: a `SharedClient` takes over from the stand-in (`handOver`). */
  #handOver(options, share) {
    const given = this.#given;
    this.#given = undefined;
    // Freed, closed, aborted by the signal or failed: nothing to start.
    if (given === undefined || this.#client.status === 'closed') return;
    this.#client = handOver(this.#client, given, options, share);
    unreachable?.register(this, this.#client);
  }

  /** `subscribe` or `on`: while ./share.js loads, also recorded for the hand-over. */
  #register(method, name, fn) {
    const target = this.#client[method](name, fn);
    if (this.#given === undefined) return target;
    const g = { method, name: method === 'on' ? name : String(name), fn, removed: false, target };
    this.#given.push(g);
    return new Subscription(recorded, g);
  }

  subscribe(type, handler) {
    return this.#register('subscribe', type, handler);
  }

  on(name, callback) {
    return this.#register('on', name, callback);
  }

  unsubscribe(type, handler) {
    this.#client.unsubscribe(type, handler);
    if (type == null || this.#given === undefined) return;
    for (const g of this.#given) {
      if (g.method === 'subscribe' && g.name === String(type) && (handler == null || g.fn === handler)) g.removed = true;
    }
  }

  close() {
    this.#client.close();
  }

  reconnect() {
    this.#client.reconnect();
  }

  get readyState() {
    return this.#client.readyState;
  }

  get status() {
    return this.#client.status;
  }

  get url() {
    return this.#client.url;
  }

  get lastEventId() {
    return this.#client.lastEventId;
  }

  get transport() {
    return this.#client.transport;
  }

  /** Whether handlers receive parsed JSON (`json: true`). */
  get json() {
    return this.#client.json;
  }

  /** With `share`: `'leader'` or `'follower'` while in a group of contexts, else `null`. */
  get shareRole() {
    return this.#client.shareRole ?? null;
  }

  free() {
    this.#given = undefined;
    this.#client.free();
  }
}

if (typeof Symbol.dispose === 'symbol') {
  SSEClient.prototype[Symbol.dispose] = SSEClient.prototype.free;
  Subscription.prototype[Symbol.dispose] = Subscription.prototype.unsubscribe;
}

/**
 * The owner of the handles given out while ./share.js loads: they remove
 * the registration from whichever client has it (the stand-in, or the
 * `SharedClient` after the hand-over).
 */
const recorded = {
  remove(g) {
    g.removed = true;
    g.target.unsubscribe();
  },
};

/** Frees the client of an `SSEClient` that was garbage-collected unclosed (freeing closes it, quietly). */
const unreachable =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((client) => client.free()) : undefined;

/**
 * The `makeEngine` of a client standing in for a `SharedClient` while
 * ./share.js loads: it never gets an engine (the `SharedClient` connects,
 * if it leads), but hears of a failed load, as its fatal error. It throws
 * at construction as any client does when nothing loads the module.
 */
function standInEngine() {
  checkLoading();
  return loadSharing().then(() => new Promise(() => {}));
}

/** `handOver` from ./share.js, once loaded (see `loadSharing`). */
let handOver;
let sharingLoad;

/**
 * Loads ./share.js, once: a chunk of its own in a bundled app, fetched by
 * the first client that shares. A failure rejects with an `SSEError` of
 * kind `init`; the next client that shares tries again.
 */
function loadSharing() {
  sharingLoad ??= import('./share.js').then(
    (module) => {
      handOver = module.handOver;
    },
    (cause) => {
      sharingLoad = undefined;
      throw new SSEError('init', `the code of the \`share\` option failed to load (${describe(cause)})`, { cause });
    },
  );
  return sharingLoad;
}
