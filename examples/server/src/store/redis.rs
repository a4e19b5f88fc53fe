//! The Redis store: every feed is a Redis Stream, so any number of server
//! instances can serve any client.
//!
//! - An event is an entry `event <type> data <data>`, added with
//!   `XADD ... MAXLEN ~ N`; its entry id (`1718000000000-0`) is its SSE `id`.
//! - A client resumes with `XRANGE key (<Last-Event-ID> +`: exactly the
//!   entries after its id, whichever instance wrote them. An id older than
//!   the oldest entry kept, in a stream that trimmed some (`XINFO STREAM`'s
//!   `recorded-first-entry-id` and `entries-added`, Redis 7), gets a [`Gap`]
//!   first.
//! - Live tailing: one `XREAD BLOCK` per feed and instance, on a connection
//!   of its own (a blocked command holds its connection), wakes the
//!   instance's followers of that feed, each of which then reads what it
//!   has not sent with `XRANGE`. So Redis sees one blocked reader per feed
//!   and instance, not one per browser.
//! - "Finished" and "cut the connections" are entries too (`mark finished`,
//!   `mark cut`), so they reach the followers on every instance, in order
//!   with the events.
//! - Every key expires an hour after its last write: the demo cannot fill
//!   Redis.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use futures_util::FutureExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::streams::{StreamId, StreamRangeReply, StreamReadOptions, StreamReadReply};
use redis::{AsyncConnectionConfig, Client, RedisError, Script, Value};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{
    Entry, FeedKey, File, Follow, Gap, Item, Newcomer, Resume, Store, StoreError, StoreFuture,
};

/// Every key of the demo starts with this.
const PREFIX: &str = "sse-demo:";
/// Keys expire this long after their last write.
const TTL_SECS: u64 = 3600;
/// How long one `XREAD BLOCK` waits before it is issued again.
const BLOCK: Duration = Duration::from_secs(5);
/// Entries read per `XRANGE`.
const BATCH: usize = 100;
/// A follower with nothing to send re-reads after this long even without
/// a wake-up (one could be lost while the tail reconnects to Redis).
const RECHECK: Duration = Duration::from_secs(10);

/// Takes the lease `KEYS[1]` for `ARGV[1]` (this instance) for `ARGV[2]`
/// ms, or renews it if already ours; 1 if we hold it afterwards.
const LEASE_SCRIPT: &str = r"
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
";

/// Feeds as Redis Streams.
pub struct RedisStore {
    client: Client,
    conn: ConnectionManager,
    /// The URL without its password, for the startup line.
    shown_url: String,
    /// This server's name in leases and gauges.
    instance: String,
    /// The live tails of this instance, one per followed feed.
    tails: Mutex<HashMap<String, Weak<Tail>>>,
    lease: Script,
}

impl RedisStore {
    /// Connects to `url` (`redis://127.0.0.1:6379`), failing now rather
    /// than at the first request if Redis does not answer.
    pub async fn connect(url: &str, instance: &str) -> Result<Self, StoreError> {
        let client = Client::open(url).map_err(backend)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            // An uploaded image is up to 5 MiB: more than the default 0.5 s.
            .set_response_timeout(Some(Duration::from_secs(5)));
        let mut conn = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(backend)?;
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(backend)?;
        Ok(RedisStore {
            client,
            conn,
            shown_url: without_password(url),
            instance: instance.to_owned(),
            tails: Mutex::default(),
            lease: Script::new(LEASE_SCRIPT),
        })
    }

