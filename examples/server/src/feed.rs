//! The SSE side every scenario shares: following a feed of the store
//! ([`crate::store`]) as an event stream, with the headers, the `retry:`
//! and the heartbeats every stream of this server carries.
//!
//! Every scenario (log lines, report progress, upload notices, ticks) is a
//! feed, and every event has an id: a client that reconnects with
//! `Last-Event-ID` continues right after it, nothing is sent twice and
//! nothing is lost, however the connection broke and whichever instance it
//! reaches. That only works because the store *keeps* the events; a server
//! that merely forwards a live broadcast cannot resume.

use std::fmt;
use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::watch;

use crate::app::AppState;
use crate::store::{Entry, FeedKey, Follow, Gap, Item, Items, Newcomer, Resume, StoreError};

/// How often an idle stream gets a comment line.
///
/// Proxies and load balancers close connections that stay silent for a while
/// (often 30 to 120 s), and a server only notices that a client went away
/// when a write fails. A comment (`: heartbeat`) does both jobs and is
/// ignored by every SSE parser.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// The answer to a `GET` of `feed`'s events: the stream from the request's
/// `Last-Event-ID` on (or where `newcomer` says), 204 if the client has
/// everything of a finished feed, 404 naming `what` if there is no such
/// feed. `guard` is held as long as the stream lasts.
pub async fn follow(
    app: &AppState,
    feed: &FeedKey,
    (headers, query): (&HeaderMap, Option<&str>),
    newcomer: Newcomer,
    what: &str,
    guard: impl Send + 'static,
) -> Response {
    let resume = Resume {
        last_id: last_event_id(headers, query),
        newcomer,
    };
    match app.store.follow(feed, resume).await {
        // WHATWG HTML §9.2.3: 204 No Content is the one answer that makes a
        // client stop reconnecting for good. Without it, a client that
        // reconnects after the last event would get an empty stream that
        // ends at once, reconnect again, and so on.
        Ok(Follow::Complete) => StatusCode::NO_CONTENT.into_response(),
        Ok(Follow::Live(items)) => {
            let stream = Stream {
                items,
                retry: Some(app.settings.retry()),
                shutdown: app.shutdown.clone(),
                cut: false,
                _guard: guard,
            };
            sse_response(futures_util::stream::unfold(stream, Stream::next_event))
        }
        Err(e) => store_error(e, what),
    }
}

/// The answer when the store failed: 404 naming `what` for a missing feed,
/// else 503, which clients retry (`SSEClient` with its backoff).
pub fn store_error(error: StoreError, what: &str) -> Response {
    match error {
        StoreError::NotFound => crate::app::not_found(what),
        StoreError::Backend(_) => {
            eprintln!("sse-demo-server: {error}");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the event store is unavailable; try again shortly",
            )
        }
    }
}

/// The streaming response for `events`, with a heartbeat comment every
/// [`HEARTBEAT`] and the headers every event stream of this server carries.
/// An `Err(Dropped)` item cuts the connection.
pub fn sse_response<S>(events: S) -> Response
where
    S: futures_util::Stream<Item = Result<Event, Dropped>> + Send + 'static,
{
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat"))
        .into_response();
    // axum's `Sse` already sets `Content-Type: text/event-stream` and
    // `Cache-Control: no-cache` (no cache may store or coalesce a live
    // stream). nginx buffers proxied responses by default, which would
    // hold events back until a buffer fills: `X-Accel-Buffering: no`
    // switches that off for this response only.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// The `Last-Event-ID` of a (re)connecting client, if it sent one.
///
/// Browsers send the last id they saw in the `Last-Event-ID` header when they
/// reconnect. A `lastEventId` query parameter is accepted too: it is what a
/// client sends when a cross-origin header would cost a CORS preflight, and
/// what a page uses to resume after a reload (the header is not sent on a
/// brand-new connection). Whether the id is one of ours is the store's call.
pub fn last_event_id(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    let non_empty = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let from_header = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(non_empty);
    from_header.or_else(|| {
        form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .find(|(k, _)| k == "lastEventId")
            .and_then(|(_, v)| non_empty(&v))
    })
}

/// The error that cuts a connection: when the event stream yields an error,
/// hyper closes the socket without ending the chunked body properly, which
/// the browser sees as a network error mid-stream.
#[derive(Debug)]
pub struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped on purpose (demo)")
    }
}

