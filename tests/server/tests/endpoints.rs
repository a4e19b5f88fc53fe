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

/// A `POST` without a body, read to the end.
async fn post(addr: SocketAddr, path: &str) -> Resp {
    read_all(send(addr, "POST", path, b"").await).await
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

#[tokio::test]
async fn flood_repeats_one_byte_then_the_tail_and_floods_only_the_first_requests() {
    let addr = start().await;
    let url = "/flood?tag=f&bytes=150000&byte=61&then=%0A%0Adata:%20after%0A%0A&repeat=2&floods=1";
    let r = get(addr, url).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    let block = [vec![b'a'; 150_000], b"\n\ndata: after\n\n".to_vec()].concat();
    assert_eq!(r.body.len(), 2 * block.len());
    assert!(
        r.body == [block.clone(), block].concat(),
        "flood, tail, flood, tail"
    );
    assert!(r.complete, "a clean end");

    // The second request of the tag: only the tail, `repeat` times.
    assert_eq!(
        get(addr, url).await.text(),
        "\n\ndata: after\n\n\n\ndata: after\n\n"
    );

    for bad in ["/flood?byte=7", "/flood?byte=zz", "/flood?bytes=-1"] {
        assert_eq!(get(addr, bad).await.status(), 400, "{bad}");
    }
}

#[tokio::test]
async fn redirect_answers_its_location_and_refuses_other_statuses() {
    let addr = start().await;
    let r = get(
        addr,
        "/redirect?tag=r&to=http%3A%2F%2F127.0.0.1%3A9%2Fevents%3Ftag%3Dr%26count%3D1",
    )
    .await;
    assert_eq!(r.status(), 302);
    assert_eq!(
        r.header("location"),
        Some("http://127.0.0.1:9/events?tag=r&count=1")
    );
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        get(addr, "/redirect?to=/events&status=307").await.status(),
        307
    );
    assert_eq!(
        get(addr, "/redirect?to=/events&status=200").await.status(),
        400
    );
    assert_eq!(get(addr, "/redirect").await.status(), 400);
    // Counted under its tag like any scenario request.
    let stats = get(addr, "/stats?tag=r").await.text();
    assert!(stats.starts_with(r#"{"requests":1,"#), "{stats}");
}

#[tokio::test]
async fn set_cookie_answers_a_cookie_for_every_path() {
    let addr = start().await;
    let r = get(addr, "/set-cookie?name=flavour&value=chocolate").await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        r.header("set-cookie"),
        Some("flavour=chocolate; Path=/; SameSite=Lax")
    );
    let r = get(addr, "/set-cookie?name=a&value=b&same_site=Strict").await;
    assert_eq!(r.header("set-cookie"), Some("a=b; Path=/; SameSite=Strict"));
    assert_eq!(get(addr, "/set-cookie?value=b").await.status(), 400);
}

#[tokio::test]
async fn a_peer_listener_serves_the_same_app_and_statistics() {
    let main = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let peer = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (main_addr, peer_addr) = (main.local_addr().unwrap(), peer.local_addr().unwrap());
    tokio::spawn(sse_test_server::serve_pair(
        main,
        peer,
        sse_test_server::BenchConfig::default(),
    ));
    assert_eq!(
        get(peer_addr, "/events?tag=pair&count=1").await.text(),
        "data: 0\n\n"
    );
    get(main_addr, "/events?tag=pair&count=1").await;
    let stats = get(main_addr, "/stats?tag=pair").await.text();
    assert!(stats.starts_with(r#"{"requests":2,"#), "{stats}");
    assert!(
        stats.contains(&format!(r#""host":"{peer_addr}""#)),
        "{stats}"
    );
}

/// Everything the server sent until it closed the connection or went
/// quiet for `quiet` (a stall, a held stream); empty after a reset.
async fn read_until_quiet(mut s: TcpStream, quiet: Duration) -> Vec<u8> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(Ok(n @ 1..)) = timeout(quiet, s.read(&mut buf)).await {
        raw.extend_from_slice(&buf[..n]);
    }
    raw
}

#[tokio::test]
async fn chaos_answers_every_request_with_a_reproducible_fault_and_resumes() {
    let addr = start().await;
    let mut seen = std::collections::BTreeSet::new();
    for tag in ["c1", "c2"] {
        for _ in 0..40 {
            let path = format!("/chaos?tag={tag}&seed=7&count=500&run=5&greet=hi&retry=100");
            let s = send(addr, "GET", &path, b"Last-Event-ID: 10\r\n").await;
            let raw = read_until_quiet(s, Duration::from_millis(400)).await;
            let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
                assert!(raw.is_empty(), "a reset sends nothing");
                seen.insert("reset".to_owned());
                continue;
            };
            let head = String::from_utf8_lossy(&raw[..end]).into_owned();
            let status = &head[9..12];
            seen.insert(status.to_owned());
            let retry_after = head
                .lines()
                .find_map(|l| l.strip_prefix("retry-after: "))
                .map(str::to_owned);
            match status {
                "503" => assert_eq!(retry_after.as_deref(), Some("0")),
                "429" => assert_eq!(retry_after.as_deref(), Some("1")),
                "500" => assert_eq!(retry_after, None),
                "200" => {
                    let (body, _) = dechunk(&raw[end + 4..]);
                    let body = String::from_utf8_lossy(&body).into_owned();
                    assert!(body.starts_with("retry: 100\n\ndata: hi\n\n"), "{body}");
                    // Resumed after id 10, in order, with two data lines each.
                    assert!(body.contains("\nid: 11\ndata: {\"n\":10,"), "{body}");
                    assert!(body.contains("\ndata: 第二行 10\n\n"), "{body}");
                    assert!(!body.contains("id: 10\n"), "{body}");
                }
                other => panic!("unexpected status {other}"),
            }
        }
    }
    for kind in ["reset", "500", "503", "429", "200"] {
        assert!(seen.contains(kind), "no {kind} in 80 requests: {seen:?}");
    }
    // The same seed gives the same plans, whatever the tag.
    let plans = |tag: &'static str| async move {
        let log = get(addr, &format!("/chaos/log?tag={tag}")).await.text();
        log[log.find("\"plans\"").unwrap()..].to_owned()
    };
    assert_eq!(plans("c1").await, plans("c2").await);
    let log = get(addr, "/chaos/log?tag=c1").await.text();
    assert!(log.starts_with("{\"connections\":40,"), "{log}");
}

/// Reads from `s` until what arrived so far contains `needle`; returns it.
async fn read_until(s: &mut TcpStream, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains(needle) {
        let n = timeout(Duration::from_secs(5), s.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("no {needle:?} in 5 s: {seen:?}"))
            .unwrap();
        assert!(n > 0, "closed before {needle:?}");
        seen.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn ping_publishes_to_the_streams_of_its_channel() {
    let addr = start().await;
    let mut stream = send(addr, "GET", "/ping/stream?channel=c", b"").await;
    // The headers and a comment come before any event: the page waits for
    // the stream to open before its first ping.
    let head = read_until(&mut stream, "\r\n:\n\r\n").await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.contains("content-type: text/event-stream\r\n"),
        "{head}"
    );
    assert!(head.contains("x-accel-buffering: no\r\n"), "{head}");

    for seq in [7, 8] {
        let r = post(addr, &format!("/ping/send?channel=c&seq={seq}")).await;
        assert_eq!(r.status(), 204);
        assert_eq!(r.header("x-ping-receivers"), Some("1"));
        // Flushed at once, each event in its own chunk.
        read_until(&mut stream, &format!("id: {seq}\ndata: {seq}\n\n\r\n")).await;
    }
    let r = post(addr, "/ping/send?channel=other&seq=1").await;
    assert_eq!(r.header("x-ping-receivers"), Some("0"));

    // Once the stream is gone, so is the channel's only receiver.
    drop(stream);
    let gone = async {
        loop {
            let r = post(addr, "/ping/send?channel=c&seq=9").await;
            if r.header("x-ping-receivers") == Some("0") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    timeout(Duration::from_secs(2), gone)
        .await
        .expect("the stream still receives 2 s after the client left");

    let r = post(addr, "/ping/echo").await;
    assert_eq!(r.status(), 204);
    assert_eq!(r.text(), "");
    for bad in [
        "/ping/send?channel=c",
        "/ping/send?seq=1",
        "/ping/send?channel=c&seq=x",
    ] {
        assert_eq!(post(addr, bad).await.status(), 400, "{bad}");
    }
    assert_eq!(get(addr, "/ping/stream").await.status(), 400);
}
