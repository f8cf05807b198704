//! The workspace's JSON API over campaign documents, used by `touchpoint campaigns
//! push/pull --server` and (next) by the workspace's editor: list, versions, sources,
//! publish, rollback, state changes, and a check that returns the same diagnostics
//! `touchpoint check` prints. Every change rebuilds this process's catalog at once (other
//! collectors follow by their poll, [`crate::live_catalog`]).
//!
//! Who may call each route is the workspace's route list (`crate::workspace::routes`:
//! viewers read and check, editors publish, roll back and change states); the gate has
//! checked it before a handler runs. The author of a version is the signed-in actor, and
//! every change is written to the audit log.
use crate::campaign_state::{CampaignState, Status};
use crate::documents::{self, Change, DocumentError};
use crate::store::{CampaignRecord, CampaignVersion, PublishOutcome};
use crate::workspace::{audit, Signed};
use crate::{error::AppError, live_catalog, state::AppState};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Extension;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use touchpoint_core::campaign::Schedule;

/// A campaign in a list: the stored record and its derived status.
#[derive(Debug, Serialize)]
struct Listed {
    #[serde(flatten)]
    record: CampaignRecord,
    status: Status,
}

fn listed(state: &AppState, record: CampaignRecord) -> Listed {
    let status = status(state, &record);
    Listed { record, status }
}

/// A campaign's status now: its stored state with its live version's schedule.
pub fn status(state: &AppState, record: &CampaignRecord) -> Status {
    // A published campaign's live version is the one in the catalog; its schedule decides
    // between scheduled, live and ended.
    let schedule = state
        .catalog()
        .campaigns
        .iter()
        .find(|c| c.id == record.id)
        .map_or(Schedule::default(), |c| c.schedule);
    Status::derive(record.state, schedule, state.now_millis())
}

/// A version without its source, for histories.
#[derive(Debug, Serialize)]
struct VersionMeta {
    version: i64,
    sha256: String,
    author: String,
    created_at: i64,
    note: String,
}

impl From<CampaignVersion> for VersionMeta {
    fn from(v: CampaignVersion) -> Self {
        Self {
            version: v.version,
            sha256: v.sha256,
            author: v.author,
            created_at: v.created_at,
            note: v.note,
        }
    }
}

/// `GET /workspace/api/campaigns`: every campaign with its state, status and versions.
///
/// # Errors
/// 401 without credentials (the gate); 503 when storage fails.
pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let records = state.store.campaigns().await?;
    let campaigns: Vec<Listed> = records.into_iter().map(|r| listed(&state, r)).collect();
    Ok(Json(json!({ "campaigns": campaigns })))
}

/// `GET /workspace/api/campaigns/{id}`: the campaign and its version history.
///
/// # Errors
/// 401; 404 for an unknown campaign; 503.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let record = state
        .store
        .campaign(&id)
        .await?
        .ok_or_else(|| DocumentError::UnknownCampaign(id.clone()))?;
    let versions: Vec<VersionMeta> = state
        .store
        .versions(&id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(
        json!({ "campaign": listed(&state, record), "versions": versions }),
    ))
}

/// `GET /workspace/api/campaigns/{id}/versions/{n}`: one version with its source.
///
/// # Errors
/// 401; 404 for an unknown campaign or version; 503.
pub async fn version(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, i64)>,
) -> Result<Json<CampaignVersion>, AppError> {
    let v = state
        .store
        .version(&id, n)
        .await?
        .ok_or(DocumentError::UnknownVersion {
            campaign: id,
            version: n,
        })?;
    Ok(Json(v))
}

/// The body of a publish.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    source: String,
    #[serde(default)]
    note: String,
    /// Save without publishing (a draft, or an edit not yet released).
    #[serde(default)]
    draft: bool,
}