    /// A connection for one call (the manager is a cheap handle).
    fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// The feed's tail on this instance, started if none is running, once
    /// it is ready to report every entry added from now on.
    async fn tail(&self, key: &str) -> Result<Arc<Tail>, StoreError> {
        let tail = {
            let mut tails = self.tails.lock().unwrap_or_else(|e| e.into_inner());
            tails.retain(|_, tail| tail.strong_count() > 0);
            match tails.get(key).and_then(Weak::upgrade) {
                Some(tail) => tail,
                None => {
                    let tail = Arc::new(Tail::start(self.client.clone(), key.to_owned()));
                    tails.insert(key.to_owned(), Arc::downgrade(&tail));
                    tail
                }
            }
        };
        let mut ready = tail.wakeups.clone();
        let started = tokio::time::timeout(BLOCK, ready.wait_for(|n| *n > 0))
            .await
            .is_ok_and(|waited| waited.is_ok());
        if !started {
            return Err(StoreError::Backend(
                "no connection to Redis for live tailing".to_owned(),
            ));
        }
        Ok(tail)
    }
}

/// `redis://user:secret@host:6379/0` without `user:secret`.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

fn backend(e: RedisError) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// The Redis key of a feed.
fn stream_key(feed: &FeedKey) -> String {
    format!("{PREFIX}{feed}")
}

