// Throughput of each client on the same stream, in the same browser: N
// events of one workload from the test server's /bulk endpoint, timed from
// creating the client to the N-th handler call.
//   tiny       `data: {"n":i}`, no id, type `message`
//   ids        `id`, `event: tick`, ~60 bytes of ASCII JSON
//   cjk        as ids, the message 20 CJK characters
//   large      `id`, `event: tick`, one ~8 KiB data line
//   multiline  `id`, `event: tick`, five `data:` lines
// Every handler touches the data and the last event ID (sums their lengths)
// so no client gets away with lazy strings. Rounds are interleaved, each
// starting one client later than the last, so machine noise and what a
// client leaves behind hit all clients alike.

// The package's public entry, as an app imports it.
import { SSEClient, init } from '/static/js/init.js';
import { EventSource as EventSourceNpm } from './node_modules/eventsource/dist/index.js';
import { fetchEventSource } from './node_modules/@microsoft/fetch-event-source/lib/esm/index.js';
import { parserLoop, pause, pick } from './common.js';

/**
 * Runs every client (or those `only` names) `rounds` times on `n` events of
 * `workload`; resolves with one result per client. Throws if two clients
 * saw different data.
 */
export async function run({ workload, n, rounds, only, log }) {
  await init();
  const clients = throughputClients(workload, n);
  const names = pick(Object.keys(clients), only);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  log(`${workload}: ${n} events x ${rounds} rounds`);
  // Every client must see the same data and IDs: a fast wrong client is no result.
  let expectedChars;
  for (let round = 0; round < rounds; round++) {
    // Each round starts one client later, so no client always runs right
    // after the same other one (what one leaves behind, the next pays for).
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      const result = await clients[name]();
      expectedChars ??= result.chars;
      if (result.chars !== expectedChars) {
        throw new Error(`${name} saw ${result.chars} characters of data and IDs, the first client ${expectedChars}`);
      }
      times[name].push(result.ms);
      log(`round ${round + 1} ${name}: ${result.ms.toFixed(0)} ms`);
      // Collect the garbage this run left (where the browser lets a page:
      // Chromium with --expose-gc), so the next client does not pay for it.
      globalThis.gc?.();
      await pause(200);
    }
  }
  return { n, rounds, results: names.map((name) => summary(name, times[name], n)) };
}

/** The median, spread and events per second of one client's runs. */
function summary(name, runs, n) {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    name,
    medianMs,
    minMs: sorted[0],
    maxMs: sorted[sorted.length - 1],
    eventsPerSecond: n / (medianMs / 1000),
    runsMs: runs,
  };
}

/** Every client, as a function that streams `n` events once and resolves with `{ ms, chars }`. */
function throughputClients(workload, n) {
  /** The type to subscribe to: `tiny` has no `event:` line. */
  const type = workload === 'tiny' ? 'message' : 'tick';
  const url = () => `/bulk?shape=${workload}&count=${n}&tag=bench-${Math.random()}`;

  /** A handler that resolves with the elapsed ms on its n-th call. */
  function counter(start, resolve) {
    let seen = 0;
    let chars = 0;
    return (data, lastEventId) => {
      chars += data.length + lastEventId.length;
      if (++seen === n) resolve({ ms: performance.now() - start, chars });
    };
  }

  return {
    'sse-wasm (fetch)': () => new Promise((resolve) => {
      const start = performance.now();
      const client = new SSEClient(url(), { transport: 'fetch', retry: false });
      const done = counter(start, (r) => { client.close(); client.free(); resolve(r); });
      client.subscribe(type, (data, event) => done(data, event.lastEventId));
    }),
    'sse-wasm (eventsource)': () => new Promise((resolve) => {
      const start = performance.now();
      const client = new SSEClient(url(), { transport: 'eventsource', retry: false });
      const done = counter(start, (r) => { client.close(); client.free(); resolve(r); });
      client.subscribe(type, (data, event) => done(data, event.lastEventId));
    }),
    // The plain loop (common.js, parserLoop).
    'fetch + eventsource-parser': () => new Promise((resolve, reject) => {
      const start = performance.now();
      const controller = new AbortController();
      const done = counter(start, (r) => { controller.abort(); resolve(r); });
      (async () => {
        const response = await fetch(url(), { signal: controller.signal, headers: { Accept: 'text/event-stream' } });
        await parserLoop(response, done);
      })().catch((error) => { if (!controller.signal.aborted) reject(error); });
    }),
    'native EventSource': () => new Promise((resolve) => {
      const start = performance.now();
      const source = new EventSource(url());
      const done = counter(start, (r) => { source.close(); resolve(r); });
      source.addEventListener(type, (e) => done(e.data, e.lastEventId));
    }),
    'eventsource (npm)': () => new Promise((resolve) => {
      const start = performance.now();
      const source = new EventSourceNpm(url());
      const done = counter(start, (r) => { source.close(); resolve(r); });
      source.addEventListener(type, (e) => done(e.data, e.lastEventId));
    }),
    // No addEventListener: its one callback gets every event (id, event, data).
    '@microsoft/fetch-event-source': () => new Promise((resolve) => {
      const start = performance.now();
      const controller = new AbortController();
      const done = counter(start, (r) => { controller.abort(); resolve(r); });
      fetchEventSource(url(), {
        signal: controller.signal,
        openWhenHidden: true,
        onmessage: (e) => done(e.data, e.id),
        onclose: () => {},
        onerror: (e) => { throw e; },
      }).catch(() => {});
    }),
    'event-source-polyfill': () => new Promise((resolve) => {
      const start = performance.now();
      // eslint-disable-next-line no-undef
      const source = new EventSourcePolyfill(url(), { heartbeatTimeout: 600_000 });
      const done = counter(start, (r) => { source.close(); resolve(r); });
      source.addEventListener(type, (e) => done(e.data, e.lastEventId));
    }),
  };
}
