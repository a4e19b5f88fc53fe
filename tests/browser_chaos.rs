//! The chaos suite: thousands of events through a server that injects
//! faults (`/chaos` in the test server: drops mid-event and inside a UTF-8
//! character, clean ends, 500, 503 and 429 with `Retry-After`, stalls, resets
//! before the headers, byte-at-a-time trickles, slow starts, every write
//! split at random byte positions, and an id-less greeting at the start of
//! every connection). Over each transport every numbered event must arrive
//! exactly once, in order, with its type and its multi-line CJK data intact,
//! and the client must reconnect exactly once per injected fault.
//!
//! Seeded and reproducible: each run prints its seed, and a failure names
//! it. `make chaos SEED=... N=...` replays a seed, or runs longer.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::Reflect;
use sse_wasm::web::SseClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The test server's `CJK` text (`tests/server/src/chaos.rs`).
const CJK: &str = "服务器推送的中文消息";

/// Events per run in `make test`; `make chaos N=...` sets `CHAOS_EVENTS`.
const DEFAULT_EVENTS: u64 = 2_000;

/// Faults a default-sized run must at least inject to mean anything.
const MIN_FAULTS: u64 = 40;

/// The greeting every connection starts with, an event without an id.
const GREETING: &str = "hello";

/// The type and data of chaos event `index` (id `index + 1`): the twin of
/// `chaos_event` in the test server.
fn expected(index: u64) -> (&'static str, String) {
    let event_type = if index % 3 == 0 { "tick" } else { "message" };
    let text = CJK.repeat(index as usize % 4 + 1);
    let data = format!("{{\"n\":{index},\"text\":\"{text}\"}}\n第二行 {index}");
    (event_type, data)
}

/// `CHAOS_SEED` if `make chaos` set it, else a fresh random seed.
fn seed() -> u64 {
    option_env!("CHAOS_SEED")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| (js_sys::Math::random() * 9e15) as u64)
}

fn event_count() -> u64 {
    option_env!("CHAOS_EVENTS")
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_EVENTS)
}

/// How many numbered events (all but the greetings) `log` has seen.
fn numbered(log: &Recorder) -> usize {
    log.seen
        .borrow()
        .iter()
        .filter(|seen| seen.data != GREETING)
        .count()
}

/// What `/chaos/log` reports for a tag.
struct Injected {
    connections: u64,
    faults: u64,
    /// Faults answered before any stream (status codes and resets), which
    /// therefore sent no greeting.
    refused: u64,
    /// Connections closed before the response headers.
    resets: u64,
    summary: String,
}

async fn injected(tag: &str) -> Injected {
    let log = fetch_json(&format!("{}/chaos/log?tag={tag}", server())).await;
    let count = |keys: &[&str]| path(&log, keys).as_f64().unwrap_or(0.0) as u64;
    let refused = ["500", "503", "429", "reset-before-headers"]
        .iter()
        .map(|name| count(&["faults", name]))
        .sum();
    Injected {
        connections: count(&["connections"]),
        faults: count(&["injected"]),
        refused,
        resets: count(&["faults", "reset-before-headers"]),
        summary: js_sys::JSON::stringify(&log)
            .map(String::from)
            .unwrap_or_default(),
    }
}

/// One chaos run: `transport` with `extra` options against `/chaos` with
/// `query`, until every event arrived (or a generous liveness bound).
async fn run(name: &str, transport: &str, extra: &str, query: &str) {
    let seed = seed();
    let events = event_count();
    let rerun =
        format!("{name}: seed {seed}, {events} events (rerun: make chaos SEED={seed} N={events})");
    console_log!("chaos {rerun}");

    let started = js_sys::Date::now();
    let tag = unique_tag("chaos");
    let client = client(
        &url(
            "/chaos",
            &tag,
            &format!("seed={seed}&count={events}&greet={GREETING}&{query}"),
        ),
        transport,
        extra,
    );
    // One recorder for both types: one log, in delivery order.
    let log = Recorder::new();
    let subscriptions: Vec<_> = ["message", "tick"]
        .iter()
        .map(|t| client.subscribe(t, log.handler()).expect("subscribe"))
        .collect();
    let reconnects = on(&client, "reconnecting");
    let errors = on(&client, "error");

    wait_until_delivered(&log, &client, events, &rerun).await;
    // Whatever is still in flight would show up as a duplicate.
    sleep(300).await;
    client.close();
    drop(subscriptions);

    let report = injected(&tag).await;
    let seen = client_view(&log, &reconnects);
    let all = log.seen.borrow();
    let (greetings, numbered): (Vec<_>, Vec<_>) =
        all.iter().partition(|seen| seen.data == GREETING);
    assert_eq!(
        numbered.len() as u64,
        events,
        "every event exactly once; {rerun}"
    );
    for (index, seen) in numbered.iter().enumerate() {
        let index = index as u64;
        let (want_type, want_data) = expected(index);
        assert_eq!(
            (seen.event_type.as_str(), &seen.data, &seen.last_event_id),
            (want_type, &want_data, &(index + 1).to_string()),
            "event {index} out of order, lost, duplicated or damaged; {rerun}"
        );
    }
    // Each stream that delivered events started with exactly one greeting:
    // a greeting before the first event, and between any two greetings at
    // least one event (a stream the client left before its first byte
    // delivers nothing at all).
    let pattern_ok = all.first().is_some_and(|seen| seen.data == GREETING)
        && all
            .windows(2)
            .all(|pair| !(pair[0].data == GREETING && pair[1].data == GREETING));
    assert!(
        pattern_ok && greetings.len() as u64 <= report.connections - report.refused,
        "one greeting per stream; {rerun}; {}; client: {seen}",
        report.summary
    );
    if events >= DEFAULT_EVENTS {
        assert!(
            report.faults >= MIN_FAULTS,
            "only {} faults; {rerun}; {}",
            report.faults,
            report.summary
        );
    }
    // One reconnect per fault, except that a browser may retry a request
    // whose reused connection closed before any answer, without telling
    // the page: such resets are not seen.
    let reconnected = reconnects.len() as u64;
    assert!(
        (report.faults - report.resets..=report.faults).contains(&reconnected),
        "{reconnected} reconnects for {} faults ({} resets before the headers); {rerun}; {}; client: {seen}",
        report.faults,
        report.resets,
        report.summary
    );
    assert_eq!(errors.len(), 0, "no error reached the user; {rerun}");
    console_log!(
        "chaos {name}: {events} events, {} faults, {} greetings, {} reconnects in {:.1} s",
        report.faults,
        greetings.len(),
        reconnects.len(),
        (js_sys::Date::now() - started) / 1000.0
    );
    wait_closed_server_side(&tag).await;
}

