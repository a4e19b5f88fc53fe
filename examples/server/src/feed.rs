//! The heart of the demo: an append-only feed of events that any number of
//! SSE connections follow, and the streaming response that follows one.
//!
//! Every scenario (log lines, report progress, upload notices) is a feed.
//! Event `n` (counting from 1) always has `id: n`, so a client that
//! reconnects with `Last-Event-ID: n` continues with event `n + 1`: nothing is
//! sent twice and nothing is lost, however the connection broke. That only
//! works because the server *keeps* the events; a server that merely forwards
//! a live broadcast cannot resume.
//!
//! The feed lives in a `tokio::sync::watch` channel: writers modify it in
//! place, and each connection wakes up when it changed, then sends whatever
//! it has not sent yet. Unlike a broadcast channel, a slow connection can never
//! lag behind and silently miss events.

use std::fmt;
use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

/// How often an idle stream gets a comment line.
///
/// Proxies and load balancers close connections that stay silent for a while
/// (often 30 to 120 s), and a server only notices that a client went away
/// when a write fails. A comment (`: heartbeat`) does both jobs and is
/// ignored by every SSE parser.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// One stored event: its type (`event:` field) and its data.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The event type; `"message"` is the default type and is not written.
    pub event: &'static str,
    /// The payload: one or more lines (axum writes one `data:` line each).
    pub data: String,
}

/// What the connections of a feed watch.
#[derive(Debug, Default)]
pub struct FeedState {
    /// Every event so far; the id of `entries[i]` is `i + 1`.
    pub entries: Vec<Entry>,
    /// No event will be added: streams end once they have sent everything.
    pub finished: bool,
    /// Bumped by [`Feed::drop_connections`]; a stream that sees it change
    /// cuts its connection.
    drops: u64,
}

/// An append-only list of events with ids `1, 2, 3, ...`.
#[derive(Debug)]
pub struct Feed {
    tx: watch::Sender<FeedState>,
}

impl Default for Feed {
    fn default() -> Self {
        Feed {
            tx: watch::Sender::new(FeedState::default()),
        }
    }
}

impl Feed {
    /// Appends an event and wakes every connection; returns its id.
    pub fn push(&self, event: &'static str, data: String) -> u64 {
        let mut id = 0;
        self.tx.send_modify(|s| {
            s.entries.push(Entry { event, data });
            id = s.entries.len() as u64;
        });
        id
    }

    /// Marks the feed complete: connections end after the last event, and a
    /// client that already has it is told to stop reconnecting (204).
    pub fn finish(&self) {
        self.tx.send_modify(|s| s.finished = true);
    }

    /// Cuts every connection currently following the feed, the way a
    /// restarting proxy or a flaky mobile network would. Returns how many
    /// there were (connections whose client vanished without a clean close
    /// count until their next write fails).
    pub fn drop_connections(&self) -> usize {
        let live = self.tx.receiver_count();
        self.tx.send_modify(|s| s.drops += 1);
        live
    }

    /// Runs `f` on the current state (keep it short: writers wait meanwhile).
    pub fn read<T>(&self, f: impl FnOnce(&FeedState) -> T) -> T {
        f(&self.tx.borrow())
    }

    /// The SSE response for a client that has seen every event up to and
    /// including `last_id` (0: none).
    ///
    /// `retry` is sent first, as the client's reconnection time. `shutdown`
    /// turning `true` ends the stream, so that a graceful shutdown does not
    /// wait forever for connections that never end by themselves.
    pub fn stream(
        &self,
        last_id: u64,
        retry: Duration,
        shutdown: watch::Receiver<bool>,
    ) -> Response {
        let rx = self.tx.subscribe();
        let (finished, len, drops) = {
            let s = rx.borrow();
            (s.finished, s.entries.len() as u64, s.drops)
        };
        if finished && last_id >= len {
            // WHATWG HTML §9.2.3: 204 No Content is the one answer that makes
            // a client stop reconnecting for good. Without it, a client that
            // reconnects after the last event would get an empty stream that
            // ends at once, reconnect again, and so on.
            return StatusCode::NO_CONTENT.into_response();
        }
        // An id beyond the end (a feed rebuilt after a server restart)
        // simply waits for new events.
        Follower::new(rx, last_id, drops, retry, shutdown, ()).into_response()
    }
}

impl Followed for FeedState {
    fn drops(&self) -> u64 {
        self.drops
    }

