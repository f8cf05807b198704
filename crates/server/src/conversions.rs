//! Conversions, attributed where all events meet: the stored events, read back into the
//! core's [`Event`] and run through [`touchpoint_core::attribution`]. Two readers use it:
//! the admin API (a campaign's exposure windows and per-arm totals) and `/v1/history` (the
//! user's own conversions, which `stop_after_conversion` reads in the widget). Nothing a
//! client calls a conversion is trusted: a `conversion` event sent to `/v1/events` is
//! stored and ignored.
use crate::store::{StoreError, StoredEvent, Subject};
use crate::{catalog::Catalog, state::AppState};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use touchpoint_core::attribution::{attribute, Party, Totals, Window};
use touchpoint_core::campaign::{ConversionGoal, GoalTarget};
use touchpoint_core::uuid::Uuid;
use touchpoint_core::{Arm, Campaign, Event};

/// The stored events that still parse as events (all do: they were validated at ingest).
pub fn parse(rows: &[StoredEvent]) -> Vec<Event> {
    rows.iter()
        .filter_map(|r| serde_json::from_str::<Event>(&r.body).ok())
        .collect()
}

/// The tracked event a goal waits for, if it is one.
fn goal_event(goal: &ConversionGoal) -> Option<&str> {
    match &goal.target {
        GoalTarget::Event { event } => Some(event),
        GoalTarget::Cta { .. } => None,
    }
}

/// A campaign's exposure windows in one environment, and their per-arm totals.
///
/// # Errors
/// When storage fails.
pub async fn for_campaign(
    state: &AppState,
    env_key: &str,
    campaign_id: &str,
    goal: &ConversionGoal,
) -> Result<(Vec<Window>, Totals), StoreError> {
    let rows = state
        .store
        .attribution_events(env_key, campaign_id, goal_event(goal))
        .await?;
    let windows = attribute(campaign_id, goal, &parse(&rows));
    let totals = Totals::of(&windows);
    Ok((windows, totals))
}

/// The subject's conversions as `conversion` events, in the event schema the widget reads
/// its history in: one per converted exposure window of a campaign of `catalog` whose goal
/// this user (or, for an account goal, their account) met. `history` is the subject's
/// campaign events; the goal events are read here.
///
/// # Errors
/// When storage fails.
pub async fn of_subject(
    state: &AppState,
    catalog: &Catalog,
    subject: &Subject,
    history: &[StoredEvent],
    since: i64,
) -> Result<Vec<Value>, StoreError> {
    let goals: Vec<(&Campaign, &ConversionGoal)> = catalog
        .campaigns
        .iter()
        .filter_map(|c| Some((c, c.conversion.as_ref()?)))
        .collect();
    if goals.is_empty() || (subject.user_id.is_none() && subject.anonymous_id.is_none()) {
        return Ok(Vec::new());
    }
    let mut names: Vec<String> = goals
        .iter()
        .filter_map(|(_, g)| goal_event(g).map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    let goal_rows = state.store.goal_events(subject, &names, since).await?;
    let mut events = parse(history);
    events.extend(parse(&goal_rows));
    // The device's events before `identify` are this user's too.
    if let Some(user) = &subject.user_id {
        for e in &mut events {
            if e.user_id.is_none()
                && e.anonymous_id.is_some()
                && e.anonymous_id == subject.anonymous_id
            {
                e.user_id = Some(user.clone());
            }
        }
    }
    let own = |party: &Party| match party {
        Party::User(u) => subject.user_id.as_ref() == Some(u),
        Party::Anonymous(a) => {
            subject.user_id.is_none() && subject.anonymous_id.as_ref() == Some(a)
        }
        Party::Account(a) => subject.account_id.as_ref() == Some(a),
    };
    let mut out = Vec::new();
    for (campaign, goal) in goals {
        for w in attribute(&campaign.id, goal, &events) {
            let Some(c) = w.conversion.as_ref().filter(|_| own(&w.party)) else {
                continue;
            };
            out.push(json!({
                "id": conversion_id(&campaign.id, &c.event_id, c.at.as_millis()).to_string(),
                "type": "conversion",
                "ts": c.at.as_millis(),
                "received_at": null,
                "anonymous_id": subject.anonymous_id,
                "user_id": subject.user_id,
                "account_id": subject.account_id,
                "session_id": null,
                "campaign_id": campaign.id,
                "variant": w.variant,
                "holdout": w.arm == Arm::Holdout,
                "name": null,
                "props": {"goal_event": c.event_id.to_string()},
            }));
        }
    }
    Ok(out)
}

/// A stable id for the conversion of `campaign_id` by `goal_event`: the same on every
/// request and every collector, and never the goal event's own id (the widget merges its
/// history with its journal by id).
fn conversion_id(campaign_id: &str, goal_event: &Uuid, at: i64) -> Uuid {
    let digest = Sha256::new()
        .chain_update(campaign_id.as_bytes())
        .chain_update([0])
        .chain_update(goal_event.as_bytes())
        .finalize();
    let mut rand = [0; 10];
    rand.copy_from_slice(&digest[..10]);
    Uuid::v7(u64::try_from(at).unwrap_or(0), rand)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conversion_id_is_stable_and_differs_from_the_goal_events() {
        let goal = Uuid::v7(1_000, [1; 10]);
        let a = conversion_id("renew", &goal, 1_000);
        assert_eq!(a, conversion_id("renew", &goal, 1_000));
        assert_ne!(a, goal);
        assert_ne!(a, conversion_id("other", &goal, 1_000));
        assert!(a.is_v7());
    }
}
