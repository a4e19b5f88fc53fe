//! [`ClientBuilder`]: typed setters that fill the JavaScript client's
//! options object.
//!
//! The builder does not validate or default anything itself: it writes the
//! same options object a JavaScript caller would pass to `new SSEClient`,
//! and the JavaScript client checks it (`normalizeOptions` in
//! src/web/options.js), so both APIs accept and reject exactly the same
//! things, with the same messages. An error comes back as an `SSEError`,
//! turned into [`Error`].

use std::cell::RefCell;
use std::time::Duration;

use js_sys::{Object, Reflect, JSON};
use serde::Serialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

use super::Client;
use crate::core::retry::{RetryOptions, MAX_TIMER_DELAY_MS};
use crate::error::Error;
use crate::web::engine::engine_factory;
use crate::web::error::{error_from_js, js_message};
use crate::web::sys::{self, JsClient};

/// Which transport carries the stream (the `transport` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// `fetch` when an option needs it (headers, a method other than GET, a
    /// body, a starting last event ID sent as a header); otherwise the
    /// browser's native `EventSource`. The default; [`Client::transport`]
    /// never returns it.
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

/// The reconnection policy (the `retry` option).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Retry {
    /// Never reconnect: the first failure closes the client.
    Disabled,
    /// Reconnect with this policy (`Retry::from(RetryOptions::default())`
    /// is the default).
    Enabled(RetryOptions),
}

impl From<RetryOptions> for Retry {
    fn from(options: RetryOptions) -> Self {
        Retry::Enabled(options)
    }
}

impl Default for Retry {
    /// Reconnect with [`RetryOptions::default`].
    fn default() -> Self {
        Retry::Enabled(RetryOptions::default())
    }
}

/// A header provider given to [`ClientBuilder::headers_fn`].
type HeadersFn = Box<dyn FnMut() -> Vec<(String, String)>>;

/// Options for a [`Client`]; made by [`Client::builder`], consumed by
/// [`build`](Self::build). Every option left unset keeps the JavaScript
/// API's default.
#[must_use = "a builder does nothing until `build()` is called"]
pub struct ClientBuilder {
    url: String,
    transport: Option<Transport>,
    headers: Vec<(String, String)>,
    headers_fn: Option<HeadersFn>,
    method: Option<String>,
    body: Option<String>,
    body_is_json: bool,
    with_credentials: Option<bool>,
    json: Option<bool>,
    last_event_id: Option<String>,
    last_event_id_param: Option<String>,
    retry: Option<Retry>,
    idle_timeout: Option<Duration>,
    pause_when_hidden: Option<bool>,
    max_event_size: Option<usize>,
    /// An error found by a setter (a body that cannot be serialised),
    /// returned by `build()` so the setters can chain.
    error: Option<Error>,
}

impl ClientBuilder {
    pub(super) fn new(url: String) -> Self {
        Self {
            url,
            transport: None,
            headers: Vec::new(),
            headers_fn: None,
            method: None,
            body: None,
            body_is_json: false,
            with_credentials: None,
            json: None,
            last_event_id: None,
            last_event_id_param: None,
            retry: None,
            idle_timeout: None,
            pause_when_hidden: None,
            max_event_size: None,
            error: None,
        }
    }

