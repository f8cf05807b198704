//! Sending one event batch with `fetch` and reporting the collector's answer as data (status,
//! `Retry-After`, body), so the pure delivery logic decides what it means. Unlike
//! [`super::http`], an error status is an answer here, not a failure: only "no answer at all"
//! is an error.
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

/// The collector's answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The `Retry-After` header, as sent.
    pub retry_after: Option<String>,
    /// The body text (empty when unreadable).
    pub body: String,
}

/// Why no answer came.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    /// There is no window (a worker, a torn-down page).
    #[error("no window to fetch from")]
    NoWindow,
    /// The network failed, the request was blocked, or (keepalive) over the browser's quota.
    #[error("network error: {0}")]
    Network(String),
}

use crate::effects::platform::js_message as message;

/// POST `body` to `url`. The body goes as `text/plain` (a string body's default), which
/// needs no CORS preflight: one request per batch, and nothing has to round-trip before a
/// page that is going away is gone. The collector reads the body as JSON whatever its
/// content type. With `keepalive` the request outlives the page (browsers cap such bodies at
/// 64 KB in flight per page).
///
/// # Errors
/// [`TransportError`] when no answer came.
pub async fn post_batch(url: &str, body: &str, keepalive: bool) -> Result<Answer, TransportError> {
    let window = web_sys::window().ok_or(TransportError::NoWindow)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    if keepalive {
        // web-sys has no setter for `keepalive`; it is a plain member of the init dictionary.
        let _ = js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
    }
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| TransportError::Network(message(&e)))?
        .unchecked_into();
    let retry_after = response.headers().get("retry-after").ok().flatten();
    let body = super::http::body_text(&response).await;
    Ok(Answer {
        status: response.status(),
        retry_after,
        body,
    })
}
