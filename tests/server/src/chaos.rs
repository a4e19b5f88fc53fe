//! `/chaos`: a seeded, reproducible, fault-injecting event stream, and
//! `/chaos/log`: what it injected. See the README for the parameters.
//!
//! The stream is a fixed log of `count` events ([`chaos_event`]), replayed
//! after `Last-Event-ID` (header, else the `last_event_id` parameter). Each
//! request of a tag draws its plan from a random generator seeded with the
//! `seed` parameter and the request's number, so the same client behaviour
//! meets the same faults: a failing test names its seed, and
//! `make chaos SEED=...` replays it.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use crate::params::{BadRequest, Params};
use crate::scenarios::last_event_id;
use crate::sse::{stream_response, Gone, Writer};
use crate::stats::{AppState, Ctx};

/// The CJK text of every event's JSON; repeated 1 to 4 times.
pub const CJK: &str = "服务器推送的中文消息";

/// Event `index` of the chaos log: id `index + 1`, type `tick` for every
/// third event (else unnamed, i.e. `message`), and two data lines: a JSON
/// object with CJK text, then `第二行 INDEX`. The browser suite checks every
/// delivered event against its own copy of this function.
pub fn chaos_event(index: u64) -> String {
    let mut out = String::new();
    if index % 3 == 0 {
        out.push_str("event: tick\n");
    }
    let text = CJK.repeat(index as usize % 4 + 1);
    let _ = write!(
        out,
        "id: {}\ndata: {{\"n\":{index},\"text\":\"{text}\"}}\ndata: 第二行 {index}\n\n",
        index + 1
    );
    out
}

/// How a connection fails. Every fault ends the connection it happens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// `500` before any event.
    Status500,
    /// `503` with `Retry-After: 0`.
    Status503,
    /// `429` with `Retry-After: 1`.
    Status429,
    /// The connection is cut before the response headers.
    ResetBeforeHeaders,
    /// Some events, then part of the next one, then a cut.
    DropMidEvent,
    /// Some events, then the next one up to the middle of a multi-byte UTF-8
    /// character, then a cut.
    DropInCharacter,
    /// Some events, then a cut between events.
    DropBetweenEvents,
    /// Some events, then a clean end of the body.
    CleanEnd,
    /// Some events, then part of the next one, then a clean end.
    EndMidEvent,
    /// Some events, then silence (no keepalive) until the client gives up:
    /// for `idleTimeoutMs`.
    Stall,
}

impl Fault {
    /// Every fault with its weight, for `faults=all`.
    const ALL: [(Fault, u64); 10] = [
        (Fault::Status500, 3),
        (Fault::Status503, 3),
        (Fault::Status429, 1),
        (Fault::ResetBeforeHeaders, 3),
        (Fault::DropMidEvent, 4),
        (Fault::DropInCharacter, 4),
        (Fault::DropBetweenEvents, 4),
        (Fault::CleanEnd, 4),
        (Fault::EndMidEvent, 3),
        (Fault::Stall, 1),
    ];

    /// For `faults=transport`: only the faults after which a native
    /// `EventSource` reconnects by itself, sending `Last-Event-ID` (a
    /// refused response or a stall makes the client open a new EventSource,
    /// which cannot send the header without `lastEventIdParam`).
    const TRANSPORT: [(Fault, u64); 5] = [
        (Fault::DropMidEvent, 4),
        (Fault::DropInCharacter, 4),
        (Fault::DropBetweenEvents, 4),
        (Fault::CleanEnd, 4),
        (Fault::EndMidEvent, 3),
    ];

