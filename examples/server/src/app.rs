//! Shared state, the demo's bearer token, and the router.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::watch;

use crate::store::Store;
use crate::{activities, files, reports, ticker, uploads};

/// The only token the log API accepts. A real server would check a session
/// or a signed token; the point here is that the browser must send it in an
/// `Authorization` header, which the native `EventSource` cannot do and
/// `SSEClient`'s fetch transport can.
pub const DEMO_TOKEN: &str = "demo-token";

/// Settings fixed at startup.
#[derive(Debug, Clone)]
pub struct Settings {
    /// This server's name: in the `x-sse-demo-instance` header of every
    /// answer, and in the Redis store's leases and gauges.
    pub instance: String,
    /// Shorter simulated jobs, for the end-to-end tests.
    pub fast: bool,
    /// The example pages (`examples/`).
    pub examples_dir: PathBuf,
    /// The wasm-bindgen output (`pkg/`).
    pub pkg_dir: PathBuf,
    /// The npm entry point (`js/`).
    pub js_dir: PathBuf,
    /// The Vite build of the React example (`build/react-report/`).
    pub react_dir: PathBuf,
}

impl Settings {
    /// The reconnection time sent as `retry:` on every stream.
    pub fn retry(&self) -> Duration {
        Duration::from_millis(if self.fast { 500 } else { 2000 })
    }

    /// `normal`, or a tenth of it with `--fast`.
    pub fn pace(&self, normal: Duration) -> Duration {
        if self.fast {
            normal / 10
        } else {
            normal
        }
    }
}

/// Everything the handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Startup settings.
    pub settings: Arc<Settings>,
    /// Every scenario's feeds, files and counters: in memory, or in Redis
    /// (shared by every instance).
    pub store: Arc<dyn Store>,
    /// Scenario 4: this instance's tick connections (the ticks themselves are
    /// a feed of the store; its clock is started by `main`, see
    /// `ticker::run`).
    pub ticker: Arc<ticker::Ticker>,
    /// Turns `true` on Ctrl-C: every open stream ends.
    pub shutdown: watch::Receiver<bool>,
}

impl AppState {
    /// The state of a server keeping its scenarios in `store`.
    pub fn new(settings: Settings, store: Arc<dyn Store>, shutdown: watch::Receiver<bool>) -> Self {
        AppState {
            settings: Arc::new(settings),
            store,
            ticker: Arc::default(),
            shutdown,
        }
    }

    /// A `--fast` server on the memory store with no files to serve, for
    /// unit tests, and the switch that shuts it down.
    #[cfg(test)]
    pub fn for_tests() -> (Self, watch::Sender<bool>) {
        let (stop, shutdown) = watch::channel(false);
        let settings = Settings {
            instance: "test".to_owned(),
            fast: true,
            examples_dir: PathBuf::new(),
            pkg_dir: PathBuf::new(),
            js_dir: PathBuf::new(),
            react_dir: PathBuf::new(),
        };
        let store: Arc<dyn Store> = Arc::new(crate::store::MemoryStore::default());
        (AppState::new(settings, store, shutdown), stop)
    }
}

/// Every route of the demo.
pub fn router(state: AppState) -> Router {
    Router::new()
        // 1. Live activity log (bearer token, resume, server-side drop).
        .route("/api/activities", post(activities::create))
        .route("/api/activities/{id}/logs", get(activities::logs))
        .route(
            "/api/activities/{id}/drop",
            post(activities::drop_connections),
        )
        // 2. Report generation (JSON progress, done / failed, download).
        .route("/api/reports", post(reports::create))
        .route("/api/reports/{id}/events", get(reports::events))
        .route("/api/reports/{id}/drop", post(reports::drop_connections))
        .route("/api/reports/{id}/download", get(reports::download))
        // 3. Upload notifications (a second device posts, the page hears it).
        .route("/api/uploads", post(uploads::create))
        .route(
            "/api/uploads/{id}",
            post(uploads::upload).layer(DefaultBodyLimit::max(uploads::MAX_IMAGE_BYTES)),
        )
        .route("/api/uploads/{id}/events", get(uploads::events))
        .route("/api/uploads/{id}/drop", post(uploads::drop_connections))
        .route("/api/uploads/{id}/{n}", get(uploads::image))
        // 4. One connection for every tab (a shared ticker, its connection count).
        .route("/api/ticker/events", get(ticker::events))
        .route("/api/ticker/connections", get(ticker::connections))
        .route("/api/ticker/drop", post(ticker::drop_connections))
        // The pages, the package and the React build.
        .route("/", get(files::index))
        .route("/{file}", get(files::page))
        .route("/pkg/{*path}", get(files::pkg))
        .route("/js/{*path}", get(files::js))
        .route("/react", get(|| async { Redirect::permanent("/react/") }))
        .route("/react/", get(files::react_index))
        .route("/react/{*path}", get(files::react))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            name_instance,
        ))
        .with_state(state)
}

/// Adds `x-sse-demo-instance: <name>` to every answer: behind a load
/// balancer, it tells which instance served a request (the cluster test
/// checks with it that a resumed stream came from the other one).
async fn name_instance(State(app): State<AppState>, mut response: Response) -> Response {
    if let Ok(name) = HeaderValue::from_str(&app.settings.instance) {
        response.headers_mut().insert("x-sse-demo-instance", name);
    }
    response
}

/// `None` when the request carries `Authorization: Bearer demo-token`, else
/// the 401 answer.
///
/// The 401 matters to the client: `SSEClient` does not retry it blindly (a
/// wrong token stays wrong) but asks its `onUnauthorized` hook, or closes with
/// an error of kind `unauthorized`.
pub fn unauthorized(headers: &HeaderMap) -> Option<Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if token == Some(DEMO_TOKEN) {
        return None;
    }
    let challenge = if token.is_some() {
        "Bearer realm=\"sse-demo\", error=\"invalid_token\""
    } else {
        "Bearer realm=\"sse-demo\""
    };
    let mut response =
        crate::feed::json_error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static(challenge),
    );
    Some(response)
}

/// A 201 answer with a small JSON body.
pub fn created(json: String) -> Response {
    (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json")],
        json,
    )
        .into_response()
}

/// The answer of the `.../drop` endpoints: `{"dropped": N}`, or
/// `{"dropped": null}` when the store cannot count the connections of the
/// other instances (Redis).
pub fn dropped(count: Option<usize>) -> Response {
    let count = count.map_or_else(|| "null".to_owned(), |n| n.to_string());
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!("{{\"dropped\":{count}}}"),
    )
        .into_response()
}

/// A hard-to-guess id (16 hex digits): upload links are shared with another
/// device, so their ids must not be enumerable.
///
/// Demo grade: SipHash with the process's random keys over a counter and the
/// clock. Use a real random source (the `getrandom` or `uuid` crates) in a
/// service.
pub fn new_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    h.write_u128(nanos);
    format!("{:016x}", h.finish())
}

/// The 404 for an unknown (or forgotten) job, report or session.
pub fn not_found(what: &str) -> Response {
    crate::feed::json_error(StatusCode::NOT_FOUND, &format!("no such {what}"))
}
