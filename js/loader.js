// Loading the WebAssembly module, once, for both entries. `init()` is the
// public face; the clients get their engines from `makeEngine`, which
// waits for the module while it loads and says what is wrong when nothing
// loads it.

import wasmInit, { Engine } from '../pkg/sse_wasm.js';
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

/**
 * Throws `loadError()` unless the module is ready or loading: a client
 * cannot be created with `sse-wasm/init` before `init()`, nor after a
 * failed load until `init()` is called again.
 */
export function checkLoading() {
  if (!ready && pending === undefined) throw loadError();
}

/**
 * The `makeEngine` of every client (`Client` in src/web/client.js): an
 * `Engine` at once when the module is ready, else the promise of one once
 * it has loaded, rejecting with `loadError()` if it fails. Throws as
 * `checkLoading` does.
 */
export function makeEngine(...args) {
  if (ready) return new Engine(...args);
  checkLoading();
  return pending.then(
    () => new Engine(...args),
    (error) => {
      throw loadError(error);
    },
  );
}

/**
 * The `SSEError` (kind `init`) for a client that cannot get the module:
 * `error` is why the load failed; without it, nobody has called `init()`.
 */
export function loadError(error = failure) {
  if (error !== undefined) {
    return new SSEError(
      'init',
      `the WebAssembly module failed to load (${describe(error)}): check that the .wasm file is served ` +
        "with Content-Type application/wasm and that the Content-Security-Policy allows script-src 'wasm-unsafe-eval'",
      { cause: error },
    );
  }
  return new SSEError(
    'init',
    "the WebAssembly module is not initialised yet: with 'sse-wasm/init', call `init()` first (a client " +
      "created while it loads waits for it); 'sse-wasm' starts loading it on import, in a browser. " +
      'Server-side rendering cannot create clients.',
  );
}

/** What failed, for a message: an error's message, or the value. */
export function describe(error) {
  return error instanceof Error ? error.message : String(error);
}