/// A stream entry id, `<ms>-<seq>` (or `<ms>`, as Redis accepts), as a
/// pair that orders like Redis orders them.
fn parse_id(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.trim().split_once('-').unwrap_or((id.trim(), "0"));
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

/// What a stream entry is.
enum Record {
    Event(Entry),
    /// `mark finished`: no event follows.
    Finished,
    /// `mark cut`: cut the connections that were open before it.
    Cut,
    /// `mark created`, or an entry this demo did not write.
    Other,
}

fn record(entry: &StreamId) -> Record {
    if let Some(mark) = entry.get::<String>("mark") {
        return match mark.as_str() {
            "finished" => Record::Finished,
            "cut" => Record::Cut,
            _ => Record::Other,
        };
    }
    match (entry.get::<String>("event"), entry.get::<String>("data")) {
        (Some(event), Some(data)) => Record::Event(Entry { event, data }),
        _ => Record::Other,
    }
}

/// `XADD <key> [NOMKSTREAM] MAXLEN ~ <n> * <fields>` and `EXPIRE`, in one
/// transaction; the new id, or `None` if `must_exist` and the key is gone.
async fn add(
    conn: &mut ConnectionManager,
    feed: &FeedKey,
    must_exist: bool,
    fields: &[(&str, &str)],
) -> Result<Option<String>, StoreError> {
    let key = stream_key(feed);
    let mut pipe = redis::pipe();
    pipe.atomic();
    let xadd = pipe.cmd("XADD").arg(&key);
    if must_exist {
        xadd.arg("NOMKSTREAM");
    }
    xadd.arg("MAXLEN").arg("~").arg(feed.max_len()).arg("*");
    for (name, value) in fields {
        xadd.arg(*name).arg(*value);
    }
    pipe.cmd("EXPIRE").arg(&key).arg(TTL_SECS).ignore();
    let (id,): (Option<String>,) = pipe.query_async(conn).await.map_err(backend)?;
    Ok(id)
}

/// `HSET <key> <fields>` and `EXPIRE`, in one transaction.
async fn hset_expiring(
    conn: &mut ConnectionManager,
    key: &str,
    fields: &[(&str, &[u8])],
) -> Result<(), StoreError> {
    let mut pipe = redis::pipe();
    pipe.atomic();
    let hset = pipe.cmd("HSET").arg(key);
    for (name, value) in fields {
        hset.arg(*name).arg(*value);
    }
    hset.ignore();
    pipe.cmd("EXPIRE").arg(key).arg(TTL_SECS).ignore();
    pipe.query_async(conn).await.map_err(backend)
}

/// `XRANGE <key> <start> + COUNT <count>`: the entries from `start` on
/// (`(<id>` for the ones after `<id>`, as in Redis).
async fn range(
    conn: &mut ConnectionManager,
    key: &str,
    start: &str,
    count: usize,
) -> Result<VecDeque<StreamId>, StoreError> {
    let reply: StreamRangeReply = redis::cmd("XRANGE")
        .arg(key)
        .arg(start)
        .arg("+")
        .arg("COUNT")
        .arg(count)
        .query_async(conn)
        .await
        .map_err(backend)?;
    Ok(reply.ids.into())
}

/// The entries after `position`, at most [`BATCH`].
async fn range_after(
    conn: &mut ConnectionManager,
    key: &str,
    position: &str,
) -> Result<VecDeque<StreamId>, StoreError> {
    range(conn, key, &format!("({position}"), BATCH).await
}

/// What `XINFO STREAM` says about a feed.
struct StreamInfo {
    /// The id of the newest entry ever added.
    last_generated: String,
    /// The id of the oldest entry kept, if entries were trimmed away.
    first_after_trimming: Option<(u64, u64)>,
}

async fn stream_info(conn: &mut ConnectionManager, key: &str) -> Result<StreamInfo, StoreError> {
    let exists: bool = redis::cmd("EXISTS")
        .arg(key)
        .query_async(conn)
        .await
        .map_err(backend)?;
    if !exists {
        return Err(StoreError::NotFound);
    }
    let fields: HashMap<String, Value> = redis::cmd("XINFO")
        .arg("STREAM")
        .arg(key)
        .query_async(conn)
        .await
        .map_err(backend)?;
    let field = |name: &str| -> Option<String> {
        fields
            .get(name)
            .and_then(|v| redis::from_redis_value_ref::<String>(v).ok())
    };
    let count = |name: &str| field(name).and_then(|v| v.parse::<u64>().ok());
    // Trimming is not counted in `max-deleted-entry-id` (only XDEL is), so
    // compare what was added with what is kept.
    let trimmed = count("entries-added") > count("length");
    Ok(StreamInfo {
        last_generated: field("last-generated-id").unwrap_or_else(|| "0-0".to_owned()),
        first_after_trimming: field("recorded-first-entry-id")
            .and_then(|id| parse_id(&id))
            .filter(|_| trimmed),
    })
}

impl Store for RedisStore {
    fn describe(&self) -> String {
        format!("redis at {} (instance {})", self.shown_url, self.instance)
    }

    fn create<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, ()> {
        async move {
            add(&mut self.conn(), feed, false, &[("mark", "created")]).await?;
            Ok(())
        }
        .boxed()
    }

    fn exists<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, bool> {
        async move {
            redis::cmd("EXISTS")
                .arg(stream_key(feed))
                .query_async(&mut self.conn())
                .await
                .map_err(backend)
        }
        .boxed()
    }

    fn append<'a>(&'a self, feed: &'a FeedKey, entry: Entry) -> StoreFuture<'a, String> {
        async move {
            let fields = [
                ("event", entry.event.as_str()),
                ("data", entry.data.as_str()),
            ];
            add(&mut self.conn(), feed, true, &fields)
                .await?
                .ok_or(StoreError::NotFound)
        }
        .boxed()
    }

    fn finish<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, ()> {
        async move {
            add(&mut self.conn(), feed, true, &[("mark", "finished")])
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok(())
        }
        .boxed()
    }

    fn cut<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, Option<usize>> {
        async move {
            add(&mut self.conn(), feed, true, &[("mark", "cut")])
                .await?
                .ok_or(StoreError::NotFound)?;
            // The other instances' connections are theirs to count.
            Ok(None)
        }
        .boxed()
    }

    fn history<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, Vec<Entry>> {
        async move {
            let mut conn = self.conn();
            let key = stream_key(feed);
            let reply: StreamRangeReply = redis::cmd("XRANGE")
                .arg(&key)
                .arg("-")
                .arg("+")
                .query_async(&mut conn)
                .await
                .map_err(backend)?;
            if reply.ids.is_empty() {
                return Err(StoreError::NotFound);
            }
            let events = reply.ids.iter().filter_map(|entry| match record(entry) {
                Record::Event(event) => Some(event),
                _ => None,
            });
            Ok(events.collect())
        }
        .boxed()
    }

    fn follow<'a>(&'a self, feed: &'a FeedKey, resume: Resume) -> StoreFuture<'a, Follow> {
        async move {
            let key = stream_key(feed);
            let mut conn = self.conn();
            // A missing feed is a 404 before any tail is started for it.
            let info = stream_info(&mut conn, &key).await?;
            // The tail before the first read: it then reports every entry
            // added after that read, so nothing falls between the read and
            // the wait for more.
            let tail = self.tail(&key).await?;
            let newest = parse_id(&info.last_generated).unwrap_or_default();
            let last = resume
                .last_id
                .as_deref()
                .and_then(|id| Some((id, parse_id(id)?)));
            let (position, trimmed) = match last {
                // Not issued yet (another store's id, a clock ahead): wait for
                // new entries rather than replay ones the client may have.
                Some((_, parsed)) if parsed > newest => (info.last_generated.clone(), None),
                Some((id, parsed)) => {
                    // Older than the oldest entry kept: the entries right
                    // after it were trimmed away (as far as Redis can tell:
                    // it does not say whether the client's own entry was the
                    // last one trimmed).
                    let trimmed = info
                        .first_after_trimming
                        .is_some_and(|first| parsed < first)
                        .then(|| id.trim().to_owned());
                    (id.trim().to_owned(), trimmed)
                }
                None => match resume.newcomer {
                    Newcomer::Oldest => ("0-0".to_owned(), None),
                    Newcomer::Live => (info.last_generated.clone(), None),
                },
            };
            let pending = range_after(&mut conn, &key, &position).await?;
            let gap = trimmed.map(|last_id| Gap {
                last_id,
                resumes_at: first_event_id(&pending).unwrap_or_else(|| info.last_generated.clone()),
            });
            if gap.is_none() && is_complete(&pending) {
                return Ok(Follow::Complete);
            }
            let follower = Follower {
                conn,
                wakeups: tail.wakeups.clone(),
                _tail: tail,
                key,
                position,
                handled: false,
                connected_at: newest,
                pending,
                gap,
                done: false,
            };
            let items = futures_util::stream::unfold(follower, Follower::next_item);
            Ok(Follow::Live(Box::pin(items)))
        }
        .boxed()
    }

    fn next_number<'a>(&'a self, counter: &'a str) -> StoreFuture<'a, u64> {
        async move {
            let key = format!("{PREFIX}counter:{counter}");
            let (n,): (u64,) = redis::pipe()
                .atomic()
                .cmd("INCR")
                .arg(&key)
                .cmd("EXPIRE")
                .arg(&key)
                .arg(TTL_SECS)
                .ignore()
                .query_async(&mut self.conn())
                .await
                .map_err(backend)?;
            Ok(n)
        }
        .boxed()
    }

    fn put_file<'a>(&'a self, feed: &'a FeedKey, n: u64, file: File) -> StoreFuture<'a, ()> {
        async move {
            let key = format!("{}:file:{n}", stream_key(feed));
            let fields = [
                ("type", file.content_type.as_bytes()),
                ("bytes", &file.bytes[..]),
            ];
            hset_expiring(&mut self.conn(), &key, &fields).await
        }
        .boxed()
    }

    fn file<'a>(&'a self, feed: &'a FeedKey, n: u64) -> StoreFuture<'a, Option<File>> {
        async move {
            let key = format!("{}:file:{n}", stream_key(feed));
            let (content_type, bytes): (Option<String>, Option<Vec<u8>>) = redis::cmd("HMGET")
                .arg(&key)
                .arg("type")
                .arg("bytes")
                .query_async(&mut self.conn())
                .await
                .map_err(backend)?;
            Ok(content_type.zip(bytes).map(|(content_type, bytes)| File {
                content_type,
                bytes: Bytes::from(bytes),
            }))
        }
        .boxed()
    }

    fn lead<'a>(&'a self, role: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        async move {
            let held: i64 = self
                .lease
                .key(format!("{PREFIX}lease:{role}"))
                .arg(&self.instance)
                .arg(ttl.as_millis() as u64)
                .invoke_async(&mut self.conn())
                .await
                .map_err(backend)?;
            Ok(held == 1)
        }
        .boxed()
    }

    fn set_gauge<'a>(&'a self, gauge: &'a str, value: u64, ttl: Duration) -> StoreFuture<'a, ()> {
        async move {
            let key = format!("{PREFIX}gauge:{gauge}");
            let valid_until = unix_ms() + ttl.as_millis() as u64;
            let value = format!("{value} {valid_until}");
            let fields = [(self.instance.as_str(), value.as_bytes())];
            hset_expiring(&mut self.conn(), &key, &fields).await
        }
        .boxed()
    }

    fn gauge_total<'a>(&'a self, gauge: &'a str) -> StoreFuture<'a, u64> {
        async move {
            let values: HashMap<String, String> = redis::cmd("HGETALL")
                .arg(format!("{PREFIX}gauge:{gauge}"))
                .query_async(&mut self.conn())
                .await
                .map_err(backend)?;
            let now = unix_ms();
            let live = values.values().filter_map(|v| {
                let (value, valid_until) = v.split_once(' ')?;
                let valid_until: u64 = valid_until.parse().ok()?;
                (valid_until > now).then(|| value.parse::<u64>().ok())?
            });
            Ok(live.sum())
        }
        .boxed()
    }
}

