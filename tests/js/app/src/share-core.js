// One member of the cross-tab sharing tests (tests/js/share.test.mjs): a
// client created from a config, whose every event, callback, role change,
// warning and connection is recorded, for the host page (share.js) or the
// test to read. Used by the iframe / tab page (share-member.js) and the
// dedicated worker (share-worker.js), so both behave the same.
//
// The config: { url, share?, method?, types? (default ['message']),
// options? (more SSEClient options), noLocks? (the package sees no Web
// Locks), deferSubscribe? (subscribe on the `subscribe` command only, so
// that a host can subscribe several members in one task), react? (the
// React hooks instead of a client: share-react.jsx; documents only),
// deafenable? (the `deafen` and `hear` commands drop the relayed events) }. `share` is
// passed only when given, so the same page works with a package that does
// not know the option.

/** Every lifecycle callback of `SSEClient.on`. */
const CALLBACKS = ['open', 'error', 'reconnecting', 'close', 'statechange'];

/** How often the client's `shareRole` is sampled between events, in ms. */
const ROLE_POLL_MS = 5;

const describe = (value) => (value instanceof Error ? `${value.name}: ${value.message}` : String(value));

/**
 * Starts a member: sets up the recording (before the package is imported,
 * so that it sees everything and so that `noLocks` holds from the start),
 * imports the package through `load()`, creates the client and subscribes.
 * Returns `{ record, handle }`: the live record, and `handle(op)` for the
 * host's commands (see `commands`).
 * @param {object} config
 * @param {() => Promise<{ SSEClient: any }>} load imports (and if need be initialises) the package
 */
export async function startMember(config, load) {
  const record = {
    config,
    ready: false,
    startError: null,
    /** `{ type, data, id, at }` per event received (`at`: Date.now()). */
    events: [],
    /** `{ name, at, status, role, detail }` per callback. */
    callbacks: [],
    /** `{ role, at }` each time `shareRole` changes. */
    roles: [],
    /** The connections this context opened: `{ url, method, lastEventId, startedAt, openedAt, status, failed }`. */
    fetches: [],
    warnings: [],
    errors: [],
    subscribedAt: null,
    unsubscribedAt: null,
    closedAt: null,
  };

  captureConsoleAndErrors(record);
  recordFetches(record);
  if (config.noLocks) removeWebLocks();
  const setDeaf = config.deafenable ? deafenableChannels() : undefined;

  let client;
  let subscriptions = [];
  const role = () => {
    if (!client) return null;
    const value = client.shareRole;
    return value === undefined ? 'unsupported' : value;
  };
  const noteRole = () => {
    const now = role();
    const last = record.roles.at(-1);
    if (!last || last.role !== now) record.roles.push({ role: now, at: Date.now() });
    return now;
  };

  const subscribe = () => {
    for (const type of config.types ?? ['message']) {
      subscriptions.push(
        client.subscribe(type, (data, event) => {
          noteRole();
          record.events.push({ type: event.type, data: String(data), id: event.lastEventId, at: Date.now() });
        }),
      );
    }
    record.subscribedAt = Date.now();
  };

  try {
    if (config.react) {
      // The hooks own their client: events are recorded, callbacks and roles are not.
      await load();
      const { mountReactMember } = await import('./share-react.jsx');
      mountReactMember(config, (data, event) => {
        record.events.push({ type: event.type, data: String(data), id: event.lastEventId, at: Date.now() });
      });
      record.subscribedAt = Date.now();
      record.ready = true;
      return { record, handle: (op) => JSON.parse(JSON.stringify(op === 'snapshot' ? record : summarize(record))) };
    }
    const { SSEClient } = await load();
    const options = { transport: 'fetch', ...config.options };
    if (config.share !== undefined) options.share = config.share;
    if (config.method !== undefined) options.method = config.method;
    client = new SSEClient(config.url, options);
    for (const name of CALLBACKS) {
      client.on(name, (arg) => {
        record.callbacks.push({ name, at: Date.now(), status: client.status, role: noteRole(), detail: detail(name, arg) });
      });
    }
    if (!config.deferSubscribe) subscribe();
    noteRole();
    setInterval(noteRole, ROLE_POLL_MS);
    record.ready = true;
  } catch (error) {
    record.startError = { message: describe(error), kind: error?.kind, option: error?.option };
  }

  /** The host's commands; each returns something JSON can carry. */
  const commands = {
    /** A small summary, cheap enough to poll. */
    summary: () => ({
      ready: record.ready,
      startError: record.startError,
      role: noteRole(),
      status: client?.status ?? null,
      lastEventId: client?.lastEventId ?? null,
      count: record.events.length,
      firstId: record.events[0]?.id ?? null,
      lastId: record.events.at(-1)?.id ?? null,
      fetches: record.fetches.length,
      warnings: record.warnings.length,
    }),
    /** Everything recorded. */
    snapshot: () => ({ ...record, role: noteRole(), status: client?.status ?? null, lastEventId: client?.lastEventId ?? null }),
    /** Subscribes the event handlers (with `deferSubscribe`). */
    subscribe: () => {
      subscribe();
      return commands.summary();
    },
    /** Removes the event handlers (the callbacks stay). */
    unsubscribe: () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
      subscriptions = [];
      record.unsubscribedAt = Date.now();
      return commands.summary();
    },
    /** With `deafenable`: the events relayed by the leader are lost on their way here, until `hear`. */
    deafen: () => {
      setDeaf(true);
      return commands.summary();
    },
    hear: () => {
      setDeaf(false);
      return commands.summary();
    },
    /** Closes the client. */
    close: () => {
      client?.close();
      record.closedAt = Date.now();
      return commands.summary();
    },
  };
  const handle = (op) => {
    if (!Object.hasOwn(commands, op)) throw new Error(`unknown member command ${op}`);
    // Through JSON: the caller may be another realm (the host page).
    return JSON.parse(JSON.stringify(commands[op]()));
  };
  return { record, handle };
}

