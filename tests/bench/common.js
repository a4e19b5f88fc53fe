// Helpers shared by the workloads of the benchmark page.

import { createParser } from 'eventsource-parser';

/** Resolves after `ms` milliseconds (a macrotask: pending callbacks run first). */
export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The `names` that contain one of the `only` substrings (all of them when
 * `only` is empty); throws when none does, so a typo does not pass as an
 * empty run.
 */
export function pick(names, only) {
  const picked = names.filter((name) => only.length === 0 || only.some((o) => name.includes(o)));
  if (picked.length === 0) throw new Error(`no client matches only=${only}`);
  return picked;
}

/**
 * The fastest plain loop a user would write, the peer the fetch transport
 * is measured against: one streaming TextDecoder per response, its output
 * fed straight to eventsource-parser, `onEvent(data, id)` for every event
 * (it filters nothing). Against `pipeThrough(new TextDecoderStream())` it
 * measured on par (within 3% on tiny, multiline, and cjk in Firefox; 8%
 * ahead on cjk in Chromium), so it keeps the version with one stream stage
 * fewer. Resolves when the body ends.
 */
export async function parserLoop(response, onEvent) {
  const parser = createParser({ onEvent: (e) => onEvent(e.data, e.id ?? '') });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    parser.feed(decoder.decode(value, { stream: true }));
  }
}

/**
 * Rejects with `message` unless `promise` settles within `ms`: a lost event
 * fails the page (and `make bench`) instead of hanging it until run.sh's
 * timeout.
 */
export function within(ms, message, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
