//! The 401/403 flow over fetch, in a real browser against the test server:
//! without a hook the client closes; `onUnauthorized` answers with new
//! headers, a bearer token, `true` (the `headers` function has a fresh
//! token) or gives up; and every sequence of answers across reconnects
//! sends what the latest answer asked for.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use common::*;
use js_sys::{Function, Promise};
use sse_wasm::web::SseClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// An `onUnauthorized` hook that records its context and gives its answers
/// in turn (the last one again once they run out), each after a short
/// asynchronous pause, like a token refresh.
struct Hook {
    contexts: Rc<RefCell<Vec<JsValue>>>,
    closure: Closure<dyn FnMut(JsValue) -> Promise>,
}

impl Hook {
    fn new(answer: JsValue) -> Self {
        Self::answering(vec![answer])
    }

    fn answering(answers: Vec<JsValue>) -> Self {
        let contexts = Rc::new(RefCell::new(Vec::new()));
        let sink = contexts.clone();
        let closure = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |context: JsValue| {
            let answer = {
                let mut seen = sink.borrow_mut();
                seen.push(context);
                answers[(seen.len() - 1).min(answers.len() - 1)].clone()
            };
            wasm_bindgen_futures::future_to_promise(async move {
                sleep(20).await;
                Ok(answer)
            })
        });
        Self { contexts, closure }
    }

    fn function(&self) -> &JsValue {
        self.closure.as_ref()
    }

    fn calls(&self) -> usize {
        self.contexts.borrow().len()
    }
}

/// A `headers` function handing out `Bearer fn-1`, `Bearer fn-2`, ... (one
/// fresh token per call), and its call counter.
fn numbered_tokens() -> (Closure<dyn FnMut() -> JsValue>, Rc<Cell<u32>>) {
    let calls = Rc::new(Cell::new(0u32));
    let counter = calls.clone();
    let provider = Closure::<dyn FnMut() -> JsValue>::new(move || {
        counter.set(counter.get() + 1);
        headers_object(&[("Authorization", &format!("Bearer fn-{}", counter.get()))])
    });
    (provider, calls)
}

/// The `Authorization` header of each request the server saw for `tag`.
async fn authorizations(tag: &str) -> Vec<Option<String>> {
    let stats = stats(tag).await;
    (0..stats.requests)
        .map(|i| stats.header(i, "authorization"))
        .collect()
}

