//! `sse-test-server [--port N] [--port-file PATH] [--peer-port-file PATH]`:
//! binds 127.0.0.1 only, prints its address, optionally writes the port to a
//! file, and serves until SIGTERM or SIGINT. With `--peer-port-file` it also
//! serves the same app on a second free port (a second origin).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tokio::net::TcpListener;

const USAGE: &str =
    "usage: sse-test-server [--port N] [--port-file PATH] [--peer-port-file PATH] [--static-root DIR] [--report-file PATH]";

/// Command-line options.
struct Args {
    /// 0 lets the OS pick a free port.
    port: u16,
    port_file: Option<PathBuf>,
    /// Also listen on a second free port (same app, same statistics) and
    /// write it here.
    peer_port_file: Option<PathBuf>,
    /// For `make bench`: the static root and the results file.
    bench: sse_test_server::BenchConfig,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: 0,
        port_file: None,
        peer_port_file: None,
        bench: sse_test_server::BenchConfig::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => {
                let v = value("--port")?;
                args.port = v.parse().map_err(|_| format!("invalid port {v:?}"))?;
            }
            "--port-file" => args.port_file = Some(value("--port-file")?.into()),
            "--peer-port-file" => args.peer_port_file = Some(value("--peer-port-file")?.into()),
            "--static-root" => args.bench.static_root = Some(value("--static-root")?.into()),
            "--report-file" => args.bench.report_file = Some(value("--report-file")?.into()),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

/// Writes the port next to `path` and renames it into place, so a reader
/// polling for the file never sees it half written.
fn write_port_file(path: &Path, port: u16) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    std::fs::write(&tmp, format!("{port}\n"))?;
    std::fs::rename(&tmp, path)
}

/// Binds a second free loopback port, announces it and writes it to `path`.
async fn bind_peer(path: &Path) -> std::io::Result<TcpListener> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let port = listener.local_addr()?.port();
    println!("sse-test-server peer listening on http://127.0.0.1:{port}");
    write_port_file(path, port)?;
    Ok(listener)
}

/// Resolves on SIGINT or (on Unix) SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

// One thread is plenty for a test server and keeps a 2-core CI machine free
// for the browsers.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("sse-test-server: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Loopback only: this server echoes request headers back to anyone.
    let listener = match TcpListener::bind(("127.0.0.1", args.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sse-test-server: cannot bind 127.0.0.1:{}: {e}", args.port);
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(args.port);
    println!("sse-test-server listening on http://127.0.0.1:{port}");
    // The peer's port file is written before the main one, so a reader
    // waiting for the main file finds both.
    let peer = match &args.peer_port_file {
        None => None,
        Some(path) => match bind_peer(path).await {
            Ok(peer) => Some(peer),
            Err(e) => {
                eprintln!("sse-test-server: peer port: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let _ = std::io::stdout().flush();
    if let Some(path) = &args.port_file {
        if let Err(e) = write_port_file(path, port) {
            eprintln!("sse-test-server: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    // No graceful shutdown: held-open streams would never finish. Returning
    // drops the runtime, which closes every connection.
    tokio::select! {
        r = async {
            match peer {
                Some(peer) => sse_test_server::serve_pair(listener, peer, args.bench).await,
                None => sse_test_server::serve_with(listener, args.bench).await,
            }
        } => {
            if let Err(e) = r {
                eprintln!("sse-test-server: {e}");
                return ExitCode::FAILURE;
            }
        }
        () = shutdown_signal() => {}
    }
    ExitCode::SUCCESS
}
