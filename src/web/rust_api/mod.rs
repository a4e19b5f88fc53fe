//! The Rust API, for Rust/wasm applications (Leptos, Yew, Dioxus, or plain
//! `wasm-bindgen`): the same client as the JavaScript `SSEClient`, on
//! Rust types, with no JS glue to write.
//!
//! * [`Client::builder`] writes the options object that a JavaScript caller
//!   would pass, and the JavaScript client validates it with the same code,
//!   so defaults, validation and the `auto` transport choice live in one
//!   place; errors are [`crate::Error`] values.
//! * [`Client::subscribe`] and the `on_*` methods return a [`Subscription`]
//!   guard that owns the Rust closure: dropping it unsubscribes (and closes
//!   the connection if it was the last event handler). No `Closure::forget`.
//!   Lifecycle callbacks receive typed values ([`State`], [`Reconnecting`],
//!   [`Error`]) converted from the JavaScript ones.
//! * [`Client::events`] and [`Client::json_events`] return an [`EventStream`],
//!   a `futures_core::Stream` that ends when the client closes.
//!
//! A [`Client`] is a handle on a JavaScript client (src/web/client.js);
//! dropping it frees that client, which closes the connection whatever
//! guards and streams are still alive.

mod builder;
mod stream;
mod subscription;

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use js_sys::{Function, Reflect, JSON};
use serde::de::DeserializeOwned;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::error::{error_from_js, js_message};
use super::sys::{JsClient, JsEvent};
use crate::core::connection::State;
use crate::error::Error;
use stream::{End, Push};
use subscription::Registration;

pub use builder::{ClientBuilder, Retry, Transport};
pub use stream::EventStream;
pub use subscription::Subscription;

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

impl Event {
    fn from_js(event: &JsEvent) -> Self {
        Self {
            event_type: event.event_type(),
            data: event.data(),
            last_event_id: event.last_event_id(),
        }
    }
}

/// What an [`on_reconnecting`](Client::on_reconnecting) callback receives.
#[derive(Debug, Clone, PartialEq)]
pub struct Reconnecting {
    /// The number of the attempt about to be made (the first retry is 2).
    pub attempt: u32,
    /// How long the client waits before that attempt; `None` when the
    /// native EventSource reconnects by itself (the browser decides, after
    /// the server's `retry:` if it sent one).
    pub delay: Option<Duration>,
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
    js: JsClient,
    /// The `headers` function handed to the JavaScript client
    /// ([`ClientBuilder::headers_fn`]); freed after the client is.
    _headers_fn: Option<Closure<dyn Fn() -> JsValue>>,
    /// The queues of the streams made by this client, ended on `close()`
    /// and on drop (the client fires no callback then).
    streams: RefCell<Vec<Weak<dyn End>>>,
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

