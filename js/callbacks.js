// The lifecycle callback names of `SSEClient.on`, for the clients written
// in JavaScript (a client waiting for the module, a shared client); the
// wasm client checks them itself, with the same message.

import { SSEError } from '../pkg/runtime.js';

/** Every name `on()` accepts. */
export const CALLBACK_NAMES = ['open', 'error', 'reconnecting', 'close', 'statechange'];

/** Throws the error of `on()` with a name it does not know (as the Rust side words it). */
export function checkCallbackName(name) {
  if (CALLBACK_NAMES.includes(name)) return;
  throw new SSEError(
    'invalid-option',
    `option \`on\`: unknown callback name "${name}"; expected one of ${CALLBACK_NAMES.join(', ')}`,
    { option: 'on' },
  );
}
