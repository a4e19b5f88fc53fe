//! SSEClient inside a dedicated Worker (no `window`, no `document`): the
//! fetch transport with custom headers and Last-Event-ID reconnects, the
//! native EventSource transport, the AbortSignal, and URL resolution
//! against the worker's location. The common helpers reach the test server
//! through the global scope's `fetch`, so they work here, with no `Window`.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::Reflect;
use sse_wasm::web::SseClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn has_global(name: &str) -> bool {
    Reflect::has(&js_sys::global(), &name.into()).unwrap_or(false)
}

#[wasm_bindgen_test]
fn the_suite_runs_in_a_dedicated_worker() {
    assert!(js_sys::global().is_instance_of::<web_sys::DedicatedWorkerGlobalScope>());
    assert!(
        !has_global("window") && !has_global("document"),
        "this scope has a window or a document"
    );
}

#[wasm_bindgen_test]
async fn the_fetch_transport_delivers_events_with_a_custom_header() {
    let tag = unique_tag("worker-fetch");
    let options = options(
        r#"{"transport":"fetch","headers":{"X-Worker":"dedicated","Authorization":"Bearer w"}}"#,
    );
    let client = SseClient::new(&url("/echo", &tag, "hold=1"), options).expect("client");
    let opens = on(&client, "open");
    let (echo, _sub) = record(&client, "echo");
    wait_for("the echo event", || echo.len() == 1).await;
    assert_eq!(opens.len(), 1);
    assert_eq!(client.status(), "open");
    let request = parse_json(&echo.seen.borrow()[0].data);
    assert_eq!(
        path(&request, &["headers", "x-worker"])
            .as_string()
            .as_deref(),
        Some("dedicated")
    );
    assert_eq!(
        path(&request, &["headers", "authorization"])
            .as_string()
            .as_deref(),
        Some("Bearer w")
    );
    assert_eq!(
        path(&request, &["headers", "accept"])
            .as_string()
            .as_deref(),
        Some("text/event-stream")
    );
    let stats = stats(&tag).await;
    assert_eq!(stats.requests, 1);
    assert_eq!(stats.header(0, "x-worker").as_deref(), Some("dedicated"));
    assert_eq!(stats.open, 1);
    client.close();
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn the_fetch_transport_reconnects_with_the_last_event_id() {
    let tag = unique_tag("worker-lei");
    let options = options(&format!(r#"{{"transport":"fetch",{FAST_RETRY}}}"#));
    let client = SseClient::new(
        &url("/drop", &tag, "after=2&id_start=1&drops=1&count=4&hold=1"),
        options,
    )
    .expect("client");
    let (messages, _sub) = record(&client, "message");
    wait_for("4 events over 2 connections", || messages.len() == 4).await;
    assert_eq!(messages.data(), ["0", "1", "2", "3"]);
    let stats = stats(&tag).await;
    assert_eq!(stats.requests, 2);
    assert_eq!(stats.header(1, "last-event-id").as_deref(), Some("2"));
    client.close();
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn the_native_eventsource_transport_works_in_a_worker() {
    // Chromium, Firefox and WebKit all expose EventSource to dedicated workers.
    assert!(has_global("EventSource"), "no EventSource in this worker");
    let tag = unique_tag("worker-es");
    let client = SseClient::new(
        &url("/events", &tag, "count=3&id_start=1&hold=1"),
        options(r#"{"transport":"eventsource"}"#),
    )
    .expect("client");
    assert_eq!(client.transport(), "eventsource");
    let (messages, _sub) = record(&client, "message");
    wait_for("3 events", || messages.len() == 3).await;
    assert_eq!(messages.data(), ["0", "1", "2"]);
    assert_eq!(client.last_event_id(), "3");
    client.close();
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn an_abort_signal_closes_the_client_in_a_worker() {
    let tag = unique_tag("worker-signal");
    let controller = web_sys::AbortController::new().unwrap();
    let options = options(r#"{"transport":"fetch"}"#);
    set(&options, "signal", &controller.signal());
    let client = SseClient::new(
        &url("/events", &tag, "count=1&hold=1&keepalive_ms=0"),
        options,
    )
    .expect("client");
    let states = on(&client, "statechange");
    let (messages, _sub) = record(&client, "message");
    wait_for("the event", || messages.len() == 1).await;
    controller.abort();
    assert_eq!(client.status(), "closed");
    let last = states.calls.borrow().last().and_then(JsValue::as_string);
    assert_eq!(last.as_deref(), Some("closed"));
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn a_throwing_handler_does_not_stop_the_stream_in_a_worker() {
    let tag = unique_tag("worker-throws");
    let client = SseClient::new(
        &url("/events", &tag, "count=3&interval_ms=30&hold=1"),
        options(r#"{"transport":"fetch"}"#),
    )
    .expect("client");
    let throwing = Closure::<dyn FnMut(JsValue, JsValue) -> Result<(), JsValue>>::new(|_, _| {
        Err(js_sys::Error::new("handler failure (expected by the test)").into())
    });
    let _throwing_sub = client
        .subscribe(
            "message",
            throwing
                .as_ref()
                .unchecked_ref::<js_sys::Function>()
                .clone(),
        )
        .expect("subscribe");
    let (messages, _sub) = record(&client, "message");
    wait_for("3 events", || messages.len() == 3).await;
    assert_eq!(messages.data(), ["0", "1", "2"]);
    assert_eq!(client.status(), "open");
    client.close();
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
fn relative_urls_resolve_against_the_worker_location() {
    let location = Reflect::get(&js_sys::global(), &"location".into()).unwrap();
    let origin = Reflect::get(&location, &"origin".into())
        .unwrap()
        .as_string()
        .unwrap();
    let client = SseClient::new("/relative/path?x=1", JsValue::UNDEFINED).expect("relative URL");
    assert_eq!(client.url(), format!("{origin}/relative/path?x=1"));
}
