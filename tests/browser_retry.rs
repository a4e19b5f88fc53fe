//! The reconnection policy end to end, over both transports: bounded
//! retries with growing delays, what is never retried, the idle watchdog,
//! resume without loss or duplication, and close during a backoff wait.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_server_failing_three_times_is_reached_on_attempt_four_with_growing_delays() {
    for transport in TRANSPORTS {
        let tag = unique_tag("flaky");
        let client = client(
            &url("/flaky", &tag, "fail=3&status=503&count=1&hold=1"),
            transport,
            r#""retry":{"initialDelayMs":100,"factor":2,"jitter":0,"maxAttempts":10}"#,
        );
        let reconnecting = on(&client, "reconnecting");
        let (messages, _sub) = record(&client, "message");
        wait_for("the event after three failures", || messages.len() == 1).await;
        assert_eq!(stats(&tag).await.requests, 4, "{transport}");
        assert_eq!(reconnecting.len(), 3, "{transport}");
        let attempts: Vec<f64> = (0..3)
            .map(|i| number(&reconnecting.calls.borrow()[i], "attempt"))
            .collect();
        let delays: Vec<f64> = (0..3)
            .map(|i| number(&reconnecting.calls.borrow()[i], "delayMs"))
            .collect();
        assert_eq!(attempts, [2.0, 3.0, 4.0], "{transport}");
        assert_eq!(
            delays,
            [100.0, 200.0, 400.0],
            "{transport}: exponential growth without jitter"
        );
        client.close();
    }
}

#[wasm_bindgen_test]
async fn an_always_failing_server_sees_exactly_max_attempts_requests() {
    for transport in TRANSPORTS {
        let tag = unique_tag("always500");
        let client = client(
            &url("/status/500", &tag, ""),
            transport,
            r#""retry":{"initialDelayMs":50,"maxAttempts":3}"#,
        );
        let errors = on(&client, "error");
        let closes = on(&client, "close");
        let (_messages, _sub) = record(&client, "message");
        wait_for("the client to give up", || closes.len() == 1).await;
        assert_eq!(client.status(), "closed", "{transport}");
        assert_eq!(errors.len(), 1, "{transport}: one final error");
        let error = errors.calls.borrow()[0].clone();
        assert_eq!(prop(&error, "kind"), "retries-exhausted", "{transport}");
        assert_eq!(number(&error, "attempts"), 3.0, "{transport}");
        if transport == "fetch" {
            assert_eq!(number(&error, "status"), 500.0);
            assert_eq!(prop(&errors.field(0, "cause"), "kind"), "http");
        }
        sleep(300).await;
        assert_eq!(stats(&tag).await.requests, 3, "{transport}");
    }
}

#[wasm_bindgen_test]
async fn a_server_that_ends_every_stream_is_not_stormed() {
    // Fetch: our policy times every reconnect. (The native EventSource
    // reconnects by itself after the browser's reconnection time, which the
    // server sets with `retry:`, exactly as a bare EventSource does; see
    // browser_eventsource.rs.)
    for transport in ["fetch"] {
        let tag = unique_tag("storm");
        // The server accepts, sends one event and ends the stream, forever.
        // Every open is a success, yet attempts must keep growing: with
        // 100 ms doubling delays and no jitter, requests start at 0, 100,
        // 300, 700, 1500 ms... so a 2 s window holds at most 5 of them
        // (timers never fire early, so a slow machine only sees fewer).
        let client = client(
            &url("/events", &tag, "count=1"),
            transport,
            r#""retry":{"initialDelayMs":100,"factor":2,"jitter":0,"maxAttempts":10}"#,
        );
        let (messages, _sub) = record(&client, "message");
        sleep(2000).await;
        client.close();
        let requests = stats(&tag).await.requests;
        assert!(
            requests <= 5,
            "{transport}: {requests} requests in 2 s: the backoff did not grow"
        );
        assert!(requests >= 2, "{transport}: it does reconnect ({requests})");
        assert_eq!(
            messages.len() as u32,
            requests,
            "{transport}: one event per connection"
        );
    }
}

#[wasm_bindgen_test]
async fn no_content_stops_with_one_request() {
    let tag = unique_tag("204");
    let client = client(
        &url("/status/204", &tag, ""),
        "fetch",
        r#""retry":{"initialDelayMs":50}"#,
    );
    let errors = on(&client, "error");
    let closes = on(&client, "close");
    let (_m, _sub) = record(&client, "message");
    wait_for("close", || closes.len() == 1).await;
    assert_eq!(prop(&errors.calls.borrow()[0], "kind"), "http");
    assert_eq!(number(&errors.calls.borrow()[0], "status"), 204.0);
    sleep(300).await;
    assert_eq!(stats(&tag).await.requests, 1);
    assert_eq!(client.status(), "closed");
}

