//! Liveness and readiness probes for process supervisors and load balancers.
use crate::{error::AppError, state::AppState};
use axum::extract::State;

/// `GET /healthz`: the process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the database answers.
///
/// # Errors
/// 503 when the database does not answer.
pub async fn readyz(State(state): State<AppState>) -> Result<&'static str, AppError> {
    state.store.ping().await?;
    Ok("ready")
}
