//! One log line per request at `info`: method, path, status, latency and request id, so that
//! the `x-request-id` a client quotes leads to its line. The path is logged without its query
//! string, which carries the publishable key and user ids. Fields are structured, so
//! `--log-format json` writes them as JSON fields.
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tower_http::request_id::RequestId;

/// The middleware; sits inside the layer that sets the request id.
pub async fn log_request(req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|r| r.header_value().to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let res = next.run(req).await;
    // Tenths of a millisecond: enough to tell a cache hit from a database write.
    let latency_ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    tracing::info!(
        method = %method,
        path = %path,
        status = res.status().as_u16(),
        latency_ms,
        request_id = %id,
        "request"
    );
    res
}
