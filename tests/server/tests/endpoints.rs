//! End-to-end checks of the test server over real TCP, with a minimal
//! hand-written HTTP/1.1 client (no client library: compile time matters).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

/// Starts a server on a free loopback port, in this test's runtime.
async fn start() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(sse_test_server::serve(listener));
    addr
}

/// Opens a connection and sends `method path` with extra header lines
/// (raw bytes, so tests can send non-UTF-8 values).
async fn send(addr: SocketAddr, method: &str, path: &str, headers: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n").into_bytes();
    req.extend_from_slice(headers);
    req.extend_from_slice(b"\r\n");
    s.write_all(&req).await.unwrap();
    s
}

/// A response read until the server closed the connection.
struct Resp {
    /// Status line and headers, header names as sent (lowercase by hyper).
    head: String,
    body: Vec<u8>,
    /// Whether a chunked body ended with its terminating empty chunk.
    complete: bool,
}

impl Resp {
    fn status(&self) -> u16 {
        self.head[9..12].parse().unwrap()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads everything until close (a reset counts as close: `/drop` causes one).
async fn read_all(mut s: TcpStream) -> Resp {
    let mut raw = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = s.read(&mut buf).await {
            raw.extend_from_slice(&buf[..n]);
        }
    };
    timeout(Duration::from_secs(5), read)
        .await
        .expect("response not finished in 5 s");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no header end")
        + 4;
    let head = String::from_utf8(raw[..end].to_vec()).unwrap();
    let mut resp = Resp {
        head,
        body: Vec::new(),
        complete: true,
    };
    if resp.header("transfer-encoding") == Some("chunked") {
        let (body, complete) = dechunk(&raw[end..]);
        resp.body = body;
        resp.complete = complete;
    } else {
        resp.body = raw[end..].to_vec();
    }
    resp
}

async fn get(addr: SocketAddr, path: &str) -> Resp {
    read_all(send(addr, "GET", path, b"").await).await
}

/// Decodes a chunked body; `false` if it stops before the final empty chunk.
fn dechunk(mut rest: &[u8]) -> (Vec<u8>, bool) {
    let mut body = Vec::new();
    loop {
        let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") else {
            return (body, false);
        };
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap(), 16).unwrap();
        if size == 0 {
            return (body, true);
        }
        let start = eol + 2;
        if rest.len() < start + size + 2 {
            return (body, false);
        }
        body.extend_from_slice(&rest[start..start + size]);
        rest = &rest[start + size + 2..];
    }
}

#[tokio::test]
async fn events_have_ids_and_resume_after_last_event_id() {
    let addr = start().await;
    let r = get(addr, "/events?id_start=5&event=tick&retry=100").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert_eq!(
        r.text(),
        "retry: 100\n\nevent: tick\nid: 5\ndata: 0\n\nevent: tick\nid: 6\ndata: 1\n\n\
         event: tick\nid: 7\ndata: 2\n\n"
    );
    assert!(r.complete);

    let s = send(
        addr,
        "GET",
        "/events?id_start=5&json=1",
        b"Last-Event-ID: 5\r\n",
    )
    .await;
    assert_eq!(
        read_all(s).await.text(),
        "id: 6\ndata: {\"n\":1}\n\nid: 7\ndata: {\"n\":2}\n\n"
    );

    let r = get(
        addr,
        "/events?id_start=5&last_event_id=6&data=x&content_type=text/plain",
    )
    .await;
    assert_eq!(r.text(), "id: 7\ndata: x\n\n");
    assert_eq!(r.header("content-type"), Some("text/plain"));
}

#[tokio::test]
async fn preflight_echoes_requested_headers_and_origin() {
    let addr = start().await;
    let ask = b"Origin: http://127.0.0.1:9\r\n\
                Access-Control-Request-Method: GET\r\n\
                Access-Control-Request-Headers: authorization,last-event-id,x-custom\r\n";
    let r = read_all(send(addr, "OPTIONS", "/anything?tag=p", ask).await).await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://127.0.0.1:9")
    );
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("GET, POST, OPTIONS")
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("authorization, last-event-id, x-custom")
    );
    assert_eq!(r.header("access-control-max-age"), Some("0"));

    let r = read_all(send(addr, "OPTIONS", "/events?no_cors_lei=1&tag=p", ask).await).await;
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("authorization, x-custom")
    );

    // Preflights are counted apart from requests.
    let stats = get(addr, "/stats?tag=p").await.text();
    assert!(
        stats.starts_with(r#"{"requests":0,"preflights":2,"open":0,"#),
        "{stats}"
    );

    let r = get(addr, "/health").await;
    assert_eq!(r.text(), "ok");
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("vary"), Some("Origin"));
}

