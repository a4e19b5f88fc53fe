//! The JavaScript face: the `SSEClient` class and the `Subscription` it
//! hands out, thin handles over [`ClientInner`].

use std::rc::{Rc, Weak};

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::error::to_js;
use super::inner::ClientInner;
use super::options::from_js;
use super::registry::Lifecycle;
use crate::error::Error;

/// A Server-Sent Events client.
///
/// The connection opens lazily on the first `subscribe` and closes when the
/// last subscription goes, on `close()`, or when the client is freed. After
/// `close()` (or `unsubscribe()` with no arguments) returns, no handler or
/// callback is ever called again, even for events already received.
#[wasm_bindgen(js_name = SSEClient)]
pub struct SseClient {
    inner: Rc<ClientInner>,
}

#[wasm_bindgen(js_class = SSEClient)]
impl SseClient {
    /// Creates a client for `url` (absolute, or relative to the page).
    /// Throws an `SSEError` (kind `invalid-url` or `invalid-option`) naming
    /// what is wrong. Nothing connects until the first `subscribe`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        url: &str,
        #[wasm_bindgen(unchecked_param_type = "SSEOptions")] options: JsValue,
    ) -> Result<SseClient, JsValue> {
        let options = from_js::parse(&options)?;
        let url = resolve_url(url).map_err(|e| to_js(&e))?;
        Ok(SseClient {
            inner: ClientInner::new(url, options),
        })
    }

    /// Calls `handler(data, event)` for every event of type `type`
    /// (`"message"` for events without `event:`). With `json: true`, `data`
    /// is the parsed value. Opens the connection if it is the first
    /// subscription. Returns a `Subscription`; throws if the client is closed.
    pub fn subscribe(
        &self,
        #[wasm_bindgen(js_name = "type")] event_type: &str,
        #[wasm_bindgen(unchecked_param_type = "(data: any, event: SSEEvent) => void")]
        handler: Function,
    ) -> Result<JsSubscription, JsValue> {
        let id = self
            .inner
            .subscribe(event_type, handler)
            .map_err(|e| to_js(&e))?;
        Ok(JsSubscription {
            inner: Rc::downgrade(&self.inner),
            id,
        })
    }

    /// Removes handlers: with no arguments, all of them, and closes the
    /// client (like `close()`); with a type, every handler of that type;
    /// with a type and a handler, that handler. The connection closes when
    /// no handler is left (a later `subscribe` reconnects).
    pub fn unsubscribe(
        &self,
        #[wasm_bindgen(js_name = "type")] event_type: Option<String>,
        handler: Option<Function>,
    ) {
        match event_type {
            None => self.close(),
            Some(event_type) => self.inner.unsubscribe_type(&event_type, handler.as_ref()),
        }
    }

    /// Closes the client for good: aborts the request, clears every timer.
    /// `statechange` hears `closed` before it returns; nothing fires
    /// afterwards, including events already received.
    pub fn close(&self) {
        self.inner.close();
    }

    /// Drops the current connection (or the pending reconnect wait) and
    /// connects again at once, forgetting past failures.
    pub fn reconnect(&self) {
        self.inner.reconnect();
    }

    /// Registers a lifecycle callback: `open`, `error` (an `SSEError`),
    /// `reconnecting` (`{ attempt, delayMs, error }`; `delayMs` is `null`
    /// when the native EventSource reconnects by itself), `close`, or
    /// `statechange` (the new `status`). Returns a `Subscription`.
    pub fn on(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "'open' | 'error' | 'reconnecting' | 'close' | 'statechange'"
        )]
        name: &str,
        callback: Function,
    ) -> Result<JsSubscription, JsValue> {
        let kind = Lifecycle::parse(name).ok_or_else(|| {
            to_js(&Error::InvalidOption {
                option: "on".into(),
                message: format!(
                    "unknown callback name \"{name}\"; expected one of {}",
                    Lifecycle::NAMES
                ),
            })
        })?;
        let id = self.inner.on(kind, &callback);
        Ok(JsSubscription {
            inner: Rc::downgrade(&self.inner),
            id,
        })
    }

    /// 0 connecting (also while waiting to reconnect), 1 open, 2 closed or idle.
    #[wasm_bindgen(getter, js_name = readyState)]
    pub fn ready_state(&self) -> u16 {
        self.inner.state().ready_state()
    }

    /// `"idle"`, `"connecting"`, `"open"`, `"reconnecting"`, `"paused"` or `"closed"`.
    #[wasm_bindgen(getter, unchecked_return_type = "SSEStatus")]
    pub fn status(&self) -> String {
        self.inner.state().as_str().to_owned()
    }

    /// The absolute URL of the stream.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.inner.url().to_owned()
    }

    /// The last event ID received (or the `lastEventId` option).
    #[wasm_bindgen(getter, js_name = lastEventId)]
    pub fn last_event_id(&self) -> String {
        self.inner.last_event_id()
    }

    /// `"fetch"` or `"eventsource"`: the transport `auto` resolved to.
    #[wasm_bindgen(getter, unchecked_return_type = "'fetch' | 'eventsource'")]
    pub fn transport(&self) -> String {
        self.inner.transport().as_str().to_owned()
    }
}

impl Drop for SseClient {
    /// Freeing the client (explicitly or by garbage collection) closes it,
    /// quietly: no callback runs from a finalizer.
    fn drop(&mut self) {
        self.inner.close_quietly();
    }
}

/// One handler or callback registration. `unsubscribe()` removes it (and
/// closes the connection if it was the last handler); calling it twice, or
/// after the client is gone, does nothing.
#[wasm_bindgen(js_name = Subscription)]
pub struct JsSubscription {
    inner: Weak<ClientInner>,
    id: u32,
}

#[wasm_bindgen(js_class = Subscription)]
impl JsSubscription {
    /// Removes this handler or callback.
    pub fn unsubscribe(&self) {
        if let Some(inner) = self.inner.upgrade() {
            inner.unsubscribe_id(self.id);
        }
    }
}

#[wasm_bindgen(module = "/src/web/options.js")]
extern "C" {
    /// `[href]`, or `[shown, reason]` for a URL that is refused.
    #[wasm_bindgen(js_namespace = options, js_name = checkUrl)]
    fn check_url(url: &str) -> js_sys::Array;
}

/// Resolves `url` against the page (or worker) location and checks the
/// scheme; a URL with credentials (`user:password@`) is refused.
///
/// The checks are JavaScript's (`checkUrl` in src/web/options.js, which
/// js/client.js uses too), so that URL parsing and the messages cost no
/// wasm. The error never shows the credentials, not even of a URL that
/// does not parse: errors end up in logs.
pub fn resolve_url(url: &str) -> Result<String, Error> {
    let checked = check_url(url);
    let href = checked.get(0).as_string().unwrap_or_default();
    match checked.get(1).as_string() {
        None => Ok(href),
        Some(reason) => Err(Error::InvalidUrl { url: href, reason }),
    }
}
