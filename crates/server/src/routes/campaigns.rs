//! `GET /v1/campaigns`: the catalog the widget decides over, with ETag revalidation so a
//! returning visitor's widget usually gets a bodiless 304.
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Serve the catalog, or 304 when the client's ETag is current. (The key was checked by the
/// guard in front.)
pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let catalog = state.catalog();
    let etag = HeaderValue::from_str(&catalog.etag).expect("a hex ETag is a valid header value");
    let cache = HeaderValue::from_static("no-cache");
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == catalog.etag));
    if fresh {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    let json = HeaderValue::from_static("application/json");
    (
        [
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache),
            (header::CONTENT_TYPE, json),
        ],
        catalog.json.to_string(),
    )
        .into_response()
}
