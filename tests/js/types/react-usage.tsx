// Type-level tests of `sse-wasm/react` (checked by `tsc --noEmit`, never run).

import { useState } from 'react';
import { SSEClient, type SSEError, type SSEEvent, type SSEStatus } from 'sse-wasm';
import { SSEProvider, useSSE, useSSEEvent, type UseSSEResult } from 'sse-wasm/react';

type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

interface Tick {
  n: number;
}

export function Text({ url }: { url: string | null }) {
  const { data, event, status, error, lastEventId, close, reconnect } = useSSE(url);
  type _data = Expect<Equal<typeof data, string | undefined>>;
  type _event = Expect<Equal<typeof event, SSEEvent | null>>;
  type _status = Expect<Equal<typeof status, SSEStatus>>;
  type _error = Expect<Equal<typeof error, SSEError | null>>;
  return (
    <p onClick={error ? reconnect : close}>
      {status} {lastEventId} {data}
    </p>
  );
}

export function Json({ url }: { url: URL }) {
  const ticks = useSSE<Tick>(url, { json: true, event: 'tick', retry: false, key: 'user-1' });
  type _ticks = Expect<Equal<typeof ticks, UseSSEResult<Tick>>>;
  const n: number | undefined = ticks.data?.n;
  const untyped = useSSE(url, { json: true });
  type _unknown = Expect<Equal<typeof untyped.data, unknown>>;
  const flag: boolean = Math.random() > 0.5;
  const either = useSSE(url, { json: flag });
  type _either = Expect<Equal<typeof either.data, unknown>>;
  // Options declared apart: `json` widens to boolean; the data is unknown,
  // or the type given.
  const hoisted = { json: true, event: 'tick' };
  const apart = useSSE(url, hoisted);
  type _apart = Expect<Equal<typeof apart.data, unknown>>;
  const typedApart = useSSE<Tick>(url, hoisted);
  type _typedApart = Expect<Equal<typeof typedApart.data, Tick | undefined>>;
  useSSEEvent<Tick>(url, 'tick', (tick) => tick.n, hoisted);
  // @ts-expect-error a payload type needs `json: true`
  useSSE<Tick>(url, { event: 'tick' });
  // @ts-expect-error options are typed: retry is not a string
  useSSE('/events', { retry: 'never' });
  // @ts-expect-error unknown option
  useSSE('/events', { evnt: 'tick' });
  return <p>{n}</p>;
}

export function Handlers({ client, text, any }: { client: SSEClient<true> | null; text: SSEClient<false>; any: SSEClient }) {
  const [total, setTotal] = useState(0);
  useSSEEvent('/events', 'tick', (tick: Tick, event) => setTotal(total + tick.n + event.data.length), {
    json: true,
  });
  useSSEEvent('/events', 'message', (text) => {
    type _text = Expect<Equal<typeof text, string>>;
  });
  useSSEEvent<Tick>(client, 'tick', (tick) => setTotal(tick.n));
  useSSEEvent(null, 'tick', () => {});
  useSSEEvent(text, 'message', (data) => {
    type _string = Expect<Equal<typeof data, string>>;
  });
  // A plain SSEClient may be either: its data is unknown.
  useSSEEvent(any, 'message', (data) => {
    type _unknown = Expect<Equal<typeof data, unknown>>;
  });
  // @ts-expect-error a text client's data is a string
  useSSEEvent(text, 'tick', (tick: Tick) => setTotal(tick.n));
  // @ts-expect-error a text connection's data is a string
  useSSEEvent('/events', 'tick', (tick: Tick) => setTotal(tick.n));
  return <p>{total}</p>;
}

export function App() {
  return (
    <SSEProvider options={{ key: 'user-1', share: 'user-1', withCredentials: true, headers: () => ({ Authorization: 'Bearer t' }) }}>
      <Text url="/events" />
      <Json url={new URL('https://example.com/ticks')} />
      <Handlers client={null} text={new SSEClient('/events')} any={new SSEClient('/events', { json: true })} />
    </SSEProvider>
  );
}

// @ts-expect-error `json` belongs to each hook, not to the provider
export const bad = <SSEProvider options={{ json: true }} />;
