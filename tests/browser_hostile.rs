//! Hostile input over the fetch transport: a 200 MB line, bytes that are not
//! UTF-8, NUL and BOM where they do not belong, a million events, absurd
//! `retry:` values, a stream of nothing but comments, JSON that is too deep
//! or not JSON, and options and URLs that must be refused.
//!
//! In every test nothing may reach the page as an uncaught exception or an
//! unhandled rejection ([`PageErrors`]).
//!
//! The JS heap is measured in Chromium only: `gc()` and a precise
//! `performance.memory` need `--js-flags=--expose-gc` and
//! `--enable-precise-memory-info`, which `webdriver.json` (crate root) passes
//! to Chromium; wasm-bindgen-test-runner reads that file and appends its own
//! headless arguments to it.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use common::*;
use futures_util::future::join3;
use js_sys::{Function, Reflect};
use sse_wasm::web::SseClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The default `maxEventSize`.
const CAP: usize = 1 << 20;

/// How much wasm memory or JS heap a test may leave behind: "a few MB".
const FEW_MB: f64 = 4.0 * 1024.0 * 1024.0;

// ----- helpers ---------------------------------------------------------

/// Records every `error` and `unhandledrejection` event that reaches the
/// global scope (an exception nobody caught, `reportError`, a rejected
/// promise nobody handled) while it lives; dropping it removes the
/// listeners.
struct PageErrors {
    seen: Rc<RefCell<Vec<String>>>,
    /// Event name and listener, for the removal.
    listeners: Vec<(&'static str, EventListener)>,
}

type EventListener = Closure<dyn FnMut(web_sys::Event)>;

impl PageErrors {
    /// Starts listening on `window` (or `self` in a worker).
    fn watch() -> Self {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let global: web_sys::EventTarget = js_sys::global().unchecked_into();
        let listeners = ["error", "unhandledrejection"]
            .into_iter()
            .map(|name| {
                let sink = seen.clone();
                let closure = EventListener::new(move |event: web_sys::Event| {
                    sink.borrow_mut()
                        .push(format!("{name}: {}", describe(&event)));
                });
                global
                    .add_event_listener_with_callback(name, closure.as_ref().unchecked_ref())
                    .expect("addEventListener");
                (name, closure)
            })
            .collect();
        Self { seen, listeners }
    }

