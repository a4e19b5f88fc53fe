//! Where the demo keeps what its scenarios publish: the event feeds that
//! every SSE connection follows, and the little else that several server
//! instances must share (uploaded files, counters, who runs the ticker's
//! clock, how many connections each instance holds).
//!
//! Two stores implement [`Store`], and the scenarios only ever see the trait:
//!
//! - [`MemoryStore`], the default: everything in this process. Right for one
//!   instance; a second instance would have feeds of its own.
//! - [`RedisStore`], when `REDIS_URL` is set: every feed is a Redis Stream,
//!   so any instance can serve any client. A stream entry id
//!   (`1718000000000-0`) is the event's SSE `id`, and a reconnect that lands
//!   on another instance resumes with `XRANGE` after its `Last-Event-ID`.
//!
//! Both keep a bounded number of events per feed ([`FeedKey::max_len`]). A
//! client whose `Last-Event-ID` was trimmed away gets a [`Gap`] first, then
//! the oldest event kept: it learns that it missed some, instead of silently
//! getting less than it asked for.

#[cfg(test)]
mod conformance;
mod memory;
mod redis;

use std::fmt;
use std::time::Duration;

use axum::body::Bytes;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;

pub use self::memory::MemoryStore;
pub use self::redis::RedisStore;

/// What every store method returns: a boxed future, so that the scenarios
/// can hold an `Arc<dyn Store>` and not know which store it is.
pub type StoreFuture<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

/// The events a follower receives; the stream ends when the feed is
/// finished and everything was sent.
pub type Items = BoxStream<'static, Result<Item, StoreError>>;

/// The demo's shared state, in memory or in Redis.
///
/// Every method is safe to call from any number of instances at once: the
/// Redis store relies on Redis's atomic commands, the memory store has one
/// instance by definition.
pub trait Store: Send + Sync + 'static {
    /// How the server describes its store at startup (`memory`, or
    /// `redis at redis://127.0.0.1:6379`).
    fn describe(&self) -> String;

    /// Makes an empty feed. The memory store keeps the newest 64 feeds of
    /// each scope; the Redis store lets a feed expire an hour after its last
    /// event.
    fn create<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, ()>;

    /// Whether `feed` exists (was created and not forgotten).
    fn exists<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, bool>;

    /// Appends an event and wakes the feed's followers, on every instance;
    /// returns the event's id. [`StoreError::NotFound`] when the feed was
    /// forgotten (the job writing it should stop).
    fn append<'a>(&'a self, feed: &'a FeedKey, entry: Entry) -> StoreFuture<'a, String>;

    /// Marks the feed complete: streams end after its last event, and a
    /// client that has that event is told to stop reconnecting (204).
    fn finish<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, ()>;

    /// Cuts every connection following `feed`, on every instance, the way a
    /// restarting proxy would. Returns how many there were when the store
    /// can tell (the memory store can; the Redis store cannot see the other
    /// instances' connections).
    fn cut<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, Option<usize>>;

    /// Every event the feed still keeps, oldest first.
    fn history<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, Vec<Entry>>;

    /// Follows `feed` from where `resume` says.
    fn follow<'a>(&'a self, feed: &'a FeedKey, resume: Resume) -> StoreFuture<'a, Follow>;

    /// The next value of a counter shared by every instance (1, 2, 3, ...).
    fn next_number<'a>(&'a self, counter: &'a str) -> StoreFuture<'a, u64>;

    /// Keeps file `n` of `feed` (an uploaded image) as long as the feed.
    fn put_file<'a>(&'a self, feed: &'a FeedKey, n: u64, file: File) -> StoreFuture<'a, ()>;

    /// File `n` of `feed`, if kept.
    fn file<'a>(&'a self, feed: &'a FeedKey, n: u64) -> StoreFuture<'a, Option<File>>;

    /// Whether this instance holds the lease for `role` (taking it if free,
    /// renewing it for `ttl` if held). One instance at a time runs the
    /// ticker's clock; if it dies, another takes over when the lease ends.
    fn lead<'a>(&'a self, role: &'a str, ttl: Duration) -> StoreFuture<'a, bool>;

    /// Publishes this instance's value of `gauge` (its open connections),
    /// valid for `ttl`: an instance that dies stops counting after that.
    fn set_gauge<'a>(&'a self, gauge: &'a str, value: u64, ttl: Duration) -> StoreFuture<'a, ()>;

    /// The sum of every live instance's value of `gauge`.
    fn gauge_total<'a>(&'a self, gauge: &'a str) -> StoreFuture<'a, u64>;
}

