//! What goes into a request: the headers (fixed, from a provider, from the
//! `onUnauthorized` hook) and the request description handed to a
//! transport; and the hook itself.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::sink::AttemptSink;
use super::ClientInner;
use crate::error::Error;
use crate::web::error::to_js;
use crate::web::options::from_js::{credentials, header_list, js_message};
use crate::web::options::HeaderProvider;
use crate::web::sys;
use crate::web::transport::fetch::FetchAttempt;
use crate::web::transport::{Attempt, Request};

impl ClientInner {
    /// The request for the next attempt, with `headers` from the user.
    pub(super) fn request(&self, headers: Vec<(String, String)>) -> Request {
        let options = &self.options;
        let mut all = Vec::new();
        if let Some(content_type) = options.body.as_ref().and_then(|b| b.content_type) {
            all.push(("Content-Type".to_owned(), content_type.to_owned()));
        }
        // In order: later pairs replace earlier ones of the same name.
        all.extend(headers);
        if let Some(renewed) = self.auth_headers.borrow().as_ref() {
            all.extend(renewed.iter().cloned());
        }
        Request {
            url: self.url.clone(),
            method: options.method.clone(),
            headers: all,
            body: options.body.as_ref().map(|body| body.value.clone()),
            with_credentials: options.with_credentials,
            last_event_id: self.last_event_id(),
            last_event_id_param: options.last_event_id_param.clone(),
            event_types: self
                .registry
                .borrow()
                .types()
                .map(|entry| entry.name.clone())
                .collect(),
        }
    }

    /// Starts a fetch attempt once its headers are known: at once for fixed
    /// headers and Rust providers, after the promise for a JS provider.
    pub(super) fn start_fetch(&self, sink: AttemptSink) {
        let Some(headers) = self.options.headers.clone() else {
            return self.launch_fetch(Vec::new(), sink);
        };
        let mut list = headers.fixed;
        match headers.provider {
            None => self.launch_fetch(list, sink),
            Some(HeaderProvider::Rust(provider)) => {
                // A provider that re-enters itself gets no second call.
                if let Ok(mut provider) = provider.try_borrow_mut() {
                    list.extend(provider());
                }
                self.launch_fetch(list, sink)
            }
            Some(HeaderProvider::Js(function)) => {
                let done = move |how: u32, value: JsValue| {
                    let Some(inner) = sink.current() else { return };
                    match provided_headers(how, &value) {
                        Ok(more) => {
                            list.extend(more);
                            inner.launch_fetch(list, sink);
                        }
                        Err(error) => inner.on_failure(error),
                    }
                };
                settle(&function, &JsValue::UNDEFINED, Closure::once_into_js(done));
            }
        }
    }

    fn launch_fetch(&self, headers: Vec<(String, String)>, sink: AttemptSink) {
        let request = self.request(headers);
        let attempt = FetchAttempt::start(&request, sink);
        *self.attempt.borrow_mut() = Some(Attempt::Fetch(attempt));
    }

    /// Asks `onUnauthorized` for new credentials, then reports to the
    /// machine. A string or an object replaces the hook's earlier headers;
    /// `true` drops them, leaving the fresh token to the `headers` function.
    /// An answer that comes after the client moved on (`reconnect()`, the
    /// last handler gone, `close()`) changes nothing.
    pub(super) fn authorize(&self, error: Error) {
        let Some(hook) = self.options.on_unauthorized.clone() else {
            return;
        };
        let weak = self.weak.clone();
        let generation = self.generation.get();
        let context = Object::new();
        if let Error::Unauthorized { status, .. } = &error {
            let _ = Reflect::set(&context, &"status".into(), &(*status).into());
        }
        let _ = Reflect::set(&context, &"error".into(), &to_js(&error));
        let done = move |how: u32, value: JsValue| {
            let renewed = (how == RETURNED).then(|| credentials(&value)).flatten();
            let Some(inner) = weak.upgrade() else { return };
            if inner.generation.get() != generation {
                return;
            }
            if let Some(headers) = &renewed {
                *inner.auth_headers.borrow_mut() = (!headers.is_empty()).then(|| headers.clone());
            }
            inner.input(|machine| machine.on_authorized(renewed.is_some(), error, sys::now()));
        };
        settle(&hook, &context, Closure::once_into_js(done));
    }
}

#[wasm_bindgen(module = "/src/web/runtime.js")]
extern "C" {
    /// Calls `function(arg)` from a microtask, then `done(how, value)` once
    /// a returned promise has settled (see `settle` in runtime.js). `done`
    /// is a `Closure::once_into_js`, freed by that one call; a promise that
    /// never settles keeps it, as an awaiting future would be kept.
    #[wasm_bindgen(js_namespace = runtime)]
    fn settle(function: &Function, arg: &JsValue, done: JsValue);
}

/// How a `settle` call ended (the constants of runtime.js).
const RETURNED: u32 = 0;
const THREW: u32 = 1;

/// The headers a JS `headers` function gave, from how its call ended.
fn provided_headers(how: u32, value: &JsValue) -> Result<Vec<(String, String)>, Error> {
    let failure = |what: &str| Error::Network {
        message: format!("the headers function {what}: {}", js_message(value)),
    };
    match how {
        RETURNED => header_list(value).map_err(|message| Error::InvalidOption {
            option: "headers".into(),
            message,
        }),
        THREW => Err(failure("threw")),
        _ => Err(failure("failed")),
    }
}
