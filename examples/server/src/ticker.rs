//! Scenario 4: one connection for every tab (`SSEClient`'s `share` option).
//!
//! One ticker for the whole server: a tick every second (ten a second with
//! `--fast`), with `id: 1, 2, 3...`, the same sequence for every client.
//! `GET /api/ticker/events` streams it. A (re)connect with `Last-Event-ID: n`
//! (or `?lastEventId=n`) first replays the ticks after `n` from a ring
//! buffer of the last [`RING`] ticks, then goes on live; a client without an
//! id starts with the next tick (a ticker has no history worth sending to a
//! newcomer). So when the tab that holds a shared connection goes away and
//! another tab reconnects with the newest id it saw, nothing is lost or
//! repeated.
//!
//! The server counts the open connections to that stream, and
//! `GET /api/ticker/connections` pushes the count whenever it changes, and
//! again every second (`event: connections`, `{"open": N}`): that is how the
//! page can say "1 connection for 3 tabs" from the server's point of view.
//! `POST /api/ticker/drop` cuts the tick connections, as on the other pages.

use std::collections::VecDeque;
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::Event;
use axum::response::Response;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use crate::app::{dropped, AppState, Settings};
use crate::feed::{last_event_id, sse_response, Dropped, Followed, Follower, Read};

/// Ticks kept for replay: about four minutes at the normal pace (25 s with
/// `--fast`). A client away for longer resumes at the oldest tick kept: the
/// ones before it are gone, which bounds the memory whoever reconnects.
pub const RING: usize = 256;

/// The normal pace of the ticker.
const TICK: Duration = Duration::from_secs(1);

/// The last [`RING`] ticks, with consecutive ids.
#[derive(Debug, Default)]
struct Ring {
    /// The kept ticks' data, oldest first.
    ticks: VecDeque<String>,
    /// The id of the newest tick (0: none yet).
    newest: u64,
}

impl Ring {
    /// Appends the next tick, made by `data` from its id, forgetting the
    /// oldest if full; returns the id.
    fn push(&mut self, data: impl FnOnce(u64) -> String) -> u64 {
        let id = self.newest + 1;
        if self.ticks.len() == RING {
            self.ticks.pop_front();
        }
        self.ticks.push_back(data(id));
        self.newest = id;
        id
    }

    /// The id of the oldest tick kept (`newest + 1` when empty).
    fn oldest(&self) -> u64 {
        self.newest + 1 - self.ticks.len() as u64
    }

    /// Tick `id`'s data, if it is kept.
    fn get(&self, id: u64) -> Option<&str> {
        let index = usize::try_from(id.checked_sub(self.oldest())?).ok()?;
        self.ticks.get(index).map(String::as_str)
    }

    /// The id of the first tick to send to a client that has seen every tick
    /// up to `last_id` (0: none).
    ///
    /// - no id: the next tick;
    /// - an id we have not issued (the server restarted and counts from 1
    ///   again): the next tick too, rather than silence until the count
    ///   catches up;
    /// - an id older than the ring: the oldest tick kept (the rest is lost);
    /// - otherwise the tick right after it.
    fn resume_after(&self, last_id: u64) -> u64 {
        if last_id == 0 || last_id > self.newest {
            return self.newest + 1;
        }
        (last_id + 1).max(self.oldest())
    }
}

/// What the tick connections watch.
#[derive(Debug, Default)]
struct TickerState {
    ring: Ring,
    /// Bumped by [`Ticker::drop_connections`]; a stream that sees it change
    /// cuts its connection.
    drops: u64,
}

/// The ticker: its ticks, and how many connections follow them.
///
/// Both live in `watch` channels (as in `feed.rs`): a connection wakes up
/// when something changed and sends whatever it has not sent yet, so a slow
/// one never silently misses a tick that the ring still holds.
#[derive(Debug)]
pub struct Ticker {
    state: watch::Sender<TickerState>,
    /// Open connections to `GET /api/ticker/events`.
    open: watch::Sender<usize>,
}

