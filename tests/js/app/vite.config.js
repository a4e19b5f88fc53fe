// Built by tests/js/run.sh in a copy of this folder under build/js-test/.
// No React plugin: JSX goes through Vite's own transform (oxc) with the
// automatic runtime, which is all a build needs. The pages: index.html
// (the hooks and the auto-initialising entry), manual.html (only the
// manual-init entry, loading the .wasm from a URL of its choosing),
// deferred.html (the main entry used before its .wasm has arrived), and for
// cross-tab sharing share.html (a host adding and removing members) with
// share-member.html (a member in an iframe or a tab) and a module worker.
// Workers are bundled as ES modules: the member imports the package
// dynamically, after its recording is set up, which needs code splitting.
// `sse-wasm-sharing-code` is the package's sharing code (js/share.js, which
// the package loads on demand): members that must all join before the first
// event load it up front (share-member.js, share-worker.js).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (name) => fileURLToPath(new URL(name, import.meta.url));

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic' } },
  resolve: {
    alias: { 'sse-wasm-sharing-code': page('node_modules/sse-wasm/js/share.js') },
  },
  build: {
    outDir: process.env.OUT_DIR || 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        main: page('index.html'),
        manual: page('manual.html'),
        deferred: page('deferred.html'),
        share: page('share.html'),
        shareMember: page('share-member.html'),
      },
    },
  },
  worker: { format: 'es' },
  logLevel: 'warn',
});
