//! The fetch transport: `fetch` + `ReadableStream`, parsed by our parser.
//!
//! One [`FetchAttempt`] per connection attempt owns its `AbortController`;
//! dropping the attempt aborts the request and, through it, the pending
//! read. The read loop runs as a local task holding only a `Weak` to the
//! client and its generation number: once either is gone it cancels the
//! reader (swallowing the rejection) and ends, so nothing reaches a handler
//! after `close()`.

use std::mem::MaybeUninit;
use std::rc::Weak;

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    AbortController, AbortSignal, Headers, ReadableStreamDefaultReader, ReadableStreamReadResult,
    Request, RequestCache, RequestCredentials, RequestInit, Response,
};

use super::error::header_pairs;
use super::options::js_message;
use super::shared::Shared;
use super::sys;
use crate::core::http::{classify_response, parse_retry_after, ResponseVerdict};
use crate::core::url::with_query_param;
use crate::error::Error;

/// An attempt in flight. Dropping it aborts the request.
pub struct FetchAttempt {
    controller: Option<AbortController>,
}

impl FetchAttempt {
    /// Starts attempt `generation` of the client behind `weak`.
    pub fn start(weak: Weak<Shared>, generation: u32) -> Self {
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(AbortController::signal);
        spawn_local(run(weak, generation, signal));
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

/// One attempt, from headers to the end of the body.
async fn run(weak: Weak<Shared>, generation: u32, signal: Option<AbortSignal>) {
    let headers = match Shared::request_headers(&weak, generation).await {
        Ok(headers) => headers,
        Err(error) => return report(&weak, generation, error),
    };
    let Some(request) = build_request(&weak, generation, &headers, signal.as_ref()) else {
        return;
    };
    let request = match request {
        Ok(request) => request,
        Err(error) => return report(&weak, generation, error),
    };

    let fetched = JsFuture::from(sys::global_fetch(&request)).await;
    let Some(shared) = Shared::upgrade(&weak, generation) else {
        return;
    };
    let response: Response = match fetched {
        Ok(value) => value.unchecked_into(),
        Err(error) => {
            return shared.on_failure(Error::Network {
                message: js_message(&error),
            })
        }
    };

    let content_type = response.headers().get("content-type").ok().flatten();
    match classify_response(response.status(), content_type.as_deref()) {
        ResponseVerdict::Open => {}
        verdict => {
            cancel_body(&response);
            return shared.on_failure(response_error(verdict, &response, content_type));
        }
    }
    let Some(body) = response.body() else {
        return shared.on_failure(Error::Network {
            message: "the response has no body".into(),
        });
    };
    let reader: ReadableStreamDefaultReader = match body.get_reader().dyn_into() {
        Ok(reader) => reader,
        Err(_) => {
            return shared.on_failure(Error::Network {
                message: "the body cannot be read".into(),
            })
        }
    };
    shared.on_open();
    drop(shared);
    read_body(&weak, generation, &reader).await;
}

/// Reads chunks until the body ends, fails, or the attempt is superseded.
async fn read_body(weak: &Weak<Shared>, generation: u32, reader: &ReadableStreamDefaultReader) {
    // One buffer reused for every chunk: each chunk is copied into wasm
    // memory exactly once, without zero-filling.
    let mut buffer: Vec<MaybeUninit<u8>> = Vec::new();
    loop {
        let read = JsFuture::from(reader.read()).await;
        let Some(shared) = Shared::upgrade(weak, generation) else {
            return cancel_reader(reader);
        };
        let result: ReadableStreamReadResult = match read {
            Ok(result) => result.unchecked_into(),
            Err(error) => {
                return shared.on_failure(Error::Network {
                    message: js_message(&error),
                })
            }
        };
        if result.get_done().unwrap_or(false) {
            return shared.on_body_end();
        }
        let chunk: Uint8Array = result.get_value().unchecked_into();
        let length = chunk.length() as usize;
        if buffer.len() < length {
            buffer.resize(length, MaybeUninit::uninit());
        }
        let bytes = chunk.copy_to_uninit(&mut buffer[..length]);
        if !shared.on_chunk(&chunk, bytes, generation) {
            return cancel_reader(reader);
        }
    }
}

/// Builds the request; `None` when the attempt is already over.
fn build_request(
    weak: &Weak<Shared>,
    generation: u32,
    user_headers: &[(String, String)],
    signal: Option<&AbortSignal>,
) -> Option<Result<Request, Error>> {
    let shared = Shared::upgrade(weak, generation)?;
    let options = &shared.options;
    let build = || -> Result<Request, wasm_bindgen::JsValue> {
        let headers = Headers::new()?;
        headers.set("Accept", "text/event-stream")?;
        if let Some(content_type) = options.body_content_type {
            headers.set("Content-Type", content_type)?;
        }
        for (name, value) in user_headers {
            headers.set(name, value)?;
        }
        let last_event_id = shared.last_event_id();
        let mut url = shared.url.clone();
        if !last_event_id.is_empty() {
            match &options.last_event_id_param {
                Some(param) => url = with_query_param(&url, param, &last_event_id),
                None => headers.set("Last-Event-ID", &byte_string(&last_event_id))?,
            }
        }
        let init = RequestInit::new();
        init.set_method(&options.method);
        init.set_headers(&headers);
        init.set_cache(RequestCache::NoStore);
        init.set_credentials(if options.with_credentials {
            RequestCredentials::Include
        } else {
            RequestCredentials::SameOrigin
        });
        if let Some(body) = &options.body {
            init.set_body(body);
        }
        if let Some(signal) = signal {
            init.set_signal(Some(signal));
        }
        Request::new_with_str_and_init(&url, &init)
    };
    Some(build().map_err(|e| Error::InvalidOption {
        option: "headers".into(),
        message: js_message(&e),
    }))
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

fn report(weak: &Weak<Shared>, generation: u32, error: Error) {
    if let Some(shared) = Shared::upgrade(weak, generation) {
        shared.on_failure(error);
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
