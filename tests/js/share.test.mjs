// Cross-tab sharing (`share` option), in the packed package built into
// tests/js/app: contexts of one origin whose clients have the same key
// share ONE connection, a leader elected with Web Locks relaying to the
// others over a BroadcastChannel, and when the leader goes another takes
// over, resuming with Last-Event-ID, so that every context receives every
// event exactly once.
//
// The host page (share.html) adds and removes members, each an iframe or a
// dedicated worker with a client of its own that records every event,
// callback, role change, warning and connection (share-core.js). One page
// with iframes or workers works alike in every engine (in WebKit each
// context is a separate MiniBrowser, which cannot share). The engines:
// SSE_SHARE_BROWSERS (default chromium,firefox,webkit); Chromium also runs
// the check with real tabs (three pages of one context).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { SERVER, WORK, launchBrowser, serveStatic, stats, uniqueTag, waitFor, waitForStats } from './helpers.mjs';

/** The engines this file knows how to launch (tests/demo/helpers.mjs). */
const KNOWN_ENGINES = ['chromium', 'firefox', 'webkit'];
const ENGINES = (process.env.SSE_SHARE_BROWSERS || KNOWN_ENGINES.join(','))
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean);
for (const engine of ENGINES) {
  if (!KNOWN_ENGINES.includes(engine)) {
    throw new Error(`SSE_SHARE_BROWSERS: unknown engine ${engine} (known: ${KNOWN_ENGINES.join(', ')})`);
  }
}

/** Hand-overs in a row in the hand-over test, and the stream's pace there (100 events/s). */
const HANDOVERS = 20;
const INTERVAL_MS = 10;
/** A stream that outlasts any test: it is cut by the client, never by its end. */
const ENDLESS = 100000;

/** The prefix of the warning a member prints when its options differ from the leader's. */
const MISMATCH_WARNING = 'sse-wasm: share "';

let app;
const browsers = new Map();

before(async () => {
  app = await serveStatic(join(WORK, 'app', 'dist'));
  for (const engine of ENGINES) browsers.set(engine, await launchBrowser(engine));
});

after(async () => {
  for (const browser of browsers.values()) await browser.close();
  await app?.close();
});

/** The numbered stream of the test server: ids from 1, data the index, then held open. */
function eventsUrl(tag, { count = ENDLESS, intervalMs = INTERVAL_MS, extra = '' } = {}) {
  return `${SERVER}/events?tag=${encodeURIComponent(tag)}&count=${count}&interval_ms=${intervalMs}&id_start=1&hold=1${extra}`;
}

