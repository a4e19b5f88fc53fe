//! Hand-written CORS: the browser test page is served from another port, so
//! every answer must allow its origin, credentials included.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::params::Params;
use crate::stats::AppState;

/// Middleware: answers preflights itself (on any path) and adds the CORS
/// headers to every other response.
pub async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut resp = if req.method() == Method::OPTIONS {
        let params = Params::parse(req.uri().query());
        state.count_preflight(params.tag());
        preflight(req.headers(), &params)
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        origin.unwrap_or(HeaderValue::from_static("*")),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Retry-After, X-Request-Count, Content-Type"),
    );
    resp
}

/// The 204 answer to a preflight. It allows whatever request headers the
/// browser asks for, except `Last-Event-ID` when the URL has `no_cors_lei=1`:
/// the client must then fall back to sending the id as a query parameter.
fn preflight(headers: &HeaderMap, params: &Params) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("0"),
    );
    let refuse_lei = params.flag("no_cors_lei");
    let requested = headers
        .get_all(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .filter(|name| !(refuse_lei && name.eq_ignore_ascii_case("last-event-id")))
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(v) = HeaderValue::from_str(&requested) {
        if !requested.is_empty() {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
    }
    resp
}
