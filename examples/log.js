// Scenario 1: follow a job's log with a bearer token, and resume after a
// dropped connection without losing or repeating a line.

import { SSEClient } from '/js/index.js';
import { $, IdTally, appendEvent, droppedNote, postJson, showConnection } from '/common.js';

let jobId = '';
/** @type {SSEClient | null} */
let client = null;
let connection = { refresh() {}, note(_text) {} };
// What the page has shown, to check the server's resume: the id of the last
// line, and how many ids were skipped or seen twice.
const tally = new IdTally();

const authHeaders = () => ({ Authorization: `Bearer ${$('token').value.trim()}` });

/** Starts a new job on the server and follows its log. */
async function startJob() {
  stopFollowing();
  tally.reset();
  $('log').replaceChildren();
  $('history').replaceChildren();
  $('finished').hidden = true;
  $('problem').textContent = '';
  tally.show();
  try {
    const { id } = await postJson('/api/activities', { headers: authHeaders() });
    jobId = id;
    $('job').textContent = id;
    follow();
  } catch (error) {
    $('problem').textContent = `Could not start a job: ${error.message}`;
  }
}

/** (Re)connects to the current job's log, resuming after the last line shown. */
function follow() {
  if (!jobId) return;
  client?.close();
  $('problem').textContent = '';
  client = new SSEClient(`/api/activities/${encodeURIComponent(jobId)}/logs?follow=true`, {
    // A function is called before every connection attempt, so a token
    // typed in meanwhile is used by the next reconnect. Headers make the
    // client pick its fetch transport (EventSource cannot send them).
    headers: authHeaders,
    // A new client starts where this page stopped. (Within one client,
    // reconnects send the last id by themselves.)
    lastEventId: tally.last,
  });
  connection = showConnection(client, $('status'), $('history'));
  client.on('error', (error) => {
    if (error.kind === 'unauthorized') $('problem').textContent = 'The server rejected the token (401).';
  });
  client.subscribe('message', onLine);
  client.subscribe('end', (text) => {
    $('finished').textContent = text;
    $('finished').hidden = false;
    // The job is over: close, rather than let the stream's end trigger a
    // reconnect (which would get 204 and stop anyway).
    client?.close();
    connection.refresh();
  });
  $('transport').textContent = client.transport;
}

/**
 * One log line. `event.lastEventId` is the line's `id:`; comparing it with
 * the previous one shows whether the resume repeated anything, and the
 * line's number (`step 12/150: ...`) whether it skipped anything.
 * @param {string} text
 * @param {import('/js/index.js').SSEEvent} event
 */
function onLine(text, event) {
  const n = Number(/ step (\d+)\//.exec(text)?.[1]);
  if (tally.see(event.lastEventId, n)) appendEvent($('log'), event.lastEventId, text, Infinity, String(n));
  tally.show();
}


function stopFollowing() {
  client?.close();
  connection.refresh();
}

/** Asks the server to cut this job's live connections. */
async function drop() {
  if (!jobId) return;
  try {
    const { dropped } = await postJson(`/api/activities/${encodeURIComponent(jobId)}/drop`, {
      headers: authHeaders(),
    });
    connection.note(droppedNote(dropped));
  } catch (error) {
    connection.note(`drop failed: ${error.message}`);
  }
}

$('start').addEventListener('click', startJob);
$('reconnect').addEventListener('click', follow);
$('drop').addEventListener('click', drop);
$('stop').addEventListener('click', stopFollowing);
startJob();
