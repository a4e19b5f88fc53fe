// Type-level tests of the public API (checked by `tsc --noEmit`, never
// run). Every `@ts-expect-error` line must be an error, or tsc fails with
// "Unused '@ts-expect-error' directive": misuse the types must reject.

import {
  SSEClient,
  SSEError,
  SSEEvent,
  init,
  isInitialized,
  type Handler,
  type SSECallbackName,
  type SSEErrorKind,
  type SSEOptions,
  type SSEReconnectingInfo,
  type SSEStatus,
  type Subscription,
} from 'sse-wasm';
import * as manual from 'sse-wasm/init';

/** Compile-time equality: `Expect<Equal<A, B>>` fails unless A and B are the same type. */
type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

interface Price {
  symbol: string;
  cents: number;
}

export async function vanilla(signal: AbortSignal): Promise<void> {
  const ready: Promise<void> = init();
  await ready;
  await init(new URL('https://cdn.example/sse_wasm_bg.wasm'));
  await init(new Uint8Array([0, 97, 115, 109]));
  await init(fetch('/sse_wasm_bg.wasm'));
  const initialised: boolean = isInitialized();
  void initialised;

  // Text mode: handlers get strings.
  const text = new SSEClient('/events', { retry: { maxAttempts: Infinity, jitter: 0.2 }, signal });
  const sub: Subscription = text.subscribe('message', (data, event) => {
    type _data = Expect<Equal<typeof data, string>>;
    type _event = Expect<Equal<typeof event, SSEEvent>>;
    const id: string = event.lastEventId;
    void id;
  });
  sub.unsubscribe();
  // @ts-expect-error a text client's data is a string, not a parsed object
  text.subscribe<Price>('price', () => {});
  // @ts-expect-error nor can a handler claim it is one
  text.subscribe('price', (data: Price) => void data);

  // JSON mode: the client's type follows `json: true`.
  const prices = new SSEClient('/prices', { json: true, headers: () => ({ Authorization: 'Bearer x' }) });
  type _jsonClient = Expect<Equal<typeof prices, SSEClient<true>>>;
  prices.subscribe('message', (data) => {
    type _unknown = Expect<Equal<typeof data, unknown>>;
  });
  prices.subscribe<Price>('price', (price, event) => {
    const cents: number = price.cents;
    void [cents, event.data];
  });
  prices.subscribe('price', (price: Price) => void price.symbol);
  const typed: Handler<Price> = (price) => void price.cents;
  prices.subscribe('price', typed);
  prices.unsubscribe('price', typed);
  prices.unsubscribe('price');
  prices.unsubscribe();
  const json: true = prices.json;
  void json;

  // A plain `SSEClient` holds any client; its data is unknown.
  let any: SSEClient = new SSEClient('/events', { json: true });
  any = text;
  any.subscribe('message', (data) => {
    type _unknown = Expect<Equal<typeof data, unknown>>;
  });
  // @ts-expect-error but a JSON client is not a text client
  const notText: SSEClient<false> = prices;
  void notText;
  // Options declared apart: `json` widens to boolean, and that is accepted.
  const apart = { json: true, retry: 3 };
  const either = new SSEClient('/events', apart);
  type _either = Expect<Equal<typeof either, SSEClient<boolean>>>;
  either.subscribe<Price>('price', (price) => void price.cents);
  // `instanceof` works on the class value and narrows to a plain SSEClient.
  const maybe: unknown = either;
  if (maybe instanceof SSEClient) {
    type _narrowed = Expect<Equal<typeof maybe, SSEClient>>;
  }

  // Lifecycle callbacks: one overload per name.
  text.on('open', () => {});
  text.on('close', () => {});
  text.on('error', (error) => {
    type _error = Expect<Equal<typeof error, SSEError>>;
    const kind: SSEErrorKind = error.kind;
    void kind;
  });
  text.on('reconnecting', (info) => {
    type _info = Expect<Equal<typeof info, SSEReconnectingInfo>>;
    const wait: number = (info.delayMs ?? 0) + info.attempt;
    void [wait, info.error.kind];
  });
  text.on('statechange', (status) => {
    type _status = Expect<Equal<typeof status, SSEStatus>>;
  });
  // @ts-expect-error unknown callback name
  text.on('message', () => {});
  // @ts-expect-error an `error` callback receives an SSEError, not a string
  text.on('error', (error: string) => void error);

  // Getters.
  const status: SSEStatus = text.status;
  const readyState: 0 | 1 | 2 = text.readyState;
  const transport: 'fetch' | 'eventsource' = text.transport;
  void [status, readyState, transport, text.url, text.lastEventId];
  text.reconnect();
  text.close();
  text.free();
  {
    using scoped = new SSEClient(new URL('https://example.com/events'));
    void scoped.status;
  }

  // Errors: `kind` narrows to a union, the details are optional and typed.
  try {
    new SSEClient('ftp://example.com/');
  } catch (error) {
    if (error instanceof SSEError) {
      const option: string | undefined = error.option;
      const statusCode: number | undefined = error.status;
      const headers: Headers | undefined = error.headers;
      const retryAfter: number | undefined = error.retryAfterMs;
      const name: 'SSEError' = error.name;
      void [option, statusCode, headers, retryAfter, name, error.message, error.cause];
      // @ts-expect-error not a kind the library has
      const bad: typeof error.kind = 'timeout';
      // @ts-expect-error aborting is like close(): no error kind for it
      const aborted: typeof error.kind = 'aborted';
      const init: typeof error.kind = 'init';
      void [bad, aborted, init];
    }
  }

  // The manual-init entry has the same API.
  await manual.init();
  const same: typeof manual.SSEClient = SSEClient;
  void same;
}