impl Default for Ticker {
    fn default() -> Self {
        Ticker {
            state: watch::Sender::new(TickerState::default()),
            open: watch::Sender::new(0),
        }
    }
}

impl Ticker {
    /// Adds the next tick, stamped with `now`, and wakes every connection;
    /// returns its id.
    pub fn tick(&self, now: SystemTime) -> u64 {
        let mut id = 0;
        self.state
            .send_modify(|s| id = s.ring.push(|id| tick_text(id, now)));
        id
    }

    /// How many connections follow the ticks right now.
    pub fn open_connections(&self) -> usize {
        *self.open.borrow()
    }

    /// Cuts every tick connection; returns how many there were.
    pub fn drop_connections(&self) -> usize {
        self.state.send_modify(|s| s.drops += 1);
        self.open_connections()
    }

    /// The tick stream for a client that has seen every tick up to and
    /// including `last_id` (0: none). It counts as one open connection until
    /// its body is dropped: when the stream ends, or when hyper finds the
    /// client gone (at the latest when the next tick's write fails).
    fn stream(
        self: &Arc<Self>,
        last_id: u64,
        retry: Duration,
        shutdown: watch::Receiver<bool>,
    ) -> Response {
        let rx = self.state.subscribe();
        let (next, drops_seen) = {
            let s = rx.borrow();
            (s.ring.resume_after(last_id), s.drops)
        };
        Follower::new(
            rx,
            next,
            drops_seen,
            retry,
            shutdown,
            Counted::new(self.clone()),
        )
        .into_response()
    }

    /// The stream of the connection count: the current count at once, then
    /// every change, and the count again after `refresh` without one.
    /// Several changes in a row may arrive as one (the newest): it is a
    /// state, not a log, so it carries no ids.
    ///
    /// Why repeat it: the page follows this stream with `share: true` too,
    /// and a tab that joins a shared connection gets the events sent after
    /// it joined, not the count sent to the first tab. Repeating the state
    /// is what makes a state stream shareable.
    fn connections(
        &self,
        retry: Duration,
        refresh: Duration,
        shutdown: watch::Receiver<bool>,
    ) -> Response {
        // The first tick is immediate: the current count, at once.
        let mut refresh = tokio::time::interval(refresh);
        refresh.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let counter = Counter {
            rx: self.open.subscribe(),
            refresh,
            retry: Some(retry),
            shutdown,
        };
        sse_response(futures_util::stream::unfold(counter, Counter::next_event))
    }
}

/// `GET /api/ticker/events[?lastEventId=N]`: the ticks, resuming after
/// `Last-Event-ID`.
pub async fn events(
    State(app): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let last_id = last_event_id(&headers, query.as_deref());
    app.ticker
        .stream(last_id, app.settings.retry(), app.shutdown.clone())
}

/// `GET /api/ticker/connections`: `connections` events, `{"open": N}`, on
/// every change and every second (a tenth of that with `--fast`).
pub async fn connections(State(app): State<AppState>) -> Response {
    let settings = &app.settings;
    app.ticker
        .connections(settings.retry(), settings.pace(TICK), app.shutdown.clone())
}

/// `POST /api/ticker/drop`: cuts the tick connections; `{"dropped": N}`.
pub async fn drop_connections(State(app): State<AppState>) -> Response {
    dropped(app.ticker.drop_connections())
}

/// The ticker's clock: a tick every second (a tenth of that with `--fast`)
/// until shutdown. Holds only a weak reference, like the other scenarios'
/// jobs.
pub async fn run(
    ticker: Weak<Ticker>,
    settings: Arc<Settings>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut interval = tokio::time::interval(settings.pace(TICK));
    // After a stall (a suspended laptop), go on at the normal pace rather
    // than firing the missed ticks in a burst.
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    interval.tick().await; // the first one is immediate
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = shutdown.wait_for(|stopping| *stopping) => return,
        }
        let Some(ticker) = ticker.upgrade() else {
            return;
        };
        ticker.tick(SystemTime::now());
    }
}

