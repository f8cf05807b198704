//! The error every handler returns. It maps to a status and a JSON body
//! `{"error": {"code", "message", "field"?}}` with a stable `code` a client can branch on, and
//! hides internals (a storage failure is logged, and the client sees only `internal`).
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No environment has this publishable key.
    #[error("unknown publishable key {0:?}")]
    UnknownKey(String),
    /// The request carried no publishable key.
    #[error("missing publishable key: pass ?key=pk_...")]
    MissingKey,
    /// The page's origin is not allowed for this environment.
    #[error("origin {0} is not allowed for this publishable key")]
    OriginNotAllowed(String),
    /// Too many requests from this IP or with this key.
    #[error("rate limit reached; retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a retry can succeed.
        retry_after_secs: u64,
    },
    /// The body is larger than the limit.
    #[error("{what} is larger than the limit of {limit} bytes")]
    TooLarge {
        /// `the batch` or `events[3]`.
        what: String,
        /// The limit.
        limit: usize,
    },
    /// Every event named a user without a valid signature (enforced identity).
    #[error("{message}")]
    IdentityUnverified {
        /// Which events and why.
        message: String,
    },
    /// The admin API was called without the admin token.
    #[error("admin token missing or wrong")]
    AdminUnauthorized,
    /// The body is not what the endpoint accepts.
    #[error("{message}")]
    Invalid {
        /// Stable machine-readable code.
        code: &'static str,
        /// What is wrong, for a person.
        message: String,
        /// The JSON path at fault, e.g. `events[0].type`.
        field: Option<String>,
    },
    /// The request body did not arrive within the body read timeout (a slow or stalled
    /// client); the connection is closed after this answer.
    #[error("the request body did not arrive within {0:?}")]
    BodyTimeout(std::time::Duration),
    /// Storage failed; details are logged, not returned.
    #[error("storage failure: {0}")]
    Store(#[from] crate::store::StoreError),
}

impl AppError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::UnknownKey(_) => (StatusCode::UNAUTHORIZED, "unknown_key"),
            Self::MissingKey => (StatusCode::UNAUTHORIZED, "missing_key"),
            Self::AdminUnauthorized => (StatusCode::UNAUTHORIZED, "admin_unauthorized"),
            Self::OriginNotAllowed(_) => (StatusCode::FORBIDDEN, "origin_not_allowed"),
            Self::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Self::IdentityUnverified { .. } => (StatusCode::UNAUTHORIZED, "identity_unverified"),
            Self::Invalid { code, .. } => (StatusCode::BAD_REQUEST, code),
            Self::BodyTimeout(_) => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            Self::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, "internal"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            Self::Store(e) => {
                tracing::error!(error = %e, "storage failure");
                "the server could not store the request; retry later".to_owned()
            }
            other => other.to_string(),
        };
        let field = match &self {
            Self::Invalid { field, .. } => field.clone(),
            _ => None,
        };
        let mut body = json!({ "error": { "code": code, "message": message } });
        if let Some(f) = field {
            body["error"]["field"] = json!(f);
        }
        let mut res = (status, Json(body)).into_response();
        if let Self::BodyTimeout(_) = self {
            // The rest of the body may still be on its way: this connection cannot carry
            // another request.
            res.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        if let Self::RateLimited { retry_after_secs } = self {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
        }
        res
    }
}