// Options: every field typed.
export const options: SSEOptions = {
  transport: 'fetch',
  withCredentials: true,
  json: false,
  headers: async () => ({ Authorization: 'Bearer token' }),
  method: 'POST',
  body: { query: 'prices', symbols: ['A', 'B'] },
  lastEventId: '41',
  lastEventIdParam: 'lastEventId',
  onUnauthorized: async ({ status, error }) => (status === 401 && error.kind === 'unauthorized' ? 'new-token' : false),
  retry: 5,
  interval: 3000,
  idleTimeoutMs: 45_000,
  pauseWhenHidden: true,
  maxEventSize: 64 * 1024,
  share: 'prices:user-1',
};
export const shared: SSEOptions[] = [{ share: true }, { share: false }];
// @ts-expect-error `share` is a boolean or a key string
export const badShare: SSEOptions = { share: 1 };
export function role(client: SSEClient): 'leader' | 'follower' | null {
  return client.shareRole;
}
export const bodies: SSEOptions[] = [
  { method: 'POST', body: 'text' },
  { method: 'POST', body: new URLSearchParams({ a: '1' }) },
  { method: 'POST', body: new Blob(['x']) },
  { method: 'POST', body: new Uint8Array(2) },
  { method: 'POST', body: new FormData() },
  { retry: false },
  { retry: true },
  { onUnauthorized: () => ({ 'X-Token': 'fresh' }) },
  { onUnauthorized: () => true },
  { onUnauthorized: () => {} },
];

// @ts-expect-error transport is one of three names
export const badTransport: SSEOptions = { transport: 'websocket' };
// @ts-expect-error retry is false, true, a number or an object
export const badRetry: SSEOptions = { retry: 'forever' };
// @ts-expect-error header values are strings
export const badHeaders: SSEOptions = { headers: { 'X-Count': 1 } };
// @ts-expect-error unknown option names are rejected
export const unknownOption: SSEOptions = { reconnect: true };
// @ts-expect-error an unknown retry field
export const badRetryField: SSEOptions = { retry: { attempts: 3 } };
// @ts-expect-error maxEventSize is a number of bytes
export const badSize: SSEOptions = { maxEventSize: '1MB' };

export const names: SSECallbackName[] = ['open', 'error', 'reconnecting', 'close', 'statechange'];
