//! The crate's typed errors: one variant per cause a user can act on.
//!
//! Each has a JavaScript twin, the `SSEError` that the JavaScript client
//! makes (src/web/client.js), whose `kind` property is [`Error::kind`] and
//! whose `message` is the `Display` text, written again in JavaScript
//! (`makeError` in src/web/runtime.js) so that the npm package's wasm
//! carries no formatting: keep the two in step. The Rust API turns an
//! `SSEError` back into an [`Error`] (src/web/error.rs).
//!
//! Only with the `std` feature: the connection machine and the npm
//! package's engine know a failure by the small `Copy`
//! [`Failure`](crate::core::connection::Failure) alone, with no messages,
//! headers or boxed causes to carry.

use core::fmt;

use crate::core::retry::Failure;
use crate::prelude::*;

/// Everything that can go wrong, as a user would want to tell it apart.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// An option passed to the constructor is unknown, of the wrong type or
    /// out of range. Thrown at construction; nothing is connected.
    InvalidOption {
        /// The option's name as the user spelled it (`"retry.factor"`).
        option: String,
        /// What is wrong with it.
        message: String,
    },
    /// The URL is not an absolute `http:`/`https:` URL, or it carries
    /// credentials (`user:password@`).
    InvalidUrl {
        /// The URL as given, without any `user:password@`: errors end up in
        /// logs.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The request failed without a response, or the body broke off:
    /// offline, DNS, reset, CORS refusal (the browser does not say which).
    Network {
        /// The browser's message.
        message: String,
    },
    /// The server answered with a status other than 200 (204 included: it
    /// means "stop reconnecting").
    Http {
        /// The HTTP status code.
        status: u16,
        /// The response headers (names lower-case), as far as CORS exposes them.
        headers: Vec<(String, String)>,
        /// `Retry-After` in milliseconds from when the response arrived, if
        /// the server sent a valid one.
        retry_after_ms: Option<u64>,
    },
    /// The server answered 401 or 403 and no `onUnauthorized` hook gave new
    /// credentials.
    Unauthorized {
        /// 401 or 403.
        status: u16,
        /// The response headers (names lower-case).
        headers: Vec<(String, String)>,
    },
    /// Status 200 but the MIME type is not `text/event-stream`.
    ContentType {
        /// The `Content-Type` the server sent (empty when none).
        content_type: String,
    },
    /// The server ended the response; the stream reconnects.
    StreamEnded,
    /// No byte arrived (not even a comment) for `idle_ms`.
    IdleTimeout {
        /// The configured idle timeout.
        idle_ms: u32,
    },
    /// An event outgrew the `maxEventSize` cap and was discarded; the stream
    /// goes on with the next event.
    EventTooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// With `json: true`, an event's data was not valid JSON; the event was
    /// not delivered to handlers and the stream goes on.
    Json {
        /// The `JSON.parse` error message.
        message: String,
        /// The raw data.
        data: String,
        /// The event's type.
        event_type: String,
    },
    /// The retry budget ran out; the client is closed.
    RetriesExhausted {
        /// How many connection attempts were made, the first included.
        attempts: u32,
        /// The last failure.
        cause: Box<Error>,
    },
    /// The client was closed with `close()`; it cannot be used again.
    Closed,
}

impl Error {
    /// A stable machine-readable name for the variant, used as the
    /// JavaScript error's `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidOption { .. } => "invalid-option",
            Error::InvalidUrl { .. } => "invalid-url",
            Error::Network { .. } => "network",
            Error::Http { .. } => "http",
            Error::Unauthorized { .. } => "unauthorized",
            Error::ContentType { .. } => "content-type",
            Error::StreamEnded => "stream-ended",
            Error::IdleTimeout { .. } => "idle-timeout",
            Error::EventTooLarge { .. } => "event-too-large",
            Error::Json { .. } => "json",
            Error::RetriesExhausted { .. } => "retries-exhausted",
            Error::Closed => "closed",
        }
    }

    /// The classification the retry policy decides on.
    pub fn failure(&self) -> Failure {
        match self {
            Error::Network { .. } => Failure::Network,
            Error::StreamEnded => Failure::BodyEnded,
            Error::Http {
                status,
                retry_after_ms,
                ..
            } => Failure::Status {
                status: *status,
                retry_after_ms: *retry_after_ms,
            },
            Error::Unauthorized { status, .. } => Failure::Status {
                status: *status,
                retry_after_ms: None,
            },
            Error::ContentType { .. } => Failure::WrongContentType,
            Error::IdleTimeout { .. } => Failure::IdleTimeout,
            // The rest never end a connection on their own; treat them as
            // our own decision to stop.
            _ => Failure::Aborted,
        }
    }

    /// The HTTP status, for `Http` and `Unauthorized`.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. } | Error::Unauthorized { status, .. } => Some(*status),
            Error::RetriesExhausted { cause, .. } => cause.status(),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidOption { option, message } => write!(f, "option `{option}`: {message}"),
            Error::InvalidUrl { url, reason } => write!(f, "invalid URL \"{url}\": {reason}"),
            Error::Network { message } => write!(f, "network error: {message}"),
            Error::Http { status: 204, .. } => f.write_str(
                "the server answered 204 No Content: it asks the client to stop reconnecting",
            ),
            Error::Http { status, .. } => {
                write!(f, "the server answered HTTP {status} instead of 200")
            }
            Error::Unauthorized { status, .. } => {
                write!(f, "the server refused the credentials (HTTP {status})")
            }
            Error::ContentType { content_type } if content_type.is_empty() => {
                f.write_str("the response has no Content-Type; expected text/event-stream")
            }
            Error::ContentType { content_type } => {
                write!(
                    f,
                    "the response is \"{content_type}\", not text/event-stream"
                )
            }
            Error::StreamEnded => f.write_str("the server ended the stream"),
            Error::IdleTimeout { idle_ms } => {
                write!(
                    f,
                    "no data for {idle_ms} ms (idleTimeoutMs): the connection is presumed dead"
                )
            }
            Error::EventTooLarge { limit } => {
                write!(
                    f,
                    "an event exceeded maxEventSize ({limit} bytes) and was discarded"
                )
            }
            Error::Json {
                message,
                event_type,
                ..
            } => {
                write!(
                    f,
                    "the data of a \"{event_type}\" event is not valid JSON: {message}"
                )
            }
            Error::RetriesExhausted { attempts, cause } => {
                write!(
                    f,
                    "gave up after {attempts} connection attempts; last error: {cause}"
                )
            }
            Error::Closed => f.write_str("the client is closed"),
        }
    }
}

impl core::error::Error for Error {}
