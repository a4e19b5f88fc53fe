// Every JavaScript and TypeScript code block in the READMEs (the package's
// and the examples') compiles when
// pasted into a .tsx file of a fresh Vite + React + TypeScript app: the
// packed package as installed in the test app, the compiler options of
// Vite's react-ts template, and `skipLibCheck: false`, so the package's own
// declarations are checked under Vite's default `lib` too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { WORK } from './helpers.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = join(WORK, 'app', 'readme');

/** The READMEs whose code blocks are checked, relative to the repository. */
const READMES = ['README.md', 'examples/README.md'];

/**
 * The ```js/jsx/ts/tsx blocks of `readme`: their text and the line each
 * starts on.
 * @param {string} readme
 */
function blocks(readme) {
  const lines = readFileSync(join(root, readme), 'utf8').split('\n');
  const found = [];
  let open;
  lines.forEach((line, index) => {
    const fence = /^```(\w*)\s*$/.exec(line);
    if (!fence) {
      if (open) open.text.push(line);
      return;
    }
    if (open) {
      if (['js', 'jsx', 'ts', 'tsx'].includes(open.lang)) found.push({ readme, line: open.line, text: open.text.join('\n') + '\n' });
      open = undefined;
    } else {
      open = { lang: fence[1], line: index + 2, text: [] };
    }
  });
  return found;
}

/** The file a block is compiled as: `<readme index>-line-<line>.tsx`. */
const fileOf = ({ readme, line }) => `readme-${READMES.indexOf(readme)}-line-${line}.tsx`;

test('every js/jsx/ts/tsx block of the READMEs compiles as pasted into a Vite react-ts app', () => {
  const found = READMES.flatMap(blocks);
  assert.ok(found.filter((b) => b.readme === 'README.md').length >= 5, 'the README has its blocks');
  assert.ok(found.some((b) => b.readme === 'examples/README.md'), 'examples/README.md has its block');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const block of found) writeFileSync(join(dir, fileOf(block)), block.text);
  // Vite 8's react-ts template (tsconfig.app.json), minus `types:
  // ["vite/client"]`, which no block uses.
  const compilerOptions = {
    target: 'ES2022',
    useDefineForClassFields: true,
    lib: ['ES2023', 'DOM', 'DOM.Iterable'],
    module: 'ESNext',
    types: [],
    skipLibCheck: false,
    moduleResolution: 'bundler',
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    moduleDetection: 'force',
    noEmit: true,
    jsx: 'react-jsx',
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    erasableSyntaxOnly: true,
    noFallthroughCasesInSwitch: true,
    noUncheckedSideEffectImports: true,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['*.tsx'] }, null, 2));
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], {
    cwd: dir,
    encoding: 'utf8',
  });
  const report = `${tsc.stdout}${tsc.stderr}`.replace(/readme-(\d+)-line-(\d+)\.tsx\((\d+),/g, (_, readme, start, at) => {
    return `${READMES[Number(readme)]}:${Number(start) + Number(at) - 1} (block at line ${start}) (`;
  });
  assert.equal(tsc.status, 0, `README blocks fail to compile:\n${report}`);
});
