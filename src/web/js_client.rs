//! [`SseClient`]: the JavaScript client (`Client` in src/web/client.js)
//! as a Rust value, with the JavaScript API's methods and semantics.
//!
//! The npm package's `SSEClient` is that JavaScript class itself; this
//! wrapper is for Rust code that wants the JavaScript API with JavaScript
//! handlers (the browser suites drive it this way). Rust applications want
//! [`Client`](super::Client) instead: typed options, errors and callbacks.

use js_sys::Function;
use wasm_bindgen::JsValue;

use super::engine::engine_factory;
use super::sys::JsClient;

pub use super::sys::JsSubscription;

/// A Server-Sent Events client, driven with JavaScript values: the JS
/// `SSEClient` seen from Rust.
///
/// The connection opens lazily on the first `subscribe` and closes when the
/// last subscription goes, on `close()`, or when the client is dropped.
/// After `close()` (or `unsubscribe(None, None)`) returns, no handler or
/// callback is ever called again, even for events already received.
pub struct SseClient(JsClient);

impl SseClient {
    /// Creates a client for `url` (absolute, or relative to the page) with
    /// the JavaScript options object `options` (`undefined` for the
    /// defaults). Fails with an `SSEError` (kind `invalid-url` or
    /// `invalid-option`) naming what is wrong. Nothing connects until the
    /// first `subscribe`.
    pub fn new(url: &str, options: JsValue) -> Result<SseClient, JsValue> {
        JsClient::new(url, &options, &engine_factory()).map(SseClient)
    }

    /// Calls `handler(data, event)` for every event of type `event_type`
    /// (`"message"` for events without `event:`). With `json: true`, `data`
    /// is the parsed value. Opens the connection if it is the first
    /// subscription. Fails with an `SSEError` of kind `closed` after
    /// `close()`.
    pub fn subscribe(
        &self,
        event_type: &str,
        handler: Function,
    ) -> Result<JsSubscription, JsValue> {
        self.0.subscribe(event_type, &handler)
    }

    /// Removes handlers: with no type, all of them, and closes the client
    /// (like `close()`); with a type, every handler of that type; with a
    /// type and a handler, that handler. The connection closes when no
    /// handler is left (a later `subscribe` reconnects).
    pub fn unsubscribe(&self, event_type: Option<String>, handler: Option<Function>) {
        match event_type {
            None => self.close(),
            Some(event_type) => {
                let handler = handler.map_or(JsValue::UNDEFINED, JsValue::from);
                self.0.unsubscribe(&event_type, &handler)
            }
        }
    }

    /// Closes the client for good: aborts the request, clears every timer.
    /// `statechange` hears `closed` before it returns; nothing fires
    /// afterwards, including events already received.
    pub fn close(&self) {
        self.0.close();
    }

    /// Drops the current connection (or the pending reconnect wait) and
    /// connects again at once, forgetting past failures.
    pub fn reconnect(&self) {
        self.0.reconnect();
    }

    /// Registers a lifecycle callback: `open`, `error` (an `SSEError`),
    /// `reconnecting` (`{ attempt, delayMs, error }`; `delayMs` is `null`
    /// when the native EventSource reconnects by itself), `close`, or
    /// `statechange` (the new `status`). Fails with an `SSEError` of kind
    /// `invalid-option` (option `on`) for any other name.
    pub fn on(&self, name: &str, callback: Function) -> Result<JsSubscription, JsValue> {
        self.0.on(name, &callback)
    }

    /// 0 connecting (also while waiting to reconnect), 1 open, 2 closed or idle.
    pub fn ready_state(&self) -> u16 {
        self.0.ready_state()
    }

    /// `"idle"`, `"connecting"`, `"open"`, `"reconnecting"`, `"paused"` or `"closed"`.
    pub fn status(&self) -> String {
        self.0.status()
    }

    /// The absolute URL of the stream.
    pub fn url(&self) -> String {
        self.0.url()
    }

    /// The last event ID received (or the `lastEventId` option).
    pub fn last_event_id(&self) -> String {
        self.0.last_event_id()
    }

    /// `"fetch"` or `"eventsource"`: the transport `auto` resolved to.
    pub fn transport(&self) -> String {
        self.0.transport()
    }
}

impl Drop for SseClient {
    /// Dropping the client closes it, quietly (the JS client's `free()`):
    /// no callback runs any more, not even `statechange`.
    fn drop(&mut self) {
        self.0.free();
    }
}
