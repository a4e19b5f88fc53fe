// `share`: one connection for every same-origin context (tabs, iframes,
// workers) whose clients have the same share key.
//
// Each context's `SharedClient` is a member of the key's group. One member,
// the leader, holds the group's Web Lock and runs the real connection (a
// `Client` made from its own options, so headers and tokens stay in its
// context). It subscribes to the union of the event types that the
// members' handlers need and relays every event, status change and
// lifecycle callback over the group's BroadcastChannel. Every member, the
// leader included, hands them to its own handlers and callbacks, so a
// member behaves as a client of its own would. When the leader's context
// goes (closed, crashed, `close()`), the browser releases its lock and the
// next member in the lock's queue leads. It hears the other members' last
// event IDs and reconnects from the earliest of them (its own, unless one
// missed the old leader's last events); every member drops the replayed
// events it has delivered already.
//
// A follower listens to one leader at a time, the last to announce itself
// (the lock makes sure the one before has gone), so nothing from a leader
// that has gone is delivered after its successor's first message.

import { Client, SSEError, SSEEvent, Subscription, checkCallbackName, runtime } from '../pkg/runtime.js';
import { hash } from './hash.js';
import { makeEngine } from './loader.js';

/** Prefix of the group's lock and channel names. */
const PREFIX = 'sse-wasm:share:';

/** The messages members send to the leader; every other message is the leader's. */
const FROM_MEMBERS = ['join', 'types', 'reconnect', 'leave'];

/** How many event IDs a member remembers for deduplication after a hand-over. */
const RECENT_IDS = 1024;

/**
 * The last `RECENT_IDS` event IDs a member delivered, oldest first, in a
 * ring: remembering one more costs the same however many are kept.
 */
class RecentIds {
  #ids = new Array(RECENT_IDS);
  /** How many were ever added; the newest is at `(#added - 1) % RECENT_IDS`. */
  #added = 0;

  add(id) {
    this.#ids[this.#added % RECENT_IDS] = id;
    this.#added += 1;
  }

