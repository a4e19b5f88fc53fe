// The main entry used before its WebAssembly module has arrived (the test
// delays the .wasm by 2 s): the page paints at once, and clients created
// meanwhile wait for the module, then behave as usual.

import { SSEClient, SSEError, isInitialized } from 'sse-wasm';

const params = new URLSearchParams(location.search);
const server = params.get('server');
const tag = params.get('tag');
const stream = (suffix) => `${server}/events?tag=${encodeURIComponent(`${tag}${suffix}`)}&count=3&json=1&hold=1&id_start=1`;

// Nothing above waited for the module: this runs, and paints, first.
document.getElementById('painted').textContent = 'painted';
const out = { paintedAt: performance.now(), initializedAtPaint: isInitialized(), data: [], states: [] };
const show = () => {
  document.getElementById('deferred').textContent = JSON.stringify(out);
};

// A client that receives events.
const client = new SSEClient(stream(''), { json: true });
out.instanceOfSSEClient = client instanceof SSEClient;
out.before = { status: client.status, readyState: client.readyState, transport: client.transport, url: client.url };
client.on('statechange', (status) => {
  out.states.push(status);
  show();
});
client.subscribe('message', (data, event) => {
  out.data.push({ n: data.n, id: event.lastEventId });
  if (out.data.length === 3) {
    client.close();
    out.done = true;
  }
  show();
});
out.subscribed = client.status;

// A client closed before the module arrives: it never connects, and nothing
// fires after close() (its statechange callback heard `connecting`, `closed`).
const early = new SSEClient(stream('-early'));
const earlyStates = [];
early.on('statechange', (status) => earlyStates.push(status));
early.subscribe('message', () => {
  out.earlyEvent = true;
});
early.close();
out.early = { status: early.status, states: earlyStates };

// A wrong option, thrown at construction although the module is not there
// yet (the options are checked in JavaScript).
try {
  new SSEClient(stream('-wrong'), { retry: { factor: 'x' } });
} catch (error) {
  out.wrong = {
    instanceOfSSEError: error instanceof SSEError,
    kind: error.kind,
    option: error.option,
    initialized: isInitialized(),
  };
}

// A URL with credentials, refused at construction by the JS wrapper (the
// module is not there yet), without echoing the name or the password.
try {
  new SSEClient(`${server.replace('//', '//alice:s3cret@')}/events`);
} catch (error) {
  out.credentials = {
    instanceOfSSEError: error instanceof SSEError,
    kind: error.kind,
    url: error.url,
    shown: /alice|s3cret/.test(`${error.message} ${error.url}`),
    initialized: isInitialized(),
  };
}

show();
