// Scenario 3: open an upload session, show its link, and display every
// image uploaded to it the moment the server announces it.

import { SSEClient } from '/js/index.js';
import { $, droppedNote, el, postJson, showConnection } from '/common.js';
import { drawFingerprint } from '/fingerprint.js';

async function main() {
  let session;
  try {
    session = await postJson('/api/uploads');
  } catch (error) {
    $('problem').textContent = `Could not open an upload session: ${error.message}`;
    return;
  }
  const uploadUrl = new URL(session.uploadPage, location.href).href;
  const link = $('upload-link');
  link.href = uploadUrl;
  link.textContent = uploadUrl;
  drawFingerprint($('fingerprint'), uploadUrl);
  $('session').textContent = session.id;

  const client = new SSEClient(`/api/uploads/${encodeURIComponent(session.id)}/events`, {
    json: true,
    // The native EventSource transport (no headers needed) resumes through
    // the URL: a reconnect asks for `?lastEventId=N`, so an image that was
    // already shown is not sent again.
    lastEventIdParam: 'lastEventId',
  });
  const connection = showConnection(client, $('status'), $('history'));
  let count = 0;

  // A named event: only `uploaded` events reach this handler.
  client.subscribe('uploaded', ({ n, url, type, bytes, name }) => {
    const figure = el('figure', { 'data-n': String(n) });
    const img = el('img', { src: url, alt: name || `upload ${n}` });
    const caption = el('figcaption', {}, `#${n} ${name || '(no name)'}, ${type}, ${bytes} bytes`);
    figure.append(img, caption);
    $('gallery').prepend(figure);
    count += 1;
    $('count').textContent = String(count);
  });
  $('transport').textContent = client.transport;

  const drop = $('drop');
  drop.disabled = false;
  drop.addEventListener('click', async () => {
    try {
      const { dropped } = await postJson(`/api/uploads/${encodeURIComponent(session.id)}/drop`);
      connection.note(droppedNote(dropped));
    } catch (error) {
      connection.note(`drop failed: ${error.message}`);
    }
  });
}

main();
