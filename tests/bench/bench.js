// The benchmark page: index.html?workload=W runs one workload in this
// browser and posts its results to the test server (POST /report); the
// driver, run.sh, launches a headless browser per page (no Playwright or
// WebDriver: they distort timings) and prints the tables.
//
//   tiny, ids, cjk,    throughput.js: events per second of every client on
//   large, multiline   the same stream (see there for the event shapes)
//   latency            latency.js: from a POST that publishes an event to
//                      the handler that receives it, one ping at a time
//   memory             memory.js: wasm memory and JS heap growth over
//                      connect/close or subscribe/unsubscribe cycles
//                      (run.sh gives each scenario and client a fresh page)
//
// Query parameters:
//   workload  one of the above (default tiny)
//   n         events per stream; pings per client (latency); connect
//             cycles, a tenth of the subscribe cycles (memory)
//             (default 100000)
//   rounds    interleaved rounds per client (throughput; default 5)
//   only      comma-separated substrings of client names (throughput and
//             latency; default: all)
//   scenario, client   what memory measures, comma-separated (default:
//             every scenario with every client; see memory.js)
//
// A client that errors, loses an event or sees other data than the others
// fails the page: it reports `{ workload, error }` instead of results.

const params = new URLSearchParams(location.search);
const options = {
  workload: params.get('workload') ?? 'tiny',
  n: Number(params.get('n') ?? 100_000),
  rounds: Number(params.get('rounds') ?? 5),
  only: params.get('only')?.split(',').filter(Boolean) ?? [],
  scenario: params.get('scenario') ?? 'connect,subscribe',
  client: params.get('client') ?? 'fetch,eventsource,native',
  log: (line) => { document.getElementById('log').textContent += `\n${line}`; },
};

/**
 * The module of each workload, loaded on demand: a memory or latency page
 * loads none of the peers' modules.
 */
const MODULES = {
  tiny: './throughput.js',
  ids: './throughput.js',
  cjk: './throughput.js',
  large: './throughput.js',
  multiline: './throughput.js',
  latency: './latency.js',
  memory: './memory.js',
};

async function main() {
  const path = MODULES[options.workload];
  if (!path) throw new Error(`unknown workload ${options.workload}`);
  const { run } = await import(path);
  const result = await run(options);
  await report({ workload: options.workload, userAgent: navigator.userAgent, ...result });
  options.log('done');
}

/** Posts one line of results (or an error) for run.sh. */
function report(body) {
  return fetch('/report', { method: 'POST', body: JSON.stringify(body) });
}

main().catch(async (error) => {
  options.log(`failed: ${error}`);
  await report({ workload: options.workload, error: `${error}\n${error?.stack ?? ''}` });
});
