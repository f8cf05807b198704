//! `POST /v1/events`: the collector. Each event of a batch is validated on its own and gets its
//! own result (accepted, duplicate or rejected with the reason), so one bad event does not sink
//! the batch; deduplication by the client-generated id makes retries harmless.
use crate::store::{InsertOutcome, StoredEvent};
use crate::{error::AppError, routes::campaigns::KeyQuery, state::AppState};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use touchpoint_core::Event;

/// How far a client clock may run ahead of the server's before an event is refused.
const MAX_FUTURE_MS: i64 = 24 * 3600 * 1000;
/// How old an event may be (an offline queue can hold events for a while, not for years).
const MAX_AGE_MS: i64 = 365 * 24 * 3600 * 1000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchIn {
    events: Vec<serde_json::Value>,
    #[serde(default)]
    #[allow(dead_code)]
    sent_at: Option<i64>,
}

/// The result for one event of a batch.
#[derive(Debug, Serialize)]
pub struct EventResult {
    /// The event id, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `accepted`, `duplicate` or `rejected`.
    pub status: &'static str,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<serde_json::Value>,
}

/// The collector's answer to a batch.
#[derive(Debug, Serialize)]
pub struct BatchOut {
    /// One result per event, in batch order.
    pub results: Vec<EventResult>,
    /// Newly stored.
    pub accepted: usize,
    /// Stored before; not stored again.
    pub duplicates: usize,
    /// Refused.
    pub rejected: usize,
}

struct Rejection {
    code: &'static str,
    message: String,
    field: String,
}

/// Validate and store a batch.
///
/// Answers 200 with per-event results when at least one event was accepted or was a
/// duplicate, and 400 when every event was rejected (the first rejection is the error).
///
/// # Errors
/// 401 for a missing or unknown key, 400 for a body that is not a batch, 503 when storage
/// fails (the client retries; nothing was half-stored because a batch is one transaction).
pub async fn collect(
    State(state): State<AppState>,
    Query(q): Query<KeyQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<BatchOut>), AppError> {
    let env_key = state.environment(q.key.as_deref())?.key.clone();
    let de = &mut serde_json::Deserializer::from_slice(&body);
    let batch: BatchIn = serde_path_to_error::deserialize(de).map_err(|e| AppError::Invalid {
        code: "malformed_batch",
        field: Some(e.path().to_string()).filter(|p| p != "."),
        message: format!(
            "the body is not an event batch {{\"events\": [...]}}: {}",
            e.inner()
        ),
    })?;
    let now = state.now_millis();
    let mut results = Vec::with_capacity(batch.events.len());
    let mut to_store = Vec::new();
    let mut slots = Vec::new();
    for (i, value) in batch.events.into_iter().enumerate() {
        let id = value.get("id").and_then(|v| v.as_str()).map(str::to_owned);
        match validate(i, value, now) {
            Ok(event) => {
                slots.push(results.len());
                results.push(EventResult {
                    id,
                    status: "accepted",
                    error: None,
                });
                to_store.push(StoredEvent {
                    id: event.id.to_string(),
                    env_key: env_key.clone(),
                    kind: kind_name(&event),
                    ts_client: event.ts.as_millis(),
                    ts_server: now,
                    user_id: event.user_id.clone(),
                    anonymous_id: event.anonymous_id.clone(),
                    account_id: event.account_id.clone(),
                    campaign_id: event.campaign_id.clone(),
                    body: serde_json::to_string(&event).expect("an event serialises"),
                });
            }
            Err(r) => results.push(EventResult {
                id,
                status: "rejected",
                error: Some(
                    serde_json::json!({ "code": r.code, "message": r.message, "field": r.field }),
                ),
            }),
        }
    }
    let outcomes = if to_store.is_empty() {
        Vec::new()
    } else {
        state.store.insert_events(&to_store).await?
    };
    for (slot, outcome) in slots.into_iter().zip(outcomes) {
        if outcome == InsertOutcome::Duplicate {
            results[slot].status = "duplicate";
        }
    }
    let count = |s: &str| results.iter().filter(|r| r.status == s).count();
    let out = BatchOut {
        accepted: count("accepted"),
        duplicates: count("duplicate"),
        rejected: count("rejected"),
        results,
    };
    if out.rejected > 0 && out.rejected == out.results.len() {
        let first = out.results[0].error.clone().unwrap_or_default();
        return Err(AppError::Invalid {
            code: "invalid_event",
            message: first["message"]
                .as_str()
                .unwrap_or("invalid event")
                .to_owned(),
            field: first["field"].as_str().map(str::to_owned),
        });
    }
    Ok((StatusCode::OK, Json(out)))
}

fn kind_name(event: &Event) -> String {
    serde_json::to_value(event.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn validate(index: usize, value: serde_json::Value, now: i64) -> Result<Event, Rejection> {
    let event: Event = serde_path_to_error::deserialize(value).map_err(|e| Rejection {
        code: "invalid_event",
        field: format!("events[{index}].{}", e.path()),
        message: format!("events[{index}].{}: {}", e.path(), e.inner()),
    })?;
    if let Err(e) = event.validate() {
        // Every EventError message starts with the field it is about: `user_id: ...`.
        let text = e.to_string();
        let field = text.split(':').next().unwrap_or_default();
        return Err(Rejection {
            code: "invalid_event",
            field: format!("events[{index}].{field}"),
            message: format!("events[{index}].{text}"),
        });
    }
    let ts = event.ts.as_millis();
    if ts > now + MAX_FUTURE_MS || ts < now - MAX_AGE_MS {
        return Err(Rejection {
            code: "timestamp_out_of_range",
            field: format!("events[{index}].ts"),
            message: format!(
                "events[{index}].ts: {ts} is more than a day ahead of or a year behind the server clock ({now})"
            ),
        });
    }
    Ok(event)
}
