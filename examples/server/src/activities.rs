//! Scenario 1: the live log of a running job, behind a bearer token.
//!
//! `POST /api/activities` starts a simulated job (a build) that writes a log
//! line every 300 to 500 ms. `GET /api/activities/{id}/logs?follow=true`
//! streams the lines as events, each with its id (`1, 2, 3...` with the
//! memory store, stream entry ids with Redis); a reconnect with
//! `Last-Event-ID` continues with the line after it. Without `follow=true` the
//! same URL returns the log so far as plain text, like `kubectl logs` without
//! `-f`. `POST /api/activities/{id}/drop` cuts the live connections so the
//! page can show the resume at work.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use crate::app::{created, dropped, new_id, unauthorized, AppState, Settings};
use crate::feed::{follow, store_error};
use crate::store::{Entry, FeedKey, Newcomer, Store};

/// Lines the simulated job writes before it ends; about 4 minutes at the
/// normal pace.
const LINES: u64 = 600;
/// With `--fast`: enough for a test to drop and resume mid-job.
const FAST_LINES: u64 = 150;

/// The log of job `id`: `message` events (one per line), then one `end`
/// event.
fn log_feed(id: &str) -> FeedKey {
    FeedKey::new("activities", id)
}

/// `POST /api/activities`: starts a job, answers `{"id": "..."}`.
pub async fn create(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(response) = unauthorized(&headers) {
        return response;
    }
    let id = new_id();
    let feed = log_feed(&id);
    if let Err(e) = app.store.create(&feed).await {
        return store_error(e, "activity");
    }
    tokio::spawn(run_job(app.store.clone(), feed, app.settings.clone()));
    created(format!("{{\"id\":\"{id}\"}}"))
}

/// `GET /api/activities/{id}/logs[?follow=true][&lastEventId=N]`.
pub async fn logs(
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    // Authenticate before anything else, the stream included: with a
    // long-lived connection, the check at connect time is the only one (a
    // revoked token is noticed at the next reconnect).
    if let Some(response) = unauthorized(&headers) {
        return response;
    }
    let feed = log_feed(&id);
    let follows = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .any(|(k, v)| k == "follow" && v == "true");
    if follows {
        let request = (&headers, query.as_deref());
        return follow(&app, &feed, request, Newcomer::Oldest, "activity", ()).await;
    }
    match app.store.history(&feed).await {
        Ok(entries) => {
            let lines = entries.iter().filter(|e| e.event == "message");
            let text: String = lines.map(|e| format!("{}\n", e.data)).collect();
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
        }
        Err(e) => store_error(e, "activity"),
    }
}

/// `POST /api/activities/{id}/drop`: cuts the job's live log connections
/// (on every instance); answers `{"dropped": N}`.
pub async fn drop_connections(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = unauthorized(&headers) {
        return response;
    }
    match app.store.cut(&log_feed(&id)).await {
        Ok(count) => dropped(count),
        Err(e) => store_error(e, "activity"),
    }
}

/// The job: one line every 300 to 500 ms (a tenth of that with `--fast`),
/// then an `end` event. It runs on the instance that started it, and stops
/// when its feed is forgotten (or the store fails).
async fn run_job(store: Arc<dyn Store>, feed: FeedKey, settings: Arc<Settings>) {
    let total = if settings.fast { FAST_LINES } else { LINES };
    let started = tokio::time::Instant::now();
    for n in 1..=total {
        // Deterministic jitter (no rand crate): 300..=500 ms.
        let pause = Duration::from_millis(300 + (n * 7919) % 201);
        tokio::time::sleep(settings.pace(pause)).await;
        let elapsed = started.elapsed().as_secs_f64();
        let line = format!("[{elapsed:6.2}s] {}", log_line(n, total));
        if store
            .append(&feed, Entry::new("message", line))
            .await
            .is_err()
        {
            return;
        }
    }
    let end = format!("Job finished: {total} lines, exit code 0");
    if store.append(&feed, Entry::new("end", end)).await.is_ok() {
        let _ = store.finish(&feed).await;
    }
}

/// The text of line `n`: a plausible build log, numbered so a person (and the
/// end-to-end test) can see that nothing is missing or repeated.
fn log_line(n: u64, total: u64) -> String {
    const CRATES: [&str; 8] = [
        "parser",
        "core",
        "retry",
        "transport",
        "auth",
        "storage",
        "render",
        "cli",
    ];
    let krate = CRATES[(n as usize * 5) % CRATES.len()];
    let what = match n % 10 {
        0 => format!("test {krate}::tests::case_{n} ... ok"),
        3 => format!(
            "Downloaded {krate}-support v0.{}.{} ({} KiB)",
            n % 7,
            n % 13,
            10 + n % 90
        ),
        7 => format!(
            "Checking {krate} ({})",
            ["no warnings", "1 warning", "2 warnings"][(n % 3) as usize]
        ),
        _ => format!("Compiling {krate} v1.{}.{}", n % 5, n % 11),
    };
    format!("step {n}/{total}: {what}")
}