    /// Asserts that nothing reached the page. Waits a moment first: an
    /// unhandled rejection is reported only after the task that left it.
    async fn assert_none(&self) {
        sleep(100).await;
        assert!(
            self.seen.borrow().is_empty(),
            "reached the page uncaught: {:?}",
            self.seen.borrow()
        );
    }
}

impl Drop for PageErrors {
    fn drop(&mut self) {
        let global: web_sys::EventTarget = js_sys::global().unchecked_into();
        for (name, closure) in &self.listeners {
            let _ =
                global.remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
    }
}

/// What an `error` (`message`) or `unhandledrejection` (`reason`) event says.
fn describe(event: &web_sys::Event) -> String {
    let Some(value) = ["message", "reason"]
        .iter()
        .filter_map(|key| Reflect::get(event, &(*key).into()).ok())
        .find(|v| !v.is_undefined())
    else {
        return String::new();
    };
    match value.dyn_ref::<js_sys::Error>() {
        Some(error) => error.message().into(),
        None => value.as_string().unwrap_or_else(|| format!("{value:?}")),
    }
}

/// The size of the wasm module's linear memory, in bytes.
fn wasm_memory_bytes() -> f64 {
    let buffer = Reflect::get(&wasm_bindgen::memory(), &"buffer".into()).expect("buffer");
    Reflect::get(&buffer, &"byteLength".into())
        .ok()
        .and_then(|v| v.as_f64())
        .expect("byteLength")
}

/// `performance.memory.usedJSHeapSize`, where the browser has it (Chromium).
fn js_heap_bytes() -> Option<f64> {
    let performance = Reflect::get(&js_sys::global(), &"performance".into()).ok()?;
    let memory = Reflect::get(&performance, &"memory".into()).ok()?;
    Reflect::get(&memory, &"usedJSHeapSize".into())
        .ok()?
        .as_f64()
}

/// [`js_heap_bytes`] after a full garbage collection; `None` without an
/// exposed `gc()` (Firefox, WebKit, or Chromium without `webdriver.json`).
fn js_heap_after_gc() -> Option<f64> {
    let gc: Function = Reflect::get(&js_sys::global(), &"gc".into())
        .ok()?
        .dyn_into()
        .ok()?;
    // Twice: the first collection can leave finalizers' garbage behind.
    gc.call0(&JsValue::UNDEFINED).ok()?;
    gc.call0(&JsValue::UNDEFINED).ok()?;
    js_heap_bytes()
}

/// Waits until `condition` holds, calling `sample` every 10 ms meanwhile;
/// panics naming `what` after `bound_ms` (a liveness bound, not a timing
/// assertion).
async fn wait_sampling(
    what: &str,
    bound_ms: u32,
    condition: impl Fn() -> bool,
    mut sample: impl FnMut(),
) {
    for _ in 0..bound_ms / 10 {
        if condition() {
            return;
        }
        sample();
        sleep(10).await;
    }
    panic!("timed out waiting for {what}");
}

/// The `delayMs` of every `reconnecting` callback so far.
fn delays(reconnecting: &Callback) -> Vec<f64> {
    reconnecting
        .calls
        .borrow()
        .iter()
        .map(|info| number(info, "delayMs"))
        .collect()
}

/// Percent-encodes `text` for a query parameter.
fn query(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// The watchdog of every test hears what it must: a reported exception and
/// a rejection nobody handled.
#[wasm_bindgen_test]
async fn page_errors_hears_uncaught_exceptions_and_unhandled_rejections() {
    let page = PageErrors::watch();
    let report: Function = Reflect::get(&js_sys::global(), &"reportError".into())
        .expect("reportError")
        .unchecked_into();
    let error = js_sys::Error::new("reported on purpose by the test");
    report
        .call1(&JsValue::UNDEFINED, &error)
        .expect("reportError");
    drop(js_sys::Promise::reject(
        &js_sys::Error::new("rejected on purpose by the test").into(),
    ));
    sleep(100).await;
    let seen = page.seen.borrow().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen[0].starts_with("error: ") && seen[0].contains("reported on purpose"),
        "{seen:?}"
    );
    assert!(
        seen[1].starts_with("unhandledrejection: rejected on purpose"),
        "{seen:?}"
    );
}

// ----- 1. a 200 MB line --------------------------------------------------

/// 200 MB with no line end, then a normal event: refused once as
/// `event-too-large`, the event after it delivered, memory flat, and the
/// clean end after it retried under the policy (no tight loop).
#[wasm_bindgen_test]
async fn a_200_mb_line_is_refused_once_with_flat_memory_and_the_stream_goes_on() {
    let page = PageErrors::watch();
    let tag = unique_tag("flood");
    const FLOOD: usize = 200 * 1024 * 1024;
    let wasm_before = wasm_memory_bytes();
    let heap_before = js_heap_after_gc();
    // Only the first request floods; reconnects get just the event.
    let client = client(
        &url(
            "/flood",
            &tag,
            &format!(
                "bytes={FLOOD}&floods=1&then={}",
                query("\n\ndata: after\n\n")
            ),
        ),
        "fetch",
        "",
    );
    let errors = on(&client, "error");
    let reconnecting = on(&client, "reconnecting");
    let (messages, _sub) = record(&client, "message");
    let started = js_sys::Date::now();
    let mut heap_peak = heap_before;
    wait_sampling(
        "the event after the flood",
        50_000,
        || messages.len() == 1,
        || {
            if let Some(now) = js_heap_bytes() {
                heap_peak = Some(heap_peak.map_or(now, |peak| peak.max(now)));
            }
        },
    )
    .await;
    let flood_ms = js_sys::Date::now() - started;
    assert_eq!(messages.data(), ["after"], "the event after the flood");
    assert_eq!(kinds(&errors), ["event-too-large"], "reported once");
    assert_eq!(number(&errors.calls.borrow()[0], "limit"), CAP as f64);

    let wasm_after = wasm_memory_bytes();
    let heap_after = js_heap_after_gc();
    console_log!(
        "flood: {FLOOD} bytes in {flood_ms} ms; wasm memory {wasm_before} -> {wasm_after} bytes; \
         JS heap before/peak/after GC: {heap_before:?} / {heap_peak:?} / {heap_after:?} bytes"
    );
    assert!(
        wasm_after - wasm_before <= FEW_MB,
        "wasm memory grew from {wasm_before} to {wasm_after} bytes"
    );
    match (heap_before, heap_after) {
        (Some(before), Some(after)) => assert!(
            after - before <= FEW_MB,
            "JS heap after GC grew from {before} to {after} bytes"
        ),
        // Firefox and WebKit have neither `gc()` nor `performance.memory`:
        // only this one measurement is skipped there; the wasm memory check
        // above holds in every engine.
        _ => console_log!("JS heap not measured: no gc()/performance.memory"),
    }

    // The flood ended cleanly: the policy's delays, not a loop.
    wait_for("the reconnect after the flood", || reconnecting.len() >= 1).await;
    let requests_at_end = stats(&tag).await.requests;
    sleep(3000).await;
    let requests = stats(&tag).await.requests;
    assert_eq!(requests_at_end, 1);
    assert!(
        (2..=3).contains(&requests),
        "{requests} requests within 3 s of the end (delays {:?})",
        delays(&reconnecting)
    );
    assert!(
        delays(&reconnecting).iter().all(|&d| d >= 500.0),
        "the default policy waits at least 0.5 s: {:?}",
        delays(&reconnecting)
    );
    assert_eq!(
        kinds(&errors),
        ["event-too-large"],
        "nothing more to report"
    );
    client.close();
    wait_closed_server_side(&tag).await;
    page.assert_none().await;
}

// ----- 2. bytes the spec has rules for ------------------------------------

/// Invalid UTF-8 in data, event type, id and field names becomes U+FFFD; NUL
/// is kept in data and makes an `id` line be ignored; only a leading BOM is
/// dropped, a later U+FEFF is data or part of a field name.
#[wasm_bindgen_test]
async fn invalid_utf8_nul_and_a_late_bom_follow_the_spec() {
    let page = PageErrors::watch();
    let tag = unique_tag("bytes");
    let chunks = raw_chunks(&[
        // The leading BOM is dropped, so this is a `data` line.
        b"\xEF\xBB\xBFdata: a\xFFb\n\n",
        b"event: t\xFFx\ndata: typed\n\n",
        b"id: i\xFF\ndata: 2\n\n",
        // Field names "da\u{FFFD}ta" and "\u{FFFD}data": unknown, ignored.
        b"da\xFFta: no\n\n\xFFdata: no\n\n",
        // A truncated sequence, its line end in the next read: one U+FFFD.
        b"data: \xE2\x82",
        b"\n\n",
        b"data: a\x00b\n\n",
        // An id with NUL is ignored: the last event ID stays "i\u{FFFD}".
        b"id: x\x00y\ndata: 5\n\n",
        // A BOM after the start: a field name "\u{FEFF}data" (ignored), then data.
        b"\xEF\xBB\xBFdata: no\n\n",
        b"data: \xEF\xBB\xBF7\n\n",
        b"data: end\n\n",
    ]);
    let client = client(
        &url("/raw", &tag, &format!("chunks={chunks}&delay_ms=10&hold=1")),
        "fetch",
        "",
    );
    let errors = on(&client, "error");
    let (typed, _t) = record(&client, "t\u{FFFD}x");
    let (messages, _m) = record(&client, "message");
    wait_for("the last event", || {
        messages.data().last().map(String::as_str) == Some("end")
    })
    .await;
    let seen: Vec<(String, String)> = messages
        .seen
        .borrow()
        .iter()
        .map(|s| (s.data.clone(), s.last_event_id.clone()))
        .collect();
    let id = "i\u{FFFD}";
    let expected = [
        ("a\u{FFFD}b", ""),
        ("2", id),
        ("\u{FFFD}", id),
        ("a\u{0}b", id),
        ("5", id),
        ("\u{FEFF}7", id),
        ("end", id),
    ]
    .map(|(d, i)| (d.to_owned(), i.to_owned()));
    assert_eq!(seen, expected);
    assert_eq!(typed.data(), ["typed"], "the event type with U+FFFD");
    assert_eq!(client.last_event_id(), id);
    assert_eq!(errors.len(), 0);
    client.close();
    page.assert_none().await;
}

/// A field name of 1,000,000 bytes fits the 1 MiB cap: an unknown field,
/// ignored. One longer than the cap is refused as `event-too-large`, once
/// per oversized event, and the stream goes on.
#[wasm_bindgen_test]
async fn megabyte_field_names_are_ignored_or_refused_once_per_event() {
    let page = PageErrors::watch();
    let then = query(": v\n\ndata: after\n\n");
    let (tag_fits, tag_over) = (unique_tag("name-fits"), unique_tag("name-over"));
    let fits = client(
        &url(
            "/flood",
            &tag_fits,
            &format!("bytes=1000000&then={then}&hold=1"),
        ),
        "fetch",
        "",
    );
    let over = client(
        &url(
            "/flood",
            &tag_over,
            &format!("bytes={}&repeat=2&then={then}&hold=1", CAP + 1),
        ),
        "fetch",
        "",
    );
    let (fits_errors, over_errors) = (on(&fits, "error"), on(&over, "error"));
    let (fits_messages, _f) = record(&fits, "message");
    let (over_messages, _o) = record(&over, "message");
    wait_for("the events after the names", || {
        fits_messages.len() == 1 && over_messages.len() == 2
    })
    .await;
    sleep(100).await;
    assert_eq!(fits_messages.data(), ["after"]);
    assert_eq!(
        fits_errors.len(),
        0,
        "a name within the cap is just unknown"
    );
    assert_eq!(over_messages.data(), ["after", "after"]);
    assert_eq!(kinds(&over_errors), ["event-too-large", "event-too-large"]);
    assert_eq!(fits.status(), "open");
    assert_eq!(over.status(), "open");
    fits.close();
    over.close();
    page.assert_none().await;
}

/// Two oversized events in one read (a small `maxEventSize`): two errors,
/// and the events around them delivered.
#[wasm_bindgen_test]
async fn several_oversized_events_in_one_read_are_each_reported() {
    let page = PageErrors::watch();
    let tag = unique_tag("two-over");
    let big = "data: 0123456789abcdef\n\n";
    let text = format!("data: a\n\n{big}data: b\n\n{big}data: c\n\n");
    let chunks = raw_chunks(&[text.as_bytes()]);
    let client = client(
        &url("/raw", &tag, &format!("chunks={chunks}&hold=1")),
        "fetch",
        r#""maxEventSize":16"#,
    );
    let errors = on(&client, "error");
    let (messages, _sub) = record(&client, "message");
    wait_for("the last event", || messages.len() == 3).await;
    sleep(100).await;
    assert_eq!(messages.data(), ["a", "b", "c"]);
    assert_eq!(kinds(&errors), ["event-too-large", "event-too-large"]);
    client.close();
    page.assert_none().await;
}

/// A million tiny events in one response: every one delivered, in order,
/// exactly once.
#[wasm_bindgen_test]
async fn a_million_tiny_events_arrive_complete_and_in_order() {
    const COUNT: u32 = 1_000_000;
    let page = PageErrors::watch();
    let tag = unique_tag("million");
    let client = client(&url("/bulk", &tag, &format!("count={COUNT}")), "fetch", "");
    let errors = on(&client, "error");
    let reconnecting = on(&client, "reconnecting");
    // Counts and checks in the handler: a million recorded events would
    // measure the recorder, not the client.
    let count = Rc::new(Cell::new(0u32));
    let first_wrong = Rc::new(RefCell::new(None::<(u32, String)>));
    let handler = {
        let (count, first_wrong) = (count.clone(), first_wrong.clone());
        Closure::<dyn FnMut(JsValue)>::new(move |data: JsValue| {
            let i = count.get();
            let data = data.as_string().unwrap_or_default();
            if first_wrong.borrow().is_none() && data != format!("{{\"n\":{i}}}") {
                *first_wrong.borrow_mut() = Some((i, data));
            }
            count.set(i + 1);
        })
    };
    let _sub = client
        .subscribe(
            "message",
            handler.as_ref().unchecked_ref::<Function>().clone(),
        )
        .expect("subscribe");
    let started = js_sys::Date::now();
    // The clean end of the body is the first `reconnecting`.
    wait_sampling(
        "the end of the stream",
        50_000,
        || reconnecting.len() == 1,
        || {},
    )
    .await;
    client.close();
    console_log!(
        "{} events in {} ms",
        count.get(),
        js_sys::Date::now() - started
    );
    assert_eq!(count.get(), COUNT);
    assert_eq!(
        *first_wrong.borrow(),
        None,
        "(index, data) of the first event out of order"
    );
    assert_eq!(
        prop(&reconnecting.field(0, "error"), "kind"),
        "stream-ended"
    );
    assert_eq!(errors.len(), 0);
    assert_eq!(stats(&tag).await.requests, 1);
    page.assert_none().await;
}

// ----- 3. absurd retry values ------------------------------------------

/// A stream that sends `retry: VALUE` and ends, reconnected under the
/// default policy: returns the `delayMs` of each reconnect and how many
/// requests followed the first end within 3 s.
async fn requests_after_retry(value: &str) -> (Vec<f64>, u32) {
    let tag = unique_tag("retry-value");
    let chunks = raw_chunks(&[format!("retry: {value}\n\n").as_bytes()]);
    let client = client(&url("/raw", &tag, &format!("chunks={chunks}")), "fetch", "");
    let reconnecting = on(&client, "reconnecting");
    let (_messages, _sub) = record(&client, "message");
    wait_for("the first end", || reconnecting.len() == 1).await;
    sleep(3000).await;
    let requests = stats(&tag).await.requests;
    let delays = delays(&reconnecting);
    client.close();
    (delays, requests - 1)
}

/// `retry: 0` is floored at 100 ms and then grows; `retry: -1` is not a
/// valid value (digits only) and leaves the default delay; a huge value is
/// capped at max(`retry.maxDelayMs`, 5 minutes). None of them storms.
#[wasm_bindgen_test]
async fn absurd_retry_values_never_cause_a_request_storm() {
    let page = PageErrors::watch();
    let ((zero, zero_requests), (negative, negative_requests), (huge, huge_requests)) = join3(
        requests_after_retry("0"),
        requests_after_retry("-1"),
        requests_after_retry("99999999999999999999"),
    )
    .await;

    assert_eq!(zero[0], 100.0, "retry: 0 is floored at 100 ms");
    assert!(
        zero.windows(2).all(|w| w[1] > w[0]),
        "retry: 0, then backoff: {zero:?}"
    );
    // 100 + 150 + 250 + 450 + 850 ms at the least: at most 5 in 3 s.
    assert!(
        (2..=5).contains(&zero_requests),
        "retry: 0: {zero_requests} requests in 3 s ({zero:?})"
    );

    assert!(
        (500.0..=1000.0).contains(&negative[0]),
        "retry: -1 is ignored: the default 1 s, jittered: {negative:?}"
    );
    assert!(
        (1..=2).contains(&negative_requests),
        "retry: -1: {negative_requests} requests in 3 s"
    );

    assert_eq!(huge, [300_000.0], "a huge retry: is capped at 5 minutes");
    assert_eq!(huge_requests, 0, "a huge retry: no request in 3 s");
    page.assert_none().await;
}

// ----- 4. comments only -------------------------------------------------

/// Comments are activity: a stream of nothing but `:` lines for 5 s never
/// trips a 1 s idle watchdog, while a silent one (the control) does.
#[wasm_bindgen_test]
async fn a_stream_of_comments_keeps_the_idle_watchdog_quiet() {
    let page = PageErrors::watch();
    let (tag, silent_tag) = (unique_tag("comments"), unique_tag("silent"));
    let idle = r#""idleTimeoutMs":1000"#;
    let silent = client(&url("/stall", &silent_tag, ""), "fetch", idle);
    let chatty = client(
        &url("/events", &tag, "count=0&hold=1&keepalive_ms=250"),
        "fetch",
        idle,
    );
    let errors = on(&chatty, "error");
    let reconnecting = on(&chatty, "reconnecting");
    let states = on(&chatty, "statechange");
    let silent_reconnecting = on(&silent, "reconnecting");
    let (_m, _sub) = record(&chatty, "message");
    let (_s, _silent_sub) = record(&silent, "message");
    sleep(5000).await;
    assert_eq!(
        (errors.len(), reconnecting.len()),
        (0, 0),
        "no error, no reconnect"
    );
    let states: Vec<String> = states
        .calls
        .borrow()
        .iter()
        .filter_map(|s| s.as_string())
        .collect();
    assert_eq!(states, ["connecting", "open"]);
    assert_eq!(stats(&tag).await.requests, 1);
    assert!(
        silent_reconnecting.len() >= 1,
        "the control: silence trips the watchdog"
    );
    assert_eq!(
        prop(&silent_reconnecting.field(0, "error"), "kind"),
        "idle-timeout"
    );
    chatty.close();
    silent.close();
    page.assert_none().await;
}

// ----- 5. JSON ----------------------------------------------------------

/// `json: true`: a payload nested 50 levels deep arrives parsed, depth
/// intact; empty data, trailing garbage, a truncated array and `NaN` are each
/// reported as kind `json` with their data, and the stream goes on.
#[wasm_bindgen_test]
async fn json_mode_keeps_deep_payloads_and_reports_each_bad_one() {
    let page = PageErrors::watch();
    let tag = unique_tag("json");
    // 50 objects: {"d":{"d":...{"depth":50}...}}
    let deep = format!("{}{{\"depth\":50}}{}", "{\"d\":".repeat(49), "}".repeat(49));
    let bad = ["", "{\"a\":1}}", "[1,2", "NaN"];
    let mut text = format!("data: {deep}\n\n");
    for data in bad {
        text.push_str(&format!("data: {data}\n\n"));
    }
    text.push_str("data: {\"n\":2}\n\n");
    let chunks = raw_chunks(&[text.as_bytes()]);
    let client = client(
        &url("/raw", &tag, &format!("chunks={chunks}&hold=1")),
        "fetch",
        r#""json":true"#,
    );
    let errors = on(&client, "error");
    let (messages, _sub) = record(&client, "message");
    wait_for("the last event", || messages.len() == 2).await;
    let first = messages.seen.borrow()[0].value.clone();
    let innermost = path(&first, &["d"; 49]);
    assert_eq!(
        number(&innermost, "depth"),
        50.0,
        "49 steps down, the 50th object"
    );
    assert!(
        path(&innermost, &["d"]).is_undefined(),
        "and nothing deeper"
    );
    assert_eq!(number(&messages.seen.borrow()[1].value, "n"), 2.0);
    wait_for("the four JSON errors", || errors.len() == 4).await;
    assert_eq!(kinds(&errors), ["json"; 4]);
    let data: Vec<String> = (0..4)
        .map(|i| prop(&errors.calls.borrow()[i], "data"))
        .collect();
    assert_eq!(data, bad);
    assert_eq!(client.status(), "open");
    client.close();
    page.assert_none().await;
}

// ----- 6. options and URLs ------------------------------------------------

/// Options a hostile or careless caller may pass: negative delays, strings
/// for numbers, an unknown transport, NaN, Infinity where no limit makes
/// sense. Each throws an `SSEError` of kind `invalid-option` naming it.
#[wasm_bindgen_test]
async fn bad_option_values_throw_naming_the_option() {
    let page = PageErrors::watch();
    for (json, option) in [
        (r#"{"retry":{"initialDelayMs":-1}}"#, "retry.initialDelayMs"),
        (r#"{"retry":{"maxDelayMs":-100}}"#, "retry.maxDelayMs"),
        (r#"{"retry":{"healthyAfterMs":-1}}"#, "retry.healthyAfterMs"),
        (r#"{"retry":{"jitter":-0.5}}"#, "retry.jitter"),
        (r#"{"retry":-1}"#, "retry"),
        (r#"{"idleTimeoutMs":-5}"#, "idleTimeoutMs"),
        (r#"{"interval":-1}"#, "interval"),
        (r#"{"maxEventSize":"1024"}"#, "maxEventSize"),
        (r#"{"idleTimeoutMs":"1000"}"#, "idleTimeoutMs"),
        (r#"{"retry":{"maxAttempts":"3"}}"#, "retry.maxAttempts"),
        (r#"{"retry":"5"}"#, "retry"),
        (r#"{"transport":"FETCH"}"#, "transport"),
        (r#"{"transport":42}"#, "transport"),
    ] {
        assert_refused_option(options(json), option, json);
    }
    // Values JSON cannot hold.
    for (option, value) in [
        ("retry.jitter", f64::NAN),
        ("retry.factor", f64::NAN),
        ("idleTimeoutMs", f64::NAN),
        ("maxEventSize", f64::NAN),
        ("retry", f64::NAN),
        ("retry.initialDelayMs", f64::INFINITY),
        ("retry.factor", f64::INFINITY),
        ("retry.maxAttempts", f64::NEG_INFINITY),
        ("idleTimeoutMs", f64::INFINITY),
        ("maxEventSize", f64::INFINITY),
        ("interval", f64::INFINITY),
    ] {
        assert_refused_option(
            number_option(option, value),
            option,
            &format!("{option}: {value}"),
        );
    }
    // Infinity where it means "no limit" stays accepted.
    SseClient::new(
        "http://127.0.0.1:9/",
        number_option("retry.maxAttempts", f64::INFINITY),
    )
    .expect("maxAttempts: Infinity");
    page.assert_none().await;
}

/// Options with just `option` (`"retry.factor"`: nested) set to `value`.
fn number_option(option: &str, value: f64) -> JsValue {
    let options = object();
    match option.split_once('.') {
        Some((outer, inner)) => {
            let nested = object();
            set(&nested, inner, &value.into());
            set(&options, outer, &nested);
        }
        None => set(&options, option, &value.into()),
    }
    options
}

/// Asserts that `options` make the constructor throw an `SSEError` of kind
/// `invalid-option` naming `option`, in its message too.
fn assert_refused_option(options: JsValue, option: &str, case: &str) {
    let error = SseClient::new("http://127.0.0.1:9/", options)
        .err()
        .unwrap_or_else(|| panic!("{case} was accepted"));
    assert!(
        error.is_instance_of::<js_sys::Error>(),
        "{case}: a real Error"
    );
    assert_eq!(prop(&error, "name"), "SSEError", "{case}");
    assert_eq!(prop(&error, "kind"), "invalid-option", "{case}");
    assert_eq!(prop(&error, "option"), option, "{case}");
    let message = prop(&error, "message");
    assert!(
        message.contains(&format!("`{option}`")),
        "{case}: {message}"
    );
}

/// A URL with credentials is refused at construction, by both APIs, as
/// kind `invalid-url`, without the password in the error (fetch refuses such
/// URLs anyway, and errors end up in logs).
#[wasm_bindgen_test]
async fn urls_with_credentials_are_refused_without_echoing_them() {
    let page = PageErrors::watch();
    for url in [
        "http://alice:s3cret@127.0.0.1:9/stream",
        "https://s3cret@example.com/",
        "http://:s3cret@127.0.0.1:9/",
        "//alice:s3cret@127.0.0.1:9/relative-to-the-page-scheme",
        // Not even a valid URL: still no password in the message.
        "http://alice:s3cret@[::1/",
    ] {
        let error = SseClient::new(url, JsValue::UNDEFINED).err().expect(url);
        assert_eq!(prop(&error, "kind"), "invalid-url", "{url}");
        let (message, shown) = (prop(&error, "message"), prop(&error, "url"));
        assert!(
            !message.contains("s3cret") && !shown.contains("s3cret"),
            "{url}: {message} / {shown}"
        );
        assert!(
            !message.contains("alice"),
            "{url}: the user name may be a token too: {message}"
        );
        if !url.contains('[') {
            assert!(message.contains("credentials"), "{url}: {message}");
        }

        match sse_wasm::Client::new(url) {
            Err(sse_wasm::Error::InvalidUrl { url: shown, reason }) => {
                assert!(
                    !shown.contains("s3cret") && !reason.contains("s3cret"),
                    "{url}: {shown} {reason}"
                );
            }
            other => panic!("{url}: expected InvalidUrl, got {:?}", other.map(|_| ())),
        }
    }
    page.assert_none().await;
}
