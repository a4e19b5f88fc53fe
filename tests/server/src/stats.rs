//! Per-tag statistics: request counts, request records and open streams.
//!
//! Tests running at the same time pick distinct `tag=` values, so each sees
//! only its own requests and streams.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::json;
use crate::params::Params;

/// Largest request body recorded; bigger ones get 413.
const MAX_BODY: usize = 1 << 20;

/// Records kept per tag (the oldest go first); `requests` counts them all.
const MAX_RECORDS: usize = 1000;

/// Paths that report on the server rather than exercise the client: they are
/// not counted, so polling `/stats` does not change what it reports.
const UNRECORDED: &[&str] = &["/stats", "/stream-counter", "/health", "/chaos/log"];

/// Shared server state: the start time and the statistics of every tag.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    start: Instant,
    tags: Mutex<HashMap<String, TagStats>>,
}

/// What the server knows about one tag.
#[derive(Default)]
struct TagStats {
    /// Requests other than preflights and `UNRECORDED` paths.
    requests: u64,
    /// CORS preflight (`OPTIONS`) requests.
    preflights: u64,
    /// Streaming response bodies currently alive.
    open: u64,
    /// Requests per path, for endpoints whose behaviour depends on how
    /// often they were called (`/flaky`, `/drop`).
    per_path: HashMap<String, u64>,
    records: VecDeque<Arc<Record>>,
}

/// One received request, as reported by `/stats` and `/echo`.
#[derive(Debug)]
pub struct Record {
    pub method: String,
    /// Path and query, as sent.
    pub uri: String,
    /// Lowercased names; values decoded as lossy UTF-8 (a browser sends
    /// non-ASCII header values as UTF-8 bytes); repeated headers joined with
    /// ", ". In order of first appearance.
    pub headers: Vec<(String, String)>,
    /// Lossy UTF-8.
    pub body: String,
    /// Milliseconds since the server started.
    pub at_ms: u64,
}

impl Record {
    /// The value of a header, by lowercase name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Appends the headers as a JSON object.
    pub fn push_headers_json(&self, out: &mut String) {
        json::push_str_map(
            out,
            self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
    }

    fn push_json(&self, out: &mut String) {
        out.push('{');
        json::push_key(out, "method");
        json::push_str(out, &self.method);
        out.push(',');
        json::push_key(out, "uri");
        json::push_str(out, &self.uri);
        out.push(',');
        json::push_key(out, "headers");
        self.push_headers_json(out);
        out.push(',');
        json::push_key(out, "body");
        json::push_str(out, &self.body);
        let _ = write!(out, ",\"at_ms\":{}}}", self.at_ms);
    }
}

/// Per-request context that the recording middleware hands to handlers
/// (as a request extension).
#[derive(Clone)]
pub struct Ctx {
    pub tag: String,
    pub params: Arc<Params>,
    pub record: Arc<Record>,
    /// Raw query string ("" if none).
    pub query: String,
    /// Requests for this tag so far, this one included.
    pub requests: u64,
    /// Requests for this tag *and this path* so far, this one included.
    pub path_requests: u64,
}

/// Keeps a tag's `open` count raised while alive. A streaming body owns one,
/// so the count drops exactly when hyper drops the body: when the response
/// ended, or when the connection died.
pub struct OpenGuard {
    state: AppState,
    tag: String,
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        let mut tags = self.state.lock();
        if let Some(t) = tags.get_mut(&self.tag) {
            t.open = t.open.saturating_sub(1);
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

impl AppState {
    pub fn new() -> Self {
        AppState(Arc::new(Inner {
            start: Instant::now(),
            tags: Mutex::default(),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, TagStats>> {
        // A panic while holding the lock cannot leave the counters in a
        // state worse than stale, so keep serving.
        self.0.tags.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a CORS preflight.
    pub fn count_preflight(&self, tag: &str) {
        self.lock().entry(tag.to_owned()).or_default().preflights += 1;
    }

    /// Marks one more stream of `tag` open until the guard is dropped.
    pub fn open_guard(&self, tag: &str) -> OpenGuard {
        self.lock().entry(tag.to_owned()).or_default().open += 1;
        OpenGuard {
            state: self.clone(),
            tag: tag.to_owned(),
        }
    }

    /// Stores a request record and returns the handler context.
    fn record(&self, path: &str, params: Params, query: String, record: Record) -> Ctx {
        let tag = params.tag().to_owned();
        let record = Arc::new(record);
        let mut tags = self.lock();
        let t = tags.entry(tag.clone()).or_default();
        t.requests += 1;
        let path_requests = {
            let n = t.per_path.entry(path.to_owned()).or_default();
            *n += 1;
            *n
        };
        if t.records.len() == MAX_RECORDS {
            t.records.pop_front();
        }
        t.records.push_back(record.clone());
        Ctx {
            tag,
            params: Arc::new(params),
            record,
            query,
            requests: t.requests,
            path_requests,
        }
    }

    /// `/stats` JSON for a tag (zeros and no records for an unknown tag).
    fn stats_json(&self, tag: &str) -> String {
        let tags = self.lock();
        let mut out = String::new();
        let (requests, preflights, open) = tags
            .get(tag)
            .map_or((0, 0, 0), |t| (t.requests, t.preflights, t.open));
        let _ = write!(
            out,
            "{{\"requests\":{requests},\"preflights\":{preflights},\"open\":{open},\"records\":["
        );
        for (i, r) in tags
            .get(tag)
            .into_iter()
            .flat_map(|t| &t.records)
            .enumerate()
        {
            if i > 0 {
                out.push(',');
            }
            r.push_json(&mut out);
        }
        out.push_str("]}");
        out
    }

    fn open_count(&self, tag: &str) -> u64 {
        self.lock().get(tag).map_or(0, |t| t.open)
    }
}

/// Middleware: records every scenario request (body included) under its tag,
/// passes a [`Ctx`] to the handler and adds `X-Request-Count` to the answer.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if req.method() == Method::OPTIONS || UNRECORDED.contains(&path.as_str()) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let query = parts.uri.query().unwrap_or("").to_owned();
    let record = Record {
        method: parts.method.to_string(),
        uri: parts
            .uri
            .path_and_query()
            .map_or(path.clone(), |pq| pq.to_string()),
        headers: header_list(&parts.headers),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        at_ms: u64::try_from(state.0.start.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    let ctx = state.record(&path, Params::parse(Some(&query)), query, record);
    let count = ctx.requests;
    parts.extensions.insert(ctx);
    let mut resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    resp.headers_mut()
        .insert("x-request-count", HeaderValue::from(count));
    resp
}

/// Headers as (lowercase name, lossy UTF-8 value), repeated names joined.
fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        match out.iter_mut().find(|(k, _)| k == name.as_str()) {
            Some((_, v)) => {
                v.push_str(", ");
                v.push_str(&value);
            }
            None => out.push((name.as_str().to_owned(), value.into_owned())),
        }
    }
    out
}

fn json_response(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// `GET /stats?tag=T`.
pub async fn stats(State(state): State<AppState>, uri: Uri) -> Response {
    let params = Params::parse(uri.query());
    json_response(state.stats_json(params.tag()))
}

/// `GET /stream-counter?tag=T`: just `{"open": n}`.
pub async fn stream_counter(State(state): State<AppState>, uri: Uri) -> Response {
    let params = Params::parse(uri.query());
    json_response(format!("{{\"open\":{}}}", state.open_count(params.tag())))
}