/** A share key no other test uses (keys are per origin, and the page is reused). */
const uniqueKey = (name) => `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * The host page, freshly loaded (so no member of an earlier test is left),
 * and its `window.share` as functions (see tests/js/app/src/share.js).
 */
async function openHost(page) {
  await page.goto(`${app.origin}/share.html?${new URLSearchParams({ server: SERVER })}`);
  await page.waitForFunction(() => window.shareReady === true);
  const host = {
    /** Adds a member; resolves to its id once it is subscribed (or has failed to start). */
    add: (config, kind = 'iframe') => page.evaluate(([c, k]) => window.share.add(c, k), [config, kind]),
    /** Removes a member as a closed tab goes; resolves to the page's Date.now() at removal. */
    remove: (id) => page.evaluate((i) => window.share.remove(i), id),
    /** A command in one member: summary, snapshot, subscribe, unsubscribe, close. */
    call: (id, op) => page.evaluate(([i, o]) => window.share.call(i, o), [id, op]),
    /** A command in every member: `{ id: result }`. */
    all: (op = 'summary') => page.evaluate((o) => window.share.all(o), op),
    /** Adds `n` members with `config`, checks that each started, returns their ids. */
    async addMany(n, config, kind = 'iframe') {
      const ids = [];
      for (let i = 0; i < n; i++) {
        const id = await host.add(config, kind);
        const summary = await host.call(id, 'summary');
        assert.equal(summary.startError, null, `member ${id} failed to start: ${JSON.stringify(summary.startError)}`);
        ids.push(id);
      }
      return ids;
    },
    /** Waits until every member (or those in `ids`) satisfies `ok(summary)`; returns the summaries. */
    until: (what, ok, ids, timeoutMs) =>
      waitFor(
        what,
        () => host.all('summary'),
        (all) => Object.entries(all).every(([id, summary]) => (ids && !ids.includes(Number(id))) || ok(summary)),
        timeoutMs,
      ),
  };
  return host;
}

/** The ids of a member's events, as numbers. */
const eventIds = (snapshot) => snapshot.events.map((event) => Number(event.id));

/**
 * Every event exactly once and in order: ids contiguous from the first one
 * (from `first` if given), each event's data matching its id, none dropped
 * or repeated, up to `last` if given.
 */
function assertEveryEventOnce(snapshot, what, { first, last } = {}) {
  const ids = eventIds(snapshot);
  assert.ok(ids.length > 0, `${what} received no event`);
  if (first !== undefined) assert.equal(ids[0], first, `${what}: first event id`);
  for (let i = 1; i < ids.length; i++) {
    if (ids[i] !== ids[i - 1] + 1) {
      assert.fail(`${what}: event id ${ids[i]} after ${ids[i - 1]} (${ids[i] <= ids[i - 1] ? 'duplicate or out of order' : 'gap'}); ids around it: ${ids.slice(Math.max(0, i - 5), i + 5)}`);
    }
  }
  for (const event of snapshot.events) {
    assert.equal(event.type, 'message', `${what}: event type`);
    assert.equal(Number(event.data), Number(event.id) - 1, `${what}: data of event ${event.id}`);
  }
  if (last !== undefined) assert.equal(ids.at(-1), last, `${what}: last event id`);
}

/** No warning and no script error in a member. */
function assertQuiet(snapshot, what) {
  assert.deepEqual(snapshot.errors, [], `${what}: errors`);
  assert.deepEqual(snapshot.warnings, [], `${what}: warnings`);
}

/** The members' roles: `{ leader: [ids], follower: [ids], ... }`. */
function roles(summaries) {
  const byRole = {};
  for (const [id, { role }] of Object.entries(summaries)) (byRole[role] ??= []).push(Number(id));
  return byRole;
}

/** The one leader among `summaries`, checked to be alone, the others followers. */
function theLeader(summaries) {
  const byRole = roles(summaries);
  assert.equal(byRole.leader?.length, 1, `exactly one leader; roles: ${JSON.stringify(byRole)}`);
  assert.equal(byRole.follower?.length ?? 0, Object.keys(summaries).length - 1, `the others follow; roles: ${JSON.stringify(byRole)}`);
  return byRole.leader[0];
}

/** The connections the members of `snapshots` (an array) opened to the stream tagged `tag`, from their records. */
function fetchesOf(snapshots, tag) {
  return snapshots
    .flatMap((snapshot) => snapshot.fetches)
    .filter((entry) => new URL(entry.url).searchParams.get('tag') === tag);
}

/** min/median/max of `values`, for the report. */
function spread(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return { min: sorted[0], median, max: sorted.at(-1), n: sorted.length };
}

/** Lets a few stream intervals pass, then checks that the server's counts for `tag` did not move from `expected`. */
async function assertStatsStay(tag, expected, ms = 300) {
  await delay(ms);
  const seen = await stats(tag);
  for (const [key, value] of Object.entries(expected)) assert.equal(seen[key], value, `stats ${key} for ${tag}`);
  return seen;
}

/** Members with `config` in `kind`, subscribed in one task of the host (so all of them join before the first event). */
async function startTogether(host, n, config, kind = 'iframe') {
  const ids = await host.addMany(n, { ...config, deferSubscribe: true }, kind);
  await host.all('subscribe');
  return ids;
}

for (const engine of ENGINES) {
  describe(`${engine}: cross-tab sharing (share option)`, () => {
    let context;
    let page;
    before(async () => {
      context = await browsers.get(engine).newContext();
      page = await context.newPage();
      page.setDefaultTimeout(20000);
    });
    after(async () => {
      await context?.close();
    });

    for (const kind of ['iframe', 'worker']) {
      test(`three ${kind} members share one connection and receive every event in order`, async () => {
        const host = await openHost(page);
        const tag = uniqueTag(`share-three-${kind}`);
        const count = 50;
        const ids = await startTogether(host, 3, { url: eventsUrl(tag, { count }), share: true }, kind);
        await host.until(`every ${kind} member to receive ${count} events`, (s) => s.count >= count);
        const seen = await waitForStats(tag, { open: 1 });
        assert.equal(seen.requests, 1, 'one request to the server');
        const snapshots = await host.all('snapshot');
        theLeader(snapshots);
        for (const id of ids) {
          assertEveryEventOnce(snapshots[id], `member ${id}`, { first: 1, last: count });
          assertQuiet(snapshots[id], `member ${id}`);
          assert.equal(snapshots[id].status, 'open', `member ${id} status`);
          assert.equal(snapshots[id].lastEventId, String(count), `member ${id} lastEventId`);
        }
        assert.equal(fetchesOf(Object.values(snapshots), tag).length, 1, 'one fetch among all members');
        if (kind === 'worker') {
          // A terminated worker hands over as a removed iframe does.
          const leader = theLeader(snapshots);
          await host.remove(leader);
          await waitForStats(tag, { requests: 2, open: 1 });
          const { records } = await assertStatsStay(tag, { requests: 2, open: 1 });
          assert.equal(records[1].headers['last-event-id'], String(count), 'the new leader resumed after the last event');
          const after = await host.all('snapshot');
          theLeader(after);
          for (const [id, snapshot] of Object.entries(after)) assertEveryEventOnce(snapshot, `member ${id}`, { first: 1, last: count });
        }
      });
    }

    test(`removing the leader hands over (${HANDOVERS} times, 100 events/s)`, async (t) => {
      const host = await openHost(page);
      const tag = uniqueTag('share-handover');
      const config = { url: eventsUrl(tag), share: true };
      await startTogether(host, 3, config);
      await host.until('every member to receive 5 events', (s) => s.count >= 5);
      await waitForStats(tag, { requests: 1, open: 1 });

      // Each hand-over, in ms after the leader's removal: when a member took
      // the lead (its shareRole, sampled every 5 ms), sent its request, had
      // the stream open (the response arrived), and received its first event.
      const times = { elected: [], requested: [], open: [], firstEvent: [] };
      for (let round = 1; round <= HANDOVERS; round++) {
        const summaries = await host.all('summary');
        const leader = theLeader(summaries);
        // What the leader received up to its removal: every event once.
        const gone = await host.call(leader, 'snapshot');
        assertEveryEventOnce(gone, `round ${round}: leader ${leader} before removal`, { first: leader <= 3 ? 1 : undefined });
        assertQuiet(gone, `round ${round}: leader ${leader}`);
        const removedAt = await host.remove(leader);
        const lastBefore = Math.max(...Object.values(summaries).map((s) => Number(s.lastId)));
        // The stream goes on: a new leader, and every member past where the
        // old one was. Both, as events alone may still come from the old
        // leader for a moment (WebKit tears a removed frame down lazily).
        const after = await waitFor(
          `round ${round}: a new leader and events after id ${lastBefore + 5} in every member`,
          () => host.all('summary'),
          (all) => {
            const members = Object.values(all);
            const leaders = members.filter((s) => s.role === 'leader').length;
            return leaders === 1 && members.every((s) => Number(s.lastId) > lastBefore + 5);
          },
        );
        const next = theLeader(after);
        const seen = await waitForStats(tag, { requests: round + 1, open: 1 });
        const record = seen.records.at(-1);
        assert.match(record.headers['last-event-id'] ?? '', /^\d+$/, `round ${round}: the new request resumes with Last-Event-ID`);

        const snapshot = await host.call(next, 'snapshot');
        const fetch = fetchesOf([snapshot], tag).findLast((entry) => entry.startedAt >= removedAt);
        assert.ok(fetch, `round ${round}: the new leader ${next} opened the connection`);
        assert.equal(fetch.lastEventId, record.headers['last-event-id'], `round ${round}: the server saw the new leader's request`);
        times.requested.push(fetch.startedAt - removedAt);
        times.open.push(fetch.openedAt - removedAt);
        const firstAfter = snapshot.events.find((event) => event.at >= fetch.openedAt);
        assert.ok(firstAfter, `round ${round}: the new leader received events from its connection`);
        times.firstEvent.push(firstAfter.at - removedAt);
        const elected = snapshot.roles.find((entry) => entry.role === 'leader' && entry.at >= removedAt);
        if (elected) times.elected.push(elected.at - removedAt);

        // A fresh member, so that two or three are always there. Its role is
        // null until the module has loaded and it has joined.
        const [fresh] = await host.addMany(1, config);
        await host.until(`round ${round}: the fresh member ${fresh} to follow`, (s) => s.role === 'follower' && s.count > 0, [fresh]);
      }

      await host.until('every member to receive 10 more events', (s) => s.count >= 10);
      const snapshots = await host.all('snapshot');
      theLeader(snapshots);
      for (const [id, snapshot] of Object.entries(snapshots)) {
        assertEveryEventOnce(snapshot, `member ${id} at the end`, { first: Number(id) <= 3 ? 1 : undefined });
        assertQuiet(snapshot, `member ${id}`);
      }
      const { records } = await assertStatsStay(tag, { requests: HANDOVERS + 1, open: 1 });
      assert.ok(records.slice(1).every((r) => /^\d+$/.test(r.headers['last-event-id'] ?? '')), 'every hand-over resumed with Last-Event-ID');

      const report = Object.fromEntries(Object.entries(times).map(([name, values]) => [name, spread(values)]));
      const line = `${engine}: hand-over in ms after the leader's removal (${HANDOVERS} rounds): ` +
        Object.entries(report).map(([name, { min, median, max, n }]) => `${name} min ${min} median ${median} max ${max} (n ${n})`).join('; ');
      t.diagnostic(line);
    });

    test('a hand-over right after some events reached only one follower: every member still gets each event once', async () => {
      const host = await openHost(page);
      const tag = uniqueTag('share-partial');
      await startTogether(host, 3, { url: eventsUrl(tag), share: true, deafenable: true });
      await host.until('every member to receive 20 events', (s) => s.count >= 20);
      const leader = theLeader(await host.all('summary'));
      const [behind, ahead] = Object.keys(await host.all('summary')).map(Number).filter((id) => id !== leader);
      // `behind` misses the leader's last events (about 20 at 100 events/s);
      // `ahead` has them. Whichever of the two leads next, one of them must
      // not lose them and the other must not see them twice.
      await host.call(behind, 'deafen');
      await host.until('the other follower to receive 15 more events', (s) => s.count >= 35, [ahead]);
      const { lastId: behindAt } = await host.call(behind, 'summary');
      // In one task of the host: the old leader is gone before `behind` hears
      // again (an event it relayed just before stays unheard: see
      // deafenableChannels in app/src/share-core.js), and the new leader's
      // first event comes after.
      await page.evaluate(([gone, deaf]) => {
        window.share.remove(gone);
        return window.share.call(deaf, 'hear');
      }, [leader, behind]);
      const { records } = await waitForStats(tag, { requests: 2, open: 1 });
      const { lastId: aheadAt } = await host.call(ahead, 'summary');
      await host.until('both to receive 30 events after the hand-over', (s) => Number(s.lastId) >= Number(aheadAt) + 30, [behind, ahead]);
      const snapshots = await host.all('snapshot');
      for (const id of [behind, ahead]) {
        assertEveryEventOnce(snapshots[id], `member ${id}`, { first: 1 });
        assertQuiet(snapshots[id], `member ${id}`);
      }
      assert.ok(Number(aheadAt) > Number(behindAt), `the other follower was ahead (${aheadAt} > ${behindAt})`);
      assert.equal(records[1].headers['last-event-id'], behindAt, 'the new leader resumed after the earliest last event of its members');
    });

    test('unsubscribing in a follower leaves the others alone; closing every member closes the connection', async () => {
      const host = await openHost(page);
      const tag = uniqueTag('share-unsubscribe');
      await startTogether(host, 3, { url: eventsUrl(tag), share: true });
      await host.until('every member to receive 5 events', (s) => s.count >= 5);
      const summaries = await host.all('summary');
      const leader = theLeader(summaries);
      const [quitter, stayer] = Object.keys(summaries).map(Number).filter((id) => id !== leader);

      const { count: countAtUnsubscribe } = await host.call(quitter, 'unsubscribe');
      const lastAtUnsubscribe = Math.max(...Object.values(await host.all('summary')).map((s) => Number(s.lastId)));
      await host.until('the others to receive 30 more events', (s) => Number(s.lastId) >= lastAtUnsubscribe + 30, [leader, stayer]);
      const quitterNow = await host.call(quitter, 'snapshot');
      assert.equal(quitterNow.events.length, countAtUnsubscribe, 'no event after unsubscribe');
      assertEveryEventOnce(quitterNow, 'the member that unsubscribed', { first: 1 });
      await assertStatsStay(tag, { requests: 1, open: 1 }, 0);

      await host.call(stayer, 'close');
      await host.until('the leader to receive 10 more events', (s) => Number(s.lastId) >= lastAtUnsubscribe + 40, [leader]);
      await assertStatsStay(tag, { requests: 1, open: 1 }, 0);
      await host.call(leader, 'close');
      await waitForStats(tag, { open: 0 });
      // Nobody takes over: the only client left has no handler.
      await assertStatsStay(tag, { requests: 1, open: 0 }, 500);
      const snapshots = await host.all('snapshot');
      for (const id of [leader, stayer]) {
        assertEveryEventOnce(snapshots[id], `member ${id}`, { first: 1 });
        assertQuiet(snapshots[id], `member ${id}`);
        assert.equal(snapshots[id].status, 'closed', `member ${id} status after close()`);
      }
      assertQuiet(snapshots[quitter], `member ${quitter}`);
    });

    test('the React hooks share too: <SSEProvider options={{ share }}> in two members and a client in a third, one connection', async () => {
      const host = await openHost(page);
      const tag = uniqueTag('share-react');
      const share = uniqueKey('react');
      const count = 40;
      const url = eventsUrl(tag, { count, intervalMs: 25 });
      const ids = [
        await host.add({ url, share, react: true }),
        await host.add({ url, share, react: true }),
        await host.add({ url, share }),
      ];
      await host.until(`every member to receive event ${count}`, (s) => s.lastId === String(count));
      const seen = await waitForStats(tag, { open: 1 });
      assert.equal(seen.requests, 1, 'one request for the hooks of two members and the client of a third');
      const snapshots = await host.all('snapshot');
      for (const id of ids) {
        assertEveryEventOnce(snapshots[id], `member ${id}`, { last: count });
        assertQuiet(snapshots[id], `member ${id}`);
      }
      assert.equal(fetchesOf(Object.values(snapshots), tag).length, 1, 'one fetch among all members');
    });

    for (const differs of ['url', 'method']) {
      test(`a different ${differs} under the same key gets its own connection, with a warning`, async () => {
        const host = await openHost(page);
        const tag = uniqueTag(`share-mismatch-${differs}`);
        const key = uniqueKey('mismatch');
        const count = 20;
        const first = await host.add({ url: eventsUrl(tag, { count, extra: '&v=1' }), share: key });
        await host.until('the first member to receive its events', (s) => s.count >= count, [first]);
        const second = await host.add(
          differs === 'url'
            ? { url: eventsUrl(tag, { count, extra: '&v=2' }), share: key }
            : { url: eventsUrl(tag, { count, extra: '&v=1' }), share: key, method: 'POST' },
        );
        await host.until('both members to receive their events', (s) => s.count >= count);
        await waitForStats(tag, { requests: 2, open: 2 });
        const snapshots = await host.all('snapshot');
        for (const id of [first, second]) {
          assertEveryEventOnce(snapshots[id], `member ${id}`, { first: 1, last: count });
          assert.deepEqual(snapshots[id].errors, [], `member ${id}: errors`);
        }
        assert.equal(fetchesOf([snapshots[second]], tag).length, 1, 'the second member opened its own connection');
        assert.deepEqual(snapshots[first].warnings, [], 'the first member does not warn');
        const warnings = snapshots[second].warnings;
        assert.equal(warnings.length, 1, `one warning: ${JSON.stringify(warnings)}`);
        assert.ok(warnings[0].startsWith(`${MISMATCH_WARNING}${key}":`), `the warning names the key: ${warnings[0]}`);
        assert.match(warnings[0], new RegExp(differs, 'i'), 'the warning names the option that differs');
        assert.equal(snapshots[second].role, null, 'the second member does not share');
        if (differs === 'method') {
          assert.deepEqual((await stats(tag)).records.map((r) => r.method).sort(), ['GET', 'POST']);
        }
      });
    }

    test('without Web Locks a member opens its own connection, silently, and works', async () => {
      const host = await openHost(page);
      const tag = uniqueTag('share-nolocks');
      const count = 20;
      const url = eventsUrl(tag, { count });
      const sharing = await host.add({ url, share: true });
      await host.until('the sharing member to receive its events', (s) => s.count >= count, [sharing]);
      const lockless = await host.add({ url, share: true, noLocks: true });
      await host.until('both members to receive their events', (s) => s.count >= count);
      await waitForStats(tag, { requests: 2, open: 2 });
      const snapshots = await host.all('snapshot');
      for (const id of [sharing, lockless]) {
        assertEveryEventOnce(snapshots[id], `member ${id}`, { first: 1, last: count });
        assertQuiet(snapshots[id], `member ${id}`);
      }
      assert.equal(snapshots[lockless].role, null, 'the member without Web Locks does not share');
      assert.equal(snapshots[lockless].status, 'open');
      assert.equal(fetchesOf([snapshots[lockless]], tag).length, 1, 'it opened its own connection');
    });

    if (engine === 'chromium') {
      test('real tabs: three pages of one context share one connection; closing the leader hands over', async () => {
        const tag = uniqueTag('share-tabs');
        const config = { url: eventsUrl(tag), share: true };
        const tabs = [];
        for (let i = 1; i <= 3; i++) {
          const tab = await context.newPage();
          await tab.goto(`${app.origin}/share-member.html?${new URLSearchParams({ config: JSON.stringify({ ...config, name: `tab ${i}` }) })}`);
          await tab.waitForFunction(() => window.shareMember !== undefined);
          tabs.push(tab);
        }
        const call = (tab, op) => tab.evaluate((o) => window.shareMember.handle(o), op);
        const summaries = async (list) => Promise.all(list.map((tab) => call(tab, 'summary')));
        try {
          await waitFor('every tab to receive 5 events', () => summaries(tabs), (all) => all.every((s) => s.count >= 5));
          await assertStatsStay(tag, { requests: 1, open: 1 }, 0);
          const before = await summaries(tabs);
          const leaders = before.filter((s) => s.role === 'leader');
          assert.equal(leaders.length, 1, `one leader tab: ${JSON.stringify(before.map((s) => s.role))}`);
          const leaderTab = tabs[before.indexOf(leaders[0])];
          const lastBefore = Math.max(...before.map((s) => Number(s.lastId)));
          await leaderTab.close();
          const rest = tabs.filter((tab) => tab !== leaderTab);
          await waitFor(
            'a new leader, and the remaining tabs past the old leader',
            () => summaries(rest),
            (all) => all.every((s) => Number(s.lastId) > lastBefore + 10) && all.filter((s) => s.role === 'leader').length === 1,
          );
          const seen = await waitForStats(tag, { requests: 2, open: 1 });
          assert.match(seen.records[1].headers['last-event-id'] ?? '', /^\d+$/, 'the new leader resumed with Last-Event-ID');
          for (const [i, tab] of rest.entries()) {
            const snapshot = await call(tab, 'snapshot');
            assertEveryEventOnce(snapshot, `remaining tab ${i}`);
            assertQuiet(snapshot, `remaining tab ${i}`);
          }
        } finally {
          for (const tab of tabs) await tab.close().catch(() => {});
        }
      });
    }
  });
}
