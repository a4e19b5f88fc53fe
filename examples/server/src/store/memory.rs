//! The in-process store: one instance, nothing to install.
//!
//! Each feed lives in a `tokio::sync::watch` channel: writers modify it in
//! place, and each follower wakes up when it changed, then sends whatever it
//! has not sent yet. Unlike a broadcast channel, a slow follower never
//! silently misses an event the feed still keeps. Event `n` (from 1) has
//! the id `n`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::FutureExt;
use tokio::sync::watch;

use super::{
    Entry, FeedKey, File, Follow, Gap, Item, Newcomer, Resume, Store, StoreError, StoreFuture,
};

/// Feeds kept per scope (jobs, reports, upload sessions); creating one more
/// forgets the oldest, so the demo cannot grow without bound.
const FEEDS_PER_SCOPE: usize = 64;

/// Everything in this process's memory.
#[derive(Default)]
pub struct MemoryStore {
    feeds: Mutex<Feeds>,
    counters: Mutex<HashMap<String, u64>>,
    /// One instance: its value of a gauge is the total.
    gauges: Mutex<HashMap<String, u64>>,
}

/// The feeds, and the order they were created in (for forgetting the oldest).
#[derive(Default)]
struct Feeds {
    by_key: HashMap<FeedKey, Arc<MemFeed>>,
    order: VecDeque<FeedKey>,
}

/// One feed: its events, and its files.
struct MemFeed {
    tx: watch::Sender<FeedState>,
    files: Mutex<HashMap<u64, File>>,
    max_len: usize,
}

/// What a feed's followers watch.
#[derive(Debug)]
struct FeedState {
    /// The events kept; `entries[0]` has the id `first`.
    entries: VecDeque<Entry>,
    first: u64,
    /// No event will be added.
    finished: bool,
    /// Bumped by [`Store::cut`]; a follower that sees it change cuts its
    /// connection.
    cuts: u64,
}

impl Default for FeedState {
    fn default() -> Self {
        FeedState {
            entries: VecDeque::new(),
            first: 1,
            finished: false,
            cuts: 0,
        }
    }
}

impl FeedState {
    /// The id of the newest event (`first - 1` when none is kept).
    fn newest(&self) -> u64 {
        self.first + self.entries.len() as u64 - 1
    }

    /// Where a follower starts, and the gap it reports first, if any.
    fn start(&self, resume: &Resume) -> (u64, Option<Gap>) {
        let newest = self.newest();
        match resume.last_id.as_deref().map(|id| id.trim().parse::<u64>()) {
            // An id beyond the newest (a feed rebuilt after a restart): wait
            // for new events rather than replay ones the client may have.
            Some(Ok(last)) if last > newest => (newest + 1, None),
            Some(Ok(last)) => self.after(last),
            _ => match resume.newcomer {
                Newcomer::Oldest => (self.first, None),
                Newcomer::Live => (newest + 1, None),
            },
        }
    }

    /// The position after `last`, or the oldest kept with a gap if events
    /// after `last` were trimmed away.
    fn after(&self, last: u64) -> (u64, Option<Gap>) {
        if last + 1 >= self.first {
            return (last + 1, None);
        }
        let gap = Gap {
            last_id: last.to_string(),
            resumes_at: self.first.to_string(),
        };
        (self.first, Some(gap))
    }

    /// What a follower at `*next` sends, moving `*next` past it.
    fn read(&self, next: &mut u64) -> Read {
        if *next < self.first {
            // The trimming overtook a slow follower.
            let gap = Gap {
                last_id: (*next - 1).to_string(),
                resumes_at: self.first.to_string(),
            };
            *next = self.first;
            return Read::Item(Item::Gap(gap));
        }
        let entry = usize::try_from(*next - self.first)
            .ok()
            .and_then(|i| self.entries.get(i));
        match entry {
            Some(entry) => {
                let item = Item::Event {
                    id: next.to_string(),
                    entry: entry.clone(),
                };
                *next += 1;
                Read::Item(item)
            }
            None if self.finished => Read::End,
            None => Read::Wait,
        }
    }
}

/// What a follower finds at its position.
enum Read {
    Item(Item),
    Wait,
    End,
}

/// One follower's position: the state of the `unfold` loop that makes its
/// item stream.
struct Follower {
    rx: watch::Receiver<FeedState>,
    next: u64,
    cuts_seen: u64,
    gap: Option<Gap>,
}

impl Follower {
    async fn next_item(mut self) -> Option<(Result<Item, StoreError>, Self)> {
        if let Some(gap) = self.gap.take() {
            return Some((Ok(Item::Gap(gap)), self));
        }
        loop {
            // The borrow must end before any `.await`: a watch guard holds a
            // lock, and writers would wait on it.
            let read = {
                let state = self.rx.borrow_and_update();
                if state.cuts != self.cuts_seen {
                    self.cuts_seen = state.cuts;
                    Read::Item(Item::Cut)
                } else {
                    state.read(&mut self.next)
                }
            };
            match read {
                Read::Item(item) => return Some((Ok(item), self)),
                Read::End => return None,
                Read::Wait => self.rx.changed().await.ok()?,
            }
        }
    }
}

