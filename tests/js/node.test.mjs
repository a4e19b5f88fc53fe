// The package as a fresh app installs it (the tarball run.sh packed), seen
// from Node: what the tarball holds, and that importing it for server-side
// rendering neither touches the network nor throws.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { WORK } from './helpers.mjs';

const APP = join(WORK, 'app');

/** Runs one check of app/node-check.mjs (with `args`) in a fresh Node process. */
function check(name, ...args) {
  const run = spawnSync(process.execPath, ['node-check.mjs', name, ...args], { cwd: APP, encoding: 'utf8' });
  assert.equal(run.status, 0, `node-check ${name} ${args.join(' ')} failed:\n${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout);
}

test('the tarball holds the entries, the wasm-bindgen output and nothing else', () => {
  const files = execFileSync('tar', ['-tzf', join(WORK, 'sse-wasm-0.1.0.tgz')], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((name) => name.replace(/^package\//, ''));
  const manifest = JSON.parse(readFileSync(join(APP, 'node_modules/sse-wasm/package.json'), 'utf8'));
  // Every target of the exports map is in the tarball.
  const targets = Object.values(manifest.exports).flatMap((entry) =>
    typeof entry === 'string' ? [entry] : Object.values(entry),
  );
  for (const target of targets) assert.ok(files.includes(target.replace(/^\.\//, '')), `${target} is packed`);
  for (const name of ['pkg/sse_wasm.js', 'pkg/sse_wasm_bg.wasm', 'pkg/sse_wasm.d.ts', 'js/react/pool.js']) {
    assert.ok(files.includes(name), `${name} is packed`);
  }
  assert.ok(files.some((name) => /^pkg\/snippets\/.+\/runtime\.js$/.test(name)), 'the runtime snippet is packed');
  const stray = files.filter((name) => !/^(js\/|pkg\/|package\.json$|README\.md$|LICENSE)/.test(name));
  assert.deepEqual(stray, [], 'only js/, pkg/, package.json, README and licences');
  assert.equal(manifest.type, 'module');
  assert.deepEqual(manifest.sideEffects, ['./js/index.js']);
});

/**
 * The table section's element types and the export section's table
 * exports of a wasm binary (imported tables come first in the index space).
 */
function tablesOf(bytes) {
  let at = 8; // magic and version
  const byte = () => bytes[at++];
  const leb = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = byte();
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return result;
    }
  };
  const name = () => {
    const length = leb();
    const text = Buffer.from(bytes.subarray(at, at + length)).toString('utf8');
    at += length;
    return text;
  };
  const limits = () => {
    const flags = byte();
    leb();
    if (flags & 1) leb();
  };
  const tables = [];
  const exports = {};
  while (at < bytes.length) {
    const id = byte();
    const size = leb();
    const end = at + size;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        name();
        name();
        const kind = byte();
        if (kind === 0) leb();
        else if (kind === 1) {
          tables.push(byte());
          limits();
        } else if (kind === 2) limits();
        else if (kind === 3) at += 2;
        else if (kind === 4) (byte(), leb());
      }
    } else if (id === 4) {
      for (let n = leb(); n > 0; n--) {
        tables.push(byte());
        limits();
      }
    } else if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const field = name();
        const kind = byte();
        const index = leb();
        if (kind === 1) exports[field] = index;
      }
    }
    at = end;
  }
  return { tables, exports };
}

// The npm build leaves out reference types (WASM_RUSTFLAGS in the
// Makefile): the engine passes JavaScript no objects, so wasm-bindgen's
// externref table (`__wbindgen_externrefs`) and the glue that fills it
// would be dead weight. A build that lost the flag would ship them again,
// and with Debian bookworm's wasm-opt (binaryen 108), which rewrites that
// table's export to the funcref table, init() would throw in the browser.
test('the packed wasm has no externref table (built without reference types)', () => {
  const bytes = readFileSync(join(APP, 'node_modules/sse-wasm/pkg/sse_wasm_bg.wasm'));
  const { tables, exports } = tablesOf(bytes);
  assert.equal(exports.__wbindgen_externrefs, undefined, 'no externref table is exported');
  assert.ok(
    !tables.includes(0x6f),
    `tables: ${tables.map((t) => `0x${t.toString(16)}`).join(', ')} (0x6f externref, 0x70 funcref)`,
  );
});

test('importing sse-wasm under Node neither fetches nor throws; constructing explains why it cannot', () => {
  const out = check('import');
  assert.deepEqual(out.touched, [], 'no fetch, no WebAssembly compilation');
  assert.equal(out.initialised, false);
  assert.equal(out.errorClass, 'function', 'SSEError exists before init()');
  assert.equal(out.constructError.name, 'SSEError');
  assert.equal(out.constructError.kind, 'init');
  assert.equal(out.constructError.isSSEError, true);
  assert.match(out.constructError.message, /not initialised yet/);
  assert.match(out.constructError.message, /call `init\(\)` first/);
});

test('sse-wasm/react renders on the server: idle state, no wasm, no network', () => {
  const out = check('ssr');
  assert.deepEqual(out.touched, []);
  assert.equal(out.html, '<p>idle|none|null|</p>');
});

test('init(bytes) under Node: one promise, live SSEError binding in both entries, URL objects accepted', () => {
  const out = check('bytes');
  assert.equal(out.same, true, 'a second init() while pending returns the same promise');
  assert.equal(out.afterInitSame, true, 'and after it resolved');
  assert.equal(out.initialised, true);
  assert.deepEqual(out.invalidUrl, { instanceOf: true, kind: 'invalid-url', url: 'ftp://example.com/' });
  assert.deepEqual(out.credentials, { kind: 'invalid-url', url: 'https://example.com/events', shown: false });
  assert.deepEqual(out.invalidOption, { instanceOf: true, kind: 'invalid-option', option: 'retry.factor' });
  assert.deepEqual(out.client, { status: 'idle', url: 'https://example.com/a/events', transport: 'eventsource' });
  assert.deepEqual(out.badShare, Array(4).fill('invalid-option:share'), 'share: only true, false or a key string');
  assert.deepEqual(out.shared, { status: 'idle', shareRole: null, transport: 'eventsource', locks: false }, 'no Web Locks: not shared');
  assert.equal(out.mainSeesInit, true, "sse-wasm sees the module sse-wasm/init initialised, and the same SSEError");
  assert.ok(!out.touched.some((entry) => entry.startsWith('fetch')), 'the bytes were used, nothing fetched');
});

// js/loader.js instantiates the module itself (not wasm-bindgen's loader):
// every kind of input init() documents, under Node's own fetch types and
// streaming compilation. The browsers run the default URL and a URL object
// (the Vite app), a string and a wrong Content-Type (the esbuild IIFE).
test('init() under Node from each kind of input: the ones to fetch, a Response, bytes, a compiled module', () => {
  const url = 'https://cdn.example/sse_wasm_bg.wasm';
  const streamed = ['WebAssembly.instantiateStreaming'];
  const expected = {
    string: [`fetch ${url}`, ...streamed],
    url: [`fetch ${url}`, ...streamed],
    request: [`fetch ${url}`, ...streamed],
    response: streamed,
    promise: streamed,
    arrayBuffer: ['WebAssembly.instantiate'],
    module: ['WebAssembly.instantiate'],
  };
  for (const [input, calls] of Object.entries(expected)) {
    const out = check('input', input);
    assert.deepEqual(out, { initialised: true, status: 'idle', calls, warnings: [] }, input);
  }
});

test('init() under Node from a Response with the wrong Content-Type: compiled after the download, with a warning', () => {
  const out = check('input', 'octetStream');
  assert.equal(out.initialised, true);
  assert.equal(out.status, 'idle');
  assert.deepEqual(out.calls, ['WebAssembly.instantiate'], 'not streamed: the runtime would refuse the type');
  assert.equal(out.warnings.length, 1);
  assert.match(out.warnings[0], /application\/wasm/);
});

test('init() failures under Node: an HTTP error and a broken module reject, clients say why, and init() retries', () => {
  const out = check('failures');
  assert.equal(out.notFound, 'Error: HTTP 404 fetching https://cdn.example/missing.wasm');
  assert.match(out.constructError, /^init: the WebAssembly module failed to load \(HTTP 404 fetching https:\/\/cdn\.example\/missing\.wasm\)/);
  assert.match(out.notCompiled, /^CompileError: /, 'served as application/wasm: no fallback hides the error');
  assert.equal(out.initialisedBefore, false);
  assert.equal(out.retried, 'loaded');
  assert.equal(out.initialised, true);
  assert.deepEqual(out.warnings, []);
});

test('connection keys: equal options share, function values do not count, header values are hashed', async () => {
  // The repository's own module (it imports the wasm glue but loads nothing).
  const { connectionKey } = await import('../../js/react/pool.js');
  const url = 'https://example.com/events';
  const base = connectionKey(url, { json: true, headers: { Authorization: 'Bearer s3cret-token' } }, 'user-1');
  // Same values, new objects and functions: the same connection.
  assert.equal(
    connectionKey(url, { headers: { Authorization: 'Bearer s3cret-token' }, json: true, event: 'tick' }, 'user-1'),
    base,
  );
  assert.equal(
    connectionKey(url, { headers: () => ({}), onUnauthorized: () => true }),
    connectionKey(url, { headers: () => ({ other: 'x' }), onUnauthorized: () => false }),
  );
  // A different value, JSON mode, identity, transport or URL: another one.
  for (const [options, identity, other] of [
    [{ json: true, headers: { Authorization: 'Bearer other-token' } }, 'user-1', url],
    [{ headers: { Authorization: 'Bearer s3cret-token' } }, 'user-1', url],
    [{ json: true, headers: { Authorization: 'Bearer s3cret-token' } }, 'user-2', url],
    [{ json: true, transport: 'fetch', headers: { Authorization: 'Bearer s3cret-token' } }, 'user-1', url],
    [{ json: true, headers: { Authorization: 'Bearer s3cret-token' } }, 'user-1', `${url}?x=1`],
  ]) {
    assert.notEqual(connectionKey(other, options, identity), base, JSON.stringify(options));
  }
  assert.notEqual(connectionKey(url, { headers: () => ({}) }), connectionKey(url, { headers: {} }));
  // Distinct AbortSignals are distinct connections; the same one is shared.
  const signal = new AbortController().signal;
  assert.equal(connectionKey(url, { signal }), connectionKey(url, { signal }));
  assert.notEqual(connectionKey(url, { signal }), connectionKey(url, { signal: new AbortController().signal }));
  // The token never appears in the key.
  assert.ok(!base.includes('s3cret'), base);
});

test('npm pack on a tree without pkg/ builds the package first (prepack)', () => {
  // The sources as a fresh clone has them: no pkg/, no build output. The
  // installed tools are shared (node_modules by symlink, with timestamps
  // kept so nothing is reinstalled), so only the build itself runs. In a
  // cargo target directory of its own (about 30 s more): a cdylib's output
  // has no hash in its name, so a build of this copy in the repository's
  // target/ would overwrite the repository's sse_wasm.wasm with one whose
  // JS snippets point into this copy, and cargo, which keeps a fingerprint
  // per source path, would then see the repository's build as fresh: the
  // next `make build` would fail once this copy is removed.
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const tree = join(WORK, 'unbuilt');
  rmSync(tree, { recursive: true, force: true });
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root })
    .toString()
    .split('\0')
    .filter((path) => path && existsSync(join(root, path)));
  for (const path of listed) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    cpSync(join(root, path), join(tree, path), { preserveTimestamps: true });
  }
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  symlinkSync(join(root, '.ci/tools/node_modules'), join(tree, '.ci/tools/node_modules'));
  assert.equal(existsSync(join(tree, 'pkg')), false);
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json'], {
    cwd: tree,
    encoding: 'utf8',
    env: { ...process.env, CARGO_TARGET_DIR: join(root, 'target', 'unbuilt-tree') },
  });
  assert.equal(pack.status, 0, `npm pack failed:\n${pack.stderr.slice(-3000)}`);
  const json = pack.stdout.slice(pack.stdout.lastIndexOf('\n[') + 1);
  const files = JSON.parse(json)[0].files.map((file) => file.path);
  for (const built of ['pkg/sse_wasm_bg.wasm', 'pkg/sse_wasm.js', 'pkg/runtime.js']) {
    assert.ok(files.includes(built), `${built} is packed: ${files.join(', ')}`);
  }
});
