//! `GET /v1/campaigns`: the catalog the widget decides over, with ETag revalidation so a
//! returning visitor's widget usually gets a bodiless 304. A preview key gets its preview's
//! catalog instead ([`crate::preview`]).
use crate::config::Environment;
use crate::error::AppError;
use crate::preview::Token;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

/// Serve the catalog, or 304 when the client's ETag is current. (The key was checked by the
/// guard in front.)
pub async fn list(
    State(state): State<AppState>,
    Extension(env): Extension<Environment>,
    headers: HeaderMap,
) -> Response {
    let catalog = if crate::preview::is_preview_key(&env.key) {
        let preview =
            Token::of_key(&env.key).and_then(|t| state.previews.get(&t, state.now_millis()));
        match preview {
            Some(p) => p.catalog,
            // Expired or never made: the key is unknown, as any other.
            None => return AppError::UnknownKey(env.key).into_response(),
        }
    } else {
        state.catalog()
    };
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