/// Picks the store: Redis Streams when `redis_url` is given, else memory.
/// `instance` names this server in the Redis store's leases and gauges.
pub async fn open(redis_url: Option<&str>, instance: &str) -> Result<Box<dyn Store>, StoreError> {
    match redis_url {
        Some(url) => Ok(Box::new(RedisStore::connect(url, instance).await?)),
        None => Ok(Box::new(MemoryStore::default())),
    }
}

/// A feed's name (`reports:3f2a...`: a scope and an id) and how many events
/// it keeps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeedKey {
    scope: &'static str,
    id: String,
    max_len: usize,
}

impl FeedKey {
    /// Events a feed keeps unless told otherwise: far more than any
    /// scenario's job writes, so only the ticker, which never ends, trims.
    pub const DEFAULT_MAX_LEN: usize = 10_000;

    /// The feed `id` of `scope` (a scenario: `activities`, `reports`, ...).
    pub fn new(scope: &'static str, id: &str) -> Self {
        FeedKey {
            scope,
            id: id.to_owned(),
            max_len: Self::DEFAULT_MAX_LEN,
        }
    }

    /// The same feed, keeping about `max_len` events (the Redis store trims
    /// with `MAXLEN ~`, which may keep up to a hundred more).
    pub fn keeping(mut self, max_len: usize) -> Self {
        self.max_len = max_len.max(1);
        self
    }

    /// The scenario the feed belongs to.
    pub fn scope(&self) -> &'static str {
        self.scope
    }

    /// How many events the feed keeps.
    pub fn max_len(&self) -> usize {
        self.max_len
    }
}

impl fmt::Display for FeedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scope, self.id)
    }
}

/// One event: its type (the `event:` field) and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The event type; `message` is the default type and is not written.
    pub event: String,
    /// The payload: one or more lines.
    pub data: String,
}

impl Entry {
    /// An event of type `event` carrying `data`.
    pub fn new(event: &str, data: impl Into<String>) -> Self {
        Entry {
            event: event.to_owned(),
            data: data.into(),
        }
    }
}

/// An uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Its media type (`image/png`).
    pub content_type: String,
    /// Its bytes.
    pub bytes: Bytes,
}

/// Where a follower starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    /// The client's `Last-Event-ID`, if it sent one.
    pub last_id: Option<String>,
    /// Where a client starts that sent no id, or an id the store did not
    /// issue (another store's, or one from the future).
    pub newcomer: Newcomer,
}

/// Where a client without a usable `Last-Event-ID` starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Newcomer {
    /// At the oldest event kept: a job's log or progress, worth having whole.
    Oldest,
    /// With the next event: a ticker, whose past is of no use to a newcomer.
    Live,
}

/// What [`Store::follow`] found.
pub enum Follow {
    /// The feed is finished and the client already has its last event: the
    /// answer is 204 No Content, which stops it reconnecting.
    Complete,
    /// The events to send, as they come.
    Live(Items),
}

/// One thing a follower sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// An event, with its id.
    Event {
        /// The SSE `id`.
        id: String,
        /// Its type and data.
        entry: Entry,
    },
    /// Events after the client's `Last-Event-ID` were trimmed away: what
    /// follows starts at the oldest event kept.
    Gap(Gap),
    /// The connection is to be cut ([`Store::cut`]).
    Cut,
}

/// The client's id was older than the oldest event kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The `Last-Event-ID` the client sent.
    pub last_id: String,
    /// The id of the oldest event kept, which comes next.
    pub resumes_at: String,
}

/// Why a store call failed.
#[derive(Debug)]
pub enum StoreError {
    /// No such feed: never created, or forgotten.
    NotFound,
    /// The backing store failed (Redis down, a reply of the wrong shape).
    Backend(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NotFound => f.write_str("no such feed"),
            StoreError::Backend(why) => write!(f, "store unavailable: {why}"),
        }
    }
}

impl std::error::Error for StoreError {}
