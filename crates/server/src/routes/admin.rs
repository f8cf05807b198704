//! The admin API, behind its own bearer token: what CS tooling and the tests read back.
use crate::store::EventFilter;
use crate::{error::AppError, state::AppState};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// Filters of `GET /v1/admin/events`.
#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    campaign_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    user_id: Option<String>,
    account_id: Option<String>,
    limit: Option<u32>,
}

/// `GET /v1/admin/events`: stored events, newest first, with the count of all that match.
///
/// # Errors
/// 401 without the admin token; 400 for a query string it cannot read; 503 when storage
/// fails.
pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    state.check_admin(&headers)?;
    let Query(q) = query?;
    let filter = EventFilter {
        campaign_id: q.campaign_id,
        kind: q.kind,
        user_id: q.user_id,
        account_id: q.account_id,
        limit: q.limit,
    };
    let total = state.store.count_events(&filter).await?;
    let rows = state.store.list_events(&filter).await?;
    let events: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            let mut v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
            v["received_at"] = json!(r.ts_server);
            v
        })
        .collect();
    Ok(Json(json!({ "total": total, "events": events })))
}

/// `GET /v1/admin/stats`: the collector's counters since start.
///
/// # Errors
/// 401 without the admin token.
pub async fn stats(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, AppError> {
    state.check_admin(&headers)?;
    Ok(Json(state.counters.snapshot()))
}
