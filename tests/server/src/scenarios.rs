//! The scenario endpoints. Each one turns its query parameters into a plan
//! and lets a small async function play it on the response stream.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use crate::json;
use crate::params::{BadRequest, Params};
use crate::sse::{event, stream_response, Gone, Writer, DEFAULT_KEEPALIVE_MS};
use crate::stats::{AppState, Ctx};

const EVENT_STREAM: &str = "text/event-stream";

/// Default `count` of `/events`, `/flaky` and `/drop`.
const EVENTS_COUNT: u64 = 3;

/// Default `count` of `/script`: enough for a few drops and resumes.
const SCRIPT_COUNT: u64 = 10;

/// How a stream ends once its events are sent.
#[derive(Clone, Copy)]
enum End {
    /// End the chunked body cleanly.
    Close,
    /// Stay open until the client goes.
    Hold,
    /// Send the tail, then cut the connection: the body ends without the
    /// final chunk, which the browser reports as a network error.
    Abort(Tail),
}

/// What an aborted stream sends just before the cut. `NEXT` is the id the
/// next numbered event would have had.
#[derive(Clone, Copy)]
enum Tail {
    Nothing,
    /// Half an event, `id: NEXT` LF `data: partial`: a client must never
    /// dispatch it, nor take its id.
    Half,
    /// `id: NEXT` and a blank line: sets the last event ID without firing an
    /// event (WHATWG HTML 9.2.6, "dispatch the event": empty data buffer).
    IdOnly,
    /// An event with an empty `id:` field, which clears the last event ID.
    ClearId,
}

impl Tail {
    fn bytes(self, next_id: &str) -> Option<String> {
        match self {
            Tail::Nothing => None,
            Tail::Half => Some(format!("id: {next_id}\ndata: partial")),
            Tail::IdOnly => Some(format!("id: {next_id}\n\n")),
            Tail::ClearId => Some("id:\ndata: cleared\n\n".to_owned()),
        }
    }
}

/// A run of numbered events, as described by the `/events` parameters.
struct EventsPlan {
    /// Index of the first event to send (0, or later when resuming).
    start: u64,
    /// Total number of events; indices run `start..count`.
    count: u64,
    /// At most this many events in this response (`None`: up to `count`).
    limit: Option<u64>,
    interval: Duration,
    name: Option<String>,
    id_start: Option<u64>,
    retry: Option<u64>,
    /// An id-less event sent before the numbered ones.
    greet: Option<String>,
    data: Option<String>,
    json: bool,
    keepalive: Duration,
    end: End,
}

impl EventsPlan {
    /// Reads the `/events` parameters; the defaults are used when the request
    /// has no `count` or `id_start` (`/drop` always numbers its events).
    fn new(
        ctx: &Ctx,
        default_count: u64,
        default_id_start: Option<u64>,
    ) -> Result<Self, BadRequest> {
        let p = &ctx.params;
        let id_start = p.num("id_start")?.or(default_id_start);
        // Resume: continue after the last id the client saw. Only meaningful
        // with numbered events.
        let start = match (id_start, last_event_id(ctx)) {
            (Some(k), Some(l)) => l.saturating_add(1).saturating_sub(k),
            _ => 0,
        };
        Ok(EventsPlan {
            start,
            count: p.num_or("count", default_count)?,
            limit: None,
            interval: p.millis_or("interval_ms", 0)?,
            name: p.get("event").map(str::to_owned),
            id_start,
            retry: p.num("retry")?,
            greet: None,
            data: p.get("data").map(str::to_owned),
            json: p.flag("json"),
            keepalive: p.millis_or("keepalive_ms", DEFAULT_KEEPALIVE_MS)?,
            end: if p.flag("hold") {
                End::Hold
            } else {
                End::Close
            },
        })
    }

    fn id(&self, i: u64) -> Option<String> {
        self.id_start.map(|k| k.saturating_add(i).to_string())
    }

    fn render(&self, i: u64) -> String {
        let data = match &self.data {
            Some(text) => text.clone(),
            None if self.json => format!("{{\"n\":{i}}}"),
            None => i.to_string(),
        };
        event(self.name.as_deref(), self.id(i).as_deref(), &data)
    }

