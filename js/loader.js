// Loading the WebAssembly module, once, for both entries. `init()` is the
// public face; the client asks `loading()` whether it may wait for the
// module and `loadError()` what to report when it cannot.

import wasmInit from '../pkg/sse_wasm.js';
import { SSEError } from '../pkg/runtime.js';

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

/** Whether `init()` has completed, so clients are backed by the module at once. */
export function isInitialized() {
  return ready;
}

/** The promise of the load in progress, or `undefined` when none is. */
export function loading() {
  return ready ? undefined : pending;
}

/**
 * The `SSEError` (kind `init`) for a client that cannot get the module:
 * `error` is why the load failed; without it, nobody has called `init()`.
 */
export function loadError(error = failure) {
  if (error !== undefined) {
    return new SSEError(
      'init',
      `the WebAssembly module failed to load (${describe(error)}); check that the .wasm file is ` +
        "served (Content-Type application/wasm) and that the Content-Security-Policy allows " +
        "script-src 'wasm-unsafe-eval'",
      { cause: error },
    );
  }
  return new SSEError(
    'init',
    'the WebAssembly module is not initialised yet. In a browser, ' +
      "`import { SSEClient } from 'sse-wasm'` starts loading it on import; with " +
      "'sse-wasm/init', call `init()` first (a client created while it loads waits for it). " +
      'Server-side rendering cannot create clients.',
  );
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}