/// Milliseconds since the Unix epoch (the instances share a machine, or
/// at least NTP).
fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64
}

/// The id of the first event (not a mark) of `entries`: where a follower
/// resumes after a gap.
fn first_event_id(entries: &VecDeque<StreamId>) -> Option<String> {
    entries
        .iter()
        .find(|e| matches!(record(e), Record::Event(_)))
        .map(|e| e.id.clone())
}

/// Whether the first thing after a follower's position ends the feed: it
/// has everything, and gets 204.
fn is_complete(pending: &VecDeque<StreamId>) -> bool {
    for entry in pending {
        match record(entry) {
            Record::Finished => return true,
            Record::Event(_) => return false,
            Record::Cut | Record::Other => {}
        }
    }
    false
}

/// One `XREAD BLOCK` loop per followed feed and instance: it bumps
/// `wakeups` whenever entries were added. Dropping it (with its last
/// follower) stops the loop.
struct Tail {
    /// 0 until the loop is reading; then bumped on every batch of new
    /// entries, and after each reconnection to Redis.
    wakeups: watch::Receiver<u64>,
    task: JoinHandle<()>,
}

impl Tail {
    fn start(client: Client, key: String) -> Tail {
        let (tx, wakeups) = watch::channel(0);
        let task = tokio::spawn(async move {
            loop {
                if let Err(e) = tail_loop(&client, &key, &tx).await {
                    eprintln!("sse-demo-server: tailing {key}: {e}; retrying in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        });
        Tail { wakeups, task }
    }
}

impl Drop for Tail {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Tails `key` on a connection of its own until Redis fails.
async fn tail_loop(client: &Client, key: &str, tx: &watch::Sender<u64>) -> Result<(), RedisError> {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(BLOCK + Duration::from_secs(5)));
    let mut conn = client
        .get_multiplexed_async_connection_with_config(&config)
        .await?;
    let newest: StreamRangeReply = redis::cmd("XREVRANGE")
        .arg(key)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async(&mut conn)
        .await?;
    let mut last = newest
        .ids
        .first()
        .map_or_else(|| "0-0".to_owned(), |e| e.id.clone());
    // Ready; after a reconnection, this also makes the followers re-read
    // whatever they may have missed meanwhile.
    tx.send_modify(|n| *n += 1);
    let options = StreamReadOptions::default()
        .block(BLOCK.as_millis() as usize)
        .count(BATCH);
    loop {
        let reply: Option<StreamReadReply> = redis::cmd("XREAD")
            .arg(&options)
            .arg("STREAMS")
            .arg(key)
            .arg(&last)
            .query_async(&mut conn)
            .await?;
        let newest = reply.and_then(|r| r.keys.into_iter().flat_map(|k| k.ids).last());
        if let Some(entry) = newest {
            last = entry.id;
            tx.send_modify(|n| *n += 1);
        }
    }
}

/// One follower's state: the state of the `unfold` loop that makes its
/// item stream.
struct Follower {
    conn: ConnectionManager,
    wakeups: watch::Receiver<u64>,
    /// Kept alive as long as the follower.
    _tail: Arc<Tail>,
    key: String,
    /// The id of the last entry handled (or the client's `Last-Event-ID`,
    /// or `0-0`, before the first).
    position: String,
    /// `position` is an entry this follower handled: if it is no longer in
    /// the stream, the trimming overtook the follower.
    handled: bool,
    /// The newest id when the follower started: cuts before it are old.
    connected_at: (u64, u64),
    pending: VecDeque<StreamId>,
    gap: Option<Gap>,
    done: bool,
}

impl Follower {
    async fn next_item(mut self) -> Option<(Result<Item, StoreError>, Self)> {
        if self.done {
            return None;
        }
        if let Some(gap) = self.gap.take() {
            return Some((Ok(Item::Gap(gap)), self));
        }
        loop {
            while let Some(entry) = self.pending.pop_front() {
                self.position.clone_from(&entry.id);
                self.handled = true;
                match record(&entry) {
                    Record::Event(event) => {
                        let item = Item::Event {
                            id: entry.id,
                            entry: event,
                        };
                        return Some((Ok(item), self));
                    }
                    Record::Finished => return None,
                    Record::Cut if parse_id(&entry.id) > Some(self.connected_at) => {
                        self.done = true;
                        return Some((Ok(Item::Cut), self));
                    }
                    Record::Cut | Record::Other => {}
                }
            }
            // Marked as seen before reading, so that an entry added after
            // the read wakes the wait below.
            self.wakeups.borrow_and_update();
            match self.read_more().await {
                Ok(Some(gap)) => return Some((Ok(Item::Gap(gap)), self)),
                Ok(None) if !self.pending.is_empty() => continue,
                Ok(None) => {}
                Err(e) => {
                    self.done = true;
                    return Some((Err(e), self));
                }
            }
            tokio::select! {
                changed = self.wakeups.changed() => changed.ok()?,
                () = tokio::time::sleep(RECHECK) => {}
            }
        }
    }

    /// Reads the entries after `position` into `pending`. Once the follower
    /// has handled an entry, the read starts *at* it: if it is gone, Redis
    /// trimmed it (and maybe more) while this follower lagged behind, which
    /// is reported as a gap, as at the start.
    async fn read_more(&mut self) -> Result<Option<Gap>, StoreError> {
        if !self.handled {
            self.pending = range_after(&mut self.conn, &self.key, &self.position).await?;
            return Ok(None);
        }
        self.pending = range(&mut self.conn, &self.key, &self.position, BATCH + 1).await?;
        if self.pending.front().is_some_and(|e| e.id == self.position) {
            self.pending.pop_front();
            return Ok(None);
        }
        let next = first_event_id(&self.pending).or_else(|| Some(self.pending.front()?.id.clone()));
        Ok(next.map(|next| Gap {
            last_id: self.position.clone(),
            resumes_at: next,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_order_like_redis_orders_them() {
        assert_eq!(parse_id("1718000000000-0"), Some((1_718_000_000_000, 0)));
        assert_eq!(parse_id(" 12 "), Some((12, 0)));
        assert!(parse_id("1-2") < parse_id("1-10"));
        assert!(parse_id("9-0") < parse_id("10-0"));
        assert_eq!(parse_id("junk"), None);
        assert_eq!(parse_id("1-x"), None);
    }

    #[test]
    fn the_url_shown_has_no_password() {
        assert_eq!(
            without_password("redis://user:secret@10.0.0.1:6379/0"),
            "redis://***@10.0.0.1:6379/0"
        );
        assert_eq!(
            without_password("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
    }
}
