//! Scenario 3: "scan this to upload from your phone".
//!
//! A page creates a session (`POST /api/uploads`), shows a link to the upload
//! page, and listens on `GET /api/uploads/{id}/events`. Another device (or a
//! second tab) posts an image to `POST /api/uploads/{id}` as the raw request
//! body; every listener gets an `uploaded` event at once, with the URL the
//! image is served from (`GET /api/uploads/{id}/{n}`).

use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::app::{created, dropped, not_found, AppState};
use crate::feed::{json_error, last_event_id, Feed};
use crate::json;

/// Largest accepted image: 5 MiB (larger bodies get 413 from axum's
/// `DefaultBodyLimit`, set on the route).
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// Images kept per session; everything lives in memory.
const MAX_IMAGES: usize = 20;
/// Accepted types. Not `image/svg+xml`: an SVG can carry scripts, and this
/// server hands uploads back from its own origin.
const IMAGE_TYPES: [&str; 5] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
];

/// One upload session.
#[derive(Default)]
pub struct Session {
    /// `uploaded` events.
    pub feed: Feed,
    /// The images: content type and bytes; image `n` is `images[n - 1]`.
    images: Mutex<Vec<(&'static str, Bytes)>>,
}

/// `POST /api/uploads`: a new session; answers its id and the upload page.
pub async fn create(State(app): State<AppState>) -> Response {
    let (id, _) = app.uploads.insert(Session::default());
    created(format!(
        "{{\"id\":\"{id}\",\"uploadPage\":\"/upload.html?session={id}\"}}"
    ))
}

/// `POST /api/uploads/{id}[?name=cat.png]` with an image as the raw body.
pub async fn upload(
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(session) = app.uploads.get(&id) else {
        return not_found("upload session");
    };
    // The media type without parameters, case-insensitively.
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let Some(&content_type) = IMAGE_TYPES.iter().find(|t| **t == essence) else {
        let message = format!(
            "send the image as the raw body with Content-Type one of {}",
            IMAGE_TYPES.join(", ")
        );
        return json_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &message);
    };
    if body.is_empty() {
        return json_error(StatusCode::BAD_REQUEST, "the body is empty");
    }
    let name: String = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.chars().take(80).collect())
        .unwrap_or_default();
    let size = body.len();
    let n = {
        let mut images = session.images.lock().unwrap_or_else(|e| e.into_inner());
        if images.len() >= MAX_IMAGES {
            return json_error(StatusCode::CONFLICT, "this session is full (20 images)");
        }
        images.push((content_type, body));
        images.len()
    };
    let notice = format!(
        "{{\"n\":{n},\"url\":\"/api/uploads/{id}/{n}\",\"type\":\"{content_type}\",\"bytes\":{size},\"name\":{}}}",
        json::string(&name)
    );
    session.feed.push("uploaded", notice.clone());
    created(notice)
}

/// `GET /api/uploads/{id}/events`: `uploaded` events (resumable; never ends).
pub async fn events(
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    match app.uploads.get(&id) {
        Some(session) => {
            let last_id = last_event_id(&headers, query.as_deref());
            session
                .feed
                .stream(last_id, app.settings.retry(), app.shutdown.clone())
        }
        None => not_found("upload session"),
    }
}

/// `POST /api/uploads/{id}/drop`: cuts the session's live connections.
pub async fn drop_connections(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    match app.uploads.get(&id) {
        Some(session) => dropped(session.feed.drop_connections()),
        None => not_found("upload session"),
    }
}

/// `GET /api/uploads/{id}/{n}`: image `n` (from 1) of the session.
pub async fn image(State(app): State<AppState>, Path((id, n)): Path<(String, String)>) -> Response {
    let Some(session) = app.uploads.get(&id) else {
        return not_found("upload session");
    };
    let found = n.parse::<usize>().ok().and_then(|n| {
        let images = session.images.lock().unwrap_or_else(|e| e.into_inner());
        n.checked_sub(1).and_then(|i| images.get(i).cloned())
    });
    match found {
        Some((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                // Never let the browser guess another type from the bytes.
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                // An image never changes once uploaded.
                (header::CACHE_CONTROL, "private, max-age=3600, immutable"),
            ],
            bytes,
        )
            .into_response(),
        None => not_found("image"),
    }
}
