//! What `make bench` needs from the server: a bulk stream fast enough that
//! the server is never the bottleneck, the benchmark page and the packages
//! it loads (same origin, so no CORS preflight skews a transport), and a
//! sink for the page's results.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use crate::params::BadRequest;
use crate::sse::stream_response;
use crate::stats::{AppState, Ctx};

/// Where static files come from and where results go (both optional).
#[derive(Clone, Debug, Default)]
pub struct BenchConfig {
    /// Files under this directory are served at `/static/...`.
    pub static_root: Option<PathBuf>,
    /// `POST /report` bodies are appended here, one per line.
    pub report_file: Option<PathBuf>,
}

/// Target size of one body frame of `/bulk`: large frames, as a busy
/// production stream would arrive, so per-frame costs stay out of the way.
const FRAME_BYTES: usize = 64 * 1024;

/// `/bulk?count=N&event=NAME`: N small events `data: {"n":i}`, written in
/// 64 KiB frames, then the end of the body.
pub async fn bulk(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, BadRequest> {
    let count: u64 = ctx.params.num_or("count", 100_000)?;
    let event = ctx
        .params
        .get("event")
        .map(|name| format!("event: {name}\n"));
    stream_response(&state, &ctx, "text/event-stream", move |w| async move {
        let mut frame = String::with_capacity(FRAME_BYTES + 64);
        for i in 0..count {
            if let Some(event) = &event {
                frame.push_str(event);
            }
            frame.push_str("data: {\"n\":");
            frame.push_str(&i.to_string());
            frame.push_str("}\n\n");
            if frame.len() >= FRAME_BYTES {
                if w.send(std::mem::take(&mut frame)).await.is_err() {
                    return;
                }
                frame.reserve(FRAME_BYTES + 64);
            }
        }
        if !frame.is_empty() {
            let _ = w.send(frame).await;
        }
    })
}

/// `GET /static/*path`: a file under the static root.
pub async fn static_file(
    Extension(config): Extension<Arc<BenchConfig>>,
    UrlPath(path): UrlPath<String>,
) -> Response {
    let Some(root) = &config.static_root else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let relative = Path::new(&path);
    // Only plain names: no `..`, no absolute paths.
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return StatusCode::FORBIDDEN.into_response();
    }
    match std::fs::read(root.join(relative)) {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type(relative))], bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs" | "cjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json" | "map") => "application/json",
        Some("css") => "text/css",
        _ => "application/octet-stream",
    }
}

/// `POST /report`: appends the body (one JSON line) to the report file.
pub async fn report(Extension(config): Extension<Arc<BenchConfig>>, body: Bytes) -> StatusCode {
    let Some(path) = &config.report_file else {
        return StatusCode::NOT_FOUND;
    };
    let mut line = body.to_vec();
    line.push(b'\n');
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| std::io::Write::write_all(&mut file, &line));
    match written {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
