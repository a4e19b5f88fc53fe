// A sharing member made of the React hooks (share-core.js, `react: true`):
// `useSSEEvent` on the member's URL under `<SSEProvider options={{ share }}>`,
// so the share key comes from the provider, as an app would set it once.

import { createRoot } from 'react-dom/client';
import { SSEProvider, useSSEEvent } from 'sse-wasm/react';

function Member({ url, onEvent }) {
  useSSEEvent(url, 'message', onEvent, { transport: 'fetch' });
  return null;
}

/** Renders the member into the page; `onEvent(data, event)` hears every `message` event. */
export function mountReactMember(config, onEvent) {
  const root = document.createElement('div');
  document.body.append(root);
  createRoot(root).render(
    <SSEProvider options={{ share: config.share }}>
      <Member url={config.url} onEvent={onEvent} />
    </SSEProvider>,
  );
}
