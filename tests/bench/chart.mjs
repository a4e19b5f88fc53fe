// benchmarks.svg: events per second of every client on every throughput
// workload, grouped bars, one panel per browser. Hand-written SVG, no
// dependencies. A log scale, because the workloads differ by two orders of
// magnitude (tiny events against 8 KiB ones) and a linear axis would flatten
// all but one. Dark text on a white background of its own, so it reads the
// same in GitHub's light and dark themes.

import { THROUGHPUT_WORKLOADS } from './tables.mjs';

const WIDTH = 960;
const LEFT = 90; // room for the y-axis labels and title
const RIGHT = 20;
const PLOT_HEIGHT = 220;
const PANEL_HEIGHT = 30 + PLOT_HEIGHT + 64; // title, plot, workload labels and x title
const LEGEND_COLUMNS = 3; // room for '@microsoft/fetch-event-source'
const LEGEND_ROW = 20;
const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const INK = '#1f2328';
const MUTED = '#57606a';
const GRID = '#d0d7de';
/** Okabe-Ito, colour-blind safe (its yellow swapped for grey: too pale on white). */
const PALETTE = ['#0072B2', '#56B4E9', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#999999', '#000000'];
/** The clients of throughput.js in the order of the legend, so each keeps its colour from run to run. */
const CLIENT_ORDER = [
  'sse-wasm (fetch)',
  'sse-wasm (eventsource)',
  'fetch + eventsource-parser',
  'native EventSource',
  'eventsource (npm)',
  '@microsoft/fetch-event-source',
  'event-source-polyfill',
];

/** The SVG for the throughput runs among `runs`, or undefined if there are none. */
export function throughputChart(runs) {
  const throughput = runs.filter((r) => THROUGHPUT_WORKLOADS.includes(r.workload));
  if (throughput.length === 0) return undefined;
  const browsers = [...new Set(throughput.map((r) => r.browser))];
  const workloads = THROUGHPUT_WORKLOADS.filter((w) => throughput.some((r) => r.workload === w));
  const clients = legendOrder(new Set(throughput.flatMap((r) => r.results.map((c) => c.name))));
  const values = throughput.flatMap((r) => r.results.map((c) => c.eventsPerSecond));
  const scale = logScale(Math.min(...values), Math.max(...values));

  const legendTop = 48;
  const legendRows = Math.ceil(clients.length / LEGEND_COLUMNS);
  const panelsTop = legendTop + legendRows * LEGEND_ROW + 12;
  const height = panelsTop + browsers.length * PANEL_HEIGHT + 8;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}" fill="${INK}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(WIDTH / 2, 28, 'Throughput: events per second (log scale, higher is better)', { size: 17, anchor: 'middle', weight: 600 }),
    legend(clients, legendTop),
    ...browsers.map((browser, i) => {
      const byWorkload = Object.fromEntries(throughput.filter((r) => r.browser === browser).map((r) => [r.workload, r]));
      return panel(browser, byWorkload, workloads, clients, scale, panelsTop + i * PANEL_HEIGHT);
    }),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

/** `{ name, color }` of every client that ran, in CLIENT_ORDER, each with its own colour. */
function legendOrder(ran) {
  const unknown = [...ran].filter((name) => !CLIENT_ORDER.includes(name));
  return [...CLIENT_ORDER, ...unknown]
    .map((name, i) => ({ name, color: PALETTE[i % PALETTE.length] }))
    .filter(({ name }) => ran.has(name));
}

/**
 * Maps events/s to a fraction of the plot height on a log scale from the
 * power of ten at or below `min` to the one at or above `max`.
 */
function logScale(min, max) {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
  return {
    fraction: (v) => (Math.log10(v) - lo) / (hi - lo),
    decades: Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i)),
  };
}

function legend(clients, top) {
  const column = (WIDTH - LEFT - RIGHT) / LEGEND_COLUMNS;
  return clients.map(({ name, color }, i) => {
    const x = LEFT + (i % LEGEND_COLUMNS) * column;
    const y = top + Math.floor(i / LEGEND_COLUMNS) * LEGEND_ROW;
    return `<rect x="${x}" y="${y}" width="12" height="12" fill="${color}"/>` +
      text(x + 18, y + 11, name, { size: 13 });
  }).join('\n');
}

