//! Scenario 2: a long-running report, with progress pushed to the page.
//!
//! `POST /api/reports` starts a generation (`?fail=true`: one that fails
//! halfway) and answers `{"id": "..."}` at once. `GET /api/reports/{id}/events`
//! streams `progress` events (`{"percent": 40, "stage": "Aggregating"}`), then
//! one `done` event with the download link, or one `failed` event. The stream
//! then ends, and a reconnect after the last event gets 204, which tells the
//! client to stop. `GET /api/reports/{id}/download` serves the result.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::app::{created, dropped, new_id, AppState, Settings};
use crate::feed::{follow, json_error, store_error};
use crate::json;
use crate::store::{Entry, FeedKey, Newcomer, Store};

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

/// The events of report `id`: `progress`, then `done` or `failed`.
fn report_feed(id: &str) -> FeedKey {
    FeedKey::new("reports", id)
}

/// `POST /api/reports[?fail=true]`: starts a generation.
pub async fn create(State(app): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let fail = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .any(|(k, v)| k == "fail" && v == "true");
    let id = new_id();
    let feed = report_feed(&id);
    if let Err(e) = app.store.create(&feed).await {
        return store_error(e, "report");
    }
    tokio::spawn(generate(
        app.store.clone(),
        feed,
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
    let request = (&headers, query.as_deref());
    follow(
        &app,
        &report_feed(&id),
        request,
        Newcomer::Oldest,
        "report",
        (),
    )
    .await
}

/// `POST /api/reports/{id}/drop`: cuts the report's live connections.
pub async fn drop_connections(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    match app.store.cut(&report_feed(&id)).await {
        Ok(count) => dropped(count),
        Err(e) => store_error(e, "report"),
    }
}

/// `GET /api/reports/{id}/download`: the CSV, once the report is done.
///
/// The file is made again from the id on each download (it is small and
/// deterministic), so any instance can serve it once the feed has `done`.
pub async fn download(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    let history = match app.store.history(&report_feed(&id)).await {
        Ok(history) => history,
        Err(e) => return store_error(e, "report"),
    };
    if !history.iter().any(|e| e.event == "done") {
        return json_error(StatusCode::CONFLICT, "the report is not ready");
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"report-{id}.csv\""),
            ),
        ],
        make_csv(&id),
    )
        .into_response()
}

/// The generation: a `progress` event per step, then `done` or `failed`.
/// It stops early if its feed is forgotten (or the store fails).
async fn generate(
    store: Arc<dyn Store>,
    feed: FeedKey,
    id: String,
    fail: bool,
    settings: Arc<Settings>,
) {
    let mut percent = 0;
    loop {
        let stage = stage_at(percent);
        if fail && percent >= FAIL_AT_PERCENT {
            let message = "The data warehouse did not answer in time (simulated failure).";
            let failed = format!(
                "{{\"percent\":{percent},\"stage\":{},\"message\":{}}}",
                json::string(stage),
                json::string(message)
            );
            if store
                .append(&feed, Entry::new("failed", failed))
                .await
                .is_ok()
            {
                let _ = store.finish(&feed).await;
            }
            return;
        }
        let progress = format!(
            "{{\"percent\":{percent},\"stage\":{}}}",
            json::string(stage)
        );
        if store
            .append(&feed, Entry::new("progress", progress))
            .await
            .is_err()
        {
            return;
        }
        if percent >= 100 {
            let url = format!("/api/reports/{id}/download");
            let done = format!(
                "{{\"url\":{},\"filename\":\"report-{id}.csv\",\"bytes\":{}}}",
                json::string(&url),
                make_csv(&id).len()
            );
            if store.append(&feed, Entry::new("done", done)).await.is_ok() {
                let _ = store.finish(&feed).await;
            }
            return;
        }
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