impl std::error::Error for Dropped {}

/// One connection's event stream: the state of the `unfold` loop that
/// makes it.
struct Stream<G> {
    items: Items,
    /// Sent once, before the first event.
    retry: Option<Duration>,
    shutdown: watch::Receiver<bool>,
    /// The connection was cut: the stream is over.
    cut: bool,
    /// Held as long as the connection lasts (the ticker counts them so).
    _guard: G,
}

impl<G: Send + 'static> Stream<G> {
    /// The body of the `unfold` loop: the next item of the event stream, or
    /// `None` when the stream ends.
    async fn next_event(mut self) -> Option<(Result<Event, Dropped>, Self)> {
        if self.cut {
            return None;
        }
        if let Some(retry) = self.retry.take() {
            // `retry:` sets the client's reconnection time. Without it each
            // client picks its own (browsers use about 3 s); with it the server
            // decides how hard it gets hit when it drops everyone at once.
            return Some((Ok(Event::default().retry(retry)), self));
        }
        let item = tokio::select! {
            // What is ready is sent before a shutdown ends the stream.
            biased;
            item = self.items.next() => item?,
            // `shutdown` turning `true` ends the stream, so that a graceful
            // shutdown does not wait forever for a stream that never ends.
            _ = self.shutdown.wait_for(|stopping| *stopping) => return None,
        };
        match item {
            Ok(Item::Event { id, entry }) => Some((Ok(to_event(id, &entry)), self)),
            Ok(Item::Gap(gap)) => Some((Ok(gap_event(&gap)), self)),
            Ok(Item::Cut) => {
                self.cut = true;
                Some((Err(Dropped), self))
            }
            Err(e) => {
                // The store failed mid-stream: cut the connection, and the
                // client resumes from its last id once the store is back.
                eprintln!("sse-demo-server: {e}");
                self.cut = true;
                Some((Err(Dropped), self))
            }
        }
    }
}

/// An event with its id. The id makes every event addressable: the browser
/// remembers the last one and sends it back on reconnect (see
/// [`last_event_id`]).
fn to_event(id: String, entry: &Entry) -> Event {
    let mut event = Event::default();
    if entry.event != "message" {
        event = event.event(&entry.event);
    }
    event.id(id).data(&entry.data)
}

/// `event: gap`, `data: {"lastEventId": "...", "resumesAt": "..."}`: the
/// events after the client's id were trimmed away, and the stream goes on at
/// the oldest one kept. It has no `id:`, so the client's last id stays
/// what it really saw until the next event.
fn gap_event(gap: &Gap) -> Event {
    Event::default().event("gap").data(format!(
        "{{\"lastEventId\":{},\"resumesAt\":{}}}",
        crate::json::string(&gap.last_id),
        crate::json::string(&gap.resumes_at)
    ))
}

