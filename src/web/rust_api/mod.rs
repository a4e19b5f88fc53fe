//! The Rust API, for Rust/wasm applications (Leptos, Yew, Dioxus, or plain
//! `wasm-bindgen`): the same client as the JavaScript `SSEClient`, with no JS
//! glue to write.
//!
//! * [`Client::builder`] takes the options through typed setters and builds
//!   the very options object the JavaScript constructor reads, so defaults,
//!   validation and the `auto` transport choice live in one place
//!   (`options.rs`); errors come back as [`crate::Error`].
//! * [`Client::subscribe`] and the `on_*` methods return a [`Subscription`]
//!   guard that owns the Rust closure: dropping it unsubscribes (and closes
//!   the connection if it was the last event handler). No `Closure::forget`.
//! * [`Client::events`] and [`Client::json_events`] return an [`EventStream`],
//!   a `futures_core::Stream` that ends when the client closes.
//!
//! The guards and streams hold only weak references to the client: dropping
//! the [`Client`] closes the connection whatever else is still alive.

mod builder;
mod convert;
mod stream;
mod subscription;

use std::cell::RefCell;
use std::rc::Weak;
use std::time::Duration;

use js_sys::{Function, JSON};
use serde::de::DeserializeOwned;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::client::SseClient;
use super::options::js_message;
use crate::core::connection::State;
use crate::error::Error;
use convert::{error_from_js, event_from_js, number, string};
use stream::{End, Push};

pub use builder::{ClientBuilder, Retry};
pub use stream::EventStream;
pub use subscription::Subscription;

/// Which transport carries the stream (the `transport` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// `fetch` when an option needs it (headers, a method other than GET, a
    /// body, a starting last event ID sent as a header); otherwise the
    /// browser's native `EventSource`. The default.
    #[default]
    Auto,
    /// `fetch` + `ReadableStream`, parsed by this crate's spec-exact parser.
    Fetch,
    /// The browser's native `EventSource`.
    EventSource,
}

impl Transport {
    /// The option value the JavaScript API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Auto => "auto",
            Transport::Fetch => "fetch",
            Transport::EventSource => "eventsource",
        }
    }
}

/// One Server-Sent Event, as handlers and [`EventStream`]s receive it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    /// The event type: `"message"` unless the server sent `event:`.
    pub event_type: String,
    /// The raw data (`data:` lines joined with `\n`), also in JSON mode.
    pub data: String,
    /// The last event ID at the time of the event (possibly empty).
    pub last_event_id: String,
}

/// What an [`on_reconnecting`](Client::on_reconnecting) callback receives.
#[derive(Debug, Clone, PartialEq)]
pub struct Reconnecting {
    /// The number of the attempt about to be made (the first retry is 2).
    pub attempt: u32,
    /// How long the client waits before that attempt.
    pub delay: Duration,
    /// The failure that caused the reconnect.
    pub error: Error,
}

/// A Server-Sent Events client for Rust/wasm applications.
///
/// Nothing connects until the first [`subscribe`](Self::subscribe) or
/// [`events`](Self::events); the connection closes when the last event
/// handler or stream is dropped (a later one reconnects), on
/// [`close`](Self::close), or when the `Client` is dropped. After `close()`
/// returns (or the client is dropped), no handler or callback runs again and
/// every [`EventStream`] ends.
///
/// ```no_run
/// // no_run: it needs a browser and a server.
/// use futures_util::StreamExt;
/// use sse_wasm::core::retry::RetryOptions;
/// use sse_wasm::{Client, Error};
///
/// #[derive(serde::Deserialize)]
/// struct Price {
///     symbol: String,
///     cents: u64,
/// }
///
/// async fn watch(token: &str, mut show: impl FnMut(&str, u64)) -> Result<(), Error> {
///     let client = Client::builder("/prices")
///         .bearer(token)
///         .retry(RetryOptions { max_attempts: Some(5), ..RetryOptions::default() })
///         .build()?;
///     // A guard: the callback runs until `_opened` is dropped.
///     let _opened = client.on_open(|| show_status("live"));
///     // A stream: dropping it unsubscribes; it ends when the client closes.
///     let mut prices = client.json_events::<Price>("price");
///     while let Some(price) = prices.next().await {
///         let price = price?; // an event that is not a Price
///         show(&price.symbol, price.cents);
///     }
///     Ok(()) // the client closed itself (e.g. retries exhausted)
/// }
/// # fn show_status(_: &str) {}
/// ```
pub struct Client {
    /// Declared first so it is dropped first: the connection closes before
    /// the headers closure it may call is freed.
    inner: SseClient,
    /// Whether the `json` option is on (handlers then get parsed values).
    json: bool,
    /// The queues of the streams made by this client, ended on `close()`
    /// and on drop (the client fires no callback then).
    streams: RefCell<Vec<Weak<dyn End>>>,
    /// The `headers_fn` closure, called by the client before every attempt.
    _headers_fn: Option<Closure<dyn FnMut() -> JsValue>>,
}

