// `sse-wasm`: the API of `sse-wasm/init`, initialised on import in a
// browser page or worker (in Node, call `init(bytes)` before constructing
// a client).
export * from './init.js';
