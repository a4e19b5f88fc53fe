//! The fetch transport in a real browser against the test server: request
//! headers and bodies, Last-Event-ID (header and query-parameter modes),
//! response classification, abort paths (close, AbortSignal), byte-level
//! streams compared with the native EventSource, handler
//! isolation and the event size cap.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use sse_wasm::web::SseClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fetch_client(url: &str, extra: &str) -> SseClient {
    SseClient::new(url, fetch_options(extra)).expect("client")
}

/// The parsed data of the `i`-th recorded `/echo` event.
fn echoed(recorder: &Recorder, i: usize) -> JsValue {
    parse_json(&recorder.seen.borrow()[i].data)
}

fn text(value: &JsValue) -> Option<String> {
    value.as_string()
}

/// `(type, data, lastEventId)` of every recorded event.
fn triples(recorder: &Recorder) -> Vec<(String, String, String)> {
    recorder
        .seen
        .borrow()
        .iter()
        .map(|s| {
            (
                s.event_type.clone(),
                s.data.clone(),
                s.last_event_id.clone(),
            )
        })
        .collect()
}

fn owned(expected: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    expected
        .iter()
        .map(|(t, d, i)| (t.to_string(), d.to_string(), i.to_string()))
        .collect()
}

/// Waits until the server's statistics for `tag` satisfy `condition` and
/// returns them; panics naming `what` after about 15 s (a liveness bound).
async fn wait_server(what: &str, tag: &str, condition: impl Fn(&Stats) -> bool) -> Stats {
    for _ in 0..500 {
        let now = stats(tag).await;
        if condition(&now) {
            return now;
        }
        sleep(30).await;
    }
    panic!("timed out waiting for the server to see {what}");
}

// ----- request headers ---------------------------------------------------

