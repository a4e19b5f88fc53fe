// Scenario 2 again, with the React hooks: start a report, then let `useSSE`
// follow its events. Three hooks on the same URL with the same options share
// one connection; each keeps the latest event of its own type.

import { useEffect, useState } from 'react';
import { useSSE } from 'sse-wasm/react';

/** POSTs and returns the JSON answer, or throws with the server's message. */
async function post(url) {
  const response = await fetch(url, { method: 'POST' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${response.status}: ${body.error ?? response.statusText}`);
  return body;
}

export function App() {
  // The report being followed: `{ id, events }` from POST /api/reports.
  const [report, setReport] = useState(null);
  const [problem, setProblem] = useState('');

  // `null` as the URL: no connection until a report is started.
  // `lastEventIdParam`: a reconnect resumes with `?lastEventId=N` (the
  // native EventSource used here cannot send the header itself).
  const url = report ? report.events : null;
  const progress = useSSE(url, { json: true, event: 'progress', lastEventIdParam: 'lastEventId' });
  const done = useSSE(url, { json: true, event: 'done', lastEventIdParam: 'lastEventId' });
  const failed = useSSE(url, { json: true, event: 'failed', lastEventIdParam: 'lastEventId' });

  // The job is over: close the shared connection rather than let the
  // stream's end trigger a reconnect.
  const finished = done.data !== undefined || failed.data !== undefined;
  const { close } = progress;
  useEffect(() => {
    if (finished) close();
  }, [finished, close]);

  async function start(fail) {
    setProblem('');
    try {
      setReport(await post(fail ? '/api/reports?fail=true' : '/api/reports'));
    } catch (error) {
      setProblem(`Could not start the report: ${error.message}`);
    }
  }

  async function drop() {
    try {
      await post(`/api/reports/${encodeURIComponent(report.id)}/drop`);
    } catch (error) {
      setProblem(`Drop failed: ${error.message}`);
    }
  }

  const percent = progress.data?.percent ?? 0;
  return (
    <>
      <header>
        <a href="/">sse-wasm demo</a>
        <h1>2b. Long-running report, in React</h1>
        <p>
          The same server API as <a href="/report.html">the vanilla page</a>, followed with{' '}
          <code>useSSE(url, {'{'} json: true, event: 'progress' {'}'})</code> from{' '}
          <code>sse-wasm/react</code>.
        </p>
      </header>
      <main>
        <section className="controls">
          <div className="buttons">
            <button id="generate" onClick={() => start(false)}>Generate report</button>
            <button id="generate-failing" onClick={() => start(true)}>Generate a report that fails</button>
            <button id="drop" onClick={drop} disabled={!report || finished}>
              Drop the connection (server side)
            </button>
          </div>
        </section>

        <section className="status-row">
          <span>
            Connection: <strong id="status" className="status" data-status={progress.status}>{progress.status}</strong>
          </span>
          <span>Report: <code id="report">{report ? report.id : 'none'}</code></span>
          <span>Last-Event-ID: <code id="last-id">{progress.lastEventId || '-'}</code></span>
        </section>

        <section className="report">
          <label htmlFor="progress">Progress</label>{' '}
          <progress id="progress" max="100" value={percent} />{' '}
          <strong id="percent">{percent} %</strong>
          <p>Stage: <span id="stage">{progress.data?.stage ?? '-'}</span></p>
          {done.data && (
            <p id="result" className="done">
              Ready:{' '}
              <a id="download" href={done.data.url} download={done.data.filename}>
                {done.data.filename} ({done.data.bytes} bytes)
              </a>
            </p>
          )}
          {failed.data && (
            <p id="problem" className="error" role="alert">
              The report failed at {failed.data.percent} %: {failed.data.message}
            </p>
          )}
          {progress.error && !finished && (
            <p className="error" role="alert">Connection problem ({progress.error.kind}): {progress.error.message}</p>
          )}
          {problem && <p className="error" role="alert">{problem}</p>}
        </section>
      </main>
    </>
  );
}