    fn from_js(js: JsClient, headers_fn: Option<Closure<dyn Fn() -> JsValue>>) -> Self {
        Self {
            js,
            _headers_fn: headers_fn,
            streams: RefCell::new(Vec::new()),
        }
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
            handler(Event::from_js(&event))
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
        self.stream(event_type, |_value, event| Event::from_js(&event))
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
        let parsed = self.js.json();
        self.stream(event_type, move |value, event| {
            let data = event.data();
            let json_error = |message: String| Error::Json {
                message,
                data: data.clone(),
                event_type: event.event_type(),
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

    /// Calls `callback` each time a reconnect is scheduled, or the native
    /// EventSource starts reconnecting by itself.
    pub fn on_reconnecting(
        &self,
        mut callback: impl FnMut(Reconnecting) + 'static,
    ) -> Subscription {
        self.on("reconnecting", move |info| {
            let get = |key: &str| Reflect::get(&info, &key.into()).unwrap_or_default();
            callback(Reconnecting {
                attempt: get("attempt").as_f64().unwrap_or_default() as u32,
                // `null` when the native EventSource reconnects by itself.
                delay: get("delayMs")
                    .as_f64()
                    .map(|ms| Duration::from_millis(ms.max(0.0) as u64)),
                error: error_from_js(&get("error")),
            })
        })
    }

    /// Calls `callback` when the client closes itself (fatal error, retries
    /// exhausted). Not called for [`close`](Self::close), the abort signal,
    /// or dropping the client.
    pub fn on_close(&self, mut callback: impl FnMut() + 'static) -> Subscription {
        self.on("close", move |_| callback())
    }

    /// Calls `callback` with the new [`State`] each time it changes, once
    /// per change: [`State::Idle`] when the last subscription goes, and
    /// [`State::Closed`] from inside [`close`](Self::close) (dropping the
    /// client closes it without a call).
    pub fn on_state_change(&self, mut callback: impl FnMut(State) + 'static) -> Subscription {
        self.on("statechange", move |status| {
            callback(state_from_js(&status.as_string().unwrap_or_default()))
        })
    }

    /// Closes the client for good: aborts the request, clears every timer,
    /// ends every [`EventStream`]. The state-change callbacks hear
    /// [`State::Closed`] before it returns; nothing fires afterwards, not
    /// even events already received.
    pub fn close(&self) {
        self.js.close();
        self.end_streams();
    }

    /// Drops the current connection (or the pending reconnect wait) and
    /// connects again at once, forgetting past failures.
    pub fn reconnect(&self) {
        self.js.reconnect();
    }

    /// Where the connection stands.
    pub fn status(&self) -> State {
        state_from_js(&self.js.status())
    }

    /// The absolute URL of the stream.
    pub fn url(&self) -> String {
        self.js.url()
    }

    /// The last event ID received (or the `last_event_id` option).
    pub fn last_event_id(&self) -> String {
        self.js.last_event_id()
    }

    /// The transport in use: [`Transport::Fetch`] or
    /// [`Transport::EventSource`] (what [`Transport::Auto`] resolved to).
    pub fn transport(&self) -> Transport {
        if self.js.transport() == "fetch" {
            Transport::Fetch
        } else {
            Transport::EventSource
        }
    }

    /// Registers `handler(value, event)` (the JavaScript handler's two
    /// arguments) for `event_type`; the guard owns the closure.
    fn subscribe_raw(
        &self,
        event_type: &str,
        handler: impl FnMut(JsValue, JsEvent) + 'static,
    ) -> Result<Subscription, Error> {
        let closure = Closure::<dyn FnMut(JsValue, JsEvent)>::new(handler);
        let function: &Function = closure.as_ref().unchecked_ref();
        let registration = self
            .js
            .subscribe(event_type, function)
            .map_err(|error| error_from_js(&error))?;
        Ok(Subscription::new(
            Some(registration),
            Registration::Handler(closure),
        ))
    }

    /// Registers a lifecycle callback under its JavaScript name; it gets
    /// the JavaScript value. A callback that re-enters itself (e.g. an
    /// `on_close` that closes) is not called a second time.
    fn on(&self, name: &str, callback: impl FnMut(JsValue) + 'static) -> Subscription {
        let callback = RefCell::new(callback);
        // `Fn`, not `FnMut`: wasm-bindgen throws when an `FnMut` closure is
        // called again while it runs; the `RefCell` skips that call instead.
        let closure = Closure::<dyn Fn(JsValue)>::new(move |value| {
            if let Ok(mut callback) = callback.try_borrow_mut() {
                callback(value);
            }
        });
        // Only a name the client does not know makes `on` throw; these are
        // all known, so an error leaves a guard with nothing to remove.
        let registration = self.js.on(name, closure.as_ref().unchecked_ref()).ok();
        Subscription::new(registration, Registration::Lifecycle(closure))
    }

    /// A stream of `convert(value, event)` for the events of `event_type`.
    fn stream<T: 'static>(
        &self,
        event_type: &str,
        mut convert: impl FnMut(JsValue, JsEvent) -> T + 'static,
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
                let weak: Weak<dyn End> = Rc::downgrade(&queue) as Weak<dyn End>;
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
    /// Dropping the client closes it (quietly: no callback runs from a
    /// destructor) and ends its streams.
    fn drop(&mut self) {
        self.js.free();
        self.end_streams();
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.url())
            .field("status", &self.status())
            .field("transport", &self.transport())
            .finish_non_exhaustive()
    }
}

/// The [`State`] of a JavaScript `status` string.
fn state_from_js(status: &str) -> State {
    match status {
        "idle" => State::Idle,
        "connecting" => State::Connecting,
        "open" => State::Open,
        "reconnecting" => State::Reconnecting,
        "paused" => State::Paused,
        // "closed", and anything this version does not know.
        _ => State::Closed,
    }
}
