// Shortens the names under which the wasm module imports its JS functions,
// and hands js/loader.js the object to instantiate the module with
// (`make build`, after wasm-opt).
//
// wasm-bindgen (`--target bundler`) names each import `__wbg_<name>_<16 hex
// digits>` in the module "./sse_wasm_bg.js", and its glue, sse_wasm_bg.js,
// exports a function of that name for each. The hash makes the names unique
// but does not compress (3 KB of gzipped wasm with the 120 imports the
// module had when this was written: SIZE.md). Here the module becomes "a"
// and the imports `a`, `b`, ... `ba`, ... in the wasm, and the glue gains
// one export, `wasmImports`: `{ a: { a: __wbg_..., b: ... } }`. One object,
// not the glue's namespace (`import * as glue`): esbuild turns a namespace
// into a getter per export plus a helper, about 80 B more gzip in an app.
// The glue's functions keep their names (an app's minifier shortens them),
// so nothing in the glue can clash with the short ones.
//
// wasm-bindgen's own entry for that target, sse_wasm.js, imports the .wasm
// as an ES module (which browsers cannot do yet), hands the exports to the
// glue's `__wbg_set_wasm` and calls `__wbindgen_start` if the module has
// one (the npm build, without reference types, has none); js/loader.js does
// the same after instantiating the module itself, and `make build` drops
// the entry. So the entry is checked to do nothing else.
//
// Fails, changing nothing, unless every import is an exported function of
// the glue, declared once, and the entry is as described: a future
// wasm-bindgen that lays the output out differently stops the build here
// rather than at run time.
//
// Usage: node .ci/minify-imports.mjs pkg/sse_wasm_bg.wasm pkg/sse_wasm_bg.js pkg/sse_wasm.js

import { readFileSync, writeFileSync } from 'node:fs';

const MODULE = './sse_wasm_bg.js';
const IMPORT_SECTION = 2;
const EXPORT = 'wasmImports';

const [wasmPath, gluePath, entryPath] = process.argv.slice(2);
const wasm = readFileSync(wasmPath);
let glue = readFileSync(gluePath, 'utf8');

checkEntry(readFileSync(entryPath, 'utf8'));
if (glue.split('export function __wbg_set_wasm(').length !== 2) fail('expected one __wbg_set_wasm in the glue');
if (new RegExp(`\\b${EXPORT}\\b`).test(glue)) fail(`the glue has a ${EXPORT} already`);

const { start, end, imports } = importSection(wasm);
const renamed = imports.map((entry, i) => ({ ...entry, name: shortName(i) }));
for (const { field } of renamed) {
  if (glue.split(`export function ${field}(`).length !== 2) fail(`expected one function ${field} in the glue`);
}
glue +=
  `\n/** The import object to instantiate the module with (added by .ci/minify-imports.mjs). */\n` +
  `export const ${EXPORT} = { a: { ${renamed.map(({ field, name }) => `${name}: ${field}`).join(', ')} } };\n`;

const section = encodeSection(renamed.map((e) => ({ ...e, module: 'a', field: e.name })));
writeFileSync(wasmPath, Buffer.concat([wasm.subarray(0, start), section, wasm.subarray(end)]));
writeFileSync(gluePath, glue);

/**
 * Fails unless wasm-bindgen's entry only imports the module, passes its
 * exports to `__wbg_set_wasm`, calls `__wbindgen_start` (if any) and
 * re-exports the glue's classes: what js/loader.js does in its place.
 */
function checkEntry(source) {
  const code = source.replace(/\/\*[^]*?\*\//g, '').replace(/\s+/g, ' ').trim();
  const expected = new RegExp(
    '^import \\* as wasm from "./sse_wasm_bg\\.wasm"; import \\{ __wbg_set_wasm \\} from "./sse_wasm_bg\\.js"; ' +
      '__wbg_set_wasm\\(wasm\\); (?:wasm\\.__wbindgen_start\\(\\); )?export \\{ [\\w, ]+ \\} from "./sse_wasm_bg\\.js";$',
  );
  if (!expected.test(code)) fail(`${entryPath} does more than js/loader.js does in its place:\n${code}`);
}

/** `a`..`z`, `A`..`Z`, then two letters, and so on. */
function shortName(index) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let name = '';
  let i = index;
  do {
    name = letters[i % letters.length] + name;
    i = Math.floor(i / letters.length) - 1;
  } while (i >= 0);
  return name;
}

/**
 * The import section's extent and entries: `module`, `field` and the raw
 * bytes of the import's description (kind and type), copied as they are.
 */
function importSection(bytes) {
  let at = 8; // magic and version
  while (at < bytes.length) {
    const id = bytes[at];
    const size = leb(bytes, at + 1);
    const body = size.next;
    if (id === IMPORT_SECTION) {
      const count = leb(bytes, body);
      let p = count.next;
      const entries = [];
      for (let i = 0; i < count.value; i++) {
        const module = text(bytes, p);
        const field = text(bytes, module.next);
        const descEnd = skipDescription(bytes, field.next);
        if (module.value !== MODULE) fail(`an import from ${module.value}, not ${MODULE}`);
        entries.push({ module: module.value, field: field.value, desc: bytes.subarray(field.next, descEnd) });
        p = descEnd;
      }
      if (p !== body + size.value) fail('the import section does not end where its size says');
      return { start: at, end: p, imports: entries };
    }
    at = body + size.value;
  }
  fail('the module has no import section');
}

/** The end of an import description starting at `at` (its kind byte). */
function skipDescription(bytes, at) {
  const kind = bytes[at];
  let p = at + 1;
  const limits = () => {
    const flags = bytes[p++];
    p = leb(bytes, p).next;
    if (flags & 1) p = leb(bytes, p).next;
  };
  switch (kind) {
    case 0: // function: type index
      return leb(bytes, p).next;
    case 1: // table: element type, limits
      p += 1;
      limits();
      return p;
    case 2: // memory: limits
      limits();
      return p;
    case 3: // global: value type, mutability
      return p + 2;
    case 4: // tag: attribute, type index
      return leb(bytes, p + 1).next;
    default:
      fail(`an import of unknown kind ${kind}`);
  }
}

function encodeSection(entries) {
  const parts = [uleb(entries.length)];
  for (const e of entries) {
    parts.push(encodeText(e.module), encodeText(e.field), e.desc);
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([IMPORT_SECTION]), uleb(body.length), body]);
}

function text(bytes, at) {
  const length = leb(bytes, at);
  const next = length.next + length.value;
  return { value: bytes.subarray(length.next, next).toString('utf8'), next };
}

function encodeText(value) {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([uleb(bytes.length), bytes]);
}

/** An unsigned LEB128 number at `at`: its value and the offset after it. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  let p = at;
  for (;;) {
    const byte = bytes[p++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return { value, next: p };
  }
}

function uleb(value) {
  const out = [];
  let v = value;
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return Buffer.from(out);
}

function fail(message) {
  console.error(`minify-imports: ${message}; nothing was changed`);
  process.exit(1);
}
