// An app bundled by esbuild as an IIFE (no ES modules, no import.meta, no
// top-level await) and loaded with a plain <script>: the manual entry, given
// the .wasm URL explicitly, as the README documents.

import { SSEClient, init } from 'sse-wasm/init';

const params = new URLSearchParams(location.search);
const server = params.get('server');
const tag = params.get('tag');
const out = { data: [] };
const show = () => {
  document.getElementById('iife').textContent = JSON.stringify(out);
};

init('./sse_wasm_bg.wasm').catch((error) => {
  out.initError = String(error);
  show();
});
// No need to wait: the client waits for the module.
const client = new SSEClient(`${server}/events?tag=${encodeURIComponent(tag)}&count=3&hold=1`);
client.subscribe('message', (data) => {
  out.data.push(data);
  if (out.data.length === 3) {
    client.close();
    out.done = true;
  }
  show();
});
show();