    /// Index after the last event this response sends; never before
    /// `start`, so the id of the "next" event never goes backwards when a
    /// client resumed past the end.
    fn stop(&self) -> u64 {
        let end = self
            .limit
            .map_or(u64::MAX, |n| self.start.saturating_add(n));
        self.count.min(end).max(self.start)
    }

    async fn run(self, w: Writer) {
        if self.play(&w).await.is_err() {
            return;
        }
        match self.end {
            End::Close => {}
            End::Hold => w.hold(self.keepalive).await,
            End::Abort(tail) => {
                let next_id = self.id(self.stop()).unwrap_or_default();
                if let Some(bytes) = tail.bytes(&next_id) {
                    if w.pause(self.interval).await.is_err() || w.send(bytes).await.is_err() {
                        return;
                    }
                }
                w.abort().await;
            }
        }
    }

    /// Sends the optional `retry:` block and greeting, then the events.
    async fn play(&self, w: &Writer) -> Result<(), Gone> {
        if let Some(ms) = self.retry {
            w.send(format!("retry: {ms}\n\n")).await?;
        }
        if let Some(text) = &self.greet {
            w.send(event(None, None, text)).await?;
        }
        for i in self.start..self.stop() {
            if i > self.start {
                w.pause(self.interval).await?;
            }
            w.send(self.render(i)).await?;
        }
        Ok(())
    }
}

/// The id to resume after: a numeric `Last-Event-ID` header, else a numeric
/// `last_event_id` query parameter (the fallback when the header is not
/// allowed by CORS).
pub(crate) fn last_event_id(ctx: &Ctx) -> Option<u64> {
    let from_header = ctx
        .record
        .header("last-event-id")
        .and_then(|v| v.trim().parse().ok());
    from_header.or_else(|| {
        ctx.params
            .get("last_event_id")
            .and_then(|v| v.trim().parse().ok())
    })
}

/// A status code in 200..=599 (1xx cannot be sent as a final answer).
fn final_status(code: &str) -> Result<StatusCode, BadRequest> {
    code.parse::<u16>()
        .ok()
        .filter(|c| (200..=599).contains(c))
        .and_then(|c| StatusCode::from_u16(c).ok())
        .ok_or_else(|| BadRequest(format!("invalid status code {code:?}")))
}

/// A header value taken from parameter `name`, or a 400 naming it.
pub(crate) fn header_value(name: &str, value: &str) -> Result<HeaderValue, BadRequest> {
    HeaderValue::from_str(value).map_err(|_| BadRequest(format!("invalid {name} {value:?}")))
}

/// A plain (non-streaming) answer with an optional `Retry-After`. A 204 or
/// 304 gets no body: hyper would not send it, yet would announce its
/// `Content-Length`, which RFC 9110 (8.6) forbids for a 204.
fn plain(
    status: StatusCode,
    content_type: &str,
    mut body: String,
    p: &Params,
) -> Result<Response, BadRequest> {
    if matches!(status, StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED) {
        body.clear();
    }
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header_value("content_type", content_type)?,
    );
    if let Some(v) = p.get("retry_after") {
        h.insert(header::RETRY_AFTER, header_value("retry_after", v)?);
    }
    Ok(resp)
}

