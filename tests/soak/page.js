// The soak page: a few SSEClient slots, each running one client at a time
// against the test server's `/drop` (a few events, then a cut, then a
// resume with Last-Event-ID), with handlers subscribed and unsubscribed all
// the time. A slot closes its client after a random lifetime and starts a
// new one on the other transport. Every event is checked as it arrives;
// tests/soak/soak.mjs calls `soak.sample()` now and then and `soak.stop()`
// at the end.
//
// Query parameters: server (the test server's URL, required), run (a tag
// prefix), clients (slots, default 4: Chromium allows 6 connections per
// host, and preflights need one too), after (events per connection, 20),
// interval (ms between events, 10), retry (the server's `retry:` in ms, 150).

import { SSEClient, init } from '../../js/index.js';
// The module's exports once js/loader.js has loaded it, `memory` included.
import { wasm } from '../../js/loader.js';

const params = new URLSearchParams(location.search);
const SERVER = params.get('server');
const RUN = params.get('run') ?? 'soak';
const SLOTS = Number(params.get('clients') ?? 4);
const AFTER = Number(params.get('after') ?? 20);
const INTERVAL = Number(params.get('interval') ?? 10);
const RETRY = Number(params.get('retry') ?? 150);
const TRANSPORTS = ['fetch', 'eventsource'];
const MAX_MESSAGE_HANDLERS = 4;
const MAX_AUX_HANDLERS = 2;
const KEEP_MESSAGES = 20;

/** Running totals since the page started (what a sample reports). */
const totals = {
  events: 0, // events checked (one per dispatch, whatever the number of handlers)
  reconnects: 0, // `reconnecting` callbacks
  opens: 0,
  errors: 0, // `error` and `close` (self-close) callbacks, uncaught page errors
  created: 0,
  closed: 0, // closed by us
  subscribes: 0,
  unsubscribes: 0,
  idleCycles: 0, // the last handler went, so the connection closed
  skipped: 0, // ids skipped while no 'message' handler was subscribed (allowed)
};
/** Correctness failures: count, and the first few messages. */
const violations = { count: 0, messages: [] };
/** The first few error messages. */
const errorMessages = [];
/** Tags of the clients closed since the last sample (soak.mjs checks the server closed their streams). */
let closedTags = [];
const live = new Set();
let stopped = false;
let serial = 0;

function violation(message) {
  violations.count++;
  if (violations.messages.length < KEEP_MESSAGES) violations.messages.push(message);
}

function noteError(message) {
  totals.errors++;
  if (errorMessages.length < KEEP_MESSAGES) errorMessages.push(message);
}

addEventListener('error', (e) => noteError(`uncaught: ${e.message}`));
addEventListener('unhandledrejection', (e) => noteError(`unhandled rejection: ${e.reason}`));

const pick = (list) => list[Math.floor(Math.random() * list.length)];

/** One client, its subscriptions, and what it has seen. */
class Soaked {
  constructor(transport) {
    this.tag = `${RUN}-${++serial}`;
    this.transport = transport;
    /** Set once our `close()` has returned: from then on nothing may fire. */
    this.closed = false;
    /** Set by the `close` callback: the client gave up by itself. */
    this.selfClosed = false;
    /** The highest id seen (ids start at 1), and the event it came with. */
    this.lastId = 0;
    this.lastEvent = undefined;
    /** No 'message' handler was subscribed for a while: ids may be skipped. */
    this.mayGap = false;
    /** `{ type, sub, removed, left }` for every handler subscribed now. */
    this.subs = [];

    const url =
      `${SERVER}/drop?tag=${this.tag}&count=1000000000&id_start=1` +
      `&after=${AFTER}&interval_ms=${INTERVAL}&retry=${RETRY}`;
    const options = { transport, retry: { initialDelayMs: RETRY, maxDelayMs: 2 * RETRY } };
    // A new EventSource cannot send the Last-Event-ID header: after the last
    // handler went and a new one came, resume through the query instead.
    if (transport === 'eventsource') options.lastEventIdParam = 'last_event_id';
    this.client = new SSEClient(url, options);
    totals.created++;
    this.callbacks = [
      this.client.on('reconnecting', () => {
        this.guard('reconnecting');
        totals.reconnects++;
      }),
      this.client.on('open', () => {
        this.guard('open');
        totals.opens++;
      }),
      this.client.on('error', (error) => {
        this.guard('error');
        noteError(`${this.tag} (${transport}) error ${error.kind}: ${error.message}`);
      }),
      this.client.on('close', () => {
        this.guard('close');
        this.selfClosed = true;
        noteError(`${this.tag} (${transport}) closed itself`);
      }),
      this.client.on('statechange', () => this.guard('statechange')),
    ];
    this.subscribe('message');
  }

  /** Every callback and handler starts here: nothing may run after close(). */
  guard(what) {
    if (this.closed) violation(`${this.tag} (${this.transport}): ${what} fired after close()`);
  }

  /**
   * Subscribes a handler to `type`. One in five unsubscribes itself from
   * inside its own call after a few events (allowed, as with the DOM).
   */
  subscribe(type) {
    const entry = { type, sub: undefined, removed: false, left: Math.random() < 0.2 ? 1 + Math.floor(Math.random() * 20) : Infinity };
    entry.sub = this.client.subscribe(type, (data, event) => {
      this.guard(`a '${type}' handler`);
      if (entry.removed) violation(`${this.tag} (${this.transport}): a handler ran after its unsubscribe()`);
      if (event.type !== type) violation(`${this.tag}: a '${type}' handler got a '${event.type}' event`);
      this.check(data, event);
      if (--entry.left === 0) this.remove(entry);
    });
    this.subs.push(entry);
    totals.subscribes++;
  }