#[wasm_bindgen_test]
async fn retry_after_on_503_sets_the_delay() {
    let tag = unique_tag("retry-after");
    let client = client(
        &url("/status/503", &tag, "retry_after=2"),
        "fetch",
        r#""retry":{"initialDelayMs":50,"jitter":0}"#,
    );
    let reconnecting = on(&client, "reconnecting");
    let (_m, _sub) = record(&client, "message");
    wait_for("the first reconnect", || reconnecting.len() == 1).await;
    assert_eq!(number(&reconnecting.calls.borrow()[0], "delayMs"), 2000.0);
    assert_eq!(
        number(&reconnecting.field(0, "error"), "retryAfterMs"),
        2000.0
    );
    client.close();
}

/// Fetch only: the native EventSource consumes `retry:` itself and does
/// not expose it (a documented limit of that transport).
#[wasm_bindgen_test]
async fn the_server_retry_field_sets_the_reconnection_time() {
    let tag = unique_tag("retry-field");
    let client = client(
        &url("/events", &tag, "count=1&retry=1500"),
        "fetch",
        r#""retry":{"jitter":0}"#,
    );
    let reconnecting = on(&client, "reconnecting");
    let (_m, _sub) = record(&client, "message");
    wait_for("the reconnect", || reconnecting.len() == 1).await;
    assert_eq!(number(&reconnecting.calls.borrow()[0], "delayMs"), 1500.0);
    client.close();
}

#[wasm_bindgen_test]
async fn a_stalled_server_trips_the_idle_watchdog() {
    for transport in TRANSPORTS {
        let tag = unique_tag("stall");
        // One event, then silence: the watchdog reopens the connection,
        // and since each connection made progress the budget holds.
        let client = client(
            &url("/stall", &tag, "first=hello"),
            transport,
            r#""idleTimeoutMs":300,"retry":{"initialDelayMs":50,"maxAttempts":2}"#,
        );
        let reconnecting = on(&client, "reconnecting");
        let errors = on(&client, "error");
        let (messages, _sub) = record(&client, "message");
        wait_for("three connections", || messages.len() >= 3).await;
        assert_eq!(
            prop(&reconnecting.field(0, "error"), "kind"),
            "idle-timeout",
            "{transport}"
        );
        assert!(
            reconnecting.field(0, "delayMs").as_f64().is_some(),
            "{transport}: the watchdog reopens under our policy"
        );
        assert_eq!(errors.len(), 0, "{transport}: progress keeps the budget");
        assert_ne!(client.status(), "closed", "{transport}");
        client.close();
        wait_closed_server_side(&tag).await;

        // Silence from the start: no progress, so the budget runs out.
        let tag = unique_tag("stall-silent");
        let client = common::client(
            &url("/stall", &tag, ""),
            transport,
            r#""idleTimeoutMs":300,"retry":{"initialDelayMs":50,"maxAttempts":2}"#,
        );
        let errors = on(&client, "error");
        let (_messages, _sub) = record(&client, "message");
        wait_for("the final error", || errors.len() == 1).await;
        let error = errors.calls.borrow()[0].clone();
        assert_eq!(prop(&error, "kind"), "retries-exhausted", "{transport}");
        assert_eq!(
            prop(&errors.field(0, "cause"), "kind"),
            "idle-timeout",
            "{transport}"
        );
        assert_eq!(stats(&tag).await.requests, 2, "{transport}");
        wait_closed_server_side(&tag).await;
    }
}

#[wasm_bindgen_test]
async fn a_drop_mid_stream_resumes_without_loss_or_duplication() {
    for transport in TRANSPORTS {
        let tag = unique_tag("drop");
        // Ids 1..=3, half of event 4, then the connection breaks; the
        // reconnect must ask for what follows id 3. Fetch reconnects under
        // our policy and, with `lastEventIdParam`, carries the id in the
        // query; the native EventSource reconnects by itself and sends the
        // `Last-Event-ID` header.
        let client = client(
            &url(
                "/drop",
                &tag,
                "after=3&mid=1&id_start=1&count=6&drops=1&hold=1&retry=100",
            ),
            transport,
            r#""lastEventIdParam":"last_event_id","retry":{"initialDelayMs":50}"#,
        );
        let (messages, _sub) = record(&client, "message");
        wait_for("six events", || messages.len() >= 6).await;
        sleep(200).await;
        let ids: Vec<String> = messages
            .seen
            .borrow()
            .iter()
            .map(|s| s.last_event_id.clone())
            .collect();
        assert_eq!(ids, ["1", "2", "3", "4", "5", "6"], "{transport}");
        let stats = stats(&tag).await;
        assert_eq!(stats.requests, 2, "{transport}");
        if transport == "fetch" {
            assert!(
                stats.uri(1).contains("last_event_id=3"),
                "{transport}: {}",
                stats.uri(1)
            );
        } else {
            assert_eq!(stats.header(1, "last-event-id").as_deref(), Some("3"));
        }
        client.close();
    }
}

