//! The Rust API (`sse_wasm::Client`) in a real browser against the test
//! server: builder options on the wire, typed errors, subscription guards,
//! event streams and serde-typed JSON events.
#![cfg(target_arch = "wasm32")]

mod common;
#[path = "readme/watch.rs"]
mod readme;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use common::*;
use futures_util::future::{select, Either};
use futures_util::{Stream, StreamExt};
use gloo_timers::future::TimeoutFuture;
use js_sys::{Reflect, JSON};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{self, Serialize, Serializer};
use sse_wasm::core::connection::State;
use sse_wasm::core::retry::RetryOptions;
use sse_wasm::{Client, Error, Event, Retry, Subscription, Transport};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TRANSPORTS: [Transport; 2] = [Transport::EventSource, Transport::Fetch];

/// `/events`' JSON payload `{"n": i}`. Deserialize is written out because
/// the crate's serde dependency has no `derive` feature; it is what
/// `#[derive(Deserialize)]` would generate for this struct.
#[derive(Debug, PartialEq)]
struct Tick {
    n: u32,
}

impl<'de> Deserialize<'de> for Tick {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TickVisitor;
        impl<'de> Visitor<'de> for TickVisitor {
            type Value = Tick;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct Tick")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tick, A::Error> {
                let mut n = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "n" {
                        n = Some(map.next_value()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                n.map(|n| Tick { n })
                    .ok_or_else(|| de::Error::missing_field("n"))
            }
        }
        deserializer.deserialize_struct("Tick", &["n"], TickVisitor)
    }
}

/// A value whose serialisation fails.
struct Unserialisable;

impl Serialize for Unserialisable {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(ser::Error::custom("refused on purpose"))
    }
}

/// Awaits `future`; panics naming `what` after 15 s (a liveness bound, not
/// a timing assertion).
async fn within<F: Future>(what: &str, future: F) -> F::Output {
    match select(pin!(future), TimeoutFuture::new(15_000)).await {
        Either::Left((output, _)) => output,
        Either::Right(_) => panic!("timed out waiting for {what}"),
    }
}

/// The next item of `stream` (see [`within`]).
async fn next<S: Stream + Unpin>(stream: &mut S, what: &str) -> Option<S::Item> {
    within(what, stream.next()).await
}

/// A handler that records every event, and its shared log.
fn recorder() -> (Rc<RefCell<Vec<Event>>>, impl FnMut(Event) + 'static) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    (seen, move |event| sink.borrow_mut().push(event))
}

fn data(seen: &RefCell<Vec<Event>>) -> Vec<String> {
    seen.borrow().iter().map(|e| e.data.clone()).collect()
}

/// A callback that records its argument, and its shared log.
fn log<T: 'static>() -> (Rc<RefCell<Vec<T>>>, impl FnMut(T) + 'static) {
    let calls = Rc::new(RefCell::new(Vec::new()));
    let sink = calls.clone();
    (calls, move |value| sink.borrow_mut().push(value))
}

/// The request `/echo` described, as a JS object.
fn echoed(event: &Event) -> JsValue {
    assert_eq!(event.event_type, "echo");
    JSON::parse(&event.data).expect("echo data is JSON")
}

fn echoed_header(request: &JsValue, name: &str) -> String {
    prop(&Reflect::get(request, &"headers".into()).unwrap(), name)
}

/// Hex-encodes chunks for the server's `/raw` endpoint.
fn hex(chunks: &[&str]) -> String {
    chunks
        .iter()
        .map(|c| c.bytes().map(|b| format!("{b:02x}")).collect::<String>())
        .collect::<Vec<_>>()
        .join(",")
}

/// A policy that gives up after `attempts` requests, retrying quickly.
fn quick_retry(attempts: u32) -> RetryOptions {
    RetryOptions {
        max_attempts: Some(attempts),
        initial_delay_ms: 0,
        jitter: 0.0,
        ..RetryOptions::default()
    }
}

// ----- the builder -----------------------------------------------------------

