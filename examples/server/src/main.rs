//! `sse-demo-server`: the sse-wasm demo. A small Server-Sent Events server
//! (axum + tokio) with four real-world scenarios, and the example pages that
//! use `SSEClient` against it.
//!
//! ```text
//! sse-demo-server [--port N] [--port-file PATH] [--root DIR] [--fast] [--instance NAME]
//! ```
//!
//! With `REDIS_URL` set (`redis://127.0.0.1:6379`), every scenario's events
//! live in Redis Streams, so several instances behind a load balancer serve
//! the same feeds and a client resumes on whichever it reaches (see
//! `store/`); without it, in this process's memory.
//!
//! Listens on 127.0.0.1 only, on `--port`, else `$PORT`, else 8080 (`0`: any
//! free port; `--port-file` then tells which). `--root` is the repository
//! (pages from `examples/`, the package from `pkg/` and `js/`). `--fast`
//! shortens the simulated jobs tenfold, for the end-to-end tests.
//!
//! Where to look: `feed.rs` is the SSE part every scenario shares (ids,
//! resume, `retry:`, heartbeats, headers); `store/` keeps the events (in
//! memory, or in Redis); `activities.rs`, `reports.rs`, `uploads.rs` and
//! `ticker.rs` are the scenarios.

mod activities;
mod app;
mod feed;
mod files;
mod json;
mod process;
mod reports;
mod store;
mod ticker;
mod uploads;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::{AppState, Settings};

const USAGE: &str =
    "usage: sse-demo-server [--port N] [--port-file PATH] [--root DIR] [--fast] [--instance NAME]
  --port N          listen on 127.0.0.1:N (default: $PORT, else 8080; 0 = any free port)
  --port-file PATH  write the port to PATH once listening
  --root DIR        the sse-wasm repository (default: where this binary was built from)
  --fast            simulated jobs run 10 times faster (for tests)
  --instance NAME   this server's name, in the x-sse-demo-instance header of every
                    answer (default: 127.0.0.1:PORT)
environment:
  REDIS_URL         keep the events in Redis Streams (redis://HOST:PORT), shared by
                    every instance; unset: in memory";

/// Command-line options.
struct Args {
    port: u16,
    port_file: Option<PathBuf>,
    root: PathBuf,
    fast: bool,
    instance: Option<String>,
    redis_url: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let port = process::default_port()?;
    // The repository this binary was built from: right for `cargo run` and
    // for `make demo`.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut args = Args {
        port,
        port_file: None,
        root,
        fast: false,
        instance: None,
        redis_url: std::env::var("REDIS_URL").ok().filter(|v| !v.is_empty()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => args.port = process::parse_port(&value("--port")?)?,
            "--port-file" => args.port_file = Some(value("--port-file")?.into()),
            "--root" => args.root = value("--root")?.into(),
            "--fast" => args.fast = true,
            "--instance" => args.instance = Some(value("--instance")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

/// Prints where everything is.
fn print_urls(base: &str, root: &Path) {
    let react = if root.join("build/react-report/index.html").is_file() {
        format!("  {base}/react/        the report scenario with the React hooks")
    } else {
        "  (the React example is built by `make demo` once `npm install` has installed Vite)"
            .to_owned()
    };
    println!(
        "sse-demo-server listening on {base}\n\n\
         \x20 {base}/               the examples\n\
         \x20 {base}/log.html       1. live activity log: bearer token, fetch transport, resume after a drop\n\
         \x20 {base}/report.html    2. report generation: JSON progress events, done / failed\n\
         \x20 {base}/uploads.html   3. upload notifications: upload from a second tab, see it at once\n\
         \x20 {base}/share.html     4. one connection for every tab: open it in three tabs, close the leader\n\
         {react}\n\nPress Ctrl-C to stop."
    );
}

// One thread is plenty for a demo and leaves the cores to the browser.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("sse-demo-server: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let root = args.root.canonicalize().unwrap_or(args.root);
    if !root.join("pkg/sse_wasm.js").is_file() {
        eprintln!(
            "sse-demo-server: warning: {} has no pkg/sse_wasm.js; run `make build` first",
            root.display()
        );
    }
    // Loopback only: this is a demo with a well-known token and in-memory
    // uploads, not something to expose on a network.
    let listener = match TcpListener::bind(("127.0.0.1", args.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "sse-demo-server: cannot listen on 127.0.0.1:{}: {e}\n\
                 (another port: `PORT=8081 make demo`, or `--port 8081`)",
                args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(args.port);
    let instance = args.instance.unwrap_or_else(|| format!("127.0.0.1:{port}"));
    let store = match store::open(args.redis_url.as_deref(), &instance).await {
        Ok(store) => Arc::<dyn store::Store>::from(store),
        Err(e) => {
            eprintln!("sse-demo-server: REDIS_URL is set, but {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = store.create(&ticker::ticker_feed()).await {
        eprintln!("sse-demo-server: {e}");
        return ExitCode::FAILURE;
    }
    print_urls(&format!("http://127.0.0.1:{port}"), &root);
    println!("Events are kept in: {}", store.describe());
    let _ = std::io::stdout().flush();
    if let Some(path) = &args.port_file {
        if let Err(e) = process::write_port_file(path, port) {
            eprintln!("sse-demo-server: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }

    let settings = Settings {
        instance,
        fast: args.fast,
        examples_dir: root.join("examples"),
        pkg_dir: root.join("pkg"),
        js_dir: root.join("js"),
        react_dir: root.join("build/react-report"),
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let state = AppState::new(settings, store, stop_rx.clone());
    // The shared ticker's clock (scenario 4) runs until shutdown.
    tokio::spawn(ticker::run(state.clone()));
    let app = app::router(state);

    // Graceful shutdown and SSE: axum waits for open connections to finish,
    // but an event stream never finishes by itself. So the signal also flips
    // `stop`, which ends every stream (see `feed.rs`); the clients would
    // reconnect, but the listener is already closed.
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        process::shutdown_signal().await;
        println!("\nsse-demo-server: shutting down");
        let _ = stop_tx.send(true);
    });
    // A last resort, should some connection still hang on.
    let mut stopping = stop_rx;
    let deadline = async move {
        let _ = stopping.wait_for(|stop| *stop).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
    };
    tokio::select! {
        result = server => {
            if let Err(e) = result {
                eprintln!("sse-demo-server: {e}");
                return ExitCode::FAILURE;
            }
        }
        () = deadline => eprintln!("sse-demo-server: connections still open after 3 s; exiting anyway"),
    }
    ExitCode::SUCCESS
}
