//! The client's options, typed and validated once, at construction.
//!
//! Both public APIs fill the same [`Options`]. The Rust
//! [`ClientBuilder`](crate::ClientBuilder) sets fields, and
//! [`Options::validate`] then checks what spans several fields and resolves
//! `transport: 'auto'`. The JavaScript constructor's options object is
//! checked in JavaScript (`src/web/options.js`, with the same rules, in the
//! same order, and the same messages naming the option) and read by
//! [`from_js`] already valid, so that none of these checks weighs on the
//! wasm. Both APIs accept and reject exactly the same things.

pub mod from_js;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use crate::core::retry::RetryOptions;
use crate::error::Error;
use crate::parser::DEFAULT_MAX_EVENT_SIZE;

/// Which transport carries the stream (the `transport` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// `fetch` when an option needs it (headers, a method other than GET, a
    /// body, `onUnauthorized`, a starting last event ID sent as a header);
    /// otherwise the browser's native `EventSource`. The default; a
    /// validated [`Options`] never holds it.
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

/// A header provider written in Rust (the builder's `headers_fn`).
pub type RustHeaderFn = Rc<RefCell<dyn FnMut() -> Vec<(String, String)>>>;

/// Where headers computed before each attempt come from.
#[derive(Clone)]
pub enum HeaderProvider {
    /// A JavaScript function, sync or async, returning an object.
    Js(Function),
    /// A Rust closure returning name/value pairs.
    Rust(RustHeaderFn),
}

impl std::fmt::Debug for HeaderProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HeaderProvider::Js(_) => "HeaderProvider::Js",
            HeaderProvider::Rust(_) => "HeaderProvider::Rust",
        })
    }
}

/// The `headers` option: fixed pairs, then a provider's on top.
#[derive(Debug, Clone, Default)]
pub struct RequestHeaders {
    /// Sent with every attempt.
    pub fixed: Vec<(String, String)>,
    /// Called before every attempt; its headers replace fixed ones of the
    /// same name.
    pub provider: Option<HeaderProvider>,
}

/// A request body, ready for `RequestInit.body`.
#[derive(Debug, Clone)]
pub struct Body {
    /// A string, `URLSearchParams`, `Blob`, `ArrayBuffer`, typed array or
    /// `FormData`.
    pub value: JsValue,
    /// The content type it implies (`application/json` for a serialised
    /// object), unless the user's headers set one.
    pub content_type: Option<&'static str>,
}

/// The options. See the README's options table; the JavaScript names are
/// the camelCase forms of the field names.
#[derive(Debug, Clone)]
pub struct Options {
    /// The transport; [`Transport::Auto`] until [`Options::validate`].
    pub transport: Transport,
    /// `credentials: 'include'` / EventSource `withCredentials`.
    pub with_credentials: bool,
    /// Decode each event's data with `JSON.parse`.
    pub json: bool,
    /// Request headers (fetch only); `None` when the option is absent.
    pub headers: Option<RequestHeaders>,
    /// HTTP method (fetch only).
    pub method: String,
    /// Request body (fetch only).
    pub body: Option<Body>,
    /// The user's AbortSignal.
    pub signal: Option<AbortSignal>,
    /// The last event ID to start from.
    pub last_event_id: String,
    /// Send the last event ID as this query parameter instead of the header.
    pub last_event_id_param: Option<String>,
    /// The 401/403 hook (fetch only).
    pub on_unauthorized: Option<Function>,
    /// The retry policy; `None` is `retry: false`.
    pub retry: Option<RetryOptions>,
    /// Idle watchdog in ms; `None` is off.
    pub idle_timeout_ms: Option<u32>,
    /// Disconnect while the page is hidden.
    pub pause_when_hidden: bool,
    /// Per-event size cap in bytes.
    pub max_event_size: usize,
}

impl Default for Options {
    /// Every option at its documented default.
    fn default() -> Self {
        Self {
            transport: Transport::Auto,
            with_credentials: false,
            json: false,
            headers: None,
            method: "GET".to_owned(),
            body: None,
            signal: None,
            last_event_id: String::new(),
            last_event_id_param: None,
            on_unauthorized: None,
            retry: Some(RetryOptions::default()),
            idle_timeout_ms: None,
            pause_when_hidden: false,
            max_event_size: DEFAULT_MAX_EVENT_SIZE,
        }
    }
}

