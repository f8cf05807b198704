//! The admin pages: users (list, add, reset a password, disable or enable), API tokens
//! (create — shown once —, revoke) and the audit log. The gate lets only admins in; every
//! change is written to the audit log and answered with a redirect back (post/redirect/get),
//! except a new token, which is shown on the answer itself and never again.
use super::audit::{self, utc};
use super::error::{PageError, WorkspaceError};
use super::pages::{render, Done, Shell};
use super::secret::{hash_password, new_api_token, sha256_hex, MIN_PASSWORD_CHARS};
use super::signed::Signed;
use crate::role::Role;
use crate::state::AppState;
use crate::store::{ApiToken, NewToken, NewUser, User};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde_json::json;

#[derive(Template)]
#[template(path = "workspace/users.html")]
struct UsersPage {
    shell: Shell,
    users: Vec<User>,
    min_password: usize,
}

/// `GET /workspace/users`.
///
/// # Errors
/// 503 when storage fails.
pub async fn users(
    State(state): State<AppState>,
    signed: Signed,
    Query(done): Query<Done>,
) -> Result<Html<String>, PageError> {
    Ok(Html(render(&UsersPage {
        shell: Shell::new(&signed, "users", done.code()),
        users: state.store.list_users().await?,
        min_password: MIN_PASSWORD_CHARS,
    })))
}

/// The add-user form.
#[derive(Debug, serde::Deserialize)]
pub struct NewUserForm {
    email: String,
    role: Role,
    password: String,
}

/// Hash off the async workers (argon2 is deliberately slow).
async fn hash(password: String) -> Result<String, WorkspaceError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| WorkspaceError::BadRequest(e.to_string()))?
        .map_err(|e| WorkspaceError::BadRequest(e.to_string()))
}

/// A plausible email: something, `@`, a dotted domain, no spaces.
pub fn valid_email(email: &str) -> bool {
    email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
    })
}

/// `POST /workspace/users`.
///
/// # Errors
/// 400 for a bad email or a short password, 409 for a taken email.
pub async fn create_user(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<NewUserForm>,
) -> Result<Response, PageError> {
    let email = form.email.trim().to_lowercase();
    if !valid_email(&email) {
        return Err(
            WorkspaceError::BadRequest(format!("{email:?} is not an email address")).into(),
        );
    }
    let password_hash = hash(form.password).await?;
    let user = state
        .store
        .create_user(&NewUser {
            email: email.clone(),
            role: form.role,
            password_hash,
            created_at: state.now_millis(),
        })
        .await?;
    let actor = signed.actor.to_string();
    audit::record(
        &state,
        &actor,
        "user.create",
        &user.email,
        json!({ "role": user.role }),
    )
    .await?;
    Ok(Redirect::to("/workspace/users?done=user_created").into_response())
}

/// The reset-password form.
#[derive(Debug, serde::Deserialize)]
pub struct PasswordForm {
    password: String,
}

async fn user(state: &AppState, id: i64) -> Result<User, WorkspaceError> {
    state
        .store
        .user_by_id(id)
        .await?
        .ok_or(WorkspaceError::NotFound("such user"))
}

/// `POST /workspace/users/{id}/password`: a new password; the user's sessions end.
///
/// # Errors
/// 404 for no such user, 400 for a short password.
pub async fn reset_password(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let target = user(&state, id).await?;
    let password_hash = hash(form.password).await?;
    state.store.set_password(id, &password_hash).await?;
    let ended = state.store.delete_user_sessions(id).await?;
    let actor = signed.actor.to_string();
    audit::record(
        &state,
        &actor,
        "user.reset_password",
        &target.email,
        json!({ "sessions_ended": ended }),
    )
    .await?;
    Ok(Redirect::to("/workspace/users?done=password_reset").into_response())
}

/// The disable/enable form.
#[derive(Debug, serde::Deserialize)]
pub struct DisabledForm {
    disabled: bool,
}

/// `POST /workspace/users/{id}/disabled`: disable (their sessions end) or enable a user.
/// Admins cannot disable themselves, so a workspace always keeps the admin who is using it.
///
/// # Errors
/// 404 for no such user, 400 for disabling oneself.
pub async fn set_disabled(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
    Form(form): Form<DisabledForm>,
) -> Result<Response, PageError> {
    let target = user(&state, id).await?;
    if form.disabled && signed.email() == Some(target.email.as_str()) {
        return Err(WorkspaceError::BadRequest("you cannot disable yourself".into()).into());
    }
    state.store.set_disabled(id, form.disabled).await?;
    let ended = if form.disabled {
        state.store.delete_user_sessions(id).await?
    } else {
        0
    };
    let (action, done) = if form.disabled {
        ("user.disable", "user_disabled")
    } else {
        ("user.enable", "user_enabled")
    };
    let actor = signed.actor.to_string();
    audit::record(
        &state,
        &actor,
        action,
        &target.email,
        json!({ "sessions_ended": ended }),
    )
    .await?;
    Ok(Redirect::to(&format!("/workspace/users?done={done}")).into_response())
}

