//! Helpers shared by the browser suites (`tests/browser_*.rs`): the test
//! server's address, handlers that record what they receive, waiting for a
//! condition, and the server's per-tag statistics.
#![allow(dead_code)] // each suite uses a different subset

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use js_sys::{Function, Object, Reflect, JSON};
use sse_wasm::web::SseClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The test server's base URL, baked in at compile time by `.ci/with-server.sh`.
pub fn server() -> &'static str {
    // A compile-time error, not a runtime panic, when built outside the
    // harness: `.ci/with-server.sh` sets it and starts the server.
    env!(
        "SSE_TEST_SERVER",
        "run the browser suites through `make test` (SSE_TEST_SERVER is unset)"
    )
}

/// The test server's second origin: the same server (same tags, same
/// `/stats`) on another port, for cross-origin tests. Baked in like [`server`].
pub fn peer_server() -> &'static str {
    env!(
        "SSE_TEST_PEER_SERVER",
        "run the browser suites through `make test` (SSE_TEST_PEER_SERVER is unset)"
    )
}

/// A tag no other test uses, so the server's statistics are this test's own.
pub fn unique_tag(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e12) as u64)
}

/// `SERVER/path?tag=TAG&query`.
pub fn url(path: &str, tag: &str, query: &str) -> String {
    let sep = if query.is_empty() { "" } else { "&" };
    format!("{}{path}?tag={tag}{sep}{query}", server())
}

/// Options from a JSON literal.
pub fn options(json: &str) -> JsValue {
    JSON::parse(json).expect("options JSON")
}

/// Sets `key` on an options object (for functions and objects JSON cannot hold).
pub fn set(object: &JsValue, key: &str, value: &JsValue) {
    Reflect::set(object, &key.into(), value).expect("set option");
}

/// One delivered event as a handler saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// The first argument (data, or the parsed JSON value).
    pub value: JsValue,
    /// `event.type`.
    pub event_type: String,
    /// `event.data`.
    pub data: String,
    /// `event.lastEventId`.
    pub last_event_id: String,
}

/// A handler that records every call.
pub struct Recorder {
    pub seen: Rc<RefCell<Vec<Seen>>>,
    closure: Closure<dyn FnMut(JsValue, JsValue)>,
}

impl Recorder {
    pub fn new() -> Self {
        Self::with_hook(|_| {})
    }

    /// Records, then runs `hook` with the number of events seen so far.
    pub fn with_hook(mut hook: impl FnMut(usize) + 'static) -> Self {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = seen.clone();
        let closure = Closure::new(move |value: JsValue, event: JsValue| {
            let text = |key: &str| {
                Reflect::get(&event, &key.into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default()
            };
            let count = {
                let mut seen = sink.borrow_mut();
                seen.push(Seen {
                    value,
                    event_type: text("type"),
                    data: text("data"),
                    last_event_id: text("lastEventId"),
                });
                seen.len()
            };
            hook(count);
        });
        Self { seen, closure }
    }

    pub fn handler(&self) -> Function {
        self.closure.as_ref().unchecked_ref::<Function>().clone()
    }

    pub fn len(&self) -> usize {
        self.seen.borrow().len()
    }

    pub fn data(&self) -> Vec<String> {
        self.seen.borrow().iter().map(|s| s.data.clone()).collect()
    }
}

/// A one-argument callback that records its argument.
pub struct Callback {
    pub calls: Rc<RefCell<Vec<JsValue>>>,
    closure: Closure<dyn FnMut(JsValue)>,
}

impl Callback {
    pub fn new() -> Self {
        let calls = Rc::new(RefCell::new(Vec::new()));
        let sink = calls.clone();
        Self {
            calls,
            closure: Closure::new(move |v: JsValue| sink.borrow_mut().push(v)),
        }
    }

    pub fn function(&self) -> Function {
        self.closure.as_ref().unchecked_ref::<Function>().clone()
    }

    pub fn len(&self) -> usize {
        self.calls.borrow().len()
    }

