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
            Self::Invalid { code, .. } => (StatusCode::BAD_REQUEST, code),
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
        (status, Json(body)).into_response()
    }
}
