// Throughput of each client on the same stream, in the same browser:
// N small events (`data: {"n":i}`) from the test server's /bulk endpoint,
// timed from creating the client to the N-th handler call. Every handler
// touches the data (sums its length) so no client gets away with lazy
// strings. Rounds are interleaved so machine noise hits all clients alike.
// Results go to POST /report; the driver (run.sh) prints the table.

import init, { SSEClient } from '/static/pkg/sse_wasm.js';
import { createParser } from 'eventsource-parser';
import { EventSource as EventSourceNpm } from './node_modules/eventsource/dist/index.js';
import { fetchEventSource } from './node_modules/@microsoft/fetch-event-source/lib/esm/index.js';

const params = new URLSearchParams(location.search);
const N = Number(params.get('n') ?? 1_000_000);
const ROUNDS = Number(params.get('rounds') ?? 3);
const only = params.get('only')?.split(',');
const log = (line) => { document.getElementById('log').textContent += `\n${line}`; };

const url = () => `/bulk?count=${N}&tag=bench-${Math.random()}`;

/** Resolves with elapsed ms when `done` is called N times. */
function counter(start, resolve) {
  let n = 0;
  let bytes = 0;
  return (data) => {
    bytes += data.length;
    if (++n === N) resolve({ ms: performance.now() - start, bytes });
  };
}

const clients = {
  'sse-wasm (fetch)': () => new Promise((resolve) => {
    const start = performance.now();
    const client = new SSEClient(url(), { transport: 'fetch', retry: false });
    const done = counter(start, (r) => { client.close(); client.free(); resolve(r); });
    client.subscribe('message', (data) => done(data));
  }),
  'sse-wasm (eventsource)': () => new Promise((resolve) => {
    const start = performance.now();
    const client = new SSEClient(url(), { transport: 'eventsource', retry: false });
    const done = counter(start, (r) => { client.close(); client.free(); resolve(r); });
    client.subscribe('message', (data) => done(data));
  }),
  'fetch + eventsource-parser': () => new Promise(async (resolve) => {
    const start = performance.now();
    const controller = new AbortController();
    const done = counter(start, (r) => { controller.abort(); resolve(r); });
    const parser = createParser({ onEvent: (event) => done(event.data) });
    const response = await fetch(url(), { signal: controller.signal, headers: { Accept: 'text/event-stream' } });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done: end, value } = await reader.read();
        if (end) break;
        parser.feed(value);
      }
    } catch { /* aborted after the N-th event */ }
  }),
  'native EventSource': () => new Promise((resolve) => {
    const start = performance.now();
    const source = new EventSource(url());
    const done = counter(start, (r) => { source.close(); resolve(r); });
    source.onmessage = (event) => done(event.data);
  }),
  'eventsource (npm)': () => new Promise((resolve) => {
    const start = performance.now();
    const source = new EventSourceNpm(url());
    const done = counter(start, (r) => { source.close(); resolve(r); });
    source.onmessage = (event) => done(event.data);
  }),
  '@microsoft/fetch-event-source': () => new Promise((resolve) => {
    const start = performance.now();
    const controller = new AbortController();
    const done = counter(start, (r) => { controller.abort(); resolve(r); });
    fetchEventSource(url(), {
      signal: controller.signal,
      openWhenHidden: true,
      onmessage: (event) => done(event.data),
      onclose: () => {},
      onerror: (e) => { throw e; },
    }).catch(() => {});
  }),
  'event-source-polyfill': () => new Promise((resolve) => {
    const start = performance.now();
    // eslint-disable-next-line no-undef
    const source = new EventSourcePolyfill(url(), { heartbeatTimeout: 600_000 });
    const done = counter(start, (r) => { source.close(); resolve(r); });
    source.onmessage = (event) => done(event.data);
  }),
};

async function main() {
  await init();
  const names = Object.keys(clients).filter((name) => !only || only.some((o) => name.includes(o)));
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const result = await clients[name]();
      times[name].push(result.ms);
      log(`round ${round + 1} ${name}: ${result.ms.toFixed(0)} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const results = names.map((name) => ({
    name,
    medianMs: median(times[name]),
    eventsPerSecond: N / (median(times[name]) / 1000),
    runsMs: times[name],
  }));
  await fetch('/report', {
    method: 'POST',
    body: JSON.stringify({ n: N, rounds: ROUNDS, userAgent: navigator.userAgent, results }),
  });
  log('done');
}

main().catch(async (error) => {
  log(`failed: ${error}`);
  await fetch('/report', { method: 'POST', body: JSON.stringify({ error: String(error && error.stack || error) }) });
});
