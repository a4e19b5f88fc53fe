//! The behaviour both stores promise, checked on each: the memory store
//! always, the Redis store against a real `redis-server` started on a free
//! port for each test (skipped, saying so, where none is installed; `make
//! deps` installs Debian's).
//!
//! Ids differ by store (`1, 2, 3` or `1718000000000-0`), so the checks
//! compare the data of what comes out with the ids that `append` returned.

use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use super::*;

/// How long a test waits for an item that should come.
const PATIENCE: Duration = Duration::from_secs(5);
/// How long nothing must come for "nothing more" to hold.
const QUIET: Duration = Duration::from_millis(300);

fn resume(last_id: Option<&str>, newcomer: Newcomer) -> Resume {
    Resume {
        last_id: last_id.map(str::to_owned),
        newcomer,
    }
}

/// An item as the checks compare it: `e3` for the event with data `e3`,
/// `gap <last>..<resumes at>`, or `cut`.
fn show(item: Item) -> String {
    match item {
        Item::Event { entry, .. } => entry.data,
        Item::Gap(gap) => format!("gap {}..{}", gap.last_id, gap.resumes_at),
        Item::Cut => "cut".to_owned(),
    }
}

/// A follower's items, taken one by one in a test.
struct Taker(Items);

impl Taker {
    async fn open(store: &dyn Store, feed: &FeedKey, resume: Resume) -> Taker {
        match store.follow(feed, resume).await.expect("follow") {
            Follow::Live(items) => Taker(items),
            Follow::Complete => panic!("expected a live stream, got Complete"),
        }
    }

    /// The next `n` items, which must come.
    async fn take(&mut self, n: usize) -> Vec<String> {
        let mut out = Vec::new();
        for _ in 0..n {
            let item = tokio::time::timeout(PATIENCE, self.0.next()).await;
            let item = item.unwrap_or_else(|_| panic!("no item after {out:?}"));
            out.push(show(item.expect("the stream ended").expect("an item")));
        }
        out
    }

    /// Whether no item comes for a while (`Some(item)` if one does).
    async fn quiet(&mut self) -> Option<String> {
        match tokio::time::timeout(QUIET, self.0.next()).await {
            Err(_) => None,
            Ok(None) => Some("the end of the stream".to_owned()),
            Ok(Some(item)) => Some(show(item.expect("an item"))),
        }
    }

    /// Whether the stream ends.
    async fn ends(&mut self) -> bool {
        matches!(
            tokio::time::timeout(PATIENCE, self.0.next()).await,
            Ok(None)
        )
    }
}

/// A feed named after the test, with `n` events `e1`..`en`; their ids.
async fn feed_with(store: &dyn Store, feed: &FeedKey, n: usize) -> Vec<String> {
    store.create(feed).await.unwrap();
    let mut ids = Vec::new();
    for i in 1..=n {
        ids.push(
            store
                .append(feed, Entry::new("message", format!("e{i}")))
                .await
                .unwrap(),
        );
    }
    ids
}

async fn resume_sends_exactly_the_events_after_the_last_id(store: &dyn Store) {
    let feed = FeedKey::new("conformance", "resume");
    let ids = feed_with(store, &feed, 4).await;
    let mut after_3 = Taker::open(store, &feed, resume(Some(&ids[2]), Newcomer::Live)).await;
    assert_eq!(after_3.take(1).await, ["e4"]);
    let mut everything = Taker::open(store, &feed, resume(None, Newcomer::Oldest)).await;
    assert_eq!(everything.take(4).await, ["e1", "e2", "e3", "e4"]);
    let mut live = Taker::open(store, &feed, resume(Some("not an id"), Newcomer::Live)).await;
    assert_eq!(live.quiet().await, None, "an id not ours: only new events");
    let mut future = Taker::open(
        store,
        &feed,
        resume(Some("99999999999999"), Newcomer::Oldest),
    )
    .await;
    assert_eq!(
        future.quiet().await,
        None,
        "an id not issued yet: only new events"
    );

    let id5 = store
        .append(&feed, Entry::new("message", "e5"))
        .await
        .unwrap();
    for taker in [&mut after_3, &mut everything, &mut live, &mut future] {
        assert_eq!(taker.take(1).await, ["e5"], "every follower is woken");
    }
    assert!(
        ids.iter().all(|id| *id < id5 || id.len() < id5.len()),
        "ids grow"
    );
}

