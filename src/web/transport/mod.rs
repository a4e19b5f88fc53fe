//! The transports behind one small interface: what to request
//! ([`Request`]), where to report ([`Sink`]), and the attempt in flight
//! ([`Attempt`], whose `Drop` aborts it).
//!
//! A transport knows nothing of its consumer. The shell implements [`Sink`]
//! as the single path into the connection machine and the single place
//! generations are checked, so dependencies run one way:
//! shell → this interface ← fetch / EventSource.

pub mod eventsource;
pub mod fetch;

use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

use crate::core::url::with_query_param;
use crate::error::Error;

/// What one connection attempt asks for.
#[derive(Debug, Clone)]
pub struct Request {
    /// The absolute URL the user gave.
    pub url: String,
    /// The HTTP method (fetch only).
    pub method: String,
    /// Every header to send, resolved for this attempt (fetch only).
    pub headers: Vec<(String, String)>,
    /// The body (fetch only).
    pub body: Option<JsValue>,
    /// Send cookies and HTTP auth cross-origin.
    pub with_credentials: bool,
    /// The last event ID to resume after (empty: none).
    pub last_event_id: String,
    /// Send the last event ID as this query parameter instead of the
    /// `Last-Event-ID` header.
    pub last_event_id_param: Option<String>,
    /// The event types that have handlers now (native EventSource only:
    /// fetch delivers every type).
    pub event_types: Vec<String>,
}

impl Request {
    /// The URL to request: with the last event ID as a query parameter when
    /// `last_event_id_param` is set and there is an ID.
    pub fn resume_url(&self) -> String {
        match &self.last_event_id_param {
            Some(param) if !self.last_event_id.is_empty() => {
                with_query_param(&self.url, param, &self.last_event_id)
            }
            _ => self.url.clone(),
        }
    }
}

/// Where a transport reports what happens to its attempt. Every call after
/// the attempt was superseded or the client closed is ignored.
pub trait Sink: 'static {
    /// Whether the attempt is still the current one: a transport stops
    /// reading as soon as it is not.
    fn is_current(&self) -> bool;
    /// The response was accepted (status 200, `text/event-stream`), or the
    /// native EventSource opened (again).
    fn opened(&self);
    /// One chunk of the body (fetch). Returns false once the attempt is
    /// over, possibly because a handler closed the client: stop then.
    fn chunk(&self, chunk: &Uint8Array, bytes: &[u8]) -> bool;
    /// The body ended normally (fetch).
    fn ended(&self);
    /// The attempt failed for good; the shell's policy decides what next.
    fn failed(&self, error: Error);
    /// The connection was lost and the transport reconnects by itself
    /// (native EventSource after a network error or a clean end).
    fn reconnecting(&self, error: Error);
    /// The connection delivered events since it opened (native
    /// EventSource; fetch progress is seen by the shell's parser).
    fn progressed(&self);
    /// Event data could not be decoded as JSON (native EventSource, whose
    /// events are delivered in JavaScript): `error` is the `SSEError`.
    fn data_error(&self, error: JsValue);
}

/// The attempt in flight. Dropping it aborts it: the request and its body
/// (fetch), or the connection and every listener (EventSource).
pub enum Attempt {
    /// A fetch request and its reader; held only for its `Drop`, which
    /// aborts.
    Fetch(#[allow(dead_code)] fetch::FetchAttempt),
    /// A native EventSource.
    EventSource(eventsource::EventSourceAttempt),
}

impl Attempt {
    /// Starts delivering events of `event_type` (native EventSource; fetch
    /// delivers every type).
    pub fn listen(&self, event_type: &str) {
        if let Attempt::EventSource(source) = self {
            source.listen(event_type);
        }
    }

    /// Stops delivering events of `event_type`.
    pub fn unlisten(&self, event_type: &str) {
        if let Attempt::EventSource(source) = self {
            source.unlisten(event_type);
        }
    }

    /// What the transport saw of its events, if it tracks that itself (the
    /// native EventSource, whose events never reach the shell).
    pub fn activity(&self) -> Option<Activity> {
        match self {
            Attempt::Fetch(_) => None,
            Attempt::EventSource(source) => Some(source.activity()),
        }
    }
}

/// Liveness and progress of a connection whose events the shell does not see.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Activity {
    /// `Date.now()` when the last event arrived or the connection opened.
    pub last_ms: f64,
    /// Whether an event arrived since the connection (re)opened.
    pub delivered: bool,
}
