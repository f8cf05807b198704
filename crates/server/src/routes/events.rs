//! `POST /v1/events`: the collector. Each event of a batch is validated on its own and gets its
//! own result (accepted, duplicate or rejected with the reason), so one bad event does not sink
//! the batch; deduplication by the client-generated id makes retries harmless. The endpoint
//! also takes `navigator.sendBeacon` bodies (any content type, key in the query string).
use crate::config::Environment;
use crate::identity::{self, Verdict};
use crate::rejection::{Reason, Rejection};
use crate::state::Counters;
use crate::store::{InsertOutcome, StoredEvent};
use crate::unique_keys::Checked;
use crate::{error::AppError, state::AppState};
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::atomic::Ordering;
use touchpoint_core::event::DROPPED_EVENT;
use touchpoint_core::{Event, EventKind};

/// How far a client clock may run ahead of the server's before an event is refused.
const MAX_FUTURE_MS: i64 = 24 * 3600 * 1000;
/// How old an event may be (an offline queue can hold events for a while, not for years).
const MAX_AGE_MS: i64 = 365 * 24 * 3600 * 1000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchIn {
    /// Each with the first key it has twice, if any (a duplicate `events` or other batch
    /// field is refused by serde itself, as a malformed batch).
    events: Vec<Checked>,
    /// The client's clock when it sent the batch (informational).
    #[serde(default)]
    #[allow(dead_code)]
    sent_at: Option<i64>,
    /// Events an older widget's bounded queue had to drop before this batch (logged only:
    /// such a count was sent again whenever an answer was lost, and by every tab). Current
    /// widgets report drops with an event of their own, [`DROPPED_EVENT`].
    #[serde(default)]
    dropped: u64,
}

/// What became of one event of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Newly stored.
    Accepted,
    /// Stored before; not stored again.
    Duplicate,
    /// Refused (the result's `error` says why).
    Rejected,
}