/// Locks `mutex`, going on with its data if a panicking thread poisoned it
/// (every update here leaves the data consistent).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl MemoryStore {
    fn feed(&self, key: &FeedKey) -> Result<Arc<MemFeed>, StoreError> {
        lock(&self.feeds)
            .by_key
            .get(key)
            .cloned()
            .ok_or(StoreError::NotFound)
    }
}

impl Store for MemoryStore {
    fn describe(&self) -> String {
        "memory (this process only)".to_owned()
    }

    fn create<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, ()> {
        let mut feeds = lock(&self.feeds);
        if !feeds.by_key.contains_key(feed) {
            let in_scope = feeds.order.iter().filter(|k| k.scope() == feed.scope());
            if in_scope.count() >= FEEDS_PER_SCOPE {
                // Whoever still follows the forgotten feed finishes with it;
                // its job's next append fails, which stops the job.
                if let Some(i) = feeds.order.iter().position(|k| k.scope() == feed.scope()) {
                    if let Some(old) = feeds.order.remove(i) {
                        feeds.by_key.remove(&old);
                    }
                }
            }
            let state = Arc::new(MemFeed {
                tx: watch::Sender::new(FeedState::default()),
                files: Mutex::default(),
                max_len: feed.max_len(),
            });
            feeds.by_key.insert(feed.clone(), state);
            feeds.order.push_back(feed.clone());
        }
        async { Ok(()) }.boxed()
    }

    fn exists<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, bool> {
        let found = lock(&self.feeds).by_key.contains_key(feed);
        async move { Ok(found) }.boxed()
    }

    fn append<'a>(&'a self, feed: &'a FeedKey, entry: Entry) -> StoreFuture<'a, String> {
        let result = self.feed(feed).map(|f| {
            let mut id = 0;
            f.tx.send_modify(|s| {
                s.entries.push_back(entry);
                if s.entries.len() > f.max_len {
                    s.entries.pop_front();
                    s.first += 1;
                }
                id = s.newest();
            });
            id.to_string()
        });
        async move { result }.boxed()
    }

    fn finish<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, ()> {
        let result = self
            .feed(feed)
            .map(|f| f.tx.send_modify(|s| s.finished = true));
        async move { result }.boxed()
    }

    fn cut<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, Option<usize>> {
        let result = self.feed(feed).map(|f| {
            f.tx.send_modify(|s| s.cuts += 1);
            Some(f.tx.receiver_count())
        });
        async move { result }.boxed()
    }

    fn history<'a>(&'a self, feed: &'a FeedKey) -> StoreFuture<'a, Vec<Entry>> {
        let result = self
            .feed(feed)
            .map(|f| f.tx.borrow().entries.iter().cloned().collect());
        async move { result }.boxed()
    }

    fn follow<'a>(&'a self, feed: &'a FeedKey, resume: Resume) -> StoreFuture<'a, Follow> {
        let result = self.feed(feed).map(|f| {
            let rx = f.tx.subscribe();
            let (next, gap, cuts_seen, complete) = {
                let s = rx.borrow();
                let (next, gap) = s.start(&resume);
                // WHATWG HTML §9.2.3: 204 is the one answer that makes a
                // client stop reconnecting for good.
                let complete = s.finished && gap.is_none() && next > s.newest();
                (next, gap, s.cuts, complete)
            };
            if complete {
                return Follow::Complete;
            }
            let follower = Follower {
                rx,
                next,
                cuts_seen,
                gap,
            };
            Follow::Live(Box::pin(futures_util::stream::unfold(
                follower,
                Follower::next_item,
            )))
        });
        async move { result }.boxed()
    }

    fn next_number<'a>(&'a self, counter: &'a str) -> StoreFuture<'a, u64> {
        let mut counters = lock(&self.counters);
        let n = counters.entry(counter.to_owned()).or_default();
        *n += 1;
        let n = *n;
        async move { Ok(n) }.boxed()
    }

    fn put_file<'a>(&'a self, feed: &'a FeedKey, n: u64, file: File) -> StoreFuture<'a, ()> {
        let result = self.feed(feed).map(|f| {
            lock(&f.files).insert(n, file);
        });
        async move { result }.boxed()
    }

    fn file<'a>(&'a self, feed: &'a FeedKey, n: u64) -> StoreFuture<'a, Option<File>> {
        let result = self.feed(feed).map(|f| lock(&f.files).get(&n).cloned());
        async move { result }.boxed()
    }

    fn lead<'a>(&'a self, _role: &'a str, _ttl: Duration) -> StoreFuture<'a, bool> {
        // One instance: it always leads.
        async { Ok(true) }.boxed()
    }