  /** Unsubscribes one handler; the last one going closes the connection. */
  remove(entry) {
    entry.sub.unsubscribe();
    this.forget(entry);
    if (this.subs.length === 0) {
      totals.idleCycles++;
      if (this.client.status !== 'idle') violation(`${this.tag}: status ${this.client.status} after the last handler went`);
    }
  }

  /** Bookkeeping for a handler that is gone. */
  forget(entry) {
    entry.removed = true;
    this.subs.splice(this.subs.indexOf(entry), 1);
    if (!this.subs.some((e) => e.type === 'message')) this.mayGap = true;
    totals.unsubscribes++;
  }

  /**
   * One check per dispatch (the handlers of one event share its SSEEvent):
   * ids strictly increase (no duplicate, nothing out of order), the data is
   * the one the server sent with that id, and no id is skipped while a
   * 'message' handler stayed subscribed (the resume must lose nothing).
   */
  check(data, event) {
    if (event === this.lastEvent) return;
    this.lastEvent = event;
    const id = Number(event.lastEventId);
    if (!(id > this.lastId)) {
      const what = id === this.lastId ? 'duplicate' : 'out-of-order';
      violation(`${this.tag} (${this.transport}): ${what} event id ${event.lastEventId} after ${this.lastId}`);
    } else {
      const skipped = id - this.lastId - 1;
      if (skipped > 0 && this.mayGap) totals.skipped += skipped;
      else if (skipped > 0) violation(`${this.tag} (${this.transport}): lost ids ${this.lastId + 1}..${id - 1}`);
      this.lastId = id;
    }
    // /drop sends data i with id id_start + i (id_start = 1).
    if (data !== String(id - 1)) violation(`${this.tag}: data ${JSON.stringify(data)} with id ${id}`);
    this.mayGap = false;
    totals.events++;
  }

  /** One random step of subscribe/unsubscribe churn. */
  churn() {
    const r = Math.random();
    const count = (type) => this.subs.filter((e) => e.type === type).length;
    if (this.subs.length === 0) {
      if (r < 0.5) this.subscribe('message'); // the connection reopens, resuming
    } else if (r < 0.3) {
      if (count('message') < MAX_MESSAGE_HANDLERS) this.subscribe('message');
    } else if (r < 0.55) {
      this.remove(pick(this.subs));
    } else if (r < 0.63) {
      // A type that never comes: with EventSource, adds and removes a listener.
      if (count('aux') < MAX_AUX_HANDLERS) this.subscribe('aux');
    } else if (r < 0.68) {
      // `unsubscribe(type)`: every handler of that type at once.
      this.client.unsubscribe('aux');
      for (const entry of this.subs.filter((e) => e.type === 'aux')) this.forget(entry);
      if (this.subs.length === 0) totals.idleCycles++;
    } else if (r < 0.72) {
      // The last handler goes: the connection closes, and reopens later.
      for (const entry of [...this.subs]) this.remove(entry);
    } else if (r < 0.73) {
      this.client.reconnect();
    }
  }

  close() {
    this.client.close();
    this.closed = true;
    if (this.client.status !== 'closed') violation(`${this.tag}: status ${this.client.status} after close()`);
    for (const entry of this.subs) entry.removed = true;
    totals.closed++;
    closedTags.push(this.tag);
  }
}

/** A slot: one client at a time, churned, closed after 20 to 90 s, replaced. */
function runSlot(slot) {
  let generation = 0;
  const start = () => {
    if (stopped) return;
    const soaked = new Soaked(TRANSPORTS[(slot + generation++) % TRANSPORTS.length]);
    live.add(soaked);
    const closeAt = performance.now() + 20_000 + Math.random() * 70_000;
    const tick = () => {
      if (stopped) return; // stop() closes it
      if (soaked.selfClosed || performance.now() > closeAt) {
        soaked.close();
        live.delete(soaked);
        setTimeout(start, 200 + Math.random() * 800);
        return;
      }
      soaked.churn();
      setTimeout(tick, 150 + Math.random() * 300);
    };
    setTimeout(tick, 150 + Math.random() * 300);
  };
  // Staggered, so that the slots do not close and reopen in step.
  setTimeout(start, slot * 250);
}

window.soak = {
  /** Forces a GC, then reports memory and the totals so far. */
  async sample() {
    await init();
    const { memory } = wasm;
    // Twice, with a task in between: finalizers (FinalizationRegistry frees
    // the wasm side of dropped handles) run after the first collection.
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc();
    const tags = closedTags;
    closedTags = [];
    return {
      jsHeap: performance.memory.usedJSHeapSize,
      wasmMemory: memory.buffer.byteLength,
      clientsOpen: live.size,
      totals: { ...totals },
      violations: structuredClone(violations),
      errorMessages: [...errorMessages],
      closedTags: tags,
    };
  },
  /** Closes every client; the slots start no new ones. */
  stop() {
    stopped = true;
    for (const soaked of live) soaked.close();
    live.clear();
  },
};

if (!SERVER) throw new Error('tests/soak/page.js: the server query parameter is missing');
for (let slot = 0; slot < SLOTS; slot++) runSlot(slot);
window.soak.ready = true;