    fn name(self) -> &'static str {
        match self {
            Fault::Status500 => "500",
            Fault::Status503 => "503",
            Fault::Status429 => "429",
            Fault::ResetBeforeHeaders => "reset-before-headers",
            Fault::DropMidEvent => "drop-mid-event",
            Fault::DropInCharacter => "drop-in-character",
            Fault::DropBetweenEvents => "drop-between-events",
            Fault::CleanEnd => "clean-end",
            Fault::EndMidEvent => "end-mid-event",
            Fault::Stall => "stall",
        }
    }

    /// Whether the connection delivers at least one event before the fault.
    fn delivers(self) -> bool {
        !matches!(
            self,
            Fault::Status500 | Fault::Status503 | Fault::Status429 | Fault::ResetBeforeHeaders
        )
    }
}

/// Consecutive connections without an event are capped at this, so the
/// client's default attempt budget (10) is never what a run measures.
const MAX_FAULTS_WITHOUT_EVENTS: u32 = 3;

/// SplitMix64: small, fast and good enough to pick faults.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, request: u64) -> Self {
        let mut rng = Rng(seed ^ request.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn pick(&mut self, weighted: &[(Fault, u64)]) -> Fault {
        let total: u64 = weighted.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total);
        for &(fault, weight) in weighted {
            if roll < weight {
                return fault;
            }
            roll -= weight;
        }
        weighted[0].0
    }
}

/// What `/chaos` did for one tag.
#[derive(Default)]
struct TagLog {
    connections: u64,
    /// Consecutive connections that delivered no event.
    without_events: u32,
    faults: BTreeMap<&'static str, u64>,
    /// Connections that trickled one byte at a time, and that waited before
    /// the response: slow, but not faults.
    trickles: u64,
    slow_starts: u64,
    /// Each connection's plan, `START-STOP FAULT` (event indices), for the
    /// message of a failing test.
    plans: Vec<String>,
}

/// The per-tag logs of `/chaos`, shared by its handlers.
#[derive(Clone, Default)]
pub struct ChaosLog(Arc<Mutex<HashMap<String, TagLog>>>);

impl ChaosLog {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, TagLog>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One connection's plan, drawn before anything is sent.
struct Plan {
    /// Index of the first event to send.
    start: u64,
    /// Index after the last complete event to send.
    stop: u64,
    /// The fault after the events; `None` once the log is exhausted: then
    /// the stream stays open (comments only) until the client goes.
    fault: Option<Fault>,
    greet: Option<String>,
    retry: Option<u64>,
    trickle: bool,
    slow_start: Option<Duration>,
    rng: Rng,
}

/// The query parameters of `/chaos`.
struct Setup {
    seed: u64,
    count: u64,
    run: u64,
    transport_only: bool,
    greet: Option<String>,
    retry: Option<u64>,
}

impl Setup {
    fn read(p: &Params) -> Result<Self, BadRequest> {
        let seed = p
            .num("seed")?
            .ok_or_else(|| BadRequest("chaos needs seed=N".into()))?;
        let transport_only = match p.get("faults").unwrap_or("all") {
            "all" => false,
            "transport" => true,
            other => return Err(BadRequest(format!("unknown faults={other:?}"))),
        };
        Ok(Setup {
            seed,
            count: p.num_or("count", 2000)?,
            run: p.num_or::<u64>("run", 60)?.max(1),
            transport_only,
            greet: p.get("greet").map(str::to_owned),
            retry: p.num("retry")?,
        })
    }
}

/// `/chaos`: see the module documentation and the README.
pub async fn chaos(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Extension(log): Extension<ChaosLog>,
) -> Result<Response, BadRequest> {
    let setup = Setup::read(&ctx.params)?;
    let plan = draw(&setup, &ctx, &log);
    if let Some(delay) = plan.slow_start {
        tokio::time::sleep(delay).await;
    }
    let status = |code: StatusCode, retry_after: Option<&'static str>| {
        let mut response = (code, format!("chaos: {code}")).into_response();
        if let Some(value) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static(value));
        }
        Ok(response)
    };
    match plan.fault {
        Some(Fault::Status500) => status(StatusCode::INTERNAL_SERVER_ERROR, None),
        Some(Fault::Status503) => status(StatusCode::SERVICE_UNAVAILABLE, Some("0")),
        Some(Fault::Status429) => status(StatusCode::TOO_MANY_REQUESTS, Some("1")),
        // Leaving the connection's task is the only way to close it with no
        // answer at all; the panic stays inside this connection's task.
        Some(Fault::ResetBeforeHeaders) => std::panic::resume_unwind(Box::new(ResetBeforeHeaders)),
        _ => stream_response(&state, &ctx, "text/event-stream", |w| plan.play(w)),
    }
}