/// What the client saw, for the message of a failing assertion: runs of
/// ids between greetings (`G 1-37 G 38-60 ...`), then each reconnect's
/// cause (`network`, `500`, ...).
fn client_view(log: &Recorder, reconnects: &Callback) -> String {
    let mut out = String::new();
    let mut run: Option<(String, String)> = None;
    let flush = |run: &mut Option<(String, String)>, out: &mut String| {
        if let Some((first, last)) = run.take() {
            out.push_str(&format!(" {first}-{last}"));
        }
    };
    for Seen {
        data,
        last_event_id: id,
        ..
    } in log.seen.borrow().iter()
    {
        if data == GREETING {
            flush(&mut run, &mut out);
            out.push_str(" G");
        } else {
            match &mut run {
                Some((_, last)) => *last = id.clone(),
                None => run = Some((id.clone(), id.clone())),
            }
        }
    }
    flush(&mut run, &mut out);
    out.push_str("; reconnect causes:");
    for call in reconnects.calls.borrow().iter() {
        let error = Reflect::get(call, &"error".into()).unwrap_or(JsValue::UNDEFINED);
        let status = prop(&error, "status");
        let cause = if status.is_empty() || status == "undefined" {
            prop(&error, "kind")
        } else {
            status
        };
        out.push_str(&format!(" {cause}"));
    }
    out
}

/// Waits until `events` numbered events arrived; fails early if the client
/// closed itself, and after a bound that scales with the run.
async fn wait_until_delivered(log: &Recorder, client: &SseClient, events: u64, rerun: &str) {
    let bound_ms = 60_000 + events * 20;
    let mut waited = 0;
    while (numbered(log) as u64) < events {
        assert_ne!(client.status(), "closed", "the client gave up; {rerun}");
        assert!(
            waited < bound_ms,
            "{} of {events} events after {waited} ms; {rerun}",
            numbered(log)
        );
        sleep(50).await;
        waited += 50;
    }
}

/// The options of a fast-reconnecting client with an idle watchdog (for
/// the stalls). `maxAttempts` stays at its default.
const WATCHED: &str =
    r#""idleTimeoutMs":1000,"retry":{"initialDelayMs":100,"maxDelayMs":100,"jitter":0}"#;

#[wasm_bindgen_test]
async fn fetch_delivers_every_event_exactly_once_through_every_fault() {
    run("fetch", "fetch", WATCHED, "faults=all&run=90").await;
}

#[wasm_bindgen_test]
async fn eventsource_with_the_id_parameter_delivers_every_event_exactly_once_through_every_fault() {
    // A refused response or a stall makes the client open a new
    // EventSource, which can resume only through the query parameter.
    let extra = format!(r#""lastEventIdParam":"last_event_id",{WATCHED}"#);
    run(
        "eventsource+param",
        "eventsource",
        &extra,
        "faults=all&run=90&retry=100",
    )
    .await;
}

#[wasm_bindgen_test]
async fn eventsource_with_default_options_delivers_every_event_exactly_once_through_drops() {
    // Drops and ends, from which the browser reconnects by itself, sending
    // Last-Event-ID.
    run(
        "eventsource",
        "eventsource",
        "",
        "faults=transport&run=70&retry=100",
    )
    .await;
}
