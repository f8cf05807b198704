//! The collector sheds slow and idle clients (issue 9): half-sent headers, a body sent a byte
//! at a time, idle keep-alive connections and more connections than `max_connections` are
//! driven by raw TCP clients on loopback against `serve::serve` with timeouts of a few
//! hundred milliseconds. Each closing is asserted with a generous upper bound (seconds, far
//! below the minutes a slow client used to hold a connection); no test asserts that something
//! took at least some time, so a loaded machine cannot make one fail.
mod common;

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use touchpoint_server::config::{Environment, Limits};
use touchpoint_server::{app, StaticDirs};

/// Long enough never to fire in a test that is about another timeout.
const LONG: Duration = Duration::from_secs(30);
/// Short: the timeout under test.
const SHORT: Duration = Duration::from_millis(300);
/// How long a test waits for the server to act: ten times what the timeout needs, and more.
const BOUND: Duration = Duration::from_secs(10);

fn limits(header: Duration, body: Duration, idle: Duration, max_connections: usize) -> Limits {
    Limits {
        header_read_timeout: header,
        body_read_timeout: body,
        idle_timeout: idle,
        max_connections,
        ..Limits::default()
    }
}

struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn start(limits: Limits) -> Server {
    let (state, dir) = common::sqlite_state(vec![Environment::open("pk_test")]).await;
    let router = app(state.with_limits(limits), &StaticDirs::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(touchpoint_server::serve::serve(
        listener,
        router,
        limits,
        async move {
            let _ = stopped.await;
        },
    ));
    Server {
        addr,
        stop: Some(stop),
        done,
        _dir: dir,
    }
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";

/// Read one response (head and `Content-Length` body) off a kept-alive connection.
async fn read_response(conn: &mut TcpStream) -> String {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&data).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return text;
            }
        }
        let n = timeout(BOUND, conn.read(&mut buf))
            .await
            .expect("a response in time")
            .expect("read");
        assert!(n > 0, "closed before a whole response: {text:?}");
        data.extend_from_slice(&buf[..n]);
    }
}

/// Read until the server closes; what arrived before. Fails if it is still open after
/// [`BOUND`]. A reset counts as closed (it follows a close with unread input).
async fn read_until_closed(conn: &mut TcpStream) -> String {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let closing = async {
        loop {
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => data.extend_from_slice(&buf[..n]),
            }
        }
    };
    timeout(BOUND, closing)
        .await
        .expect("the server closes the connection in time");
    String::from_utf8_lossy(&data).into_owned()
}

#[tokio::test]
async fn half_sent_headers_are_closed_after_the_header_timeout() {
    let server = start(limits(SHORT, LONG, LONG, 100)).await;
    let mut conn = TcpStream::connect(server.addr).await.expect("connect");
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        .await
        .expect("half a head");
    let answer = read_until_closed(&mut conn).await;
    assert_eq!(answer, "", "closed without an answer");

    // A connection that sends nothing at all owes a head just the same.
    let mut silent = TcpStream::connect(server.addr).await.expect("connect");
    assert_eq!(read_until_closed(&mut silent).await, "");
}

