//! The fetch transport: `fetch` + `ReadableStream`; the shell parses the
//! bytes.
//!
//! The request and the reads are JavaScript's (`FetchSource` in
//! `runtime.js`), which reports everything to one callback here: this side
//! decides what a response means ([`classify_response`]) and hands each
//! chunk to the [`Sink`]. One [`FetchAttempt`] per connection attempt owns
//! the source; dropping the attempt aborts the request and, through it, the
//! pending read, and the source reports nothing afterwards, so nothing
//! reaches a handler after `close()`.

use std::mem::MaybeUninit;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::Response;

use super::{Request, Sink};
use crate::core::http::{classify_response, parse_retry_after, ResponseVerdict};
use crate::error::Error;
use crate::web::error::header_pairs;
use crate::web::options::from_js::js_message;
use crate::web::sys;

#[wasm_bindgen(module = "/src/web/runtime.js")]
extern "C" {
    /// One request and its body's reads (see `FetchSource` in runtime.js).
    type FetchSource;

    /// Sends the request; `headers` is `[name, value, ...]`, `body`
    /// undefined for none. Reports to `report(kind, value)`.
    #[wasm_bindgen(constructor)]
    fn new(
        url: &str,
        method: &str,
        headers: &Array,
        body: &JsValue,
        with_credentials: bool,
        report: &Closure<dyn FnMut(u32, JsValue) -> bool>,
    ) -> FetchSource;

    /// Aborts the request and its body; nothing is reported afterwards.
    #[wasm_bindgen(method)]
    fn abort(this: &FetchSource);
}

/// What `FetchSource` reports (the constants of runtime.js).
const RESPONSE: u32 = 0;
const CHUNK: u32 = 1;
const ENDED: u32 = 2;
const FAILED: u32 = 3;
const NOT_BUILT: u32 = 4;

/// An attempt in flight. Dropping it aborts the request.
pub struct FetchAttempt {
    source: FetchSource,
    _report: Closure<dyn FnMut(u32, JsValue) -> bool>,
}

impl FetchAttempt {
    /// Sends `request` and reports to `sink` until the body ends, fails, or
    /// the attempt is dropped.
    pub fn start(request: &Request, sink: impl Sink) -> Self {
        // One buffer reused for every chunk: each byte is copied into wasm
        // memory exactly once, without zero-filling.
        let mut buffer: Vec<MaybeUninit<u8>> = Vec::new();
        let report = Closure::<dyn FnMut(u32, JsValue) -> bool>::new(
            move |kind: u32, value: JsValue| match kind {
                CHUNK => {
                    let chunk: Uint8Array = value.unchecked_into();
                    let size = chunk.length() as usize;
                    if buffer.len() < size {
                        buffer.resize(size, MaybeUninit::uninit());
                    }
                    let bytes = chunk.copy_to_uninit(&mut buffer[..size]);
                    sink.chunk(&chunk, bytes)
                }
                RESPONSE => on_response(&sink, &value.unchecked_into()),
                ENDED => {
                    sink.ended();
                    false
                }
                FAILED => {
                    sink.failed(Error::Network {
                        message: js_message(&value),
                    });
                    false
                }
                _ => {
                    debug_assert_eq!(kind, NOT_BUILT);
                    sink.failed(not_built(&value));
                    false
                }
            },
        );
        let source = FetchSource::new(
            &request.resume_url(),
            &request.method,
            &header_list(request),
            request.body.as_ref().unwrap_or(&JsValue::UNDEFINED),
            request.with_credentials,
            &report,
        );
        Self {
            source,
            _report: report,
        }
    }
}

impl Drop for FetchAttempt {
    fn drop(&mut self) {
        // Before the callback is freed: nothing may call it afterwards.
        self.source.abort();
    }
}

/// Whether to read the body of `response`: yes once it is accepted (the
/// sink hears `opened`), else the sink hears why not.
fn on_response(sink: &impl Sink, response: &Response) -> bool {
    if !sink.is_current() {
        return false;
    }
    let content_type = response.headers().get("content-type").ok().flatten();
    match classify_response(response.status(), content_type.as_deref()) {
        ResponseVerdict::Open if response.body().is_some() => {
            sink.opened();
            true
        }
        ResponseVerdict::Open => {
            sink.failed(Error::Network {
                message: "the response body cannot be read".into(),
            });
            false
        }
        verdict => {
            sink.failed(response_error(verdict, response, content_type));
            false
        }
    }
}

/// Every header to send, as `[name, value, ...]`: `Accept`, the user's
/// headers, the last event ID (unless it goes in the query).
fn header_list(request: &Request) -> Array {
    let list = Array::new();
    let push = |name: &str, value: &str| {
        list.push(&name.into());
        list.push(&value.into());
    };
    push("Accept", "text/event-stream");
    for (name, value) in &request.headers {
        push(name, value);
    }
    if !request.last_event_id.is_empty() && request.last_event_id_param.is_none() {
        push("Last-Event-ID", &byte_string(&request.last_event_id));
    }
    list
}

/// The error for a request the browser refused to build. Its message may
/// quote a header value, a token included (Firefox: "Headers.set: Bearer …
/// is an invalid header value"), so only the error's name is kept.
fn not_built(name: &JsValue) -> Error {
    Error::InvalidOption {
        option: "headers".into(),
        message: format!(
            "the browser refused to build the request ({}); check the header names and values, the method and the body",
            name.as_string().unwrap_or_else(|| "Error".into())
        ),
    }
}

/// A header value is a byte string: encode the id as UTF-8 and carry each
/// byte as one code point (trap 2 of the spec notes), so ids beyond U+00FF
/// survive instead of making `Headers.set` throw.
fn byte_string(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

/// The typed error for a refused response.
fn response_error(
    verdict: ResponseVerdict,
    response: &Response,
    content_type: Option<String>,
) -> Error {
    let headers = header_pairs(&response.headers());
    match verdict {
        ResponseVerdict::Unauthorized { status } => Error::Unauthorized { status, headers },
        ResponseVerdict::WrongContentType => Error::ContentType {
            content_type: content_type.unwrap_or_default(),
        },
        ResponseVerdict::NoContent | ResponseVerdict::Failed { .. } | ResponseVerdict::Open => {
            let retry_after_ms = headers
                .iter()
                .find(|(name, _)| name == "retry-after")
                .and_then(|(_, value)| parse_retry_after(value, sys::now()));
            Error::Http {
                status: response.status(),
                headers,
                retry_after_ms,
            }
        }
    }
}
