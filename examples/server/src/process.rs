//! What both binaries of the demo (the server and the balancer) do as
//! processes: pick their port, tell a script which, and stop on a signal.

use std::path::Path;

/// The port to listen on without `--port`: `$PORT`, else 8080.
pub fn default_port() -> Result<u16, String> {
    match std::env::var("PORT") {
        Ok(v) if !v.is_empty() => v.parse().map_err(|_| format!("invalid PORT {v:?}")),
        _ => Ok(8080),
    }
}

/// The value of `--port` (`0`: any free port).
pub fn parse_port(value: &str) -> Result<u16, String> {
    value.parse().map_err(|_| format!("invalid port {value:?}"))
}

/// Writes the port to a temporary file and renames it into place, so a
/// script polling for `path` never reads it half written.
pub fn write_port_file(path: &Path, port: u16) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    std::fs::write(&tmp, format!("{port}\n"))?;
    std::fs::rename(&tmp, path)
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