async fn a_finished_feed_ends_and_answers_complete_to_a_client_that_has_it_all(store: &dyn Store) {
    let feed = FeedKey::new("conformance", "finish");
    let ids = feed_with(store, &feed, 2).await;
    let mut live = Taker::open(store, &feed, resume(Some(&ids[1]), Newcomer::Oldest)).await;
    store.finish(&feed).await.unwrap();
    assert!(live.ends().await, "a follower at the end stops");
    let all = store.follow(&feed, resume(Some(&ids[1]), Newcomer::Oldest));
    assert!(matches!(all.await.unwrap(), Follow::Complete));
    let mut one_left = Taker::open(store, &feed, resume(Some(&ids[0]), Newcomer::Oldest)).await;
    assert_eq!(one_left.take(1).await, ["e2"]);
    assert!(one_left.ends().await);
}

async fn cut_reaches_the_live_followers_only(store: &dyn Store) {
    let feed = FeedKey::new("conformance", "cut");
    feed_with(store, &feed, 1).await;
    let mut live = Taker::open(store, &feed, resume(None, Newcomer::Oldest)).await;
    assert_eq!(live.take(1).await, ["e1"]);
    let count = store.cut(&feed).await.unwrap();
    assert!(matches!(count, None | Some(1)), "{count:?}");
    assert_eq!(live.take(1).await, ["cut"]);
    // A follower that comes after the cut is not cut by it.
    let mut later = Taker::open(store, &feed, resume(None, Newcomer::Oldest)).await;
    assert_eq!(later.take(1).await, ["e1"]);
    assert_eq!(later.quiet().await, None);
}

async fn a_trimmed_id_gets_a_gap_then_the_oldest_event_kept(store: &dyn Store) {
    // The Redis store trims with `MAXLEN ~`, by whole nodes of 100 entries:
    // enough events that some surely go.
    let feed = FeedKey::new("conformance", "gap").keeping(100);
    let ids = feed_with(store, &feed, 1).await;
    let mut lagging = Taker::open(store, &feed, resume(None, Newcomer::Oldest)).await;
    assert_eq!(lagging.take(1).await, ["e1"]);
    let mut ids_after = Vec::new();
    for i in 2..=301 {
        let entry = Entry::new("message", format!("e{i}"));
        ids_after.push(store.append(&feed, entry).await.unwrap());
    }
    let kept = store.history(&feed).await.unwrap();
    assert!(kept.len() >= 100 && kept.len() < 300, "kept {}", kept.len());
    let oldest = &kept[0].data;
    let oldest_id = &ids_after[oldest[1..].parse::<usize>().unwrap() - 2];
    let expected_gap = format!("gap {}..{oldest_id}", ids[0]);

    // A client that comes back with a trimmed id...
    let mut back = Taker::open(store, &feed, resume(Some(&ids[0]), Newcomer::Oldest)).await;
    assert_eq!(back.take(2).await, [expected_gap.clone(), oldest.clone()]);
    // ...and a follower that lagged behind the trimming, alike.
    assert_eq!(lagging.take(2).await, [expected_gap, oldest.clone()]);
    // An id still kept: no gap.
    let mut fine = Taker::open(store, &feed, resume(Some(oldest_id), Newcomer::Oldest)).await;
    let next = format!("e{}", oldest[1..].parse::<usize>().unwrap() + 1);
    assert_eq!(fine.take(1).await, [next]);
}

async fn history_files_and_counters(store: &dyn Store) {
    let feed = FeedKey::new("conformance", "misc");
    let missing = FeedKey::new("conformance", "missing");
    assert!(!store.exists(&missing).await.unwrap());
    assert!(matches!(
        store.history(&missing).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.append(&missing, Entry::new("message", "x")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.follow(&missing, resume(None, Newcomer::Oldest)).await,
        Err(StoreError::NotFound)
    ));

    feed_with(store, &feed, 0).await;
    assert!(store.exists(&feed).await.unwrap());
    store
        .append(&feed, Entry::new("progress", "{\"percent\":40}"))
        .await
        .unwrap();
    store.cut(&feed).await.unwrap();
    store
        .append(&feed, Entry::new("done", "line 1\nline 2"))
        .await
        .unwrap();
    assert_eq!(
        store.history(&feed).await.unwrap(),
        [
            Entry::new("progress", "{\"percent\":40}"),
            Entry::new("done", "line 1\nline 2")
        ],
        "events only, in order, types and data kept"
    );

    let png = File {
        content_type: "image/png".to_owned(),
        bytes: Bytes::from_static(b"\x89PNG\r\n\x1a\n\0\xff"),
    };
    store.put_file(&feed, 1, png.clone()).await.unwrap();
    assert_eq!(store.file(&feed, 1).await.unwrap(), Some(png));
    assert_eq!(store.file(&feed, 2).await.unwrap(), None);

    for n in 1..=3 {
        assert_eq!(store.next_number("conformance:a").await.unwrap(), n);
    }
    assert_eq!(store.next_number("conformance:b").await.unwrap(), 1);

    store
        .set_gauge("conformance", 2, Duration::from_secs(60))
        .await
        .unwrap();
    store
        .set_gauge("conformance", 3, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        store.gauge_total("conformance").await.unwrap(),
        3,
        "an instance's newest value"
    );
    assert!(store
        .lead("conformance", Duration::from_secs(60))
        .await
        .unwrap());
    assert!(
        store
            .lead("conformance", Duration::from_secs(60))
            .await
            .unwrap(),
        "renewed"
    );
}

/// Runs each check as a test of its own, on each store.
macro_rules! on_each_store {
    ($($check:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $check() {
                    super::$check(&crate::store::MemoryStore::default()).await;
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test]
                async fn $check() {
                    super::with_redis(|store| async move { super::$check(&store).await }).await;
                }
            )*
        }
    };
}

