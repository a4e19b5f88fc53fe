//! The fetch transport: `fetch` + `ReadableStream`; the shell parses the
//! bytes.
//!
//! One [`FetchAttempt`] per connection attempt owns its `AbortController`;
//! dropping the attempt aborts the request and, through it, the pending
//! read. The read loop runs as a local task that reports to its [`Sink`]:
//! once the sink says the attempt is no longer current it cancels the
//! reader (swallowing the rejection) and ends, so nothing reaches a handler
//! after `close()`.

use std::mem::MaybeUninit;

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    AbortController, AbortSignal, Headers, ReadableStreamDefaultReader, ReadableStreamReadResult,
    Request as FetchRequest, RequestCache, RequestCredentials, RequestInit, Response,
};

use super::{Request, Sink};
use crate::core::http::{classify_response, parse_retry_after, ResponseVerdict};
use crate::error::Error;
use crate::web::error::header_pairs;
use crate::web::options::from_js::js_message;
use crate::web::sys;

/// An attempt in flight. Dropping it aborts the request.
pub struct FetchAttempt {
    controller: Option<AbortController>,
}

impl FetchAttempt {
    /// Sends `request` and reports to `sink` until the body ends, fails, or
    /// the attempt is dropped.
    pub fn start(request: &Request, sink: impl Sink) -> Self {
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(AbortController::signal);
        match build_request(request, signal.as_ref()) {
            Ok(fetch_request) => spawn_local(run(fetch_request, sink)),
            Err(error) => spawn_local(async move { sink.failed(error) }),
        }
        Self { controller }
    }
}

impl Drop for FetchAttempt {
    fn drop(&mut self) {
        if let Some(controller) = &self.controller {
            controller.abort();
        }
    }
}

/// One attempt, from the request to the end of the body.
async fn run(request: FetchRequest, sink: impl Sink) {
    let fetched = JsFuture::from(sys::global_fetch(&request)).await;
    if !sink.is_current() {
        return;
    }
    let response: Response = match fetched {
        Ok(value) => value.unchecked_into(),
        Err(error) => {
            return sink.failed(Error::Network {
                message: js_message(&error),
            })
        }
    };

    let content_type = response.headers().get("content-type").ok().flatten();
    match classify_response(response.status(), content_type.as_deref()) {
        ResponseVerdict::Open => {}
        verdict => {
            cancel_body(&response);
            return sink.failed(response_error(verdict, &response, content_type));
        }
    }
    let reader = response.body().and_then(|body| {
        body.get_reader()
            .dyn_into::<ReadableStreamDefaultReader>()
            .ok()
    });
    let Some(reader) = reader else {
        return sink.failed(Error::Network {
            message: "the response body cannot be read".into(),
        });
    };
    sink.opened();
    read_body(&sink, &reader).await;
}

/// The most bytes copied into wasm memory and parsed at once. A read hands
/// over whatever the browser has buffered: Firefox gives reads of over
/// 100 MB when the page falls behind the network, and copying one whole
/// would grow the wasm memory, which never shrinks, by as much.
const MAX_SLICE_BYTES: u32 = 64 * 1024;

/// Reads chunks until the body ends, fails, or the attempt is superseded.
async fn read_body(sink: &impl Sink, reader: &ReadableStreamDefaultReader) {
    // One buffer reused for every slice: each byte is copied into wasm
    // memory exactly once, without zero-filling.
    let mut buffer: Vec<MaybeUninit<u8>> = Vec::new();
    loop {
        if !sink.is_current() {
            return cancel_reader(reader);
        }
        let read = JsFuture::from(reader.read()).await;
        if !sink.is_current() {
            return cancel_reader(reader);
        }
        let result: ReadableStreamReadResult = match read {
            Ok(result) => result.unchecked_into(),
            Err(error) => {
                return sink.failed(Error::Network {
                    message: js_message(&error),
                })
            }
        };
        if result.get_done().unwrap_or(false) {
            return sink.ended();
        }
        let chunk: Uint8Array = result.get_value().unchecked_into();
        let length = chunk.length();
        let mut start = 0;
        while start < length {
            let end = length.min(start + MAX_SLICE_BYTES);
            let slice = if start == 0 && end == length {
                chunk.clone()
            } else {
                chunk.subarray(start, end)
            };
            let size = (end - start) as usize;
            if buffer.len() < size {
                buffer.resize(size, MaybeUninit::uninit());
            }
            let bytes = slice.copy_to_uninit(&mut buffer[..size]);
            if !sink.chunk(&slice, bytes) {
                return cancel_reader(reader);
            }
            start = end;
        }
    }
}

/// Builds the fetch `Request`: `Accept`, the user's headers, the last event
/// ID (header or query parameter), `cache: 'no-store'` (not a hand-set
/// `Cache-Control`, which would force a CORS preflight).
fn build_request(request: &Request, signal: Option<&AbortSignal>) -> Result<FetchRequest, Error> {
    let build = || -> Result<FetchRequest, JsValue> {
        let headers = Headers::new()?;
        headers.set("Accept", "text/event-stream")?;
        for (name, value) in &request.headers {
            headers.set(name, value)?;
        }
        if !request.last_event_id.is_empty() && request.last_event_id_param.is_none() {
            headers.set("Last-Event-ID", &byte_string(&request.last_event_id))?;
        }
        let init = RequestInit::new();
        init.set_method(&request.method);
        init.set_headers(&headers);
        init.set_cache(RequestCache::NoStore);
        init.set_credentials(if request.with_credentials {
            RequestCredentials::Include
        } else {
            RequestCredentials::SameOrigin
        });
        if let Some(body) = &request.body {
            init.set_body(body);
        }
        if let Some(signal) = signal {
            init.set_signal(Some(signal));
        }
        FetchRequest::new_with_str_and_init(&request.resume_url(), &init)
    };
    // The browser's message may quote a header value, a token included
    // (Firefox: "Headers.set: Bearer … is an invalid header value"), so
    // only its error name is kept.
    build().map_err(|e| Error::InvalidOption {
        option: "headers".into(),
        message: format!(
            "the browser refused to build the request ({}); check the header names and values, the method and the body",
            js_sys::Reflect::get(&e, &"name".into())
                .ok()
                .and_then(|name| name.as_string())
                .unwrap_or_else(|| "Error".into())
        ),
    })
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

/// Frees the connection of a refused response.
fn cancel_body(response: &Response) {
    if let Some(body) = response.body() {
        // A JsFuture handles the promise's rejection; dropping it is fine.
        drop(JsFuture::from(body.cancel()));
    }
}

/// Cancels the reader, swallowing the rejection an aborted stream gives.
fn cancel_reader(reader: &ReadableStreamDefaultReader) {
    drop(JsFuture::from(reader.cancel()));
}
