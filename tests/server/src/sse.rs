//! Event formatting and the streaming response body.
//!
//! A scenario is a plain async function that writes chunks through a
//! [`Writer`]; each chunk becomes its own HTTP body frame (its own chunk of
//! the chunked encoding), so with a pause in between the browser sees it as a
//! separate read.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use http_body::Frame;
use tokio::sync::mpsc;

use crate::params::BadRequest;
use crate::stats::{AppState, Ctx, OpenGuard};

/// Default pause between keepalive comments while a stream is held open.
pub const DEFAULT_KEEPALIVE_MS: u64 = 100;

/// How long to wait before a scripted abort, so that hyper has written the
/// bytes sent just before it: an error from the body makes hyper drop the
/// connection at once, unflushed output included.
const FLUSH_BEFORE_ABORT: Duration = Duration::from_millis(50);

/// Formats one event: `event:` if named, `id:` if given, one `data:` line per
/// line of `data`, and the blank line that dispatches it.
pub fn event(name: Option<&str>, id: Option<&str>, data: &str) -> String {
    let mut out = String::new();
    if let Some(name) = name {
        out.push_str("event: ");
        out.push_str(name);
        out.push('\n');
    }
    if let Some(id) = id {
        out.push_str("id: ");
        out.push_str(id);
        out.push('\n');
    }
    for line in data.split('\n') {
        out.push_str("data: ");
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
        out.push('\n');
    }
    out.push('\n');
    out
}

/// The response body of a stream: frames come from the scenario task through
/// a channel. It owns the tag's [`OpenGuard`], so `open` falls when hyper
/// drops the body (stream ended, or connection gone).
struct StreamBody {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    _open: OpenGuard,
}

impl http_body::Body for StreamBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<io::Result<Frame<Bytes>>>> {
        // An `Err` item makes hyper abort the connection instead of writing
        // the final empty chunk: that is how `/drop` cuts a stream.
        self.rx
            .poll_recv(cx)
            .map(|item| item.map(|r| r.map(Frame::data)))
    }
}

/// The client closed the connection (hyper dropped the body).
#[derive(Debug)]
pub struct Gone;

/// The scenario's end of a stream.
pub struct Writer {
    tx: mpsc::Sender<io::Result<Bytes>>,
}

impl Writer {
    /// Queues one body frame; waits while the previous one is not yet taken.
    pub async fn send(&self, bytes: impl Into<Bytes>) -> Result<(), Gone> {
        self.tx.send(Ok(bytes.into())).await.map_err(|_| Gone)
    }

    /// Sleeps, returning early with `Gone` if the client goes meanwhile.
    pub async fn pause(&self, d: Duration) -> Result<(), Gone> {
        if d.is_zero() {
            return Ok(());
        }
        tokio::select! {
            () = tokio::time::sleep(d) => Ok(()),
            () = self.tx.closed() => Err(Gone),
        }
    }

    /// Resolves once the client has gone (hyper dropped the body).
    pub async fn closed(&self) {
        self.tx.closed().await;
    }

    /// Keeps the stream open until the client goes. With a non-zero
    /// `keepalive`, writes a `:` comment line that often: writing is what
    /// lets hyper notice a peer that vanished without a clean close. The
    /// comment has no blank line after it, so it can never dispatch an event.
    pub async fn hold(&self, keepalive: Duration) {
        if keepalive.is_zero() {
            self.closed().await;
            return;
        }
        while self.pause(keepalive).await.is_ok() && self.send(":\n").await.is_ok() {}
    }

    /// Cuts the connection abruptly (no terminating chunk).
    pub async fn abort(self) {
        if self.pause(FLUSH_BEFORE_ABORT).await.is_ok() {
            let err = io::Error::new(io::ErrorKind::ConnectionAborted, "scripted drop");
            let _ = self.tx.send(Err(err)).await;
        }
    }
}

/// Builds a streaming 200 response whose body is written by `scenario`, run
/// as its own task. The content type is `default_type` unless the request has
/// `content_type=`. The stream counts as open for the request's tag for as
/// long as the body lives.
pub fn stream_response<F, Fut>(
    state: &AppState,
    ctx: &Ctx,
    default_type: &str,
    scenario: F,
) -> Result<Response, BadRequest>
where
    F: FnOnce(Writer) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let content_type = ctx.params.get("content_type").unwrap_or(default_type);
    let content_type = HeaderValue::from_str(content_type)
        .map_err(|_| BadRequest(format!("invalid content_type {content_type:?}")))?;
    // Capacity 1: the scenario runs at most one frame ahead of the socket,
    // so its pauses really separate the frames on the wire.
    let (tx, rx) = mpsc::channel(1);
    let body = StreamBody {
        rx,
        _open: state.open_guard(&ctx.tag),
    };
    tokio::spawn(scenario(Writer { tx }));
    let mut resp = Response::new(Body::new(body));
    *resp.status_mut() = StatusCode::OK;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_events() {
        assert_eq!(event(None, None, "0"), "data: 0\n\n");
        assert_eq!(
            event(Some("tick"), Some("7"), "a\r\nb"),
            "event: tick\nid: 7\ndata: a\ndata: b\n\n"
        );
    }
}
