//! Hostile streams: `/flood`, one byte repeated far past any sane event
//! size, for the client's memory cap (`maxEventSize`).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;

use crate::params::BadRequest;
use crate::sse::stream_response;
use crate::stats::{AppState, Ctx};

/// Size of every body frame of a flood but the last: the size real networks
/// deliver, so the client sees many reads, not one huge one.
const FRAME_BYTES: usize = 64 * 1024;

/// `/flood`: `bytes=N` (default 1 MiB) copies of the byte `byte=HEX`
/// (default `78`, `x`) with no line end, in 64 KiB frames, then the text
/// `then=TEXT`; the flood and `then` are sent `repeat=K` times (default 1).
/// Only the first `floods=D` requests of this tag to `/flood` flood (default:
/// all); later ones send just `then`, `repeat` times. Then a clean end, or
/// with `hold=1` silence until the client goes.
///
/// The frames share one buffer, so a 200 MB flood costs the server 64 KiB.
pub async fn flood(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, BadRequest> {
    let p = &ctx.params;
    let bytes: u64 = p.num_or("bytes", 1 << 20)?;
    let byte = match p.get("byte") {
        None => b'x',
        Some(hex) if hex.len() == 2 => u8::from_str_radix(hex, 16)
            .map_err(|_| BadRequest(format!("invalid hex byte={hex:?}")))?,
        Some(hex) => return Err(BadRequest(format!("invalid hex byte={hex:?}"))),
    };
    let then = Bytes::from(p.get("then").unwrap_or("").to_owned());
    let repeat: u64 = p.num_or("repeat", 1)?;
    let floods: Option<u64> = p.num("floods")?;
    let flooding = floods.map_or(true, |d| ctx.path_requests <= d);
    let hold = p.flag("hold");
    stream_response(&state, &ctx, "text/event-stream", move |w| async move {
        let frame = Bytes::from(vec![byte; FRAME_BYTES]);
        for _ in 0..repeat {
            let mut left = if flooding { bytes } else { 0 };
            while left > 0 {
                let n = left.min(FRAME_BYTES as u64) as usize;
                if w.send(frame.slice(..n)).await.is_err() {
                    return;
                }
                left -= n as u64;
            }
            if !then.is_empty() && w.send(then.clone()).await.is_err() {
                return;
            }
        }
        if hold {
            w.hold(Duration::ZERO).await;
        }
    })
}
