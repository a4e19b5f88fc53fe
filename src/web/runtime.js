// The JavaScript half of the hot path, imported by src/web/sys.rs as a
// wasm-bindgen snippet. Each event costs one call from wasm into
// `Dispatcher.deliver*`, which builds the data string (wasm-bindgen decodes
// it on the way in), one `SSEEvent`, and calls the handlers.

/** The metadata of one event, handed to handlers as their second argument. */
export class SSEEvent {
  constructor(type, data, lastEventId) {
    /** The event type (`message` unless the server sent `event:`). */
    this.type = type;
    /** The raw data string, also when `json: true` decoded it. */
    this.data = data;
    /** The last event ID at the time of the event (possibly empty). */
    this.lastEventId = lastEventId;
  }
}

/**
 * The error type of sse-wasm. `kind` tells the cause apart (`network`,
 * `http`, `content-type`, `json`, `retries-exhausted`, ...); the other
 * properties are set when they apply.
 */
export class SSEError extends Error {
  constructor(kind, message, details) {
    super(message, details && details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'SSEError';
    this.kind = kind;
    if (details) {
      for (const key of Object.keys(details)) {
        if (key !== 'cause') this[key] = details[key];
      }
    }
  }
}

/** Reports a handler's exception the way an EventSource listener's is. */
function report(error) {
  if (typeof globalThis.reportError === 'function') {
    globalThis.reportError(error);
  } else {
    console.error(error);
  }
}

/**
 * A listener record: the handler and whether it was removed. Removal during
 * a dispatch takes effect at once, as with DOM event listeners.
 */
export function listener(fn) {
  return { fn, removed: false };
}

/** Marks every listener record in `list` removed. */
export function removeAll(list) {
  for (let i = 0; i < list.length; i++) list[i].removed = true;
}

/** Calls every live listener in `list` with `value`; exceptions are reported. */
export function emit(list, value) {
  for (let i = 0; i < list.length; i++) {
    const l = list[i];
    if (l.removed) continue;
    const fn = l.fn; // called as a plain function: `this` is undefined
    try {
      fn(value);
    } catch (e) {
      report(e);
    }
  }
}

/**
 * Per-client dispatch state. The last event ID string lives here so that it
 * is created once per change, not once per event.
 */
export class Dispatcher {
  constructor(json) {
    this.json = json;
    this.lastEventId = '';
  }

  /** An event whose last event ID is the same as the previous one's. */
  deliver(list, type, data) {
    return this.run(list, type, data, this.lastEventId);
  }

  /** An event that carries a new last event ID. */
  deliverWithId(list, type, data, id) {
    this.lastEventId = id;
    return this.run(list, type, data, id);
  }

  /**
   * Calls the live listeners with `(data, event)`; with `json`, parses once
   * for all of them. Returns an SSEError of kind `json` when the data is not
   * JSON (no listener is called then), otherwise undefined.
   */
  run(list, type, data, lastEventId) {
    const event = new SSEEvent(type, data, lastEventId);
    let value = data;
    if (this.json) {
      try {
        value = JSON.parse(data);
      } catch (cause) {
        return new SSEError(
          'json',
          `the data of a ${JSON.stringify(type)} event is not valid JSON: ${cause.message}`,
          { cause, data, event },
        );
      }
    }
    for (let i = 0; i < list.length; i++) {
      const l = list[i];
      if (l.removed) continue;
      const fn = l.fn;
      try {
        fn(value, event);
      } catch (e) {
        report(e);
      }
    }
    return undefined;
  }
}

/** Builds an SSEError (used for every error that crosses from Rust). */
export function makeError(kind, message, details) {
  return new SSEError(kind, message, details);
}

/** The global scope's fetch, so the client works in Workers too. */
export function globalFetch(request) {
  return globalThis.fetch(request);
}

/** Whether the environment says it is offline (no navigator: online). */
export function isOffline() {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

/** Whether a document exists and is hidden. */
export function isHidden() {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden';
}

/** `Date.now()`. */
export function now() {
  return Date.now();
}
