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

/// Size of every body frame of `/bulk` but the last: large frames, as a
/// busy production stream would arrive, so per-frame costs stay out of the
/// way. Frames are cut at exactly this size, so events (and, for `cjk`, UTF-8
/// characters) straddle frame boundaries as they do on a real network.
const FRAME_BYTES: usize = 64 * 1024;

/// Bytes of `x` in the `blob` of a `large` event: with the rest of the
/// JSON, one data line of about 8 KiB.
const LARGE_BLOB: usize = 8 * 1024 - 32;

/// What each event of `/bulk` looks like (`shape=`): the workloads of
/// `make bench`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// `data: {"n":i}`: no id, no type, the smallest event (the default).
    Tiny,
    /// `id: i`, `event: tick` and about 60 bytes of ASCII JSON.
    Ids,
    /// As `Ids`, but the message is 20 CJK characters (3 bytes each in UTF-8).
    Cjk,
    /// `id: i`, `event: tick` and one data line of about 8 KiB of JSON.
    Large,
    /// `id: i`, `event: tick` and a JSON object pretty-printed over five
    /// `data:` lines (the data joins them with `\n`).
    Multiline,
}

impl Shape {
    fn parse(name: Option<&str>) -> Result<Self, BadRequest> {
        Ok(match name {
            None | Some("tiny") => Shape::Tiny,
            Some("ids") => Shape::Ids,
            Some("cjk") => Shape::Cjk,
            Some("large") => Shape::Large,
            Some("multiline") => Shape::Multiline,
            Some(other) => return Err(BadRequest(format!("unknown shape {other:?}"))),
        })
    }

    /// The event type when `event=` does not set one (`None`: no `event:`
    /// line, so the type is `message`).
    fn default_event(self) -> Option<&'static str> {
        match self {
            Shape::Tiny => None,
            _ => Some("tick"),
        }
    }

    /// Appends event `i`, with an `event: {event}` line if `event` is set.
    fn write(self, i: u64, event: Option<&str>, out: &mut Vec<u8>) {
        use std::io::Write;
        // Writing to a `Vec` cannot fail, so the `io::Result`s are dropped.
        if self != Shape::Tiny {
            let _ = writeln!(out, "id: {i}");
        }
        if let Some(event) = event {
            let _ = writeln!(out, "event: {event}");
        }
        let _ = match self {
            Shape::Tiny => writeln!(out, "data: {{\"n\":{i}}}"),
            Shape::Ids => writeln!(
                out,
                "data: {{\"seq\":{i},\"msg\":\"hello world payload {i}, status: ok\"}}"
            ),
            Shape::Cjk => writeln!(
                out,
                "data: {{\"seq\":{i},\"msg\":\"用户上传了报告文件第{i}份已完成处理，请查收\"}}"
            ),
            Shape::Large => {
                let _ = write!(out, "data: {{\"seq\":{i},\"blob\":\"");
                out.resize(out.len() + LARGE_BLOB, b'x');
                writeln!(out, "\"}}")
            }
            Shape::Multiline => writeln!(
                out,
                "data: {{\ndata:   \"seq\": {i},\ndata:   \"msg\": \"hello world payload {i}\",\n\
                 data:   \"ok\": true\ndata: }}"
            ),
        };
        // The blank line that dispatches the event.
        out.push(b'\n');
    }
}

/// `/bulk?count=N&shape=SHAPE&event=NAME`: N events of the given [`Shape`]
/// (default `tiny`), written in 64 KiB frames, then the end of the body.
/// `event=` overrides the shape's event type.
pub async fn bulk(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, BadRequest> {
    let count: u64 = ctx.params.num_or("count", 100_000)?;
    let shape = Shape::parse(ctx.params.get("shape"))?;
    let event = ctx
        .params
        .get("event")
        .or(shape.default_event())
        .map(str::to_owned);
    stream_response(&state, &ctx, "text/event-stream", move |w| async move {
        // Room for a full frame plus the event that overflows it.
        let capacity = FRAME_BYTES + LARGE_BLOB + 1024;
        let mut frame = Vec::with_capacity(capacity);
        for i in 0..count {
            shape.write(i, event.as_deref(), &mut frame);
            if frame.len() >= FRAME_BYTES {
                let mut next = Vec::with_capacity(capacity);
                next.extend_from_slice(&frame[FRAME_BYTES..]);
                frame.truncate(FRAME_BYTES);
                if w.send(std::mem::replace(&mut frame, next)).await.is_err() {
                    return;
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Event `i` of `shape` with its default type, as text.
    fn event(shape: Shape, i: u64) -> String {
        let mut out = Vec::new();
        shape.write(i, shape.default_event(), &mut out);
        String::from_utf8(out).unwrap()
    }

    /// The data of one event: its `data:` lines joined with `\n`.
    fn data(event: &str) -> String {
        let lines: Vec<_> = event
            .lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .collect();
        lines.join("\n")
    }

    #[test]
    fn tiny_is_the_historical_output() {
        assert_eq!(Shape::parse(None).unwrap(), Shape::Tiny);
        assert_eq!(event(Shape::Tiny, 7), "data: {\"n\":7}\n\n");
        let mut out = Vec::new();
        Shape::Tiny.write(7, Some("x"), &mut out);
        assert_eq!(out, b"event: x\ndata: {\"n\":7}\n\n");
    }

    #[test]
    fn shapes_have_the_documented_sizes() {
        let i = 12_345;
        for shape in [Shape::Ids, Shape::Cjk, Shape::Large, Shape::Multiline] {
            let e = event(shape, i);
            assert!(e.starts_with("id: 12345\nevent: tick\ndata: "), "{e}");
            assert!(e.ends_with("\n\n") && !e[..e.len() - 2].contains("\n\n"));
        }
        assert!((55..=65).contains(&data(&event(Shape::Ids, i)).len()));
        let cjk = data(&event(Shape::Cjk, i));
        assert_eq!(cjk.chars().filter(|c| c.len_utf8() == 3).count(), 20);
        assert!((8000..=8192).contains(&data(&event(Shape::Large, i)).len()));
        let multiline = event(Shape::Multiline, i);
        assert_eq!(multiline.matches("data: ").count(), 5);
        assert!(data(&multiline).contains("\"seq\": 12345,"));
        assert!(Shape::parse(Some("huge")).is_err());
    }
}