    fn read(&self, next: &mut u64) -> Read {
        let entry = usize::try_from(*next)
            .ok()
            .and_then(|i| self.entries.get(i));
        match entry {
            Some(entry) => {
                let event = to_event(*next, entry);
                *next += 1;
                Read::Event(event)
            }
            None if self.finished => Read::End,
            None => Read::Wait,
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

/// The id after which a (re)connecting client resumes.
///
/// Browsers send the last id they saw in the `Last-Event-ID` header when they
/// reconnect. A `lastEventId` query parameter is accepted too: it is what a
/// client sends when a cross-origin header would cost a CORS preflight, and
/// what a page uses to resume after a reload (the header is not sent on a
/// brand-new connection). An id that is not one of ours is ignored: the
/// client gets the whole feed, which is better than nothing.
pub fn last_event_id(headers: &HeaderMap, query: Option<&str>) -> u64 {
    let from_header = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    from_header
        .or_else(|| {
            form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .find(|(k, _)| k == "lastEventId")
                .and_then(|(_, v)| v.trim().parse().ok())
        })
        .unwrap_or(0)
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

/// What a [`Follower`] follows: events at positions `0, 1, 2, ...`, and a
/// count of the times its connections were cut on purpose. A feed is one;
/// the ticker's ring (`ticker.rs`) is another.
pub trait Followed {
    /// Bumped each time every connection is to be cut.
    fn drops(&self) -> u64;
    /// What is at position `*next`; an event moves `*next` past it.
    fn read(&self, next: &mut u64) -> Read;
}

/// What a follower finds at its position.
pub enum Read {
    /// The next event to send.
    Event(Event),
    /// Nothing yet: wait for a change.
    Wait,
    /// Nothing ever: the stream ends.
    End,
}

/// One connection's position in what it follows: the state of the
/// `unfold` loop that makes its event stream.
pub struct Follower<S, G = ()> {
    rx: watch::Receiver<S>,
    /// The position of the next event to send.
    next: u64,
    drops_seen: u64,
    /// Sent once, before the first event.
    retry: Option<Duration>,
    shutdown: watch::Receiver<bool>,
    /// The connection was cut: the stream is over.
    cut: bool,
    /// Held as long as the connection lasts (the ticker counts them so).
    _guard: G,
}

impl<S, G> Follower<S, G>
where
    S: Followed + Send + Sync + 'static,
    G: Send + 'static,
{
    /// Follows `rx` from position `next`, as of `drops_seen` cuts. `retry`
    /// is sent first; `shutdown` turning `true` ends the stream.
    pub fn new(
        rx: watch::Receiver<S>,
        next: u64,
        drops_seen: u64,
        retry: Duration,
        shutdown: watch::Receiver<bool>,
        guard: G,
    ) -> Self {
        Follower {
            rx,
            next,
            drops_seen,
            retry: Some(retry),
            shutdown,
            cut: false,
            _guard: guard,
        }
    }

    /// The streaming response (see [`sse_response`]).
    pub fn into_response(self) -> Response {
        sse_response(futures_util::stream::unfold(self, Self::next_event))
    }

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
        loop {
            // The borrow of the state must end before any `.await`: a watch
            // guard holds a lock, and writers would wait on it.
            let read = {
                let state = self.rx.borrow_and_update();
                if state.drops() != self.drops_seen {
                    None
                } else {
                    Some(state.read(&mut self.next))
                }
            };
            match read {
                Some(Read::Event(event)) => return Some((Ok(event), self)),
                None => {
                    self.cut = true;
                    return Some((Err(Dropped), self));
                }
                Some(Read::End) => return None,
                Some(Read::Wait) => {}
            }
            tokio::select! {
                // An error: the state itself is gone.
                changed = self.rx.changed() => changed.ok()?,
                _ = self.shutdown.wait_for(|stopping| *stopping) => return None,
            }
        }
    }
}

/// Formats entry `index` as an SSE event with `id: index + 1`.
fn to_event(index: u64, entry: &Entry) -> Event {
    let mut event = Event::default();
    if entry.event != "message" {
        event = event.event(entry.event);
    }
    // The id makes every event addressable: the browser remembers the last
    // one and sends it back on reconnect (see `last_event_id`).
    event.id((index + 1).to_string()).data(&entry.data)
}

/// A JSON error body with the right status, for API answers.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    let body = format!("{{\"error\":{}}}", crate::json::string(message));
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_event_id_prefers_the_header_and_falls_back_to_the_query() {
        let mut headers = HeaderMap::new();
        assert_eq!(last_event_id(&headers, None), 0);
        assert_eq!(
            last_event_id(&headers, Some("follow=true&lastEventId=7")),
            7
        );
        headers.insert("last-event-id", HeaderValue::from_static(" 12 "));
        assert_eq!(last_event_id(&headers, Some("lastEventId=7")), 12);
        headers.insert("last-event-id", HeaderValue::from_static("not-ours"));
        assert_eq!(last_event_id(&headers, Some("lastEventId=x")), 0);
    }

    fn finished_feed() -> Feed {
        let feed = Feed::default();
        feed.push("message", "one".into());
        feed.push("message", "two\nlines".into());
        feed.push("done", "{}".into());
        feed.finish();
        feed
    }

    #[tokio::test]
    async fn a_resumed_stream_sends_exactly_the_events_after_the_last_id() {
        let (_tx, shutdown) = watch::channel(false);
        let response = finished_feed().stream(1, Duration::from_millis(1500), shutdown);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        assert_eq!(response.headers()["cache-control"], "no-cache");
        assert_eq!(response.headers()["x-accel-buffering"], "no");
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            "retry: 1500\n\nid: 2\ndata: two\ndata: lines\n\nevent: done\nid: 3\ndata: {}\n\n"
        );
    }

    #[tokio::test]
    async fn a_client_that_has_everything_of_a_finished_feed_gets_204() {
        let (_tx, shutdown) = watch::channel(false);
        let response = finished_feed().stream(3, HEARTBEAT, shutdown);
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }

    #[tokio::test]
    async fn dropping_cuts_the_live_connections_with_an_error() {
        let feed = Feed::default();
        feed.push("message", "one".into());
        let (_tx, shutdown) = watch::channel(false);
        let body = feed.stream(0, HEARTBEAT, shutdown).into_body();
        assert_eq!(feed.drop_connections(), 1);
        assert!(axum::body::to_bytes(body, 1 << 20).await.is_err());
    }

    #[tokio::test]
    async fn shutdown_ends_the_streams_cleanly() {
        let feed = Feed::default();
        let (tx, shutdown) = watch::channel(false);
        let body = feed.stream(0, HEARTBEAT, shutdown).into_body();
        tx.send(true).unwrap();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        assert_eq!(&bytes[..], b"retry: 15000\n\n");
    }
}
