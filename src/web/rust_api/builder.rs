//! [`ClientBuilder`]: typed setters that fill the client's [`Options`].
//!
//! The builder does not validate or default anything itself: it fills the
//! same typed options the JavaScript constructor fills, and
//! [`Options::validate`] checks them, so both APIs accept and reject
//! exactly the same things, with the same messages.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use js_sys::JSON;
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::{Client, Transport};
use crate::core::retry::RetryOptions;
use crate::error::Error;
use crate::web::inner::ClientInner;
use crate::web::js_client::resolve_url;
use crate::web::options::from_js::js_message;
use crate::web::options::{Body, HeaderProvider, Options, RequestHeaders, RustHeaderFn};

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
        let defaults = Options::default();
        let sets_content_type = self
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
        let headers =
            (!self.headers.is_empty() || self.headers_fn.is_some()).then(|| RequestHeaders {
                fixed: self.headers,
                provider: self.headers_fn.map(|provider| {
                    let provider: RustHeaderFn = Rc::new(RefCell::new(provider));
                    HeaderProvider::Rust(provider)
                }),
            });
        let options = Options {
            transport: self.transport.unwrap_or_default(),
            with_credentials: self.with_credentials.unwrap_or(defaults.with_credentials),
            json: self.json.unwrap_or(defaults.json),
            headers,
            method: self.method.unwrap_or(defaults.method),
            body: self.body.map(|text| Body {
                value: text.into(),
                content_type: (self.body_is_json && !sets_content_type)
                    .then_some("application/json"),
            }),
            signal: None,
            last_event_id: self.last_event_id.unwrap_or_default(),
            last_event_id_param: self.last_event_id_param,
            on_unauthorized: None,
            retry: match self.retry {
                None => defaults.retry,
                Some(Retry::Disabled) => None,
                Some(Retry::Enabled(policy)) => Some(policy),
            },
            idle_timeout_ms: match self.idle_timeout {
                None => None,
                Some(timeout) if timeout.is_zero() => None,
                // Out of range for a timer: `validate` names the option.
                Some(timeout) => {
                    Some(u32::try_from(timeout.as_millis().max(1)).unwrap_or(u32::MAX))
                }
            },
            pause_when_hidden: self.pause_when_hidden.unwrap_or(defaults.pause_when_hidden),
            max_event_size: self.max_event_size.unwrap_or(defaults.max_event_size),
        }
        .validate()?;
        let url = resolve_url(&self.url)?;
        Ok(Client::from_inner(ClientInner::new(url, options)))
    }
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
