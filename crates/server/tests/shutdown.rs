//! Graceful shutdown: a batch that is in flight when the collector is told to stop (SIGTERM,
//! as a deploy or a supervisor does) is still read, stored and answered before the process
//! exits; only then does the port close.
mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

#[test]
fn an_in_flight_batch_is_stored_before_exit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("events.db");
    let mut collector = common::Collector::start(db.as_os_str(), dir.path());
    let addr = collector.addr.clone();

    let body =
        serde_json::json!({ "events": [common::event(&common::uuid(7), "cta")] }).to_string();
    let (head, tail) = body.split_at(body.len() / 2);
    let mut conn = TcpStream::connect(&addr).expect("connect");
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        conn,
        "POST /v1/events?key=pk_test HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{head}",
        body.len()
    )
    .expect("send the first half");
    conn.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(300));

    let killed = Command::new("kill")
        .args(["-TERM", &collector.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        collector.child.try_wait().expect("poll").is_none(),
        "the collector waits for the request in flight"
    );

    conn.write_all(tail.as_bytes()).expect("send the rest");
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "answered: {answer}");
    assert!(answer.contains("\"accepted\":1"), "answered: {answer}");

    let status = collector.child.wait().expect("exit");
    assert!(status.success(), "clean exit after draining: {status}");

    // The row is in the database: a new collector on the same file sees it.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let count = rt.block_on(async {
        let store = touchpoint_server::store::SqliteStore::open(db.to_str().expect("path"))
            .await
            .expect("open");
        touchpoint_server::store::Store::count_events(&store, &Default::default())
            .await
            .expect("count")
    });
    assert_eq!(count, 1);
}
