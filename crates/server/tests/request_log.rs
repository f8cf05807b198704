//! The request log as the README documents it (issue 9): at the default level, the real
//! binary writes one line per request with its method, its path without the query string
//! (where the publishable key and user ids are), its status, its latency and the request id
//! the response carried, as text and as JSON fields.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A `touchpoint serve` with the default log level; its stdout and stderr lines arrive on
/// the channel. Killed when dropped.
struct Running {
    child: Child,
    addr: String,
    lines: mpsc::Receiver<String>,
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(log_format: &str) -> Running {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(["--log-format", log_format, "serve", "--bind", "127.0.0.1:0"])
        .args(["--key", "pk_test", "--campaigns"])
        .arg(dir.path())
        .arg("--database-url")
        .arg(dir.path().join("events.db"))
        .env_remove("RUST_LOG")
        .env_remove("TOUCHPOINT_LOG_FORMAT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start touchpoint");
    let (tx, lines) = mpsc::channel();
    let out = child.stdout.take().expect("stdout");
    let err = child.stderr.take().expect("stderr");
    for stream in [Box::new(out) as Box<dyn Read + Send>, Box::new(err)] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
    }
    let addr = wait_for(&lines, |l| l.contains("listening on http://"))
        .rsplit("http://")
        .next()
        .expect("address")
        .to_owned();
    Running {
        child,
        addr,
        lines,
        _dir: dir,
    }
}

/// The first line that satisfies `found`, within a generous bound.
fn wait_for(lines: &mpsc::Receiver<String>, found: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) if found(&line) => return line,
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    panic!("no such line; the collector wrote:\n{}", seen.join("\n"));
}

/// A request carrying the key and a user id in its query; the response's `x-request-id`.
fn request_id(addr: &str) -> String {
    let mut conn = TcpStream::connect(addr).expect("connect");
    conn.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        conn,
        "GET /v1/history?key=pk_test&user_id=ada-secret HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut answer = String::new();
    conn.read_to_string(&mut answer).expect("answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    answer
        .lines()
        .find_map(|l| l.strip_prefix("x-request-id: "))
        .expect("an x-request-id header")
        .trim()
        .to_owned()
}

#[test]
fn each_request_has_one_text_log_line_with_its_id_and_no_query() {
    let server = start("text");
    let id = request_id(&server.addr);
    let line = wait_for(&server.lines, |l| l.contains(&id));
    for part in [
        " INFO ",
        "method=GET",
        "path=/v1/history",
        "status=200",
        "latency_ms=",
    ] {
        assert!(line.contains(part), "{part:?} missing from: {line}");
    }
    assert!(
        !line.contains("pk_test") && !line.contains("ada-secret") && !line.contains('?'),
        "the query string stays out of the log: {line}"
    );
}

#[test]
fn json_logs_carry_the_request_as_fields() {
    let server = start("json");
    let id = request_id(&server.addr);
    let line = wait_for(&server.lines, |l| l.contains(&id));
    let entry: serde_json::Value = serde_json::from_str(&line).expect("a JSON log line");
    assert_eq!(entry["level"], "INFO", "{line}");
    let fields = &entry["fields"];
    assert_eq!(fields["method"], "GET", "{line}");
    assert_eq!(fields["path"], "/v1/history", "{line}");
    assert_eq!(fields["status"], 200, "{line}");
    assert_eq!(fields["request_id"], id.as_str(), "{line}");
    assert!(fields["latency_ms"].is_number(), "{line}");
    assert!(!line.contains("ada-secret"), "{line}");
}