#[tokio::test]
async fn stats_track_requests_and_open_streams_until_client_leaves() {
    let addr = start().await;
    let mut s = send(
        addr,
        "GET",
        "/events?tag=hold&count=1&hold=1",
        b"X-Test: yes\r\n",
    )
    .await;
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("data: 0\n\n") {
        let n = timeout(Duration::from_secs(5), s.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed before the first event");
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(String::from_utf8_lossy(&seen).contains("x-request-count: 1\r\n"));

    let stats = get(addr, "/stats?tag=hold").await.text();
    assert!(stats.starts_with(r#"{"requests":1,"preflights":0,"open":1,"records":[{"method":"GET","uri":"/events?tag=hold&count=1&hold=1","#), "{stats}");
    assert!(stats.contains(r#""x-test":"yes""#), "{stats}");

    drop(s);
    let closed = async {
        while get(addr, "/stream-counter?tag=hold").await.text() != r#"{"open":0}"# {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    timeout(Duration::from_secs(2), closed)
        .await
        .expect("stream still open 2 s after the client left");
}

#[tokio::test]
async fn drop_cuts_the_connection_mid_event_then_resumes() {
    let addr = start().await;
    let r = get(addr, "/drop?tag=d&after=2&mid=1&count=4&drops=1").await;
    assert_eq!(
        r.text(),
        "id: 0\ndata: 0\n\nid: 1\ndata: 1\n\nid: 2\ndata: partial"
    );
    assert!(!r.complete, "the body must end without its final chunk");

    let s = send(
        addr,
        "GET",
        "/drop?tag=d&after=2&mid=1&count=4&drops=1",
        b"Last-Event-ID: 1\r\n",
    )
    .await;
    let r = read_all(s).await;
    assert_eq!(r.text(), "id: 2\ndata: 2\n\nid: 3\ndata: 3\n\n");
    assert!(r.complete);
}

#[tokio::test]
async fn echo_decodes_header_values_as_utf8() {
    let addr = start().await;
    let s = send(
        addr,
        "POST",
        "/echo?q=1",
        b"Last-Event-ID: caf\xc3\xa9\r\nContent-Length: 2\r\n\r\nhi",
    )
    .await;
    let text = read_all(s).await.text();
    assert!(
        text.starts_with("event: echo\ndata: {\"method\":\"POST\",\"headers\":{"),
        "{text}"
    );
    assert!(text.contains(r#""last-event-id":"café""#), "{text}");
    assert!(
        text.ends_with("},\"body\":\"hi\",\"query\":\"q=1\"}\n\n"),
        "{text}"
    );
}

#[tokio::test]
async fn script_follows_its_steps_per_tag_and_resumes() {
    let addr = start().await;
    let url = "/script?tag=s&steps=drop:2,503,rest&count=4&retry_after=1";
    let r = get(addr, url).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert_eq!(r.text(), "id: 1\ndata: 0\n\nid: 2\ndata: 1\n\n");
    assert!(!r.complete, "drop:2 must cut the connection");

    // Another tag has its own script position.
    let r = get(addr, "/script?tag=other&steps=end:1,204").await;
    assert_eq!(r.text(), "id: 1\ndata: 0\n\n");
    assert!(r.complete);
    let r = get(addr, "/script?tag=other&steps=end:1,204").await;
    assert_eq!(r.status(), 204);
    assert_eq!(r.header("content-length"), None);
    assert_eq!(r.text(), "");

    let r = read_all(send(addr, "GET", url, b"Last-Event-ID: 2\r\n").await).await;
    assert_eq!(r.status(), 503);
    assert_eq!(r.header("content-type"), Some("text/plain"));
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(
        r.text(),
        "script: request 2 answers 503 Service Unavailable"
    );

    let r = read_all(send(addr, "GET", url, b"Last-Event-ID: 2\r\n").await).await;
    assert_eq!(r.text(), "id: 3\ndata: 2\n\nid: 4\ndata: 3\n\n");
    assert!(r.complete);

    // Past the last step, the last one repeats.
    let r = get(addr, url).await;
    assert_eq!(r.header("x-request-count"), Some("4"));
    assert_eq!(
        r.text(),
        "id: 1\ndata: 0\n\nid: 2\ndata: 1\n\nid: 3\ndata: 2\n\nid: 4\ndata: 3\n\n"
    );
    let stats = get(addr, "/stats?tag=s").await.text();
    assert!(
        stats.starts_with(r#"{"requests":4,"preflights":0,"open":0,"#),
        "{stats}"
    );
}

#[tokio::test]
async fn script_resumes_from_header_before_query_parameter() {
    let addr = start().await;
    let url = "/script?steps=end:2&id_start=10&last_event_id=10";
    let r = get(addr, url).await;
    assert_eq!(r.text(), "id: 11\ndata: 1\n\nid: 12\ndata: 2\n\n");
    assert!(r.complete);

    let r = read_all(send(addr, "GET", url, b"Last-Event-ID: 12\r\n").await).await;
    assert_eq!(r.text(), "id: 13\ndata: 3\n\nid: 14\ndata: 4\n\n");
}

#[tokio::test]
async fn script_sends_retry_and_greeting_first_and_mid_cuts() {
    let addr = start().await;
    let r = get(
        addr,
        "/script?steps=mid:1&retry=250&greet=hello&event=tick&json=1",
    )
    .await;
    assert_eq!(
        r.text(),
        "retry: 250\n\ndata: hello\n\nevent: tick\nid: 1\ndata: {\"n\":0}\n\nid: 2\ndata: partial"
    );
    assert!(!r.complete);

    // Nothing left to send: the prefix, then the step's own ending.
    let s = send(
        addr,
        "GET",
        "/script?steps=end:3&count=2&retry=250&greet=hello",
        b"Last-Event-ID: 2\r\n",
    )
    .await;
    let r = read_all(s).await;
    assert_eq!(r.text(), "retry: 250\n\ndata: hello\n\n");
    assert!(r.complete);
}

#[tokio::test]
async fn script_idonly_consumes_an_id_and_clearid_empties_it() {
    let addr = start().await;
    let url = "/script?tag=i&steps=idonly:2,rest&count=5";
    let r = get(addr, url).await;
    assert_eq!(r.text(), "id: 1\ndata: 0\n\nid: 2\ndata: 1\n\nid: 3\n\n");
    assert!(!r.complete);
    // The client's last event ID is now 3: event 2 (id 3) is skipped.
    let r = read_all(send(addr, "GET", url, b"Last-Event-ID: 3\r\n").await).await;
    assert_eq!(r.text(), "id: 4\ndata: 3\n\nid: 5\ndata: 4\n\n");
    assert!(r.complete);

    let url = "/script?tag=c&steps=clearid:1,rest&count=2";
    let r = get(addr, url).await;
    assert_eq!(r.text(), "id: 1\ndata: 0\n\nid:\ndata: cleared\n\n");
    assert!(!r.complete);
    let r = get(addr, url).await;
    assert_eq!(r.text(), "id: 1\ndata: 0\n\nid: 2\ndata: 1\n\n");
    assert!(r.complete);
}

#[tokio::test]
async fn script_rejects_bad_steps() {
    let addr = start().await;
    for url in [
        "/script",
        "/script?steps=drop",
        "/script?steps=drop:x",
        "/script?steps=boom:1",
        "/script?steps=rest,101",
        "/script?steps=rest&count=x",
    ] {
        let r = get(addr, url).await;
        assert_eq!(r.status(), 400, "{url}");
        assert!(!r.text().is_empty(), "{url}");
    }
    let r = get(addr, "/script?steps=rest,drop:1,boom").await;
    assert_eq!(r.text(), "invalid step \"boom\" in steps=");
}