/// Runs the token refresh story of a user's report against a server that
/// answers 401, then one event and a cut, then 401 again, then the stream;
/// the hook answers `first` and then `second`, and the `headers` function
/// hands out `fn-1`, `fn-2`, ... Returns the `Authorization` header of each
/// request, once the fourth one delivered the rest of the stream.
async fn refresh_story(tag: &str, first: JsValue, second: JsValue) -> Vec<Option<String>> {
    let hook = Hook::answering(vec![first, second]);
    let (provider, _calls) = numbered_tokens();
    let options = fetch_options(FAST_RETRY);
    set(&options, "onUnauthorized", hook.function());
    set(&options, "headers", provider.as_ref());
    let client = SseClient::new(
        &url("/script", tag, "steps=401,drop:1,401,rest&count=3&hold=1"),
        options,
    )
    .expect("client");
    let errors = on(&client, "error");
    let (messages, _sub) = record(&client, "message");
    wait_for("the events after the second renewal", || {
        messages.len() == 3
    })
    .await;
    assert_eq!(
        kinds(&errors),
        Vec::<String>::new(),
        "renewed refusals are not errors"
    );
    assert_eq!(client.status(), "open");
    assert_eq!(hook.calls(), 2);
    client.close();
    authorizations(tag).await
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

#[wasm_bindgen_test]
async fn a_token_then_true_sends_the_headers_function_token_again() {
    let tag = unique_tag("auth-string-true");
    let sent = refresh_story(&tag, "tok-A".into(), JsValue::TRUE).await;
    assert_eq!(
        sent,
        [
            bearer("fn-1"),
            bearer("tok-A"),
            bearer("tok-A"),
            bearer("fn-4")
        ],
        "the hook's token replaces the function's until the hook answers `true`"
    );
}

#[wasm_bindgen_test]
async fn headers_then_true_drops_every_header_the_hook_gave() {
    let tag = unique_tag("auth-object-true");
    let headers = headers_object(&[("Authorization", "Bearer obj-A"), ("X-Session", "s-1")]);
    let sent = refresh_story(&tag, headers, JsValue::TRUE).await;
    assert_eq!(
        sent,
        [
            bearer("fn-1"),
            bearer("obj-A"),
            bearer("obj-A"),
            bearer("fn-4")
        ]
    );
    let stats = stats(&tag).await;
    let sessions: Vec<_> = (0..4).map(|i| stats.header(i, "x-session")).collect();
    assert_eq!(
        sessions,
        [None, Some("s-1".into()), Some("s-1".into()), None]
    );
}

#[wasm_bindgen_test]
async fn true_then_a_token_sends_the_token() {
    let tag = unique_tag("auth-true-string");
    let sent = refresh_story(&tag, JsValue::TRUE, "tok-B".into()).await;
    assert_eq!(
        sent,
        [
            bearer("fn-1"),
            bearer("fn-2"),
            bearer("fn-3"),
            bearer("tok-B")
        ]
    );
}

/// A fetch client with `hook` as `onUnauthorized`, on a server that always
/// answers 401; returns it, once closed, with what its `error` callback got.
async fn refused_until_closed(tag: &str, hook: &JsValue) -> (SseClient, Callback) {
    let options = fetch_options(FAST_RETRY);
    set(&options, "onUnauthorized", hook);
    let client = SseClient::new(&url("/status/401", tag, ""), options).expect("client");
    let errors = on(&client, "error");
    let closes = on(&client, "close");
    let (_messages, _sub) = record(&client, "message");
    wait_for("close", || closes.len() == 1).await;
    assert_eq!(client.status(), "closed");
    (client, errors)
}

#[wasm_bindgen_test]
async fn a_hook_that_throws_or_rejects_closes_with_unauthorized() {
    let throwing = Function::new_with_args("context", "throw new Error('refresh failed')");
    let rejecting = Function::new_with_args(
        "context",
        "return Promise.reject(new Error('refresh failed'))",
    );
    for (name, hook) in [("throws", throwing), ("rejects", rejecting)] {
        let tag = unique_tag("auth-throws");
        let (_client, errors) = refused_until_closed(&tag, &hook).await;
        assert_eq!(kinds(&errors), ["unauthorized"], "{name}");
        assert_eq!(prop(&errors.calls.borrow()[0], "status"), "401", "{name}");
        assert_eq!(stats(&tag).await.requests, 1, "{name}: no retry");
    }
}

#[wasm_bindgen_test]
async fn an_answer_after_reconnect_changes_nothing() {
    let tag = unique_tag("auth-late");
    // The hook answers after 300 ms; the user reconnects before that.
    let hook = Function::new_with_args(
        "context",
        "return new Promise((resolve) => setTimeout(() => resolve('late'), 300))",
    );
    let options = fetch_options(r#""retry":{"initialDelayMs":5000}"#);
    set(&options, "onUnauthorized", &hook);
    let client = SseClient::new(
        &url("/script", &tag, "steps=401,rest&count=2&hold=1"),
        options,
    )
    .expect("client");
    let (messages, _sub) = record(&client, "message");
    wait_for("the hook to be asked", || client.status() == "reconnecting").await;
    client.reconnect();
    wait_for("the events", || messages.len() == 2).await;
    sleep(500).await;
    assert_eq!(client.status(), "open", "the late answer did not reconnect");
    assert_eq!(stats(&tag).await.requests, 2);
    // Nor did its token stick to later requests.
    client.reconnect();
    wait_for("open again", || client.status() == "open").await;
    assert_eq!(authorizations(&tag).await, [None, None, None]);
    client.close();
}

#[wasm_bindgen_test]
async fn unauthorized_without_a_hook_closes_after_one_request() {
    for status in [401, 403] {
        let tag = unique_tag("unauth");
        let client = SseClient::new(
            &url(&format!("/status/{status}"), &tag, ""),
            fetch_options(FAST_RETRY),
        )
        .expect("client");
        let errors = on(&client, "error");
        let closes = on(&client, "close");
        let (_messages, _sub) = record(&client, "message");
        wait_for("close", || closes.len() == 1).await;
        assert_refused(&errors, "unauthorized", status, "text/html");
        assert_eq!(client.status(), "closed");
        assert_eq!(stats(&tag).await.requests, 1, "{status}");
    }
}

#[wasm_bindgen_test]
async fn an_async_hook_with_new_headers_reconnects_at_once_with_them_and_the_last_event_id() {
    let tag = unique_tag("auth-renew");
    let hook = Hook::new(headers_object(&[("Authorization", "Bearer fresh")]));
    // The first request is answered 401, later ones with numbered events
    // resumed after the Last-Event-ID.
    let options = fetch_options(
        r#""headers":{"Authorization":"Bearer stale","X-Other":"kept"},"lastEventId":"5","retry":{"initialDelayMs":5000}"#,
    );
    set(&options, "onUnauthorized", hook.function());
    let client = SseClient::new(
        &url(
            "/flaky",
            &tag,
            "fail=1&status=401&id_start=1&count=8&hold=1",
        ),
        options,
    )
    .expect("client");
    let errors = on(&client, "error");
    let (messages, _sub) = record(&client, "message");
    // The retry delay is 5 s: events within the wait_for bound only come
    // from the hook's immediate reconnect.
    wait_for("the events after the renewal", || messages.len() == 3).await;
    let resumed: Vec<(String, String)> = messages
        .seen
        .borrow()
        .iter()
        .map(|seen| (seen.data.clone(), seen.last_event_id.clone()))
        .collect();
    let expected = [("5", "6"), ("6", "7"), ("7", "8")].map(|(d, i)| (d.to_owned(), i.to_owned()));
    assert_eq!(resumed, expected, "resumed after the last event ID 5");
    assert_eq!(hook.calls(), 1);
    let context = hook.contexts.borrow()[0].clone();
    assert_eq!(prop(&context, "status"), "401");
    assert_eq!(prop(&path(&context, &["error"]), "kind"), "unauthorized");
    assert_eq!(
        kinds(&errors),
        Vec::<String>::new(),
        "a renewed 401 is not an error"
    );
    let stats = stats(&tag).await;
    assert_eq!(stats.requests, 2);
    assert_eq!(
        stats.header(0, "authorization").as_deref(),
        Some("Bearer stale")
    );
    assert_eq!(
        stats.header(1, "authorization").as_deref(),
        Some("Bearer fresh")
    );
    assert_eq!(stats.header(1, "x-other").as_deref(), Some("kept"));
    assert_eq!(stats.header(1, "last-event-id").as_deref(), Some("5"));
    client.close();
}

/// A fetch client on a server that refuses the first request with
/// `status`, then sends one event; the hook answers, `headers` (if any) is
/// the headers function. The retry delay is 5 s, so the event arrives in
/// time only through the hook's immediate reconnect. Returns once it did.
async fn refused_once(tag: &str, status: u16, hook: &Hook, headers: Option<&JsValue>) -> SseClient {
    let options = fetch_options(r#""retry":{"initialDelayMs":5000}"#);
    set(&options, "onUnauthorized", hook.function());
    if let Some(headers) = headers {
        set(&options, "headers", headers);
    }
    let query = format!("fail=1&status={status}&count=1&hold=1");
    let client = SseClient::new(&url("/flaky", tag, &query), options).expect("client");
    let (messages, _sub) = record(&client, "message");
    wait_for("the event after the renewal", || messages.len() == 1).await;
    client
}

#[wasm_bindgen_test]
async fn a_hook_returning_a_string_sends_it_as_a_bearer_token() {
    let tag = unique_tag("auth-string");
    let hook = Hook::new("from-hook".into());
    let client = refused_once(&tag, 403, &hook, None).await;
    assert_eq!(authorizations(&tag).await, [None, bearer("from-hook")]);
    assert_eq!(prop(&hook.contexts.borrow()[0], "status"), "403");
    client.close();
}

#[wasm_bindgen_test]
async fn a_hook_returning_true_makes_the_headers_function_run_again() {
    let tag = unique_tag("auth-true");
    let hook = Hook::new(JsValue::TRUE);
    let (provider, calls) = numbered_tokens();
    let client = refused_once(&tag, 401, &hook, Some(provider.as_ref())).await;
    assert_eq!(calls.get(), 2);
    assert_eq!(authorizations(&tag).await, [bearer("fn-1"), bearer("fn-2")]);
    client.close();
}

#[wasm_bindgen_test]
async fn a_hook_returning_false_closes_with_unauthorized() {
    let tag = unique_tag("auth-false");
    let hook = Hook::new(JsValue::FALSE);
    let (_client, errors) = refused_until_closed(&tag, hook.function()).await;
    assert_eq!(hook.calls(), 1);
    assert_eq!(kinds(&errors), ["unauthorized"]);
    assert_eq!(prop(&errors.calls.borrow()[0], "status"), "401");
    assert_eq!(stats(&tag).await.requests, 1);
}

#[wasm_bindgen_test]
async fn a_hook_whose_credentials_are_refused_again_does_not_loop() {
    let tag = unique_tag("auth-loop");
    let hook = Hook::new(headers_object(&[("Authorization", "Bearer still-bad")]));
    let (_client, errors) = refused_until_closed(&tag, hook.function()).await;
    assert_eq!(kinds(&errors), ["unauthorized"]);
    let stats = stats(&tag).await;
    assert_eq!(
        stats.requests, 2,
        "one immediate retry with the new credentials, then stop"
    );
    assert_eq!(
        stats.header(1, "authorization").as_deref(),
        Some("Bearer still-bad")
    );
    assert_eq!(hook.calls(), 1);
}