/// `tick 42 at 14:03:05.3 UTC`.
fn tick_text(id: u64, now: SystemTime) -> String {
    let ms = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
        % 86_400_000;
    let (h, m, s, tenths) = (
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms / 100 % 10,
    );
    format!("tick {id} at {h:02}:{m:02}:{s:02}.{tenths} UTC")
}

/// One open tick connection, counted in [`Ticker::open`] for as long as
/// this value lives (it is part of the stream's state, so it goes with the
/// response body).
#[derive(Debug)]
struct Counted(Arc<Ticker>);

impl Counted {
    fn new(ticker: Arc<Ticker>) -> Self {
        ticker.open.send_modify(|n| *n += 1);
        Counted(ticker)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.open.send_modify(|n| *n -= 1);
    }
}

impl Followed for TickerState {
    fn drops(&self) -> u64 {
        self.drops
    }

    fn read(&self, next: &mut u64) -> Read {
        // A connection so slow that the ring moved past its next tick skips
        // to the oldest one kept.
        *next = (*next).max(self.ring.oldest());
        match self.ring.get(*next) {
            Some(data) => {
                let event = Event::default().id(next.to_string()).data(data);
                *next += 1;
                Read::Event(event)
            }
            None => Read::Wait,
        }
    }
}

/// One connection of the count stream.
struct Counter {
    rx: watch::Receiver<usize>,
    /// When to repeat the count if it has not changed.
    refresh: tokio::time::Interval,
    retry: Option<Duration>,
    shutdown: watch::Receiver<bool>,
}

