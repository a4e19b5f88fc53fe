// Throughput of each client on the same stream, in the same browser: N
// events of one workload from the test server's /bulk endpoint, timed from
// creating the client to the N-th handler call.
//   tiny       `data: {"n":i}`, no id, type `message`
//   ids        `id`, `event: tick`, ~60 bytes of ASCII JSON
//   cjk        as ids, the message 20 CJK characters
//   large      `id`, `event: tick`, one ~8 KiB data line
//   multiline  `id`, `event: tick`, five `data:` lines
// Every handler touches the data and the last event ID (sums their lengths)
// so no client gets away with lazy strings. Rounds are interleaved so
// machine noise hits all clients alike. Results go to POST /report; the
// driver (run.sh) prints the tables.

import init, { SSEClient } from '/static/pkg/sse_wasm.js';
import { createParser } from 'eventsource-parser';
import { EventSource as EventSourceNpm } from './node_modules/eventsource/dist/index.js';
import { fetchEventSource } from './node_modules/@microsoft/fetch-event-source/lib/esm/index.js';

const WORKLOADS = ['tiny', 'ids', 'cjk', 'large', 'multiline'];
const params = new URLSearchParams(location.search);
const WORKLOAD = params.get('workload') ?? 'tiny';
const N = Number(params.get('n') ?? 100_000);
const ROUNDS = Number(params.get('rounds') ?? 5);
const only = params.get('only')?.split(',').filter(Boolean) ?? [];
/** The type to subscribe to: `tiny` has no `event:` line. */
const TYPE = WORKLOAD === 'tiny' ? 'message' : 'tick';
const log = (line) => { document.getElementById('log').textContent += `\n${line}`; };

const url = () => `/bulk?shape=${WORKLOAD}&count=${N}&tag=bench-${Math.random()}`;

/** A handler that resolves with the elapsed ms on its N-th call. */
function counter(start, resolve) {
  let n = 0;
  let chars = 0;
  return (data, lastEventId) => {
    chars += data.length + lastEventId.length;
    if (++n === N) resolve({ ms: performance.now() - start, chars });
  };
}

const clients = {
  'sse-wasm (fetch)': () => new Promise((resolve) => {
    const start = performance.now();
    const client = new SSEClient(url(), { transport: 'fetch', retry: false });
    const done = counter(start, (r) => { client.close(); client.free(); resolve(r); });
    client.subscribe(TYPE, (data, event) => done(data, event.lastEventId));
  }),
  'sse-wasm (eventsource)': () => new Promise((resolve) => {
    const start = performance.now();
    const client = new SSEClient(url(), { transport: 'eventsource', retry: false });
    const done = counter(start, (r) => { client.close(); client.free(); resolve(r); });
    client.subscribe(TYPE, (data, event) => done(data, event.lastEventId));
  }),
  // The fastest plain loop a user would write: one streaming TextDecoder per
  // response, its output fed straight to the parser. Against
  // `pipeThrough(new TextDecoderStream())` it measured on par (within 3% on
  // tiny, multiline, and cjk in Firefox; 8% ahead on cjk in Chromium), so the
  // loop keeps the version with one stream stage fewer. Every event counts:
  // the loop filters nothing.
  'fetch + eventsource-parser': () => new Promise((resolve, reject) => {
    const start = performance.now();
    const controller = new AbortController();
    const done = counter(start, (r) => { controller.abort(); resolve(r); });
    const parser = createParser({ onEvent: (e) => done(e.data, e.id ?? '') });
    (async () => {
      const response = await fetch(url(), { signal: controller.signal, headers: { Accept: 'text/event-stream' } });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done: end, value } = await reader.read();
        if (end) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    })().catch((error) => { if (!controller.signal.aborted) reject(error); });
  }),
  'native EventSource': () => new Promise((resolve) => {
    const start = performance.now();
    const source = new EventSource(url());
    const done = counter(start, (r) => { source.close(); resolve(r); });
    source.addEventListener(TYPE, (e) => done(e.data, e.lastEventId));
  }),
  'eventsource (npm)': () => new Promise((resolve) => {
    const start = performance.now();
    const source = new EventSourceNpm(url());
    const done = counter(start, (r) => { source.close(); resolve(r); });
    source.addEventListener(TYPE, (e) => done(e.data, e.lastEventId));
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
    source.addEventListener(TYPE, (e) => done(e.data, e.lastEventId));
  }),
};

async function main() {
  if (!WORKLOADS.includes(WORKLOAD)) throw new Error(`unknown workload ${WORKLOAD}`);
  await init();
  const names = Object.keys(clients).filter((name) => only.length === 0 || only.some((o) => name.includes(o)));
  if (names.length === 0) throw new Error(`no client matches only=${only}`);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  log(`${WORKLOAD}: ${N} events x ${ROUNDS} rounds`);
  // Every client must see the same data and IDs: a fast wrong client is no result.
  let expectedChars;
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const result = await clients[name]();
      expectedChars ??= result.chars;
      if (result.chars !== expectedChars) {
        throw new Error(`${name} saw ${result.chars} characters of data and IDs, ${names[0]} ${expectedChars}`);
      }
      times[name].push(result.ms);
      log(`round ${round + 1} ${name}: ${result.ms.toFixed(0)} ms`);
      // Collect the garbage this run left (where the browser lets a page:
      // Chromium with --expose-gc), so the next client does not pay for it.
      globalThis.gc?.();
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  };
  const results = names.map((name) => {
    const runs = times[name];
    const medianMs = median(runs);
    return {
      name,
      medianMs,
      minMs: Math.min(...runs),
      maxMs: Math.max(...runs),
      eventsPerSecond: N / (medianMs / 1000),
      runsMs: runs,
    };
  });
  await fetch('/report', {
    method: 'POST',
    body: JSON.stringify({ workload: WORKLOAD, n: N, rounds: ROUNDS, userAgent: navigator.userAgent, results }),
  });
  log('done');
}

main().catch(async (error) => {
  log(`failed: ${error}`);
  await fetch('/report', {
    method: 'POST',
    body: JSON.stringify({ workload: WORKLOAD, error: `${error}\n${error?.stack ?? ''}` }),
  });
});
