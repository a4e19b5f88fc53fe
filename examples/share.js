// Scenario 4: every tab follows the server's ticker through ONE connection
// (`share: true`); the page shows this tab's role, the server's count of
// open connections and its own count of tabs, and checks that no tick is
// lost or repeated when the leader tab goes away.

import { SSEClient } from '/js/index.js';
import { $, IdTally, appendEvent, droppedNote, postJson, showConnection } from '/common.js';

/** Ticks kept on the page; older ones are removed (the counters keep counting). */
const MAX_SHOWN = 300;

// What the page has shown, to check the hand-over: the id of the last tick,
// and how many ids were skipped or seen twice. The first tick a tab sees
// has no predecessor here: not a gap.
const tally = new IdTally({ joinsMidway: true });
/** Open connections to the ticker, as the server counts them (null: not known). */
let serverOpen = null;
let role = undefined;

const tabs = countTabs(renderHeadline);

// The server's count of ticker connections, pushed whenever it changes. A
// second shared client (another URL, so another shared connection): the
// counter too costs one connection for all the tabs, not one per tab. A tab
// that joins a shared connection gets only the events sent after it joined,
// so the server repeats the count every second: a state stream must, to be
// shared.
//
// `renderHeadline` reads `counter.status`, which also keeps the client
// referenced: a client that is garbage-collected closes, and a module
// variable no function uses may be collected once the module has run.
const counter = new SSEClient('/api/ticker/connections', { share: true, json: true });
counter.subscribe('connections', ({ open }) => {
  serverOpen = open;
  renderHeadline();
});
counter.on('statechange', renderHeadline);

// The ticker. `share: true` keys the sharing by URL (+ method and body):
// every tab of this origin that opens the same URL with `share: true` joins
// the same connection. Nothing else changes for the page: same handlers,
// same callbacks, same `status` and `lastEventId` in every tab.
const client = new SSEClient('/api/ticker/events', { share: true });
const connection = showConnection(client, $('status'), $('history'));
client.subscribe('message', onTick);
client.on('statechange', render);
// The server no longer had the ticks after this tab's last id (a leader
// gone for longer than the server keeps ticks): it says so, then goes on
// with the oldest tick it has.
client.subscribe('gap', (text) => {
  const { lastEventId, resumesAt } = JSON.parse(text);
  connection.note(`the server no longer had the ticks after ${lastEventId}: some were lost; resuming at ${resumesAt}`);
});

// The role can change without any event in this tab (another tab closed,
// this one took the lock), so it is read a few times a second.
setInterval(render, 250);
render();

$('close').addEventListener('click', () => {
  client.close();
  connection.refresh();
  connection.note("closed this tab's client: if it led, another tab takes over");
  tabs?.leave();
  $('close').disabled = true;
  render();
});

$('drop').addEventListener('click', async () => {
  try {
    const { dropped } = await postJson('/api/ticker/drop');
    connection.note(droppedNote(dropped));
  } catch (error) {
    connection.note(`drop failed: ${error.message}`);
  }
});

/**
 * One tick. `event.lastEventId` is its `id:`; comparing it with the previous
 * one shows whether a hand-over repeated anything, and the tick's number
 * (`tick 42 at ...`) whether it skipped anything.
 * @param {string} text
 * @param {import('/js/index.js').SSEEvent} event
 */
function onTick(text, event) {
  const n = Number(/^tick (\d+) /.exec(text)?.[1]);
  if (tally.see(event.lastEventId, n)) appendEvent($('events'), event.lastEventId, text, MAX_SHOWN, String(n));
  render();
}

/** Everything but the history, from the client's state and the counters. */
function render() {
  // `shareRole`: 'leader' | 'follower' | null (not sharing: idle, closed,
  // not joined yet, or on its own connection).
  const now = client.shareRole;
  if (now !== role) {
    if (now === 'leader') connection.note('this tab is the leader: it runs the connection');
    if (now === 'follower') connection.note("this tab is a follower: events come from the leader's connection");
    role = now;
  }
  const badge = $('role');
  badge.dataset.role = String(now);
  badge.textContent = now ?? '-';
  $('transport').textContent = client.transport;
  tally.show();
  renderHeadline();
}

/** "1 connection for 3 tabs". */
function renderHeadline() {
  // A count from a connection that is no longer open may be stale.
  if (counter.status !== 'open') serverOpen = null;
  const tabCount = tabs?.count() ?? null;
  const plural = (n, word) => `${n ?? '…'} ${word}${n === 1 ? '' : 's'}`;
  $('headline').textContent = `${plural(serverOpen, 'connection')} for ${plural(tabCount, 'tab')}`;
  $('connections').textContent = serverOpen === null ? '?' : String(serverOpen);
  $('tabs').textContent = tabCount === null ? '?' : String(tabCount);
}

/**
 * Counts the tabs showing this page with a live client, over a
 * BroadcastChannel of its own ('sse-wasm-demo-tabs'; unrelated to the one
 * sse-wasm uses): a tab says `hello` when it opens and `bye` when it goes
 * or closes its client, and `ping`s every second; every tab answers
 * `hello` and `ping` with `here`. A tab not heard from for 3.5 s (crashed,
 * frozen, closed without `pagehide`) drops out. Answers come from the
 * message handler, which background tabs run at once, while their timers
 * may be throttled: the ping of any foreground tab keeps them all counted.
 *
 * Returns `{ count(), leave() }`, or null without BroadcastChannel.
 * @param {() => void} onChange called when the count changes
 */
function countTabs(onChange) {
  if (typeof BroadcastChannel !== 'function') return null;
  const PING_MS = 1000;
  const GONE_MS = 3500;
  const me = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : String(Math.random()).slice(2);
  const channel = new BroadcastChannel('sse-wasm-demo-tabs');
  /** Other tabs: id -> when last heard from (Date.now()). */
  const peers = new Map();
  let active = true;
  let shown = -1;

  const send = (type) => channel.postMessage({ type, id: me });
  const count = () => peers.size + (active ? 1 : 0);
  const changed = () => {
    if (count() !== shown) {
      shown = count();
      onChange();
    }
  };

  channel.onmessage = ({ data }) => {
    if (data === null || typeof data !== 'object' || typeof data.id !== 'string' || data.id === me) return;
    if (data.type === 'bye') {
      peers.delete(data.id);
    } else {
      peers.set(data.id, Date.now());
      if (active && (data.type === 'hello' || data.type === 'ping')) send('here');
    }
    changed();
  };
  setInterval(() => {
    const cutoff = Date.now() - GONE_MS;
    for (const [id, seen] of peers) if (seen < cutoff) peers.delete(id);
    if (active) send('ping');
    changed();
  }, PING_MS);
  addEventListener('pagehide', () => active && send('bye'));
  // Back from the back/forward cache: say hello again.
  addEventListener('pageshow', (event) => event.persisted && active && send('hello'));
  send('hello');

  return {
    count,
    leave() {
      if (!active) return;
      active = false;
      send('bye');
      changed();
    },
  };
}
