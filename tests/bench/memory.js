// Memory: what cycles of connecting or subscribing leave behind. run.sh
// measures one scenario and one client per page, each in a fresh browser,
// so nothing another measurement did is in the figures (its smoke run,
// which checks only that every client works, puts them all in one page).
//
//   scenario=connect    n times: connect, wait for the first event,
//                       close(). sse-wasm gets a new SSEClient each time and
//                       never free(): close() alone must release the
//                       Rust-side state, at once.
//   scenario=subscribe  one client, kept open by a `message` handler;
//                       10 x n times subscribe a `tick` handler and
//                       unsubscribe() it (native EventSource:
//                       addEventListener, removeEventListener).
//   client=fetch | eventsource | native
//   (both comma-separated lists: every scenario with every client)
//
// Two figures:
//   wasm growth     memory.buffer.byteLength after the cycles minus before:
//                   cold (no warm-up, no forced GC in between). Wasm memory
//                   grows in 64 KiB pages and never shrinks, so this is how
//                   far the cycles pushed its high-water mark. Not
//                   applicable to the native EventSource.
//   JS heap growth  usedJSHeapSize after three forced GCs minus before
//                   (Chromium, launched with --expose-gc and
//                   --enable-precise-memory-info); null in Firefox, which
//                   lets a page do neither. Cold, it includes the code the
//                   engine compiles as the path gets hot (heap snapshots
//                   show it: no SSEClient, Subscription, Dispatcher or
//                   SSEEvent survives a cycle), so the same cycles run
//                   again right after, and their growth (warm) is what a
//                   leak would add.

// The package's public entry, as an app imports it, and the module's
// exports once it has loaded (from the loader the entry imports: the same
// module instance, as the URL is the same).
import { SSEClient, init } from '/static/js/init.js';
import { wasm as loaded } from '/static/js/loader.js';
import { pause, within } from './common.js';

const CLIENTS = {
  fetch: { name: 'sse-wasm (fetch)', transport: 'fetch' },
  eventsource: { name: 'sse-wasm (eventsource)', transport: 'eventsource' },
  native: { name: 'native EventSource' },
};
const SCENARIOS = ['connect', 'subscribe'];
/** One event (data `0`) at once, then silence until the client goes. */
const STREAM = '/events?count=1&hold=1&keepalive_ms=0&tag=memory';
/** How long a connection may take to deliver its event before the page fails. */
const EVENT_TIMEOUT_MS = 15_000;
/** Subscribe cycles per connect cycle: the 10,000 against 1,000. */
const SUBSCRIBES_PER_CONNECT = 10;

/** Measures every scenario of `scenario` with every client of `client`; resolves with a row each. */
export async function run({ scenario, client, n, log }) {
  const results = [];
  for (const name of scenario.split(',')) {
    if (!SCENARIOS.includes(name)) throw new Error(`unknown scenario=${name}: one of ${SCENARIOS}`);
    for (const key of client.split(',')) {
      if (!CLIENTS[key]) throw new Error(`unknown client=${key}: one of ${Object.keys(CLIENTS)}`);
      const cycles = name === 'connect' ? n : SUBSCRIBES_PER_CONNECT * n;
      results.push(await measure(name, CLIENTS[key], cycles, log));
    }
  }
  return { results };
}

