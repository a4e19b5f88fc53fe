// Helpers shared by the workloads of the benchmark page.

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
