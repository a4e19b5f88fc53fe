//! Credentials stay where they belong, in a real browser against the test
//! server: tokens from `headers` and `onUnauthorized` reach the server's
//! `Authorization` header and nothing else a page could see or log (URLs,
//! error messages, console output, `SSEError` fields), also when they are
//! refused or malformed; a cross-origin redirect drops `Authorization`; and
//! without `withCredentials` no cookie goes cross-origin.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use js_sys::{Function, Promise};
use sse_wasm::web::SseClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
/**
 * Every piece of text reachable from `value`: its string form, what it
 * iterates (a Headers object's pairs), and every property along its
 * prototype chain, non-enumerable ones and getters included (an Error's
 * `message`; `stack`, which Firefox keeps on Error.prototype; `cause`).
 */
export function deepText(value) {
  const seen = new Set();
  const walk = (v, depth) => {
    if (typeof v === 'function') return '[function]';
    if (v === null || typeof v !== 'object') return String(v);
    if (seen.has(v) || depth > 8) return '[seen]';
    seen.add(v);
    const parts = [];
    try { parts.push(String(v)); } catch (e) { /* no string form */ }
    if (!Array.isArray(v) && typeof v[Symbol.iterator] === 'function') {
      try { for (const item of v) parts.push(walk(item, depth + 1)); } catch (e) { /* not iterable after all */ }
    }
    const names = new Set();
    for (let o = v; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      for (const name of Object.getOwnPropertyNames(o)) names.add(name);
    }
    for (const name of names) {
      let item;
      try { item = v[name]; } catch (e) { continue; }
      if (name !== 'constructor' && typeof item !== 'function') {
        parts.push(name + '=' + walk(item, depth + 1));
      }
    }
    return '{' + parts.join(', ') + '}';
  };
  return walk(value, 0);
}

/**
 * Records, until `stop()`, every console.log/info/warn/error/debug/trace
 * call (passed on to the original) and every uncaught error or unhandled
 * rejection, as text; starts a fresh list of fetched resource URLs.
 */
export function captureLogs() {
  const lines = [];
  const names = ['log', 'info', 'warn', 'error', 'debug', 'trace'];
  const saved = names.map((name) => console[name]);
  names.forEach((name, i) => {
    console[name] = function (...args) {
      lines.push('console.' + name + ': ' + args.map((a) => deepText(a)).join(' '));
      return saved[i].apply(this, args);
    };
  });
  const onError = (e) => lines.push('uncaught: ' + e.message + ' ' + deepText(e.error));
  const onRejection = (e) => lines.push('unhandled rejection: ' + deepText(e.reason));
  globalThis.addEventListener('error', onError);
  globalThis.addEventListener('unhandledrejection', onRejection);
  performance.clearResourceTimings();
  return {
    lines,
    stop() {
      names.forEach((name, i) => { console[name] = saved[i]; });
      globalThis.removeEventListener('error', onError);
      globalThis.removeEventListener('unhandledrejection', onRejection);
    },
  };
}

/** The URLs of every resource the page fetched since `captureLogs()`. */
export function resourceUrls() {
  return performance.getEntriesByType('resource').map((entry) => entry.name);
}

/** `fetch(url, { credentials: 'include' })`, resolving to the status. */
export function fetchWithCredentials(url) {
  return fetch(url, { credentials: 'include' }).then((response) => response.status);
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = deepText)]
    fn deep_text(value: &JsValue) -> String;

    type LogCapture;
    #[wasm_bindgen(js_name = captureLogs)]
    fn capture_logs() -> LogCapture;
    #[wasm_bindgen(method, getter)]
    fn lines(this: &LogCapture) -> Vec<String>;
    #[wasm_bindgen(method)]
    fn stop(this: &LogCapture);

    #[wasm_bindgen(js_name = resourceUrls)]
    fn resource_urls() -> Vec<String>;
    #[wasm_bindgen(js_name = fetchWithCredentials)]
    fn fetch_with_credentials(url: &str) -> Promise;
}

