//! Scenario 4: one connection for every tab (`SSEClient`'s `share` option).
//!
//! One ticker for the whole server (for every instance, with the Redis
//! store): `tick n at hh:mm:ss.t UTC` every second (ten a second with
//! `--fast`), the same sequence for every client. `GET /api/ticker/events`
//! streams it. The ticks are a feed of the store that keeps the last
//! [`RING`]: a (re)connect with `Last-Event-ID` (or `?lastEventId=`) first
//! replays the ticks after it, then goes on live; a client without an id
//! starts with the next tick (a ticker has no history worth sending to a
//! newcomer). So when the tab that holds a shared connection goes away and
//! another tab reconnects with the newest id it saw, nothing is lost or
//! repeated. An id older than the ring gets the `gap` event first.
//!
//! With several instances, one runs the clock: the one holding the store's
//! `ticker` lease, renewed at every tick. If it dies, another takes the
//! lease three ticks later and the count goes on.
//!
//! Each instance counts its open connections to that stream and publishes
//! the count to the store, and `GET /api/ticker/connections` pushes the
//! total whenever this instance's count changes, and again every second (`event: connections`, `{"open": N}`): that is how the
//! page can say "1 connection for 3 tabs" from the server's point of view.
//! `POST /api/ticker/drop` cuts the tick connections, as on the other pages.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::Event;
use axum::response::Response;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use crate::app::{dropped, AppState};
use crate::feed::{follow, sse_response, store_error, Dropped};
use crate::store::{Entry, FeedKey, Newcomer, Store, StoreError};

/// Ticks kept for replay: about four minutes at the normal pace (25 s with
/// `--fast`). A client away for longer resumes at the oldest tick kept,
/// after a `gap` event: the ones before it are gone, which bounds the
/// memory whoever reconnects.
pub const RING: usize = 256;

/// The normal pace of the ticker.
const TICK: Duration = Duration::from_secs(1);

/// The clock's lease, and each instance's published count, last this many
/// ticks: an instance that dies stops ticking and counting after that.
const LEASE_TICKS: u32 = 3;

/// The store's name for the count of open tick connections.
const OPEN_GAUGE: &str = "ticker-open";

/// The ticks.
pub fn ticker_feed() -> FeedKey {
    FeedKey::new("ticker", "ticks").keeping(RING)
}

/// This instance's open tick connections.
#[derive(Debug)]
pub struct Ticker {
    open: watch::Sender<usize>,
}

impl Default for Ticker {
    fn default() -> Self {
        Ticker {
            open: watch::Sender::new(0),
        }
    }
}

impl Ticker {
    /// How many connections follow the ticks on this instance right now.
    pub fn open_connections(&self) -> usize {
        *self.open.borrow()
    }
}

/// `GET /api/ticker/events[?lastEventId=N]`: the ticks, resuming after
/// `Last-Event-ID`. The stream counts as one open connection until its body
/// is dropped: when the stream ends, or when hyper finds the client gone (at
/// the latest when the next tick's write fails).
pub async fn events(
    State(app): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let counted = Counted::new(app.ticker.clone());
    let request = (&headers, query.as_deref());
    follow(
        &app,
        &ticker_feed(),
        request,
        Newcomer::Live,
        "ticker",
        counted,
    )
    .await
}

/// `GET /api/ticker/connections`: `connections` events, `{"open": N}`, on
/// every change and every second (a tenth of that with `--fast`).
///
/// The current count comes at once, then every change, and the count again
/// after a second without one. Several changes in a row may arrive as one
/// (the newest): it is a state, not a log, so it carries no ids.
///
/// Why repeat it: the page follows this stream with `share: true` too,
/// and a tab that joins a shared connection gets the events sent after
/// it joined, not the count sent to the first tab. Repeating the state
/// is what makes a state stream shareable. (It also brings in the other
/// instances' changes, which this one does not hear of.)
pub async fn connections(State(app): State<AppState>) -> Response {
    let settings = &app.settings;
    // The first tick is immediate: the current count, at once.
    let mut refresh = tokio::time::interval(settings.pace(TICK));
    refresh.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let counter = Counter {
        store: app.store.clone(),
        rx: app.ticker.open.subscribe(),
        ttl: settings.pace(TICK) * LEASE_TICKS,
        refresh,
        retry: Some(settings.retry()),
        shutdown: app.shutdown.clone(),
    };
    sse_response(futures_util::stream::unfold(counter, Counter::next_event))
}

