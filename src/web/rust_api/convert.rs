//! From the JavaScript values the client hands its handlers (an `SSEEvent`,
//! an `SSEError`) back to Rust types.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Headers;

use super::Event;
use crate::error::Error;
use crate::web::error::header_pairs;
use crate::web::options::js_message;

/// `value[key]`, `undefined` when missing or when `value` is no object.
pub fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// `value[key]` if it is a string.
pub fn string(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

/// `value[key]` if it is a number.
pub fn number(value: &JsValue, key: &str) -> Option<f64> {
    get(value, key).as_f64()
}

/// The handlers' second argument, an `SSEEvent`.
pub fn event_from_js(event: &JsValue) -> Event {
    Event {
        event_type: string(event, "type").unwrap_or_default(),
        data: string(event, "data").unwrap_or_default(),
        last_event_id: string(event, "lastEventId").unwrap_or_default(),
    }
}

/// An `SSEError` (thrown by the constructor or `subscribe`, or passed to
/// `error` callbacks) back to the [`Error`] it was made from: `kind` picks
/// the variant, the detail properties fill it, and the variant's own text
/// is the message minus what its `Display` puts before it.
pub fn error_from_js(value: &JsValue) -> Error {
    let message = js_message(value);
    let status = || number(value, "status").unwrap_or_default() as u16;
    let headers = || {
        get(value, "headers")
            .dyn_ref::<Headers>()
            .map(header_pairs)
            .unwrap_or_default()
    };
    let kind = string(value, "kind").unwrap_or_default();
    match kind.as_str() {
        "invalid-option" => {
            let option = string(value, "option").unwrap_or_default();
            let message = strip(
                &message,
                Error::InvalidOption {
                    option: option.clone(),
                    message: String::new(),
                },
            );
            Error::InvalidOption { option, message }
        }
        "invalid-url" => {
            let url = string(value, "url").unwrap_or_default();
            let reason = strip(
                &message,
                Error::InvalidUrl {
                    url: url.clone(),
                    reason: String::new(),
                },
            );
            Error::InvalidUrl { url, reason }
        }
        "network" => Error::Network {
            message: strip(
                &message,
                Error::Network {
                    message: String::new(),
                },
            ),
        },
        "http" => Error::Http {
            status: status(),
            headers: headers(),
            retry_after_ms: number(value, "retryAfterMs").map(|ms| ms as u64),
        },
        "unauthorized" => Error::Unauthorized {
            status: status(),
            headers: headers(),
        },
        "content-type" => Error::ContentType {
            content_type: string(value, "contentType").unwrap_or_default(),
        },
        "stream-ended" => Error::StreamEnded,
        "idle-timeout" => Error::IdleTimeout {
            idle_ms: number(value, "idleTimeoutMs").unwrap_or_default() as u32,
        },
        "event-too-large" => Error::EventTooLarge {
            limit: number(value, "limit").unwrap_or_default() as usize,
        },
        "json" => {
            // Made by the JS runtime (`cause` is the SyntaxError, `event` the
            // SSEEvent) or by Rust (`eventType`, no cause).
            let event_type = string(value, "eventType")
                .or_else(|| string(&get(value, "event"), "type"))
                .unwrap_or_default();
            let data = string(value, "data").unwrap_or_default();
            let cause = get(value, "cause");
            let message = if cause.is_undefined() {
                let empty = Error::Json {
                    message: String::new(),
                    data: data.clone(),
                    event_type: event_type.clone(),
                };
                strip(&message, empty)
            } else {
                js_message(&cause)
            };
            Error::Json {
                message,
                data,
                event_type,
            }
        }
        "aborted" => Error::Aborted,
        "retries-exhausted" => Error::RetriesExhausted {
            attempts: number(value, "attempts").unwrap_or_default() as u32,
            cause: Box::new(error_from_js(&get(value, "cause"))),
        },
        "closed" => Error::Closed,
        // Not an SSEError (or a kind this crate does not know): keep the
        // message; a failure without a response is the closest variant.
        _ => Error::Network { message },
    }
}

/// `message` without what `Display` puts before the variant's own text:
/// `empty` is the variant with that text empty, so its `Display` is exactly
/// the prefix, and the wording stays defined in one place (`error.rs`).
fn strip(message: &str, empty: Error) -> String {
    let prefix = empty.to_string();
    message
        .strip_prefix(prefix.as_str())
        .unwrap_or(message)
        .to_owned()
}