/** One browser's panel: title, axes, grid and the grouped bars. */
function panel(browser, byWorkload, workloads, clients, scale, top) {
  const plotTop = top + 30;
  const plotBottom = plotTop + PLOT_HEIGHT;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const y = (v) => plotBottom - scale.fraction(v) * PLOT_HEIGHT;
  const version = Object.values(byWorkload)[0]?.browserVersion ?? browser;
  const out = [text(LEFT, top + 18, version, { size: 14, weight: 600 })];

  // Grid: a labelled line per power of ten, fainter ones at 2x and 5x.
  for (const decade of scale.decades) {
    out.push(line(LEFT, y(decade), WIDTH - RIGHT, y(decade), GRID));
    out.push(text(LEFT - 8, y(decade) + 4, siPrefix(decade), { size: 12, anchor: 'end', fill: MUTED }));
    if (decade === scale.decades.at(-1)) continue;
    for (const minor of [2, 5]) {
      out.push(line(LEFT, y(decade * minor), WIDTH - RIGHT, y(decade * minor), GRID, '2 3'));
    }
  }
  out.push(line(LEFT, plotTop, LEFT, plotBottom, MUTED), line(LEFT, plotBottom, WIDTH - RIGHT, plotBottom, MUTED));
  const middle = (plotTop + plotBottom) / 2;
  out.push(text(18, middle, 'events per second', { size: 12, anchor: 'middle', fill: MUTED, rotate: true }));

  const group = plotWidth / workloads.length;
  const bar = (group * 0.8) / clients.length;
  workloads.forEach((workload, g) => {
    const run = byWorkload[workload];
    const groupLeft = LEFT + g * group + group * 0.1;
    clients.forEach(({ name, color }, c) => {
      const result = run?.results.find((r) => r.name === name);
      if (!result) return;
      const top = y(result.eventsPerSecond);
      const tip = `${browser} / ${workload} / ${name}: ${(result.eventsPerSecond / 1e6).toFixed(3)} M events/s`;
      out.push(`<rect x="${fixed(groupLeft + c * bar + 1)}" y="${fixed(top)}" width="${fixed(Math.max(bar - 2, 1))}" ` +
        `height="${fixed(plotBottom - top)}" fill="${color}"><title>${escape(tip)}</title></rect>`);
    });
    const center = LEFT + g * group + group / 2;
    out.push(text(center, plotBottom + 18, workload, { size: 13, anchor: 'middle' }));
    if (run) out.push(text(center, plotBottom + 33, `${siPrefix(run.n)} events`, { size: 11, anchor: 'middle', fill: MUTED }));
  });
  out.push(text(LEFT + plotWidth / 2, plotBottom + 54, 'workload', { size: 12, anchor: 'middle', fill: MUTED }));
  return out.join('\n');
}

/** 1000 as `1k`, 2500000 as `2.5M`. */
function siPrefix(v) {
  for (const [unit, size] of [['G', 1e9], ['M', 1e6], ['k', 1e3]]) {
    if (v >= size) return `${Number((v / size).toPrecision(3))}${unit}`;
  }
  return String(Number(v.toPrecision(3)));
}

function text(x, y, content, { size = 12, anchor = 'start', weight, fill, rotate } = {}) {
  const attributes = [
    `x="${fixed(x)}"`,
    `y="${fixed(y)}"`,
    `font-size="${size}"`,
    anchor === 'start' ? '' : `text-anchor="${anchor}"`,
    weight ? `font-weight="${weight}"` : '',
    fill ? `fill="${fill}"` : '',
    rotate ? `transform="rotate(-90 ${fixed(x)} ${fixed(y)})"` : '',
  ].filter(Boolean);
  return `<text ${attributes.join(' ')}>${escape(content)}</text>`;
}

function line(x1, y1, x2, y2, stroke, dash) {
  const dashed = dash ? ` stroke-dasharray="${dash}"` : '';
  return `<line x1="${fixed(x1)}" y1="${fixed(y1)}" x2="${fixed(x2)}" y2="${fixed(y2)}" stroke="${stroke}"${dashed}/>`;
}

const fixed = (v) => Number(v.toFixed(1));
const escape = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
