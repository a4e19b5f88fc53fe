// The demo server at scale, in headless Chromium: two instances keep their
// events in one Redis (REDIS_URL), behind the round-robin balancer of
// examples/cluster.sh, which runs this file (tests/cluster/run.sh).
//
// What a team running several instances needs from the store:
// - an event published through one instance reaches a client of another;
// - when the instance serving a stream dies, the client reconnects through
//   the balancer to the other one with Last-Event-ID and gets every event
//   exactly once (checked against the stream's ids in Redis itself);
// - a Last-Event-ID older than what the stream keeps gets the `gap` event,
//   then the oldest event kept.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { until } from '../webdriver/until.mjs';
import { launchChromium, makePng, newPage } from '../demo/helpers.mjs';

/** An environment variable set by examples/cluster.sh. */
function fromCluster(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this file with tests/cluster/run.sh`);
  return value.replace(/\/$/, '');
}

const BALANCER = fromCluster('CLUSTER_URL');
const INSTANCES = {
  a: { url: fromCluster('CLUSTER_A_URL'), pid: Number(fromCluster('CLUSTER_A_PID')) },
  b: { url: fromCluster('CLUSTER_B_URL'), pid: Number(fromCluster('CLUSTER_B_PID')) },
};
const REDIS_URL = fromCluster('REDIS_URL');
/** The ticker's stream (examples/server/src/ticker.rs: feed `ticker:ticks`). */
const TICKS_KEY = 'sse-demo:ticker:ticks';

/**
 * A Redis command's reply, read with redis-cli: the test's own view of the
 * store, independent of the server under test.
 * @param {...string} args
 */
function redis(...args) {
  return execFileSync('redis-cli', ['-u', REDIS_URL, '--raw', ...args], { encoding: 'utf8' });
}

/**
 * The ids of the events (not the demo's `mark` entries) of stream `key`
 * from `start` to `end` (inclusive, XRANGE syntax), oldest first.
 */
function eventIdsInRedis(key, start = '-', end = '+') {
  // --raw prints each entry as its id, then field and value lines.
  const lines = redis('XRANGE', key, start, end).split('\n');
  const ids = [];
  let current = null;
  for (let i = 0; i < lines.length; i++) {
    if (/^\d+-\d+$/.test(lines[i])) {
      current = lines[i];
      ids.push(current);
    } else if (lines[i] === 'mark' && ids.at(-1) === current) {
      ids.pop(); // a marker entry (created, finished, cut), not an event
      i += 1;
    } else {
      i += 1; // a field's value
    }
  }
  return ids;
}

/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

describe('two instances, one Redis', () => {
  test('a page on instance a gets at once an image uploaded through instance b', async () => {
    const context = await browser.newContext();
    const { page, problems } = await newPage(context, 'chromium');
    await page.goto(`${INSTANCES.a.url}/uploads.html`);
    await page.locator('#status[data-status="open"]').waitFor();
    const link = await page.locator('#upload-link').getAttribute('href');
    const session = new URL(link, INSTANCES.a.url).searchParams.get('session');
    assert.match(session, /^[0-9a-f]{16}$/);

    const upload = await fetch(`${INSTANCES.b.url}/api/uploads/${session}?name=from-b.png`, {
      method: 'POST',
      body: makePng(48, 30, [40, 120, 200]),
      headers: { 'Content-Type': 'image/png' },
    });
    assert.equal(upload.status, 201);
    assert.equal(upload.headers.get('x-sse-demo-instance'), 'b');

    // The event came through a's stream, and a serves the image b stored.
    const figure = page.locator('#gallery figure[data-n="1"]');
    await figure.waitFor();
    assert.match(await figure.locator('figcaption').textContent(), /^#1 from-b\.png, image\/png, \d+ bytes$/);
    await until('the image to load from instance a', () => figure.locator('img').evaluate((img) => img.complete && img.naturalWidth), 20_000);
    assert.deepEqual(await figure.locator('img').evaluate((img) => [img.naturalWidth, img.naturalHeight]), [48, 30]);
    assert.deepEqual(await problems(), []);
    await context.close();
  });

  test('when the instance serving the ticker dies, the page resumes on the other with Last-Event-ID, every tick once', async (t) => {
    const context = await browser.newContext();
    const { page, problems } = await newPage(context, 'chromium');
    /** Every answer to the tick stream: which instance, and the Last-Event-ID asked for. */
    const answers = [];
    page.on('response', async (response) => {
      if (!new URL(response.url()).pathname.startsWith('/api/ticker/events')) return;
      const request = await response.request().allHeaders();
      answers.push({
        at: performance.now(),
        instance: response.headers()['x-sse-demo-instance'],
        status: response.status(),
        lastEventId: request['last-event-id'] ?? null,
      });
    });
    await page.goto(`${BALANCER}/share.html`);
    const count = async () => Number(await page.locator('#count').textContent());
    await until('20 ticks on the page', async () => (await count()) >= 20, 20_000);
    const victim = answers.at(-1)?.instance;
    assert.ok(victim === 'a' || victim === 'b', `the tick stream names its instance: ${JSON.stringify(answers)}`);
    const survivor = victim === 'a' ? 'b' : 'a';

    const killedAt = performance.now();
    process.kill(INSTANCES[victim].pid, 'SIGKILL');
    const atKill = await count();
    // The balancer finds the dead instance refusing and sends the reconnect
    // to the other one; the ticker goes on there (it takes the clock's lease
    // within three ticks if the dead one held it).
    const resumed = await until(
      () => `a reconnect served by ${survivor}: ${JSON.stringify(answers)}`,
      async () => answers.find((answer) => answer.instance === survivor),
      20_000,
    );
    await until('a tick after the kill', async () => (await count()) > atKill, 20_000);
    const tickedAt = performance.now();
    await until('30 more ticks after the kill', async () => (await count()) >= atKill + 30, 20_000);
    // How long a failover takes, for the record (not asserted: timing is a
    // benchmark's business). The page's EventSource reconnects after the
    // server's `retry:` (500 ms with --fast).
    const ms = (at) => Math.round(at - killedAt);
    t.diagnostic(
      `failover: ${victim} killed; the reconnect was answered by ${survivor} after ${ms(resumed.at)} ms, ` +
        `the next tick shown after ${ms(tickedAt)} ms`,
    );

    const ids = await page.locator('#events li').evaluateAll((items) => items.map((li) => li.dataset.id));
    assert.equal(resumed.status, 200);
    assert.ok(ids.includes(resumed.lastEventId), `the reconnect resumed after a tick the page had (${resumed.lastEventId})`);
    // Exactly the ticks Redis has between the first and the last shown: none
    // lost, none repeated, in order.
    assert.deepEqual(ids, eventIdsInRedis(TICKS_KEY, ids[0], ids.at(-1)));
    assert.equal(await page.locator('#dups').textContent(), '0');
    assert.deepEqual(await problems(), []);
    await context.close();
  });

  test('a Last-Event-ID trimmed from the stream gets the gap event, then the oldest tick kept', async () => {
    const [old] = eventIdsInRedis(TICKS_KEY, '-', '+');
    redis('XTRIM', TICKS_KEY, 'MAXLEN', '5');
    const [oldest] = eventIdsInRedis(TICKS_KEY, '-', '+');
    assert.ok(old < oldest || old.length < oldest.length, `${old} was trimmed (oldest now ${oldest})`);

    const context = await browser.newContext();
    const { page, problems } = await newPage(context, 'chromium');
    await page.goto(`${BALANCER}/`);
    const seen = await page.evaluate(async ({ old }) => {
      const { SSEClient } = await import('/js/index.js');
      return new Promise((resolve, reject) => {
        const client = new SSEClient('/api/ticker/events', { lastEventId: old });
        const events = [];
        const done = () => {
          client.close();
          resolve(events);
        };
        client.subscribe('gap', (data) => events.push({ type: 'gap', data: JSON.parse(data) }));
        client.subscribe('message', (data, event) => {
          events.push({ type: 'message', id: event.lastEventId, data });
          done();
        });
        client.on('error', reject);
        setTimeout(() => reject(new Error(`no tick after 10 s: ${JSON.stringify(events)}`)), 10_000);
      });
    }, { old });
    assert.deepEqual(seen[0], { type: 'gap', data: { lastEventId: old, resumesAt: oldest } });
    assert.equal(seen[1].type, 'message');
    assert.equal(seen[1].id, oldest);
    assert.equal(seen.length, 2);
    assert.deepEqual(await problems(), []);
    await context.close();
  });
});
