// The main entry, `sse-wasm`: the API of `sse-wasm/init`, initialised on
// import in a browser page or worker (top-level await), so clients can be
// constructed right away. Under Node (server-side rendering, tests) importing
// it neither fetches nor throws; constructing a client there throws a clear
// error unless `init(bytes)` was called.

import { init } from './init.js';

export * from './init.js';

if (isBrowserLike()) {
  try {
    await init();
  } catch {
    // Remembered by init.js: constructing a client throws an error that
    // names the cause and the usual fixes (the .wasm URL, the CSP). Failing
    // the import instead would take down every module that imports this
    // one, the whole app with a bundler, over a feature it may not need.
  }
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
