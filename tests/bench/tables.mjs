// The tables of one benchmark run (one browser, one workload), as plain
// data: run.sh prints them as text (collect.mjs), report.mjs writes them as
// Markdown. Both read the same rows, so the terminal and BENCHMARKS.md
// never disagree.

export const THROUGHPUT_WORKLOADS = ['tiny', 'ids', 'cjk', 'large', 'multiline'];
export const PARSER_LOOP = 'fetch + eventsource-parser';
export const NATIVE = 'native EventSource';
export const BARE = 'bare POST round trip';
/** The memory targets: cold wasm growth and JS heap growth after forced GCs. */
export const MEMORY_TARGET_BYTES = 64 * 1024;

/**
 * `{ title, head, align, rows, notes }` for `run`, a results.json entry:
 * `align` has `l` or `r` per column, `rows` are arrays of strings.
 */
export function tableOf(run) {
  if (run.workload === 'latency') return latencyTable(run);
  if (run.workload === 'memory') return memoryTable(run);
  return throughputTable(run);
}

/** `r`'s events per second relative to `other`'s, as `1.23x` (`-` without `other`). */
export function speedRatio(r, other) {
  return r && other ? `${(r.eventsPerSecond / other.eventsPerSecond).toFixed(2)}x` : '-';
}

function throughputTable({ browser, workload, n, rounds, results }) {
  const by = Object.fromEntries(results.map((r) => [r.name, r]));
  return {
    title: `${browser} / ${workload}: ${n} events x ${rounds} rounds`,
    head: ['client', 'median ms', 'min-max ms', 'events/s', 'vs parser loop', 'vs native ES'],
    align: 'lrrrrr',
    rows: [...results].sort((a, b) => a.medianMs - b.medianMs).map((r) => [
      r.name,
      r.medianMs.toFixed(0),
      `${r.minMs.toFixed(0)}-${r.maxMs.toFixed(0)}`,
      `${(r.eventsPerSecond / 1e6).toFixed(3)} M`,
      speedRatio(r, by[PARSER_LOOP]),
      speedRatio(r, by[NATIVE]),
    ]),
    notes: ['ratios: events/s relative to that client; above 1x is faster'],
  };
}

function latencyTable({ browser, n, warmup, timerResolutionMs, results }) {
  const native = results.find((r) => r.name === NATIVE);
  const loop = results.find((r) => r.name === PARSER_LOOP);
  const bare = results.find((r) => r.name === BARE);
  const ms = (x) => x.toFixed(2);
  const p99Ratio = (r, other) => (other && r.name !== BARE ? `${(r.p99Ms / other.p99Ms).toFixed(2)}x` : '-');
  return {
    title: `${browser} / latency: ${n} sequential pings per client, POST to handler`,
    head: ['client', 'p50 ms', 'p99 ms', 'max ms', 'p99 vs native', 'p99 vs loop', 'p99 - bare ms'],
    align: 'lrrrrrr',
    rows: results.map((r) => [
      r.name,
      ms(r.p50Ms),
      ms(r.p99Ms),
      ms(r.maxMs),
      p99Ratio(r, native),
      p99Ratio(r, loop),
      bare && r.name !== BARE ? ms(r.p99Ms - bare.p99Ms) : '-',
    ]),
    notes: [
      `${BARE}: POST /ping/echo, time to its response (the floor); the clients: POST /ping/send until the handler sees the event`,
      `p99 vs native, vs loop (fetch + eventsource-parser, what the fetch transport wraps): below 1x is faster; pings go round the clients in turn, after ${warmup ?? '?'} unmeasured rounds; timer resolution ${timerResolutionMs ?? '?'} ms`,
    ],
  };
}

function memoryTable({ browser, results }) {
  const target = `within ${MEMORY_TARGET_BYTES / 1024} KiB`;
  // The targets are sse-wasm's; the native EventSource is there to compare.
  const verdict = (r, bytes) => {
    if (r.name === NATIVE || bytes === null) return '-';
    return bytes <= MEMORY_TARGET_BYTES ? 'yes' : 'NO';
  };
  return {
    title: `${browser} / memory: growth over connect and subscribe cycles`,
    head: ['scenario', 'client', 'cycles', 'wasm growth (cold)', target, 'JS heap growth (3 GCs)', target, 'wasm, warm', 'JS heap, warm', 'ms'],
    align: 'llrrlrlrrr',
    rows: results.map((r) => [
      r.scenario,
      r.name,
      String(r.cycles),
      r.wasmGrowthBytes === null ? '-' : kib(r.wasmGrowthBytes),
      verdict(r, r.wasmGrowthBytes),
      r.jsHeapGrowthBytes === null ? 'n/a' : kib(r.jsHeapGrowthBytes),
      verdict(r, r.jsHeapGrowthBytes),
      r.wasmWarmGrowthBytes == null ? '-' : kib(r.wasmWarmGrowthBytes),
      r.jsHeapWarmGrowthBytes == null ? 'n/a' : kib(r.jsHeapWarmGrowthBytes),
      r.ms.toFixed(0),
    ]),
    notes: [
      'connect: connect, first event, close() (never free()); subscribe: subscribe and unsubscribe a handler while another keeps the stream open',
      'wasm growth: memory.buffer.byteLength after minus before, no GC (64 KiB pages); JS heap: usedJSHeapSize after 3 forced GCs minus before (n/a: the browser has no such API)',
      'cold: from a fresh page, so the JS heap figure includes the code the engine compiles for the hot path; warm: the same cycles again right after (what a leak would add)',
      'ms: the cold pass',
      `targets (sse-wasm only): ${target} each; a missed target is reported, not a failure`,
    ],
  };
}

/** `bytes` in KiB, one decimal (negative when the heap shrank). */
export function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The table as aligned plain text, title first, notes in parentheses. */
export function toText({ title, head, align, rows, notes }) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => (align[i] === 'l' ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [`== ${title}`, line(head), ...rows.map(line), ...notes.map((n) => `(${n})`)].join('\n');
}

/** The table as GitHub Markdown under a `###` heading, notes as a list below. */
export function toMarkdown({ title, head, align, rows, notes }) {
  const cell = (c) => c.replaceAll('|', '\\|');
  const line = (row) => `| ${row.map(cell).join(' | ')} |`;
  const rule = `|${[...align].map((a) => (a === 'l' ? ' --- ' : ' ---: ')).join('|')}|`;
  return [`### ${title}`, '', line(head), rule, ...rows.map(line), '', ...notes.map((n) => `- ${n}`)].join('\n');
}
