//! `GET /v1/campaigns`: the catalog the widget decides over, with ETag revalidation so a
//! returning visitor's widget usually gets a bodiless 304.
use crate::{error::AppError, state::AppState};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Query string of the widget's requests.
#[derive(Debug, Deserialize)]
pub struct KeyQuery {
    /// Publishable key.
    pub key: Option<String>,
}

/// Serve the catalog, or 304 when the client's ETag is current.
///
/// # Errors
/// 401 for a missing or unknown key.
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<KeyQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    state.environment(q.key.as_deref())?;
    let catalog = state.catalog();
    let etag = HeaderValue::from_str(&catalog.etag).expect("a hex ETag is a valid header value");
    let cache = HeaderValue::from_static("no-cache");
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == catalog.etag));
    if fresh {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
        )
            .into_response());
    }
    Ok((
        [
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache),
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
        ],
        catalog.json.to_string(),
    )
        .into_response())
}
