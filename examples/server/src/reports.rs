//! Scenario 2: a long-running report, with progress pushed to the page.
//!
//! `POST /api/reports` starts a generation (`?fail=true`: one that fails
//! halfway) and answers `{"id": "..."}` at once. `GET /api/reports/{id}/events`
//! streams `progress` events (`{"percent": 40, "stage": "Aggregating"}`), then
//! one `done` event with the download link, or one `failed` event. The stream
//! then ends, and a reconnect after the last event gets 204, which tells the
//! client to stop. `GET /api/reports/{id}/download` serves the result.

use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::app::{created, dropped, not_found, AppState, Settings};
use crate::feed::{json_error, last_event_id, Feed};
use crate::json;

/// The stages of a generation and the percentage each starts at.
const STAGES: [(u32, &str); 4] = [
    (0, "Collecting data"),
    (30, "Aggregating"),
    (60, "Rendering charts"),
    (85, "Writing CSV"),
];
/// Progress moves in steps of this many percent.
const STEP_PERCENT: u32 = 4;
/// Time per step: 25 steps, about 8 s in all (0.8 s with `--fast`).
const STEP: Duration = Duration::from_millis(320);
/// Where a generation started with `fail=true` gives up.
const FAIL_AT_PERCENT: u32 = 60;

/// One report generation.
#[derive(Default)]
pub struct Report {
    /// `progress` events, then `done` or `failed`.
    pub feed: Feed,
    /// The generated file, once done.
    csv: OnceLock<String>,
}

/// `POST /api/reports[?fail=true]`: starts a generation.
pub async fn create(State(app): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let fail = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .any(|(k, v)| k == "fail" && v == "true");
    let (id, report) = app.reports.insert(Report::default());
    tokio::spawn(generate(
        Arc::downgrade(&report),
        id.clone(),
        fail,
        app.settings.clone(),
    ));
    created(format!(
        "{{\"id\":\"{id}\",\"events\":\"/api/reports/{id}/events\"}}"
    ))
}

/// `GET /api/reports/{id}/events`: the progress stream (resumable).
pub async fn events(
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    match app.reports.get(&id) {
        Some(report) => {
            let last_id = last_event_id(&headers, query.as_deref());
            report
                .feed
                .stream(last_id, app.settings.retry(), app.shutdown.clone())
        }
        None => not_found("report"),
    }
}

/// `POST /api/reports/{id}/drop`: cuts the report's live connections.
pub async fn drop_connections(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    match app.reports.get(&id) {
        Some(report) => dropped(report.feed.drop_connections()),
        None => not_found("report"),
    }
}

/// `GET /api/reports/{id}/download`: the CSV, once the report is done.
pub async fn download(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(report) = app.reports.get(&id) else {
        return not_found("report");
    };
    match report.csv.get() {
        Some(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"report-{id}.csv\""),
                ),
            ],
            csv.clone(),
        )
            .into_response(),
        None => json_error(StatusCode::CONFLICT, "the report is not ready"),
    }
}

/// The generation: a `progress` event per step, then `done` or `failed`.
async fn generate(report: Weak<Report>, id: String, fail: bool, settings: Arc<Settings>) {
    let mut percent = 0;
    loop {
        let Some(r) = report.upgrade() else { return };
        let stage = stage_at(percent);
        if fail && percent >= FAIL_AT_PERCENT {
            let message = "The data warehouse did not answer in time (simulated failure).";
            r.feed.push(
                "failed",
                format!(
                    "{{\"percent\":{percent},\"stage\":{},\"message\":{}}}",
                    json::string(stage),
                    json::string(message)
                ),
            );
            r.feed.finish();
            return;
        }
        r.feed.push(
            "progress",
            format!(
                "{{\"percent\":{percent},\"stage\":{}}}",
                json::string(stage)
            ),
        );
        if percent >= 100 {
            let csv = r.csv.get_or_init(|| make_csv(&id));
            let url = format!("/api/reports/{id}/download");
            r.feed.push(
                "done",
                format!(
                    "{{\"url\":{},\"filename\":\"report-{id}.csv\",\"bytes\":{}}}",
                    json::string(&url),
                    csv.len()
                ),
            );
            r.feed.finish();
            return;
        }
        drop(r);
        tokio::time::sleep(settings.pace(STEP)).await;
        percent = (percent + STEP_PERCENT).min(100);
    }
}

/// The stage a given percentage falls in.
fn stage_at(percent: u32) -> &'static str {
    STAGES
        .iter()
        .rev()
        .find(|(start, _)| percent >= *start)
        .map_or(STAGES[0].1, |(_, name)| name)
}

/// A small, deterministic sales report.
fn make_csv(id: &str) -> String {
    let mut csv = String::from("region,month,orders,revenue_eur\n");
    let seed = id
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    for (r, region) in ["North", "South", "East", "West"].iter().enumerate() {
        for month in 1..=6u64 {
            let orders = 100 + (seed.wrapping_add(r as u64 * 97 + month * 13)) % 400;
            csv.push_str(&format!(
                "{region},2025-{month:02},{orders},{}.00\n",
                orders * 37
            ));
        }
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_follow_the_percentage() {
        assert_eq!(stage_at(0), "Collecting data");
        assert_eq!(stage_at(29), "Collecting data");
        assert_eq!(stage_at(30), "Aggregating");
        assert_eq!(stage_at(100), "Writing CSV");
    }
}
