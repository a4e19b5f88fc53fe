//! Streaming `text/event-stream` parser (WHATWG HTML §9.2.5 parsing, §9.2.6
//! interpreting), sans-IO: bytes in, events out through a callback.
//!
//! CONTRACT (implementation pending): the signatures below are the public API
//! the rest of the crate codes against.

use std::ops::ControlFlow;

/// Default cap on the bytes one event may buffer (data buffer plus the line
/// being read): 1 MiB.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 1 << 20;

/// One dispatched event, borrowed from the parser's buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    /// The event type: the last `event:` field, or `"message"`.
    pub event_type: &'a str,
    /// The data: the `data:` lines joined with LF, without the final LF.
    pub data: &'a str,
    /// The last event ID at the time of dispatch (possibly empty).
    pub last_event_id: &'a str,
}

/// Why the parser refused part of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// An event (its buffered data plus the line being read) outgrew the cap.
    EventTooLarge {
        /// The configured cap, in bytes.
        limit: usize,
    },
}

/// Parser settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParserConfig {
    /// Cap on one event's buffered bytes; see [`DEFAULT_MAX_EVENT_SIZE`].
    pub max_event_size: usize,
}

impl Default for ParserConfig {
    fn default() -> Self {
        Self { max_event_size: DEFAULT_MAX_EVENT_SIZE }
    }
}

/// The streaming parser. One per client; [`Parser::reset`] between connections.
#[derive(Debug, Clone)]
pub struct Parser {
    _private: (),
}

impl Parser {
    /// A parser with the default config and an empty last event ID.
    pub fn new() -> Self {
        todo!()
    }

    /// A parser with the given config.
    pub fn with_config(_config: ParserConfig) -> Self {
        todo!()
    }

    /// Seeds the last event ID (to resume from a known id).
    pub fn set_last_event_id(&mut self, _id: &str) {
        todo!()
    }

    /// Feeds one chunk of the response body. See the module docs.
    pub fn feed<F>(&mut self, _chunk: &[u8], _on_event: F) -> Result<(), ParseError>
    where
        F: FnMut(Event<'_>) -> ControlFlow<()>,
    {
        todo!()
    }

    /// The body ended: discard an unterminated event, its `id` included.
    pub fn finish(&mut self) {
        todo!()
    }

    /// Prepares for a new connection; keeps the last event ID and retry.
    pub fn reset(&mut self) {
        todo!()
    }

    /// The current last event ID (the spec's "last event ID string").
    pub fn last_event_id(&self) -> &str {
        todo!()
    }

    /// The last valid `retry:` value in milliseconds (saturating), if any.
    pub fn retry(&self) -> Option<u64> {
        todo!()
    }
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}