  /** How many IDs ago `id` was added (0: the newest), or -1 if it is not kept. */
  age(id) {
    const kept = Math.min(this.#added, RECENT_IDS);
    for (let age = 0; age < kept; age++) {
      if (this.#ids[(this.#added - 1 - age) % RECENT_IDS] === id) return age;
    }
    return -1;
  }

  /** The kept IDs, as a set. */
  toSet() {
    return new Set(this.#added < RECENT_IDS ? this.#ids.slice(0, this.#added) : this.#ids);
  }
}

/** How long a new leader relays the types its predecessor relayed before it trusts the members' answers alone. */
const INHERITED_TYPES_MS = 2000;

/**
 * The longest a new leader waits for the members' last event IDs before it
 * reconnects. It reconnects as soon as every member it knows of has
 * answered; the wait runs out only for a member that went without a word
 * (a crashed context), or when a busy machine delays the answers.
 */
const HANDOVER_GATHER_MAX_MS = 300;

/** How long a leader whose connection closed itself keeps the lock (see `#ended`). */
const END_LINGER_MS = 1000;

/**
 * What must be equal for two clients to share a connection: the absolute
 * URL, the transport asked for, the method, a hash of the body and whether
 * credentials are sent. Headers are not compared: the leader's are used.
 * `null` for a body that cannot be compared (a Blob, a FormData): such a
 * client never shares.
 */
export function connectionIdentity(url, options) {
  const body = bodyFingerprint(options?.body);
  if (body === null) return null;
  return {
    url,
    transport: options?.transport ?? 'auto',
    method: String(options?.method ?? 'GET').toUpperCase(),
    body,
    withCredentials: options?.withCredentials === true,
  };
}

/** The group key of `share: true` (URL, method, body hash) or the key given. */
export function shareKey(share, identity) {
  return share === true ? `auto:${hash(JSON.stringify([identity.url, identity.method, identity.body]))}` : `key:${share}`;
}

/** A hash of the request body, as the fetch transport would send it; `null` if it cannot be read synchronously. */
function bodyFingerprint(body) {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return hash(`s:${body}`);
  if (typeof URLSearchParams === 'function' && body instanceof URLSearchParams) return hash(`q:${body}`);
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    let text = 'b:';
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return hash(text);
  }
  if (typeof Blob === 'function' && body instanceof Blob) return null;
  if (typeof FormData === 'function' && body instanceof FormData) return null;
  return hash(`j:${JSON.stringify(body)}`);
}

/** The options of `identity` that differ from `other`'s, by name. */
function differences(identity, other) {
  return Object.keys(identity).filter((name) => identity[name] !== other[name]);
}

/** A member id: unique among the contexts of the origin. */
function memberId() {
  if (typeof crypto === 'object' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * An `SSEError` as a structured-clonable object (an `Error` loses its
 * class and fields through postMessage), and back.
 */
function errorToMessage(error) {
  if (!(error instanceof Error)) return { plain: error };
  const fields = {};
  for (const key of Object.keys(error)) {
    const value = error[key];
    if (key === 'headers' && value && typeof value.entries === 'function') fields.headers = [...value.entries()];
    else if (key === 'event' && value instanceof SSEEvent) fields.event = { ...value };
    else if (key !== 'name' && key !== 'kind' && typeof value !== 'function') fields[key] = value;
  }
  const cause = error.cause === undefined ? undefined : errorToMessage(error.cause);
  return { kind: error.kind, message: error.message, fields, cause };
}

function errorFromMessage(message) {
  if ('plain' in message) return message.plain;
  const details = { ...message.fields };
  if (details.headers && typeof Headers === 'function') details.headers = new Headers(details.headers);
  if (details.event) details.event = new SSEEvent(details.event.type, details.event.data, details.event.lastEventId);
  if (message.cause !== undefined) details.cause = errorFromMessage(message.cause);
  return message.kind === undefined ? new Error(message.message) : new SSEError(message.kind, message.message, details);
}

/**
 * The hand-over of js/client.js: `template`, the `Client` that stood in for
 * an `SSEClient` created with `share` while this file loaded, is freed, and
 * a `SharedClient` made from it takes over, with every handler and
 * callback it was given (`given`: `{ method, name, fn, removed, target }`,
 * in order) registered again, `target` becoming the new registration. The
 * statechange callbacks hear only what differs from what they were told
 * already (`connecting`, typically, is not repeated). Returns the
 * `SharedClient`.
 */
export function handOver(template, given, options, share) {
  const client = new SharedClient(template, options, share);
  const shown = template.status;
  template.free();
  let replaying = true;
  for (const g of given) {
    if (g.removed) continue;
    if (g.method === 'on') {
      const { fn } = g;
      g.target = client.on(g.name, g.name === 'statechange' ? (status) => replaying || fn(status) : fn);
    } else if (client.status !== 'closed') {
      g.target = client.subscribe(g.name, g.fn);
    }
  }
  replaying = false;
  if (client.status !== shown) {
    runtime.emit(
      given.filter((g) => g.method === 'on' && g.name === 'statechange'),
      client.status,
    );
  }
  return client;
}

/**
 * The client behind an `SSEClient` created with `share`: the same methods
 * and getters as a `Client`, plus `shareRole`.
 */
export class SharedClient {
  #url;
  /** What `transport: 'auto'` resolves to for this member's options, and what the shared connection uses. */
  #transport;
  #sharedTransport;
  /** The options for a real connection: `share`, `json`, `signal` and `pauseWhenHidden` are this member's business. */
  #connectionOptions;
  #identity;
  #key;
  #json;
  #signal;
  #onAbort;

  /** type -> immutable list of listener records `{ fn, removed, type }`. */
  #handlers = new Map();
  /** callback name -> immutable list of listener records `{ fn, removed, name }`. */
  #callbacks = new Map();
  #status = 'idle';
  #lastEventId;
  /** The status of the group's connection, as last heard (whether or not this member has handlers). */
  #shared = 'connecting';

  /** In the group: its channel, this member's id, and the id of the leader it listens to. */
  #channel;
  #id;
  #leader;
  /** Aborts the pending lock requests (group and member locks). */
  #leaving;
  /** Set while this member holds the group lock: ends the lock's hold. */
  #releaseLock;
  /** Set while the member lock is held. */
  #releaseMemberLock;
  /** `null`, `'follower'` or `'leader'`. */
  #role = null;
  /** Refused by the group (different options): connects on its own from now on. */
  #alone = false;

  /** The real connection (leader, or alone): a `Client`, and its subscriptions by type. */
  #real;
  #relays = new Map();
  /** Leader: member id -> `{ types, abort }`: its event types, and the abort of the watch on its member lock. */
  #members = new Map();
  /**
   * The event types the group needed, as the last leader said: a new leader
   * relays them until the members have told it theirs, so that no event a
   * member needs is missed while they do.
   */
  #groupTypes = [];
  #inherited = new Set();
  #inheritedTimer;
  /**
   * The other members of the group this member has heard join (of the same
   * identity), until they leave: whom a new leader waits for.
   */
  #peers = new Set();
  /** A new leader, while it gathers: the peers that have not answered yet. */
  #awaited;
  /** A new leader, for a moment before it connects: the last event IDs its members delivered. */
  #heardIds;
  #gatherTimer;

  /** The newest event IDs delivered (for deduplication after a hand-over). */
  #recentIds = new RecentIds();
  /** After a hand-over: IDs delivered before it, dropped until a new one arrives. */
  #skipIds;

  /**
   * `template`: a `Client` of `options` (which lack `share`) that has
   * checked them and resolved the URL and the transport; it never connects.
   */
  constructor(template, options, share) {
    this.#url = template.url;
    this.#transport = template.transport;
    this.#lastEventId = template.lastEventId;
    const { json, signal, pauseWhenHidden: _paused, ...connection } = options ?? {};
    this.#connectionOptions = connection;
    this.#json = json === true;
    this.#identity = connectionIdentity(this.#url, connection);
    if (this.#identity === null) {
      this.#alone = true;
      console.warn(
        `sse-wasm: share: a ${connection.body?.constructor?.name ?? 'Blob'} body cannot be compared with other clients' bodies, ` +
          'so this client opens a connection of its own. Send the body as a string, an object, URLSearchParams or bytes to share.',
      );
    } else {
      this.#key = shareKey(share, this.#identity);
    }
    this.#signal = signal;
    if (signal?.aborted) {
      this.#status = 'closed';
    } else if (signal) {
      this.#onAbort = () => this.close();
      signal.addEventListener('abort', this.#onAbort);
    }
  }

  // ----- the client API ----------------------------------------------------

  subscribe(type, handler) {
    if (this.#status === 'closed') throw new SSEError('closed', 'the client is closed');
    const name = String(type);
    const record = { fn: handler, removed: false, type: name };
    const before = this.#handlers.get(name) ?? [];
    this.#handlers.set(name, [...before, record]);
    if (this.#status === 'idle') this.#start();
    else if (before.length === 0) this.#typesChanged();
    return new Subscription(this, record);
  }

  unsubscribe(type, handler) {
    if (type == null) return this.close();
    this.#removeHandlers(String(type), (r) => handler == null || r.fn === handler);
  }

  on(name, callback) {
    checkCallbackName(name);
    const record = { fn: callback, removed: false, name };
    if (this.#status !== 'closed') this.#callbacks.set(name, [...(this.#callbacks.get(name) ?? []), record]);
    return new Subscription(this, record);
  }

  /** Removes a handler or callback record (what a `Subscription` asks). */
  remove(record) {
    if (record.type !== undefined) return this.#removeHandlers(record.type, (r) => r === record);
    record.removed = true;
    const list = this.#callbacks.get(record.name);
    if (list) this.#callbacks.set(record.name, list.filter((r) => r !== record));
  }

  close() {
    if (this.#status === 'closed') return;
    this.#setStatus('closed');
    this.#shutDown();
  }

  free() {
    if (this.#status === 'closed') return;
    this.#status = 'closed';
    this.#shutDown();
  }

  reconnect() {
    if (this.#real) this.#real.reconnect();
    else if (this.#role === 'follower') this.#post({ t: 'reconnect', from: this.#id });
  }

  get readyState() {
    const status = this.#status;
    if (status === 'open') return 1;
    return status === 'closed' || status === 'idle' ? 2 : 0;
  }

  get status() {
    return this.#status;
  }

  get url() {
    return this.#url;
  }

  get lastEventId() {
    return this.#lastEventId;
  }

  get json() {
    return this.#json;
  }

  get transport() {
    return this.#real?.transport ?? this.#sharedTransport ?? this.#transport;
  }

  /** `'leader'` or `'follower'` while in a group; `null` otherwise. */
  get shareRole() {
    return this.#role;
  }

  // ----- local handlers and state ------------------------------------------

  #hasHandlers() {
    for (const list of this.#handlers.values()) if (list.length > 0) return true;
    return false;
  }

  #types() {
    return [...this.#handlers].filter(([, list]) => list.length > 0).map(([type]) => type);
  }

  #removeHandlers(type, matches) {
    const list = this.#handlers.get(type);
    if (list === undefined) return;
    const kept = [];
    for (const r of list) {
      if (matches(r)) r.removed = true;
      else kept.push(r);
    }
    if (kept.length === list.length) return;
    if (kept.length > 0) {
      this.#handlers.set(type, kept);
      return;
    }
    this.#handlers.delete(type);
    if (this.#hasHandlers()) {
      this.#typesChanged();
    } else if (this.#role === 'leader') {
      // The others may still need the connection: go on leading it.
      this.#setStatus('idle');
      this.#syncRelays();
    } else if (this.#status !== 'closed') {
      this.#stop();
    }
  }

  #setStatus(status) {
    if (this.#status === status) return;
    this.#status = status;
    runtime.emit(this.#callbacks.get('statechange') ?? [], status);
  }

  #emit(name, value) {
    const list = this.#callbacks.get(name);
    if (list) runtime.emit(list, value);
  }

  // ----- joining and leaving the group -------------------------------------

  /** The first handler: join the group (or connect alone). */
  #start() {
    this.#setStatus('connecting');
    if (this.#status !== 'connecting') return; // a statechange callback closed or emptied it
    if (this.#role === 'leader') {
      // Still leading for the others: the connection is there already.
      this.#syncRelays();
      if (this.#shared === 'open') {
        this.#setStatus('open');
        this.#emit('open', undefined);
      }
      return;
    }
    if (this.#alone) {
      this.#connect(this.#lastEventId);
      return;
    }
    this.#join();
  }

  /** The last handler went: leave, and show `idle`, as a client of its own does. */
  #stop() {
    this.#leave();
    this.#setStatus('idle');
  }

  /** After close() or free(): leave the group and forget every handler. */
  #shutDown() {
    this.#leave();
    for (const list of this.#handlers.values()) for (const r of list) r.removed = true;
    this.#handlers.clear();
    this.#callbacks.clear();
    if (this.#onAbort) this.#signal.removeEventListener('abort', this.#onAbort);
    this.#onAbort = undefined;
  }

  #join() {
    const leaving = new AbortController();
    this.#leaving = leaving;
    this.#id = memberId();
    this.#role = 'follower';
    const channel = new BroadcastChannel(PREFIX + this.#key);
    this.#channel = channel;
    channel.onmessage = (event) => this.#receive(event.data);
    const name = PREFIX + this.#key;
    // The member lock says "this member is alive" to the leader, which
    // queues for it: the browser grants it when this context goes.
    const held = (setRelease) => () => new Promise((resolve) => setRelease(resolve));
    navigator.locks
      .request(`${name}:member:${this.#id}`, { signal: leaving.signal }, held((release) => {
        if (leaving.signal.aborted) return release();
        this.#releaseMemberLock = release;
        this.#announce();
      }))
      .catch(() => {});
    navigator.locks
      .request(name, { signal: leaving.signal }, held((release) => {
        if (leaving.signal.aborted) return release();
        this.#releaseLock = release;
        this.#lead();
      }))
      .catch(() => {});
  }

  /** Leaves the group: stop leading, release both locks, close the channel. */
  #leave() {
    if (this.#role === 'leader' || this.#alone) this.#disconnect();
    // So that a later leader does not wait for this member's answer.
    if (this.#role !== null) this.#post({ t: 'leave', from: this.#id });
    this.#role = null;
    this.#peers.clear();
    this.#awaited = undefined;
    this.#leaving?.abort();
    this.#leaving = undefined;
    this.#releaseLock?.();
    this.#releaseLock = undefined;
    this.#releaseMemberLock?.();
    this.#releaseMemberLock = undefined;
    for (const member of this.#members.values()) member.abort.abort();
    this.#members.clear();
    clearTimeout(this.#inheritedTimer);
    clearTimeout(this.#gatherTimer);
    this.#heardIds = undefined;
    this.#inherited.clear();
    this.#shared = 'connecting';
    this.#channel?.close();
    this.#channel = undefined;
    this.#leader = undefined;
    this.#skipIds = undefined;
  }

  /** Tells the leader who this member is and which types it needs. */
  #announce() {
    if (this.#role !== 'follower' || this.#releaseMemberLock === undefined) return;
    this.#post({ t: 'join', from: this.#id, identity: this.#identity, types: this.#types(), lastEventId: this.#lastEventId });
  }

  #typesChanged() {
    if (this.#role === 'leader' || this.#alone) this.#syncRelays();
    else if (this.#role === 'follower' && this.#releaseMemberLock !== undefined) {
      this.#post({ t: 'types', from: this.#id, types: this.#types() });
    }
  }

  #post(message) {
    this.#channel?.postMessage(message);
  }

  // ----- leading -----------------------------------------------------------

  /** Granted the group lock: run the connection for the group. */
  #lead() {
    if (this.#role !== 'follower') return this.#releaseLock?.();
    const previous = this.#leader;
    const handOver = previous !== undefined;
    this.#peers.delete(previous);
    this.#role = 'leader';
    this.#leader = this.#id;
    this.#skipIds = undefined;
    this.#inherited = new Set(this.#groupTypes);
    // By then every member has answered `leader` with its types.
    this.#inheritedTimer = setTimeout(() => {
      this.#inherited.clear();
      this.#syncRelays();
    }, INHERITED_TYPES_MS);
    this.#post({ t: 'leader', from: this.#id });
    if (!handOver) {
      this.#connect(this.#lastEventId);
      return;
    }
    // The members answer `leader` with the last event ID each delivered;
    // one may have missed the old leader's last events. Resume from the
    // earliest of them, and let every member drop what it has delivered.
    this.#heardIds = [];
    this.#awaited = new Set(this.#peers);
    this.#gatherTimer = setTimeout(() => this.#gathered(), HANDOVER_GATHER_MAX_MS);
    if (this.#awaited.size === 0) this.#gathered();
  }

  /** Every member answered (or the wait ran out): reconnect from the earliest last event ID. */
  #gathered() {
    clearTimeout(this.#gatherTimer);
    const from = this.#resumePoint(this.#heardIds);
    this.#heardIds = undefined;
    this.#awaited = undefined;
    if (from !== this.#lastEventId) this.#skipIds = this.#recentIds.toSet();
    this.#connect(from);
  }

  /**
   * The event ID to resume from: this member's last, or an earlier one of
   * `ids` (the members' last) that this member delivered too.
   */
  #resumePoint(ids) {
    const recent = this.#recentIds;
    let from = this.#lastEventId;
    let oldest = recent.age(from);
    if (oldest < 0) return from;
    for (const id of ids) {
      const age = recent.age(id);
      if (age > oldest) {
        oldest = age;
        from = id;
      }
    }
    return from;
  }


  /** Opens the real connection from this member's options, resuming after `lastEventId`. */
  #connect(lastEventId) {
    const options = { ...this.#connectionOptions };
    if (lastEventId !== '') options.lastEventId = lastEventId;
    if (options.transport === 'eventsource' && options.lastEventIdParam == null) delete options.lastEventId;
    let real;
    try {
      real = new Client(this.#url, options, makeEngine);
    } catch (error) {
      this.#relay({ t: 'callback', name: 'error', error: errorToMessage(error) });
      this.#relay({ t: 'status', status: 'closed' });
      this.#relay({ t: 'end' });
      return;
    }
    this.#real = real;
    const relayCallback = (name, toMessage) => real.on(name, (value) => this.#real === real && this.#relay(toMessage(value)));
    relayCallback('statechange', (status) => ({ t: 'status', status, transport: real.transport }));
    relayCallback('open', () => ({ t: 'callback', name: 'open' }));
    relayCallback('error', (error) => ({ t: 'callback', name: 'error', error: errorToMessage(error) }));
    relayCallback('reconnecting', (info) => ({
      t: 'callback',
      name: 'reconnecting',
      info: { attempt: info.attempt, delayMs: info.delayMs, error: errorToMessage(info.error) },
    }));
    relayCallback('close', () => ({ t: 'end' }));
    this.#syncRelays();
  }

  /** Closes the real connection quietly (this member stops leading). */
  #disconnect() {
    const real = this.#real;
    if (real === undefined) return;
    this.#real = undefined;
    this.#relays.clear();
    // Freed quietly, and not from inside one of its own callbacks (a fatal
    // error ends the group from its `close` callback); its relays check
    // `#real` meanwhile.
    queueMicrotask(() => real.free());
  }

  /** Subscribes the real connection to the union of every member's types, and nothing more. */
  #syncRelays() {
    const real = this.#real;
    if (real === undefined) return;
    const wanted = new Set([...this.#types(), ...this.#inherited]);
    for (const member of this.#members.values()) for (const type of member.types) wanted.add(type);
    let changed = false;
    for (const [type, subscription] of this.#relays) {
      if (!wanted.has(type)) {
        this.#relays.delete(type);
        subscription.unsubscribe();
        changed = true;
      }
    }
    if (wanted.size === 0) {
      // Nobody needs the connection any more: let the group go.
      this.#leave();
      if (this.#status !== 'closed') this.#setStatus('idle');
      return;
    }
    for (const type of wanted) {
      if (this.#relays.has(type)) continue;
      const relay = (_data, event) => {
        if (this.#real === real) this.#relay({ t: 'event', type: event.type, data: event.data, id: event.lastEventId });
      };
      changed = true;
      this.#relays.set(type, real.subscribe(type, relay));
      if (this.#real !== real) return; // a callback closed it meanwhile
    }
    if (changed && this.#role === 'leader') this.#post({ t: 'union', from: this.#id, types: [...this.#relays.keys()] });
  }

  /** Sends `message` to the followers and handles it here. */
  #relay(message) {
    message.from = this.#id;
    if (this.#role === 'leader') this.#post(message);
    this.#apply(message);
  }

  /** A member joined or changed its types. */
  #track(message) {
    if (message.t === 'leave') return this.#forget(message.from);
    let member = this.#members.get(message.from);
    if (member === undefined) {
      if (message.t !== 'join') return;
      const different = differences(this.#identity, message.identity);
      if (different.length > 0) {
        this.#post({ t: 'refuse', to: message.from, from: this.#id, key: this.#key, different });
        return;
      }
      member = { types: new Set(), abort: new AbortController() };
      this.#members.set(message.from, member);
      // Granted when the member's context goes (or it leaves).
      navigator.locks
        .request(`${PREFIX}${this.#key}:member:${message.from}`, { signal: member.abort.signal }, () => this.#forget(message.from))
        .catch(() => {});
      const real = this.#real;
      this.#post({ t: 'state', to: message.from, from: this.#id, status: real?.status ?? 'connecting', transport: real?.transport });
    }
    this.#peers.add(message.from);
    member.types = new Set(message.types);
    this.#syncRelays();
    if (this.#heardIds !== undefined && typeof message.lastEventId === 'string') {
      this.#heardIds.push(message.lastEventId);
      this.#awaited.delete(message.from);
      if (this.#awaited.size === 0) this.#gathered();
    }
  }

  /** A follower hears another member join or leave: whom it would wait for as the next leader. */
  #notePeer(message) {
    if (message.t === 'leave') this.#peers.delete(message.from);
    else if (message.t === 'join' && differences(this.#identity, message.identity).length === 0) this.#peers.add(message.from);
  }

  #forget(id) {
    // The followers learn it too: a member that crashed says nothing.
    if (this.#peers.delete(id)) this.#post({ t: 'gone', from: this.#id, member: id });
    if (this.#awaited?.delete(id) && this.#awaited.size === 0) this.#gathered();
    const member = this.#members.get(id);
    if (member === undefined) return;
    this.#members.delete(id);
    member.abort.abort();
    this.#syncRelays();
  }

  // ----- following ---------------------------------------------------------

  /** A message on the group's channel. */
  #receive(message) {
    if (this.#role === null) return;
    if (this.#role === 'leader') {
      if (message.t === 'reconnect') this.#real?.reconnect();
      else if (FROM_MEMBERS.includes(message.t)) this.#track(message);
      return;
    }
    if (FROM_MEMBERS.includes(message.t)) return this.#notePeer(message);
    if (message.t === 'gone') return this.#peers.delete(message.member);
    if (message.to !== undefined && message.to !== this.#id) return;
    if (message.t === 'leader') {
      // A hand-over, unless this is the first leader this member hears of.
      // Either way the leaders are not peers to wait for: the one before
      // has gone, and the new one asks.
      if (this.#leader !== undefined) this.#skipIds = this.#recentIds.toSet();
      this.#peers.delete(this.#leader);
      this.#peers.delete(message.from);
      this.#leader = message.from;
      this.#announce();
      return;
    }
    this.#leader ??= message.from;
    if (message.from !== this.#leader) return;
    if (message.t === 'refuse') this.#refused(message);
    else if (message.t === 'union') this.#groupTypes = message.types;
    else if (message.t === 'state') this.#applyStatus(message, true);
    else this.#apply(message);
  }

  /** The group's leader has other options: warn, and connect alone from now on. */
  #refused({ key, different }) {
    const shown = key.startsWith('key:') ? key.slice(4) : key;
    console.warn(
      `sse-wasm: share "${shown}": this client's ${different.join(', ')} differ${different.length === 1 ? 's' : ''} from the ` +
        'connection already shared under this key, so it opens a connection of its own. Clients share only when their URL, ' +
        'transport, method, body and withCredentials are equal.',
    );
    this.#leave();
    this.#alone = true;
    if (this.#hasHandlers()) this.#connect(this.#lastEventId);
  }

  /** A relayed status, callback or event: what a client of its own would do. */
  #apply(message) {
    switch (message.t) {
      case 'event':
        if (this.#status !== 'closed') this.#deliver(message);
        return;
      case 'status':
        return this.#applyStatus(message, false);
      case 'callback':
        // Also after `closed`: a fatal error's callbacks follow the change.
        if (this.#hasHandlers()) this.#emitRelayed(message);
        return;
      case 'end':
        return this.#ended();
    }
  }

  #emitRelayed({ name, error, info }) {
    if (name === 'open') this.#emit('open', undefined);
    else if (name === 'error') this.#emit('error', errorFromMessage(error));
    else if (name === 'reconnecting') {
      this.#emit('reconnecting', { attempt: info.attempt, delayMs: info.delayMs, error: errorFromMessage(info.error) });
    }
  }

  /**
   * The connection closed itself (a fatal error, the retry budget): as a
   * client of its own, a member with handlers is closed for good; one
   * without (a leader whose handlers went) stays idle.
   */
  #ended() {
    // A leader keeps the lock a moment, so that no follower takes it and
    // reconnects before it has heard that the connection is over.
    const release = this.#releaseLock;
    this.#releaseLock = undefined;
    if (release) setTimeout(release, END_LINGER_MS);
    if (!this.#hasHandlers()) {
      this.#leave();
      return;
    }
    this.#setStatus('closed');
    this.#emit('close', undefined);
    this.#shutDown();
  }

  /**
   * The shared connection's status, as this member shows it: `idle` while
   * it has no handler, and `reconnecting` (not `connecting`) when a new
   * leader reconnects a member that was open. A member that joins an open
   * connection hears `open` as if it had opened it.
   */
  #applyStatus({ status, transport }, joining) {
    // A new leader may resume over fetch where the others connected over
    // EventSource (`'auto'` and a Last-Event-ID): every member says so.
    if (transport !== undefined) this.#sharedTransport = transport;
    if (status === 'idle') return;
    this.#shared = status;
    if (!this.#hasHandlers()) return;
    let shown = status;
    if (status === 'connecting' && (this.#status === 'open' || this.#status === 'reconnecting')) shown = 'reconnecting';
    const wasOpen = this.#status === 'open';
    this.#setStatus(shown);
    if (joining && shown === 'open' && !wasOpen) this.#emit('open', undefined);
  }

  /** One event: dedupe after a hand-over, then the handlers of its type. */
  #deliver({ type, data, id }) {
    if (this.#skipIds !== undefined) {
      if (this.#skipIds.has(id)) return;
      this.#skipIds = undefined;
    }
    if (id !== this.#lastEventId) {
      this.#lastEventId = id;
      this.#recentIds.add(id);
    }
    const list = this.#handlers.get(type);
    if (list === undefined) return;
    // close() marks every record removed: nothing is called after it.
    const error = runtime.dispatch(list, type, data, id, this.#json);
    if (error !== undefined) this.#emit('error', error);
  }
}
