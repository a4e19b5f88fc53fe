// run.sh's bookkeeping, so the shell script keeps to processes:
//
//   node collect.mjs add RUNS BROWSER VERSION < line
//       Checks one report line of the page (stdin) and merges it into the
//       runs file RUNS (a JSON array, created if missing): one entry per
//       (browser, workload), the memory pages of one browser adding rows
//       to the same entry. Exits 1, printing the page's error, when the
//       page failed.
//   node collect.mjs print RUNS BROWSER WORKLOAD
//       Prints the table of that entry (tables.mjs).
//   node collect.mjs save RUNS RESULTS COMMAND
//       Writes results.json: the runs, the command that made them, the
//       date, the machine and the package size (report.mjs reads it).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { tableOf, toText } from './tables.mjs';

/** What `make size` measures: the release wasm and its JS glue. */

const readRuns = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : []);
const findRun = (runs, browser, workload) => runs.find((r) => r.browser === browser && r.workload === workload);

function add(runsFile, browser, browserVersion) {
  const report = JSON.parse(fs.readFileSync(0, 'utf8'));
  if (report.error) {
    console.error(`${browser} ${report.workload}: ${report.error}`);
    process.exit(1);
  }
  const { workload, userAgent, results, ...rest } = report;
  const runs = readRuns(runsFile);
  const run = findRun(runs, browser, workload);
  if (run) run.results.push(...results);
  else runs.push({ browser, browserVersion, userAgent, workload, ...rest, results });
  fs.writeFileSync(runsFile, JSON.stringify(runs));
}

function print(runsFile, browser, workload) {
  const run = findRun(readRuns(runsFile), browser, workload);
  if (!run) return;
  const table = tableOf(run);
  console.log(`\n${toText({ ...table, title: `${table.title} (${run.userAgent})` })}`);
}

function save(runsFile, resultsFile, command) {
  const results = {
    command,
    date: new Date().toISOString(),
    machine: machine(),
    packageSize: packageSize(),
    runs: readRuns(runsFile),
  };
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
}

/** The CPU model (from /proc/cpuinfo), its logical cores and the RAM. */
export function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const match = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (match) cpu = match[1].trim();
  } catch {
    // Not Linux: os.cpus() has the model too.
  }
  return { cpu, cores: os.cpus().length, ramBytes: os.totalmem(), os: `${os.type()} ${os.release()}` };
}

/**
 * What `make size` prints (.ci/size.sh): `{ name, rawBytes, gzipBytes,
 * what }` per line (wasm, glue, entry, page, hooks); none without a build.
 */
function packageSize() {
  if (!fs.existsSync('pkg/sse_wasm_bg.wasm')) return [];
  const out = execFileSync('.ci/size.sh', ['--json'], { encoding: 'utf8' });
  return out.trim().split('\n').map((line) => JSON.parse(line));
}

// A command when run, a library (machine()) when imported by report.mjs.
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [verb, ...args] = process.argv.slice(2);
  const verbs = { add, print, save };
  if (!verbs[verb]) {
    console.error('usage: collect.mjs add RUNS BROWSER VERSION < line | print RUNS BROWSER WORKLOAD | save RUNS RESULTS COMMAND');
    process.exit(2);
  }
  verbs[verb](...args);
}
