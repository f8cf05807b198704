//! The gate in front of every route under `/workspace` and `/v1/admin`: find the route in the
//! registry (refusing any that is not there), check the credential — an API token
//! (`Authorization: Bearer`), the operator's admin token, or the `tp_session` cookie under its
//! timeouts —, the role against the route's least role, and for state-changing requests from a
//! session the `Origin` and the CSRF token (header `x-csrf-token` or form field `csrf`). The
//! accepted caller goes into the request as a [`Signed`] for the handler.
use super::error::{PageError, WorkspaceError};
use super::routes::{self, Access, Verb};
use super::secret::sha256_hex;
use super::session;
use super::signed::{Actor, Signed, SignedSession};
use crate::role::Role;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{FromRequest as _, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq as _;

/// The largest form body read for its CSRF field.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// The middleware (layered over the whole API router, so it sees the matched path).
pub async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !routes::governed(req.uri().path()) {
        return next.run(req).await;
    }
    let mut res = check(state, req, next).await;
    // Pages and answers that name people are not cached, sniffed or framed by other sites
    // (the workspace may frame its own pages: the preview).
    let h = res.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'self'"),
    ] {
        h.insert(name, HeaderValue::from_static(value));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

async fn check(state: AppState, req: Request, next: Next) -> Response {
    let Some(pattern) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
    else {
        // Nothing matched: the router's own 404.
        return next.run(req).await;
    };
    let route = Verb::of(req.method()).and_then(|v| routes::find(v, &pattern));
    let Some(route) = route else {
        if routes::ROUTES.iter().any(|r| r.path == pattern) {
            return axum::http::StatusCode::METHOD_NOT_ALLOWED.into_response();
        }
        return WorkspaceError::Unregistered {
            method: req.method().to_string(),
            path: pattern,
        }
        .into_response();
    };
    let respond = |e: WorkspaceError| match route.access {
        Access::Page(_) => PageError(e).into_response(),
        _ => e.into_response(),
    };
    match route.access {
        Access::Public => next.run(req).await,
        Access::AdminApi => match admin_api(&state, req.headers()).await {
            Ok(signed) => {
                let mut req = req;
                req.extensions_mut().insert(signed);
                next.run(req).await
            }
            Err(e) => e.into_response(),
        },
        Access::Page(need) | Access::Api(need) => {
            let (signed, expired) = match credential(&state, req.headers()).await {
                Ok(found) => found,
                Err(e) => return respond(e),
            };
            let Some(signed) = signed else {
                let mut res = respond(WorkspaceError::Unauthenticated);
                if expired {
                    let secure = session::secure(
                        &state.workspace,
                        state.limits.trust_forwarded_for,
                        req.headers(),
                    );
                    res.headers_mut()
                        .insert(header::SET_COOKIE, session::clear_cookie(secure));
                }
                return res;
            };
            if let Err(e) = signed.require(need) {
                return respond(e);
            }
            let req = if route.verb == Verb::Post {
                match check_forgery(&signed, req).await {
                    Ok(req) => req,
                    Err(e) => return respond(e),
                }
            } else {
                req
            };
            let mut req = req;
            req.extensions_mut().insert(signed);
            next.run(req).await
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The admin API: the configured admin token, or an API token of role admin.
async fn admin_api(state: &AppState, headers: &HeaderMap) -> Result<Signed, WorkspaceError> {
    if state.check_admin(headers).is_ok() {
        return Ok(Signed {
            actor: Actor::AdminToken,
            role: Role::Admin,
            session: None,
        });
    }
    let Some(token) = bearer(headers) else {
        return Err(WorkspaceError::AdminUnauthorized);
    };
    let signed = api_token(state, token)
        .await?
        .ok_or(WorkspaceError::AdminUnauthorized)?;
    signed.require(Role::Admin)?;
    Ok(signed)
}

/// An unrevoked API token's caller.
async fn api_token(state: &AppState, token: &str) -> Result<Option<Signed>, WorkspaceError> {
    let Some(t) = state.store.token_by_hash(&sha256_hex(token)).await? else {
        return Ok(None);
    };
    if t.revoked {
        return Ok(None);
    }
    state.store.touch_token(t.id, state.now_millis()).await?;
    Ok(Some(Signed {
        actor: Actor::Token {
            id: t.id,
            name: t.name,
        },
        role: t.role,
        session: None,
    }))
}

/// The caller of a page or workspace API request, if any; and whether a session cookie was
/// sent that no longer counts (so the answer clears it). A bearer credential that is wrong
/// is refused outright rather than falling back to the cookie.
async fn credential(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(Option<Signed>, bool), WorkspaceError> {
    if let Some(token) = bearer(headers) {
        if state.check_admin(headers).is_ok() {
            let admin = Signed {
                actor: Actor::AdminToken,
                role: Role::Admin,
                session: None,
            };
            return Ok((Some(admin), false));
        }
        return match api_token(state, token).await? {
            Some(signed) => Ok((Some(signed), false)),
            None => Err(WorkspaceError::Unauthenticated),
        };
    }
    let Some(cookie) = session::cookie_token(headers) else {
        return Ok((None, false));
    };
    let key = sha256_hex(&cookie);
    let Some(s) = state.store.session(&key).await? else {
        return Ok((None, true));
    };
    let now = state.now_millis();
    if let Err(why) = session::check(&s, &state.workspace, now) {
        tracing::info!(user_id = s.user_id, ?why, "workspace session expired");
        state.store.delete_session(&key).await?;
        return Ok((None, true));
    }
    let user = match state.store.user_by_id(s.user_id).await? {
        Some(u) if !u.disabled => u,
        _ => {
            state.store.delete_session(&key).await?;
            return Ok((None, true));
        }
    };
    state.store.touch_session(&key, now).await?;
    Ok((
        Some(Signed {
            actor: Actor::User {
                id: user.id,
                email: user.email,
            },
            role: user.role,
            session: Some(SignedSession {
                key_sha256: key,
                csrf_token: s.csrf_token,
            }),
        }),
        false,
    ))
}

/// Whether `origin` (an `Origin` header) is this server as the request's `Host` names it.
pub fn same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    rest.is_some_and(|h| !host.is_empty() && h.eq_ignore_ascii_case(host))
}

/// Refuse a cross-origin state-changing request (browsers send `Origin` on every `POST`).
///
/// # Errors
/// [`WorkspaceError::CrossOrigin`].
pub fn check_origin(headers: &HeaderMap) -> Result<(), WorkspaceError> {
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(o) if !same_origin(o, headers) => Err(WorkspaceError::CrossOrigin(o.to_owned())),
        _ => Ok(()),
    }
}

#[derive(serde::Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

/// A session's state-changing request must come from this origin and carry the session's
/// CSRF token. Token callers carry no ambient credential, so they need neither.
async fn check_forgery(signed: &Signed, req: Request) -> Result<Request, WorkspaceError> {
    let Some(s) = &signed.session else {
        return Ok(req);
    };
    check_origin(req.headers())?;
    let want = s.csrf_token.as_bytes();
    let matches = |got: &str| bool::from(got.as_bytes().ct_eq(want));
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if matches(h) {
            Ok(req)
        } else {
            Err(WorkspaceError::Csrf)
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(WorkspaceError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|e| WorkspaceError::BadRequest(format!("cannot read the form: {e}")))?;
    let probe = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
    let field = axum::Form::<CsrfField>::from_request(probe, &())
        .await
        .ok()
        .and_then(|f| f.0.csrf);
    match field {
        Some(got) if matches(&got) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(WorkspaceError::Csrf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_with_the_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("cs.example.com"));
        assert!(same_origin("https://cs.example.com", &h));
        assert!(same_origin("http://CS.example.com", &h));
        assert!(!same_origin("https://evil.example", &h));
        assert!(!same_origin("null", &h));
        assert!(
            check_origin(&h).is_ok(),
            "no Origin: not a browser's cross-site post"
        );
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(matches!(
            check_origin(&h),
            Err(WorkspaceError::CrossOrigin(_))
        ));
    }
}