    /// The transport (default [`Transport::Auto`]). Headers, a method, a
    /// body or a starting last event ID need [`Transport::Fetch`]; with
    /// [`Transport::EventSource`] they make `build()` fail.
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Adds a request header (fetch transport). Setting a name again
    /// (case-insensitively) replaces its value.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.headers.push((name, value.into()));
        self
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: impl AsRef<str>) -> Self {
        let value = format!("Bearer {}", token.as_ref());
        self.header("Authorization", value)
    }

    /// Headers computed before every connection attempt, reconnects
    /// included (a fresh token, for instance). They are added to those of
    /// [`header`](Self::header), and win over them.
    pub fn headers_fn(mut self, headers: impl FnMut() -> Vec<(String, String)> + 'static) -> Self {
        self.headers_fn = Some(Box::new(headers));
        self
    }

    /// The HTTP method (default `GET`; fetch transport).
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// The request body (fetch transport; needs a method such as `POST`).
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self.body_is_json = false;
        self
    }

    /// `value` as a JSON request body, with `Content-Type: application/json`
    /// unless a `Content-Type` header is set (fetch transport; needs a
    /// method such as `POST`). A value that cannot be serialised makes
    /// `build()` fail with [`Error::InvalidOption`] for `body`.
    pub fn json_body<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        // JSON-compatible: maps become plain objects, not `Map`s, which
        // `JSON.stringify` would turn into `{}`.
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let text = value
            .serialize(&serializer)
            .map_err(|e| e.to_string())
            .and_then(|value| JSON::stringify(&value).map_err(|e| js_message(&e)))
            .and_then(|text| {
                JsValue::from(text)
                    .as_string()
                    .ok_or_else(|| "it has no JSON form".to_owned())
            });
        match text {
            Ok(text) => {
                self.body = Some(text);
                self.body_is_json = true;
            }
            Err(message) => {
                self.error = Some(Error::InvalidOption {
                    option: "body".to_owned(),
                    message: format!("cannot be serialised as JSON: {message}"),
                })
            }
        }
        self
    }

    /// Send cookies and HTTP auth with the request (cross-origin too).
    pub fn with_credentials(mut self, with_credentials: bool) -> Self {
        self.with_credentials = Some(with_credentials);
        self
    }

    /// Decode each event's data with `JSON.parse` (default off): events that
    /// are not JSON are then reported to [`Client::on_error`] and skipped.
    /// [`Client::json_events`] works either way.
    pub fn json(mut self, json: bool) -> Self {
        self.json = Some(json);
        self
    }

    /// The last event ID to resume from (sent as `Last-Event-ID`, or as
    /// the [`last_event_id_param`](Self::last_event_id_param) query parameter).
    pub fn last_event_id(mut self, id: impl Into<String>) -> Self {
        self.last_event_id = Some(id.into());
        self
    }

    /// Send the last event ID as this query parameter instead of the
    /// `Last-Event-ID` header (works with the native EventSource, and
    /// without a CORS preflight).
    pub fn last_event_id_param(mut self, name: impl Into<String>) -> Self {
        self.last_event_id_param = Some(name.into());
        self
    }

    /// The reconnection policy: a [`RetryOptions`] or [`Retry::Disabled`]
    /// (default: `RetryOptions::default()`).
    pub fn retry(mut self, retry: impl Into<Retry>) -> Self {
        self.retry = Some(retry.into());
        self
    }

    /// Reconnect when no byte (not even a comment) arrived for this long;
    /// `Duration::ZERO` turns it off (the default).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Disconnect while the page is hidden, reconnect when it is shown.
    pub fn pause_when_hidden(mut self, pause: bool) -> Self {
        self.pause_when_hidden = Some(pause);
        self
    }

    /// The largest event accepted, in bytes (default 1 MiB); a larger one
    /// is discarded and reported as [`Error::EventTooLarge`].
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = Some(bytes);
        self
    }

    /// Creates the client. Fails with [`Error::InvalidUrl`] or
    /// [`Error::InvalidOption`] (naming the option by its JavaScript name,
    /// e.g. `retry.factor`). Nothing connects yet.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let options = Object::new();
        let set = |key: &str, value: JsValue| {
            // Reflect.set on a fresh plain object cannot fail.
            let _ = Reflect::set(&options, &key.into(), &value);
        };
        if let Some(transport) = self.transport {
            set("transport", transport.as_str().into());
        }
        let mut fixed = self.headers;
        // A string body gets no Content-Type from the JavaScript client, so
        // a JSON one brings its own, which the user's headers override
        // (those of `header`, or of `headers_fn`: they come later). Not
        // with the native EventSource, which refuses a body anyway: the
        // error then names the option the user set, not `headers`.
        if self.body_is_json
            && self.transport != Some(Transport::EventSource)
            && !fixed
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        {
            fixed.insert(
                0,
                ("Content-Type".to_owned(), "application/json".to_owned()),
            );
        }
        let fixed_object = header_object(&fixed);
        let headers_fn = match self.headers_fn {
            // The JavaScript `headers` option is an object or a function,
            // not both: the function returns the fixed headers too, which
            // are checked now, as an object would be.
            Some(provider) => {
                let pairs = sys::header_list(&fixed_object);
                if let Some(message) = pairs.as_string() {
                    return Err(Error::InvalidOption {
                        option: "headers".to_owned(),
                        message,
                    });
                }
                let closure = headers_closure(fixed, provider);
                set("headers", closure.as_ref().clone());
                Some(closure)
            }
            None => {
                if !fixed.is_empty() {
                    set("headers", fixed_object.into());
                }
                None
            }
        };
        if let Some(method) = self.method {
            set("method", method.into());
        }
        if let Some(body) = self.body {
            set("body", body.into());
        }
        if let Some(with_credentials) = self.with_credentials {
            set("withCredentials", with_credentials.into());
        }
        if let Some(json) = self.json {
            set("json", json.into());
        }
        if let Some(id) = self.last_event_id {
            set("lastEventId", id.into());
        }
        if let Some(name) = self.last_event_id_param {
            set("lastEventIdParam", name.into());
        }
        match self.retry {
            None => {}
            Some(Retry::Disabled) => set("retry", JsValue::FALSE),
            Some(Retry::Enabled(policy)) => set("retry", retry_object(&policy).into()),
        }
        if let Some(timeout) = self.idle_timeout {
            // Whole milliseconds, at least 1 unless off; one out of range
            // for a timer is refused by name.
            let ms = if timeout.is_zero() {
                0
            } else {
                timeout.as_millis().max(1)
            };
            set("idleTimeoutMs", (ms as f64).into());
        }
        if let Some(pause) = self.pause_when_hidden {
            set("pauseWhenHidden", pause.into());
        }
        if let Some(bytes) = self.max_event_size {
            set("maxEventSize", (bytes as f64).into());
        }
        let js = JsClient::new(&self.url, &options, &engine_factory())
            .map_err(|error| error_from_js(&error))?;
        Ok(Client::from_js(js, headers_fn))
    }
}