impl Counter {
    async fn next_event(mut self) -> Option<(Result<Event, Dropped>, Self)> {
        if let Some(retry) = self.retry.take() {
            return Some((Ok(Event::default().retry(retry)), self));
        }
        tokio::select! {
            changed = self.rx.changed() => {
                changed.ok()?;
                self.refresh.reset();
            }
            _ = self.refresh.tick() => {}
            _ = self.shutdown.wait_for(|stopping| *stopping) => return None,
        }
        let open = *self.rx.borrow_and_update();
        let event = Event::default()
            .event("connections")
            .data(format!("{{\"open\":{open}}}"));
        Some((Ok(event), self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn ring_with(n: u64) -> Ring {
        let mut ring = Ring::default();
        for _ in 0..n {
            ring.push(|id| format!("t{id}"));
        }
        ring
    }

    #[test]
    fn the_ring_keeps_the_last_ticks_with_consecutive_ids() {
        let ring = ring_with(RING as u64 + 10);
        assert_eq!(ring.ticks.len(), RING);
        assert_eq!(ring.newest, RING as u64 + 10);
        assert_eq!(ring.oldest(), 11);
        assert_eq!(ring.get(10), None);
        assert_eq!(ring.get(11), Some("t11"));
        assert_eq!(
            ring.get(RING as u64 + 10),
            Some(&*format!("t{}", RING + 10))
        );
        assert_eq!(ring.get(RING as u64 + 11), None);
        assert_eq!(Ring::default().oldest(), 1);
    }

    #[test]
    fn resume_continues_after_the_last_id_or_at_the_live_edge() {
        let ring = ring_with(RING as u64 + 10); // keeps 11..=266
        assert_eq!(ring.resume_after(0), 267, "no id: the next tick");
        assert_eq!(ring.resume_after(100), 101);
        assert_eq!(
            ring.resume_after(10),
            11,
            "right at the oldest: nothing lost"
        );
        assert_eq!(
            ring.resume_after(3),
            11,
            "older than the ring: the oldest kept"
        );
        assert_eq!(ring.resume_after(266), 267, "up to date: the next tick");
        assert_eq!(ring.resume_after(9999), 267, "not ours: the next tick");
        assert_eq!(Ring::default().resume_after(5), 1);
    }

    #[test]
    fn tick_text_shows_the_id_and_the_utc_time() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(86_400_000 * 3 + 50_585_300);
        assert_eq!(tick_text(42, at), "tick 42 at 14:03:05.3 UTC");
    }

    #[tokio::test]
    async fn a_resumed_stream_replays_after_the_last_id_then_ends_on_shutdown() {
        let ticker = Arc::new(Ticker::default());
        for _ in 0..5 {
            ticker.tick(SystemTime::UNIX_EPOCH);
        }
        let (stop, shutdown) = watch::channel(false);
        let response = ticker.stream(3, Duration::from_millis(1500), shutdown);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        assert_eq!(response.headers()["x-accel-buffering"], "no");
        stop.send(true).unwrap();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            "retry: 1500\n\n\
             id: 4\ndata: tick 4 at 00:00:00.0 UTC\n\n\
             id: 5\ndata: tick 5 at 00:00:00.0 UTC\n\n"
        );
    }

    #[tokio::test]
    async fn every_open_stream_is_counted_until_its_body_is_dropped() {
        let ticker = Arc::new(Ticker::default());
        let (_stop, shutdown) = watch::channel(false);
        let mut counts = ticker.open.subscribe();
        let a = ticker.stream(0, TICK, shutdown.clone());
        let b = ticker.stream(0, TICK, shutdown.clone());
        assert_eq!(ticker.open_connections(), 2);
        drop(a);
        assert_eq!(ticker.open_connections(), 1);
        assert!(counts.has_changed().unwrap());
        counts.mark_unchanged();
        // A cut stream ends with an error; its body goes, and so does the count.
        assert_eq!(ticker.drop_connections(), 1);
        assert!(axum::body::to_bytes(b.into_body(), 1 << 20).await.is_err());
        assert_eq!(ticker.open_connections(), 0);
        assert!(counts.has_changed().unwrap());
    }

    #[tokio::test]
    async fn the_count_stream_sends_the_count_at_once_then_each_change() {
        let ticker = Arc::new(Ticker::default());
        let (stop, shutdown) = watch::channel(false);
        let hour = Duration::from_secs(3600);
        let mut body = ticker
            .connections(Duration::from_millis(500), hour, shutdown.clone())
            .into_body()
            .into_data_stream();
        assert_eq!(next_chunk(&mut body).await, "retry: 500\n\n");
        assert_eq!(next_chunk(&mut body).await, count(0));
        let tick_stream = ticker.stream(0, TICK, shutdown);
        assert_eq!(next_chunk(&mut body).await, count(1));
        drop(tick_stream);
        assert_eq!(next_chunk(&mut body).await, count(0));
        stop.send(true).unwrap();
        assert!(body.next().await.is_none());
    }

    #[tokio::test]
    async fn the_count_stream_repeats_an_unchanged_count() {
        let ticker = Arc::new(Ticker::default());
        let (_stop, shutdown) = watch::channel(false);
        let _tick_stream = ticker.stream(0, TICK, shutdown.clone());
        let mut body = ticker
            .connections(TICK, Duration::from_millis(10), shutdown)
            .into_body()
            .into_data_stream();
        assert_eq!(next_chunk(&mut body).await, "retry: 1000\n\n");
        for _ in 0..3 {
            assert_eq!(next_chunk(&mut body).await, count(1));
        }
    }

    /// The count event for `n` open connections.
    fn count(n: usize) -> String {
        format!("event: connections\ndata: {{\"open\":{n}}}\n\n")
    }

    async fn next_chunk(body: &mut axum::body::BodyDataStream) -> String {
        let chunk = body.next().await.unwrap().unwrap();
        String::from_utf8(chunk.to_vec()).unwrap()
    }
}