/// The payload of the unwind that resets a connection before its headers.
struct ResetBeforeHeaders;

/// Draws the plan of this request and logs it.
fn draw(setup: &Setup, ctx: &Ctx, log: &ChaosLog) -> Plan {
    let mut rng = Rng::new(setup.seed, ctx.path_requests);
    // Event `i` has id `i + 1`, so the last id seen is the next index.
    let start = last_event_id(ctx).unwrap_or(0).min(setup.count);
    let mut logs = log.lock();
    let tag = logs.entry(ctx.tag.clone()).or_default();
    tag.connections += 1;

    let weighted: &[(Fault, u64)] = if setup.transport_only {
        &Fault::TRANSPORT
    } else {
        &Fault::ALL
    };
    let mut fault = rng.pick(weighted);
    if !fault.delivers() && tag.without_events >= MAX_FAULTS_WITHOUT_EVENTS {
        fault = Fault::DropBetweenEvents;
    }
    let take = 1 + rng.below(setup.run);
    let stop = start.saturating_add(take);
    let fault = if fault.delivers() && stop >= setup.count {
        None // the rest of the log fits: deliver it and stay open
    } else {
        Some(fault)
    };
    let stop = match fault {
        Some(f) if !f.delivers() => start,
        _ => stop.min(setup.count),
    };
    if let Some(fault) = fault {
        *tag.faults.entry(fault.name()).or_default() += 1;
    }
    tag.without_events = if stop > start {
        0
    } else {
        tag.without_events + 1
    };

    let trickle = stop > start && rng.chance(100);
    let slow_start = rng
        .chance(100)
        .then(|| Duration::from_millis(100 + rng.below(200)));
    tag.trickles += u64::from(trickle);
    tag.slow_starts += u64::from(slow_start.is_some());
    tag.plans.push(format!(
        "{start}-{stop} {}{}{}",
        fault.map_or("rest", Fault::name),
        if trickle { " trickle" } else { "" },
        if slow_start.is_some() { " slow" } else { "" },
    ));
    Plan {
        start,
        stop,
        fault,
        greet: setup.greet.clone(),
        retry: setup.retry,
        trickle,
        slow_start,
        rng,
    }
}

impl Plan {
    /// The bytes of this connection up to the fault, then the fault.
    async fn play(mut self, w: Writer) {
        let mut bytes = Vec::new();
        if let Some(ms) = self.retry {
            bytes.extend_from_slice(format!("retry: {ms}\n\n").as_bytes());
        }
        if let Some(text) = &self.greet {
            bytes.extend_from_slice(format!("data: {text}\n\n").as_bytes());
        }
        for index in self.start..self.stop {
            bytes.extend_from_slice(chaos_event(index).as_bytes());
        }
        let next = chaos_event(self.stop).into_bytes();
        match self.fault {
            Some(Fault::DropMidEvent | Fault::EndMidEvent) => {
                // Anything short of the final line end leaves it unfinished.
                let cut = 1 + self.rng.below(next.len() as u64 - 1) as usize;
                bytes.extend_from_slice(&next[..cut]);
            }
            Some(Fault::DropInCharacter) => {
                let inside: Vec<usize> = (0..next.len())
                    .filter(|&i| next[i] & 0b1100_0000 == 0b1000_0000)
                    .collect();
                let cut = inside[self.rng.below(inside.len() as u64) as usize];
                bytes.extend_from_slice(&next[..cut]);
            }
            _ => {}
        }
        if self.send_split(&w, &bytes).await.is_err() {
            return;
        }
        match self.fault {
            None => w.hold(Duration::from_millis(500)).await,
            Some(Fault::Stall) => w.hold(Duration::ZERO).await,
            Some(Fault::CleanEnd | Fault::EndMidEvent) => {}
            Some(_) => w.abort().await,
        }
    }

