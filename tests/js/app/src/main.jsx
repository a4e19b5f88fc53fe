// The test app: one scenario per page load, picked by query parameters:
//   ?server=<SSE_TEST_SERVER>&tag=<unique tag>&scenario=<name>
// Each scenario renders what a user would see; tests/js/browser.test.mjs
// reads the DOM and asks the test server (/stats?tag=) what it saw.

import { Component, StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { SSEClient, SSEError, SSEEvent, init } from 'sse-wasm';
import * as manual from 'sse-wasm/init';
import { SSEProvider, useSSE, useSSEEvent } from 'sse-wasm/react';

const params = new URLSearchParams(location.search);
const server = params.get('server');
const tag = params.get('tag');
const scenario = params.get('scenario');

/** Three JSON events `{"n":0}`..`{"n":2}` with ids from `idStart`, then the stream stays open. */
function eventsUrl(streamTag, idStart = 1) {
  return `${server}/events?tag=${encodeURIComponent(streamTag)}&count=3&json=1&hold=1&id_start=${idStart}`;
}

/** Counts effect runs: 2 on mount means StrictMode's double invocation is active. */
function StrictProbe() {
  useEffect(() => {
    window.effectRuns = (window.effectRuns || 0) + 1;
  }, []);
  return null;
}

function Feed({ url, id = 'feed', controls = false }) {
  const { data, event, status, error, lastEventId, close, reconnect } = useSSE(url, { json: true });
  return (
    <section id={id}>
      <p className="status">{status}</p>
      <p className="n">{data === undefined ? 'none' : String(data.n)}</p>
      <p className="raw">{event ? event.data : ''}</p>
      <p className="last-id">{lastEventId}</p>
      <p className="error">{error ? `${error.kind}` : 'no error'}</p>
      {controls && (
        <>
          <button id="close" onClick={close}>
            close
          </button>
          <button id="reconnect" onClick={reconnect}>
            reconnect
          </button>
        </>
      )}
    </section>
  );
}

/** A second user of the same connection, through a handler (inline on purpose). */
function Tally({ url }) {
  const [seen, setSeen] = useState([]);
  useSSEEvent(url, 'message', (tick) => setSeen((list) => [...list, tick.n]), { json: true });
  return <p id="tally">{seen.join(',')}</p>;
}

function Unmount({ url }) {
  const [shown, setShown] = useState(true);
  return (
    <>
      <button id="unmount" onClick={() => setShown(false)}>
        unmount
      </button>
      {shown ? <Feed url={url} /> : <p id="gone">unmounted</p>}
    </>
  );
}

function Switch() {
  const [which, setWhich] = useState('a');
  const url = which === 'a' ? eventsUrl(`${tag}-a`, 1) : eventsUrl(`${tag}-b`, 100);
  return (
    <>
      <button id="switch" onClick={() => setWhich('b')}>
        switch
      </button>
      <p id="which">{which}</p>
      <Feed url={url} />
    </>
  );
}

/** Options change (a header value): the hooks move to a new connection. */
function Options() {
  const [mode, setMode] = useState('a');
  return (
    <>
      <button id="mode-b" onClick={() => setMode('b')}>
        mode b
      </button>
      <p id="mode">{mode}</p>
      <FeedWithHeaders mode={mode} />
    </>
  );
}

function FeedWithHeaders({ mode }) {
  // An inline object, new on every render: only its value matters.
  const { data, status } = useSSE(eventsUrl(tag), { json: true, headers: { 'X-Mode': mode } });
  return (
    <section id="feed">
      <p className="status">{status}</p>
      <p className="n">{data === undefined ? 'none' : String(data.n)}</p>
    </section>
  );
}

function Failure() {
  // The fetch transport sees the status; a native EventSource only reports
  // a network error.
  const { status, error } = useSSE(`${server}/status/500?tag=${encodeURIComponent(tag)}`, {
    transport: 'fetch',
    retry: false,
  });
  return (
    <section id="failure">
      <p className="status">{status}</p>
      <p className="kind">{error ? error.kind : 'none'}</p>
      <p className="http-status">{error && error.status !== undefined ? String(error.status) : ''}</p>
      <p className="instance">{error ? String(error instanceof SSEError) : ''}</p>
    </section>
  );
}

function BadJson() {
  const url = `${server}/events?tag=${encodeURIComponent(tag)}&count=1&data=not%20json&hold=1`;
  const { status, error } = useSSE(url, { json: true });
  return (
    <section id="badjson">
      <p className="status">{status}</p>
      <p className="kind">{error ? error.kind : 'none'}</p>
      <p className="data">{error && error.data !== undefined ? error.data : ''}</p>
    </section>
  );
}

class Boundary extends Component {
  constructor(props) {
    super(props);
    this.state = { error: null };
  }
  static getDerivedStateFromError(error) {
    return { error };
  }
  render() {
    if (this.state.error) return <p id="boundary">{String(this.state.error.message)}</p>;
    return this.props.children;
  }
}

/** The vanilla entry, no hooks: results go to <pre id="vanilla"> as JSON. */
function vanilla() {
  const out = { events: [] };
  const show = () => {
    document.getElementById('root').innerHTML = '';
    const pre = document.createElement('pre');
    pre.id = 'vanilla';
    pre.textContent = JSON.stringify(out);
    document.getElementById('root').append(pre);
  };
  try {
    new SSEClient('ftp://example.com/stream');
  } catch (error) {
    out.invalidUrl = {
      // SSEError is undefined until the module is initialised.
      instanceOfSSEError: typeof SSEError === 'function' && error instanceof SSEError,
      instanceOfError: error instanceof Error,
      name: error.name,
      kind: error.kind,
      url: error.url,
    };
  }
  out.sameClasses = manual.SSEError === SSEError && manual.SSEClient === SSEClient;
  out.initIdempotent = init() === init() && manual.init() === init();
  try {
    const client = new SSEClient(eventsUrl(tag), { json: true });
    out.transport = client.transport;
    client.on('statechange', (status) => {
      out.lastStatus = status;
      show();
    });
    client.subscribe('message', (data, event) => {
      out.events.push({
        n: data.n,
        raw: event.data,
        id: event.lastEventId,
        type: event.type,
        isSSEEvent: event instanceof SSEEvent,
      });
      if (out.events.length === 3) {
        client.close();
        out.closedStatus = client.status;
        out.afterClose = afterClose(client);
      }
      show();
    });
    // close() from a callback that subscribe() itself is calling.
    const nested = new SSEClient(eventsUrl(`${tag}-nested`), { transport: 'fetch' });
    nested.on('statechange', (status) => {
      if (status === 'connecting') nested.close();
    });
    nested.subscribe('message', () => {
      out.nestedEvent = true;
    });
    out.nested = { status: nested.status, readyState: nested.readyState };
  } catch (error) {
    out.constructError = String(error && error.message);
  }
  show();
}

/** What a closed client answers (it has let go of its wasm side). */
function afterClose(client) {
  const result = {
    status: client.status,
    readyState: client.readyState,
    lastEventId: client.lastEventId,
    transport: client.transport,
    sameUrl: client.url === eventsUrl(tag),
  };
  try {
    client.subscribe('message', () => {});
  } catch (error) {
    result.subscribeError = error instanceof SSEError ? error.kind : String(error);
  }
  const callback = client.on('open', () => {});
  callback.unsubscribe();
  client.unsubscribe('message');
  client.reconnect();
  client.close();
  client.free();
  result.callsAfterCloseThrew = false;
  return result;
}

function scenarios() {
  switch (scenario) {
    case 'feed':
      return (
        <>
          <StrictProbe />
          <Feed url={eventsUrl(tag)} controls />
        </>
      );
    case 'shared':
      return (
        <>
          <Feed url={eventsUrl(tag)} />
          <Tally url={eventsUrl(tag)} />
        </>
      );
    case 'resume': {
      // Ids 1, 2, then the server cuts the connection; the native
      // EventSource reconnects by itself and resumes with Last-Event-ID.
      const url = `${server}/script?tag=${encodeURIComponent(tag)}&steps=drop:2,rest&count=5&json=1&retry=100&hold=1`;
      return (
        <>
          <Feed url={url} />
          <Tally url={url} />
        </>
      );
    }
    case 'scoped':
      // Two providers: two scopes, so two connections for the same URL.
      return (
        <>
          <SSEProvider>
            <Feed url={eventsUrl(tag)} id="one" />
          </SSEProvider>
          <SSEProvider>
            <Feed url={eventsUrl(tag)} id="two" />
          </SSEProvider>
        </>
      );
    case 'unmount':
      return <Unmount url={eventsUrl(tag)} />;
    case 'switch':
      return <Switch />;
    case 'options':
      return <Options />;
    case 'failure':
      return <Failure />;
    case 'badjson':
      return <BadJson />;
    case 'wasm-blocked':
      return (
        <Boundary>
          <Feed url={eventsUrl(tag)} />
        </Boundary>
      );
    default:
      return <p id="unknown">unknown scenario {String(scenario)}</p>;
  }
}

if (scenario === 'vanilla') {
  vanilla();
} else {
  createRoot(document.getElementById('root')).render(<StrictMode>{scenarios()}</StrictMode>);
}
