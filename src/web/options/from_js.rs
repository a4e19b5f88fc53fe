//! Reads the JavaScript options object into [`Options`].
//!
//! The checks and defaults are JavaScript's (`normalizeOptions` in
//! `src/web/options.js`, the same rules and messages as
//! [`Options::validate`]): it throws the `SSEError` naming a wrong option,
//! and otherwise returns the options in a canonical array, which this module
//! reads by position without checking anything again. So the walk over the
//! object, the type tests and the messages cost no wasm.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;

use super::{Body, HeaderProvider, Options, RequestHeaders, Transport};
use crate::core::retry::RetryOptions;

#[wasm_bindgen(module = "/src/web/options.js")]
extern "C" {
    /// The options in canonical form (see `normalizeOptions`), or the
    /// `SSEError` of kind `invalid-option` it threw.
    #[wasm_bindgen(catch, js_namespace = options, js_name = normalizeOptions)]
    fn normalize_options(options: &JsValue) -> Result<Array, JsValue>;

    /// `[name, value]` pairs, or a string saying what is wrong.
    #[wasm_bindgen(js_namespace = options, js_name = headerList)]
    fn js_header_list(value: &JsValue) -> JsValue;

    /// `[name, value]` pairs, or `null` to give up.
    #[wasm_bindgen(js_namespace = options, js_name = credentials)]
    fn js_credentials(value: &JsValue) -> JsValue;
}

/// Reads the options in `value` (`undefined`/`null` means all defaults).
///
/// # Errors
///
/// The `SSEError` (kind `invalid-option`) naming the first wrong option.
pub fn parse(value: &JsValue) -> Result<Options, JsValue> {
    let canonical = normalize_options(value)?;
    // The slots, in the order `normalizeOptions` returns them.
    #[rustfmt::skip]
    let [
        transport, with_credentials, json, headers, header_provider, method,
        body, body_is_json, signal, last_event_id, last_event_id_param,
        on_unauthorized, retry, idle_timeout_ms, pause_when_hidden, max_event_size,
    ] = std::array::from_fn(|i| canonical.get(i as u32));
    let body_is_json = body_is_json.is_truthy();
    Ok(Options {
        transport: if transport.as_string().as_deref() == Some("fetch") {
            Transport::Fetch
        } else {
            Transport::EventSource
        },
        with_credentials: with_credentials.is_truthy(),
        json: json.is_truthy(),
        headers: (!headers.is_null()).then(|| RequestHeaders {
            fixed: pairs(&headers),
            provider: header_provider
                .dyn_into::<Function>()
                .ok()
                .map(HeaderProvider::Js),
        }),
        method: method.as_string().unwrap_or_default(),
        // A JSON body is present even if `JSON.stringify` gave `undefined`.
        body: (body_is_json || !body.is_undefined()).then(|| Body {
            value: body,
            content_type: body_is_json.then_some("application/json"),
        }),
        signal: (!signal.is_undefined()).then(|| signal.unchecked_into()),
        last_event_id: last_event_id.as_string().unwrap_or_default(),
        last_event_id_param: last_event_id_param.as_string(),
        on_unauthorized: on_unauthorized.dyn_into::<Function>().ok(),
        retry: (!retry.is_null()).then(|| retry_options(retry.unchecked_ref())),
        idle_timeout_ms: idle_timeout_ms.as_f64().map(|ms| ms as u32),
        pause_when_hidden: pause_when_hidden.is_truthy(),
        max_event_size: max_event_size.as_f64().unwrap_or_default() as usize,
    })
}

/// `[maxAttempts, initialDelayMs, maxDelayMs, factor, jitter,
/// healthyAfterMs]`, `maxAttempts` being `Infinity` for no limit.
fn retry_options(retry: &Array) -> RetryOptions {
    let [max_attempts, initial_delay_ms, max_delay_ms, factor, jitter, healthy_after_ms] =
        std::array::from_fn(|i| retry.get(i as u32).as_f64().unwrap_or_default());
    RetryOptions {
        max_attempts: max_attempts.is_finite().then_some(max_attempts as u32),
        initial_delay_ms: initial_delay_ms as u32,
        max_delay_ms: max_delay_ms as u32,
        factor,
        jitter,
        healthy_after_ms: healthy_after_ms as u32,
    }
}

/// Checks what a `headers` function returned: its header pairs, or what is
/// wrong with it (the message of an invalid `headers` option).
pub fn header_list(value: &JsValue) -> Result<Vec<(String, String)>, String> {
    let list = js_header_list(value);
    match list.as_string() {
        Some(message) => Err(message),
        None => Ok(pairs(&list)),
    }
}

/// Reads what `onUnauthorized` returned: `None` = give up; otherwise the
/// headers to add (possibly none, e.g. `true` when a headers function will
/// produce the fresh token itself). A string is a bearer token. Headers
/// that `fetch` would refuse give up.
pub fn credentials(value: &JsValue) -> Option<Vec<(String, String)>> {
    let list = js_credentials(value);
    (!list.is_null()).then(|| pairs(&list))
}

/// Reads an array of checked `[name, value]` string pairs.
fn pairs(list: &JsValue) -> Vec<(String, String)> {
    let list: &Array = list.unchecked_ref();
    list.iter()
        .map(|pair| {
            let pair: Array = pair.unchecked_into();
            let text = |i| pair.get(i).as_string().unwrap_or_default();
            (text(0), text(1))
        })
        .collect()
}

/// The `message` of a thrown JS value, or its string form.
pub fn js_message(error: &JsValue) -> String {
    Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| String::from("unknown error"))
}