#[tokio::test]
async fn trickled_header_bytes_do_not_extend_the_header_timeout() {
    let server = start(limits(SHORT, LONG, LONG, 100)).await;
    let conn = TcpStream::connect(server.addr).await.expect("connect");
    let (mut read, mut write) = conn.into_split();
    // Longer than the test's bound: only the header timeout can end this.
    let trickle = tokio::spawn(async move {
        let _ = write.write_all(b"GET /healthz HTTP/1.1\r\nX-Slow: ").await;
        for _ in 0..1000 {
            if write.write_all(b"a").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let mut buf = [0u8; 64];
    let read = timeout(BOUND, read.read(&mut buf))
        .await
        .expect("closed while the head was still trickling in");
    assert!(
        matches!(read, Ok(0) | Err(_)),
        "no answer to half a head: {read:?}"
    );
    trickle.abort();
}

#[tokio::test]
async fn a_body_sent_a_byte_at_a_time_is_answered_408_and_closed() {
    let server = start(limits(LONG, SHORT, LONG, 100)).await;
    let conn = TcpStream::connect(server.addr).await.expect("connect");
    let (mut read, mut write) = conn.into_split();
    write
        .write_all(
            b"POST /v1/events?key=pk_test HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"events\": [",
        )
        .await
        .expect("head and the start of the body");
    // Never idle for long, so only a deadline for the whole body can stop it.
    let trickle = tokio::spawn(async move {
        for _ in 0..1000 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if write.write_all(b" ").await.is_err() {
                return;
            }
        }
    });
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let closing = async {
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => data.extend_from_slice(&buf[..n]),
            }
        }
    };
    timeout(BOUND, closing)
        .await
        .expect("answered and closed in time");
    trickle.abort();
    let answer = String::from_utf8_lossy(&data);
    assert!(answer.starts_with("HTTP/1.1 408"), "answered: {answer}");
    assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    // The head timeout is long: only the idle timeout can close this connection in time.
    let server = start(limits(LONG, LONG, SHORT, 100)).await;
    let mut conn = TcpStream::connect(server.addr).await.expect("connect");
    for _ in 0..2 {
        conn.write_all(HEALTHZ).await.expect("request");
        let answer = read_response(&mut conn).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    assert_eq!(read_until_closed(&mut conn).await, "");
}

#[tokio::test]
async fn after_a_response_the_next_head_gets_the_header_timeout_from_its_first_byte() {
    let server = start(limits(SHORT, LONG, LONG, 100)).await;
    let mut conn = TcpStream::connect(server.addr).await.expect("connect");
    conn.write_all(HEALTHZ).await.expect("request");
    assert!(read_response(&mut conn).await.starts_with("HTTP/1.1 200"));
    conn.write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .expect("half the next head");
    assert_eq!(read_until_closed(&mut conn).await, "");
}

#[tokio::test]
async fn beyond_max_connections_the_next_one_waits_until_a_slot_frees() {
    let server = start(limits(LONG, LONG, LONG, 2)).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut conn = TcpStream::connect(server.addr).await.expect("connect");
        conn.write_all(HEALTHZ).await.expect("request");
        assert!(read_response(&mut conn).await.starts_with("HTTP/1.1 200"));
        held.push(conn);
    }
    // The kernel completes the handshake (the backlog); the collector does not accept it.
    let mut third = TcpStream::connect(server.addr).await.expect("connect");
    third.write_all(HEALTHZ).await.expect("request");
    let mut buf = [0u8; 64];
    let early = timeout(Duration::from_millis(500), third.read(&mut buf)).await;
    assert!(
        early.is_err(),
        "the third connection is not served while two are open: {early:?}"
    );
    drop(held.remove(0));
    let answer = read_response(&mut third).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The one still held was not disturbed.
    held[0].write_all(HEALTHZ).await.expect("request");
    assert!(read_response(&mut held[0])
        .await
        .starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn shutdown_closes_idle_connections_at_once_and_returns() {
    let mut server = start(limits(LONG, LONG, LONG, 100)).await;
    let mut conn = TcpStream::connect(server.addr).await.expect("connect");
    conn.write_all(HEALTHZ).await.expect("request");
    assert!(read_response(&mut conn).await.starts_with("HTTP/1.1 200"));
    // One that never sent a byte (a browser's preconnect) does not hold shutdown up either.
    // Connections are accepted in the order they were made, so once a later one is served
    // the fresh one has been accepted too.
    let mut fresh = TcpStream::connect(server.addr).await.expect("connect");
    let mut probe = TcpStream::connect(server.addr).await.expect("connect");
    probe.write_all(HEALTHZ).await.expect("request");
    assert!(read_response(&mut probe).await.starts_with("HTTP/1.1 200"));
    let _ = server.stop.take().expect("not stopped yet").send(());
    timeout(BOUND, &mut server.done)
        .await
        .expect("serve returns without waiting for the idle timeout")
        .expect("serve task");
    assert_eq!(read_until_closed(&mut conn).await, "");
    assert_eq!(read_until_closed(&mut fresh).await, "");
    assert!(
        TcpStream::connect(server.addr).await.is_err(),
        "no longer listening"
    );
}