/// A token as the page lists it.
struct TokenRow {
    id: i64,
    name: String,
    role: Role,
    last_used: String,
    revoked: bool,
}

impl From<ApiToken> for TokenRow {
    fn from(t: ApiToken) -> Self {
        Self {
            id: t.id,
            name: t.name,
            role: t.role,
            last_used: t.last_used_at.map_or_else(|| "never".to_owned(), utc),
            revoked: t.revoked,
        }
    }
}

#[derive(Template)]
#[template(path = "workspace/tokens.html")]
struct TokensPage {
    shell: Shell,
    tokens: Vec<TokenRow>,
    created: String,
}

async fn tokens_page(
    state: &AppState,
    signed: &Signed,
    flash: Option<&str>,
    created: String,
) -> Result<Html<String>, PageError> {
    let tokens = state.store.list_tokens().await?;
    Ok(Html(render(&TokensPage {
        shell: Shell::new(signed, "tokens", flash),
        tokens: tokens.into_iter().map(TokenRow::from).collect(),
        created,
    })))
}

/// `GET /workspace/tokens`.
///
/// # Errors
/// 503 when storage fails.
pub async fn tokens(
    State(state): State<AppState>,
    signed: Signed,
    Query(done): Query<Done>,
) -> Result<Html<String>, PageError> {
    tokens_page(&state, &signed, done.code(), String::new()).await
}

/// The create-token form.
#[derive(Debug, serde::Deserialize)]
pub struct NewTokenForm {
    name: String,
    role: Role,
}

/// Create a token (pages, API and CLI): the token itself, returned once, and its record.
///
/// # Errors
/// 400 for an empty name, 409 for a taken one.
pub async fn issue_token(
    state: &AppState,
    actor: &str,
    name: &str,
    role: Role,
) -> Result<(String, ApiToken), WorkspaceError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(WorkspaceError::BadRequest(
            "a token needs a name of 1 to 100 characters".into(),
        ));
    }
    let token = new_api_token();
    let stored = state
        .store
        .create_token(&NewToken {
            name: name.to_owned(),
            role,
            token_sha256: sha256_hex(&token),
            created_at: state.now_millis(),
        })
        .await?;
    audit::record(
        state,
        actor,
        "token.create",
        &stored.name,
        json!({ "role": role }),
    )
    .await?;
    Ok((token, stored))
}

/// `POST /workspace/tokens`: the new token is on this answer and nowhere else.
///
/// # Errors
/// 400 for an empty name, 409 for a taken one.
pub async fn create_token(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<NewTokenForm>,
) -> Result<Html<String>, PageError> {
    let (token, _) = issue_token(&state, &signed.actor.to_string(), &form.name, form.role).await?;
    tokens_page(&state, &signed, None, token).await
}

/// `POST /workspace/tokens/{id}/revoke`.
///
/// # Errors
/// 404 for no such (unrevoked) token.
pub async fn revoke_token(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let name = state
        .store
        .list_tokens()
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| t.name)
        .ok_or(WorkspaceError::NotFound("such token"))?;
    if !state.store.revoke_token(id).await? {
        return Err(WorkspaceError::NotFound("such unrevoked token").into());
    }
    audit::record(
        &state,
        &signed.actor.to_string(),
        "token.revoke",
        &name,
        json!({}),
    )
    .await?;
    Ok(Redirect::to("/workspace/tokens?done=token_revoked").into_response())
}

/// An audit entry as the page lists it.
struct AuditRow {
    at: String,
    actor: String,
    action: String,
    subject: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "workspace/audit.html")]
struct AuditPage {
    shell: Shell,
    entries: Vec<AuditRow>,
}

/// `GET /workspace/audit`: the latest 500 entries.
///
/// # Errors
/// 503 when storage fails.
pub async fn audit_log(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Html<String>, PageError> {
    let entries = state.store.list_audit(500).await?;
    Ok(Html(render(&AuditPage {
        shell: Shell::new(&signed, "audit", None),
        entries: entries
            .into_iter()
            .map(|e| AuditRow {
                at: utc(e.at),
                actor: e.actor,
                action: e.action,
                subject: e.subject,
                detail: e.detail,
            })
            .collect(),
    })))
}