/// The result for one event of a batch.
#[derive(Debug, Serialize)]
pub struct EventResult {
    /// The event id, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `accepted`, `duplicate` or `rejected`.
    pub status: Status,
    /// Why it was rejected: `{code, field, message}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Rejection>,
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

/// A preview's batch: every event answered as accepted, so the widget's queue lets go of
/// it, and none stored or counted (preview traffic is never engagement).
fn discarded(batch: BatchIn) -> BatchOut {
    let results: Vec<EventResult> = batch
        .events
        .into_iter()
        .map(|e| EventResult {
            id: e.value.get("id").and_then(Value::as_str).map(str::to_owned),
            status: Status::Accepted,
            error: None,
        })
        .collect();
    BatchOut {
        accepted: results.len(),
        duplicates: 0,
        rejected: 0,
        results,
    }
}

/// Validate and store a batch.
///
/// Answers 200 with per-event results when at least one event was accepted or was a
/// duplicate. When every event was rejected it answers with the first rejection: 401
/// `identity_unverified`, 413 `too_large`, or 400 `invalid_event`.
///
/// # Errors
/// 400 for a body that is not a batch, 413 for a body over the batch limit, 503 when storage
/// fails (the client retries; nothing was half-stored because a batch is one transaction).
pub async fn collect(
    State(state): State<AppState>,
    Extension(env): Extension<Environment>,
    body: Body,
) -> Result<(StatusCode, Json<BatchOut>), AppError> {
    let limit = state.limits.max_batch_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        match crate::serve::body_timeout(&e) {
            Some(t) => AppError::BodyTimeout(t.0),
            None => AppError::TooLarge {
                what: "the batch".into(),
                limit,
            },
        }
    })?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    let batch: BatchIn = serde_path_to_error::deserialize(de).map_err(AppError::MalformedBatch)?;
    if crate::preview::is_preview_key(&env.key) {
        return Ok((StatusCode::OK, Json(discarded(batch))));
    }
    if batch.dropped > 0 {
        tracing::warn!(
            env = env.name,
            dropped = batch.dropped,
            "an older widget's queue reported dropped events (a count that may be repeated)"
        );
    }
    let now = state.now_millis();
    let mut results = Vec::with_capacity(batch.events.len());
    let mut to_store = Vec::new();
    let mut slots = Vec::new();
    let mut reports = Vec::new();
    for (i, event) in batch.events.into_iter().enumerate() {
        let id_unclear = event
            .duplicate
            .as_ref()
            .is_some_and(|p| p.is_top_level("id"));
        let id = (!id_unclear)
            .then(|| {
                event
                    .value
                    .get("id")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .flatten();
        match validate(i, event, now, &env, state.limits.max_event_bytes) {
            Ok(event) => {
                slots.push(results.len());
                reports.push(reported_drops(&event));
                results.push(EventResult {
                    id,
                    status: Status::Accepted,
                    error: None,
                });
                to_store.push(stored(&event, &env, now));
            }
            Err(r) => {
                if matches!(r.reason, Reason::IdentityMissing | Reason::IdentityWrong) {
                    Counters::add(&state.counters.identity_rejected, 1);
                }
                results.push(EventResult {
                    id,
                    status: Status::Rejected,
                    error: Some(r),
                });
            }
        }
    }
    let outcomes = if to_store.is_empty() {
        Vec::new()
    } else {
        state.store.insert_events(&to_store).await?
    };
    let mut dropped = 0;
    for ((slot, outcome), report) in slots.into_iter().zip(outcomes).zip(reports) {
        if outcome == InsertOutcome::Duplicate {
            results[slot].status = Status::Duplicate;
        } else {
            dropped += report;
        }
    }
    if dropped > 0 {
        // Counted only when its report is newly stored: a report sent again (a lost answer,
        // two tabs) is a duplicate and counts nothing.
        state.counters.dropped.fetch_add(dropped, Ordering::Relaxed);
        tracing::warn!(
            env = env.name,
            dropped,
            "a client queue dropped events that were never sent"
        );
    }
    let count = |s: Status| results.iter().filter(|r| r.status == s).count();
    let mut out = BatchOut {
        accepted: count(Status::Accepted),
        duplicates: count(Status::Duplicate),
        rejected: count(Status::Rejected),
        results,
    };
    Counters::add(&state.counters.accepted, out.accepted);
    Counters::add(&state.counters.duplicates, out.duplicates);
    Counters::add(&state.counters.rejected, out.rejected);
    if out.rejected > 0 && out.rejected == out.results.len() {
        // Every result is a rejection: the first one is the batch's answer.
        if let Some(first) = out.results.iter_mut().find_map(|r| r.error.take()) {
            return Err(first.into());
        }
    }
    Ok((StatusCode::OK, Json(out)))
}

/// How many dropped events `event` reports, if it is a widget's drop report (issue 12): a
/// `track` named [`DROPPED_EVENT`] with `props.count`.
fn reported_drops(event: &Event) -> u64 {
    let report = event.kind == EventKind::Track && event.name.as_deref() == Some(DROPPED_EVENT);
    let count = event.props.get("count").and_then(Value::as_u64);
    count.filter(|_| report).unwrap_or(0)
}

fn stored(event: &Event, env: &Environment, now: i64) -> StoredEvent {
    let mut event = event.clone();
    event.received_at = Some(touchpoint_core::Timestamp(now));
    StoredEvent {
        id: event.id.to_string(),
        env_key: env.key.clone(),
        kind: event.kind.as_str().to_owned(),
        ts_client: event.ts.as_millis(),
        ts_server: now,
        user_id: event.user_id.clone(),
        anonymous_id: event.anonymous_id.clone(),
        account_id: event.account_id.clone(),
        campaign_id: event.campaign_id.clone(),
        name: event.name.clone(),
        body: serde_json::to_string(&event).expect("an event serialises"),
    }
}

fn validate(
    index: usize,
    event: Checked,
    now: i64,
    env: &Environment,
    max_bytes: usize,
) -> Result<Event, Rejection> {
    let reject = |reason| Rejection { index, reason };
    // Which of two values was meant cannot be known, so neither is taken (issue 9).
    if let Some(path) = event.duplicate {
        return Err(reject(Reason::DuplicateKey(path)));
    }
    let mut value = event.value;
    let size = serde_json::to_string(&value).map_or(usize::MAX, |s| s.len());
    if size > max_bytes {
        return Err(reject(Reason::TooLarge {
            size,
            limit: max_bytes,
        }));
    }
    // The signature is transport authentication, not part of the stored event.
    let user_hash = value.as_object_mut().and_then(|o| o.remove("user_hash"));
    let event: Event =
        serde_path_to_error::deserialize(value).map_err(|e| reject(Reason::Schema(e)))?;
    event.validate().map_err(|e| reject(Reason::Invalid(e)))?;
    let ts = event.ts.as_millis();
    if ts > now + MAX_FUTURE_MS || ts < now - MAX_AGE_MS {
        return Err(reject(Reason::TimestampOutOfRange { ts, now }));
    }
    let hash = user_hash.as_ref().and_then(Value::as_str);
    match identity::verify(&env.identity, event.user_id.as_deref(), hash) {
        Verdict::Ok => Ok(event),
        Verdict::Missing => Err(reject(Reason::IdentityMissing)),
        Verdict::Wrong => Err(reject(Reason::IdentityWrong)),
    }
}
