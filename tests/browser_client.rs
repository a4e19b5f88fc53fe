//! SSEClient in a real browser against the test server, over both
//! transports: delivery, named events, JSON, lifecycle callbacks, and the
//! close/unsubscribe guarantees.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use sse_wasm::web::SseClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn delivers_messages_in_order_and_fires_open() {
    for transport in TRANSPORTS {
        let tag = unique_tag("order");
        let client = client(&url("/events", &tag, "count=5&hold=1"), transport, "");
        let open = on(&client, "open");
        let (messages, _sub) = record(&client, "message");
        wait_for("5 messages", || messages.len() == 5).await;
        assert_eq!(messages.data(), ["0", "1", "2", "3", "4"], "{transport}");
        assert_eq!(open.len(), 1, "{transport}: one open");
        assert_eq!(client.ready_state(), 1, "{transport}");
        assert_eq!(client.transport(), transport);
        client.close();
        assert_eq!(client.ready_state(), 2);
        wait_closed_server_side(&tag).await;
    }
}

#[wasm_bindgen_test]
async fn named_events_reach_only_their_handlers() {
    for transport in TRANSPORTS {
        let tag = unique_tag("named");
        let client = client(
            &url("/events", &tag, "count=3&event=tick&hold=1"),
            transport,
            "",
        );
        let (messages, _m) = record(&client, "message");
        let (ticks, _t) = record(&client, "tick");
        wait_for("3 ticks", || ticks.len() == 3).await;
        assert_eq!(
            messages.len(),
            0,
            "{transport}: unnamed handler got named events"
        );
        assert!(
            ticks.seen.borrow().iter().all(|s| s.event_type == "tick"),
            "{transport}"
        );
        client.close();
    }
}

#[wasm_bindgen_test]
async fn ids_reach_the_event_and_the_client() {
    for transport in TRANSPORTS {
        let tag = unique_tag("ids");
        let client = client(
            &url("/events", &tag, "count=3&id_start=10&hold=1"),
            transport,
            "",
        );
        let (messages, _m) = record(&client, "message");
        wait_for("3 messages", || messages.len() == 3).await;
        let ids: Vec<String> = messages
            .seen
            .borrow()
            .iter()
            .map(|s| s.last_event_id.clone())
            .collect();
        assert_eq!(ids, ["10", "11", "12"], "{transport}");
        assert_eq!(client.last_event_id(), "12", "{transport}");
        client.close();
    }
}

#[wasm_bindgen_test]
async fn json_mode_parses_data_and_reports_bad_json_without_stopping() {
    for transport in TRANSPORTS {
        let tag = unique_tag("json");
        // Three events: valid, invalid, valid.
        let chunks = hex(&["data: {\"a\":1}\n\n", "data: not json\n\n", "data: [2]\n\n"]);
        let client = client(
            &url("/raw", &tag, &format!("chunks={chunks}&hold=1")),
            transport,
            r#""json":true"#,
        );
        let errors = on(&client, "error");
        let (messages, _m) = record(&client, "message");
        wait_for("2 valid events", || messages.len() == 2).await;
        wait_for("the JSON error", || errors.len() == 1).await;
        let first = messages.seen.borrow()[0].value.clone();
        assert_eq!(
            js_sys::Reflect::get(&first, &"a".into()).unwrap().as_f64(),
            Some(1.0),
            "{transport}"
        );
        assert!(
            js_sys::Array::is_array(&messages.seen.borrow()[1].value),
            "{transport}"
        );
        assert_eq!(
            messages.seen.borrow()[1].data,
            "[2]",
            "{transport}: raw data kept on the event"
        );
        assert_eq!(
            prop(&errors.calls.borrow()[0], "kind"),
            "json",
            "{transport}"
        );
        assert_eq!(
            prop(&errors.calls.borrow()[0], "data"),
            "not json",
            "{transport}"
        );
        assert_eq!(prop(&errors.calls.borrow()[0], "name"), "SSEError");
        let event = errors.field(0, "event");
        assert_eq!(
            prop(&event, "type"),
            "message",
            "{transport}: the error carries the event"
        );
        assert_eq!(client.ready_state(), 1, "{transport}: the stream goes on");
        client.close();
    }
}

