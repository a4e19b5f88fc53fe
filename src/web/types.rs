//! TypeScript declarations for the types that the generated
//! `pkg/sse_wasm.d.ts` names in `unchecked_param_type` /
//! `unchecked_return_type` attributes (`SSEOptions`, `SSEEvent`,
//! `SSEStatus`, and `SSEError` which the options name), so that file
//! type-checks on its own.
//!
//! The npm package's public types are the hand-written `js/*.d.ts` (with
//! the doc comments, defaults and the JSON-mode generics); these mirror their
//! shapes, and `tests/js/types/usage.ts` checks that the two stay mutually
//! assignable.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** `SSEClient.status`: where the connection is in its life cycle. */
export type SSEStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'paused' | 'closed';

/** The metadata of one event, handed to handlers as their second argument. */
export interface SSEEvent {
    /** The event type (`message` unless the server sent `event:`). */
    readonly type: string;
    /** The raw data string, also when `json: true` decoded it. */
    readonly data: string;
    /** The last event ID at the time of the event (possibly empty). */
    readonly lastEventId: string;
}

/** Every `SSEError.kind`. */
export type SSEErrorKind = 'init' | 'invalid-option' | 'invalid-url' | 'network' | 'http' | 'unauthorized'
    | 'content-type' | 'stream-ended' | 'idle-timeout' | 'event-too-large' | 'json'
    | 'retries-exhausted' | 'closed';

/** Every error this library throws or reports; `kind` tells the causes apart. */
export interface SSEError extends Error {
    readonly name: 'SSEError';
    readonly kind: SSEErrorKind;
    readonly option?: string;
    readonly url?: string;
    readonly status?: number;
    readonly headers?: Headers;
    readonly retryAfterMs?: number;
    readonly contentType?: string;
    readonly idleTimeoutMs?: number;
    readonly limit?: number;
    readonly data?: string;
    readonly event?: SSEEvent;
    readonly attempts?: number;
    readonly cause?: unknown;
}

/** The retry policy object form (see `SSEOptions.retry`). */
export interface SSERetryOptions {
    maxAttempts?: number;
    initialDelayMs?: number;
    maxDelayMs?: number;
    factor?: number;
    jitter?: number;
    healthyAfterMs?: number;
}

/** What `onUnauthorized` may return: retry, a bearer token, headers, or give up. */
export type SSEUnauthorizedResult = boolean | string | Record<string, string> | null | undefined | void;

/** The options of `new SSEClient(url, options)`; documented in the npm package's `js/init.d.ts`. */
export interface SSEOptions {
    transport?: 'auto' | 'fetch' | 'eventsource';
    withCredentials?: boolean;
    json?: boolean;
    headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
    method?: string;
    body?: string | URLSearchParams | Blob | ArrayBuffer | ArrayBufferView | FormData | { [key: string]: unknown } | unknown[];
    signal?: AbortSignal;
    lastEventId?: string;
    lastEventIdParam?: string;
    onUnauthorized?: (context: { status: number; error: SSEError }) => SSEUnauthorizedResult | Promise<SSEUnauthorizedResult>;
    retry?: boolean | number | SSERetryOptions;
    interval?: number;
    idleTimeoutMs?: number;
    pauseWhenHidden?: boolean;
    maxEventSize?: number;
}
"#;
