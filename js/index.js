// The main entry, `sse-wasm`: the API of `sse-wasm/init`, with the
// WebAssembly module's download started on import in a browser page or
// worker. The import itself never waits for it (no top-level await), so
// nothing in the app is held up: clients created before the module has
// arrived wait for it, reporting `connecting` once subscribed. Under Node
// (server-side rendering, tests) importing it neither fetches nor throws;
// constructing a client there throws a clear error unless `init(bytes)`
// was called.

import { init } from './loader.js';

export * from './init.js';

if (isBrowserLike()) {
  // A failure is remembered (loader.js): clients waiting for the module
  // report it as an `error` of kind `init`, later constructions throw it.
  init().catch(() => {});
}

/**
 * A window (with a document) or a worker. jsdom-style test environments
 * under Node also have a document; they still get here, and the fetch of a
 * `file:` URL fails quietly as above.
 */
function isBrowserLike() {
  if (typeof document !== 'undefined') return true;
  return typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope;
}
