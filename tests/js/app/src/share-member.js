// A sharing member in a document (an iframe of share.html, or a tab of its
// own): `?config=<JSON>` says what client to create (see share-core.js).
// `window.shareMember` appears once the client is subscribed (or failed to
// start): `shareMember.record` is the live record, `shareMember.handle(op)`
// runs a command. The package is imported only after the recording is set
// up. A member that subscribes at once creates its client while the module
// may still be loading, as an app does; one whose host subscribes several
// members together (`deferSubscribe`) waits for the module and the sharing
// code (which the package loads on demand) first, so that all of them join
// before the first event.

import { startMember } from './share-core.js';

const config = JSON.parse(new URLSearchParams(location.search).get('config'));
window.shareMember = await startMember(config, async () => {
  const sse = await import('sse-wasm');
  if (config.deferSubscribe) await Promise.all([sse.init(), import('sse-wasm-sharing-code')]);
  return sse;
});
document.getElementById('status').textContent = `member ${config.name ?? ''}: ${window.shareMember.record.ready ? 'ready' : 'failed'}`;
