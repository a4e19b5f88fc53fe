//! Turns the JavaScript `SSEError`s that the JS client throws and reports
//! (built by src/web/client.js and `makeError` in src/web/runtime.js) back
//! into [`Error`], for the Rust API.

use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;

use crate::error::Error;

/// The [`Error`] an `SSEError` describes, `cause` included.
///
/// The fields come from the error's properties; the free text of a variant
/// (the reason an option or a URL is wrong, the browser's network message,
/// the `JSON.parse` message) is the part of `message` that the kind does not
/// write (see `errorMessage` in runtime.js), so that `Display` gives back
/// the JavaScript message. A value that is not an `SSEError` (a plain
/// `Error`, a string: something threw that should not have) becomes
/// [`Error::Network`] with its message.
pub fn error_from_js(error: &JsValue) -> Error {
    let get = |key: &str| Reflect::get(error, &key.into()).unwrap_or_default();
    let text = |key: &str| get(key).as_string().unwrap_or_default();
    let number = |key: &str| get(key).as_f64();
    let message = js_message(error);
    // The free text: `message` without what the kind writes before it.
    let after = |prefix: &str| match message.strip_prefix(prefix) {
        Some(rest) => rest.to_owned(),
        None => message.clone(),
    };
    let status = || number("status").map_or(0, |status| status as u16);
    let headers = || header_pairs(&get("headers"));
    match get("kind").as_string().as_deref() {
        Some("invalid-option") => {
            let option = text("option");
            Error::InvalidOption {
                message: after(&format!("option `{option}`: ")),
                option,
            }
        }
        Some("invalid-url") => {
            let url = text("url");
            Error::InvalidUrl {
                reason: after(&format!("invalid URL \"{url}\": ")),
                url,
            }
        }
        Some("http") => Error::Http {
            status: status(),
            headers: headers(),
            retry_after_ms: number("retryAfterMs")
                .filter(|ms| *ms >= 0.0)
                .map(|ms| ms as u64),
        },
        Some("unauthorized") => Error::Unauthorized {
            status: status(),
            headers: headers(),
        },
        Some("content-type") => Error::ContentType {
            content_type: text("contentType"),
        },
        Some("stream-ended") => Error::StreamEnded,
        Some("idle-timeout") => Error::IdleTimeout {
            idle_ms: number("idleTimeoutMs").unwrap_or_default() as u32,
        },
        Some("event-too-large") => Error::EventTooLarge {
            limit: number("limit").unwrap_or_default() as usize,
        },
        Some("json") => {
            // The dispatcher's JSON errors carry the `SSEEvent` rather
            // than `eventType`.
            let event_type = get("eventType").as_string().unwrap_or_else(|| {
                Reflect::get(&get("event"), &"type".into())
                    .ok()
                    .and_then(|t| t.as_string())
                    .unwrap_or_default()
            });
            let cause = get("cause");
            Error::Json {
                message: if cause.is_undefined() {
                    after(&format!(
                        "the data of a \"{event_type}\" event is not valid JSON: "
                    ))
                } else {
                    js_message(&cause)
                },
                data: text("data"),
                event_type,
            }
        }
        Some("retries-exhausted") => Error::RetriesExhausted {
            attempts: number("attempts").unwrap_or_default() as u32,
            cause: Box::new(error_from_js(&get("cause"))),
        },
        Some("closed") => Error::Closed,
        Some("network") => Error::Network {
            message: after("network error: "),
        },
        _ => Error::Network { message },
    }
}

/// The name/value pairs of a `Headers` object (lower-case names, as
/// `Headers` yields them); none for anything else.
fn header_pairs(headers: &JsValue) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    if !headers.is_object() {
        return pairs;
    }
    if let Ok(Some(iter)) = js_sys::try_iter(headers) {
        for entry in iter.flatten() {
            let entry: Array = entry.into();
            if let (Some(name), Some(value)) = (entry.get(0).as_string(), entry.get(1).as_string())
            {
                pairs.push((name, value));
            }
        }
    }
    pairs
}

/// The `message` of a thrown JS value, or its string form.
pub fn js_message(error: &JsValue) -> String {
    Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| String::from("unknown error"))
}