/** A React member's summary (see `commands.summary`): what its record says. */
function summarize(record) {
  return {
    ready: record.ready,
    startError: record.startError,
    role: null,
    status: null,
    lastEventId: record.events.at(-1)?.id ?? null,
    count: record.events.length,
    firstId: record.events[0]?.id ?? null,
    lastId: record.events.at(-1)?.id ?? null,
    fetches: record.fetches.length,
    warnings: record.warnings.length,
  };
}

/** What a callback's argument says, as JSON. */
function detail(name, arg) {
  if (name === 'statechange') return arg;
  if (name === 'error') return { kind: arg?.kind, message: arg?.message };
  if (name === 'reconnecting') return { attempt: arg?.attempt, delayMs: arg?.delayMs, kind: arg?.error?.kind };
  return null;
}

/** Records `console.warn`, `console.error`, uncaught errors and unhandled rejections. */
function captureConsoleAndErrors(record) {
  const { warn, error } = console;
  console.warn = function (...args) {
    record.warnings.push(args.map(describe).join(' '));
    return warn.apply(this, args);
  };
  console.error = function (...args) {
    record.errors.push(`console.error: ${args.map(describe).join(' ')}`);
    return error.apply(this, args);
  };
  globalThis.addEventListener('error', (event) => record.errors.push(`uncaught: ${event.error ? describe(event.error) : event.message}`));
  globalThis.addEventListener('unhandledrejection', (event) => record.errors.push(`unhandledrejection: ${describe(event.reason)}`));
}

/**
 * Wraps `fetch` to record each connection this context opens: when it was
 * started, when its response arrived (the stream is open), the
 * `Last-Event-ID` it carried. This is how a test tells which context opened
 * the stream, and when, whatever the package reports.
 */
function recordFetches(record) {
  const nativeFetch = globalThis.fetch;
  globalThis.fetch = function (input, init) {
    // Not `new Request(input, init)`: that would take a stream body from the caller.
    const isRequest = typeof Request === 'function' && input instanceof Request;
    const headers = new Headers(init?.headers ?? (isRequest ? input.headers : undefined));
    const entry = {
      url: isRequest ? input.url : String(input),
      method: (init?.method ?? (isRequest ? input.method : 'GET')).toUpperCase(),
      lastEventId: headers.get('last-event-id'),
      startedAt: Date.now(),
      openedAt: null,
      status: null,
      failed: null,
    };
    record.fetches.push(entry);
    const pending = nativeFetch.call(this, input, init);
    pending.then(
      (response) => {
        entry.openedAt = Date.now();
        entry.status = response.status;
      },
      (error) => {
        entry.failed = describe(error);
      },
    );
    return pending;
  };
}

/**
 * Fault injection: wraps `BroadcastChannel` so that, while deaf, the
 * events a leader relays (the package's `{ t: 'event' }` messages) never
 * reach this context, as if the leader had gone before they arrived here
 * but after they reached the others. Everything else still arrives.
 * Returns the switch.
 *
 * A leader whose events were dropped stays unheard after `hear`: one it
 * relayed just before it went may still be on its way when the host ends
 * the deafness (in the task that removes it), and would arrive after the
 * ones dropped, which no real context can see happen.
 */
function deafenableChannels() {
  const Native = globalThis.BroadcastChannel;
  let deaf = false;
  /** The leaders whose events were dropped. */
  const unheard = new Set();
  globalThis.BroadcastChannel = class extends Native {
    set onmessage(listener) {
      super.onmessage =
        listener &&
        ((event) => {
          const message = event.data;
          if (message?.t === 'event' && (deaf || unheard.has(message.from))) {
            unheard.add(message.from);
            return undefined;
          }
          return listener.call(this, event);
        });
    }
    get onmessage() {
      return super.onmessage;
    }
  };
  return (value) => {
    deaf = value;
  };
}

/** Makes Web Locks absent in this context, as in a browser without them. */
function removeWebLocks() {
  for (const proto of [globalThis.Navigator?.prototype, globalThis.WorkerNavigator?.prototype]) {
    if (proto && Object.hasOwn(proto, 'locks')) delete proto.locks;
  }
  if (Object.hasOwn(navigator, 'locks')) delete navigator.locks;
  if ('locks' in navigator) throw new Error('could not remove navigator.locks');
}
