//! `sse-demo-balancer`: a TCP round-robin load balancer, the kind a team puts
//! in front of two instances (HAProxy in TCP mode), for the demo cluster
//! (`examples/cluster.sh`).
//!
//! ```text
//! sse-demo-balancer [--port N] [--port-file PATH] --upstream HOST:PORT [--upstream HOST:PORT ...]
//! ```
//!
//! Listens on 127.0.0.1 only, on `--port`, else `$PORT`, else 8080 (`0`: any
//! free port; `--port-file` then tells which). Each connection goes to the
//! next upstream in turn; one that refuses or does not answer within a second
//! is skipped (one line on stderr), and when none answers the connection is
//! closed. Bytes are then copied both ways, untouched: the balancer knows
//! nothing of HTTP, so an event stream stays on the instance it started on
//! until that instance goes away, and the client's reconnect (with its
//! `Last-Event-ID`) is what lands on the other one.

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

// Shared with sse-demo-server (a file of its crate, so included by path).
#[path = "../process.rs"]
mod process;

const USAGE: &str = "usage: sse-demo-balancer [--port N] [--port-file PATH] --upstream HOST:PORT [--upstream HOST:PORT ...]
  --port N              listen on 127.0.0.1:N (default: $PORT, else 8080; 0 = any free port)
  --port-file PATH      write the port to PATH once listening
  --upstream HOST:PORT  an instance to forward to (repeat it; taken in turn)";

/// How long an upstream may take to accept before the next one is tried. An
/// instance on this machine answers in microseconds; one that does not
/// answer in a second is stuck, and the client should not wait on it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Command-line options.
struct Args {
    port: u16,
    port_file: Option<PathBuf>,
    upstreams: Vec<Upstream>,
}

/// An instance behind the balancer: its address as given, for the logs, and
/// as resolved once at startup (as HAProxy does by default).
struct Upstream {
    name: String,
    addr: SocketAddr,
}

impl Upstream {
    /// Resolves `HOST:PORT`, preferring IPv4: the demo servers listen on
    /// 127.0.0.1 only, and `localhost` may resolve to `::1` first.
    fn resolve(spec: &str) -> Result<Upstream, String> {
        let addrs: Vec<SocketAddr> = spec
            .to_socket_addrs()
            .map_err(|e| format!("invalid upstream {spec:?}: {e}"))?
            .collect();
        let addr = addrs.iter().find(|a| a.is_ipv4()).or(addrs.first());
        let addr = *addr.ok_or(format!("upstream {spec:?} resolves to no address"))?;
        Ok(Upstream {
            name: spec.to_owned(),
            addr,
        })
    }
}

