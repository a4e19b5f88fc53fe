// The `share` option's check, and whether this context can share: all that
// every client needs of sharing. The sharing itself (./share.js) is loaded
// on demand, by the first client created with `share`, so that apps that
// never share do not download it.

import { SSEError } from '../pkg/runtime.js';

/** Whether this context can share: Web Locks and BroadcastChannel both exist. */
export function canShare() {
  return typeof BroadcastChannel === 'function' && typeof globalThis.navigator?.locks?.request === 'function';
}

/**
 * Checks the `share` option: `true`, `false`, `undefined` or a non-empty
 * string; anything else throws the `invalid-option` error the other
 * options throw.
 */
export function checkShareOption(share) {
  if (share === undefined || typeof share === 'boolean' || (typeof share === 'string' && share !== '')) return;
  const why = typeof share === 'string' ? 'must not be empty' : `expected true, false or a key string, got ${describe(share)}`;
  throw new SSEError('invalid-option', `option \`share\`: ${why}`, { option: 'share' });
}

function describe(value) {
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}
