//! The gate in front of the widget-facing endpoints (`/v1/campaigns`, `/v1/events`,
//! `/v1/history`): resolve the environment from the publishable key, check the page's origin
//! against the environment's allowed origins, answer CORS preflights, apply per-IP and per-key
//! rate limits, and put the [`Environment`] into the request for the handler.
use crate::config::Environment;
use crate::{error::AppError, state::AppState};
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

/// The publishable key from the query string (`?key=pk_...`, percent-decoded): a query
/// parameter rather than a header so that `navigator.sendBeacon`, which cannot set headers,
/// can send it too. The endpoint's own parameters are the handler's to read.
#[derive(Debug, Deserialize)]
struct KeyQuery {
    key: Option<String>,
}

/// The environment the request's key names.
fn environment(state: &AppState, req: &Request) -> Result<Environment, AppError> {
    let Query(q) = Query::<KeyQuery>::try_from_uri(req.uri())?;
    // A preview key names the built-in preview environment (`crate::preview`).
    if let Some(key) = q
        .key
        .as_deref()
        .filter(|k| crate::preview::is_preview_key(k))
    {
        return Ok(crate::preview::environment(key));
    }
    state.environment(q.key.as_deref()).cloned()
}

fn client_ip(req: &Request, trust_forwarded: bool) -> Option<IpAddr> {
    if trust_forwarded {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

fn allow_origin(headers: &mut HeaderMap, origin: &HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("ETag, Retry-After"),
    );
}

/// The middleware.
pub async fn public_api(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let env = match environment(&state, &req) {
        Ok(env) => env,
        Err(e) => {
            // Let the page read why (the key is wrong): no data is exposed by this answer.
            let mut res = e.into_response();
            if let Some(o) = &origin {
                allow_origin(res.headers_mut(), o);
            }
            return res;
        }
    };
    if let Some(o) = &origin {
        let text = o.to_str().unwrap_or_default();
        if !env.origins.allows(text) {
            tracing::warn!(origin = text, env = env.name, "origin not allowed");
            return AppError::OriginNotAllowed(text.to_owned()).into_response();
        }
    }
    if req.method() == Method::OPTIONS {
        let mut res = StatusCode::NO_CONTENT.into_response();
        let h = res.headers_mut();
        if let Some(o) = &origin {
            allow_origin(h, o);
        }
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, if-none-match"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        return res;
    }
    let ip = client_ip(&req, state.limits.trust_forwarded_for);
    let mut res = match state.check_rate(ip, &env.key) {
        Ok(()) => {
            req.extensions_mut().insert(env);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    };
    if let Some(o) = &origin {
        allow_origin(res.headers_mut(), o);
    }
    res
}
