//! Why a workspace request was refused. One enum for the gate, the pages and the JSON API;
//! [`WorkspaceError`] answers in JSON (`{"error": {"code", "message"}}`, like the rest of
//! the server) and [`PageError`] wraps it for pages, answering with a small HTML page or the
//! redirect to the sign-in page.
use crate::role::Role;
use crate::store::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;

/// A refused workspace request.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// No session and no token, or one that is expired, revoked or unknown.
    #[error("sign in or send an API token (Authorization: Bearer ...)")]
    Unauthenticated,
    /// The admin API without the admin token or an admin API token.
    #[error("admin token missing or wrong")]
    AdminUnauthorized,
    /// Signed in, but the role is below what the route needs.
    #[error("this needs the {need} role; you are signed in as {have}")]
    Forbidden {
        /// The least role.
        need: Role,
        /// The caller's.
        have: Role,
    },
    /// A state-changing request from a session without its CSRF token.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// A state-changing request whose `Origin` is not this server.
    #[error("cross-origin request refused (Origin {0})")]
    CrossOrigin(String),
    /// Too many sign-in attempts.
    #[error("too many attempts, retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a retry can succeed.
        retry_after_secs: u64,
    },
    /// A form or body that cannot be read.
    #[error("{0}")]
    BadRequest(String),
    /// The change is not allowed in the current state (a lifecycle move, a taken id).
    #[error("{0}")]
    Refused(String),
    /// No such user or token.
    #[error("no {0}")]
    NotFound(&'static str),
    /// A mounted route that the registry does not list (a programming error; refused).
    #[error("{method} {path} is not in the route registry")]
    Unregistered {
        /// Method.
        method: String,
        /// Matched pattern.
        path: String,
    },
    /// Storage failed (or a name is taken: [`StoreError::Conflict`]).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::documents::DocumentError> for WorkspaceError {
    fn from(e: crate::documents::DocumentError) -> Self {
        use crate::documents::DocumentError as D;
        match e {
            D::UnknownCampaign(_) => Self::NotFound("such campaign"),
            D::UnknownVersion { .. } => Self::NotFound("such version"),
            D::Store(s) => Self::Store(s),
            D::Invalid(_) | D::IdMismatch { .. } => Self::BadRequest(e.to_string()),
            D::Transition(t) => Self::Refused(t.to_string()),
        }
    }
}

impl WorkspaceError {
    /// The status it answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthenticated | Self::AdminUnauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } | Self::Csrf | Self::CrossOrigin(_) => StatusCode::FORBIDDEN,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Refused(_) => StatusCode::CONFLICT,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unregistered { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Store(StoreError::Conflict { .. }) => StatusCode::CONFLICT,
            Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The stable code of the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::AdminUnauthorized => "admin_unauthorized",
            Self::Forbidden { .. } => "forbidden",
            Self::Csrf => "csrf",
            Self::CrossOrigin(_) => "cross_origin",
            Self::RateLimited { .. } => "rate_limited",
            Self::BadRequest(_) => "bad_request",
            Self::Refused(_) => "conflict",
            Self::NotFound(_) => "not_found",
            Self::Unregistered { .. } => "internal",
            Self::Store(StoreError::Conflict { .. }) => "conflict",
            Self::Store(_) => "internal",
        }
    }

    /// What a person or client is told (internals only in the log).
    fn message(&self) -> String {
        match self {
            Self::Store(StoreError::Conflict { .. }) => self.to_string(),
            Self::Store(e) => {
                tracing::error!(error = %e, "storage failure");
                "the server could not complete the request; retry later".into()
            }
            Self::Unregistered { .. } => {
                tracing::error!(error = %self, "unregistered route refused");
                "this route is not available".into()
            }
            other => other.to_string(),
        }
    }

    fn finish(&self, mut res: Response) -> Response {
        if let Self::RateLimited { retry_after_secs } = self {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        res
    }
}

impl IntoResponse for WorkspaceError {
    fn into_response(self) -> Response {
        let body =
            serde_json::json!({ "error": { "code": self.code(), "message": self.message() } });
        self.finish((self.status(), Json(body)).into_response())
    }
}

/// A [`WorkspaceError`] on a page: the sign-in redirect, or a small HTML page.
#[derive(Debug)]
pub struct PageError(pub WorkspaceError);

impl<E: Into<WorkspaceError>> From<E> for PageError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        if matches!(e, WorkspaceError::Unauthenticated) {
            return Redirect::to("/workspace/login").into_response();
        }
        let page = super::pages::ErrorPage {
            status: e.status().as_u16(),
            message: e.message(),
        };
        let html = super::pages::render(&page);
        e.finish((e.status(), Html(html)).into_response())
    }
}
