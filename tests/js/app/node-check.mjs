// Run by tests/js/node.test.mjs with Node, in the fresh app (so `sse-wasm`
// resolves to the installed tarball): `node node-check.mjs <check>`.
// Prints one JSON object with what it observed; the test asserts on it.

import { readFile } from 'node:fs/promises';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';

// Record every attempt to reach the network or compile WebAssembly.
const touched = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (...args) => {
  touched.push(`fetch ${String(args[0])}`);
  return realFetch(...args);
};
for (const name of ['instantiate', 'instantiateStreaming', 'compile', 'compileStreaming']) {
  const real = WebAssembly[name];
  WebAssembly[name] = (...args) => {
    touched.push(`WebAssembly.${name}`);
    return real.apply(WebAssembly, args);
  };
}

const checks = {
  /** Importing the auto-init entry under Node, then constructing a client too early. */
  async import() {
    const sse = await import('sse-wasm');
    let constructError;
    try {
      new sse.SSEClient('https://example.com/events');
    } catch (error) {
      constructError = { name: error.name, kind: error.kind, message: error.message, isSSEError: error instanceof sse.SSEError };
    }
    return { touched, constructError, initialised: sse.isInitialized(), errorClass: typeof sse.SSEError };
  },

  /** Server-side rendering with the hooks. */
  async ssr() {
    const { useSSE, useSSEEvent, SSEProvider } = await import('sse-wasm/react');
    function Feed() {
      const { status, data, error, lastEventId } = useSSE('https://example.com/events', { json: true });
      useSSEEvent('https://example.com/events', 'tick', () => {});
      return createElement('p', null, `${status}|${data === undefined ? 'none' : data}|${error}|${lastEventId}`);
    }
    const html = renderToString(createElement(SSEProvider, { options: { key: 'user-1' } }, createElement(Feed)));
    return { touched, html };
  },

  /** Initialising from bytes, as an app hosting the wasm itself would. */
  async bytes() {
    const sse = await import('sse-wasm/init');
    const bytes = await readFile(new URL(import.meta.resolve('sse-wasm/sse_wasm_bg.wasm')));
    const first = sse.init(bytes);
    const same = sse.init() === first;
    await first;
    const out = { same, initialised: sse.isInitialized(), afterInitSame: sse.init() === first };
    try {
      new sse.SSEClient('ftp://example.com/');
    } catch (error) {
      out.invalidUrl = { instanceOf: error instanceof sse.SSEError, kind: error.kind, url: error.url };
    }
    try {
      new sse.SSEClient('https://alice:s3cret@example.com/events');
    } catch (error) {
      out.credentials = { kind: error.kind, url: error.url, shown: /alice|s3cret/.test(`${error.message} ${error.url}`) };
    }
    try {
      new sse.SSEClient('https://example.com/', { retry: { factor: 'x' } });
    } catch (error) {
      out.invalidOption = { instanceOf: error instanceof sse.SSEError, kind: error.kind, option: error.option };
    }
    out.badShare = [1, '', null, {}].map((share) => {
      try {
        new sse.SSEClient('https://example.com/', { share });
        return 'accepted';
      } catch (error) {
        return `${error.kind}:${error.option}`;
      }
    });
    // Node has no Web Locks: a client of its own, silently.
    const shared = new sse.SSEClient('https://example.com/s', { share: true });
    out.shared = { status: shared.status, shareRole: shared.shareRole, transport: shared.transport, locks: typeof navigator === 'object' && navigator?.locks !== undefined };
    shared.close();
    const client = new sse.SSEClient(new URL('https://example.com/a/events'), { json: true });
    out.client = { status: client.status, url: client.url, transport: client.transport };
    client.close();
    const main = await import('sse-wasm');
    out.mainSeesInit = main.SSEError === sse.SSEError && main.isInitialized();
    out.touched = touched;
    return out;
  },
};

const name = process.argv[2];
const check = checks[name];
if (!check) {
  console.error(`unknown check ${name}`);
  process.exit(2);
}
console.log(JSON.stringify(await check()));