impl Client {
    /// A builder for a client of `url` (absolute, or relative to the page).
    pub fn builder(url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(url.into())
    }

    /// A client of `url` with the default options: same as
    /// `Client::builder(url).build()`.
    pub fn new(url: impl Into<String>) -> Result<Client, Error> {
        Self::builder(url).build()
    }

    /// Calls `handler` for every event of type `event_type` (`"message"` for
    /// events without `event:`), until the returned guard is dropped. Opens
    /// the connection if it is the first handler. Fails with
    /// [`Error::Closed`] after [`close`](Self::close).
    pub fn subscribe(
        &self,
        event_type: &str,
        mut handler: impl FnMut(Event) + 'static,
    ) -> Result<Subscription, Error> {
        self.subscribe_raw(event_type, move |_value, event| {
            handler(event_from_js(&event))
        })
    }

    /// The events of type `event_type` as a stream, in arrival order. It
    /// subscribes at once (opening the connection if needed) and buffers
    /// events until they are polled; dropping it unsubscribes.
    ///
    /// The stream ends (`None`) when the client closes itself (fatal error,
    /// retries exhausted: events received before are yielded first), and at
    /// once when [`close`](Self::close) is called or the client is dropped
    /// (events not yet polled are discarded, as no handler runs after
    /// `close()`). On a closed client it is empty.
    pub fn events(&self, event_type: &str) -> EventStream<Event> {
        self.stream(event_type, |_value, event| event_from_js(&event))
    }

