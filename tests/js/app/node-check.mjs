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

  /**
   * init() from one kind of input (argv[3]), each holding the module: a URL
   * string, a `URL` or a `Request` (fetched, from a stand-in for fetch that
   * answers with the module), a `Response` or a promise of one, an
   * `ArrayBuffer`, a compiled `WebAssembly.Module`, or a `Response` with the
   * wrong Content-Type. Then a client is constructed on it.
   */
  async input() {
    const sse = await import('sse-wasm/init');
    const bytes = await readFile(new URL(import.meta.resolve('sse-wasm/sse_wasm_bg.wasm')));
    const url = 'https://cdn.example/sse_wasm_bg.wasm';
    const response = (type = 'application/wasm') => new Response(bytes, { headers: { 'Content-Type': type } });
    const calls = [];
    globalThis.fetch = async (input) => {
      calls.push(`fetch ${input instanceof Request ? input.url : String(input)}`);
      return response();
    };
    // The loader's calls only: Node compiles and instantiates its fetch's
    // HTTP parser (llhttp) too, on first use of `Request` or `Response`.
    for (const name of ['instantiate', 'instantiateStreaming']) {
      const recorded = WebAssembly[name];
      WebAssembly[name] = (...args) => {
        if (/\/js\/loader\.js:/.test(new Error().stack)) calls.push(`WebAssembly.${name}`);
        return recorded.apply(WebAssembly, args);
      };
    }
    const warnings = [];
    console.warn = (...args) => warnings.push(args.join(' '));
    const inputs = {
      string: () => url,
      url: () => new URL(url),
      request: () => new Request(url),
      response: () => response(),
      promise: () => Promise.resolve(response()),
      arrayBuffer: () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      module: () => new WebAssembly.Module(bytes),
      octetStream: () => response('application/octet-stream'),
    };
    await sse.init(inputs[process.argv[3]]());
    const client = new sse.SSEClient('https://example.com/events');
    const out = { initialised: sse.isInitialized(), status: client.status, calls, warnings };
    client.close();
    return out;
  },

  /**
   * init() failing: an HTTP error status, then a module that does not
   * compile although served as application/wasm; each time the next init()
   * tries again, and the last one, from the bytes, succeeds.
   */
  async failures() {
    const sse = await import('sse-wasm/init');
    const bytes = await readFile(new URL(import.meta.resolve('sse-wasm/sse_wasm_bg.wasm')));
    globalThis.fetch = async (input) => {
      const response = new Response('not here', { status: 404 });
      // What a real fetch sets, and the error names.
      Object.defineProperty(response, 'url', { value: String(input) });
      return response;
    };
    const warnings = [];
    console.warn = (...args) => warnings.push(args.join(' '));
    const attempt = async (input) => {
      try {
        await sse.init(input);
        return 'loaded';
      } catch (error) {
        return `${error.name}: ${error.message}`;
      }
    };
    const out = { notFound: await attempt('https://cdn.example/missing.wasm') };
    try {
      new sse.SSEClient('https://example.com/events');
    } catch (error) {
      out.constructError = `${error.kind}: ${error.message}`;
    }
    const garbage = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 255]); // a header, then no valid section
    out.notCompiled = await attempt(new Response(garbage, { headers: { 'Content-Type': 'application/wasm' } }));
    out.initialisedBefore = sse.isInitialized();
    out.retried = await attempt(bytes);
    out.initialised = sse.isInitialized();
    out.warnings = warnings;
    return out;
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
