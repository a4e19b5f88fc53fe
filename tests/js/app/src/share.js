// The host page of the cross-tab sharing tests (tests/js/share.test.mjs):
// it adds and removes members, each an iframe (share-member.html) or a
// dedicated worker (share-worker.js) with a client of its own, all in one
// origin, so they share one connection. The test drives it through
// `window.share` (page.evaluate), which works alike in every engine.

const params = new URLSearchParams(location.search);
const container = document.getElementById('members');
/** @type {Map<number, { kind: string, call: (op: string) => Promise<any>, remove: () => void }>} */
const members = new Map();
let nextId = 1;

/** How long a member may take to start (load the package, subscribe). */
const START_TIMEOUT_MS = 20000;

/** An iframe member: its page exposes `window.shareMember` once started. */
async function addFrame(id, config) {
  const frame = document.createElement('iframe');
  frame.src = `/share-member.html?${new URLSearchParams({ config: JSON.stringify(config) })}`;
  frame.title = `member ${id}`;
  frame.width = '160';
  frame.height = '40';
  container.append(frame);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!frame.contentWindow?.shareMember) {
    if (Date.now() > deadline) throw new Error(`iframe member ${id} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    kind: 'iframe',
    call: async (op) => frame.contentWindow.shareMember.handle(op),
    remove: () => frame.remove(),
  };
}

/** A worker member: commands travel as messages, each answered once. */
async function addWorker(id, config) {
  const worker = new Worker(new URL('./share-worker.js', import.meta.url), { type: 'module' });
  const waiting = new Map();
  let nextRequest = 1;
  let failure;
  worker.onmessage = ({ data }) => {
    const pending = waiting.get(data.id);
    waiting.delete(data.id);
    if (data.error !== undefined) pending?.reject(new Error(data.error));
    else pending?.resolve(data.result);
  };
  worker.onerror = (event) => {
    failure = new Error(`worker member ${id}: ${event.message}`);
    for (const { reject } of waiting.values()) reject(failure);
    waiting.clear();
  };
  const request = (message) =>
    failure
      ? Promise.reject(failure)
      : new Promise((resolve, reject) => {
          const requestId = nextRequest++;
          waiting.set(requestId, { resolve, reject });
          worker.postMessage({ id: requestId, ...message });
        });
  await Promise.race([
    request({ op: 'start', config }),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`worker member ${id} did not start`)), START_TIMEOUT_MS)),
  ]);
  return {
    kind: 'worker',
    call: (op) => request({ op }),
    remove: () => worker.terminate(),
  };
}

window.share = {
  /** The test server, as the test gave it in `?server=`. */
  server: params.get('server'),
  /**
   * Adds a member (`kind`: 'iframe' or 'worker') with `config` (see
   * share-core.js); resolves to its id once its client is subscribed.
   */
  async add(config, kind = 'iframe') {
    const id = nextId++;
    const member = await (kind === 'worker' ? addWorker : addFrame)(id, { name: String(id), ...config });
    members.set(id, member);
    return id;
  },
  /** Removes a member as a closed tab goes (iframe removed, worker terminated); returns when (Date.now()). */
  remove(id) {
    const member = members.get(id);
    if (!member) throw new Error(`no member ${id}`);
    members.delete(id);
    member.remove();
    return Date.now();
  },
  /** Runs a command in a member: summary, snapshot, unsubscribe, close (see share-core.js). */
  call(id, op) {
    const member = members.get(id);
    if (!member) throw new Error(`no member ${id}`);
    return member.call(op);
  },
  /** Runs `op` in every member: `{ id: result }`. */
  async all(op = 'summary') {
    const entries = await Promise.all([...members].map(async ([id, member]) => [id, await member.call(op)]));
    return Object.fromEntries(entries);
  },
  /** The ids of the members present. */
  ids: () => [...members.keys()],
};
window.shareReady = true;
