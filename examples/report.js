// Scenario 2: start a long job, show its progress as it happens, then the
// download link (or the failure).

import { SSEClient } from '/js/index.js';
import { $, droppedNote, postJson, showConnection } from '/common.js';

let reportId = '';
/** @type {SSEClient | null} */
let client = null;
let connection = { refresh() {}, note(_text) {} };

/** @param {boolean} fail ask the demo server for a generation that fails */
async function generate(fail) {
  client?.close();
  $('progress').value = 0;
  $('percent').textContent = '0 %';
  $('stage').textContent = '-';
  $('result').hidden = true;
  $('problem').textContent = '';
  $('history').replaceChildren();

  let created;
  try {
    created = await postJson(fail ? '/api/reports?fail=true' : '/api/reports');
  } catch (error) {
    $('problem').textContent = `Could not start the report: ${error.message}`;
    return;
  }
  reportId = created.id;
  $('report').textContent = reportId;
  $('drop').disabled = false;

  const report = new SSEClient(created.events, {
    // Every event's data is parsed, so handlers get objects. (A payload that
    // is not JSON is reported on `error` with kind `json`; the stream goes on.)
    json: true,
    // No headers needed, so the client uses the browser's EventSource. When
    // the client reconnects it opens a new EventSource, which cannot send a
    // Last-Event-ID header: the id goes in the URL instead, as
    // `?lastEventId=N`, which the demo server accepts like the header.
    lastEventIdParam: 'lastEventId',
  });
  client = report;
  connection = showConnection(report, $('status'), $('history'));
  const finish = () => {
    report.close(); // the job is over; nothing more will come
    connection.refresh();
    $('drop').disabled = true;
  };

  report.subscribe('progress', ({ percent, stage }) => {
    $('progress').value = percent;
    $('percent').textContent = `${percent} %`;
    $('stage').textContent = stage;
    $('last-id').textContent = report.lastEventId;
  });
  report.subscribe('done', ({ url, filename, bytes }) => {
    const link = $('download');
    link.href = url; // a path on this server, from our own API
    link.download = filename;
    link.textContent = `${filename} (${bytes} bytes)`;
    $('result').hidden = false;
    $('last-id').textContent = report.lastEventId;
    finish();
  });
  report.subscribe('failed', ({ message, percent }) => {
    $('problem').textContent = `The report failed at ${percent} %: ${message}`;
    finish();
  });
  $('transport').textContent = report.transport;
}

/** Asks the server to cut this report's live connections. */
async function drop() {
  if (!reportId) return;
  try {
    const { dropped } = await postJson(`/api/reports/${encodeURIComponent(reportId)}/drop`);
    connection.note(droppedNote(dropped));
  } catch (error) {
    $('problem').textContent = `Drop failed: ${error.message}`;
  }
}

$('generate').addEventListener('click', () => generate(false));
$('generate-failing').addEventListener('click', () => generate(true));
$('drop').addEventListener('click', drop);
