// Builds the React example into build/react-report/, which the demo server
// serves at /react/. Run from the repository root:
//   npx vite build examples/react-report
// (examples/demo.sh does it when Vite is installed).

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Served under /react/ by the demo server.
  base: '/react/',
  resolve: {
    // An app would `npm install sse-wasm`; here the package is this
    // repository, so point its two entries at the working tree.
    alias: [
      { find: /^sse-wasm\/react$/, replacement: `${repo}js/react/index.js` },
      { find: /^sse-wasm$/, replacement: `${repo}js/index.js` },
    ],
  },
  // JSX with React 17+'s automatic runtime (no `import React` needed),
  // without @vitejs/plugin-react: this example needs no Fast Refresh.
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: `${repo}build/react-report`,
    emptyOutDir: true,
    // The top-level await in sse-wasm's entry needs ES2022 modules.
    target: 'es2022',
  },
  logLevel: 'warn',
});