#[wasm_bindgen_test]
async fn the_fetch_transport_resumes_with_the_header() {
    let tag = unique_tag("drop-header");
    let client = client(
        &url("/drop", &tag, "after=2&id_start=1&count=4&drops=1&hold=1"),
        "fetch",
        r#""retry":{"initialDelayMs":50}"#,
    );
    let (messages, _sub) = record(&client, "message");
    wait_for("four events", || messages.len() >= 4).await;
    let stats = stats(&tag).await;
    assert_eq!(
        stats.header(0, "last-event-id"),
        None,
        "no id on the first request"
    );
    assert_eq!(stats.header(1, "last-event-id").as_deref(), Some("2"));
    assert_eq!(messages.data().len(), 4);
    client.close();
}

#[wasm_bindgen_test]
async fn close_during_a_backoff_wait_makes_no_further_request() {
    for transport in TRANSPORTS {
        let tag = unique_tag("close-wait");
        let client = client(
            &url("/status/503", &tag, ""),
            transport,
            r#""retry":{"initialDelayMs":400,"jitter":0}"#,
        );
        let reconnecting = on(&client, "reconnecting");
        let (_m, _sub) = record(&client, "message");
        wait_for("the backoff wait", || reconnecting.len() == 1).await;
        client.close();
        sleep(800).await;
        assert_eq!(stats(&tag).await.requests, 1, "{transport}");
        assert_eq!(reconnecting.len(), 1, "{transport}");
    }
}

#[wasm_bindgen_test]
async fn coming_back_online_reconnects_at_once() {
    let tag = unique_tag("online");
    let client = client(
        &url("/status/503", &tag, ""),
        "fetch",
        r#""retry":{"initialDelayMs":60000}"#,
    );
    let reconnecting = on(&client, "reconnecting");
    let (_m, _sub) = record(&client, "message");
    wait_for("the long backoff wait", || reconnecting.len() == 1).await;
    let window = web_sys::window().expect("window");
    window
        .dispatch_event(&web_sys::Event::new("offline").unwrap())
        .unwrap();
    window
        .dispatch_event(&web_sys::Event::new("online").unwrap())
        .unwrap();
    // Far sooner than the 60 s backoff.
    wait_for("the immediate reconnect", || reconnecting.len() == 2).await;
    assert_eq!(stats(&tag).await.requests, 2);
    client.close();
}

#[wasm_bindgen_test]
async fn retry_false_gives_up_on_the_first_failure() {
    for transport in TRANSPORTS {
        let tag = unique_tag("no-retry");
        let client = client(&url("/status/503", &tag, ""), transport, r#""retry":false"#);
        let closes = on(&client, "close");
        let (_m, _sub) = record(&client, "message");
        wait_for("close", || closes.len() == 1).await;
        sleep(200).await;
        assert_eq!(stats(&tag).await.requests, 1, "{transport}");
    }
}

#[wasm_bindgen_test]
async fn the_seed_form_retry_and_interval_is_accepted() {
    let tag = unique_tag("seed");
    // { retry: 2, interval: 50 }: two retries after the first attempt.
    let client = client(
        &url("/status/500", &tag, ""),
        "fetch",
        r#""retry":2,"interval":50"#,
    );
    let closes = on(&client, "close");
    let (_m, _sub) = record(&client, "message");
    wait_for("close", || closes.len() == 1).await;
    assert_eq!(stats(&tag).await.requests, 3);
}

#[wasm_bindgen_test]
async fn pause_when_hidden_disconnects_and_resumes_with_the_last_event_id() {
    let tag = unique_tag("hidden");
    let client = client(
        &url("/events", &tag, "count=2&id_start=1&hold=1"),
        "fetch",
        r#""pauseWhenHidden":true"#,
    );
    let (messages, _sub) = record(&client, "message");
    wait_for("two events", || messages.len() == 2).await;
    set_hidden(true);
    assert_eq!(client.status(), "paused");
    wait_closed_server_side(&tag).await;
    set_hidden(false);
    wait_for("a reconnect", || client.status() == "open").await;
    let stats = stats(&tag).await;
    assert_eq!(stats.requests, 2);
    assert_eq!(
        stats.header(1, "last-event-id").as_deref(),
        Some("2"),
        "resumed after id 2"
    );
    sleep(200).await;
    assert_eq!(
        messages.len(),
        2,
        "nothing repeated: the server resumed after id 2"
    );
    client.close();
}

#[wasm_bindgen_test]
async fn without_pause_when_hidden_a_hidden_page_keeps_its_stream() {
    let tag = unique_tag("hidden-keep");
    let client = client(&url("/events", &tag, "count=1&hold=1"), "fetch", "");
    let (messages, _sub) = record(&client, "message");
    wait_for("the event", || messages.len() == 1).await;
    set_hidden(true);
    sleep(200).await;
    assert_eq!(client.status(), "open");
    assert_eq!(stats(&tag).await.open, 1);
    set_hidden(false);
    client.close();
}
