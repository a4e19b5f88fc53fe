//! The static side: example pages from `examples/`, the package from `pkg/`
//! and `js/`, and the React example's build from `build/react-report/`.
//!
//! A dozen lines instead of tower-http's `ServeDir`, to keep the dependency
//! list short; it reads each file on every request, which is fine for a demo.

use std::path::{Path as FsPath, PathBuf};

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

/// The pages load their scripts, styles and the wasm from this origin only.
/// `'wasm-unsafe-eval'` is what lets `WebAssembly.instantiate` run under a
/// CSP; nothing else needs `eval`. No inline script or style is allowed, which
/// is one more guard on top of rendering server data with `textContent`.
const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// `GET /`: the index of the examples.
pub async fn index(State(app): State<AppState>) -> Response {
    serve(&app.settings.examples_dir, "index.html").await
}

/// `GET /{file}`: a page, script or stylesheet of `examples/`.
pub async fn page(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    serve(&app.settings.examples_dir, &file).await
}

/// `GET /pkg/{*path}`: the wasm-bindgen output (`make build`).
pub async fn pkg(State(app): State<AppState>, Path(path): Path<String>) -> Response {
    serve(&app.settings.pkg_dir, &path).await
}

/// `GET /js/{*path}`: the npm entry point that wraps `pkg/`.
pub async fn js(State(app): State<AppState>, Path(path): Path<String>) -> Response {
    serve(&app.settings.js_dir, &path).await
}

/// `GET /react/`: the React example, once built.
pub async fn react_index(State(app): State<AppState>) -> Response {
    let dir = &app.settings.react_dir;
    if !dir.join("index.html").is_file() {
        let message = "The React example is not built. Run `npm install` at the repository root, \
                       then `make demo` again: it builds examples/react-report with Vite into build/react-report.\n";
        return (StatusCode::NOT_FOUND, message).into_response();
    }
    serve(dir, "index.html").await
}

/// `GET /react/{*path}`: the React example's assets.
pub async fn react(State(app): State<AppState>, Path(path): Path<String>) -> Response {
    serve(&app.settings.react_dir, &path).await
}

/// The file `rel` under `base`, with its content type; 404 if it does not
/// exist or `rel` tries to leave `base`.
async fn serve(base: &FsPath, rel: &str) -> Response {
    let Some(path) = safe_join(base, rel) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_owned();
    // File reads block; run them off the async thread. (This is what
    // `tokio::fs::read` does; calling it directly avoids turning on tokio's
    // `fs` feature, which would stop this crate sharing tokio's build with
    // tests/server.)
    let read = tokio::task::spawn_blocking(move || std::fs::read(path)).await;
    let Ok(Ok(bytes)) = read else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let ext = ext.as_str();
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(ext)),
    );
    // Revalidate every time, so a page reload after `make build` gets the
    // new wasm.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if ext == "html" {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
    }
    response
}

/// `base/rel` if every segment of `rel` is a plain name: no `..`, no hidden
/// files, no empty segments, no backslashes.
fn safe_join(base: &FsPath, rel: &str) -> Option<PathBuf> {
    let mut path = base.to_path_buf();
    for segment in rel.split('/') {
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && !segment.contains(['\\', ':', '\0']);
        if !plain {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

/// The content type for a file extension. `.wasm` must be
/// `application/wasm`: `WebAssembly.instantiateStreaming` refuses anything
/// else.
fn content_type(ext: &str) -> &'static str {
    match ext {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "ts" | "md" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_served() {
        let base = FsPath::new("/srv");
        assert_eq!(
            safe_join(base, "a/b.js"),
            Some(PathBuf::from("/srv/a/b.js"))
        );
        for bad in [
            "../etc/passwd",
            "a/../../x",
            ".git/config",
            "a//b",
            "",
            "a\\..\\b",
            "/abs",
        ] {
            assert_eq!(safe_join(base, bad), None, "{bad:?}");
        }
    }
}
