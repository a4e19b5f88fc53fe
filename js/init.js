// The manual-initialisation entry, `sse-wasm/init`: the same API as
// `sse-wasm`, but nothing is fetched or compiled until `init()` is called.
// For apps that host the .wasm file themselves (a CDN, an inlined module,
// a bundle without `import.meta`), for server-side rendering, and for the
// React hooks, which initialise lazily from an effect so that importing
// them never touches the network.

export { init, isInitialized } from './loader.js';
export { SSEClient, Subscription } from './client.js';
export { SSEError, SSEEvent } from '../pkg/runtime.js';