#[wasm_bindgen_test]
async fn close_from_inside_a_handler_stops_delivery_at_once() {
    for transport in TRANSPORTS {
        let tag = unique_tag("close-inside");
        // All five events in one chunk: the fetch transport parses them in
        // one read; none after the closing one may be delivered.
        let chunks = hex(&["data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\ndata: 5\n\n"]);
        let client = Rc::new(client(
            &url("/raw", &tag, &format!("chunks={chunks}&hold=1")),
            transport,
            "",
        ));
        let weak = Rc::downgrade(&client);
        let recorder = common::Recorder::with_hook(move |count| {
            if count == 2 {
                weak.upgrade().expect("client").close();
            }
        });
        let _sub = client.subscribe("message", recorder.handler()).unwrap();
        wait_for("2 events", || recorder.len() >= 2).await;
        sleep(300).await;
        assert_eq!(
            recorder.data(),
            ["1", "2"],
            "{transport}: events after close() were delivered"
        );
        assert_eq!(client.status(), "closed");
        wait_closed_server_side(&tag).await;
    }
}

#[wasm_bindgen_test]
async fn unsubscribing_the_last_handler_closes_the_connection() {
    for transport in TRANSPORTS {
        let tag = unique_tag("last-unsub");
        let client = client(&url("/events", &tag, "count=1&hold=1"), transport, "");
        let (first, sub1) = record(&client, "message");
        let (second, sub2) = record(&client, "message");
        wait_for("the event", || first.len() == 1 && second.len() == 1).await;
        sub1.unsubscribe();
        assert_eq!(stats(&tag).await.requests, 1);
        assert_eq!(client.status(), "open", "{transport}: one handler left");
        sub2.unsubscribe();
        assert_eq!(client.status(), "idle", "{transport}");
        wait_closed_server_side(&tag).await;
        // A new subscription reconnects.
        let (third, _sub3) = record(&client, "message");
        wait_for("the event again", || third.len() == 1).await;
        assert_eq!(stats(&tag).await.requests, 2, "{transport}");
        client.close();
        wait_closed_server_side(&tag).await;
    }
}

#[wasm_bindgen_test]
async fn unsubscribe_without_arguments_closes_for_good() {
    for transport in TRANSPORTS {
        let tag = unique_tag("unsub-all");
        let client = client(&url("/events", &tag, "count=1&hold=1"), transport, "");
        let (messages, _sub) = record(&client, "message");
        wait_for("the event", || messages.len() == 1).await;
        client.unsubscribe(None, None);
        assert_eq!(client.status(), "closed");
        let error = client
            .subscribe("message", messages.handler())
            .err()
            .expect("subscribe after close throws");
        assert_eq!(prop(&error, "kind"), "closed");
        wait_closed_server_side(&tag).await;
    }
}

#[wasm_bindgen_test]
async fn unsubscribe_by_type_and_by_handler() {
    for transport in TRANSPORTS {
        let tag = unique_tag("unsub-type");
        let client = client(
            &url("/events", &tag, "count=3&interval_ms=150&event=tick&hold=1"),
            transport,
            "",
        );
        let (a, _sa) = record(&client, "tick");
        let (b, _sb) = record(&client, "tick");
        let (keep, _sk) = record(&client, "message");
        wait_for("first tick", || a.len() == 1 && b.len() == 1).await;
        client.unsubscribe(Some("tick".into()), Some(a.handler()));
        wait_for("second tick", || b.len() == 2).await;
        client.unsubscribe(Some("tick".into()), None);
        sleep(400).await;
        assert_eq!(a.len(), 1, "{transport}: removed handler called");
        assert_eq!(b.len(), 2, "{transport}: handlers of a removed type called");
        assert_eq!(
            client.status(),
            "open",
            "{transport}: a message handler is left"
        );
        drop(keep);
        client.close();
    }
}

#[wasm_bindgen_test]
async fn nothing_fires_after_close_even_with_events_in_flight() {
    for transport in TRANSPORTS {
        let tag = unique_tag("after-close");
        let client = client(
            &url("/events", &tag, "count=50&interval_ms=5"),
            transport,
            "",
        );
        let errors = on(&client, "error");
        let closes = on(&client, "close");
        let states = on(&client, "statechange");
        let (messages, _sub) = record(&client, "message");
        wait_for("some events", || messages.len() >= 3).await;
        client.close();
        let (count, state_changes) = (messages.len(), states.len());
        sleep(500).await;
        assert_eq!(
            messages.len(),
            count,
            "{transport}: a handler ran after close()"
        );
        assert_eq!(
            (errors.len(), closes.len()),
            (0, 0),
            "{transport}: a callback ran after close()"
        );
        assert_eq!(states.len(), state_changes, "{transport}");
        wait_closed_server_side(&tag).await;
    }
}