/// `/events`: numbered events, see the README.
pub async fn events(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, BadRequest> {
    let plan = EventsPlan::new(&ctx, EVENTS_COUNT, None)?;
    stream_response(&state, &ctx, EVENT_STREAM, |w| plan.run(w))
}

/// `/echo`: one `echo` event whose data describes the request as JSON.
pub async fn echo(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, BadRequest> {
    let r = &ctx.record;
    let mut data = String::from("{");
    json::push_key(&mut data, "method");
    json::push_str(&mut data, &r.method);
    data.push(',');
    json::push_key(&mut data, "headers");
    r.push_headers_json(&mut data);
    data.push(',');
    json::push_key(&mut data, "body");
    json::push_str(&mut data, &r.body);
    data.push(',');
    json::push_key(&mut data, "query");
    json::push_str(&mut data, &ctx.query);
    data.push('}');
    let hold = ctx.params.flag("hold");
    let keepalive = ctx.params.millis_or("keepalive_ms", DEFAULT_KEEPALIVE_MS)?;
    stream_response(&state, &ctx, EVENT_STREAM, move |w| async move {
        if w.send(event(Some("echo"), None, &data)).await.is_ok() && hold {
            w.hold(keepalive).await;
        }
    })
}

/// `/status/CODE`: a fixed answer with any final status.
pub async fn status(
    Path(code): Path<String>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, BadRequest> {
    let p = &ctx.params;
    let body = p.get("body").unwrap_or("").to_owned();
    plain(
        final_status(&code)?,
        p.get("content_type").unwrap_or("text/html"),
        body,
        p,
    )
}

/// `/flaky`: the first `fail` requests of the tag fail, later ones are
/// `/events`.
pub async fn flaky(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, BadRequest> {
    let p = &ctx.params;
    let fail: u64 = p.num_or("fail", 1)?;
    if ctx.path_requests <= fail {
        let status = final_status(p.get("status").unwrap_or("503"))?;
        let body = format!("flaky: failure {} of {fail}", ctx.path_requests);
        return plain(status, "text/plain", body, p);
    }
    let plan = EventsPlan::new(&ctx, EVENTS_COUNT, None)?;
    stream_response(&state, &ctx, EVENT_STREAM, |w| plan.run(w))
}

/// `/drop`: numbered events, then the connection is cut.
pub async fn drop_conn(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, BadRequest> {
    let p = &ctx.params;
    let mut plan = EventsPlan::new(&ctx, EVENTS_COUNT, Some(0))?;
    let drops: Option<u64> = p.num("drops")?;
    if drops.map_or(true, |d| ctx.path_requests <= d) {
        plan.limit = Some(p.num_or("after", 1)?);
        plan.end = End::Abort(if p.flag("mid") {
            Tail::Half
        } else {
            Tail::Nothing
        });
    }
    stream_response(&state, &ctx, EVENT_STREAM, |w| plan.run(w))
}

/// One step of `/script`: what the server does on one request of a tag.
#[derive(Clone, Copy)]
enum Step {
    /// `drop:N`, `end:N`, `mid:N`, `idonly:N`, `clearid:N`: at most `n`
    /// events, then `end`.
    Take { n: u64, end: End },
    /// `rest`: every remaining event, then a clean end (or `hold=1`).
    Rest,
    /// A status code such as `503`: a plain answer, no stream.
    Status(StatusCode),
}

/// Parses one item of `steps=`.
fn parse_step(step: &str) -> Result<Step, BadRequest> {
    let bad = || BadRequest(format!("invalid step {step:?} in steps="));
    if step == "rest" {
        return Ok(Step::Rest);
    }
    if step.len() == 3 && step.bytes().all(|b| b.is_ascii_digit()) {
        return final_status(step).map(Step::Status);
    }
    let (kind, n) = step.split_once(':').ok_or_else(bad)?;
    let n = n.parse().map_err(|_| bad())?;
    let end = match kind {
        "drop" => End::Abort(Tail::Nothing),
        "end" => End::Close,
        "mid" => End::Abort(Tail::Half),
        "idonly" => End::Abort(Tail::IdOnly),
        "clearid" => End::Abort(Tail::ClearId),
        _ => return Err(bad()),
    };
    Ok(Step::Take { n, end })
}

/// The step for request number `request` (1-based) of a tag: the last step
/// repeats once the script has run out. The whole list is checked, so a typo
/// in a later step fails on the first request already.
fn script_step(steps: Option<&str>, request: u64) -> Result<Step, BadRequest> {
    let steps = steps.ok_or_else(|| BadRequest("/script needs steps=STEP,...".to_owned()))?;
    let steps = steps
        .split(',')
        .map(|s| parse_step(s.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    // Never empty: `split` yields at least one item and "" is no step.
    let i = usize::try_from(request.saturating_sub(1)).unwrap_or(usize::MAX);
    Ok(steps[i.min(steps.len() - 1)])
}

/// `/script`: request n of a tag follows step n of `steps`, see the README.
pub async fn script(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, BadRequest> {
    let p = &ctx.params;
    let step = script_step(p.get("steps"), ctx.path_requests)?;
    // Built before the step is taken, so bad parameters are a 400 on every
    // request, status steps included.
    let mut plan = EventsPlan::new(&ctx, SCRIPT_COUNT, Some(1))?;
    plan.greet = p.get("greet").map(str::to_owned);
    match step {
        Step::Status(status) => {
            let body = format!("script: request {} answers {status}", ctx.path_requests);
            plain(status, "text/plain", body, p)
        }
        Step::Take { n, end } => {
            plan.limit = Some(n);
            plan.end = end;
            stream_response(&state, &ctx, EVENT_STREAM, |w| plan.run(w))
        }
        Step::Rest => stream_response(&state, &ctx, EVENT_STREAM, |w| plan.run(w)),
    }
}

/// Decodes `chunks=HEX,HEX,...`; empty items are skipped (an empty body
/// frame would mean nothing on the wire).
fn hex_chunks(list: &str) -> Result<Vec<Vec<u8>>, BadRequest> {
    let bad = || BadRequest(format!("invalid hex in chunks={list:?}"));
    list.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            if c.len() % 2 != 0 || !c.is_ascii() {
                return Err(bad());
            }
            (0..c.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&c[i..i + 2], 16).map_err(|_| bad()))
                .collect()
        })
        .collect()
}

/// `/raw`: exact bytes, one body frame per chunk.
pub async fn raw(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, BadRequest> {
    let p = &ctx.params;
    let chunks = hex_chunks(p.get("chunks").unwrap_or(""))?;
    let delay = p.millis_or("delay_ms", 30)?;
    let hold = p.flag("hold");
    // Off by default: a keepalive line could land in the middle of an
    // unfinished line of the raw bytes and change its meaning.
    let keepalive = p.millis_or("keepalive_ms", 0)?;
    stream_response(&state, &ctx, EVENT_STREAM, move |w| async move {
        for (i, chunk) in chunks.into_iter().enumerate() {
            let paused = if i == 0 { Ok(()) } else { w.pause(delay).await };
            if paused.is_err() || w.send(chunk).await.is_err() {
                return;
            }
        }
        if hold {
            w.hold(keepalive).await;
        }
    })
}

/// `/stall`: headers (after `headers_ms`, default 0), an optional first
/// event, then silence until the client goes (no keepalive: it is for
/// idle-timeout tests).
pub async fn stall(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, BadRequest> {
    let first = ctx.params.get("first").map(|t| event(None, None, t));
    let headers_delay = ctx.params.millis_or("headers_ms", 0)?;
    if !headers_delay.is_zero() {
        // Counted as open while the response is still pending: hyper drops
        // this future (and the guard) when the client aborts, so a test can
        // prove an abort that happened before any header arrived.
        let _pending = state.open_guard(&ctx.tag);
        tokio::time::sleep(headers_delay).await;
    }
    stream_response(&state, &ctx, EVENT_STREAM, move |w| async move {
        if let Some(first) = first {
            if w.send(first).await.is_err() {
                return;
            }
        }
        w.hold(Duration::ZERO).await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_hex_chunks() {
        assert_eq!(
            hex_chunks("0d,0A,,e282").unwrap(),
            vec![vec![13], vec![10], vec![0xe2, 0x82]]
        );
        assert!(hex_chunks("0").is_err());
        assert!(hex_chunks("zz").is_err());
        assert!(hex_chunks("é0").is_err());
    }

    #[test]
    fn script_steps_repeat_the_last_one() {
        let steps = Some("drop:2, 503,rest");
        assert!(matches!(
            script_step(steps, 1),
            Ok(Step::Take {
                n: 2,
                end: End::Abort(Tail::Nothing)
            })
        ));
        assert!(matches!(script_step(steps, 2), Ok(Step::Status(s)) if s == 503));
        assert!(matches!(script_step(steps, 3), Ok(Step::Rest)));
        assert!(matches!(script_step(steps, 9), Ok(Step::Rest)));
        assert!(matches!(
            script_step(Some("idonly:0"), 1),
            Ok(Step::Take {
                n: 0,
                end: End::Abort(Tail::IdOnly)
            })
        ));
        for bad in [None, Some(""), Some("drop"), Some("drop:x"), Some("boom:1")] {
            assert!(script_step(bad, 1).is_err(), "{bad:?}");
        }
        assert!(script_step(Some("rest,101"), 1).is_err());
        assert!(script_step(Some("end:1,"), 1).is_err());
    }

    #[test]
    fn status_codes() {
        assert!(final_status("204").is_ok());
        assert!(final_status("599").is_ok());
        assert!(final_status("101").is_err());
        assert!(final_status("600").is_err());
        assert!(final_status("abc").is_err());
    }
}