#[wasm_bindgen_test]
async fn authorization_and_custom_headers_reach_the_server() {
    let tag = unique_tag("headers");
    let client = fetch_client(
        &url("/echo", &tag, "hold=1"),
        r#""headers":{"Authorization":"Bearer abc.def","X-Custom-Header":"value 1"}"#,
    );
    let (echo, _sub) = record(&client, "echo");
    wait_for("the echo event", || echo.len() == 1).await;
    let request = echoed(&echo, 0);
    assert_eq!(text(&path(&request, &["method"])).as_deref(), Some("GET"));
    assert_eq!(
        text(&path(&request, &["headers", "authorization"])).as_deref(),
        Some("Bearer abc.def")
    );
    assert_eq!(
        text(&path(&request, &["headers", "x-custom-header"])).as_deref(),
        Some("value 1")
    );
    assert_eq!(
        text(&path(&request, &["headers", "accept"])).as_deref(),
        Some("text/event-stream")
    );
    assert!(
        path(&request, &["headers", "last-event-id"]).is_undefined(),
        "no Last-Event-ID on a first request"
    );
    // The server's own record of the request agrees with the echo.
    let stats = stats(&tag).await;
    assert_eq!(stats.requests, 1);
    assert_eq!(
        stats.header(0, "authorization").as_deref(),
        Some("Bearer abc.def")
    );
    assert_eq!(
        stats.header(0, "accept").as_deref(),
        Some("text/event-stream")
    );
    assert_eq!(stats.header(0, "last-event-id"), None);
    client.close();
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn a_headers_function_is_called_once_per_attempt_and_its_new_value_is_used() {
    let tag = unique_tag("headers-fn");
    let calls = Rc::new(Cell::new(0u32));
    let counter = calls.clone();
    let provider = Closure::<dyn FnMut() -> JsValue>::new(move || {
        counter.set(counter.get() + 1);
        headers_object(&[("Authorization", &format!("Bearer token-{}", counter.get()))])
    });
    // Each response carries one event and ends, so the client reconnects.
    let options = fetch_options(FAST_RETRY);
    set(&options, "headers", provider.as_ref());
    let client =
        Rc::new(SseClient::new(&url("/events", &tag, "count=1"), options).expect("client"));
    let weak = Rc::downgrade(&client);
    // Closing from the third event's handler: no fourth attempt can start.
    let messages = Recorder::with_hook(move |count| {
        if count == 3 {
            weak.upgrade().expect("client").close();
        }
    });
    let _sub = client
        .subscribe("message", messages.handler())
        .expect("subscribe");
    wait_for("3 events over 3 connections", || messages.len() == 3).await;
    wait_closed_server_side(&tag).await;
    let stats = stats(&tag).await;
    assert_eq!(stats.requests, 3);
    assert_eq!(calls.get(), 3, "one call per attempt");
    for i in 0..3 {
        assert_eq!(
            stats.header(i, "authorization"),
            Some(format!("Bearer token-{}", i + 1)),
            "request {i}"
        );
    }
}

#[wasm_bindgen_test]
async fn an_async_headers_function_is_awaited_before_each_request() {
    let tag = unique_tag("headers-async");
    let calls = Rc::new(Cell::new(0u32));
    let counter = calls.clone();
    let provider = Closure::<dyn FnMut() -> Promise>::new(move || {
        counter.set(counter.get() + 1);
        let n = counter.get();
        wasm_bindgen_futures::future_to_promise(async move {
            sleep(20).await; // a token refresh that takes a moment
            Ok(headers_object(&[("X-Token", &format!("async-{n}"))]))
        })
    });
    let options = fetch_options(FAST_RETRY);
    set(&options, "headers", provider.as_ref());
    let client =
        Rc::new(SseClient::new(&url("/events", &tag, "count=1"), options).expect("client"));
    let weak = Rc::downgrade(&client);
    let messages = Recorder::with_hook(move |count| {
        if count == 2 {
            weak.upgrade().expect("client").close();
        }
    });
    let _sub = client
        .subscribe("message", messages.handler())
        .expect("subscribe");
    wait_for("2 events over 2 connections", || messages.len() == 2).await;
    let stats = stats(&tag).await;
    assert_eq!(stats.requests, 2);
    assert_eq!(calls.get(), 2);
    assert_eq!(stats.header(0, "x-token").as_deref(), Some("async-1"));
    assert_eq!(stats.header(1, "x-token").as_deref(), Some("async-2"));
}

// ----- request bodies ------------------------------------------------------

/// A `Blob` of `text` with MIME type `mime` (built through the constructor,
/// so no extra web-sys feature is needed).
fn blob(text: &str, mime: &str) -> JsValue {
    let constructor: Function = Reflect::get(&js_sys::global(), &"Blob".into())
        .unwrap()
        .unchecked_into();
    let parts = Array::of1(&text.into());
    let init = headers_object(&[("type", mime)]);
    Reflect::construct(&constructor, &Array::of2(&parts, &init)).expect("new Blob")
}

#[wasm_bindgen_test]
async fn post_bodies_arrive_intact_with_their_content_type() {
    let form = web_sys::FormData::new().unwrap();
    form.append_with_str("field", "form value").unwrap();
    let cases: Vec<(&str, JsValue, &str, Option<&str>)> = vec![
        // (name, body, expected body, expected Content-Type)
        (
            "string",
            "plain text body ✓".into(),
            "plain text body ✓",
            Some("text/plain;charset=UTF-8"),
        ),
        (
            "object",
            parse_json(r#"{"query":"sse","n":[1,2]}"#),
            r#"{"query":"sse","n":[1,2]}"#,
            Some("application/json"),
        ),
        (
            "array",
            parse_json(r#"[1,"two"]"#),
            r#"[1,"two"]"#,
            Some("application/json"),
        ),
        (
            "URLSearchParams",
            web_sys::UrlSearchParams::new_with_str("a=1&b=x y&c=é")
                .unwrap()
                .into(),
            "a=1&b=x+y&c=%C3%A9",
            Some("application/x-www-form-urlencoded;charset=UTF-8"),
        ),
        (
            "Blob",
            blob("blob body", "text/csv"),
            "blob body",
            Some("text/csv"),
        ),
        (
            "ArrayBuffer",
            Uint8Array::from(&b"array buffer body"[..]).buffer().into(),
            "array buffer body",
            None,
        ),
        // A view into the middle of a larger buffer: only the view's bytes go.
        (
            "Uint8Array view",
            Uint8Array::from(&b"xxVIEW BODYyy"[..])
                .subarray(2, 11)
                .into(),
            "VIEW BODY",
            None,
        ),
    ];
    for (name, body, expected_body, expected_type) in cases {
        let tag = unique_tag("body");
        let options = fetch_options(r#""method":"POST""#);
        set(&options, "body", &body);
        let client = SseClient::new(&url("/echo", &tag, "hold=1"), options).expect(name);
        let (echo, _sub) = record(&client, "echo");
        wait_for("the echo event", || echo.len() == 1).await;
        let request = echoed(&echo, 0);
        assert_eq!(
            text(&path(&request, &["method"])).as_deref(),
            Some("POST"),
            "{name}"
        );
        assert_eq!(
            text(&path(&request, &["body"])).as_deref(),
            Some(expected_body),
            "{name}: body"
        );
        let content_type = text(&path(&request, &["headers", "content-type"]));
        match expected_type {
            // Browsers differ in the case of `charset=UTF-8`; compare loosely.
            Some(expected) => assert_eq!(
                content_type.map(|t| t.to_ascii_lowercase()),
                Some(expected.to_ascii_lowercase()),
                "{name}: Content-Type"
            ),
            None => assert_eq!(
                content_type, None,
                "{name}: a binary body has no Content-Type"
            ),
        }
        assert_eq!(
            text(&path(&request, &["headers", "accept"])).as_deref(),
            Some("text/event-stream"),
            "{name}"
        );
        client.close();
    }
    // FormData: a multipart body with a boundary the browser chooses.
    let tag = unique_tag("body-form");
    let options = fetch_options(r#""method":"POST""#);
    set(&options, "body", &form);
    let client = SseClient::new(&url("/echo", &tag, "hold=1"), options).expect("FormData");
    let (echo, _sub) = record(&client, "echo");
    wait_for("the echo event", || echo.len() == 1).await;
    let request = echoed(&echo, 0);
    let content_type = text(&path(&request, &["headers", "content-type"])).unwrap_or_default();
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let body = text(&path(&request, &["body"])).unwrap_or_default();
    assert!(
        body.contains("name=\"field\"") && body.contains("form value"),
        "{body}"
    );
    client.close();
}

// ----- Last-Event-ID -------------------------------------------------------

#[wasm_bindgen_test]
async fn the_last_event_id_option_goes_out_on_the_first_request() {
    let tag = unique_tag("lei-option");
    // The server resumes numbered events after the id it is given.
    let client = fetch_client(
        &url("/events", &tag, "id_start=40&count=5&hold=1"),
        r#""lastEventId":"42""#,
    );
    assert_eq!(client.last_event_id(), "42");
    let (messages, _sub) = record(&client, "message");
    wait_for("2 events", || messages.len() == 2).await;
    assert_eq!(
        triples(&messages),
        owned(&[("message", "3", "43"), ("message", "4", "44")])
    );
    assert_eq!(
        stats(&tag).await.header(0, "last-event-id").as_deref(),
        Some("42")
    );
    client.close();
}

/// The error kind a body cut before its terminating chunk reconnects with.
/// WebKitGTK's fetch ends such a body as if it were complete (the reader
/// reports `done`, no error), so there it reads as `stream-ended`; either
/// way the client reconnects and resumes.
fn cut_body_error_kind() -> &'static str {
    match engine() {
        Engine::WebKit => "stream-ended",
        Engine::Chromium | Engine::Firefox => "network",
    }
}

#[wasm_bindgen_test]
async fn a_reconnect_carries_the_last_event_id_and_resumes() {
    let tag = unique_tag("lei-reconnect");
    // The first response is cut after two events (ids 1, 2); the next one
    // resumes after the id the client sends.
    let client = fetch_client(
        &url("/drop", &tag, "after=2&id_start=1&drops=1&count=4&hold=1"),
        FAST_RETRY,
    );
    let reconnecting = on(&client, "reconnecting");
    let (messages, _sub) = record(&client, "message");
    wait_for("4 events over 2 connections", || messages.len() == 4).await;
    assert_eq!(
        messages.data(),
        ["0", "1", "2", "3"],
        "nothing lost, nothing repeated"
    );
    let stats = stats(&tag).await;
    assert_eq!(stats.requests, 2);
    assert_eq!(stats.header(0, "last-event-id"), None);
    assert_eq!(stats.header(1, "last-event-id").as_deref(), Some("2"));
    assert_eq!(reconnecting.len(), 1);
    assert_eq!(
        prop(&reconnecting.field(0, "error"), "kind"),
        cut_body_error_kind(),
        "a cut body is a network error"
    );
    assert_eq!(client.last_event_id(), "4");
    client.close();
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn a_non_ascii_last_event_id_is_sent_as_utf8() {
    let tag = unique_tag("lei-utf8");
    // The id is split inside a character, and the stream ends after the
    // event, so the client reconnects with the id.
    let id = "日本-é";
    let line = format!("id: {id}\ndata: x\n\n").into_bytes();
    let chunks = raw_chunks(&[&line[..5], &line[5..]]);
    let client = fetch_client(&url("/raw", &tag, &format!("chunks={chunks}")), FAST_RETRY);
    let (messages, _sub) = record(&client, "message");
    wait_for("the event", || messages.len() >= 1).await;
    assert_eq!(messages.seen.borrow()[0].last_event_id, id);
    assert_eq!(client.last_event_id(), id);
    wait_server("a second request", &tag, |s| s.requests >= 2).await;
    client.close();
    let stats = stats(&tag).await;
    assert!(stats.requests >= 2, "the client reconnected");
    // A header value is a byte string: the client hands the browser the
    // id's UTF-8 bytes, one code point each. Chromium and Firefox send those
    // bytes as they are. WebKitGTK's network stack (libsoup) encodes each
    // code point above U+007F as UTF-8 once more, so the id arrives
    // double-encoded (documented in the README, "Browser differences";
    // `lastEventIdParam` carries it exactly: see
    // a_non_ascii_id_in_the_query_parameter_is_percent_encoded_utf8).
    let expected = match engine() {
        Engine::WebKit => id.bytes().map(char::from).collect(),
        Engine::Chromium | Engine::Firefox => id.to_owned(),
    };
    assert_eq!(stats.header(1, "last-event-id"), Some(expected));
}

#[wasm_bindgen_test]
async fn the_query_parameter_mode_sends_the_id_in_the_url_and_needs_no_preflight() {
    let tag = unique_tag("lei-param");
    // `no_cors_lei=1`: the server's preflight refuses a Last-Event-ID header.
    let client = fetch_client(
        &url(
            "/drop",
            &tag,
            "after=2&id_start=1&drops=1&count=4&hold=1&no_cors_lei=1",
        ),
        &format!(r#""lastEventIdParam":"last_event_id",{FAST_RETRY}"#),
    );
    let (messages, _sub) = record(&client, "message");
    wait_for("4 events over 2 connections", || messages.len() == 4).await;
    assert_eq!(
        messages.data(),
        ["0", "1", "2", "3"],
        "the server resumed from the parameter"
    );
    let stats = stats(&tag).await;
    assert_eq!(stats.requests, 2);
    assert!(
        !stats.uri(0).contains("last_event_id="),
        "first request: {}",
        stats.uri(0)
    );
    assert!(
        stats.uri(1).contains("last_event_id=2"),
        "reconnect: {}",
        stats.uri(1)
    );
    assert!(
        stats.uri(1).contains("no_cors_lei=1"),
        "the user's query is kept: {}",
        stats.uri(1)
    );
    assert_eq!(
        stats.header(1, "last-event-id"),
        None,
        "no header in parameter mode"
    );
    assert_eq!(
        preflights(&tag).await,
        0,
        "a plain GET with Accept only needs no preflight"
    );
    client.close();
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn without_the_query_parameter_mode_a_refused_preflight_fails_the_reconnect() {
    // The control for the test above: same server, header mode.
    let tag = unique_tag("lei-refused");
    let client = fetch_client(
        &url(
            "/drop",
            &tag,
            "after=2&id_start=1&drops=1&count=4&hold=1&no_cors_lei=1",
        ),
        r#""retry":{"maxAttempts":3,"initialDelayMs":100,"factor":1,"jitter":0}"#,
    );
    let errors = on(&client, "error");
    let closes = on(&client, "close");
    let (messages, _sub) = record(&client, "message");
    wait_for("the client to give up", || closes.len() == 1).await;
    assert_eq!(messages.data(), ["0", "1"]);
    assert_eq!(kinds(&errors), ["retries-exhausted"]);
    assert_eq!(
        prop(&errors.field(0, "cause"), "kind"),
        "network",
        "CORS refusal looks like a network error"
    );
    assert_eq!(
        stats(&tag).await.requests,
        1,
        "the reconnects never got past the preflight"
    );
    assert!(preflights(&tag).await >= 1);
    assert_eq!(client.status(), "closed");
}

/// The request line's query that the browser's own `fetch` sends for a URL
/// ending in `query` (with a fresh tag, to an endpoint that answers at once).
async fn query_as_the_browser_sends_it(query: &str) -> String {
    let tag = unique_tag("plain-fetch");
    fetch_text(&url("/events", &tag, &format!("count=0&{query}"))).await;
    let uri = stats(&tag).await.uri(0);
    uri.split_once("count=0&").expect("the query").1.to_owned()
}

#[wasm_bindgen_test]
async fn the_query_parameter_mode_keeps_the_rest_of_the_url_as_given() {
    let tag = unique_tag("lei-param-verbatim");
    // A valueless flag and percent-escapes that a URLSearchParams round trip
    // would rewrite (`flag` -> `flag=`, `%20` -> `+`, `%7E` -> `~`): signed
    // URLs depend on these bytes.
    let verbatim = "flag&sig=a%20b%2Fc%7E";
    let client = fetch_client(
        &url(
            "/drop",
            &tag,
            &format!("after=1&id_start=1&drops=1&count=2&hold=1&{verbatim}"),
        ),
        &format!(r#""lastEventIdParam":"last_event_id",{FAST_RETRY}"#),
    );
    let (messages, _sub) = record(&client, "message");
    wait_for("2 events over 2 connections", || messages.len() == 2).await;
    let stats = stats(&tag).await;
    assert_eq!(stats.requests, 2);
    // What reaches the server is what the browser's own fetch sends for the
    // same URL. WebKitGTK's network stack (libsoup) itself decodes `%7E` to
    // `~`, as for every request; the other engines send the bytes as given.
    let sent = query_as_the_browser_sends_it(verbatim).await;
    match engine() {
        Engine::WebKit => assert_eq!(sent, "flag&sig=a%20b%2Fc~"),
        Engine::Chromium | Engine::Firefox => assert_eq!(sent, verbatim),
    }
    let first = stats.uri(0);
    assert!(first.ends_with(&sent), "{first} should end with {sent}");
    assert_eq!(
        stats.uri(1),
        format!("{first}&last_event_id=1"),
        "the reconnect URL is the given one plus the id"
    );
    client.close();
}

#[wasm_bindgen_test]
async fn an_event_cut_off_mid_block_does_not_advance_the_last_event_id() {
    let tag = unique_tag("lei-mid");
    // `mid=1`: after ids 1 and 2, half an event (`id: 3`, `data: partial`,
    // no blank line), then the connection is cut.
    let client = fetch_client(
        &url(
            "/drop",
            &tag,
            "after=2&id_start=1&drops=1&count=4&mid=1&hold=1",
        ),
        FAST_RETRY,
    );
    let (messages, _sub) = record(&client, "message");
    wait_for("4 events over 2 connections", || messages.len() == 4).await;
    assert_eq!(
        messages.data(),
        ["0", "1", "2", "3"],
        "the partial event is discarded"
    );
    assert_eq!(
        stats(&tag).await.header(1, "last-event-id").as_deref(),
        Some("2")
    );
    client.close();
}

#[wasm_bindgen_test]
async fn an_unterminated_block_at_a_clean_end_is_discarded_with_its_id() {
    let tag = unique_tag("lei-end");
    let chunks = raw_chunks(&[b"id: 1\ndata: a\n\n", b"id: 2\ndata: partial"]);
    let client = Rc::new(fetch_client(
        &url("/raw", &tag, &format!("chunks={chunks}")),
        FAST_RETRY,
    ));
    let weak = Rc::downgrade(&client);
    // Close once the second connection delivered its first event.
    let messages = Recorder::with_hook(move |count| {
        if count == 2 {
            weak.upgrade().expect("client").close();
        }
    });
    let _sub = client
        .subscribe("message", messages.handler())
        .expect("subscribe");
    wait_for("2 events", || messages.len() == 2).await;
    assert_eq!(messages.data(), ["a", "a"]);
    let stats = stats(&tag).await;
    assert_eq!(stats.header(1, "last-event-id").as_deref(), Some("1"));
}

#[wasm_bindgen_test]
async fn reconnect_aborts_the_stream_and_resumes_with_the_last_event_id() {
    let tag = unique_tag("reconnect");
    let client = fetch_client(&url("/events", &tag, "count=4&id_start=1&hold=1"), "");
    let opens = on(&client, "open");
    let (messages, _sub) = record(&client, "message");
    wait_for("4 events", || messages.len() == 4).await;
    client.reconnect();
    // Once the client opened again, the new stream exists server-side; the
    // old one must be gone, so exactly one stays open.
    wait_for("the second open", || opens.len() == 2).await;
    let stats = wait_server("only the new stream open", &tag, |s| s.open == 1).await;
    assert_eq!(stats.requests, 2);
    assert_eq!(stats.header(1, "last-event-id").as_deref(), Some("4"));
    assert_eq!(messages.len(), 4, "nothing replayed");
    client.close();
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn resubscribing_after_the_last_unsubscribe_sends_the_last_event_id() {
    let tag = unique_tag("resubscribe");
    let client = fetch_client(&url("/events", &tag, "count=2&id_start=1&hold=1"), "");
    let (messages, subscription) = record(&client, "message");
    wait_for("2 events", || messages.len() == 2).await;
    subscription.unsubscribe();
    assert_eq!(client.status(), "idle");
    let (_again, _sub) = record(&client, "message");
    wait_server("a second request", &tag, |s| s.requests == 2).await;
    assert_eq!(
        stats(&tag).await.header(1, "last-event-id").as_deref(),
        Some("2")
    );
    client.close();
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn a_silent_stream_fails_with_idle_timeout_and_is_retried() {
    let tag = unique_tag("idle");
    // `/stall` sends headers and then nothing at all, not even comments:
    // no progress, so the failures use up the budget.
    let client = fetch_client(
        &url("/stall", &tag, ""),
        r#""idleTimeoutMs":300,"retry":{"maxAttempts":2,"initialDelayMs":100,"jitter":0}"#,
    );
    let errors = on(&client, "error");
    let closes = on(&client, "close");
    let reconnecting = on(&client, "reconnecting");
    let (messages, _sub) = record(&client, "message");
    wait_for("close", || closes.len() == 1).await;
    assert!(messages.data().is_empty());
    assert_eq!(
        prop(&reconnecting.field(0, "error"), "kind"),
        "idle-timeout"
    );
    assert_eq!(kinds(&errors), ["retries-exhausted"]);
    assert_eq!(
        prop(&path(&errors.calls.borrow()[0], &["cause"]), "kind"),
        "idle-timeout"
    );
    assert_eq!(
        prop(
            &path(&errors.calls.borrow()[0], &["cause"]),
            "idleTimeoutMs"
        ),
        "300"
    );
    assert_eq!(stats(&tag).await.requests, 2);
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn a_non_ascii_id_in_the_query_parameter_is_percent_encoded_utf8() {
    let tag = unique_tag("lei-param-utf8");
    let chunks = raw_chunks(&["id: é/日\ndata: x\n\n".as_bytes()]);
    let client = fetch_client(
        &url("/raw", &tag, &format!("chunks={chunks}")),
        &format!(r#""lastEventIdParam":"lei",{FAST_RETRY}"#),
    );
    let (messages, _sub) = record(&client, "message");
    wait_for("the event", || messages.len() >= 1).await;
    wait_server("a second request", &tag, |s| s.requests >= 2).await;
    client.close();
    let stats = stats(&tag).await;
    assert!(stats.requests >= 2, "the client reconnected");
    assert!(
        stats.uri(1).contains("lei=%C3%A9%2F%E6%97%A5"),
        "{}",
        stats.uri(1)
    );
    assert_eq!(stats.header(1, "last-event-id"), None);
}

// ----- responses -------------------------------------------------------------

#[wasm_bindgen_test]
async fn event_stream_content_types_with_parameters_or_other_case_open() {
    for content_type in [
        "text/event-stream; charset=utf-8",
        "TEXT/Event-Stream",
        "text/event-stream;",
    ] {
        let tag = unique_tag("charset");
        let query = format!(
            "count=1&hold=1&content_type={}",
            js_sys::encode_uri_component(content_type)
        );
        let client = fetch_client(&url("/events", &tag, &query), "");
        let opens = on(&client, "open");
        let (messages, _sub) = record(&client, "message");
        wait_for("the event", || messages.len() == 1).await;
        assert_eq!(opens.len(), 1, "{content_type}");
        assert_eq!(client.status(), "open", "{content_type}");
        client.close();
    }
}

#[wasm_bindgen_test]
async fn non_200_statuses_that_are_not_retryable_close_after_one_request() {
    for status in [204, 201, 299, 400, 404, 410] {
        let tag = unique_tag("status");
        // Even a well-formed event stream is refused when the status is
        // not exactly 200.
        let client = fetch_client(
            &url(
                &format!("/status/{status}"),
                &tag,
                "content_type=text%2Fevent-stream&body=data%3A%20x%0A%0A",
            ),
            FAST_RETRY,
        );
        let errors = on(&client, "error");
        let closes = on(&client, "close");
        let opens = on(&client, "open");
        let (messages, _sub) = record(&client, "message");
        wait_for("close", || closes.len() == 1).await;
        assert_refused(&errors, "http", status, "text/event-stream");
        assert_eq!(client.status(), "closed", "{status}");
        assert_eq!(client.ready_state(), 2);
        assert_eq!((opens.len(), messages.len()), (0, 0), "{status}");
        assert_eq!(stats(&tag).await.requests, 1, "{status}: not retried");
    }
}

#[wasm_bindgen_test]
async fn a_500_with_an_html_body_is_retried_until_the_budget_runs_out() {
    let tag = unique_tag("500");
    let client = fetch_client(
        &url(
            "/status/500",
            &tag,
            "body=%3Chtml%3E%3Cbody%3Eoops%3C%2Fbody%3E%3C%2Fhtml%3E",
        ),
        r#""retry":{"maxAttempts":2,"initialDelayMs":50}"#,
    );
    let errors = on(&client, "error");
    let closes = on(&client, "close");
    let reconnecting = on(&client, "reconnecting");
    let (_messages, _sub) = record(&client, "message");
    wait_for("close", || closes.len() == 1).await;
    assert_eq!(stats(&tag).await.requests, 2);
    assert_eq!(kinds(&errors), ["retries-exhausted"]);
    let error = errors.calls.borrow()[0].clone();
    assert_eq!(prop(&error, "attempts"), "2");
    assert_eq!(prop(&error, "status"), "500");
    assert_eq!(prop(&path(&error, &["cause"]), "kind"), "http");
    assert_eq!(prop(&path(&error, &["cause"]), "status"), "500");
    assert_eq!(reconnecting.len(), 1);
    assert_eq!(prop(&reconnecting.calls.borrow()[0], "attempt"), "2");
    assert_eq!(prop(&reconnecting.field(0, "error"), "status"), "500");
    assert_eq!(client.status(), "closed");
}

#[wasm_bindgen_test]
async fn other_retryable_statuses_are_retried() {
    for status in [408, 429, 503] {
        let tag = unique_tag("retryable");
        let client = fetch_client(
            &url(&format!("/status/{status}"), &tag, ""),
            r#""retry":{"maxAttempts":2,"initialDelayMs":50}"#,
        );
        let errors = on(&client, "error");
        let closes = on(&client, "close");
        let (_messages, _sub) = record(&client, "message");
        wait_for("close", || closes.len() == 1).await;
        assert_eq!(kinds(&errors), ["retries-exhausted"], "{status}");
        assert_eq!(prop(&errors.calls.borrow()[0], "attempts"), "2", "{status}");
        assert_eq!(
            prop(&path(&errors.calls.borrow()[0], &["cause"]), "status"),
            status.to_string()
        );
        let requests = stats(&tag).await.requests;
        if status == 408 {
            // Chromium's network stack itself resends a request answered
            // 408 on a reused keep-alive connection, so the server may count
            // one more request than the client made.
            assert!((2..=4).contains(&requests), "{status}: {requests} requests");
        } else {
            assert_eq!(requests, 2, "{status}");
        }
    }
}

#[wasm_bindgen_test]
async fn a_200_that_is_not_an_event_stream_fails_with_content_type() {
    let tag = unique_tag("content-type");
    let client = fetch_client(
        &url("/events", &tag, "count=1&content_type=text%2Fhtml"),
        FAST_RETRY,
    );
    let errors = on(&client, "error");
    let closes = on(&client, "close");
    let (messages, _sub) = record(&client, "message");
    wait_for("close", || closes.len() == 1).await;
    assert_eq!(kinds(&errors), ["content-type"]);
    assert_eq!(prop(&errors.calls.borrow()[0], "contentType"), "text/html");
    assert_eq!(
        messages.len(),
        0,
        "the body of a refused response is not parsed"
    );
    assert_eq!(client.status(), "closed");
    assert_eq!(stats(&tag).await.requests, 1);
    wait_closed_server_side(&tag).await;
}

// ----- aborting --------------------------------------------------------------

#[wasm_bindgen_test]
async fn close_mid_stream_aborts_the_request() {
    let tag = unique_tag("close-mid");
    let client = fetch_client(&url("/events", &tag, "count=1&hold=1&keepalive_ms=0"), "");
    let (messages, _sub) = record(&client, "message");
    wait_for("the event", || messages.len() == 1).await;
    assert_eq!(stats(&tag).await.open, 1);
    client.close();
    // No keepalive: only the client's abort can end the stream.
    wait_closed_server_side(&tag).await;
    assert_eq!(stats(&tag).await.requests, 1);
}

#[wasm_bindgen_test]
async fn close_in_the_same_task_as_subscribe_sends_nothing() {
    // The test server has no endpoint that delays its response headers, so
    // "close while waiting for the response" is approached from two sides:
    // here, before the request leaves; below, while the headers function
    // is pending; `close_mid_stream_aborts_the_request`, after the headers.
    let tag = unique_tag("close-connecting");
    let client = fetch_client(&url("/stall", &tag, "first=hello"), "");
    let opens = on(&client, "open");
    let (messages, _sub) = record(&client, "message");
    assert_eq!(client.status(), "connecting");
    client.close();
    sleep(300).await;
    assert_eq!((opens.len(), messages.len()), (0, 0));
    assert_eq!(client.status(), "closed");
    let stats = stats(&tag).await;
    assert_eq!(
        (stats.requests, stats.open),
        (0, 0),
        "a request left after close()"
    );
}

#[wasm_bindgen_test]
async fn close_while_an_async_headers_function_is_pending_sends_nothing() {
    let tag = unique_tag("close-headers-pending");
    let calls = Rc::new(Cell::new(0u32));
    let counter = calls.clone();
    let provider = Closure::<dyn FnMut() -> Promise>::new(move || {
        counter.set(counter.get() + 1);
        wasm_bindgen_futures::future_to_promise(async move {
            sleep(150).await;
            Ok(headers_object(&[("Authorization", "Bearer late")]))
        })
    });
    let options = fetch_options("");
    set(&options, "headers", provider.as_ref());
    let client = SseClient::new(&url("/events", &tag, "count=1&hold=1"), options).expect("client");
    let (messages, _sub) = record(&client, "message");
    wait_for("the headers function to be called", || calls.get() == 1).await;
    client.close();
    sleep(400).await; // well past the moment the headers resolve
    assert_eq!(
        stats(&tag).await.requests,
        0,
        "a request left after close()"
    );
    assert_eq!(messages.len(), 0);
    assert_eq!(calls.get(), 1);
}

#[wasm_bindgen_test]
async fn reconnect_from_inside_a_handler_drops_the_rest_of_the_read() {
    let tag = unique_tag("reconnect-inside");
    // Three events in one read; the handler reconnects at the second.
    let chunks = raw_chunks(&[b"id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n"]);
    let client = Rc::new(fetch_client(
        &url("/raw", &tag, &format!("chunks={chunks}&hold=1")),
        "",
    ));
    let weak = Rc::downgrade(&client);
    let messages = Recorder::with_hook(move |count| {
        if count == 2 {
            weak.upgrade().expect("client").reconnect();
        }
    });
    let _sub = client
        .subscribe("message", messages.handler())
        .expect("subscribe");
    wait_for("5 events", || messages.len() == 5).await;
    assert_eq!(
        messages.data(),
        ["a", "b", "a", "b", "c"],
        "c of the first read was delivered after reconnect()"
    );
    let stats = stats(&tag).await;
    assert_eq!(stats.requests, 2);
    assert_eq!(stats.header(1, "last-event-id").as_deref(), Some("2"));
    client.close();
    wait_closed_server_side(&tag).await;
}

/// Aborting the signal is the caller's own decision, like `close()`: the
/// status turns `closed` (one `statechange`, before `abort()` returns), and
/// no `error` or `close` fires, then or later.
#[wasm_bindgen_test]
async fn an_abort_signal_closes_the_client_as_close_does() {
    let tag = unique_tag("signal");
    let controller = web_sys::AbortController::new().unwrap();
    let options = fetch_options("");
    set(&options, "signal", &controller.signal());
    let client = SseClient::new(
        &url("/events", &tag, "count=1&hold=1&keepalive_ms=0"),
        options,
    )
    .expect("client");
    let errors = on(&client, "error");
    let closes = on(&client, "close");
    let states = on(&client, "statechange");
    let (messages, _sub) = record(&client, "message");
    wait_for("the event", || messages.len() == 1).await;
    let before = states.len();
    controller.abort();
    assert_eq!(client.status(), "closed");
    assert_eq!(states.len(), before + 1, "one statechange");
    assert_eq!(
        states.calls.borrow()[before].as_string().as_deref(),
        Some("closed")
    );
    wait_closed_server_side(&tag).await;
    sleep(200).await;
    assert_eq!((errors.len(), closes.len()), (0, 0), "{:?}", kinds(&errors));
    assert_eq!(states.len(), before + 1, "nothing after the abort");
    assert_eq!(stats(&tag).await.requests, 1, "not reconnected");
    let error = client
        .subscribe("message", messages.handler())
        .err()
        .expect("subscribe after the abort throws");
    assert_eq!(prop(&error, "kind"), "closed");
}

#[wasm_bindgen_test]
async fn an_abort_signal_during_the_reconnect_wait_stops_the_reconnect() {
    let tag = unique_tag("signal-wait");
    let controller = web_sys::AbortController::new().unwrap();
    let options = fetch_options(r#""retry":{"initialDelayMs":300,"jitter":0}"#);
    set(&options, "signal", &controller.signal());
    let client = SseClient::new(&url("/events", &tag, "count=1"), options).expect("client");
    let closes = on(&client, "close");
    let reconnecting = on(&client, "reconnecting");
    let (_messages, _sub) = record(&client, "message");
    wait_for("the reconnect wait", || reconnecting.len() == 1).await;
    controller.abort();
    assert_eq!(client.status(), "closed");
    sleep(600).await; // twice the reconnection delay
    assert_eq!(stats(&tag).await.requests, 1);
    assert_eq!(closes.len(), 0);
}

#[wasm_bindgen_test]
async fn an_already_aborted_signal_sends_nothing() {
    let tag = unique_tag("signal-pre");
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let options = fetch_options("");
    set(&options, "signal", &controller.signal());
    let client = SseClient::new(&url("/events", &tag, "count=1&hold=1"), options).expect("client");
    assert_eq!(client.status(), "closed");
    let recorder = Recorder::new();
    // The client is closed before anyone subscribed: subscribe says so.
    let error = client
        .subscribe("message", recorder.handler())
        .err()
        .expect("subscribe throws");
    assert_eq!(prop(&error, "kind"), "closed");
    sleep(200).await;
    assert_eq!(
        stats(&tag).await.requests,
        0,
        "no request reached the server"
    );
    assert_eq!(recorder.len(), 0);
}

// ----- byte-level streams: fetch and EventSource agree ---------------------------

/// Streams `chunks` (one read each) plus a final `data: END` event through
/// both transports at once and checks that each delivers exactly
/// `expected` (type, data, id), END included.
async fn same_events_through_both_transports(
    name: &str,
    chunks: &[&[u8]],
    expected: &[(&str, &str, &str)],
) {
    events_through_each_transport(name, chunks, expected, expected).await;
}

/// Like [`same_events_through_both_transports`], with the events expected
/// through the native EventSource (`eventsource`, where an engine's own
/// parser differs) and through `fetch` (our parser).
async fn events_through_each_transport(
    name: &str,
    chunks: &[&[u8]],
    eventsource: &[(&str, &str, &str)],
    fetch: &[(&str, &str, &str)],
) {
    let mut all: Vec<&[u8]> = chunks.to_vec();
    all.push(b"data: END\n\n");
    let hex = raw_chunks(&all);
    let runs: Vec<_> = TRANSPORTS
        .iter()
        .map(|&transport| {
            let expected = match transport {
                "eventsource" => eventsource,
                _ => fetch,
            };
            let tag = unique_tag(name);
            let options = options(&format!(r#"{{"transport":"{transport}"}}"#));
            let client =
                SseClient::new(&url("/raw", &tag, &format!("chunks={hex}&hold=1")), options)
                    .expect("client");
            let recorder = Recorder::new();
            let subs: Vec<_> = ["message", "tick"]
                .iter()
                .map(|t| client.subscribe(t, recorder.handler()).expect("subscribe"))
                .collect();
            (transport, expected, tag, client, recorder, subs)
        })
        .collect();
    for (transport, _, _, _, recorder, _) in &runs {
        wait_for(&format!("{name}: END through {transport}"), || {
            recorder.seen.borrow().iter().any(|s| s.data == "END")
        })
        .await;
    }
    for (transport, expected, tag, client, recorder, _) in &runs {
        client.close();
        assert_eq!(
            triples(recorder),
            owned(expected),
            "{name} through {transport}"
        );
        wait_closed_server_side(tag).await;
    }
}

#[wasm_bindgen_test]
async fn crlf_split_across_reads_is_one_line_end() {
    same_events_through_both_transports(
        "crlf",
        &[
            b"data: a\r",
            b"\ndata: b\r",
            b"\n\r",
            b"\ndata: c\r\r",
            b"\n\ndata: d\rdata: e\r\r",
        ],
        &[
            ("message", "a\nb", ""),
            ("message", "c", ""),
            ("message", "d\ne", ""),
            ("message", "END", ""),
        ],
    )
    .await;
}

#[wasm_bindgen_test]
async fn utf8_characters_split_across_reads_are_joined() {
    let text = "data: é€😀 ok\n\n".as_bytes();
    // Split inside the 2-, 3- and 4-byte characters.
    let chunks: [&[u8]; 6] = [
        &text[..7],
        &text[7..9],
        &text[9..10],
        &text[10..13],
        &text[13..14],
        &text[14..],
    ];
    let mut all: Vec<&[u8]> = chunks.to_vec();
    // An id split inside a character, and an invalid byte (U+FFFD).
    all.extend_from_slice(&[b"id: \xC3", b"\xBC\ndata: a\xFFb\n\n"]);
    same_events_through_both_transports(
        "utf8",
        &all,
        &[
            ("message", "é€😀 ok", ""),
            ("message", "a\u{FFFD}b", "ü"),
            ("message", "END", "ü"),
        ],
    )
    .await;
}

#[wasm_bindgen_test]
async fn non_ascii_text_multi_line_data_and_ids_within_one_read() {
    // The fetch transport hands each read to JavaScript once and slices
    // events out of its text: every offset must survive CJK, emoji (two
    // UTF-16 units), a BOM mid-stream (kept, U+FEFF), CRLF, multi-line data,
    // an id set by a block with no data, and an id changed by an event
    // nobody listens to.
    let spec: &[_] = &[
        ("tick", "中文 😀\n第二行 ok", "一"),
        ("message", "\u{FEFF}bom", "😀2"),
        ("message", "无 id 行", "三"),
        ("message", "y 😀", "4"),
        ("message", "END", "4"),
    ];
    // Firefox's own EventSource gives the event after a block with an id
    // and no data the id before that block (pinned here, documented in the
    // README's browser differences).
    let native: &[_] = match engine() {
        Engine::Chromium | Engine::WebKit => spec,
        Engine::Firefox => &[
            ("tick", "中文 😀\n第二行 ok", "一"),
            ("message", "\u{FEFF}bom", "😀2"),
            ("message", "无 id 行", "😀2"),
            ("message", "y 😀", "4"),
            ("message", "END", "4"),
        ],
    };
    events_through_each_transport(
        "utf16",
        &["id: 一\nevent: tick\ndata: 中文 😀\ndata: 第二行 ok\n\n\
             data: \u{FEFF}bom\r\nid: 😀2\r\n\r\n\
             id: 三\n\ndata: 无 id 行\n\n\
             event: unheard\nid: 4\ndata: x\n\ndata: y 😀\n\n"
            .as_bytes()],
        native,
        spec,
    )
    .await;
}

#[wasm_bindgen_test]
async fn reads_that_begin_or_end_inside_a_character_or_hold_invalid_utf8() {
    let mut first = b"data: \xE4\xB8".to_vec(); // 中, split
    first.splice(0..0, "id: 甲\ndata: 前\n\n".bytes());
    same_events_through_both_transports(
        "utf16-split",
        &[
            &first,
            // Begins with the last byte of 中, ends inside 文.
            b"\xAD\n\nid: 7\ndata: \xE6\x96\x87 a\n\ndata: \xE6",
            b"\x96\x87\n\n",
            // An invalid byte in a comment: this read has no valid text.
            b": \xFF\nid: 8\ndata: \xE5\x90\x8E\n\ndata: b\ndata: c\n\n",
        ],
        &[
            ("message", "前", "甲"),
            ("message", "中", "甲"),
            ("message", "文 a", "7"),
            ("message", "文", "7"),
            ("message", "后", "8"),
            ("message", "b\nc", "8"),
            ("message", "END", "8"),
        ],
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_bom_split_over_two_reads_is_dropped() {
    let spec: &[_] = &[("message", "x", ""), ("message", "END", "")];
    // WebKit's own EventSource decodes a BOM split across reads as garbage
    // in front of the first line, whose field name is then unknown: the
    // first event is lost (pinned here, documented in the README). The
    // fetch transport, our parser, keeps it in every engine.
    let native: &[_] = match engine() {
        Engine::WebKit => &[("message", "END", "")],
        Engine::Chromium | Engine::Firefox => spec,
    };
    events_through_each_transport("bom2", &[b"\xEF", b"\xBB\xBFdata: x\n\n"], native, spec).await;
}

#[wasm_bindgen_test]
async fn a_bom_split_over_three_reads_is_dropped_and_a_second_one_is_not() {
    // After the leading BOM, a second one belongs to the first line, making
    // its field name unknown: that line is ignored.
    same_events_through_both_transports(
        "bom3",
        &[
            b"\xEF",
            b"\xBB",
            b"\xBF\xEF\xBB\xBFdata: 1\n\n",
            b"data: 2\n\n",
        ],
        &[("message", "2", ""), ("message", "END", "")],
    )
    .await;
}

#[wasm_bindgen_test]
async fn field_names_split_across_reads_and_named_events() {
    same_events_through_both_transports(
        "fields",
        &[
            b"ev",
            b"ent: tick\nid",
            b": 7\nda",
            b"ta: z\n",
            b"\n: comment\ndata:no space\n\n",
        ],
        &[
            ("tick", "z", "7"),
            ("message", "no space", "7"),
            ("message", "END", "7"),
        ],
    )
    .await;
}

// ----- handlers and callbacks ------------------------------------------------------

#[wasm_bindgen_test]
async fn close_inside_the_open_callback_delivers_nothing() {
    for transport in TRANSPORTS {
        let tag = unique_tag("close-in-open");
        let chunks = raw_chunks(&[b"data: 1\n\ndata: 2\n\ndata: 3\n\n"]);
        let options = options(&format!(r#"{{"transport":"{transport}"}}"#));
        let client = Rc::new(
            SseClient::new(
                &url("/raw", &tag, &format!("chunks={chunks}&hold=1")),
                options,
            )
            .expect("client"),
        );
        let weak = Rc::downgrade(&client);
        let opened = Rc::new(Cell::new(0));
        let count = opened.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            count.set(count.get() + 1);
            weak.upgrade().expect("client").close();
        });
        drop(
            client
                .on("open", on_open.as_ref().unchecked_ref::<Function>().clone())
                .expect("on"),
        );
        let (messages, _sub) = record(&client, "message");
        wait_for("open", || opened.get() == 1).await;
        assert_eq!(client.status(), "closed");
        wait_closed_server_side(&tag).await;
        sleep(200).await;
        assert_eq!(
            messages.len(),
            0,
            "{transport}: events delivered after close() in open"
        );
    }
}

#[wasm_bindgen_test]
async fn close_inside_a_reconnecting_callback_stops_the_reconnect() {
    let tag = unique_tag("close-in-reconnecting");
    let client = Rc::new(fetch_client(&url("/events", &tag, "count=1"), FAST_RETRY));
    let weak = Rc::downgrade(&client);
    let called = Rc::new(Cell::new(0));
    let count = called.clone();
    let on_reconnecting = Closure::<dyn FnMut(JsValue)>::new(move |_info: JsValue| {
        count.set(count.get() + 1);
        weak.upgrade().expect("client").close();
    });
    drop(
        client
            .on(
                "reconnecting",
                on_reconnecting.as_ref().unchecked_ref::<Function>().clone(),
            )
            .expect("on"),
    );
    let (_messages, _sub) = record(&client, "message");
    wait_for("reconnecting", || called.get() == 1).await;
    sleep(400).await; // four times the reconnection delay
    assert_eq!(client.status(), "closed");
    assert_eq!(stats(&tag).await.requests, 1);
    assert_eq!(called.get(), 1);
}

#[wasm_bindgen_test]
async fn a_throwing_handler_does_not_stop_the_others_or_the_stream() {
    for transport in TRANSPORTS {
        let tag = unique_tag("throws");
        let options = options(&format!(r#"{{"transport":"{transport}"}}"#));
        let client = SseClient::new(
            &url("/events", &tag, "count=3&interval_ms=30&hold=1"),
            options,
        )
        .expect("client");
        let thrown = Rc::new(Cell::new(0));
        let count = thrown.clone();
        let throwing =
            Closure::<dyn FnMut(JsValue, JsValue) -> Result<(), JsValue>>::new(move |_, _| {
                count.set(count.get() + 1);
                Err(js_sys::Error::new("handler failure (expected by the test)").into())
            });
        let throwing_open = Closure::<dyn FnMut() -> Result<(), JsValue>>::new(|| {
            Err(js_sys::Error::new("open callback failure (expected by the test)").into())
        });
        drop(
            client
                .on(
                    "open",
                    throwing_open.as_ref().unchecked_ref::<Function>().clone(),
                )
                .expect("on"),
        );
        let opens = on(&client, "open");
        let errors = on(&client, "error");
        let _throwing_sub = client
            .subscribe(
                "message",
                throwing.as_ref().unchecked_ref::<Function>().clone(),
            )
            .expect("subscribe");
        let (messages, _sub) = record(&client, "message");
        wait_for("3 events", || messages.len() == 3).await;
        assert_eq!(messages.data(), ["0", "1", "2"], "{transport}");
        assert_eq!(
            thrown.get(),
            3,
            "{transport}: the throwing handler keeps being called"
        );
        assert_eq!(opens.len(), 1, "{transport}: the second open callback ran");
        assert_eq!(
            errors.len(),
            0,
            "{transport}: a handler's exception is not a stream error"
        );
        assert_eq!(client.status(), "open", "{transport}");
        client.close();
    }
}

#[wasm_bindgen_test]
async fn an_oversized_event_is_reported_and_skipped() {
    let tag = unique_tag("too-large");
    let big = format!("data: {}\n\n", "x".repeat(100));
    let (first, second) = big.as_bytes().split_at(40);
    // The oversized event shares its reads with the events around it.
    let before: Vec<u8> = [b"data: ok1\n\n".as_slice(), first].concat();
    let after: Vec<u8> = [second, b"data: ok2\n\n".as_slice()].concat();
    let chunks = raw_chunks(&[&before, &after, b"data: ok3\n\n"]);
    let client = fetch_client(
        &url("/raw", &tag, &format!("chunks={chunks}&hold=1")),
        r#""maxEventSize":32"#,
    );
    let errors = on(&client, "error");
    let closes = on(&client, "close");
    let (messages, _sub) = record(&client, "message");
    wait_for("ok3", || messages.data().contains(&"ok3".to_owned())).await;
    assert_eq!(messages.data(), ["ok1", "ok2", "ok3"]);
    assert_eq!(kinds(&errors), ["event-too-large"]);
    assert_eq!(prop(&errors.calls.borrow()[0], "limit"), "32");
    assert_eq!(closes.len(), 0);
    assert_eq!(client.status(), "open");
    client.close();
}
