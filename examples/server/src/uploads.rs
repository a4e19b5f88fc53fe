//! Scenario 3: "scan this to upload from your phone".
//!
//! A page creates a session (`POST /api/uploads`), shows a link to the upload
//! page, and listens on `GET /api/uploads/{id}/events`. Another device (or a
//! second tab) posts an image to `POST /api/uploads/{id}` as the raw request
//! body; every listener gets an `uploaded` event at once, with the URL the
//! image is served from (`GET /api/uploads/{id}/{n}`).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::app::{created, dropped, new_id, not_found, AppState};
use crate::feed::{follow, json_error, store_error};
use crate::json;
use crate::store::{Entry, FeedKey, File, Newcomer};

/// Largest accepted image: 5 MiB (larger bodies get 413 from axum's
/// `DefaultBodyLimit`, set on the route).
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// Images accepted per session: the store keeps them as long as the session.
const MAX_IMAGES: u64 = 20;
/// Accepted types. Not `image/svg+xml`: an SVG can carry scripts, and this
/// server hands uploads back from its own origin.
const IMAGE_TYPES: [&str; 5] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
];

/// Session `id`'s `uploaded` events; its images are files of the same feed.
fn session_feed(id: &str) -> FeedKey {
    FeedKey::new("uploads", id)
}

/// `POST /api/uploads`: a new session; answers its id and the upload page.
pub async fn create(State(app): State<AppState>) -> Response {
    let id = new_id();
    if let Err(e) = app.store.create(&session_feed(&id)).await {
        return store_error(e, "upload session");
    }
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
    let feed = session_feed(&id);
    match app.store.exists(&feed).await {
        Ok(true) => {}
        Ok(false) => return not_found("upload session"),
        Err(e) => return store_error(e, "upload session"),
    }
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
    // Numbered by the store, so that two instances taking uploads for the
    // same session never hand out the same number.
    let n = match app.store.next_number(&format!("uploads:{id}")).await {
        Ok(n) if n <= MAX_IMAGES => n,
        Ok(_) => return json_error(StatusCode::CONFLICT, "this session is full (20 images)"),
        Err(e) => return store_error(e, "upload session"),
    };
    let file = File {
        content_type: content_type.to_owned(),
        bytes: body,
    };
    if let Err(e) = app.store.put_file(&feed, n, file).await {
        return store_error(e, "upload session");
    }
    let notice = format!(
        "{{\"n\":{n},\"url\":\"/api/uploads/{id}/{n}\",\"type\":\"{content_type}\",\"bytes\":{size},\"name\":{}}}",
        json::string(&name)
    );
    if let Err(e) = app
        .store
        .append(&feed, Entry::new("uploaded", notice.clone()))
        .await
    {
        return store_error(e, "upload session");
    }
    created(notice)
}

/// `GET /api/uploads/{id}/events`: `uploaded` events (resumable; never ends).
pub async fn events(
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let request = (&headers, query.as_deref());
    follow(
        &app,
        &session_feed(&id),
        request,
        Newcomer::Oldest,
        "upload session",
        (),
    )
    .await
}

/// `POST /api/uploads/{id}/drop`: cuts the session's live connections.
pub async fn drop_connections(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    match app.store.cut(&session_feed(&id)).await {
        Ok(count) => dropped(count),
        Err(e) => store_error(e, "upload session"),
    }
}

/// `GET /api/uploads/{id}/{n}`: image `n` (from 1) of the session.
pub async fn image(State(app): State<AppState>, Path((id, n)): Path<(String, String)>) -> Response {
    let Ok(n) = n.parse::<u64>() else {
        return not_found("image");
    };
    match app.store.file(&session_feed(&id), n).await {
        Ok(Some(File {
            content_type,
            bytes,
        })) => (
            [
                (header::CONTENT_TYPE, content_type),
                // Never let the browser guess another type from the bytes.
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                // An image never changes once uploaded.
                (
                    header::CACHE_CONTROL,
                    "private, max-age=3600, immutable".to_owned(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => not_found("image"),
        Err(e) => store_error(e, "upload session"),
    }
}
