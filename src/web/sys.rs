//! Raw bindings: the JavaScript runtime snippet (`runtime.js`) and the few
//! global-scope functions the shell needs. Kept apart from the public
//! wrappers so the unsafe-looking edges live in one place.
//!
//! The free functions are reached through the snippet's `runtime` object:
//! wasm-bindgen imports plain functions of a snippet straight into the wasm
//! module, and its `--target web` glue then lists the snippet once per such
//! function in one object literal (every bundler warns of duplicate keys).

use js_sys::{Array, Function, Object};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/runtime.js")]
extern "C" {
    /// Per-client dispatch state (JSON mode, last event ID string).
    #[derive(Clone)]
    pub type Dispatcher;

    /// A dispatcher; `memory` is the module's memory (`deliver_lines`
    /// reads offsets from it).
    #[wasm_bindgen(constructor)]
    pub fn new(json: bool, memory: &JsValue) -> Dispatcher;

    /// Delivers an event whose data is given as a string. False: JSON
    /// decoding failed (see `take_error`).
    #[wasm_bindgen(method)]
    pub fn deliver(this: &Dispatcher, list: &Array, event_type: &JsValue, data: &str) -> bool;

    /// Delivers an event whose data is `start..end` (UTF-16 offsets) of the
    /// current chunk's text.
    #[wasm_bindgen(method, js_name = deliverSpan)]
    pub fn deliver_span(
        this: &Dispatcher,
        list: &Array,
        event_type: &JsValue,
        start: u32,
        end: u32,
    ) -> bool;

    /// `deliver_span` with a new last event ID at `id_start..id_end`.
    #[wasm_bindgen(method, js_name = deliverSpanWithId)]
    pub fn deliver_span_with_id(
        this: &Dispatcher,
        list: &Array,
        event_type: &JsValue,
        start: u32,
        end: u32,
        id_start: u32,
        id_end: u32,
    ) -> bool;

    /// Delivers an event of `count` data lines whose (start, end) offsets
    /// are the 32-bit words at word `index` of wasm memory; with a new last
    /// event ID at `id_start..id_end` unless `id_start` is negative.
    #[wasm_bindgen(method, js_name = deliverLines)]
    pub fn deliver_lines(
        this: &Dispatcher,
        list: &Array,
        event_type: &JsValue,
        index: u32,
        count: u32,
        id_start: i32,
        id_end: i32,
    ) -> bool;

    /// Sets the last event ID string from `start..end` of the current
    /// chunk's text.
    #[wasm_bindgen(method, js_name = setIdSpan)]
    pub fn set_id_span(this: &Dispatcher, start: u32, end: u32);

    /// Publishes the listener records of `event_type` (empty: none left),
    /// for the native transport's JavaScript-side delivery.
    #[wasm_bindgen(method, js_name = setHandlers)]
    pub fn set_handlers(this: &Dispatcher, event_type: &JsValue, list: &Array);

    /// The JSON error a `false` delivery left behind.
    #[wasm_bindgen(method, js_name = takeError)]
    pub fn take_error(this: &Dispatcher) -> JsValue;

    /// Keeps the chunk being parsed, for span deliveries: its bytes
    /// `start..end` decode to the text the offsets point into.
    #[wasm_bindgen(method, js_name = setChunk)]
    pub fn set_chunk(this: &Dispatcher, chunk: &js_sys::Uint8Array, start: u32, end: u32);

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
    #[wasm_bindgen(js_namespace = runtime)]
    pub fn listener(handler: &Function) -> Object;

    /// Calls every live record with one argument.
    #[wasm_bindgen(js_namespace = runtime)]
    pub fn emit(list: &Array, value: &JsValue);

    /// `new SSEError(kind, message, details)`, the message written in
    /// JavaScript from `kind`, `details` and `text`, the error's free text.
    #[wasm_bindgen(js_name = makeError)]
    pub fn make_error(kind: &str, text: &str, details: &Object) -> JsValue;

    /// `navigator.onLine === false`.
    #[wasm_bindgen(js_namespace = runtime, js_name = isOffline)]
    pub fn is_offline() -> bool;

    /// `document.visibilityState === 'hidden'`.
    #[wasm_bindgen(js_namespace = runtime, js_name = isHidden)]
    pub fn is_hidden() -> bool;

    /// `Date.now()`.
    #[wasm_bindgen(js_namespace = runtime)]
    pub fn now() -> f64;
}

#[wasm_bindgen(module = "/src/web/runtime.js")]
extern "C" {
    /// One native `EventSource` whose events are delivered in JavaScript.
    pub type NativeSource;

    /// Opens `new EventSource(url, { withCredentials })`, reporting its
    /// lifecycle to `report(kind, value)` (src/web/transport/eventsource.rs);
    /// throws for a URL the browser rejects.
    #[wasm_bindgen(constructor, catch)]
    pub fn new(
        url: &str,
        with_credentials: bool,
        track_activity: bool,
        dispatcher: &Dispatcher,
        report: &Function,
    ) -> Result<NativeSource, JsValue>;

    /// Adds the one listener for `event_type`, if not there yet.
    #[wasm_bindgen(method)]
    pub fn listen(this: &NativeSource, event_type: &str);

    /// Removes the listener for `event_type`.
    #[wasm_bindgen(method)]
    pub fn unlisten(this: &NativeSource, event_type: &str);

    /// `Date.now()` of the last event (with `track_activity`) or open.
    #[wasm_bindgen(method, getter = lastActivity)]
    pub fn last_activity(this: &NativeSource) -> f64;

    /// Whether events arrived since the connection (re)opened.
    #[wasm_bindgen(method, getter)]
    pub fn delivered(this: &NativeSource) -> bool;

    /// Closes the EventSource and removes every listener.
    #[wasm_bindgen(method)]
    pub fn close(this: &NativeSource);
}

/// The typed view of an `SSEEvent` (the handlers' second argument), read
/// through direct property getters by the Rust API.
#[wasm_bindgen(module = "/src/web/runtime.js")]
extern "C" {
    /// `SSEEvent`.
    #[wasm_bindgen(js_name = SSEEvent)]
    pub type JsEvent;

    /// `event.type`.
    #[wasm_bindgen(method, getter, js_name = type)]
    pub fn event_type(this: &JsEvent) -> String;

    /// `event.data`.
    #[wasm_bindgen(method, getter)]
    pub fn data(this: &JsEvent) -> String;

    /// `event.lastEventId`.
    #[wasm_bindgen(method, getter, js_name = lastEventId)]
    pub fn last_event_id(this: &JsEvent) -> String;
}
