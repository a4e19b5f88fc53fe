// The soak's memory over time as an SVG line chart, written by hand (no
// charting dependency): JS heap and wasm memory in MiB against minutes.
//
//   node tests/soak/plot.mjs [build/soak/soak.csv [build/soak/soak.svg]]

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MB = 1024 * 1024;
const SERIES = [
  { column: 'js_heap_bytes', label: 'JS heap (after gc)', color: '#d62728' },
  { column: 'wasm_memory_bytes', label: 'wasm linear memory', color: '#1f77b4' },
];

/** Parses the soak CSV (a header line, then numbers) into row objects. */
export function parseCsv(text) {
  const [header, ...lines] = text.trim().split('\n');
  const names = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], Number(v)])));
}

/** A round step giving about `count` ticks between 0 and `max`. */
function niceStep(max, count) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((step) => step >= raw);
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The SVG text for `rows` (objects with `minute` and the SERIES columns). */
export function renderSvg(rows, title = 'sse-wasm soak: memory after a forced GC') {
  const width = 800;
  const height = 420;
  const m = { left: 70, right: 20, top: 60, bottom: 60 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;

  const maxMinute = Math.max(1e-9, ...rows.map((r) => r.minute));
  const maxMb = Math.max(1e-9, ...rows.flatMap((r) => SERIES.map((s) => r[s.column] / MB)));
  const xStep = niceStep(maxMinute, 8);
  const yStep = niceStep(maxMb, 6);
  const xMax = Math.ceil(maxMinute / xStep) * xStep;
  const yMax = Math.ceil((maxMb * 1.05) / yStep) * yStep;
  const x = (minute) => m.left + (minute / xMax) * w;
  const y = (mb) => m.top + h - (mb / yMax) * h;
  const fmt = (v) => String(Number(v.toFixed(2)));

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`);

  // Grid lines and tick labels.
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 8}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${m.top}" y2="${m.top + h}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x(v)}" y="${m.top + h + 18}" text-anchor="middle">${fmt(v)}</text>`);
  }
  // Axes and their labels.
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + h}" stroke="black"/>`);
  out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}" stroke="black"/>`);
  out.push(`<text x="${m.left + w / 2}" y="${height - 18}" text-anchor="middle">time (minutes)</text>`);
  out.push(`<text transform="translate(18 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">memory (MiB)</text>`);

  // The lines, with a dot per sample, and the legend.
  SERIES.forEach((s, i) => {
    const points = rows.map((r) => `${x(r.minute).toFixed(1)},${y(r[s.column] / MB).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.join(' ')}"/>`);
    for (const p of points) {
      const [px, py] = p.split(',');
      out.push(`<circle cx="${px}" cy="${py}" r="2.5" fill="${s.color}"/>`);
    }
    // Above the plot area, side by side, so it never hides a line.
    const lx = m.left + i * 220;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="42" y2="42" stroke="${s.color}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 30}" y="46">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// As a command: CSV in, SVG out.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const csv = process.argv[2] ?? 'build/soak/soak.csv';
  const svg = process.argv[3] ?? csv.replace(/\.csv$/, '') + '.svg';
  writeFileSync(svg, renderSvg(parseCsv(readFileSync(csv, 'utf8'))));
  console.log(`wrote ${svg}`);
}