    /// `calls[i][key]`.
    pub fn field(&self, i: usize, key: &str) -> JsValue {
        Reflect::get(&self.calls.borrow()[i], &key.into()).unwrap_or(JsValue::UNDEFINED)
    }
}

/// Subscribes a recorder to `event_type`; returns it and the subscription.
pub fn record(client: &SseClient, event_type: &str) -> (Recorder, sse_wasm::web::JsSubscription) {
    let recorder = Recorder::new();
    let subscription = client
        .subscribe(event_type, recorder.handler())
        .expect("subscribe");
    (recorder, subscription)
}

/// Registers a lifecycle callback.
pub fn on(client: &SseClient, name: &str) -> Callback {
    let callback = Callback::new();
    // A Subscription is a plain handle (no Drop): dropping it keeps the callback.
    drop(client.on(name, callback.function()).expect("on"));
    callback
}

pub async fn sleep(ms: u32) {
    TimeoutFuture::new(ms).await;
}

/// Waits until `condition` holds; panics naming `what` after 15 s. (A
/// liveness bound, not a timing assertion.)
pub async fn wait_for(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..1500 {
        if condition() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for {what}");
}

/// The server's statistics for `tag`.
pub struct Stats {
    pub requests: u32,
    pub open: u32,
    pub records: JsValue,
}

impl Stats {
    /// Header `name` (lower-case) of request `i`, if sent.
    pub fn header(&self, i: u32, name: &str) -> Option<String> {
        let record = Reflect::get(&self.records, &i.into()).ok()?;
        let headers = Reflect::get(&record, &"headers".into()).ok()?;
        Reflect::get(&headers, &name.into()).ok()?.as_string()
    }

    /// The request line's URI of request `i`.
    pub fn uri(&self, i: u32) -> String {
        let record = Reflect::get(&self.records, &i.into()).unwrap_or(JsValue::UNDEFINED);
        Reflect::get(&record, &"uri".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    }
}

/// `GET /stats?tag=`: the server's statistics for `tag` (through the global
/// scope's `fetch`, so in a Worker too).
pub async fn stats(tag: &str) -> Stats {
    let json = fetch_json(&format!("{}/stats?tag={tag}", server())).await;
    let number = |key: &str| {
        Reflect::get(&json, &key.into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(-1.0) as u32
    };
    Stats {
        requests: number("requests"),
        open: number("open"),
        records: Reflect::get(&json, &"records".into()).unwrap_or(JsValue::UNDEFINED),
    }
}

/// Waits until the server counts no open stream for `tag`.
pub async fn wait_closed_server_side(tag: &str) {
    for _ in 0..300 {
        if stats(tag).await.open == 0 {
            return;
        }
        sleep(50).await;
    }
    panic!("the server still counts an open stream for {tag}");
}

/// A property of a JS value, as a string.
pub fn prop(value: &JsValue, key: &str) -> String {
    Reflect::get(value, &key.into())
        .ok()
        .and_then(|v| v.as_string().or_else(|| v.as_f64().map(|n| n.to_string())))
        .unwrap_or_default()
}

/// `value[key]` as a number (NaN when it is not one).
pub fn number(value: &JsValue, key: &str) -> f64 {
    Reflect::get(value, &key.into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(f64::NAN)
}

/// The browser engine running the suite. Each engine's own EventSource and
/// network stack differ in a few documented ways (README, "Browser
/// differences"); the tests that pin those down branch on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    /// WebKitGTK here (Safari's engine; its network stack is libsoup, not
    /// Safari's CFNetwork).
    WebKit,
}

/// Which [`Engine`] this is, from `navigator.userAgent` (Window or Worker).
pub fn engine() -> Engine {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).expect("navigator");
    let agent = prop(&navigator, "userAgent");
    if agent.contains("Firefox/") {
        Engine::Firefox
    } else if agent.contains("Chrome/") {
        Engine::Chromium
    } else {
        assert!(agent.contains("AppleWebKit/"), "unknown engine: {agent}");
        Engine::WebKit
    }
}

/// A fresh empty object.
pub fn object() -> JsValue {
    Object::new().into()
}

// ----- fetch through the global scope --------------------------------------
//
// These look `fetch` up on the global scope itself (Window or Worker), so
// the worker suite can use them and everything built on them.

/// `GET url` through the global scope's `fetch`: the response, once its
/// headers are in.
async fn fetch_response(url: &str) -> web_sys::Response {
    let global = js_sys::global();
    let fetch: Function = Reflect::get(&global, &"fetch".into())
        .expect("global fetch")
        .unchecked_into();
    let promise: js_sys::Promise = fetch
        .call1(&global, &url.into())
        .expect("call fetch")
        .unchecked_into();
    JsFuture::from(promise)
        .await
        .expect("fetch")
        .unchecked_into()
}

/// `GET url` through the global scope's `fetch`, parsed as JSON.
pub async fn fetch_json(url: &str) -> JsValue {
    let response = fetch_response(url).await;
    JsFuture::from(response.json().expect("json"))
        .await
        .expect("JSON body")
}

/// `GET url` through the global scope's `fetch`, its body read in full.
pub async fn fetch_text(url: &str) -> String {
    let response = fetch_response(url).await;
    JsFuture::from(response.text().expect("text"))
        .await
        .expect("body")
        .as_string()
        .expect("a string body")
}

/// How many CORS preflights (`OPTIONS`) the server answered for `tag`.
pub async fn preflights(tag: &str) -> u32 {
    let json = fetch_json(&format!("{}/stats?tag={tag}", server())).await;
    Reflect::get(&json, &"preflights".into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(-1.0) as u32
}

/// Hex-encodes byte chunks for the server's `/raw?chunks=` (one body frame
/// each, so the client sees them as separate reads).
pub fn raw_chunks(chunks: &[&[u8]]) -> String {
    chunks
        .iter()
        .map(|c| c.iter().map(|b| format!("{b:02x}")).collect::<String>())
        .collect::<Vec<_>>()
        .join(",")
}

/// `JSON.parse(text)`.
pub fn parse_json(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// `value[a][b]...`, `undefined` as soon as a step is missing.
pub fn path(value: &JsValue, keys: &[&str]) -> JsValue {
    keys.iter().fold(value.clone(), |v, key| {
        if v.is_object() {
            Reflect::get(&v, &(*key).into()).unwrap_or(JsValue::UNDEFINED)
        } else {
            JsValue::UNDEFINED
        }
    })
}

/// Short, deterministic reconnection delays (100 ms is the policy's floor).
pub const FAST_RETRY: &str = r#""retry":{"initialDelayMs":100,"factor":1,"jitter":0}"#;

/// Options `{"transport":"fetch", ...extra}` as a JS object, so functions
/// and objects can still be added with [`set`].
pub fn fetch_options(extra: &str) -> JsValue {
    let sep = if extra.is_empty() { "" } else { "," };
    options(&format!(r#"{{"transport":"fetch"{sep}{extra}}}"#))
}

/// Both JS transports, for suites that must behave the same over each.
pub const TRANSPORTS: [&str; 2] = ["eventsource", "fetch"];

/// A client for `url` over `transport`, with `extra` more options as JSON
/// members (`"json":true,"retry":false`).
pub fn client(url: &str, transport: &str, extra: &str) -> SseClient {
    let sep = if extra.is_empty() { "" } else { "," };
    SseClient::new(
        url,
        options(&format!(r#"{{"transport":"{transport}"{sep}{extra}}}"#)),
    )
    .expect("client")
}

/// Registers a lifecycle callback that runs `f`; keep the returned closure
/// alive while it should run.
pub fn on_with(
    client: &SseClient,
    name: &str,
    f: impl FnMut(JsValue) + 'static,
) -> Closure<dyn FnMut(JsValue)> {
    let closure = Closure::<dyn FnMut(JsValue)>::new(f);
    drop(
        client
            .on(name, closure.as_ref().unchecked_ref::<Function>().clone())
            .expect("on"),
    );
    closure
}

/// Makes the page look hidden or visible to the client (headless pages are
/// always visible): overrides `document.visibilityState` and fires
/// `visibilitychange`, the two things the client reads.
pub fn set_hidden(hidden: bool) {
    let document = web_sys::window().unwrap().document().unwrap();
    let descriptor = Object::new();
    let state = if hidden { "hidden" } else { "visible" };
    Reflect::set(&descriptor, &"value".into(), &state.into()).unwrap();
    Reflect::set(&descriptor, &"configurable".into(), &JsValue::TRUE).unwrap();
    Object::define_property(&document, &"visibilityState".into(), &descriptor);
    document
        .dispatch_event(&web_sys::Event::new("visibilitychange").unwrap())
        .unwrap();
}

/// A plain object of header name to value.
pub fn headers_object(pairs: &[(&str, &str)]) -> JsValue {
    let object = Object::new();
    for (name, value) in pairs {
        Reflect::set(&object, &(*name).into(), &(*value).into()).expect("set header");
    }
    object.into()
}

/// The kinds of the `SSEError`s an `error` callback received.
pub fn kinds(errors: &Callback) -> Vec<String> {
    errors
        .calls
        .borrow()
        .iter()
        .map(|e| prop(e, "kind"))
        .collect()
}

/// Asserts that `errors` got exactly one `SSEError` of `kind` for a response
/// with `status`, carrying the response's headers (whose `Content-Type` was
/// `content_type`).
pub fn assert_refused(errors: &Callback, kind: &str, status: u16, content_type: &str) {
    assert_eq!(kinds(errors), [kind], "{status}");
    assert_eq!(
        prop(&errors.calls.borrow()[0], "status"),
        status.to_string()
    );
    let headers: web_sys::Headers = errors
        .field(0, "headers")
        .dyn_into()
        .expect("headers is a Headers object");
    assert_eq!(
        headers.get("content-type").unwrap().as_deref(),
        Some(content_type),
        "{status}"
    );
}