on_each_store!(
    resume_sends_exactly_the_events_after_the_last_id,
    a_finished_feed_ends_and_answers_complete_to_a_client_that_has_it_all,
    cut_reaches_the_live_followers_only,
    a_trimmed_id_gets_a_gap_then_the_oldest_event_kept,
    history_files_and_counters,
);

/// What only several instances sharing one Redis show.
mod instances {
    use super::*;

    #[tokio::test]
    async fn one_instance_leads_at_a_time_and_another_takes_over_when_its_lease_ends() {
        let Some((_redis, a, b)) = two_instances().await else {
            return;
        };
        let ttl = Duration::from_millis(300);
        assert!(a.lead("ticker", ttl).await.unwrap());
        assert!(!b.lead("ticker", ttl).await.unwrap());
        assert!(a.lead("ticker", ttl).await.unwrap(), "the holder renews it");
        tokio::time::sleep(ttl + Duration::from_millis(100)).await;
        assert!(
            b.lead("ticker", ttl).await.unwrap(),
            "a stopped renewing: b takes it"
        );
        assert!(!a.lead("ticker", ttl).await.unwrap());
    }

    #[tokio::test]
    async fn gauges_add_up_across_instances_until_one_stops_publishing() {
        let Some((_redis, a, b)) = two_instances().await else {
            return;
        };
        a.set_gauge("open", 2, Duration::from_millis(300))
            .await
            .unwrap();
        b.set_gauge("open", 3, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(a.gauge_total("open").await.unwrap(), 5);
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(b.gauge_total("open").await.unwrap(), 3, "a's count expired");
    }

    #[tokio::test]
    async fn an_event_appended_through_one_instance_reaches_a_follower_of_another() {
        let Some((_redis, a, b)) = two_instances().await else {
            return;
        };
        let feed = FeedKey::new("conformance", "instances");
        let ids = feed_with(&a, &feed, 1).await;
        let mut on_b = Taker::open(&b, &feed, resume(Some(&ids[0]), Newcomer::Oldest)).await;
        a.append(&feed, Entry::new("message", "from a"))
            .await
            .unwrap();
        assert_eq!(on_b.take(1).await, ["from a"]);
        a.cut(&feed).await.unwrap();
        assert_eq!(
            on_b.take(1).await,
            ["cut"],
            "a cut through a reaches b's followers"
        );
    }
}

/// A fresh `redis-server` and the stores of two instances, `a` and `b`,
/// sharing it (`None`, after saying so, without redis-server).
async fn two_instances() -> Option<(TestRedis, RedisStore, RedisStore)> {
    let redis = TestRedis::start()?;
    let a = redis.store("a").await;
    let b = redis.store("b").await;
    Some((redis, a, b))
}

/// Runs `check` on a Redis store of a fresh `redis-server`, or says why not.
async fn with_redis<F, Fut>(check: F)
where
    F: FnOnce(RedisStore) -> Fut,
    Fut: Future<Output = ()>,
{
    if let Some(redis) = TestRedis::start() {
        check(redis.store("test").await).await;
    }
}

/// A `redis-server` of a test's own, on a free loopback port, in a temporary
/// directory; stopped and removed on drop.
struct TestRedis {
    child: Child,
    dir: PathBuf,
    url: String,
}

impl TestRedis {
    /// `None`, after saying so, if `redis-server` is not installed.
    fn start() -> Option<TestRedis> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir =
            std::env::temp_dir().join(format!("sse-demo-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let spawned = Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("SKIPPED: redis-server is not installed (make deps installs Debian's); the Redis store is not tested here");
                let _ = std::fs::remove_dir_all(&dir);
                return None;
            }
            Err(e) => panic!("cannot start redis-server: {e}"),
        };
        let redis = TestRedis {
            child,
            dir,
            url: format!("redis://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(redis)
    }

    /// A store on this Redis, as the instance `instance`.
    async fn store(&self, instance: &str) -> RedisStore {
        RedisStore::connect(&self.url, instance)
            .await
            .expect("connect to the test Redis")
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
