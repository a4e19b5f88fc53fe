//! `/ping`: the publish/subscribe pair behind `make bench`'s latency
//! workload. A page holds `GET /ping/stream?channel=C` open, then times
//! `POST /ping/send?channel=C&seq=N` until its handler sees event `N`;
//! `POST /ping/echo` is the bare HTTP round trip to compare against.
//!
//! Each channel is a tokio broadcast channel, created by its first stream
//! and forgotten when its last stream goes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::params::BadRequest;
use crate::sse::{event, stream_response, Gone, Writer};
use crate::stats::{AppState, Ctx};

/// Messages a stream may fall behind by before it misses some. The latency
/// workload waits for each ping before it sends the next, so one would do.
const CHANNEL_CAPACITY: usize = 16;

/// The first bytes of every stream: a comment line.
const OPENING: &str = ":\n";

/// Every channel by name, shared by the handlers.
#[derive(Clone, Default)]
pub struct PingHub(Arc<Mutex<HashMap<String, broadcast::Sender<Bytes>>>>);

impl PingHub {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, broadcast::Sender<Bytes>>> {
        // A panic while holding the lock leaves a map of senders, which is
        // as good as before: keep serving.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A receiver of everything published on `channel` from now on,
    /// creating the channel if this is its first stream.
    fn subscribe(&self, channel: &str) -> broadcast::Receiver<Bytes> {
        self.lock()
            .entry(channel.to_owned())
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Queues `message` for every stream of `channel`; returns how many it
    /// reached (0 when the channel has no stream).
    fn publish(&self, channel: &str, message: Bytes) -> usize {
        self.lock()
            .get(channel)
            .and_then(|tx| tx.send(message).ok())
            .unwrap_or(0)
    }

    /// Forgets `channel` if no stream listens to it any more. Checked under
    /// the lock that `subscribe` takes, so a stream arriving meanwhile
    /// keeps the channel alive.
    fn release(&self, channel: &str) {
        let mut channels = self.lock();
        if channels
            .get(channel)
            .is_some_and(|tx| tx.receiver_count() == 0)
        {
            channels.remove(channel);
        }
    }
}

/// The event for ping `seq`: `id: seq` and `data: seq`, so a client's
/// handler can check both.
fn ping_event(seq: u64) -> Bytes {
    let seq = seq.to_string();
    Bytes::from(event(None, Some(&seq), &seq))
}

/// The `channel=` parameter, which every `/ping` stream and send needs.
fn channel(ctx: &Ctx) -> Result<String, BadRequest> {
    match ctx.params.get("channel") {
        Some(name) if !name.is_empty() => Ok(name.to_owned()),
        _ => Err(BadRequest("channel= is required".to_owned())),
    }
}

/// `GET /ping/stream?channel=C`: an event stream of a `:` comment line,
/// then everything published on channel `C` while it is open, each event
/// in its own body frame.
pub async fn stream(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Extension(hub): Extension<PingHub>,
) -> Result<Response, BadRequest> {
    let channel = channel(&ctx)?;
    // Subscribed before the response leaves: a page may publish as soon as
    // it sees the stream open, and that ping must not be lost.
    let mut rx = hub.subscribe(&channel);
    stream_response(&state, &ctx, "text/event-stream", move |w| async move {
        let _gone = relay(&mut rx, &w).await;
        drop(rx);
        hub.release(&channel);
    })
}

/// Writes a comment line, then every message of `rx` to `w` until the
/// client goes.
async fn relay(rx: &mut broadcast::Receiver<Bytes>, w: &Writer) -> Gone {
    // Firefox holds a response back, from fetch() and EventSource alike,
    // until its first body bytes: without them the page would never see
    // the stream open. A comment dispatches nothing (no blank line either).
    if let Err(gone) = w.send(OPENING).await {
        return gone;
    }
    loop {
        tokio::select! {
            message = rx.recv() => match message {
                Ok(bytes) => {
                    if let Err(gone) = w.send(bytes).await {
                        return gone;
                    }
                }
                // Too far behind: the missed pings never come, and the
                // page, waiting for one of them, fails with a timeout.
                Err(RecvError::Lagged(_)) => {}
                // The hub keeps the sender while any receiver lives, so
                // this cannot happen; ending the stream is the honest answer.
                Err(RecvError::Closed) => return Gone,
            },
            () = w.closed() => return Gone,
        }
    }
}

/// `POST /ping/send?channel=C&seq=N`: publishes `id: N` / `data: N` to
/// the streams of channel `C`, then answers `204` with
/// `X-Ping-Receivers`: how many streams it reached.
pub async fn send(
    Extension(ctx): Extension<Ctx>,
    Extension(hub): Extension<PingHub>,
) -> Result<Response, BadRequest> {
    let channel = channel(&ctx)?;
    let seq = ctx
        .params
        .num("seq")?
        .ok_or_else(|| BadRequest("seq= is required".to_owned()))?;
    let reached = hub.publish(&channel, ping_event(seq));
    Ok((
        StatusCode::NO_CONTENT,
        [("x-ping-receivers", reached.to_string())],
    )
        .into_response())
}

/// `POST /ping/echo`: `204` at once, the round trip a ping cannot beat.
pub async fn echo() -> StatusCode {
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ping_carries_its_number_as_id_and_data() {
        assert_eq!(ping_event(42), "id: 42\ndata: 42\n\n");
    }

    #[test]
    fn channels_reach_their_own_streams_and_go_with_the_last_one() {
        let hub = PingHub::default();
        assert_eq!(hub.publish("a", ping_event(1)), 0, "no stream yet");

        let mut a1 = hub.subscribe("a");
        let a2 = hub.subscribe("a");
        let mut b = hub.subscribe("b");
        assert_eq!(hub.publish("a", ping_event(2)), 2);
        assert_eq!(a1.try_recv().unwrap(), ping_event(2));
        assert!(b.try_recv().is_err(), "another channel hears nothing");

        drop(a1);
        hub.release("a");
        assert_eq!(hub.publish("a", ping_event(3)), 1, "one stream left");
        drop(a2);
        hub.release("a");
        assert!(!hub.lock().contains_key("a"));
        assert!(hub.lock().contains_key("b"));
    }
}