    /// Sends `bytes` as body frames split at random positions, pausing now
    /// and then so that the browser reads them separately. A trickling
    /// connection sends its first 200 bytes one at a time.
    async fn send_split(&mut self, w: &Writer, bytes: &[u8]) -> Result<(), Gone> {
        let mut at = 0;
        while at < bytes.len() {
            let trickling = self.trickle && at < 200;
            let size = if trickling {
                1
            } else {
                let limit = if self.rng.chance(500) { 16 } else { 2048 };
                1 + self.rng.below(limit) as usize
            };
            let end = (at + size).min(bytes.len());
            w.send(bytes[at..end].to_vec()).await?;
            at = end;
            if trickling || self.rng.chance(50) {
                w.pause(Duration::from_millis(1)).await?;
            }
        }
        Ok(())
    }
}

/// `/chaos/log?tag=T`: `{"connections":N,"faults":{"500":N,...},
/// "injected":N,"trickles":N,"slow_starts":N,"plans":["0-37 stall",...]}`. Every injected fault ends
/// a connection, so `injected` is the number of reconnections it caused.
pub async fn chaos_log(Extension(log): Extension<ChaosLog>, uri: axum::http::Uri) -> Response {
    let params = Params::parse(uri.query());
    let logs = log.lock();
    let empty = TagLog::default();
    let tag = logs.get(params.tag()).unwrap_or(&empty);
    let mut out = format!("{{\"connections\":{},\"faults\":{{", tag.connections);
    for (i, (name, n)) in tag.faults.iter().enumerate() {
        let sep = if i > 0 { "," } else { "" };
        let _ = write!(out, "{sep}\"{name}\":{n}");
    }
    let injected: u64 = tag.faults.values().sum();
    let _ = write!(
        out,
        "}},\"injected\":{injected},\"trickles\":{},\"slow_starts\":{},\"plans\":[",
        tag.trickles, tag.slow_starts
    );
    for (i, plan) in tag.plans.iter().enumerate() {
        let sep = if i > 0 { "," } else { "" };
        let _ = write!(out, "{sep}\"{plan}\"");
    }
    out.push_str("]}");
    ([(header::CONTENT_TYPE, "application/json")], out).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_numbered_from_id_one_with_cjk_json_on_two_lines() {
        assert_eq!(
            chaos_event(0),
            format!("event: tick\nid: 1\ndata: {{\"n\":0,\"text\":\"{CJK}\"}}\ndata: 第二行 0\n\n")
        );
        assert!(chaos_event(1).starts_with("id: 2\n"));
        assert!(chaos_event(5).contains(&CJK.repeat(2)));
    }

    #[test]
    fn the_generator_is_reproducible_and_spreads() {
        let draw = |seed, request| {
            let mut rng = Rng::new(seed, request);
            (0..8).map(|_| rng.below(100)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7, 3), draw(7, 3));
        assert_ne!(draw(7, 3), draw(7, 4));
        assert_ne!(draw(7, 3), draw(8, 3));
        let mut rng = Rng::new(1, 1);
        let mut seen = [0u32; Fault::ALL.len()];
        for _ in 0..10_000 {
            let fault = rng.pick(&Fault::ALL);
            seen[Fault::ALL.iter().position(|(f, _)| *f == fault).unwrap()] += 1;
        }
        assert!(seen.iter().all(|&n| n > 100), "{seen:?}");
    }
}
