//! Helpers shared by the server's integration tests: a router over a fresh SQLite file, the
//! PostgreSQL URL policy, and event builders.
#![allow(dead_code)]

pub mod workspace;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;
use touchpoint_server::{
    app, catalog::Catalog, store::SqliteStore, AppState, Environment, StaticDirs,
};
use tower::ServiceExt;

/// A fixed "now" for tests: 2026-11-23T00:00:00Z.
pub const NOW: i64 = 1_795_392_000_000;

/// The PostgreSQL URL used by the shared suites. With `CI` set, a missing server is an error
/// (the suite must run); elsewhere, `None` means skip with a visible message.
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("TOUCHPOINT_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let reachable = std::net::TcpStream::connect_timeout(
        &"127.0.0.1:5432".parse().expect("address"),
        std::time::Duration::from_secs(2),
    )
    .is_ok()
        || !url.contains("127.0.0.1:5432");
    if reachable {
        Some(url)
    } else if std::env::var_os("CI").is_some() {
        panic!(
            "CI is set but PostgreSQL is not reachable at {url}: the Postgres suite must run in CI"
        );
    } else {
        eprintln!("SKIPPED: PostgreSQL not reachable at {url}; set CI=1 to make this an error");
        None
    }
}

/// A router over a new SQLite database in a temp dir, with an open environment `pk_test` and
/// admin token `admin`.
pub async fn sqlite_app() -> (axum::Router, tempfile::TempDir) {
    let (state, dir) = sqlite_state(vec![Environment::open("pk_test")]).await;
    (app(state, &StaticDirs::default()), dir)
}

/// State over a new SQLite database with the given environments and admin token `admin`.
pub async fn sqlite_state(environments: Vec<Environment>) -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("t.db");
    let store = Arc::new(
        SqliteStore::open(db.to_str().expect("utf-8 path"))
            .await
            .expect("open sqlite"),
    );
    let state = AppState::new(
        store,
        Catalog::new(Vec::new()),
        environments,
        Some("admin".into()),
    )
    .with_clock(Arc::new(|| NOW));
    (state, dir)
}

/// Serve `router` on a free loopback port (with client addresses, for per-IP limits);
/// returns the base URL.
pub async fn serve_loopback(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(touchpoint_server::serve::serve(
        listener,
        router,
        touchpoint_server::config::Limits::default(),
        std::future::pending(),
    ));
    format!("http://{addr}")
}

/// Send a request and return the status and JSON body.
pub async fn send(router: &axum::Router, req: Request<Body>) -> (StatusCode, serde_json::Value) {
    let res = router.clone().oneshot(req).await.expect("router answers");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, json)
}

/// `POST /v1/events?key=pk_test` with a JSON body.
pub fn post_events(body: &str) -> Request<Body> {
    Request::post("/v1/events?key=pk_test")
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .expect("request")
}

/// A valid event JSON with the given id and type.
pub fn event(id: &str, kind: &str) -> serde_json::Value {
    serde_json::json!({ "id": id, "type": kind, "ts": NOW - 1000, "user_id": "u1", "campaign_id": "c1" })
}

/// The i-th test UUID.
pub fn uuid(i: u32) -> String {
    format!("0190f3a2-7b1c-7000-8000-{i:012x}")
}

/// Drop a test schema (and everything in it) so repeated runs leave the shared database clean.
pub async fn drop_schema(url: &str, schema: &str) {
    let pool = sqlx::PgPool::connect(url)
        .await
        .expect("connect to drop the test schema");
    sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .execute(&pool)
        .await
        .expect("drop the test schema");
    pool.close().await;
}

/// A `touchpoint serve` process of the real binary on a free loopback port, with key
/// `pk_test` and admin token `admin`; killed when dropped.
pub struct Collector {
    /// The child process.
    pub child: std::process::Child,
    /// `host:port` it listens on.
    pub addr: String,
}

impl Collector {
    /// Start one over `database_url` with the campaigns in `campaigns`.
    pub fn start(database_url: &std::ffi::OsStr, campaigns: &std::path::Path) -> Self {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_touchpoint"))
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--key",
                "pk_test",
                "--admin-token",
                "admin",
            ])
            .arg("--database-url")
            .arg(database_url)
            .arg("--campaigns")
            .arg(campaigns)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start touchpoint");
        let stdout = child.stdout.take().expect("stdout");
        let line = std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find(|l| l.contains("listening on"))
            .expect("address line");
        let addr = line.rsplit("http://").next().expect("address").to_owned();
        Self { child, addr }
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
