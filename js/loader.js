// Loading the WebAssembly module, once, for both entries. `init()` is the
// public face; the clients get their engines from `makeEngine`, which
// waits for the module while it loads and says what is wrong when nothing
// loads it. The glue is wasm-bindgen's bundler target, which leaves the
// loading to us (`load`): its web target's loader, with its deprecation
// warnings and `initSync`, was 0.3 KB gzip more in an app (SIZE.md).

import {
  __wbg_set_wasm,
  engine_delay,
  engine_error,
  engine_feed,
  engine_free,
  engine_input,
  engine_new,
  engine_next,
  engine_response,
  engine_state,
  wasmImports,
} from '../pkg/sse_wasm.js';
import { SSEError, wasmUrl } from '../pkg/runtime.js';

/**
 * An engine of the wasm module with the methods the client calls (`Engine`
 * in src/web/engine.rs says what each does): the module hands engines out
 * as numbers (src/web/handles.rs), and this holds one. `free()` forgets it,
 * so that a later call (which does nothing: handle 0) cannot reach another
 * engine that reuses the number.
 */
class Engine {
  #handle;

  constructor(settings, lastEventId) {
    this.#handle = engine_new(settings, lastEventId);
  }

  next() {
    return engine_next(this.#handle);
  }

  get delay() {
    return engine_delay(this.#handle);
  }

  get error() {
    return engine_error(this.#handle);
  }

  state() {
    return engine_state(this.#handle);
  }

  input(...args) {
    engine_input(this.#handle, ...args);
  }

  response(...args) {
    return engine_response(this.#handle, ...args);
  }

  feed(chunk, now) {
    return engine_feed(this.#handle, chunk, now);
  }

  free() {
    engine_free(this.#handle);
    this.#handle = 0;
  }
}

let ready = false;
let pending;
let failure;

/**
 * The module's exports once it has loaded: not part of the API, for the
 * benchmarks and the soak test, which read its `memory`.
 */
export let wasm;

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
    const attempt = load(input).then(
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

/**
 * Instantiates the module from `init`'s `input` (the .wasm beside the glue
 * by default) and hands it to the glue, as wasm-bindgen's entry for the
 * bundler target would (.ci/minify-imports.mjs checks that it does no
 * more). A URL or a `Request` is fetched; a `Response` is compiled while it
 * downloads, unless the server sent another type than `application/wasm`,
 * which the browser refuses to stream: it is then compiled after the
 * download, with a warning. wasm-bindgen's web-target loader did the same
 * after a failed attempt to stream; the type is checked first here, so the
 * fallback needs no try/catch and any other streaming error is thrown as is.
 */
async function load(input = wasmUrl()) {
  let source = await input;
  if (typeof source == 'string' || source instanceof URL || source instanceof Request) source = await fetch(source);
  if (source instanceof Response) {
    if (!source.ok) throw Error(`HTTP ${source.status} fetching ${source.url}`);
    if (source.headers.get('Content-Type') != 'application/wasm') {
      console.warn('sse-wasm: the .wasm is not served as application/wasm, so it compiles after the download');
      source = await source.arrayBuffer();
    }
  }
  // Bytes resolve to `{ module, instance }`, a compiled module to the instance.
  const result = await WebAssembly[source instanceof Response ? 'instantiateStreaming' : 'instantiate'](
    source,
    wasmImports,
  );
  ({ exports: wasm } = result.instance ?? result);
  __wbg_set_wasm(wasm);
  wasm.__wbindgen_start?.();
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