#[wasm_bindgen_test]
async fn builder_headers_reach_the_server_on_every_attempt() {
    let tag = unique_tag("rust-headers");
    let attempts = Rc::new(Cell::new(0));
    let counter = attempts.clone();
    let client = Client::builder(url("/echo", &tag, "hold=1"))
        .bearer("t0ken")
        .header("X-Custom", "first")
        .header("x-custom", "custom value") // replaces, case-insensitively
        .headers_fn(move || {
            counter.set(counter.get() + 1);
            vec![("X-Attempt".to_owned(), counter.get().to_string())]
        })
        .last_event_id("41")
        .build()
        .expect("client");
    assert_eq!(client.transport(), Transport::Fetch, "headers need fetch");
    let mut echoes = client.events("echo");

    let request = echoed(&next(&mut echoes, "the first echo").await.expect("an echo"));
    assert_eq!(prop(&request, "method"), "GET");
    assert_eq!(echoed_header(&request, "authorization"), "Bearer t0ken");
    assert_eq!(echoed_header(&request, "x-custom"), "custom value");
    assert_eq!(echoed_header(&request, "x-attempt"), "1");
    assert_eq!(echoed_header(&request, "last-event-id"), "41");

    // The function runs again for the next attempt; fixed headers stay.
    client.reconnect();
    let request = echoed(&next(&mut echoes, "the second echo").await.expect("an echo"));
    assert_eq!(echoed_header(&request, "x-attempt"), "2");
    assert_eq!(echoed_header(&request, "authorization"), "Bearer t0ken");
    assert_eq!(attempts.get(), 2);
    assert_eq!(stats(&tag).await.requests, 2);
    client.close();
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn builder_method_and_bodies_reach_the_server() {
    let tag = unique_tag("rust-json-body");
    let mut query = BTreeMap::new();
    query.insert("symbols", vec!["ABC", "XYZ"]);
    let client = Client::builder(url("/echo", &tag, "hold=1"))
        .method("POST")
        .json_body(&query)
        .build()
        .expect("client");
    let mut echoes = client.events("echo");
    let request = echoed(&next(&mut echoes, "the echo").await.expect("an echo"));
    assert_eq!(prop(&request, "method"), "POST");
    assert_eq!(prop(&request, "body"), r#"{"symbols":["ABC","XYZ"]}"#);
    assert_eq!(echoed_header(&request, "content-type"), "application/json");
    drop(echoes);
    wait_closed_server_side(&tag).await;

    // A plain body, and a Content-Type of one's own wins over the JSON one.
    let tag = unique_tag("rust-body");
    let client = Client::builder(url("/echo", &tag, "hold=1"))
        .method("POST")
        .header("Content-Type", "text/x-query")
        .body("symbols=ABC")
        .build()
        .expect("client");
    let mut echoes = client.events("echo");
    let request = echoed(&next(&mut echoes, "the echo").await.expect("an echo"));
    assert_eq!(prop(&request, "body"), "symbols=ABC");
    assert_eq!(echoed_header(&request, "content-type"), "text/x-query");
    drop(client);
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn last_event_id_param_works_with_the_native_eventsource() {
    let tag = unique_tag("rust-lei-param");
    let client = Client::builder(url("/echo", &tag, "hold=1"))
        .transport(Transport::EventSource)
        .last_event_id("7")
        .last_event_id_param("resume_from")
        .with_credentials(true)
        .build()
        .expect("client");
    assert_eq!(client.transport(), Transport::EventSource);
    assert_eq!(client.last_event_id(), "7");
    let mut echoes = client.events("echo");
    let request = echoed(&next(&mut echoes, "the echo").await.expect("an echo"));
    assert!(
        prop(&request, "query").contains("resume_from=7"),
        "{}",
        prop(&request, "query")
    );
    drop(client);
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
fn auto_transport_picks_eventsource_without_fetch_only_options() {
    let client = Client::new(url("/events", &unique_tag("rust-auto"), "")).expect("client");
    assert_eq!(client.transport(), Transport::EventSource);
    assert_eq!(
        client.status(),
        State::Idle,
        "nothing connects before a subscription"
    );
    assert!(client.url().starts_with("http://"));
}

#[wasm_bindgen_test]
fn build_errors_are_typed() {
    // (A quote in the URL: the reason must still come back alone.)
    for bad in [
        "ftp://example.com/",
        "ftp://example.com/\"quoted\"",
        "http://[::1",
    ] {
        match Client::new(bad) {
            Err(Error::InvalidUrl { url, reason }) => {
                assert_eq!(url, bad);
                assert!(
                    !reason.is_empty() && !reason.starts_with("invalid URL"),
                    "{reason}"
                );
            }
            other => panic!("{bad}: expected InvalidUrl, got {other:?}"),
        }
    }

    fn base() -> sse_wasm::ClientBuilder {
        Client::builder("http://127.0.0.1:9/")
    }
    let cases: Vec<(ClientCase, &str)> = vec![
        (
            Box::new(|| base().transport(Transport::EventSource).bearer("x").build()),
            "headers",
        ),
        (
            Box::new(|| {
                base()
                    .retry(RetryOptions {
                        factor: 0.5,
                        ..RetryOptions::default()
                    })
                    .build()
            }),
            "retry.factor",
        ),
        (Box::new(|| base().body("no method").build()), "body"),
        (
            Box::new(|| base().method("POST").json_body(&Unserialisable).build()),
            "body",
        ),
        (
            Box::new(|| base().max_event_size(0).build()),
            "maxEventSize",
        ),
        (Box::new(|| base().method("GET /").build()), "method"),
        (
            Box::new(|| base().header("Bad Name", "x").build()),
            "headers",
        ),
    ];
    for (build, expected) in cases {
        match build() {
            Err(Error::InvalidOption { option, message }) => {
                assert_eq!(option, expected, "{message}");
                // The message is the reason alone, not "option `x`: ..." again.
                assert!(
                    !message.is_empty() && !message.starts_with("option `"),
                    "{option}: {message}"
                );
            }
            other => panic!("{expected}: expected InvalidOption, got {other:?}"),
        }
    }
}

type ClientCase = Box<dyn Fn() -> Result<Client, Error>>;

// ----- subscription guards ---------------------------------------------------

#[wasm_bindgen_test]
async fn a_guard_delivers_until_dropped_and_the_last_one_closes_the_connection() {
    for transport in TRANSPORTS {
        let tag = unique_tag("rust-guard");
        let client = Client::builder(url(
            "/events",
            &tag,
            "count=1000&interval_ms=30&id_start=100&hold=1",
        ))
        .transport(transport)
        .build()
        .expect("client");
        let (seen, handler) = recorder();
        let guard: Subscription = client.subscribe("message", handler).expect("subscribe");
        wait_for("3 events", || seen.borrow().len() >= 3).await;
        let first = seen.borrow()[0].clone();
        assert_eq!(
            first,
            Event {
                event_type: "message".into(),
                data: "0".into(),
                last_event_id: "100".into()
            }
        );
        assert_eq!(data(&seen)[..3], ["0", "1", "2"], "{transport:?}");
        assert_eq!(client.status(), State::Open);

        drop(guard);
        let count = seen.borrow().len();
        assert_eq!(
            client.status(),
            State::Idle,
            "{transport:?}: the last handler is gone"
        );
        wait_closed_server_side(&tag).await;
        sleep(300).await;
        assert_eq!(
            seen.borrow().len(),
            count,
            "{transport:?}: delivered after the guard was dropped"
        );
    }
}

#[wasm_bindgen_test]
async fn dropping_one_of_two_guards_keeps_the_other_and_the_connection() {
    for transport in TRANSPORTS {
        let tag = unique_tag("rust-two-guards");
        let client = Client::builder(url("/events", &tag, "count=1000&interval_ms=30&hold=1"))
            .transport(transport)
            .build()
            .expect("client");
        let (first, handler) = recorder();
        let first_guard = client.subscribe("message", handler).expect("subscribe");
        let (second, handler) = recorder();
        let _second_guard = client.subscribe("message", handler).expect("subscribe");
        wait_for("an event each", || {
            !first.borrow().is_empty() && !second.borrow().is_empty()
        })
        .await;

        first_guard.unsubscribe();
        let count = first.borrow().len();
        let later = second.borrow().len() + 3;
        wait_for("more events for the kept guard", || {
            second.borrow().len() >= later
        })
        .await;
        assert_eq!(
            first.borrow().len(),
            count,
            "{transport:?}: the dropped guard's handler ran"
        );
        assert_eq!(client.status(), State::Open, "{transport:?}");
        assert_eq!(
            stats(&tag).await.open,
            1,
            "{transport:?}: one connection, still open"
        );
        client.close();
        wait_closed_server_side(&tag).await;
    }
}

#[wasm_bindgen_test]
async fn a_handler_can_drop_its_own_guard() {
    for transport in TRANSPORTS {
        let tag = unique_tag("rust-self-drop");
        let client = Client::builder(url("/events", &tag, "count=1000&interval_ms=20&hold=1"))
            .transport(transport)
            .build()
            .expect("client");
        let slot: Rc<RefCell<Option<Subscription>>> = Rc::new(RefCell::new(None));
        let seen = Rc::new(Cell::new(0));
        let guard = {
            let (slot, seen) = (slot.clone(), seen.clone());
            client
                .subscribe("message", move |_| {
                    seen.set(seen.get() + 1);
                    if seen.get() == 2 {
                        let own = slot.borrow_mut().take();
                        drop(own); // frees this very closure once it returns
                    }
                })
                .expect("subscribe")
        };
        *slot.borrow_mut() = Some(guard);
        wait_for("2 events", || seen.get() == 2).await;
        wait_closed_server_side(&tag).await;
        sleep(200).await;
        assert_eq!(seen.get(), 2, "{transport:?}");
        assert_eq!(client.status(), State::Idle);
        assert!(slot.borrow().is_none());
    }
}

#[wasm_bindgen_test]
async fn lifecycle_guards_stop_their_callback_only() {
    let tag = unique_tag("rust-lifecycle");
    let client = Client::builder(url("/events", &tag, "count=1&hold=1"))
        .transport(Transport::Fetch)
        .build()
        .expect("client");
    let opens = Rc::new(Cell::new(0));
    let _open = {
        let opens = opens.clone();
        client.on_open(move || opens.set(opens.get() + 1))
    };
    let (states, callback) = log::<State>();
    let state_guard = client.on_state_change(callback);
    let (seen, handler) = recorder();
    let _sub = client.subscribe("message", handler).expect("subscribe");
    wait_for("the event", || seen.borrow().len() == 1).await;
    assert_eq!(opens.get(), 1);
    assert_eq!(*states.borrow(), [State::Connecting, State::Open]);

    drop(state_guard);
    client.reconnect();
    wait_for("the second open", || opens.get() == 2).await;
    assert_eq!(
        states.borrow().len(),
        2,
        "a dropped on_state_change guard still fired"
    );
    client.close();
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn subscribing_after_close_is_a_typed_error() {
    let client = Client::new(url("/events", &unique_tag("rust-closed"), "")).expect("client");
    client.close();
    assert_eq!(client.status(), State::Closed);
    let error = client
        .subscribe("message", |_| {})
        .expect_err("subscribe after close fails");
    assert_eq!(error, Error::Closed);
    let mut events = client.events("message");
    assert_eq!(next(&mut events, "the end of the stream").await, None);
}

// ----- typed errors reported while running ------------------------------------

#[wasm_bindgen_test]
async fn runtime_errors_reach_on_error_typed() {
    // 500 twice: a reconnect, then the budget runs out and the client
    // closes itself.
    let tag = unique_tag("rust-500");
    let client = Client::builder(url("/status/500", &tag, ""))
        .transport(Transport::Fetch)
        .retry(quick_retry(2))
        .build()
        .expect("client");
    let (errors, callback) = log::<Error>();
    let _errors = client.on_error(callback);
    let (reconnects, callback) = log();
    let _reconnects = client.on_reconnecting(callback);
    let closes = Rc::new(Cell::new(0));
    let _close = {
        let closes = closes.clone();
        client.on_close(move || closes.set(closes.get() + 1))
    };
    let mut events = client.events("message");
    assert_eq!(
        next(&mut events, "the end of the stream").await,
        None,
        "the stream ends when the client gives up"
    );
    assert_eq!(closes.get(), 1);
    assert_eq!(client.status(), State::Closed);
    let reconnects: Vec<sse_wasm::Reconnecting> = reconnects.borrow().clone();
    assert_eq!(reconnects.len(), 1);
    assert_eq!(reconnects[0].attempt, 2);
    assert!(
        reconnects[0].delay >= Some(Duration::from_millis(100)),
        "{:?}",
        reconnects[0].delay
    );
    assert!(
        matches!(reconnects[0].error, Error::Http { status: 500, .. }),
        "{:?}",
        reconnects[0].error
    );
    match &errors.borrow()[..] {
        [Error::RetriesExhausted { attempts: 2, cause }] => {
            assert!(
                matches!(
                    **cause,
                    Error::Http {
                        status: 500,
                        retry_after_ms: None,
                        ..
                    }
                ),
                "{cause:?}"
            )
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }

    // Status, headers and Retry-After survive the trip through JS.
    let tag = unique_tag("rust-503");
    let client = Client::builder(url("/status/503", &tag, "retry_after=2"))
        .transport(Transport::Fetch)
        .retry(Retry::Disabled)
        .build()
        .expect("client");
    let (errors, callback) = log::<Error>();
    let _errors = client.on_error(callback);
    let _sub = client.subscribe("message", |_| {}).expect("subscribe");
    wait_for("the 503", || errors.borrow().len() == 1).await;
    match &errors.borrow()[0] {
        Error::Http {
            status: 503,
            retry_after_ms: Some(2000),
            headers,
        } => {
            assert!(
                headers.contains(&("retry-after".to_owned(), "2".to_owned())),
                "{headers:?}"
            )
        }
        other => panic!("expected Http 503, got {other:?}"),
    }

    let tag = unique_tag("rust-401");
    let client = Client::builder(url("/status/401", &tag, ""))
        .bearer("expired")
        .retry(Retry::Disabled)
        .build()
        .expect("client");
    let (errors, callback) = log::<Error>();
    let _errors = client.on_error(callback);
    let _sub = client.subscribe("message", |_| {}).expect("subscribe");
    wait_for("the 401", || errors.borrow().len() == 1).await;
    assert!(
        matches!(errors.borrow()[0], Error::Unauthorized { status: 401, .. }),
        "{:?}",
        errors.borrow()[0]
    );

    let tag = unique_tag("rust-content-type");
    let client = Client::builder(url("/status/200", &tag, "content_type=text/html"))
        .transport(Transport::Fetch)
        .retry(Retry::Disabled)
        .build()
        .expect("client");
    let (errors, callback) = log::<Error>();
    let _errors = client.on_error(callback);
    let _sub = client.subscribe("message", |_| {}).expect("subscribe");
    wait_for("the content-type error", || errors.borrow().len() == 1).await;
    assert_eq!(
        errors.borrow()[0],
        Error::ContentType {
            content_type: "text/html".into()
        }
    );
}

#[wasm_bindgen_test]
async fn idle_timeout_and_max_event_size_report_typed_errors() {
    let tag = unique_tag("rust-idle");
    let client = Client::builder(url("/stall", &tag, ""))
        .transport(Transport::Fetch)
        .idle_timeout(Duration::from_millis(300))
        .retry(Retry::Disabled)
        .build()
        .expect("client");
    let (errors, callback) = log::<Error>();
    let _errors = client.on_error(callback);
    let _sub = client.subscribe("message", |_| {}).expect("subscribe");
    wait_for("the idle timeout", || errors.borrow().len() == 1).await;
    assert_eq!(errors.borrow()[0], Error::IdleTimeout { idle_ms: 300 });
    wait_closed_server_side(&tag).await;

    let tag = unique_tag("rust-too-large");
    // An event over the cap, then (in a later chunk) one under it. (The cap
    // counts the line being read, field name included: `data: ok` is 8.)
    let chunks = hex(&["data: 0123456789abcdef\n\n", "data: ok\n\n"]);
    let client = Client::builder(url("/raw", &tag, &format!("chunks={chunks}&hold=1")))
        .transport(Transport::Fetch)
        .max_event_size(12)
        .build()
        .expect("client");
    let (errors, callback) = log::<Error>();
    let _errors = client.on_error(callback);
    let (seen, handler) = recorder();
    let _sub = client.subscribe("message", handler).expect("subscribe");
    wait_for("the small event", || seen.borrow().len() == 1).await;
    assert_eq!(*errors.borrow(), [Error::EventTooLarge { limit: 12 }]);
    assert_eq!(
        data(&seen),
        ["ok"],
        "the stream goes on after the large event"
    );
    assert_eq!(client.status(), State::Open);
}

#[wasm_bindgen_test]
async fn json_mode_reports_bad_json_as_a_typed_error() {
    for transport in TRANSPORTS {
        let tag = unique_tag("rust-bad-json");
        let chunks = hex(&[
            "event: price\ndata: not json\n\n",
            "event: price\ndata: {\"n\":1}\n\n",
        ]);
        let client = Client::builder(url("/raw", &tag, &format!("chunks={chunks}&hold=1")))
            .transport(transport)
            .json(true)
            .build()
            .expect("client");
        let (errors, callback) = log::<Error>();
        let _errors = client.on_error(callback);
        let mut prices = client.json_events::<Tick>("price");
        assert_eq!(
            next(&mut prices, "the valid event").await,
            Some(Ok(Tick { n: 1 })),
            "{transport:?}"
        );
        match &errors.borrow()[..] {
            [Error::Json {
                data,
                event_type,
                message,
            }] => {
                assert_eq!(
                    (data.as_str(), event_type.as_str()),
                    ("not json", "price"),
                    "{transport:?}"
                );
                assert!(
                    !message.is_empty() && !message.starts_with("the data of"),
                    "{message}"
                );
            }
            other => panic!("{transport:?}: expected one Json error, got {other:?}"),
        }
        client.close();
    }
}

// ----- streams ----------------------------------------------------------------

#[wasm_bindgen_test]
async fn events_stream_yields_in_order_and_ends_after_close() {
    for transport in TRANSPORTS {
        let tag = unique_tag("rust-stream");
        let client = Client::builder(url("/events", &tag, "count=3&hold=1"))
            .transport(transport)
            .build()
            .expect("client");
        let mut events = client.events("message");
        let mut received = Vec::new();
        for i in 0..3 {
            let event = next(&mut events, &format!("event {i}"))
                .await
                .expect("an event before the end");
            assert_eq!(event.event_type, "message");
            received.push(event.data);
        }
        assert_eq!(received, ["0", "1", "2"], "{transport:?}");
        client.close();
        assert_eq!(
            next(&mut events, "the end").await,
            None,
            "{transport:?}: the stream ends after close()"
        );
        assert_eq!(
            next(&mut events, "the end again").await,
            None,
            "{transport:?}: and stays ended"
        );
        wait_closed_server_side(&tag).await;
    }
}

#[wasm_bindgen_test]
async fn events_received_before_the_client_closes_itself_are_still_yielded() {
    let tag = unique_tag("rust-self-close");
    // Two events, then the body ends; without retry that closes the client.
    let client = Client::builder(url("/events", &tag, "count=2"))
        .transport(Transport::Fetch)
        .retry(Retry::Disabled)
        .build()
        .expect("client");
    let mut events = client.events("message");
    wait_for("the client to close itself", || {
        client.status() == State::Closed
    })
    .await;
    assert_eq!(events.queued(), 2);
    assert_eq!(
        next(&mut events, "event 0")
            .await
            .map(|e| e.data)
            .as_deref(),
        Some("0")
    );
    assert_eq!(
        next(&mut events, "event 1")
            .await
            .map(|e| e.data)
            .as_deref(),
        Some("1")
    );
    assert_eq!(next(&mut events, "the end").await, None);
}

#[wasm_bindgen_test]
async fn two_streams_of_one_client_share_the_connection() {
    let tag = unique_tag("rust-two-streams");
    let client = Client::new(url(
        "/events",
        &tag,
        "count=4&interval_ms=20&event=tick&hold=1",
    ))
    .expect("client");
    let mut a = client.events("tick");
    let mut b = client.events("tick");
    let mut messages = client.events("message");
    for i in 0..4 {
        let from_a = next(&mut a, "a tick").await.expect("a tick");
        let from_b = next(&mut b, "a tick").await.expect("a tick");
        assert_eq!(
            (from_a.data.as_str(), from_b.data.as_str()),
            (i.to_string().as_str(), i.to_string().as_str())
        );
    }
    assert_eq!(messages.queued(), 0, "unnamed stream got named events");
    assert_eq!(stats(&tag).await.requests, 1);
    drop(a);
    drop(b);
    assert_eq!(
        client.status(),
        State::Open,
        "the message stream still subscribes"
    );
    drop(client);
    assert_eq!(
        next(&mut messages, "the end").await,
        None,
        "dropping the client ends its streams"
    );
    wait_closed_server_side(&tag).await;
}

#[wasm_bindgen_test]
async fn dropping_the_last_stream_closes_the_connection() {
    for transport in TRANSPORTS {
        let tag = unique_tag("rust-drop-stream");
        let client = Client::builder(url("/events", &tag, "count=1&hold=1"))
            .transport(transport)
            .build()
            .expect("client");
        let mut events = client.events("message");
        assert!(next(&mut events, "the event").await.is_some());
        drop(events);
        assert_eq!(client.status(), State::Idle, "{transport:?}");
        wait_closed_server_side(&tag).await;
        // The client is still usable: a new stream reconnects.
        let mut again = client.events("message");
        assert_eq!(
            next(&mut again, "the event again")
                .await
                .map(|e| e.data)
                .as_deref(),
            Some("0")
        );
        assert_eq!(stats(&tag).await.requests, 2, "{transport:?}");
    }
}

#[wasm_bindgen_test]
async fn dropping_the_client_closes_the_connection() {
    for transport in TRANSPORTS {
        let tag = unique_tag("rust-drop-client");
        let client = Client::builder(url("/events", &tag, "count=1&hold=1"))
            .transport(transport)
            .build()
            .expect("client");
        let (seen, handler) = recorder();
        let guard = client.subscribe("message", handler).expect("subscribe");
        wait_for("the event", || seen.borrow().len() == 1).await;
        drop(client);
        wait_closed_server_side(&tag).await;
        drop(guard); // outliving the client is harmless
    }
}

#[wasm_bindgen_test]
async fn json_events_decode_into_serde_types() {
    for transport in TRANSPORTS {
        for json in [false, true] {
            let tag = unique_tag("rust-json-events");
            let client = Client::builder(url("/events", &tag, "count=3&json=1&hold=1"))
                .transport(transport)
                .json(json)
                .build()
                .expect("client");
            let mut ticks = client.json_events::<Tick>("message");
            for n in 0..3 {
                let tick = next(&mut ticks, "a tick").await.expect("a tick");
                assert_eq!(tick, Ok(Tick { n }), "{transport:?}, json({json})");
            }
            client.close();
            assert_eq!(next(&mut ticks, "the end").await, None);
        }
    }
}

#[wasm_bindgen_test]
async fn json_events_report_data_that_does_not_fit() {
    for transport in TRANSPORTS {
        // `0` is JSON but not a Tick; `hello` is not JSON at all.
        let tag = unique_tag("rust-json-mismatch");
        let chunks = hex(&["data: 0\n\n", "data: hello\n\n", "data: {\"n\":5}\n\n"]);
        let client = Client::builder(url("/raw", &tag, &format!("chunks={chunks}&hold=1")))
            .transport(transport)
            .build()
            .expect("client");
        let mut ticks = client.json_events::<Tick>("message");
        match next(&mut ticks, "the mismatch").await {
            Some(Err(Error::Json {
                data,
                event_type,
                message,
            })) => {
                assert_eq!((data.as_str(), event_type.as_str()), ("0", "message"));
                assert!(
                    message.contains("Tick"),
                    "the message names the type: {message}"
                );
            }
            other => panic!("{transport:?}: expected a Json error, got {other:?}"),
        }
        match next(&mut ticks, "the non-JSON event").await {
            Some(Err(Error::Json { data, .. })) => assert_eq!(data, "hello"),
            other => panic!("{transport:?}: expected a Json error, got {other:?}"),
        }
        assert_eq!(
            next(&mut ticks, "the tick").await,
            Some(Ok(Tick { n: 5 })),
            "{transport:?}: the stream goes on"
        );
        client.close();
    }
}

/// The README's Rust example (tests/readme/watch.rs holds the very text of
/// the README's block; tests/readme.rs checks that), against the test server.
#[wasm_bindgen_test]
async fn readme_example() {
    let tag = unique_tag("rust-readme");
    let (states, on_state) = log::<State>();
    let (shown, mut record) = log::<u32>();
    let stream = url("/events", &tag, "count=3&json=1&hold=1");
    let watching = readme::watch(&stream, on_state, move |n| {
        record(n);
        n < 2
    });
    within("the example to finish", watching)
        .await
        .expect("no error");
    assert_eq!(*shown.borrow(), [0, 1, 2]);
    assert_eq!(
        *states.borrow(),
        [State::Connecting, State::Open, State::Idle],
        "dropping the stream (the last subscription) leaves the client idle; dropping the client then closes it quietly"
    );
    wait_closed_server_side(&tag).await;
}