/// Every status change fires exactly one `statechange`, carrying the status
/// the getter reports at that moment: walked through every state, idle and
/// closed included, over both transports.
#[wasm_bindgen_test]
async fn every_status_change_fires_exactly_one_statechange() {
    for transport in TRANSPORTS {
        let tag = unique_tag("walk");
        // Request 1: one event, then the connection is cut; later ones: the
        // events, held open.
        let client = Rc::new(client(
            &url(
                "/script",
                &tag,
                "steps=drop:1,rest&count=2&retry=100&hold=1",
            ),
            transport,
            r#""pauseWhenHidden":true,"retry":{"initialDelayMs":100,"factor":1,"jitter":0}"#,
        ));
        let seen = Rc::new(RefCell::new(Vec::<(String, String)>::new()));
        let _watch = {
            let (seen, weak) = (seen.clone(), Rc::downgrade(&client));
            on_with(&client, "statechange", move |status| {
                let getter = weak.upgrade().map(|c| c.status()).unwrap_or_default();
                seen.borrow_mut()
                    .push((status.as_string().unwrap_or_default(), getter));
            })
        };
        let statuses = || -> Vec<String> { seen.borrow().iter().map(|(s, _)| s.clone()).collect() };
        let (messages, sub) = record(&client, "message");
        wait_for("two events", || messages.len() == 2).await;
        wait_for("open again", || client.status() == "open").await;
        set_hidden(true);
        set_hidden(false);
        wait_for("open after the pause", || client.status() == "open").await;
        sub.unsubscribe();
        assert_eq!(client.status(), "idle", "{transport}");
        let (_again, _sub) = record(&client, "message");
        wait_for("open once more", || client.status() == "open").await;
        client.close();
        let reopen: &[&str] = if transport == "fetch" {
            &["reconnecting", "connecting", "open"]
        } else {
            // The browser reconnects by itself: no `connecting` in between.
            &["reconnecting", "open"]
        };
        let expected: Vec<&str> = [&["connecting", "open"][..], reopen]
            .concat()
            .into_iter()
            .chain([
                "paused",
                "connecting",
                "open",
                "idle",
                "connecting",
                "open",
                "closed",
            ])
            .collect();
        assert_eq!(statuses(), expected, "{transport}");
        for (status, getter) in seen.borrow().iter() {
            assert_eq!(
                status, getter,
                "{transport}: the getter agrees with the callback"
            );
        }
        sleep(200).await;
        assert_eq!(
            statuses().len(),
            expected.len(),
            "{transport}: nothing after close()"
        );
        wait_closed_server_side(&tag).await;
    }
}

#[wasm_bindgen_test]
async fn freeing_the_client_closes_the_connection() {
    for transport in TRANSPORTS {
        let tag = unique_tag("free");
        let client = client(&url("/events", &tag, "count=1&hold=1"), transport, "");
        let (messages, _sub) = record(&client, "message");
        wait_for("the event", || messages.len() == 1).await;
        drop(client); // what `client.free()` does from JS
        wait_closed_server_side(&tag).await;
    }
}

