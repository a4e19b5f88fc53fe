// The npm package's engines as handles, in Node (src/web/handles.rs): the
// wasm module checks every handle it is given, so a stale or made-up one
// does nothing instead of reaching memory it should not, and an engine
// freed by a handler during its own feed finishes the feed. Runs on the
// built package (pkg/, `make build`), loaded as js/loader.js loads it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

import { init } from '../../js/loader.js';
import {
  engine_delay,
  engine_error,
  engine_feed,
  engine_free,
  engine_input,
  engine_new,
  engine_next,
  engine_response,
  engine_state,
} from '../../pkg/sse_wasm.js';

const pkg = new URL('../../pkg/', import.meta.url);
// The runtime instance the module calls into: the glue imports it under a
// hashed snippet path.
const [snippet] = readdirSync(new URL('snippets/', pkg));
const { Dispatcher, feed } = await import(new URL(`snippets/${snippet}/src/web/runtime.js`, pkg));

await init(readFileSync(new URL('sse_wasm_bg.wasm', pkg)));

/** `Engine::new`'s settings: ten attempts, the default delays, no idle timeout, 1 MiB events. */
const SETTINGS = new Uint8Array(Float64Array.from([10, 1000, 30000, 2, 0.5, 30000, 0, 0, 1048576]).buffer);
const newEngine = () => engine_new(SETTINGS, new Uint8Array());
const CLOSED = 5;
const IDLE = 0;
const START = 0;

/** Every function with `handle`: what a closed engine answers, and no throw. */
function assertNoEngine(handle) {
  assert.equal(engine_state(handle), CLOSED);
  assert.equal(engine_next(handle), 0);
  assert.equal(engine_delay(handle), -1);
  assert.equal(engine_error(handle), 0);
  engine_input(handle, START, 0, Date.now(), 0.5);
  assert.equal(engine_response(handle, 200, new Uint8Array(), -1, true, Date.now(), 0.5), 4);
  assert.equal(engine_feed(handle, new TextEncoder().encode('data: x\n\n'), Date.now()), false);
  engine_free(handle);
}

test('a handle that names no engine does nothing: 0, made up, or beyond the table', () => {
  const live = newEngine();
  for (const handle of [0, live + 1, 12345, 2 ** 31, 2 ** 32 - 1]) assertNoEngine(handle);
  // The live engine was not touched.
  assert.equal(engine_state(live), IDLE);
  engine_free(live);
});

test('a freed handle does nothing, however often it is freed again', () => {
  const handle = newEngine();
  engine_input(handle, START, 0, Date.now(), 0.5);
  assert.notEqual(engine_next(handle), 0, 'a started engine asks to connect');
  engine_free(handle);
  assertNoEngine(handle);
  engine_free(handle);
  assertNoEngine(handle);
});

test('an engine freed by a handler during its own feed delivers the rest of the chunk', () => {
  const handle = newEngine();
  const dispatcher = new Dispatcher(false, '', () => {});
  const seen = [];
  dispatcher.holder('message').list.push({
    removed: false,
    fn: (data) => {
      seen.push(data);
      if (data === 'first') engine_free(handle);
    },
  });
  const engine = { feed: (bytes, now) => engine_feed(handle, bytes, now) };
  const bytes = new TextEncoder().encode('data: first\n\ndata: second\n\nid: 7\ndata: third\n\n');
  feed(engine, dispatcher, { live: true }, bytes);
  assert.deepEqual(seen, ['first', 'second', 'third']);
  assert.equal(dispatcher.lastEventId, '7');
  // Gone once the feed returned, and its memory reused safely.
  assertNoEngine(handle);
  const next = newEngine();
  assert.equal(engine_state(next), IDLE);
  engine_free(next);
});
