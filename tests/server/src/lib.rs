//! Loopback HTTP server with scripted Server-Sent Events scenarios, used by
//! the sse-wasm browser tests. See README.md for the endpoints.
//!
//! The router is exposed so the server's own tests can run it in-process.

mod bench;
mod chaos;
mod cors;
mod hostile;
mod json;
mod params;
mod ping;
mod scenarios;
mod security;
mod sse;
mod stats;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::serve::{Listener, ListenerExt};
use axum::Extension;
use axum::Router;
use tokio::net::{TcpListener, TcpStream};

pub use bench::BenchConfig;
pub use stats::AppState;

/// The full application: every endpoint, wrapped in request recording and,
/// outermost, CORS (so even 404s and preflights carry CORS headers).
pub fn app(state: AppState) -> Router {
    app_with(state, BenchConfig::default())
}

/// [`app`], plus the benchmark's static files and report sink.
pub fn app_with(state: AppState, bench: BenchConfig) -> Router {
    use scenarios::*;
    Router::new()
        .route("/bulk", get(bench::bulk))
        .route("/static/{*path}", get(bench::static_file))
        .route("/report", post(bench::report))
        .route("/ping/stream", get(ping::stream))
        .route("/ping/send", post(ping::send))
        .route("/ping/echo", post(ping::echo))
        .route("/events", get(events).post(events))
        .route("/echo", get(echo).post(echo))
        .route("/status/{code}", get(status).post(status))
        .route("/flaky", get(flaky).post(flaky))
        .route("/drop", get(drop_conn).post(drop_conn))
        .route("/script", get(script).post(script))
        .route("/raw", get(raw).post(raw))
        .route("/stall", get(stall).post(stall))
        .route("/chaos", get(chaos::chaos).post(chaos::chaos))
        .route("/chaos/log", get(chaos::chaos_log))
        .route("/flood", get(hostile::flood).post(hostile::flood))
        .route(
            "/redirect",
            get(security::redirect).post(security::redirect),
        )
        .route(
            "/set-cookie",
            get(security::set_cookie).post(security::set_cookie),
        )
        .route("/stats", get(stats::stats))
        .route("/stream-counter", get(stats::stream_counter))
        .route("/health", get(|| async { "ok" }))
        .layer(Extension(Arc::new(bench)))
        .layer(Extension(chaos::ChaosLog::default()))
        .layer(Extension(ping::PingHub::default()))
        .layer(from_fn_with_state(state.clone(), stats::record))
        .layer(from_fn_with_state(state.clone(), cors::cors))
        .with_state(state)
}

/// Serves [`app`] on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    serve_with(listener, BenchConfig::default()).await
}

/// Serves [`app_with`] on `listener` until the task is dropped.
pub async fn serve_with(listener: TcpListener, bench: BenchConfig) -> std::io::Result<()> {
    axum::serve(no_delay(listener), app_with(AppState::new(), bench)).await
}

/// `listener` with Nagle's algorithm off on every connection, as production
/// servers run (Go and Node by default, nginx's `tcp_nodelay`): otherwise
/// an event written while the previous one awaits a delayed ACK is held
/// back, and `make bench`'s latency would measure that, not the client.
fn no_delay(listener: TcpListener) -> impl Listener<Io = TcpStream, Addr = SocketAddr> {
    listener.tap_io(|tcp| {
        // Only a latency hint: a connection without it still works.
        let _ = tcp.set_nodelay(true);
    })
}

/// [`serve_with`] on two listeners sharing one [`AppState`]: the second port
/// is a second origin whose requests count under the same tags, so a test
/// sees both ends of a cross-origin redirect in one `/stats`.
pub async fn serve_pair(
    listener: TcpListener,
    peer: TcpListener,
    bench: BenchConfig,
) -> std::io::Result<()> {
    use std::future::IntoFuture;
    let app = app_with(AppState::new(), bench);
    tokio::try_join!(
        axum::serve(no_delay(listener), app.clone()).into_future(),
        axum::serve(no_delay(peer), app).into_future()
    )?;
    Ok(())
}