#[wasm_bindgen_test]
fn invalid_options_throw_naming_the_option() {
    let cases = [
        (r#"{"transprot":"fetch"}"#, "transprot"),
        (r#"{"json":"yes"}"#, "json"),
        (r#"{"transport":"websocket"}"#, "transport"),
        (r#"{"retry":{"factor":0.5}}"#, "retry.factor"),
        (r#"{"retry":{"maxAttemps":3}}"#, "retry.maxAttemps"),
        (r#"{"maxEventSize":-1}"#, "maxEventSize"),
        (
            r#"{"transport":"eventsource","headers":{"Authorization":"Bearer x"}}"#,
            "headers",
        ),
    ];
    for (json, option) in cases {
        let error = SseClient::new("http://127.0.0.1:9/", options(json))
            .err()
            .expect(json);
        assert_eq!(prop(&error, "kind"), "invalid-option", "{json}");
        assert_eq!(prop(&error, "option"), option, "{json}");
        assert!(error.is_instance_of::<js_sys::Error>(), "a real Error");
        assert!(
            prop(&error, "message").contains(option),
            "{json}: message names the option"
        );
    }
}

#[wasm_bindgen_test]
fn non_http_urls_are_rejected_at_construction() {
    for url in [
        "ftp://example.com/",
        "javascript:alert(1)",
        "ws://127.0.0.1/",
        "http://[::1",
    ] {
        let error = SseClient::new(url, JsValue::UNDEFINED).err().expect(url);
        assert_eq!(prop(&error, "kind"), "invalid-url", "{url}");
    }
}

#[wasm_bindgen_test]
fn relative_urls_resolve_against_the_page() {
    let client = SseClient::new("/relative/path", JsValue::UNDEFINED).expect("relative URL");
    assert!(client.url().starts_with("http://"), "{}", client.url());
}

/// Hex-encodes chunks for the server's `/raw` endpoint.
pub fn hex(chunks: &[&str]) -> String {
    chunks
        .iter()
        .map(|c| c.bytes().map(|b| format!("{b:02x}")).collect::<String>())
        .collect::<Vec<_>>()
        .join(",")
}

#[wasm_bindgen_test]
async fn close_while_waiting_for_the_response_aborts_the_request() {
    for transport in TRANSPORTS {
        let tag = unique_tag("pending");
        // The server holds the response (no header yet) for 30 s.
        let client = client(&url("/stall", &tag, "headers_ms=30000"), transport, "");
        let opens = on(&client, "open");
        let (messages, _sub) = record(&client, "message");
        for _ in 0..300 {
            if stats(&tag).await.open == 1 {
                break;
            }
            sleep(20).await;
        }
        assert_eq!(
            stats(&tag).await.open,
            1,
            "{transport}: the request is pending at the server"
        );
        assert_eq!(client.status(), "connecting", "{transport}");
        client.close();
        wait_closed_server_side(&tag).await;
        assert_eq!((opens.len(), messages.len()), (0, 0), "{transport}");
        assert_eq!(stats(&tag).await.requests, 1, "{transport}");
    }
}

#[wasm_bindgen_test]
async fn closing_from_a_close_callback_is_quiet() {
    // A fatal error closes the client; its `close` callback closes it again
    // (as an app tearing down on `close` does). Nothing may throw out of
    // the client's own code then: an exception there would surface as an
    // unhandled rejection of the page.
    let rejections = Rc::new(RefCell::new(0u32));
    let count = rejections.clone();
    let on_rejection = Closure::<dyn FnMut(JsValue)>::new(move |_| *count.borrow_mut() += 1);
    let window = web_sys::window().expect("window");
    window
        .add_event_listener_with_callback(
            "unhandledrejection",
            on_rejection.as_ref().unchecked_ref(),
        )
        .expect("listen");
    for transport in TRANSPORTS {
        let tag = unique_tag("close-in-close");
        let client = Rc::new(client(
            &url("/status/500", &tag, ""),
            transport,
            r#""retry":false"#,
        ));
        let closes = Rc::new(RefCell::new(0u32));
        let (weak, seen) = (Rc::downgrade(&client), closes.clone());
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            *seen.borrow_mut() += 1;
            if let Some(client) = weak.upgrade() {
                client.close();
            }
        });
        drop(
            client
                .on(
                    "close",
                    on_close
                        .as_ref()
                        .unchecked_ref::<js_sys::Function>()
                        .clone(),
                )
                .expect("on"),
        );
        let (_messages, _sub) = record(&client, "message");
        wait_for("the client to close itself", || *closes.borrow() == 1).await;
        sleep(100).await;
        assert_eq!(client.status(), "closed", "{transport}");
        assert_eq!(*closes.borrow(), 1, "{transport}: one close callback");
        assert_eq!(*rejections.borrow(), 0, "{transport}: nothing thrown");
    }
    window
        .remove_event_listener_with_callback(
            "unhandledrejection",
            on_rejection.as_ref().unchecked_ref(),
        )
        .expect("unlisten");
}