/// Parses the command line; `Err` is a message for the user.
fn parse_args() -> Result<Args, String> {
    let port = process::default_port()?;
    let mut args = Args {
        port,
        port_file: None,
        upstreams: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => args.port = process::parse_port(&value("--port")?)?,
            "--port-file" => args.port_file = Some(value("--port-file")?.into()),
            "--upstream" => args
                .upstreams
                .push(Upstream::resolve(&value("--upstream")?)?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if args.upstreams.is_empty() {
        return Err("at least one --upstream is needed".to_owned());
    }
    Ok(args)
}

/// Accepts connections forever, handing the n-th to upstream n mod len (or
/// the next one that answers); `upstreams` must not be empty (`parse_args`
/// sees to it). Never returns; drop it to stop accepting.
async fn serve(listener: TcpListener, upstreams: Arc<[Upstream]>) {
    let mut next = 0;
    loop {
        let client = match listener.accept().await {
            Ok((client, _)) => client,
            Err(e) => {
                // Out of file descriptors, usually: wait for some to close
                // rather than spin.
                eprintln!("sse-demo-balancer: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let start = next;
        next = (next + 1) % upstreams.len();
        tokio::spawn(forward(client, Arc::clone(&upstreams), start));
    }
}

/// Connects `client` to the first upstream that answers, from `start` on,
/// then copies bytes both ways until both sides have closed or one fails.
async fn forward(mut client: TcpStream, upstreams: Arc<[Upstream]>, start: usize) {
    let Some(mut upstream) = connect(&upstreams, start).await else {
        // Dropping `client` closes it: the browser sees a network error and
        // retries, as it would against a single server that is down.
        return;
    };
    // An SSE event is a small write the page waits for: Nagle's algorithm
    // would hold it back for the previous one's ACK.
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    // An error here is a reset from either side (a closed tab, a killed
    // instance): the other side is closed by dropping it, nothing to report.
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

/// Tries each upstream once, from `start` round the ring, logging each one
/// that fails; `None` when none answers.
async fn connect(upstreams: &[Upstream], start: usize) -> Option<TcpStream> {
    let n = upstreams.len();
    for i in 0..n {
        let up = &upstreams[(start + i) % n];
        let failure = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(up.addr)).await
        {
            Ok(Ok(stream)) => return Some(stream),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                format!("refused ({e})")
            }
            Ok(Err(e)) => format!("failed ({e})"),
            Err(_) => format!("timed out (no answer in {CONNECT_TIMEOUT:?})"),
        };
        let then = if i + 1 < n {
            format!("trying {}", upstreams[(start + i + 1) % n].name)
        } else {
            "no upstream left; closing the connection".to_owned()
        };
        eprintln!("sse-demo-balancer: {} {failure}; {then}", up.name);
    }
    None
}

// One thread: the balancer only moves bytes, and the cores are for the
// instances and the browser.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("sse-demo-balancer: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Loopback only, like the instances behind it.
    let listener = match TcpListener::bind(("127.0.0.1", args.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "sse-demo-balancer: cannot listen on 127.0.0.1:{}: {e}\n\
                 (another port: `PORT=8081 make demo-cluster`, or `--port 8081`)",
                args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(args.port);
    let names: Vec<&str> = args.upstreams.iter().map(|u| u.name.as_str()).collect();
    println!(
        "sse-demo-balancer listening on http://127.0.0.1:{port}, round-robin over {}",
        names.join(", ")
    );
    let _ = std::io::stdout().flush();
    if let Some(path) = &args.port_file {
        if let Err(e) = process::write_port_file(path, port) {
            eprintln!("sse-demo-balancer: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    // Returning drops the runtime, and with it every open connection: fine
    // for SSE, whose clients reconnect (to whatever replaces the balancer).
    tokio::select! {
        () = serve(listener, args.upstreams.into()) => {}
        () = process::shutdown_signal() => println!("sse-demo-balancer: shutting down"),
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// An upstream that greets each connection with its `tag`, then echoes.
    async fn upstream(tag: u8) -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                tokio::spawn(async move {
                    conn.write_all(&[tag]).await.unwrap();
                    let (mut r, mut w) = conn.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        Upstream {
            name: addr.to_string(),
            addr,
        }
    }

    /// An address that refuses connections: a port bound, then closed.
    async fn dead() -> Upstream {
        let addr = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap();
        Upstream {
            name: addr.to_string(),
            addr,
        }
    }

    /// Starts a balancer over `upstreams`; returns its address.
    async fn balancer(upstreams: Vec<Upstream>) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, upstreams.into()));
        addr
    }

    /// Connects through the balancer; returns the greeting's tag after
    /// checking that bytes come back, or `None` if the balancer closed it.
    async fn tag_of(balancer: SocketAddr) -> Option<u8> {
        let mut conn = TcpStream::connect(balancer).await.unwrap();
        let mut tag = [0];
        if conn.read(&mut tag).await.unwrap() == 0 {
            return None;
        }
        conn.write_all(b"ping").await.unwrap();
        let mut echo = [0; 4];
        conn.read_exact(&mut echo).await.unwrap();
        assert_eq!(&echo, b"ping");
        Some(tag[0])
    }

    #[tokio::test]
    async fn connections_alternate_between_upstreams() {
        let lb = balancer(vec![upstream(b'a').await, upstream(b'b').await]).await;
        let mut tags = Vec::new();
        for _ in 0..4 {
            tags.push(tag_of(lb).await);
        }
        assert_eq!(tags, [Some(b'a'), Some(b'b'), Some(b'a'), Some(b'b')]);
    }

    #[tokio::test]
    async fn a_dead_upstream_is_skipped() {
        let lb = balancer(vec![upstream(b'a').await, dead().await]).await;
        for _ in 0..3 {
            assert_eq!(tag_of(lb).await, Some(b'a'));
        }
    }

    #[tokio::test]
    async fn the_client_is_closed_when_no_upstream_answers() {
        let lb = balancer(vec![dead().await, dead().await]).await;
        assert_eq!(tag_of(lb).await, None);
    }
}
