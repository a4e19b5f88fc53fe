//! Turns [`Error`] into a JavaScript `SSEError` (a real `Error` subclass,
//! with `kind` and the fields that apply; `makeError` in runtime.js writes
//! its message), and thrown JS values back into messages.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::Headers;

use super::options::from_js::js_message;
use super::sys;
use crate::error::Error;

/// Builds the `SSEError` for `error`.
pub fn to_js(error: &Error) -> JsValue {
    let details = Object::new();
    let set = |key: &str, value: JsValue| {
        // Reflect.set on a fresh plain object cannot fail.
        let _ = Reflect::set(&details, &key.into(), &value);
    };
    match error {
        Error::InvalidOption { option, .. } => set("option", option.into()),
        Error::InvalidUrl { url, .. } => set("url", url.into()),
        Error::Http {
            status,
            headers,
            retry_after_ms,
        } => {
            set("status", (*status).into());
            set("headers", headers_object(headers));
            if let Some(ms) = retry_after_ms {
                set("retryAfterMs", (*ms as f64).into());
            }
        }
        Error::Unauthorized { status, headers } => {
            set("status", (*status).into());
            set("headers", headers_object(headers));
        }
        Error::ContentType { content_type } => set("contentType", content_type.into()),
        Error::IdleTimeout { idle_ms } => set("idleTimeoutMs", (*idle_ms).into()),
        Error::EventTooLarge { limit } => set("limit", (*limit as f64).into()),
        Error::Json {
            data, event_type, ..
        } => {
            set("data", data.into());
            set("eventType", event_type.into());
        }
        Error::RetriesExhausted { attempts, cause } => {
            set("attempts", (*attempts).into());
            set("cause", to_js(cause));
            if let Some(status) = cause.status() {
                set("status", status.into());
            }
        }
        Error::Network { .. } | Error::StreamEnded | Error::Closed => {}
    }
    sys::make_error(error.kind(), free_text(error), &details)
}

/// The part of `error`'s message that its kind and fields do not give:
/// `makeError` in runtime.js writes the rest.
fn free_text(error: &Error) -> &str {
    match error {
        Error::InvalidOption { message, .. }
        | Error::Network { message }
        | Error::Json { message, .. } => message,
        Error::InvalidUrl { reason, .. } => reason,
        _ => "",
    }
}

/// A `Headers` object holding `pairs` (a fresh `Headers` accepts any pair
/// that came from a response).
fn headers_object(pairs: &[(String, String)]) -> JsValue {
    match Headers::new() {
        Ok(headers) => {
            for (name, value) in pairs {
                let _ = headers.append(name, value);
            }
            headers.into()
        }
        Err(_) => JsValue::UNDEFINED,
    }
}

/// Collects a response's headers (lower-case names, as `Headers` yields them).
pub fn header_pairs(headers: &Headers) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    if let Ok(Some(iter)) = js_sys::try_iter(headers) {
        for entry in iter.flatten() {
            let entry: js_sys::Array = entry.into();
            if let (Some(name), Some(value)) = (entry.get(0).as_string(), entry.get(1).as_string())
            {
                pairs.push((name, value));
            }
        }
    }
    pairs
}

/// The [`Error::Json`] behind an `SSEError` of kind `json` that the
/// JavaScript dispatcher made (`cause` is the `SyntaxError`, `event` the
/// `SSEEvent`), for Rust `error` callbacks.
pub fn json_error_from_js(error: &JsValue) -> Error {
    let get = |value: &JsValue, key: &str| Reflect::get(value, &key.into()).unwrap_or_default();
    let text = |value: &JsValue, key: &str| get(value, key).as_string().unwrap_or_default();
    Error::Json {
        message: js_message(&get(error, "cause")),
        data: text(error, "data"),
        event_type: text(&get(error, "event"), "type"),
    }
}