/** Runs `cycles` cycles of `scenario` with `client`; resolves with its result row. */
async function measure(scenario, client, cycles, log) {
  // The native EventSource needs no wasm: its own page never instantiates it.
  const wasm = client.transport ? (await init(), loaded) : undefined;
  const wasmBytes = () => wasm?.memory.buffer.byteLength;
  keepNoResourceTimings();
  const kept = scenario === 'subscribe' ? await openKept(client) : undefined;
  await collectGarbage();
  const before = { wasm: wasmBytes(), heap: jsHeapBytes() };

  const runCycles = () => (kept ? kept.cycle(cycles) : connectCycles(client, cycles));
  const start = performance.now();
  await runCycles();
  const ms = performance.now() - start;
  // One task later, for teardown the client queued as a microtask; still
  // no GC, so what close() and unsubscribe() did not free is still here.
  await pause(0);
  const wasmAfter = wasmBytes();
  await collectGarbage();
  performance.clearResourceTimings();
  const heapAfter = jsHeapBytes();

  // The same cycles again, warm.
  await runCycles();
  await pause(0);
  const wasmWarm = wasmBytes();
  await collectGarbage();
  const heapWarm = jsHeapBytes();
  kept?.close();

  const growth = (after, was) => (after === undefined || was === undefined ? null : after - was);
  const result = {
    name: client.name,
    scenario,
    cycles,
    ms,
    wasmBeforeBytes: before.wasm ?? null,
    wasmGrowthBytes: growth(wasmAfter, before.wasm),
    jsHeapGrowthBytes: growth(heapAfter, before.heap),
    wasmWarmGrowthBytes: growth(wasmWarm, wasmAfter),
    jsHeapWarmGrowthBytes: growth(heapWarm, heapAfter),
  };
  log(`${scenario} x ${cycles}, ${client.name}: ${JSON.stringify(result)}`);
  return result;
}

/**
 * The browser keeps a PerformanceResourceTiming per request: a thousand
 * connections would add theirs to every client's heap growth alike and
 * hide the client's own. A buffer of size 0 keeps none.
 */
function keepNoResourceTimings() {
  performance.clearResourceTimings();
  performance.setResourceTimingBufferSize(0);
}

/** `cycles` times: connect, first event, close(); every event must be the stream's `0`. */
async function connectCycles(client, cycles) {
  for (let i = 1; i <= cycles; i++) {
    const data = await within(EVENT_TIMEOUT_MS, `${client.name}: connection ${i} got no event`, connectOnce(client));
    if (data !== '0') throw new Error(`${client.name}: connection ${i} got data ${JSON.stringify(data)}, not "0"`);
  }
}

/** One connection, closed from inside its first event's handler; resolves with that event's data. */
function connectOnce(client) {
  return new Promise((resolve) => {
    if (client.transport) {
      const sse = new SSEClient(STREAM, { transport: client.transport });
      sse.subscribe('message', (data) => { sse.close(); resolve(data); });
    } else {
      const source = new EventSource(STREAM);
      source.addEventListener('message', (e) => { source.close(); resolve(e.data); });
    }
  });
}

/**
 * Opens the connection the subscribe cycles run on, kept open by a
 * `message` handler; resolves once its first event came, with
 * `cycle(count)` and `close()`. `cycle` throws if the connection did not
 * stay open.
 */
async function openKept(client) {
  const opened = (subscribe) => within(EVENT_TIMEOUT_MS, `${client.name}: the kept stream got no event`,
    new Promise((resolve) => subscribe(resolve)));
  if (client.transport) {
    const sse = new SSEClient(STREAM, { transport: client.transport });
    await opened((handler) => sse.subscribe('message', handler));
    return {
      cycle(count) {
        for (let i = 0; i < count; i++) sse.subscribe('tick', () => {}).unsubscribe();
        if (sse.status !== 'open') throw new Error(`${client.name}: status ${sse.status} after the cycles, not open`);
      },
      close: () => sse.close(),
    };
  }
  const source = new EventSource(STREAM);
  await opened((handler) => source.addEventListener('message', handler));
  return {
    cycle(count) {
      for (let i = 0; i < count; i++) {
        const handler = () => {};
        source.addEventListener('tick', handler);
        source.removeEventListener('tick', handler);
      }
      if (source.readyState !== EventSource.OPEN) throw new Error(`${client.name}: readyState ${source.readyState} after the cycles`);
    },
    close: () => source.close(),
  };
}

/**
 * Three forced GCs, with pauses between for the finalizers they schedule,
 * where the page may force them (Chromium with --expose-gc).
 */
async function collectGarbage() {
  if (!globalThis.gc) return;
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await pause(50);
  }
}

/** The exact JS heap in use, where the page can both collect and read it; else undefined. */
function jsHeapBytes() {
  return globalThis.gc ? performance.memory?.usedJSHeapSize : undefined;
}