    /// Like [`events`](Self::events), but each event's data is decoded as
    /// JSON into `T` (with `serde`). An event whose data is not JSON, or
    /// does not fit `T`, yields an [`Error::Json`] and the stream goes on.
    ///
    /// Works with or without the `json` option; with `json(true)` the value
    /// the client already parsed is reused (and events that are not JSON are
    /// reported to [`on_error`](Self::on_error) instead of reaching the stream).
    pub fn json_events<T: DeserializeOwned + 'static>(
        &self,
        event_type: &str,
    ) -> EventStream<Result<T, Error>> {
        let parsed = self.json;
        self.stream(event_type, move |value, event| {
            let data = string(&event, "data").unwrap_or_default();
            let json_error = |message: String| Error::Json {
                message,
                data: data.clone(),
                event_type: string(&event, "type").unwrap_or_default(),
            };
            let value = if parsed {
                Ok(value)
            } else {
                JSON::parse(&data).map_err(|e| json_error(js_message(&e)))
            };
            value.and_then(|value| {
                serde_wasm_bindgen::from_value(value).map_err(|e| {
                    json_error(format!(
                        "it does not fit {}: {e}",
                        std::any::type_name::<T>()
                    ))
                })
            })
        })
    }

    /// Calls `callback` each time the connection opens.
    pub fn on_open(&self, mut callback: impl FnMut() + 'static) -> Subscription {
        self.on("open", move |_| callback())
    }

    /// Calls `callback` with every error: fatal ones (then the client
    /// closes, see [`on_close`](Self::on_close)) and data errors after which
    /// the stream goes on ([`Error::Json`], [`Error::EventTooLarge`]).
    pub fn on_error(&self, mut callback: impl FnMut(Error) + 'static) -> Subscription {
        self.on("error", move |error| callback(error_from_js(&error)))
    }

    /// Calls `callback` each time a reconnect is scheduled.
    pub fn on_reconnecting(
        &self,
        mut callback: impl FnMut(Reconnecting) + 'static,
    ) -> Subscription {
        self.on("reconnecting", move |info| {
            let attempt = number(&info, "attempt").unwrap_or_default() as u32;
            let delay = Duration::from_millis(number(&info, "delayMs").unwrap_or_default() as u64);
            let error = error_from_js(&convert::get(&info, "error"));
            callback(Reconnecting {
                attempt,
                delay,
                error,
            })
        })
    }

    /// Calls `callback` when the client closes itself (fatal error, retries
    /// exhausted). Not called after [`close`](Self::close).
    pub fn on_close(&self, mut callback: impl FnMut() + 'static) -> Subscription {
        self.on("close", move |_| callback())
    }

    /// Calls `callback` with the new [`State`] each time it changes.
    pub fn on_state_change(&self, mut callback: impl FnMut(State) + 'static) -> Subscription {
        self.on("statechange", move |status| {
            callback(state_from_str(&status.as_string().unwrap_or_default()))
        })
    }

    /// Closes the client for good: aborts the request, clears every timer,
    /// ends every [`EventStream`]. Nothing fires afterwards, including
    /// events already received.
    pub fn close(&self) {
        self.inner.close();
        self.end_streams();
    }

    /// Drops the current connection (or the pending reconnect wait) and
    /// connects again at once, forgetting past failures.
    pub fn reconnect(&self) {
        self.inner.reconnect();
    }

    /// Where the connection stands.
    pub fn status(&self) -> State {
        state_from_str(&self.inner.status())
    }

    /// The absolute URL of the stream.
    pub fn url(&self) -> String {
        self.inner.url()
    }

    /// The last event ID received (or the `last_event_id` option).
    pub fn last_event_id(&self) -> String {
        self.inner.last_event_id()
    }

    /// The transport in use: [`Transport::Fetch`] or
    /// [`Transport::EventSource`] (what [`Transport::Auto`] resolved to).
    pub fn transport(&self) -> Transport {
        match self.inner.transport().as_str() {
            "eventsource" => Transport::EventSource,
            _ => Transport::Fetch,
        }
    }

    /// Registers `handler(value, event)` (the JS handler's two arguments)
    /// for `event_type`; the guard owns the closure.
    fn subscribe_raw(
        &self,
        event_type: &str,
        handler: impl FnMut(JsValue, JsValue) + 'static,
    ) -> Result<Subscription, Error> {
        let closure = Closure::<dyn FnMut(JsValue, JsValue)>::new(handler);
        let function: &Function = closure.as_ref().unchecked_ref();
        let inner = self
            .inner
            .subscribe(event_type, function.clone())
            .map_err(|e| error_from_js(&e))?;
        Ok(Subscription::handler(inner, closure))
    }

    /// Registers a lifecycle callback by its JavaScript name.
    fn on(&self, name: &str, callback: impl FnMut(JsValue) + 'static) -> Subscription {
        let closure = Closure::<dyn FnMut(JsValue)>::new(callback);
        let function: &Function = closure.as_ref().unchecked_ref();
        // `on` fails only for an unknown name, and the names above are the
        // ones it knows; a guard without a registration is harmless anyway.
        let inner = self.inner.on(name, function.clone()).ok();
        Subscription::lifecycle(inner, closure)
    }

    /// A stream of `convert(value, event)` for the events of `event_type`.
    fn stream<T: 'static>(
        &self,
        event_type: &str,
        mut convert: impl FnMut(JsValue, JsValue) -> T + 'static,
    ) -> EventStream<T> {
        let (stream, queue) = EventStream::new();
        // The client closing itself fires `close`; `close()` and drop do not
        // (nothing fires after them), so the client ends its streams itself.
        let on_close = {
            let queue = queue.clone();
            self.on("close", move |_| queue.end(false))
        };
        let on_event = {
            let queue = queue.clone();
            self.subscribe_raw(event_type, move |value, event| {
                queue.push(convert(value, event))
            })
        };
        match on_event {
            Ok(on_event) => {
                let mut streams = self.streams.borrow_mut();
                streams.retain(|weak| weak.strong_count() > 0);
                let weak: Weak<dyn End> = std::rc::Rc::downgrade(&queue) as Weak<dyn End>;
                streams.push(weak);
                drop(streams);
                stream.with_guards([on_close, on_event])
            }
            // Closed: an empty stream.
            Err(_) => {
                queue.end(true);
                stream
            }
        }
    }

    /// Ends every stream of this client, discarding what was not polled.
    fn end_streams(&self) {
        // Collected first: no borrow is held while queues drop user values.
        let queues: Vec<_> = self
            .streams
            .borrow_mut()
            .drain(..)
            .filter_map(|weak| weak.upgrade())
            .collect();
        for queue in queues {
            queue.end(true);
        }
    }
}

impl Drop for Client {
    /// Dropping the client closes it (the `SseClient` inside closes on drop)
    /// and ends its streams.
    fn drop(&mut self) {
        self.end_streams();
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.inner.url())
            .field("status", &self.status())
            .field("transport", &self.transport())
            .finish_non_exhaustive()
    }
}

/// The [`State`] named by a `status` string (the names are
/// [`State::as_str`]'s, so they are defined once).
fn state_from_str(name: &str) -> State {
    const ALL: [State; 6] = [
        State::Idle,
        State::Connecting,
        State::Open,
        State::Reconnecting,
        State::Paused,
        State::Closed,
    ];
    // Every status the client reports is one of these; a name from a newer
    // JS runtime would be the only exception, and "closed" is the safe read.
    ALL.into_iter()
        .find(|state| state.as_str() == name)
        .unwrap_or(State::Closed)
}
