// Helpers shared by the example pages: the connection status display and
// a few DOM shortcuts. Everything that came from the server is written with
// textContent (never innerHTML), so a log line or a file name that looks
// like HTML stays text.

/**
 * Creates an element with optional attributes and text.
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {string} [text] set with textContent
 */
export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** `document.getElementById`, throwing if the page lacks the element. */
export function $(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node;
}

/**
 * Orders two SSE ids of the demo server: `n` with the memory store, a Redis
 * Stream entry id `<ms>-<seq>` with the Redis store. Negative, 0 or
 * positive, like a sort comparator.
 * @param {string} a
 * @param {string} b
 */
export function compareIds(a, b) {
  const [msA, seqA = 0n] = a.split('-').map(BigInt);
  const [msB, seqB = 0n] = b.split('-').map(BigInt);
  if (msA !== msB) return msA < msB ? -1 : 1;
  return seqA === seqB ? 0 : seqA < seqB ? -1 : 1;
}

/**
 * Checks a stream's events as they arrive: how many arrived, how many were
 * skipped (`gaps`) and how many came again (`dups`), which is how the pages
 * show that a resume or a hand-over lost or repeated nothing.
 *
 * Duplicates are told by the ids, which only ever grow. Gaps are told by
 * each event's number in its sequence (a log line's or a tick's): with the
 * memory store that number is the id, but Redis Stream ids (`<ms>-<seq>`)
 * grow with the clock, not by one.
 */
export class IdTally {
  /**
   * @param {{ joinsMidway?: boolean }} [options] `joinsMidway`: the first
   *   event seen may follow others this page never had (a tab joining a live
   *   ticker), so it is not a gap; otherwise numbers start at 1.
   */
  constructor({ joinsMidway = false } = {}) {
    this.joinsMidway = joinsMidway;
    this.reset();
  }

  reset() {
    /** The last id seen ('': none yet). */
    this.last = '';
    this.lastNumber = 0;
    this.count = 0;
    this.gaps = 0;
    this.dups = 0;
  }

  /**
   * Counts the event with id `id` and number `n` (by default the id, when
   * it is a number); false when it was seen already (a duplicate).
   * @param {string} id
   * @param {number} [n]
   */
  see(id, n = Number(id)) {
    if (this.last !== '' && compareIds(id, this.last) <= 0) {
      this.dups += 1;
      return false;
    }
    const first = this.last === '';
    if (Number.isSafeInteger(n)) {
      const expected = first && this.joinsMidway ? n : this.lastNumber + 1;
      if (n > expected) this.gaps += n - expected;
      this.lastNumber = n;
    }
    this.last = id;
    this.count += 1;
    return true;
  }

  /** Writes the counters into the elements `count`, `gaps`, `dups` and `last-id`. */
  show() {
    $('count').textContent = String(this.count);
    $('gaps').textContent = String(this.gaps);
    $('dups').textContent = String(this.dups);
    $('last-id').textContent = this.last || '-';
  }
}

/**
 * What a page says after `POST .../drop`: the memory store counts the
 * connections it cut; the Redis store cuts them on every instance and
 * cannot count the others' (`dropped: null`).
 * @param {number | null} dropped
 */
export function droppedNote(dropped) {
  return dropped === null
    ? 'the server cut the connections (on every instance)'
    : `the server dropped ${dropped} connection(s)`;
}

/**
 * Appends an event, its id and text, to the list `list`, keeping at most
 * `max` items; follows the bottom if the reader was there. The item shows
 * `label` (the event's number), and keeps the id in `data-id`.
 * @param {HTMLOListElement} list
 * @param {string} id
 * @param {string} text
 * @param {number} [max]
 * @param {string} [label]
 */
export function appendEvent(list, id, text, max = Infinity, label = id) {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const item = el('li', { 'data-id': id });
  item.append(el('span', { class: 'n' }, label), el('span', { class: 'text' }, text));
  list.append(item);
  while (list.childElementCount > max) list.firstElementChild.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

/** "12:34:56" for now. */
function clock() {
  return new Date().toLocaleTimeString([], { hour12: false });
}

/**
 * Shows a client's connection status in `badge` (connecting / open /
 * reconnecting in N s / closed), and appends every change, reconnect and
 * error to the list `history`, so what happened during a drop stays
 * visible after the fact.
 *
 * Returns `{ refresh, note }`: call `refresh()` after `client.close()`,
 * which (by design) fires nothing, not even `statechange`; `note(text)`
 * adds a line of your own to the history.
 *
 * @param {import('/js/index.js').SSEClient} client
 * @param {HTMLElement} badge
 * @param {HTMLOListElement} history
 */
export function showConnection(client, badge, history) {
  let reconnectAt = 0; // when the pending reconnect is due (Date.now() ms)
  let ticker = 0;

  const log = (text, kind = 'info') => {
    const item = el('li', { class: kind });
    item.append(el('time', {}, clock()), ' ', el('span', {}, text));
    history.append(item);
    history.scrollTop = history.scrollHeight;
  };

  const render = () => {
    const status = client.status;
    badge.dataset.status = status;
    if (status === 'reconnecting' && reconnectAt > 0) {
      const seconds = Math.max(0, (reconnectAt - Date.now()) / 1000);
      badge.textContent = `reconnecting in ${seconds.toFixed(1)} s`;
    } else {
      badge.textContent = status;
    }
  };

  client.on('statechange', (status) => {
    if (status !== 'reconnecting') {
      reconnectAt = 0;
      clearInterval(ticker);
    }
    if (status !== 'reconnecting') log(status);
    render();
  });

  // Fired when a reconnect is scheduled: `delayMs` is the wait decided by
  // the retry policy (at least the server's `retry:` value), or `null` when
  // the native EventSource reconnects by itself after the browser's delay.
  client.on('reconnecting', ({ attempt, delayMs, error }) => {
    reconnectAt = delayMs === null ? 0 : Date.now() + delayMs;
    const when = delayMs === null ? 'by the browser' : `in ${(delayMs / 1000).toFixed(1)} s`;
    log(`reconnecting ${when} (attempt ${attempt}): ${error.message}`, 'warn');
    clearInterval(ticker);
    ticker = setInterval(render, 100);
    render();
  });

  // Fatal errors (401, a wrong content type, retries exhausted...) and data
  // errors (bad JSON) both land here; `kind` says which.
  client.on('error', (error) => log(`error (${error.kind}): ${error.message}`, 'error'));

  // The client closed itself: after a fatal error or when out of retries.
  client.on('close', () => log('closed by the client (it will not reconnect)', 'error'));

  render();
  return {
    refresh() {
      clearInterval(ticker);
      render();
    },
    note: (text) => log(text, 'note'),
  };
}

/**
 * POSTs to `url` and returns the parsed JSON answer; throws an Error with
 * the server's message on a non-2xx status.
 * @param {string} url
 * @param {RequestInit} [init]
 */
export async function postJson(url, init = {}) {
  const response = await fetch(url, { method: 'POST', ...init });
  const text = await response.text();
  let body = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { error: text };
  }
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}: ${body.error ?? text}`);
  return body;
}
