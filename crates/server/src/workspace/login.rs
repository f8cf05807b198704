//! Signing in and out. `POST /workspace/login` is the one state-changing request made before a
//! session exists, so it cannot carry a session's CSRF token: it is protected against login
//! CSRF by its `Origin` (a browser sends it on every cross-site `POST`; one that names another
//! site is refused) and by `SameSite=Lax` on the cookie it sets. Every attempt is rate-limited
//! per email and per IP, written to `login_attempts` and traced.
use super::error::{PageError, WorkspaceError};
use super::gate::check_origin;
use super::pages::{render, LoginPage};
use super::secret::{random_token, sha256_hex, verify_password};
use super::session;
use super::signed::Signed;
use crate::state::AppState;
use crate::store::{LoginAttempt, Session};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, Extensions, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use std::net::{IpAddr, SocketAddr};

/// The one message for a wrong email, a wrong password and a disabled user, so that the page
/// does not tell which emails exist.
pub const WRONG: &str = "Wrong email or password.";

/// `GET /workspace/login`.
pub async fn page() -> Html<String> {
    Html(render(&LoginPage {
        email: String::new(),
        error: String::new(),
    }))
}

/// The sign-in form.
#[derive(Debug, serde::Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

fn client_ip(state: &AppState, headers: &HeaderMap, ext: &Extensions) -> Option<IpAddr> {
    if state.limits.trust_forwarded_for {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

fn refused(status: StatusCode, email: String, error: String) -> Response {
    (status, Html(render(&LoginPage { email, error }))).into_response()
}

/// `POST /workspace/login`.
///
/// # Errors
/// 403 for a cross-origin post; 503 when storage fails. A wrong password answers 401 and
/// too many attempts 429, both with the form again and the reason beside its fields.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ext: Extensions,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    check_origin(&headers)?;
    let email = form.email.trim().to_lowercase();
    let ip = client_ip(&state, &headers, &ext);
    let now = state.now_millis();
    let record = |ok: bool| LoginAttempt {
        email: email.clone(),
        ip: ip.map(|i| i.to_string()),
        at: now,
        ok,
    };
    if let Err(retry_after_secs) = state.login_limiters.check(ip, &email) {
        tracing::warn!(%email, ip = ?ip, retry_after_secs, "workspace sign-in rate-limited");
        state.store.record_login_attempt(&record(false)).await?;
        let e = WorkspaceError::RateLimited { retry_after_secs };
        let mut res = refused(StatusCode::TOO_MANY_REQUESTS, email, e.to_string());
        res.headers_mut()
            .insert(header::RETRY_AFTER, retry_after_secs.into());
        return Ok(res);
    }
    let user = state.store.user_by_email(&email).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let password = form.password;
    // argon2 takes tens of milliseconds of CPU: off the async workers.
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, hash.as_deref()))
        .await
        .unwrap_or(false);
    let user = match user {
        Some(u) if matches && !u.disabled => u,
        _ => {
            tracing::warn!(%email, ip = ?ip, "workspace sign-in refused");
            state.store.record_login_attempt(&record(false)).await?;
            return Ok(refused(StatusCode::UNAUTHORIZED, email, WRONG.to_owned()));
        }
    };
    state.store.record_login_attempt(&record(true)).await?;
    tracing::info!(%email, ip = ?ip, "workspace sign-in");
    let token = random_token();
    state
        .store
        .create_session(&Session {
            key_sha256: sha256_hex(&token),
            user_id: user.id,
            csrf_token: random_token(),
            created_at: now,
            last_seen_at: now,
        })
        .await?;
    let secure = session::secure(&state.workspace, state.limits.trust_forwarded_for, &headers);
    let mut res = Redirect::to("/workspace/").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(&token, &state.workspace, secure),
    );
    Ok(res)
}

/// `POST /workspace/logout`: end the session (a token caller has none to end).
///
/// # Errors
/// 503 when storage fails.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed: Signed,
) -> Result<Response, PageError> {
    if let Some(s) = &signed.session {
        state.store.delete_session(&s.key_sha256).await?;
        tracing::info!(actor = %signed.actor, "workspace sign-out");
    }
    let secure = session::secure(&state.workspace, state.limits.trust_forwarded_for, &headers);
    let mut res = Redirect::to("/workspace/login").into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session::clear_cookie(secure));
    Ok(res)
}
