// Public types of `sse-wasm/react`.

import type { ReactElement, ReactNode } from 'react';
import type { Handler, SSEClient, SSEError, SSEEvent, SSEOptions, SSEStatus } from '../init.js';

/**
 * Options of the hooks' shared connections: the client options, plus what
 * identifies and enables a connection. Hooks whose URL and options are
 * equal (function values aside) share one connection.
 */
export interface SSEConnectionOptions<Json extends boolean = boolean> extends SSEOptions<Json> {
  /**
   * The auth identity of the connection (for example the user's id, never
   * a token). Hooks with different keys never share a connection. Header
   * objects are compared by value (hashed), but a `headers` or
   * `onUnauthorized` function is not compared at all: set `key` whenever
   * such a function can speak for different users.
   */
  key?: string;
  /** `false`: no connection (as with a `null` URL); the state stays `idle`. @default true */
  enabled?: boolean;
}

/** The options of `useSSE`. */
export interface UseSSEOptions<Json extends boolean = boolean> extends SSEConnectionOptions<Json> {
  /** The event type whose latest event `useSSE` returns. @default 'message' */
  event?: string;
}

/** What `useSSE` returns. */
export interface UseSSEResult<T> {
  /** The data of the latest event of the chosen type (parsed with `json: true`); `undefined` before the first. */
  data: T | undefined;
  /** The latest event of the chosen type; `null` before the first. */
  event: SSEEvent | null;
  /** The shared connection's status; `idle` before it is created, on the server, and with no URL. */
  status: SSEStatus;
  /** The latest error since the connection last opened (a fatal one leaves `status` at `closed`). */
  error: SSEError | null;
  /** The last event ID received on the connection. */
  lastEventId: string;
  /** Closes the shared connection, for every component using it, until `reconnect()`. */
  close: () => void;
  /** Reconnects now (a closed connection is opened anew). */
  reconnect: () => void;
}

/**
 * Subscribes to `url` and re-renders on every event of type
 * `options.event` (default `message`) and on every status change. The
 * connection is shared with every hook of the same key under the same
 * `SSEProvider` (or none), opened from an effect (never during render or
 * on the server) and closed a tick after its last user unmounts. Changing
 * the URL or options switches to another connection. `null` or `undefined`
 * as the URL, or `enabled: false`: no connection.
 *
 * With `json: true`, say the payload type: `useSSE<Price>(url, { json: true })`.
 * If the WebAssembly module cannot be loaded, the hook throws that error
 * during render (for an error boundary).
 */
export declare function useSSE<T = unknown>(
  url: string | URL | null | undefined,
  options: UseSSEOptions<true> & { json: true },
): UseSSEResult<T>;
export declare function useSSE(url: string | URL | null | undefined, options?: UseSSEOptions<false>): UseSSEResult<string>;
/** Options whose `json` is only known as a `boolean` (an object declared apart): the data is `unknown`, or `T` when given. */
export declare function useSSE<T = unknown>(
  url: string | URL | null | undefined,
  options: UseSSEOptions<boolean> & { json: boolean },
): UseSSEResult<T>;

/**
 * Calls `handler(data, event)` for every event of `type` from a client you
 * manage (its lifetime is yours; `null` subscribes to nothing). The latest
 * `handler` is called, so an inline function does not resubscribe. With a
 * JSON client, say the payload type: `useSSEEvent<Tick>(client, 'tick', ...)`.
 */
export declare function useSSEEvent<T = unknown>(
  client: SSEClient<true> | null | undefined,
  type: string,
  handler: Handler<T>,
): void;
export declare function useSSEEvent(client: SSEClient<false> | null | undefined, type: string, handler: Handler<string>): void;
/** A client whose `json` is not known (a plain `SSEClient`): the data is `unknown`. */
export declare function useSSEEvent(
  client: SSEClient<boolean> | null | undefined,
  type: string,
  handler: Handler<unknown>,
): void;
/**
 * Calls `handler(data, event)` for every event of `type` from the shared
 * connection to `url` (options and sharing as `useSSE`'s).
 */
export declare function useSSEEvent<T = unknown>(
  url: string | URL | null | undefined,
  type: string,
  handler: Handler<T>,
  options: SSEConnectionOptions<true> & { json: true },
): void;
export declare function useSSEEvent(
  url: string | URL | null | undefined,
  type: string,
  handler: Handler<string>,
  options?: SSEConnectionOptions<false>,
): void;
/** Options whose `json` is only known as a `boolean`: the data is `unknown`, or `T` when given. */
export declare function useSSEEvent<T = unknown>(
  url: string | URL | null | undefined,
  type: string,
  handler: Handler<T>,
  options: SSEConnectionOptions<boolean> & { json: boolean },
): void;

/** The props of `SSEProvider`. */
export interface SSEProviderProps {
  /**
   * Defaults for every hook below (a hook's own options win), typically the
   * identity: `{ key: user.id, headers: () => ({ Authorization: ... }) }`.
   * `json` is not among them: it changes what a hook's data is, so each
   * hook says it. `share: true` here gives every hook's connection to all
   * the app's tabs at once (see the `share` option).
   */
  options?: Omit<SSEConnectionOptions<boolean>, 'json'>;
  children?: ReactNode;
}

/**
 * A scope of shared connections: hooks below it share connections with
 * each other (not with hooks outside it) and get `options` as defaults.
 */
export declare function SSEProvider(props: SSEProviderProps): ReactElement;
