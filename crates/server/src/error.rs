//! The error every handler returns. It maps to a status and a JSON body
//! `{"error": {"code", "message", "field"?}}` with a stable `code` a client can branch on, and
//! hides internals (a storage failure is logged, and the client sees only `internal`). Each
//! variant holds what its message and field are made of (serde's error, a refused event, axum's
//! query rejection), so the body is rendered from values and never parsed back from text.
use crate::documents::DocumentError;
use crate::rejection::Rejection;
use axum::extract::rejection::QueryRejection;
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
    /// The body is not an event batch: serde's error, with the path at fault.
    #[error("the body is not an event batch {{\"events\": [...]}}: {}", .0.inner())]
    MalformedBatch(serde_path_to_error::Error<serde_json::Error>),
    /// Every event of a batch was refused, and the first refusal is not about an identity or
    /// a size (those answer as [`AppError::IdentityUnverified`] and [`AppError::TooLarge`]).
    #[error("{0}")]
    InvalidEvent(Rejection),
    /// The catalog has no campaign with this id.
    #[error("no campaign `{0}` in the catalog")]
    UnknownCampaign(String),
    /// The campaign declares no `[conversion]` goal, so it has no conversions.
    #[error("campaign `{0}` has no [conversion] goal to attribute")]
    NoConversionGoal(String),
    /// A history request names no subject.
    #[error("give user_id, anonymous_id or account_id")]
    MissingSubject,
    /// The query string is not what the endpoint takes (a parameter twice, a number that is
    /// not one).
    #[error("{}", .0.body_text())]
    InvalidQuery(#[from] QueryRejection),
    /// The request body did not arrive within the body read timeout (a slow or stalled
    /// client); the connection is closed after this answer.
    #[error("the request body did not arrive within {0:?}")]
    BodyTimeout(std::time::Duration),
    /// A change to a campaign document was refused (invalid source, unknown campaign or
    /// version, illegal transition) or its storage failed.
    #[error("{0}")]
    Document(#[from] crate::documents::DocumentError),
    /// A JSON body is not what the endpoint takes.
    #[error("{}", .0.body_text())]
    InvalidBody(#[from] axum::extract::rejection::JsonRejection),
    /// Storage failed; details are logged, not returned.
    #[error("storage failure: {0}")]
    Store(#[from] crate::store::StoreError),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::UnknownKey(_)
            | Self::MissingKey
            | Self::AdminUnauthorized
            | Self::IdentityUnverified { .. } => StatusCode::UNAUTHORIZED,
            Self::OriginNotAllowed(_) => StatusCode::FORBIDDEN,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MalformedBatch(_)
            | Self::InvalidEvent(_)
            | Self::MissingSubject
            | Self::InvalidQuery(_) => StatusCode::BAD_REQUEST,
            Self::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::UnknownCampaign(_) | Self::NoConversionGoal(_) => StatusCode::NOT_FOUND,
            Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::InvalidBody(_) => StatusCode::BAD_REQUEST,
            Self::Document(d) => match d {
                DocumentError::Invalid(_) | DocumentError::IdMismatch { .. } => {
                    StatusCode::BAD_REQUEST
                }
                DocumentError::UnknownCampaign(_) | DocumentError::UnknownVersion { .. } => {
                    StatusCode::NOT_FOUND
                }
                DocumentError::Transition(_) => StatusCode::CONFLICT,
                DocumentError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            },
        }
    }

    /// The stable code of the body, which a client can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownKey(_) => "unknown_key",
            Self::MissingKey => "missing_key",
            Self::AdminUnauthorized => "admin_unauthorized",
            Self::OriginNotAllowed(_) => "origin_not_allowed",
            Self::RateLimited { .. } => "rate_limited",
            Self::TooLarge { .. } => "too_large",
            Self::IdentityUnverified { .. } => "identity_unverified",
            Self::MalformedBatch(_) => "malformed_batch",
            Self::InvalidEvent(_) => "invalid_event",
            Self::MissingSubject => "missing_subject",
            Self::UnknownCampaign(_) => "unknown_campaign",
            Self::NoConversionGoal(_) => "no_conversion_goal",
            Self::InvalidQuery(_) => "invalid_query",
            Self::BodyTimeout(_) => "request_timeout",
            Self::Store(_) => "internal",
            Self::InvalidBody(_) => "invalid_body",
            Self::Document(d) => match d {
                DocumentError::Invalid(_) => "invalid_campaign",
                DocumentError::IdMismatch { .. } => "campaign_id_mismatch",
                DocumentError::UnknownCampaign(_) => "unknown_campaign",
                DocumentError::UnknownVersion { .. } => "unknown_version",
                DocumentError::Transition(_) => "illegal_transition",
                DocumentError::Store(_) => "internal",
            },
        }
    }

    /// The JSON path at fault, when the error is about one place of the body.
    pub fn field(&self) -> Option<String> {
        match self {
            Self::MalformedBatch(e) => crate::rejection::path_below_root(e),
            Self::InvalidEvent(r) => Some(r.field()),
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, field) = (self.status(), self.code(), self.field());
        let message = match &self {
            Self::Document(DocumentError::Invalid(d)) => format!(
                "the campaign has {} error{}",
                d.len(),
                if d.len() == 1 { "" } else { "s" }
            ),
            Self::Store(e) | Self::Document(DocumentError::Store(e)) => {
                tracing::error!(error = %e, "storage failure");
                "the server could not store the request; retry later".to_owned()
            }
            other => other.to_string(),
        };
        let mut body = json!({ "error": { "code": code, "message": message } });
        if let Some(f) = field {
            body["error"]["field"] = json!(f);
        }
        if let Self::Document(DocumentError::Invalid(d)) = &self {
            body["error"]["diagnostics"] = json!(d);
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