/// The `headers` function: `fixed`, then what `provider` returns (which
/// wins, being set later), as a header object. A provider that re-enters
/// itself gets no second call.
fn headers_closure(
    fixed: Vec<(String, String)>,
    provider: HeadersFn,
) -> Closure<dyn Fn() -> JsValue> {
    let provider = RefCell::new(provider);
    Closure::new(move || {
        let mut pairs = fixed.clone();
        if let Ok(mut provider) = provider.try_borrow_mut() {
            pairs.extend(provider());
        }
        header_object(&pairs).into()
    })
}

/// `{ name: value, ... }`: the JavaScript form of header pairs.
fn header_object(pairs: &[(String, String)]) -> Object {
    let object = Object::new();
    for (name, value) in pairs {
        let _ = Reflect::set(&object, &name.into(), &value.into());
    }
    object
}

/// The `retry` option object of `policy`. Delays above what a timer takes
/// are clamped ([`RetryOptions::validate`] accepts them), not refused.
fn retry_object(policy: &RetryOptions) -> Object {
    let object = Object::new();
    let delay = |ms: u32| f64::from(ms.min(MAX_TIMER_DELAY_MS));
    let fields = [
        (
            "maxAttempts",
            policy.max_attempts.map_or(f64::INFINITY, f64::from),
        ),
        ("initialDelayMs", delay(policy.initial_delay_ms)),
        ("maxDelayMs", delay(policy.max_delay_ms)),
        ("factor", policy.factor),
        ("jitter", policy.jitter),
        ("healthyAfterMs", delay(policy.healthy_after_ms)),
    ];
    for (key, value) in fields {
        let _ = Reflect::set(&object, &key.into(), &value.into());
    }
    object
}

impl std::fmt::Debug for ClientBuilder {
    /// Header values are left out: they often hold credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ClientBuilder")
            .field("url", &self.url)
            .field("transport", &self.transport)
            .field("headers", &header_names)
            .field("headers_fn", &self.headers_fn.is_some())
            .field("method", &self.method)
            .field("body", &self.body.as_ref().map(String::len))
            .field("with_credentials", &self.with_credentials)
            .field("json", &self.json)
            .field("last_event_id", &self.last_event_id)
            .field("last_event_id_param", &self.last_event_id_param)
            .field("retry", &self.retry)
            .field("idle_timeout", &self.idle_timeout)
            .field("pause_when_hidden", &self.pause_when_hidden)
            .field("max_event_size", &self.max_event_size)
            .finish()
    }
}