/// `POST /api/ticker/drop`: cuts the tick connections (on every instance);
/// `{"dropped": N}`.
pub async fn drop_connections(State(app): State<AppState>) -> Response {
    match app.store.cut(&ticker_feed()).await {
        Ok(count) => dropped(count),
        Err(e) => store_error(e, "ticker"),
    }
}

/// The ticker's clock: a tick every second (a tenth of that with `--fast`)
/// until shutdown, from whichever instance holds the lease. Every instance
/// also publishes its count of open connections at each tick.
pub async fn run(app: AppState) {
    let period = app.settings.pace(TICK);
    let mut interval = tokio::time::interval(period);
    // After a stall (a suspended laptop), go on at the normal pace rather
    // than firing the missed ticks in a burst.
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut shutdown = app.shutdown.clone();
    let mut failing = false;
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = shutdown.wait_for(|stopping| *stopping) => return,
        }
        match tick(&*app.store, &app.ticker, period, SystemTime::now()).await {
            Ok(_) => failing = false,
            // Said once per outage, not ten times a second.
            Err(e) if !failing => {
                eprintln!("sse-demo-server: ticker: {e}");
                failing = true;
            }
            Err(_) => {}
        }
    }
}

/// One beat of the clock: publishes this instance's count, and adds the
/// next tick if this instance leads; returns whether it did.
async fn tick(
    store: &dyn Store,
    ticker: &Ticker,
    period: Duration,
    now: SystemTime,
) -> Result<bool, StoreError> {
    let ttl = period * LEASE_TICKS;
    store
        .set_gauge(OPEN_GAUGE, ticker.open_connections() as u64, ttl)
        .await?;
    if !store.lead("ticker", ttl).await? {
        return Ok(false);
    }
    let feed = ticker_feed();
    let n = store.next_number("ticker").await?;
    let entry = Entry::new("message", tick_text(n, now));
    match store.append(&feed, entry.clone()).await {
        // Redis lost the stream (flushed, or restarted without a disk): make
        // it again.
        Err(StoreError::NotFound) => {
            store.create(&feed).await?;
            store.append(&feed, entry).await?;
        }
        result => {
            result?;
        }
    }
    Ok(true)
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
/// this value lives (it is held by the stream, so it goes with the response
/// body).
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

/// One connection of the count stream.
struct Counter {
    store: Arc<dyn Store>,
    /// This instance's count.
    rx: watch::Receiver<usize>,
    /// How long a published count stays valid.
    ttl: Duration,
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
        // This instance's count first, so that a change here shows at once.
        let local = *self.rx.borrow_and_update() as u64;
        let total = match self.store.set_gauge(OPEN_GAUGE, local, self.ttl).await {
            Ok(()) => self.store.gauge_total(OPEN_GAUGE).await,
            Err(e) => Err(e),
        };
        let Ok(open) = total else {
            // No count to give: cut, and the client reconnects.
            return Some((Err(Dropped), self));
        };
        let event = Event::default()
            .event("connections")
            .data(format!("{{\"open\":{open}}}"));
        Some((Ok(event), self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::tests::body_text;
    use axum::http::HeaderValue;
    use futures_util::StreamExt;

    /// A server's state on the memory store, with the ticks' feed made as
    /// `main` makes it, and its shutdown switch.
    async fn app() -> (AppState, watch::Sender<bool>) {
        let (app, stop) = AppState::for_tests();
        app.store.create(&ticker_feed()).await.unwrap();
        (app, stop)
    }

    async fn tick_stream(app: &AppState, last_id: Option<&'static str>) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(id) = last_id {
            headers.insert("last-event-id", HeaderValue::from_static(id));
        }
        events(State(app.clone()), RawQuery(None), headers).await
    }

    #[test]
    fn tick_text_shows_the_number_and_the_utc_time() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(86_400_000 * 3 + 50_585_300);
        assert_eq!(tick_text(42, at), "tick 42 at 14:03:05.3 UTC");
    }

    #[tokio::test]
    async fn a_resumed_stream_replays_after_the_last_id_then_ends_on_shutdown() {
        let (app, stop) = app().await;
        for _ in 0..5 {
            assert!(tick(&*app.store, &app.ticker, TICK, SystemTime::UNIX_EPOCH)
                .await
                .unwrap());
        }
        let response = tick_stream(&app, Some("3")).await;
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        stop.send(true).unwrap();
        assert_eq!(
            body_text(response).await,
            "retry: 500\n\n\
             id: 4\ndata: tick 4 at 00:00:00.0 UTC\n\n\
             id: 5\ndata: tick 5 at 00:00:00.0 UTC\n\n"
        );
    }

    #[tokio::test]
    async fn a_newcomer_and_an_id_not_ours_start_with_the_next_tick() {
        let (app, stop) = app().await;
        tick(&*app.store, &app.ticker, TICK, SystemTime::UNIX_EPOCH)
            .await
            .unwrap();
        let newcomer = tick_stream(&app, None).await;
        let not_ours = tick_stream(&app, Some("9999")).await;
        tick(&*app.store, &app.ticker, TICK, SystemTime::UNIX_EPOCH)
            .await
            .unwrap();
        stop.send(true).unwrap();
        for response in [newcomer, not_ours] {
            assert_eq!(
                body_text(response).await,
                "retry: 500\n\nid: 2\ndata: tick 2 at 00:00:00.0 UTC\n\n"
            );
        }
    }

    #[tokio::test]
    async fn every_open_stream_is_counted_until_its_body_is_dropped() {
        let (app, _stop) = app().await;
        let mut counts = app.ticker.open.subscribe();
        let a = tick_stream(&app, None).await;
        let b = tick_stream(&app, None).await;
        assert_eq!(app.ticker.open_connections(), 2);
        drop(a);
        assert_eq!(app.ticker.open_connections(), 1);
        assert!(counts.has_changed().unwrap());
        counts.mark_unchanged();
        // A cut stream ends with an error; its body goes, and so does the count.
        assert_eq!(app.store.cut(&ticker_feed()).await.unwrap(), Some(1));
        assert!(axum::body::to_bytes(b.into_body(), 1 << 20).await.is_err());
        assert_eq!(app.ticker.open_connections(), 0);
        assert!(counts.has_changed().unwrap());
    }

    #[tokio::test]
    async fn the_count_stream_sends_the_count_at_once_then_each_change() {
        let (app, stop) = app().await;
        let mut body = connections(State(app.clone()))
            .await
            .into_body()
            .into_data_stream();
        assert_eq!(next_chunk(&mut body).await, "retry: 500\n\n");
        assert_eq!(next_chunk(&mut body).await, count(0));
        let tick_stream = tick_stream(&app, None).await;
        assert_eq!(next_chunk(&mut body).await, count(1));
        drop(tick_stream);
        assert_eq!(next_chunk(&mut body).await, count(0));
        stop.send(true).unwrap();
        assert!(body.next().await.is_none());
    }

    #[tokio::test]
    async fn the_count_stream_repeats_an_unchanged_count() {
        let (app, _stop) = app().await;
        let _tick_stream = tick_stream(&app, None).await;
        let mut body = connections(State(app.clone()))
            .await
            .into_body()
            .into_data_stream();
        assert_eq!(next_chunk(&mut body).await, "retry: 500\n\n");
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
