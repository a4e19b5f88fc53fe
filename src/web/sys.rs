//! Raw bindings to the JavaScript half of the shell: the `Client` and
//! `Subscription` classes of `client.js`, the `SSEEvent` of `runtime.js`
//! and the one helper of `options.js` the Rust API needs. Kept apart from
//! the public wrappers ([`SseClient`](super::SseClient), the Rust
//! [`Client`](super::Client)), which are all the rest of the crate uses.

use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/client.js")]
extern "C" {
    /// The JavaScript client (`Client` in src/web/client.js): handlers,
    /// lifecycle callbacks, transports, timers and listeners, over an
    /// [`Engine`](super::engine::Engine) for the connection machine and the
    /// parser.
    #[wasm_bindgen(js_name = Client)]
    pub type JsClient;

    /// `new Client(url, options, makeEngine)`: throws the `SSEError` (kind
    /// `invalid-url` or `invalid-option`) naming what is wrong.
    #[wasm_bindgen(constructor, catch, js_class = "Client")]
    pub fn new(url: &str, options: &JsValue, make_engine: &Function) -> Result<JsClient, JsValue>;

    /// `client.subscribe(type, handler)`: throws an `SSEError` of kind
    /// `closed` after `close()`.
    #[wasm_bindgen(method, catch)]
    pub fn subscribe(
        this: &JsClient,
        event_type: &str,
        handler: &Function,
    ) -> Result<JsSubscription, JsValue>;

    /// `client.unsubscribe(type, handler)`: every handler of `type` when
    /// `handler` is `undefined`.
    #[wasm_bindgen(method)]
    pub fn unsubscribe(this: &JsClient, event_type: &str, handler: &JsValue);

    /// `client.close()`.
    #[wasm_bindgen(method)]
    pub fn close(this: &JsClient);

    /// `client.reconnect()`.
    #[wasm_bindgen(method)]
    pub fn reconnect(this: &JsClient);

    /// `client.on(name, callback)`: throws an `SSEError` of kind
    /// `invalid-option` (option `on`) for an unknown name.
    #[wasm_bindgen(method, catch)]
    pub fn on(this: &JsClient, name: &str, callback: &Function) -> Result<JsSubscription, JsValue>;

    /// `client.free()`: closes quietly; no callback runs any more.
    #[wasm_bindgen(method)]
    pub fn free(this: &JsClient);

    /// `client.readyState`.
    #[wasm_bindgen(method, getter = readyState)]
    pub fn ready_state(this: &JsClient) -> u16;

    /// `client.status`.
    #[wasm_bindgen(method, getter)]
    pub fn status(this: &JsClient) -> String;

    /// `client.url`.
    #[wasm_bindgen(method, getter)]
    pub fn url(this: &JsClient) -> String;

    /// `client.lastEventId`.
    #[wasm_bindgen(method, getter = lastEventId)]
    pub fn last_event_id(this: &JsClient) -> String;

    /// `client.transport`: `"fetch"` or `"eventsource"`.
    #[wasm_bindgen(method, getter)]
    pub fn transport(this: &JsClient) -> String;

    /// `client.json`: whether the `json` option is on.
    #[wasm_bindgen(method, getter)]
    pub fn json(this: &JsClient) -> bool;
}

#[wasm_bindgen(module = "/src/web/client.js")]
extern "C" {
    /// One handler or callback registration, as the JavaScript client hands
    /// it out (`Subscription` in src/web/client.js). `unsubscribe()`
    /// removes it (and closes the connection if it was the last event
    /// handler); calling it twice, or after the client is closed or freed,
    /// does nothing. Dropping this handle does not unsubscribe.
    #[wasm_bindgen(js_name = Subscription)]
    pub type JsSubscription;

    /// Removes this handler or callback.
    #[wasm_bindgen(method)]
    pub fn unsubscribe(this: &JsSubscription);
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

#[wasm_bindgen(module = "/src/web/options.js")]
extern "C" {
    /// `[name, value]` pairs of a header object, or a string saying what is
    /// wrong with it (the message of an invalid `headers` option).
    #[wasm_bindgen(js_namespace = options, js_name = headerList)]
    pub fn header_list(value: &JsValue) -> JsValue;
}