/// `POST /workspace/api/campaigns/{id}/versions`: validate and publish a source (or save it,
/// with `"draft": true`). 201 with the new version, 200 when the source is unchanged.
///
/// # Errors
/// 401; 400 with every diagnostic when the source is invalid (nothing is stored) or names
/// another id; 409 for an archived campaign; 503.
pub async fn publish(
    State(state): State<AppState>,
    Extension(signed): Extension<Signed>,
    Path(id): Path<String>,
    body: Result<Json<PublishBody>, JsonRejection>,
) -> Result<(StatusCode, Json<PublishOutcome>), AppError> {
    let Json(body) = body?;
    let author = signed.actor.to_string();
    let change = Change {
        author: &author,
        note: &body.note,
        now: state.now_millis(),
    };
    let out = if body.draft {
        documents::save_draft(state.store.as_ref(), &id, &body.source, change).await?
    } else {
        documents::publish(state.store.as_ref(), &id, &body.source, change).await?
    };
    let action = if body.draft {
        "campaign.save_draft"
    } else {
        "campaign.publish"
    };
    answered(&state, &author, action, &id, out).await
}

/// The body of a rollback.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollbackBody {
    version: i64,
}

/// `POST /workspace/api/campaigns/{id}/rollback`: publish an older version's source as a
/// new version noted `rollback to vN`.
///
/// # Errors
/// 401; 404 for an unknown campaign or version; 409 for an archived campaign; 503.
pub async fn rollback(
    State(state): State<AppState>,
    Extension(signed): Extension<Signed>,
    Path(id): Path<String>,
    body: Result<Json<RollbackBody>, JsonRejection>,
) -> Result<(StatusCode, Json<PublishOutcome>), AppError> {
    let Json(body) = body?;
    let author = signed.actor.to_string();
    let change = Change {
        author: &author,
        note: "",
        now: state.now_millis(),
    };
    let out = documents::rollback(state.store.as_ref(), &id, body.version, change).await?;
    answered(&state, &author, "campaign.rollback", &id, out).await
}

async fn answered(
    state: &AppState,
    actor: &str,
    action: &str,
    id: &str,
    out: PublishOutcome,
) -> Result<(StatusCode, Json<PublishOutcome>), AppError> {
    let status = match out {
        PublishOutcome::Created { .. } => {
            refresh(state).await;
            audit::record(state, actor, action, id, json!(out)).await?;
            StatusCode::CREATED
        }
        PublishOutcome::Unchanged { .. } => StatusCode::OK,
    };
    Ok((status, Json(out)))
}

/// The body of a state change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateBody {
    state: CampaignState,
}

/// `POST /workspace/api/campaigns/{id}/state`: `{"state": "paused" | "live" | "archived"}`.
///
/// # Errors
/// 401; 404 for an unknown campaign; 409 naming from and to for an illegal transition; 503.
pub async fn set_state(
    State(state): State<AppState>,
    Extension(signed): Extension<Signed>,
    Path(id): Path<String>,
    body: Result<Json<StateBody>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let Json(body) = body?;
    let record =
        documents::set_state(state.store.as_ref(), &id, body.state, state.now_millis()).await?;
    refresh(&state).await;
    let actor = signed.actor.to_string();
    audit::record(
        &state,
        &actor,
        "campaign.state",
        &id,
        json!({ "state": body.state }),
    )
    .await?;
    Ok(Json(json!({ "campaign": listed(&state, record) })))
}

/// The body of a check.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    source: String,
    /// The file name the diagnostics use (without `.toml`) [default: `campaign`].
    name: Option<String>,
}

/// `POST /workspace/api/check`: validate a source without storing it. Always 200:
/// `{"ok": bool, "diagnostics": [{file, path, line, column, message, snippet}]}`.
///
/// # Errors
/// 401; 400 for a body that is not `{source}`.
pub async fn check(
    _state: State<AppState>,
    body: Result<Json<CheckBody>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let Json(body) = body?;
    let name = body.name.as_deref().unwrap_or("campaign");
    let diagnostics = documents::check_source(name, &body.source)
        .err()
        .unwrap_or_default();
    Ok(Json(
        json!({ "ok": diagnostics.is_empty(), "diagnostics": diagnostics }),
    ))
}

/// Rebuild this process's catalog after a change. The change is stored either way: a failed
/// rebuild is logged, and the next poll retries it.
pub async fn refresh(state: &AppState) {
    if let Err(e) = live_catalog::rebuild(state).await {
        tracing::warn!(error = %e, "rebuilding the catalog after a change failed");
    }
}