/// Everything a page could see or log while clients run: console output and
/// uncaught errors, every lifecycle callback's argument and every
/// `onUnauthorized` context (all fields, through [`deep_text`]). Dropping it
/// restores the console.
struct Witness {
    logs: LogCapture,
    texts: Rc<RefCell<Vec<String>>>,
    callbacks: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl Witness {
    fn new() -> Self {
        Self {
            logs: capture_logs(),
            texts: Rc::default(),
            callbacks: Vec::new(),
        }
    }

    /// Records the argument of each of `client`'s lifecycle callbacks.
    fn watch(&mut self, client: &SseClient) {
        for name in ["open", "error", "reconnecting", "close", "statechange"] {
            let texts = self.texts.clone();
            self.callbacks.push(on_with(client, name, move |value| {
                texts
                    .borrow_mut()
                    .push(format!("{name} callback: {}", deep_text(&value)));
            }));
        }
    }

    /// An `onUnauthorized` hook that records its context and gives `answers`
    /// in turn (the last one again once they run out), after a short pause
    /// like a token refresh.
    fn hook(
        &self,
        answers: Vec<Answer>,
    ) -> Closure<dyn FnMut(JsValue) -> Result<Promise, JsValue>> {
        let texts = self.texts.clone();
        let mut calls = 0;
        Closure::new(move |context: JsValue| {
            texts
                .borrow_mut()
                .push(format!("onUnauthorized context: {}", deep_text(&context)));
            calls += 1;
            let answer = answers[(calls - 1).min(answers.len() - 1)].clone();
            let value = match answer {
                Answer::Throw => return Err(js_sys::Error::new("refresh failed").into()),
                Answer::Reject => Err(js_sys::Error::new("refresh failed").into()),
                Answer::Value(value) => Ok(value),
            };
            Ok(wasm_bindgen_futures::future_to_promise(async move {
                sleep(20).await;
                value
            }))
        })
    }

    /// How many times a hook from [`Witness::hook`] was called.
    fn hook_calls(&self) -> usize {
        let texts = self.texts.borrow();
        texts
            .iter()
            .filter(|t| t.starts_with("onUnauthorized"))
            .count()
    }

    /// All recorded text, plus what the page can read of URLs: `client.url`,
    /// the resources it fetched, and the request URIs the server recorded
    /// for `tag`.
    async fn everything(&self, client: &SseClient, tag: &str) -> Vec<String> {
        let mut all = self.logs.lines();
        all.extend(self.texts.borrow().iter().cloned());
        all.push(format!("client.url: {}", client.url()));
        all.extend(
            resource_urls()
                .into_iter()
                .map(|u| format!("resource: {u}")),
        );
        let stats = stats(tag).await;
        all.extend((0..stats.requests).map(|i| format!("request URI: {}", stats.uri(i))));
        all
    }
}

impl Drop for Witness {
    fn drop(&mut self) {
        self.logs.stop();
    }
}

/// What the test hook answers.
#[derive(Clone)]
enum Answer {
    /// Resolves with this value.
    Value(JsValue),
    /// Returns a rejected promise.
    Reject,
    /// Throws synchronously.
    Throw,
}

/// Asserts that `secret` appears in none of `texts`, naming the first that
/// has it.
fn assert_nowhere(secret: &str, texts: &[String]) {
    if let Some(text) = texts.iter().find(|t| t.contains(secret)) {
        panic!("the token {secret:?} leaked into: {text}");
    }
}

/// A distinctive secret: no other text in the test can contain it by chance.
fn secret() -> String {
    format!("S3CRET{}", (js_sys::Math::random() * 1e12) as u64)
}

/// A `headers` function handing out `Bearer {secret}-fn-1`, `-fn-2`, ...
fn secret_headers(secret: &str) -> Closure<dyn FnMut() -> JsValue> {
    let secret = secret.to_owned();
    let mut calls = 0;
    Closure::new(move || {
        calls += 1;
        headers_object(&[("Authorization", &format!("Bearer {secret}-fn-{calls}"))])
    })
}

/// The `Authorization` header of each request the server saw for `tag`.
async fn authorizations(tag: &str) -> Vec<Option<String>> {
    let stats = stats(tag).await;
    (0..stats.requests)
        .map(|i| stats.header(i, "authorization"))
        .collect()
}

/// A fetch client on `/script` with the steps in `query`, the secret
/// `headers` function and `hook`, watched by `witness`.
fn secret_client(
    tag: &str,
    query: &str,
    secret: &str,
    hook: &JsValue,
    witness: &mut Witness,
) -> (SseClient, Closure<dyn FnMut() -> JsValue>) {
    let provider = secret_headers(secret);
    let options = fetch_options(FAST_RETRY);
    set(&options, "headers", provider.as_ref());
    set(&options, "onUnauthorized", hook);
    let client = SseClient::new(&url("/script", tag, query), options).expect("client");
    witness.watch(&client);
    (client, provider)
}

#[wasm_bindgen_test]
async fn a_refreshed_token_reaches_the_server_and_nothing_the_page_sees() {
    let tag = unique_tag("sec-refresh");
    let secret = secret();
    let mut witness = Witness::new();
    // 401, the hook's token; one event and a cut (a network error); 401
    // again, `true`: the headers function's token; then the stream.
    let hook = witness.hook(vec![
        Answer::Value(format!("{secret}-hook").into()),
        Answer::Value(JsValue::TRUE),
    ]);
    let (client, _provider) = secret_client(
        &tag,
        "steps=401,drop:1,401,rest&count=3&hold=1",
        &secret,
        hook.as_ref(),
        &mut witness,
    );
    let (messages, _sub) = record(&client, "message");
    wait_for("the events after the refresh", || messages.len() == 3).await;
    client.close();

    let bearer = |token: &str| Some(format!("Bearer {secret}-{token}"));
    assert_eq!(
        authorizations(&tag).await,
        [
            bearer("fn-1"),
            bearer("hook"),
            bearer("hook"),
            bearer("fn-4")
        ],
        "the tokens did reach the server"
    );
    let everything = witness.everything(&client, &tag).await;
    assert!(
        everything
            .iter()
            .any(|t| t.starts_with("reconnecting callback")),
        "the cut was reported (so there were messages to leak into): {everything:#?}"
    );
    assert_nowhere(&secret, &everything);
}

#[wasm_bindgen_test]
async fn a_failed_refresh_reports_errors_without_the_token() {
    let secret = secret();
    // The hook's token is refused with 403 after a cut, then the hook
    // rejects; and a hook that throws at the first 401.
    let cases = [
        (
            "steps=401,drop:1,403&count=3&hold=1",
            vec![
                Answer::Value(format!("{secret}-hook").into()),
                Answer::Reject,
            ],
            "403",
            2,
        ),
        ("steps=401", vec![Answer::Throw], "401", 1),
    ];
    for (query, answers, status, asked) in cases {
        let tag = unique_tag("sec-refused");
        let mut witness = Witness::new();
        let hook = witness.hook(answers);
        let (client, _provider) = secret_client(&tag, query, &secret, hook.as_ref(), &mut witness);
        let errors = on(&client, "error");
        let closes = on(&client, "close");
        let (_messages, _sub) = record(&client, "message");
        wait_for("close", || closes.len() == 1).await;
        assert_eq!(
            kinds(&errors).last().map(String::as_str),
            Some("unauthorized"),
            "{query}"
        );
        assert_eq!(
            prop(errors.calls.borrow().last().unwrap(), "status"),
            status,
            "{query}"
        );
        assert_eq!(
            witness.hook_calls(),
            asked,
            "{query}: the hook's last answer was its failure"
        );

        let sent = authorizations(&tag).await;
        assert!(
            sent.iter()
                .all(|a| a.as_deref().is_some_and(|a| a.contains(&secret))),
            "{query}: every request carried a token: {sent:?}"
        );
        assert_nowhere(&secret, &witness.everything(&client, &tag).await);
    }
}

#[wasm_bindgen_test]
async fn a_refused_token_is_not_quoted_in_the_error() {
    // A token with a line break cannot be a header value; the error must
    // say so without repeating the token, whichever option brought it.
    let secret = secret();
    let bad = format!("Bearer {secret}\nX-Injected: 1");
    let mut witness = Witness::new();

    // Refused at construction: a malformed fixed header, and any header
    // over the native EventSource, which cannot send one.
    let mut everything = Vec::new();
    for (transport, value) in [
        ("fetch", bad.clone()),
        ("eventsource", format!("Bearer {secret}")),
    ] {
        let options = options(&format!(r#"{{"transport":"{transport}"}}"#));
        set(
            &options,
            "headers",
            &headers_object(&[("Authorization", &value)]),
        );
        let thrown = SseClient::new(&url("/events", "sec-bad", ""), options)
            .err()
            .expect("refused at construction");
        assert_eq!(prop(&thrown, "option"), "headers", "{transport}");
        everything.push(format!("constructor threw: {}", deep_text(&thrown)));
    }

    // Refused when an attempt starts.
    let function = Function::new_with_args("", &format!("return {{ Authorization: {bad:?} }}"));
    let from_hook = witness.hook(vec![Answer::Value(
        format!("{secret}\nX-Injected: 1").into(),
    )]);
    for (name, headers, hook) in [
        ("headers function", Some(function.as_ref()), None),
        ("onUnauthorized", None, Some(from_hook.as_ref())),
    ] {
        let tag = unique_tag("sec-bad");
        let options = fetch_options(FAST_RETRY);
        if let Some(headers) = headers {
            set(&options, "headers", headers);
        }
        if let Some(hook) = hook {
            set(&options, "onUnauthorized", hook);
        }
        let client = SseClient::new(&url("/status/401", &tag, ""), options).expect("client");
        witness.watch(&client);
        let errors = on(&client, "error");
        let closes = on(&client, "close");
        let (_messages, _sub) = record(&client, "message");
        wait_for(name, || closes.len() == 1).await;
        // Whatever its kind, the user is told why the client stopped.
        assert_eq!(errors.len(), 1, "{name}: {:?}", kinds(&errors));
        everything.extend(witness.everything(&client, &tag).await);
    }
    assert_nowhere(&secret, &everything);
}

/// Connects over fetch, with `Authorization: Bearer secret`, to
/// `SERVER/redirect` pointing at `/events` on `target`; returns the
/// server's records for `tag` (the redirect, then the redirected request)
/// once both events arrived.
async fn through_redirect(tag: &str, target: &str) -> Stats {
    let to = format!("{target}/events?tag={tag}&count=2&hold=1");
    let query = format!("to={}", js_sys::encode_uri_component(&to));
    let options = fetch_options(r#""headers":{"Authorization":"Bearer secret"}"#);
    let client = SseClient::new(&url("/redirect", tag, &query), options).expect("client");
    let (messages, _sub) = record(&client, "message");
    wait_for("the events through the redirect", || messages.len() == 2).await;
    client.close();
    let stats = stats(tag).await;
    assert_eq!(stats.requests, 2, "the redirect and the stream");
    assert!(stats.uri(0).starts_with("/redirect?"), "{}", stats.uri(0));
    assert!(stats.uri(1).starts_with("/events?"), "{}", stats.uri(1));
    assert_eq!(
        stats.header(0, "authorization").as_deref(),
        Some("Bearer secret")
    );
    stats
}

/// `HOST:PORT` of a base URL.
fn host(base: &str) -> &str {
    base.trim_start_matches("http://")
}

#[wasm_bindgen_test]
async fn a_cross_origin_redirect_does_not_carry_authorization() {
    let tag = unique_tag("sec-redirect-cross");
    let stats = through_redirect(&tag, peer_server()).await;
    assert_eq!(
        stats.header(1, "host").as_deref(),
        Some(host(peer_server()))
    );
    // Fetch, 4.4 "HTTP-redirect fetch": a redirect to another origin
    // removes `Authorization`.
    assert_eq!(stats.header(1, "authorization"), None);
}

#[wasm_bindgen_test]
async fn a_same_origin_redirect_keeps_authorization() {
    let tag = unique_tag("sec-redirect-same");
    let stats = through_redirect(&tag, server()).await;
    assert_eq!(stats.header(1, "host").as_deref(), Some(host(server())));
    assert_eq!(
        stats.header(1, "authorization").as_deref(),
        Some("Bearer secret")
    );
}

#[wasm_bindgen_test]
async fn without_credentials_no_cookie_goes_cross_origin() {
    // The page and the server are both on 127.0.0.1 (same site, other
    // ports), and cookies ignore ports: the server's cookie is the page's.
    let name = format!("sse_sec_{}", (js_sys::Math::random() * 1e12) as u64);
    let cookie = format!("{name}=chocolate");
    let status = JsFuture::from(fetch_with_credentials(&format!(
        "{}/set-cookie?name={name}&value=chocolate",
        server()
    )))
    .await
    .expect("fetch /set-cookie");
    assert_eq!(status.as_f64(), Some(204.0));

    for transport in TRANSPORTS {
        let mut sent = Vec::new();
        for with_credentials in [false, true] {
            let tag = unique_tag("sec-cookie");
            let client = client(
                &url("/events", &tag, "count=1&hold=1"),
                transport,
                &format!(r#""withCredentials":{with_credentials}"#),
            );
            let (messages, _sub) = record(&client, "message");
            wait_for("the event", || messages.len() == 1).await;
            client.close();
            let cookies = stats(&tag).await.header(0, "cookie").unwrap_or_default();
            sent.push(cookies.split("; ").any(|c| c == cookie));
        }
        assert_eq!(
            sent,
            [false, true],
            "{transport}: the cookie goes only with withCredentials: true"
        );
    }
}
