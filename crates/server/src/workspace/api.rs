//! The workspace JSON API (`/workspace/api/...`), for scripts, tools and the workspace's own
//! progressive enhancement: an API token or a session (with `x-csrf-token` on changes).
use super::error::WorkspaceError;
use super::signed::Signed;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

/// `GET /workspace/api/me`: who the credential is, their role, and the CSRF token a script
/// signed in with a session sends back as `x-csrf-token`.
pub async fn me(signed: Signed) -> Json<Value> {
    Json(json!({
        "actor": signed.actor.to_string(),
        "role": signed.role,
        "csrf_token": signed.session.as_ref().map(|s| s.csrf_token.clone()),
    }))
}

/// `GET /workspace/api/users` (admins): every user, without password hashes.
///
/// # Errors
/// 503 when storage fails.
pub async fn users(State(state): State<AppState>) -> Result<Json<Value>, WorkspaceError> {
    let users = state.store.list_users().await?;
    let users: Vec<Value> = users
        .into_iter()
        .map(|u| json!({ "id": u.id, "email": u.email, "role": u.role, "created_at": u.created_at, "disabled": u.disabled }))
        .collect();
    Ok(Json(json!({ "users": users })))
}

/// `GET /workspace/api/audit` (admins): the latest 500 audit entries.
///
/// # Errors
/// 503 when storage fails.
pub async fn audit(State(state): State<AppState>) -> Result<Json<Value>, WorkspaceError> {
    let entries = state.store.list_audit(500).await?;
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            let detail: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
            json!({ "at": e.at, "actor": e.actor, "action": e.action, "subject": e.subject, "detail": detail })
        })
        .collect();
    Ok(Json(json!({ "entries": entries })))
}