/// An [`Error::InvalidOption`] naming `option`.
pub fn invalid(option: &str, message: impl Into<String>) -> Error {
    Error::InvalidOption {
        option: option.to_owned(),
        message: message.into(),
    }
}

impl Options {
    /// Checks what spans several options and resolves
    /// [`Transport::Auto`]. Returns the options ready for a client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOption`] naming the first offending option.
    pub fn validate(mut self) -> Result<Self, Error> {
        if self.method.is_empty() || !self.method.bytes().all(is_token_byte) {
            return Err(invalid("method", "not a valid HTTP method"));
        }
        let bodiless =
            self.method.eq_ignore_ascii_case("GET") || self.method.eq_ignore_ascii_case("HEAD");
        if self.body.is_some() && bodiless {
            return Err(invalid(
                "body",
                format!(
                    "a {} request cannot have a body; set `method: 'POST'`",
                    self.method
                ),
            ));
        }
        if let Some(headers) = &self.headers {
            check_headers(&headers.fixed).map_err(|message| invalid("headers", message))?;
        }
        if self.last_event_id_param.as_deref() == Some("") {
            return Err(invalid("lastEventIdParam", "must not be empty"));
        }
        if let Some(retry) = &self.retry {
            retry
                .validate()
                .map_err(|e| invalid(&format!("retry.{}", e.field), e.message))?;
        }
        if self.idle_timeout_ms.is_some_and(|ms| ms > i32::MAX as u32) {
            return Err(invalid(
                "idleTimeoutMs",
                "expected milliseconds between 0 and 2147483647",
            ));
        }
        if self.max_event_size == 0 {
            return Err(invalid(
                "maxEventSize",
                "expected a whole number of bytes >= 1",
            ));
        }
        self.transport = self.resolve_transport()?;
        Ok(self)
    }

    /// `auto` picks fetch when any fetch-only option is present or a
    /// starting last event ID must go out as a header; otherwise the native
    /// EventSource. `eventsource` with a fetch-only option is an error.
    fn resolve_transport(&self) -> Result<Transport, Error> {
        let fetch_only = if self.headers.is_some() {
            Some("headers")
        } else if !self.method.eq_ignore_ascii_case("GET") {
            Some("method")
        } else if self.body.is_some() {
            Some("body")
        } else if self.on_unauthorized.is_some() {
            Some("onUnauthorized")
        } else {
            None
        };
        let needs_fetch_for_id =
            !self.last_event_id.is_empty() && self.last_event_id_param.is_none();
        match self.transport {
            Transport::Auto if fetch_only.is_some() || needs_fetch_for_id => Ok(Transport::Fetch),
            Transport::Auto => Ok(Transport::EventSource),
            Transport::Fetch => Ok(Transport::Fetch),
            Transport::EventSource => {
                if let Some(option) = fetch_only {
                    return Err(invalid(
                        option,
                        "needs the fetch transport; the native EventSource cannot send it",
                    ));
                }
                if needs_fetch_for_id {
                    return Err(invalid(
                        "lastEventId",
                        "the native EventSource cannot send a starting Last-Event-ID header; set `lastEventIdParam` or use the fetch transport",
                    ));
                }
                Ok(Transport::EventSource)
            }
        }
    }
}

/// Checks that every pair is a valid header name with a value a header can
/// carry (a byte string without NUL, CR or LF).
pub fn check_headers(pairs: &[(String, String)]) -> Result<(), String> {
    for (name, value) in pairs {
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(format!("\"{name}\" is not a valid header name"));
        }
        if value
            .chars()
            .any(|c| c as u32 > 0xFF || c == '\0' || c == '\r' || c == '\n')
        {
            return Err(format!(
                "the value of header \"{name}\" has characters a header cannot carry"
            ));
        }
    }
    Ok(())
}

/// An RFC 9110 token character (header names, methods).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
