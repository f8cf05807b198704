//! `GET /v1/history`: what this user (on any device) and their account have already done with
//! campaigns, so that a dismissal follows the user to another device and per-account caps
//! ("one NPS per account per quarter") hold across all users of the account. The widget merges
//! these events with its own journal and rebuilds the core's `History` from both. Each
//! campaign's first exposure of the user is always included, however old: the arm and
//! variant it records are the user's for good. The user's conversions come last, as
//! `conversion` events the server attributed from the campaigns' goal events
//! ([`crate::conversions`]); conversions a client sent are never part of a history.
use crate::config::Environment;
use crate::identity::{self, Verdict};
use crate::store::Subject;
use crate::{error::AppError, state::AppState};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

/// How far back a history reaches: the longest recontact or cap window worth honouring.
pub const HISTORY_DAYS: i64 = 400;
/// At most this many events per answer, newest first.
pub const HISTORY_LIMIT: u32 = 1000;

/// Whose history.
#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    user_id: Option<String>,
    anonymous_id: Option<String>,
    account_id: Option<String>,
    user_hash: Option<String>,
}

/// The campaign events of the subject, newest first, then the user's first exposure to each
/// campaign when the window or the limit left it out. Other users' ids are removed from
/// account-level events: a user sees that a colleague answered the NPS, not who.
///
/// # Errors
/// 400 without any subject or with a query string it cannot read (the ids are
/// percent-decoded, as a browser encodes them); 401 when the environment enforces identity and the user id is
/// not signed; 503 when storage fails.
pub async fn history(
    State(state): State<AppState>,
    Extension(env): Extension<Environment>,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> Result<Json<Value>, AppError> {
    let Query(q) = query?;
    // A preview's widget starts with no history, whoever its persona is.
    if crate::preview::is_preview_key(&env.key) {
        return Ok(Json(json!({ "events": [] })));
    }
    if q.user_id.is_none() && q.anonymous_id.is_none() && q.account_id.is_none() {
        return Err(AppError::MissingSubject);
    }
    match identity::verify(&env.identity, q.user_id.as_deref(), q.user_hash.as_deref()) {
        Verdict::Ok => {}
        Verdict::Missing | Verdict::Wrong => {
            Err(AppError::IdentityUnverified {
                message: "user_hash is missing or does not match user_id".into(),
            })?;
        }
    }
    let since = state.now_millis() - HISTORY_DAYS * 24 * 3600 * 1000;
    let subject = Subject {
        env_key: env.key.clone(),
        user_id: q.user_id.clone(),
        anonymous_id: q.anonymous_id.clone(),
        account_id: q.account_id,
    };
    let mut rows = state.store.history(&subject, since, HISTORY_LIMIT).await?;
    // The user's first exposure to each campaign, even older than the window or beyond the
    // limit: it holds their arm and variant, which must not change (issue 11).
    for first in state.store.first_exposures(&subject).await? {
        if !rows.iter().any(|r| r.id == first.id) {
            rows.push(first);
        }
    }
    // The user's conversions, attributed here from the goal events (issue 11): what
    // `stop_after_conversion` reads, on every device.
    let conversions =
        crate::conversions::of_subject(&state, &state.catalog(), &subject, &rows, since).await?;
    let mut events: Vec<Value> = rows
        .into_iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
        .map(|mut e| {
            let own = (q.user_id.is_some() && e["user_id"].as_str() == q.user_id.as_deref())
                || (q.anonymous_id.is_some()
                    && e["anonymous_id"].as_str() == q.anonymous_id.as_deref());
            if !own {
                e["user_id"] = Value::Null;
                e["anonymous_id"] = Value::Null;
                e["session_id"] = Value::Null;
                e["props"] = json!({});
            }
            e
        })
        .collect();
    events.extend(conversions);
    Ok(Json(json!({ "events": events })))
}
