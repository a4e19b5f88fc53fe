// A sharing member in a dedicated worker, for share.js: the first message
// `{ id, op: 'start', config }` creates the client (see share-core.js),
// later ones `{ id, op }` run a command; each is answered with `{ id,
// result }` or `{ id, error }`. The package is initialised explicitly
// (the `sse-wasm/init` entry), after the recording is set up, and the
// sharing code (which the package loads on demand) is loaded with it, so
// that members started together all join before the first event.

import { startMember } from './share-core.js';

let member;

self.onmessage = async ({ data: { id, op, config } }) => {
  try {
    if (op === 'start') {
      member = await startMember(config, async () => {
        const sse = await import('sse-wasm/init');
        await Promise.all([sse.init(), import('sse-wasm-sharing-code')]);
        return sse;
      });
      self.postMessage({ id, result: member.handle('summary') });
    } else {
      self.postMessage({ id, result: member.handle(op) });
    }
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
};