/// A JSON error body with the right status, for API answers.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    let body = format!("{{\"error\":{}}}", crate::json::string(message));
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::app::AppState;

    #[test]
    fn last_event_id_prefers_the_header_and_falls_back_to_the_query() {
        let mut headers = HeaderMap::new();
        assert_eq!(last_event_id(&headers, None), None);
        assert_eq!(
            last_event_id(&headers, Some("follow=true&lastEventId=7")).as_deref(),
            Some("7")
        );
        headers.insert("last-event-id", HeaderValue::from_static(" 12-0 "));
        assert_eq!(
            last_event_id(&headers, Some("lastEventId=7")).as_deref(),
            Some("12-0")
        );
        headers.insert("last-event-id", HeaderValue::from_static(" "));
        assert_eq!(last_event_id(&headers, Some("lastEventId=")), None);
    }

    /// The whole body of a finished response, as text.
    pub async fn body_text(response: Response) -> String {
        let body = axum::body::to_bytes(response.into_body(), 1 << 20).await;
        String::from_utf8(body.expect("a complete body").to_vec()).expect("UTF-8")
    }

    async fn finished_feed(app: &AppState) -> FeedKey {
        let feed = FeedKey::new("test", "a");
        let store = &app.store;
        store.create(&feed).await.unwrap();
        store
            .append(&feed, Entry::new("message", "one"))
            .await
            .unwrap();
        store
            .append(&feed, Entry::new("message", "two\nlines"))
            .await
            .unwrap();
        store.append(&feed, Entry::new("done", "{}")).await.unwrap();
        store.finish(&feed).await.unwrap();
        feed
    }

    async fn get(app: &AppState, feed: &FeedKey, last_id: &'static str) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert("last-event-id", HeaderValue::from_static(last_id));
        follow(app, feed, (&headers, None), Newcomer::Oldest, "test", ()).await
    }

    #[tokio::test]
    async fn a_resumed_stream_sends_exactly_the_events_after_the_last_id() {
        let (app, _stop) = AppState::for_tests();
        let feed = finished_feed(&app).await;
        let response = get(&app, &feed, "1").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        assert_eq!(response.headers()["cache-control"], "no-cache");
        assert_eq!(response.headers()["x-accel-buffering"], "no");
        assert_eq!(
            body_text(response).await,
            "retry: 500\n\nid: 2\ndata: two\ndata: lines\n\nevent: done\nid: 3\ndata: {}\n\n"
        );
    }

    #[tokio::test]
    async fn a_client_that_has_everything_of_a_finished_feed_gets_204() {
        let (app, _stop) = AppState::for_tests();
        let feed = finished_feed(&app).await;
        assert_eq!(get(&app, &feed, "3").await.status(), StatusCode::NO_CONTENT);
    }

    #[tokio::test]
    async fn an_unknown_feed_is_404() {
        let (app, _stop) = AppState::for_tests();
        let missing = FeedKey::new("test", "missing");
        assert_eq!(
            get(&app, &missing, "3").await.status(),
            StatusCode::NOT_FOUND
        );
    }

    #[tokio::test]
    async fn a_trimmed_id_gets_the_gap_event_then_the_oldest_event_kept() {
        let (app, _stop) = AppState::for_tests();
        let feed = FeedKey::new("test", "a").keeping(2);
        app.store.create(&feed).await.unwrap();
        for n in 1..=4 {
            app.store
                .append(&feed, Entry::new("message", format!("e{n}")))
                .await
                .unwrap();
        }
        app.store.finish(&feed).await.unwrap();
        assert_eq!(
            body_text(get(&app, &feed, "1").await).await,
            "retry: 500\n\nevent: gap\ndata: {\"lastEventId\":\"1\",\"resumesAt\":\"3\"}\n\n\
             id: 3\ndata: e3\n\nid: 4\ndata: e4\n\n"
        );
    }

    #[tokio::test]
    async fn cutting_ends_the_live_connections_with_an_error() {
        let (app, _stop) = AppState::for_tests();
        let feed = FeedKey::new("test", "a");
        app.store.create(&feed).await.unwrap();
        let body = get(&app, &feed, "0").await.into_body();
        assert_eq!(app.store.cut(&feed).await.unwrap(), Some(1));
        assert!(axum::body::to_bytes(body, 1 << 20).await.is_err());
    }

    #[tokio::test]
    async fn shutdown_ends_the_streams_cleanly() {
        let (app, stop) = AppState::for_tests();
        let feed = FeedKey::new("test", "a");
        app.store.create(&feed).await.unwrap();
        let response = get(&app, &feed, "0").await;
        stop.send(true).unwrap();
        assert_eq!(body_text(response).await, "retry: 500\n\n");
    }
}
