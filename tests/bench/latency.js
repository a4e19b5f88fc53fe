// Latency: how long one event takes from the server to a handler, for each
// client holding a stream of the test server's /ping channel open. Each
// ping is a `POST /ping/send?channel=C&seq=N`, and the next one waits for
// the handler to see event N, so no ping queues behind another: the figure
// is POST → handler, one event at a time. Beside them, the bare round trip
// (`POST /ping/echo`, time to the response) is the floor no client beats.
//
// Every client holds its stream open for the whole run, and the pings go
// round the clients in turn, so machine noise (a browser finishing its
// start-up, a neighbour's build) hits them all alike. Before the measured
// rounds come WARMUP unmeasured ones: the first POSTs open a connection
// and warm the code paths, which is setup, not latency.

// The package's public entry, as an app imports it.
import { SSEClient, init } from '/static/js/init.js';
import { parserLoop, pick, within } from './common.js';

/** Unmeasured rounds before the `n` measured ones. */
const WARMUP = 10;
/** How long a ping may take before the page gives up and reports an error. */
const PING_TIMEOUT_MS = 15_000;
const BARE = 'bare POST round trip';

/**
 * Each client as a function that opens a stream of `url`, calls
 * `onEvent(data, lastEventId)` for every `message` event and resolves,
 * once the stream is open, with a function that closes it.
 */
const streams = {
  'sse-wasm (fetch)': (url, onEvent) => openSseWasm(url, 'fetch', onEvent),
  'sse-wasm (eventsource)': (url, onEvent) => openSseWasm(url, 'eventsource', onEvent),
  // What the fetch transport wraps (common.js, parserLoop).
  'fetch + eventsource-parser': (url, onEvent) => openParserLoop(url, onEvent),
  'native EventSource': (url, onEvent) => new Promise((resolve, reject) => {
    const source = new EventSource(url);
    source.addEventListener('open', () => resolve(() => source.close()), { once: true });
    source.addEventListener('error', () => reject(new Error(`native EventSource: ${url} failed`)), { once: true });
    source.addEventListener('message', (e) => onEvent(e.data, e.lastEventId));
  }),
};

async function openParserLoop(url, onEvent) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal, headers: { Accept: 'text/event-stream' } });
  if (!response.ok) throw new Error(`fetch + eventsource-parser: ${url} answered ${response.status}`);
  parserLoop(response, onEvent).catch(() => {}); // aborted by close
  return () => controller.abort();
}

function openSseWasm(url, transport, onEvent) {
  return new Promise((resolve, reject) => {
    const client = new SSEClient(url, { transport, retry: false });
    client.on('open', () => resolve(() => { client.close(); client.free(); }));
    client.on('error', (error) => reject(error));
    client.subscribe('message', (data, event) => onEvent(data, event.lastEventId));
  });
}

/**
 * Times `n` rounds of pings through the bare round trip and each client
 * (or those `only` names); resolves with p50, p99 and max per client.
 */
export async function run({ n, only, log }) {
  await init();
  const timerMs = timerResolution();
  log(`latency: ${n} pings per client, timer resolution ${timerMs} ms`);
  const pingers = [barePinger()];
  try {
    for (const name of pick(Object.keys(streams), only)) pingers.push(await openPinger(name));
    const samples = pingers.map(() => []);
    for (let seq = 1; seq <= WARMUP + n; seq++) {
      for (const [i, pinger] of pingers.entries()) {
        const ms = await within(PING_TIMEOUT_MS, `${pinger.name}: ping ${seq} not handled within ${PING_TIMEOUT_MS} ms`,
          pinger.ping(seq));
        if (seq > WARMUP) samples[i].push(ms);
      }
    }
    const results = pingers.map((pinger, i) => summary(pinger.name, samples[i]));
    for (const r of results) log(`${r.name}: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`);
    return { n, warmup: WARMUP, timerResolutionMs: timerMs, results };
  } finally {
    for (const pinger of pingers) pinger.close();
  }
}

/** `ping()` times one `POST /ping/echo` to its response. */
function barePinger() {
  return {
    name: BARE,
    async ping() {
      const start = performance.now();
      const response = await fetch('/ping/echo', { method: 'POST' });
      const ms = performance.now() - start;
      if (response.status !== 204) throw new Error(`POST /ping/echo answered ${response.status}`);
      return ms;
    },
    close() {},
  };
}

/**
 * Opens client `name` on a channel of its own; resolves once it is open
 * with `ping(seq)`, which publishes ping `seq` and resolves with the ms
 * from the POST to the handler. Every event must carry its ping's number
 * as data and as ID.
 */
async function openPinger(name) {
  const channel = `${name.replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2)}`;
  let arrived = () => {};
  const close = await within(PING_TIMEOUT_MS, `${name}: the stream did not open`,
    streams[name](`/ping/stream?channel=${channel}`, (data, id) => arrived(data, id)));
  async function ping(seq) {
    // The handler stamps the time itself: the event often arrives before
    // the POST's own response.
    const handled = new Promise((resolve, reject) => {
      arrived = (data, id) => {
        if (data === String(seq) && id === String(seq)) resolve(performance.now());
        else reject(new Error(`${name}: ping ${seq} arrived as data ${JSON.stringify(data)}, id ${JSON.stringify(id)}`));
      };
    });
    const start = performance.now();
    const [response, end] = await Promise.all([fetch(`/ping/send?channel=${channel}&seq=${seq}`, { method: 'POST' }), handled]);
    const receivers = response.headers.get('x-ping-receivers');
    if (receivers !== '1') throw new Error(`${name}: ping ${seq} reached ${receivers} streams, not 1`);
    return end - start;
  }
  return { name, ping, close };
}

/** p50, p99 and max of `samples` (nearest rank), plus min and mean. */
function summary(name, samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
  return {
    name,
    p50Ms: rank(0.5),
    p99Ms: rank(0.99),
    maxMs: sorted[sorted.length - 1],
    minMs: sorted[0],
    meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

/**
 * The smallest step of `performance.now()` here: browsers coarsen it
 * (Firefox to 1 ms unless told otherwise), which bounds what a p50 means.
 */
function timerResolution() {
  let smallest = Infinity;
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    let now = start;
    while (now === start) now = performance.now();
    smallest = Math.min(smallest, now - start);
  }
  return Number(smallest.toFixed(4));
}
