// `sse-wasm/react`: hooks over shared, reference-counted connections.
//
// Importing this module never loads the WebAssembly module: it imports the
// manual-init entry, and the first effect that needs a client calls
// `init()`. Render only reads (`useSyncExternalStore` snapshots); clients
// are created, subscribed and closed from effects, so server-side
// rendering shows the idle state and touches no network.

import {
  createContext,
  createElement,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';

import { ClientPool, IDLE, clientOptions, connectionKey, resolveUrl } from './pool.js';

/** The page-wide pool, used outside any `SSEProvider`. */
const DEFAULT_SCOPE = Object.freeze({ pool: new ClientPool(), defaults: undefined });

const Scope = createContext(DEFAULT_SCOPE);

// useLayoutEffect warns under React 18's server renderer; effects do not
// run there anyway.
const useIsomorphicLayoutEffect = typeof document !== 'undefined' ? useLayoutEffect : useEffect;

const noop = () => {};
const idleSnapshot = () => IDLE;

/** A ref holding the latest render's value, so callbacks never go stale and never resubscribe. */
function useLatest(value) {
  const ref = useRef(value);
  useIsomorphicLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}

/**
 * Gives its descendants their own pool of shared connections and default
 * options (typically the auth identity: `key`, a `headers` function,
 * `withCredentials`), merged under each hook's own options.
 */
export function SSEProvider({ options, children }) {
  const [pool] = useState(() => new ClientPool());
  const value = useMemo(() => {
    if (!options) return { pool, defaults: undefined };
    // `json` changes what a hook's data is: each hook says it itself.
    const { json: _json, ...defaults } = options;
    return { pool, defaults };
  }, [pool, options]);
  return createElement(Scope.Provider, { value }, children);
}

/** Merges the provider's defaults under the hook's options; computes the key. */
function useConnectionTarget(url, options) {
  const scope = useContext(Scope);
  const merged = scope.defaults ? { ...scope.defaults, ...options } : options || {};
  const enabled = merged.enabled !== false && url !== null && url !== undefined;
  const key = enabled ? connectionKey(url, merged, merged.key) : null;
  return { pool: scope.pool, key, url, options: clientOptions(merged), event: merged.event };
}

/**
 * Connects to `url` (shared with every other hook of the same connection
 * key) and returns the latest event of type `options.event` (default
 * `message`) along with the connection state. See index.d.ts.
 */
export function useSSE(url, options) {
  const target = useConnectionTarget(url, options);
  const { pool, key } = target;
  const type = target.event === undefined ? 'message' : String(target.event);
  const latest = useLatest(target);

  const subscribe = useCallback(
    (onChange) => {
      if (key === null) return noop;
      const { url: targetUrl, options: targetOptions } = latest.current;
      const connection = pool.acquire(key, resolveUrl(targetUrl), targetOptions);
      const unwatch = connection.watch(onChange);
      // Interest in `type` (the snapshot holds its last event); no handler.
      const unlisten = connection.listen(type, noop);
      return () => {
        unlisten();
        unwatch();
        connection.release();
      };
    },
    [pool, key, type, latest],
  );
  const getSnapshot = () => {
    const connection = pool.peek(key);
    return connection === undefined ? IDLE : connection.snapshot(type);
  };
  const snapshot = useSyncExternalStore(subscribe, getSnapshot, idleSnapshot);

  useIsomorphicLayoutEffect(() => {
    const connection = pool.peek(key);
    if (connection !== undefined) connection.options = target.options;
  });

  // The module could not be loaded (wasm not served, CSP): nothing here
  // can recover, so let an error boundary show it.
  if (snapshot.initError !== undefined) throw snapshot.initError;

  const close = useCallback(() => {
    const connection = pool.peek(key);
    if (connection !== undefined) connection.close();
  }, [pool, key]);
  const reconnect = useCallback(() => {
    const connection = pool.peek(key);
    if (connection !== undefined) connection.reconnect();
  }, [pool, key]);

  return useMemo(
    () => ({
      data: snapshot.data,
      event: snapshot.event,
      status: snapshot.status,
      error: snapshot.error,
      lastEventId: snapshot.lastEventId,
      close,
      reconnect,
    }),
    [snapshot, close, reconnect],
  );
}

/** Whether `source` is a client (rather than a URL). */
function isClient(source) {
  return typeof source === 'object' && source !== null && typeof source.subscribe === 'function';
}

/**
 * Calls `handler(data, event)` for every event of `type`: from a client you
 * manage, or from the shared connection to a URL (options as `useSSE`'s).
 * The latest `handler` is called, so an inline function does not
 * resubscribe. See index.d.ts.
 */
export function useSSEEvent(source, type, handler, options) {
  const client = isClient(source) ? source : null;
  const target = useConnectionTarget(client === null ? source : null, options);
  const { pool, key } = target;
  const handlerRef = useLatest(handler);
  const latest = useLatest(target);

  useEffect(() => {
    if (client !== null) {
      let active = true;
      let subscription;
      try {
        subscription = client.subscribe(type, (data, event) => {
          if (active) handlerRef.current(data, event);
        });
      } catch (error) {
        // A closed client: nothing will ever arrive. Report, do not crash.
        reportError(error);
        return noop;
      }
      return () => {
        active = false;
        // Deferred: removing a client's last handler closes its connection,
        // and StrictMode's remount subscribes again right after this.
        setTimeout(() => subscription.unsubscribe(), 0);
      };
    }
    if (key === null) return noop;
    const { url: targetUrl, options: targetOptions } = latest.current;
    const connection = pool.acquire(key, resolveUrl(targetUrl), targetOptions);
    const unlisten = connection.listen(type, (data, event) => handlerRef.current(data, event));
    return () => {
      unlisten();
      connection.release();
    };
  }, [client, pool, key, type, handlerRef, latest]);

  useIsomorphicLayoutEffect(() => {
    const connection = pool.peek(key);
    if (connection !== undefined) connection.options = target.options;
  });
}

function reportError(error) {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else console.error(error);
}
