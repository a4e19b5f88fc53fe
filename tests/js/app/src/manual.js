// The manual-init entry, as an app that hosts the .wasm itself uses it:
// nothing loads until init(), which gets the module's URL explicitly (here
// the one Vite emitted; a CDN URL works the same way).

import { SSEClient, SSEEvent, init, isInitialized } from 'sse-wasm/init';
import wasmUrl from 'sse-wasm/sse_wasm_bg.wasm?url';

const params = new URLSearchParams(location.search);
const server = params.get('server');
const tag = params.get('tag');
const out = { data: [] };
const show = () => {
  document.getElementById('manual').textContent = JSON.stringify(out);
};

try {
  new SSEClient(`${server}/events`);
} catch (error) {
  out.beforeInit = error.message;
  out.beforeInitKind = error.kind;
}
const ready = init(new URL(wasmUrl, location.href));
out.samePromise = init() === ready;
await ready;
out.initialised = isInitialized();
out.wasmFetches = performance.getEntriesByType('resource').filter((entry) => entry.name.endsWith('.wasm')).length;

const client = new SSEClient(`${server}/events?tag=${encodeURIComponent(tag)}&count=3&hold=1`);
client.subscribe('message', (data, event) => {
  out.data.push(data);
  out.allEvents = (out.allEvents ?? true) && event instanceof SSEEvent;
  if (out.data.length === 3) {
    client.close();
    out.done = true;
  }
  show();
});
show();
