//! The admin API, behind the configured admin token or an API token of role admin (checked
//! by the workspace gate, `crate::workspace::gate`, from the route registry): what CS
//! tooling and the tests read back.
use crate::store::EventFilter;
use crate::{error::AppError, state::AppState};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
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
/// 401 without the admin token (the gate); 400 for a query string it cannot read; 503 when storage
/// fails.
pub async fn events(
    State(state): State<AppState>,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
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
/// 401 without the admin token (the gate).
pub async fn stats(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    Ok(Json(state.counters.snapshot()))
}

/// Which campaign `GET /v1/admin/conversions` reports, in which environment.
#[derive(Debug, Deserialize)]
pub struct ConversionsQuery {
    campaign_id: String,
    /// The publishable key; every configured environment when absent.
    env_key: Option<String>,
    /// At most this many exposure windows listed per environment (newest first; the
    /// totals count them all). Default 100.
    limit: Option<usize>,
}

/// `GET /v1/admin/conversions?campaign_id=…`: the campaign's goal, and per environment its
/// per-arm totals (exposed and converted users or accounts, exposure windows and their
/// conversions) and its newest exposure windows, attributed from the stored events.
///
/// # Errors
/// 401 without the admin token (the gate); 400 for a query string it cannot read; 404 for a campaign
/// that is not in the catalog or has no `[conversion]` goal; 503 when storage fails.
pub async fn conversions(
    State(state): State<AppState>,
    query: Result<Query<ConversionsQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    let Query(q) = query?;
    let catalog = state.catalog();
    let campaign = catalog
        .campaigns
        .iter()
        .find(|c| c.id == q.campaign_id)
        .ok_or_else(|| AppError::UnknownCampaign(q.campaign_id.clone()))?;
    let goal = campaign
        .conversion
        .as_ref()
        .ok_or_else(|| AppError::NoConversionGoal(campaign.id.clone()))?;
    let keys: Vec<String> = match q.env_key {
        Some(k) => vec![state.environment(Some(&k))?.key.clone()],
        None => state.environment_keys(),
    };
    let mut out = Vec::new();
    for key in keys {
        let (mut windows, totals) =
            crate::conversions::for_campaign(&state, &key, &campaign.id, goal).await?;
        windows.sort_by_key(|w| std::cmp::Reverse(w.opened_at));
        windows.truncate(q.limit.unwrap_or(100));
        out.push(json!({ "env_key": key, "totals": totals, "windows": windows }));
    }
    Ok(Json(json!({
        "campaign_id": campaign.id,
        "goal": goal,
        "environments": out,
    })))
}