    fn set_gauge<'a>(&'a self, gauge: &'a str, value: u64, _ttl: Duration) -> StoreFuture<'a, ()> {
        lock(&self.gauges).insert(gauge.to_owned(), value);
        async { Ok(()) }.boxed()
    }

    fn gauge_total<'a>(&'a self, gauge: &'a str) -> StoreFuture<'a, u64> {
        let total = lock(&self.gauges).get(gauge).copied().unwrap_or(0);
        async move { Ok(total) }.boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn resume(last_id: Option<&str>, newcomer: Newcomer) -> Resume {
        Resume {
            last_id: last_id.map(str::to_owned),
            newcomer,
        }
    }

    async fn feed_with(store: &MemoryStore, key: &FeedKey, n: usize) {
        store.create(key).await.unwrap();
        for i in 1..=n {
            store
                .append(key, Entry::new("message", format!("e{i}")))
                .await
                .unwrap();
        }
    }

    /// The ids of the items available now (a following stream waits after them).
    async fn ids_now(follow: Follow) -> Vec<String> {
        let Follow::Live(mut items) = follow else {
            panic!("expected a live stream");
        };
        let mut out = Vec::new();
        while let Some(Some(item)) = items.next().now_or_never() {
            match item.unwrap() {
                Item::Event { id, .. } => out.push(id),
                Item::Gap(gap) => out.push(format!("gap {}..{}", gap.last_id, gap.resumes_at)),
                Item::Cut => out.push("cut".into()),
            }
        }
        out
    }

    #[tokio::test]
    async fn resume_sends_the_events_after_the_last_id() {
        let store = MemoryStore::default();
        let key = FeedKey::new("t", "a");
        feed_with(&store, &key, 4).await;
        let from_3 = store.follow(&key, resume(Some("3"), Newcomer::Oldest));
        assert_eq!(ids_now(from_3.await.unwrap()).await, ["4"]);
        let newcomer = store.follow(&key, resume(None, Newcomer::Oldest));
        assert_eq!(ids_now(newcomer.await.unwrap()).await, ["1", "2", "3", "4"]);
        let live = store.follow(&key, resume(Some("junk"), Newcomer::Live));
        assert!(ids_now(live.await.unwrap()).await.is_empty());
        let future = store.follow(&key, resume(Some("99"), Newcomer::Oldest));
        assert!(ids_now(future.await.unwrap()).await.is_empty());
    }

    #[tokio::test]
    async fn a_trimmed_id_gets_a_gap_then_the_oldest_event_kept() {
        let store = MemoryStore::default();
        let key = FeedKey::new("t", "a").keeping(3);
        feed_with(&store, &key, 6).await; // keeps 4, 5, 6
        let follow = store.follow(&key, resume(Some("1"), Newcomer::Live));
        assert_eq!(
            ids_now(follow.await.unwrap()).await,
            ["gap 1..4", "4", "5", "6"]
        );
        let kept = store.follow(&key, resume(Some("3"), Newcomer::Live));
        assert_eq!(ids_now(kept.await.unwrap()).await, ["4", "5", "6"]);
    }

    #[tokio::test]
    async fn a_finished_feed_is_complete_for_a_client_that_has_it_all() {
        let store = MemoryStore::default();
        let key = FeedKey::new("t", "a");
        feed_with(&store, &key, 2).await;
        store.finish(&key).await.unwrap();
        let all = store.follow(&key, resume(Some("2"), Newcomer::Oldest));
        assert!(matches!(all.await.unwrap(), Follow::Complete));
        let Follow::Live(items) = store
            .follow(&key, resume(Some("1"), Newcomer::Oldest))
            .await
            .unwrap()
        else {
            panic!("one event is left");
        };
        assert_eq!(items.count().await, 1, "the stream ends after it");
    }

    #[tokio::test]
    async fn cut_reaches_the_followers_and_counts_them() {
        let store = MemoryStore::default();
        let key = FeedKey::new("t", "a");
        feed_with(&store, &key, 0).await;
        let follow = store.follow(&key, resume(None, Newcomer::Live));
        let follow = follow.await.unwrap();
        assert_eq!(store.cut(&key).await.unwrap(), Some(1));
        assert_eq!(ids_now(follow).await, ["cut"]);
    }

    #[tokio::test]
    async fn each_scope_keeps_its_newest_feeds() {
        let store = MemoryStore::default();
        let first = FeedKey::new("jobs", "0");
        store.create(&first).await.unwrap();
        store.create(&FeedKey::new("other", "x")).await.unwrap();
        for i in 1..FEEDS_PER_SCOPE {
            store
                .create(&FeedKey::new("jobs", &i.to_string()))
                .await
                .unwrap();
        }
        assert!(store.exists(&first).await.unwrap());
        store.create(&FeedKey::new("jobs", "new")).await.unwrap();
        assert!(!store.exists(&first).await.unwrap());
        assert!(matches!(
            store.append(&first, Entry::new("message", "late")).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.exists(&FeedKey::new("other", "x")).await.unwrap());
    }
}
