//! Raw bindings: the JavaScript runtime snippet (`runtime.js`) and the few
//! global-scope functions the shell needs. Kept apart from the public
//! wrappers so the unsafe-looking edges live in one place.

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/runtime.js")]
extern "C" {
    /// Per-client dispatch state (JSON mode, last event ID string).
    pub type Dispatcher;

    #[wasm_bindgen(constructor)]
    pub fn new(json: bool) -> Dispatcher;

    /// Delivers an event whose last event ID did not change. False: JSON
    /// decoding failed (see `take_error`).
    #[wasm_bindgen(method)]
    pub fn deliver(this: &Dispatcher, list: &Array, event_type: &JsValue, data: &str) -> bool;

    /// Delivers an event that carries a new last event ID.
    #[wasm_bindgen(method, js_name = deliverWithId)]
    pub fn deliver_with_id(
        this: &Dispatcher,
        list: &Array,
        event_type: &JsValue,
        data: &str,
        id: &str,
    ) -> bool;

    /// Delivers an event whose data is `start..end` of the current chunk.
    #[wasm_bindgen(method, js_name = deliverSpan)]
    pub fn deliver_span(
        this: &Dispatcher,
        list: &Array,
        event_type: &JsValue,
        start: u32,
        end: u32,
    ) -> bool;

    /// `deliver_span` with a new last event ID.
    #[wasm_bindgen(method, js_name = deliverSpanWithId)]
    pub fn deliver_span_with_id(
        this: &Dispatcher,
        list: &Array,
        event_type: &JsValue,
        start: u32,
        end: u32,
        id: &str,
    ) -> bool;

    /// The native transport's path: the MessageEvent's own strings.
    #[wasm_bindgen(method, js_name = deliverNative)]
    pub fn deliver_native(
        this: &Dispatcher,
        list: &Array,
        event_type: &JsValue,
        message: &web_sys::MessageEvent,
    ) -> bool;

    /// The JSON error a `false` delivery left behind.
    #[wasm_bindgen(method, js_name = takeError)]
    pub fn take_error(this: &Dispatcher) -> JsValue;

    /// Keeps the ASCII chunk being parsed, for span deliveries.
    #[wasm_bindgen(method, js_name = setChunk)]
    pub fn set_chunk(this: &Dispatcher, chunk: &js_sys::Uint8Array);

    /// Releases the chunk.
    #[wasm_bindgen(method, js_name = clearChunk)]
    pub fn clear_chunk(this: &Dispatcher);

    /// Sets the cached last event ID string.
    #[wasm_bindgen(method, setter = lastEventId)]
    pub fn set_last_event_id(this: &Dispatcher, id: &str);

    /// The cached last event ID string.
    #[wasm_bindgen(method, getter = lastEventId)]
    pub fn last_event_id(this: &Dispatcher) -> JsValue;

    /// Wraps a handler in a listener record.
    pub fn listener(handler: &Function) -> Object;

    /// Marks every record in the list removed.
    #[wasm_bindgen(js_name = removeAll)]
    pub fn remove_all(list: &Array);

    /// Calls every live record with one argument.
    pub fn emit(list: &Array, value: &JsValue);

    /// `new SSEError(kind, message, details)`.
    #[wasm_bindgen(js_name = makeError)]
    pub fn make_error(kind: &str, message: &str, details: &Object) -> JsValue;

    /// `globalThis.fetch(request)`.
    #[wasm_bindgen(js_name = globalFetch)]
    pub fn global_fetch(request: &web_sys::Request) -> Promise;

    /// `navigator.onLine === false`.
    #[wasm_bindgen(js_name = isOffline)]
    pub fn is_offline() -> bool;

    /// `document.visibilityState === 'hidden'`.
    #[wasm_bindgen(js_name = isHidden)]
    pub fn is_hidden() -> bool;

    /// `Date.now()`.
    pub fn now() -> f64;
}

#[wasm_bindgen]
extern "C" {
    /// `globalThis`, as an event target for online/offline/visibility.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    pub static GLOBAL: web_sys::EventTarget;
}

#[wasm_bindgen(module = "/src/web/runtime.js")]
extern "C" {
    /// The `SSEError` class itself (for `instanceof` in user code).
    #[wasm_bindgen(thread_local_v2, js_name = SSEError)]
    pub static SSE_ERROR_CLASS: JsValue;

    /// The `SSEEvent` class itself.
    #[wasm_bindgen(thread_local_v2, js_name = SSEEvent)]
    pub static SSE_EVENT_CLASS: JsValue;
}
