// The manual-initialisation entry, `sse-wasm/init`: the same API as
// `sse-wasm`, but nothing is fetched or compiled until `init()` is called.
// For apps that host the .wasm file themselves (a CDN, an inlined module),
// for server-side rendering, and for the React hooks, which initialise
// lazily from an effect so that importing them never touches the network.

import wasmInit, {
  SSEClient as WasmSSEClient,
  Subscription,
  sseErrorClass,
  sseEventClass,
} from '../pkg/sse_wasm.js';

export { Subscription };

/**
 * The `SSEError` class. Assigned when `init()` resolves (the class object
 * lives in the wasm-bindgen runtime snippet, reachable only through the
 * initialised module); `undefined` before.
 */
export let SSEError;

/** The `SSEEvent` class, assigned when `init()` resolves; `undefined` before. */
export let SSEEvent;

let ready = false;
let pending;
let failure;

/**
 * Loads and instantiates the WebAssembly module, once. `input` is where the
 * module comes from: a URL (string or `URL`), a `Request`, a `Response`
 * (or a promise of one), the bytes, or a compiled `WebAssembly.Module`.
 * Without it, the `.wasm` file next to the generated glue is fetched (a
 * bundler rewrites that URL to the emitted asset).
 *
 * Every call returns the same promise while the first one is pending or
 * after it succeeded (later `input`s are ignored then). After a failure the
 * next call tries again.
 */
export function init(input) {
  if (pending === undefined) {
    const attempt = wasmInit(input === undefined ? undefined : { module_or_path: input }).then(
      () => {
        SSEError = sseErrorClass();
        SSEEvent = sseEventClass();
        ready = true;
        failure = undefined;
      },
      (error) => {
        failure = error;
        if (pending === attempt) pending = undefined;
        throw error;
      },
    );
    pending = attempt;
  }
  return pending;
}

/** Whether `init()` has completed, so clients can be constructed. */
export function isInitialized() {
  return ready;
}

/**
 * A Server-Sent Events client (see the type declarations for the API). The
 * same class as the wasm-bindgen export, with one addition: constructing it
 * before the module is initialised throws a clear `Error` instead of a
 * `TypeError` from deep inside the glue, and `url` may be a `URL` object.
 */
export class SSEClient extends WasmSSEClient {
  constructor(url, options) {
    if (!ready) throw notInitialized();
    // The glue expects a string; accept a URL object as fetch() does.
    super(typeof URL === 'function' && url instanceof URL ? url.href : url, options);
  }
}

function notInitialized() {
  if (failure !== undefined) {
    return new Error(
      `sse-wasm: the WebAssembly module failed to load (${describe(failure)}); ` +
        'check that the .wasm file is served (Content-Type application/wasm) and that the ' +
        "Content-Security-Policy allows script-src 'wasm-unsafe-eval'",
      { cause: failure },
    );
  }
  return new Error(
    'sse-wasm: the WebAssembly module is not initialised yet. In a browser, ' +
      "`import { SSEClient } from 'sse-wasm'` initialises it on import; with " +
      "'sse-wasm/init', `await init()` first. Server-side rendering cannot create clients.",
  );
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}
