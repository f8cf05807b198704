//! Conversion attribution: which exposures to a campaign were followed by its goal.
//!
//! A campaign's `[conversion]` goal names what success looks like — a `track` event
//! (`event = "renewal_signed"`) or one of the campaign's own CTAs (`cta = "book"`) — and how
//! long after an exposure it still counts (`within_days`). Attribution runs where all events
//! meet, on the server, over the stored events: the goal may be tracked on another device or
//! by the vendor's backend. The widget never records a conversion of its own.
//!
//! The rule, for treatment and holdout alike:
//!
//! * An **exposure** is an `impression` of the campaign: a treatment view, or a holdout
//!   member's would-be view.
//! * An exposure when no window is open **opens an exposure window** of `within_days` days
//!   (inclusive of its last millisecond), in the arm and variant of that exposure. Further
//!   exposures inside an open window change nothing.
//! * The first goal event inside an open window is **its conversion**, and closes it: one
//!   conversion per window, however often the goal is tracked. The next exposure opens a
//!   new window.
//! * Whose events meet: with `scope = "user"` (the default), the user's — by user id, or by
//!   the anonymous id of the device until an event carrying both ids (an `identify`) links
//!   it to the user; with `scope = "account"`, any user's of the same account (a window is
//!   then the account's and takes the arm of the exposure that opened it).
//!
//! Events may arrive in any order; they are sorted by time (then id), so every collector
//! computes the same answer.
use crate::campaign::{ConversionGoal, GoalTarget};
use crate::event::{Event, EventKind};
use crate::time::Timestamp;
use crate::uuid::Uuid;
use crate::vocab::{Arm, CapScope};
use std::collections::BTreeMap;

/// Who a window belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Party {
    /// An identified user.
    User(String),
    /// A device that never identified (its anonymous id).
    Anonymous(String),
    /// A whole account (goals with `scope = "account"`).
    Account(String),
}

/// One exposure window: opened by an exposure, closed by its conversion or by time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Window {
    /// Whose window.
    pub party: Party,
    /// The arm of the exposure that opened it.
    pub arm: Arm,
    /// The variant of that exposure, if it named one.
    pub variant: Option<String>,
    /// When the opening exposure happened.
    pub opened_at: Timestamp,
    /// The last instant a goal event still counts.
    pub closes_at: Timestamp,
    /// The goal event that converted it, if any.
    pub conversion: Option<Converted>,
}

/// The goal event that converted a window.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Converted {
    /// When the goal event happened.
    pub at: Timestamp,
    /// The goal event's id.
    pub event_id: Uuid,
}

/// Every exposure window of one campaign, in order of party, then time.
///
/// `events` may hold anything (other campaigns' events, page views); only the campaign's
/// impressions, its goal events and the events linking a device to a user are read.
pub fn attribute<'a>(
    campaign_id: &str,
    goal: &ConversionGoal,
    events: impl IntoIterator<Item = &'a Event>,
) -> Vec<Window> {
    let mut relevant: Vec<&Event> = Vec::new();
    let mut aliases: BTreeMap<&str, &str> = BTreeMap::new();
    for e in events {
        if let (Some(anon), Some(user)) = (e.anonymous_id.as_deref(), e.user_id.as_deref()) {
            aliases.entry(anon).or_insert(user);
        }
        let exposure =
            e.kind == EventKind::Impression && e.campaign_id.as_deref() == Some(campaign_id);
        if exposure || is_goal(campaign_id, &goal.target, e) {
            relevant.push(e);
        }
    }
    relevant.sort_by_key(|e| (e.ts, e.id));
    let mut open: BTreeMap<Party, Window> = BTreeMap::new();
    let mut done: Vec<Window> = Vec::new();
    for e in relevant {
        let Some(party) = party_of(e, goal.scope, &aliases) else {
            continue;
        };
        let current = open.get(&party).filter(|w| e.ts <= w.closes_at);
        if e.kind == EventKind::Impression && e.campaign_id.as_deref() == Some(campaign_id) {
            if current.is_none() {
                if let Some(expired) = open.remove(&party) {
                    done.push(expired);
                }
                let window = Window {
                    party: party.clone(),
                    arm: if e.holdout {
                        Arm::Holdout
                    } else {
                        Arm::Treatment
                    },
                    variant: e.variant.clone(),
                    opened_at: e.ts,
                    closes_at: e.ts.plus_days(i64::from(goal.within_days)),
                    conversion: None,
                };
                open.insert(party, window);
            }
        } else if current.is_some() {
            if let Some(mut w) = open.remove(&party) {
                w.conversion = Some(Converted {
                    at: e.ts,
                    event_id: e.id,
                });
                done.push(w);
            }
        }
    }
    done.extend(open.into_values());
    done.sort_by(|a, b| (&a.party, a.opened_at).cmp(&(&b.party, b.opened_at)));
    done
}

/// Whether `e` is the goal event of the campaign's goal.
fn is_goal(campaign_id: &str, target: &GoalTarget, e: &Event) -> bool {
    match target {
        GoalTarget::Event { event } => {
            e.kind == EventKind::Track && e.name.as_deref() == Some(event.as_str())
        }
        GoalTarget::Cta { cta } => {
            e.kind == EventKind::Cta
                && e.campaign_id.as_deref() == Some(campaign_id)
                && e.props.get("cta").and_then(|v| v.as_str()) == Some(cta.as_str())
        }
    }
}

/// Whose window an event belongs to under `scope`; `None` for an event without the id.
fn party_of(e: &Event, scope: CapScope, aliases: &BTreeMap<&str, &str>) -> Option<Party> {
    match scope {
        CapScope::Account => e.account_id.clone().map(Party::Account),
        CapScope::User => match (e.user_id.as_deref(), e.anonymous_id.as_deref()) {
            (Some(user), _) => Some(Party::User(user.to_owned())),
            (None, Some(anon)) => Some(match aliases.get(anon) {
                Some(user) => Party::User((*user).to_owned()),
                None => Party::Anonymous(anon.to_owned()),
            }),
            (None, None) => None,
        },
    }
}

/// Exposed and converted parties of one arm.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ArmTotals {
    /// Parties with at least one exposure window in this arm.
    pub exposed: u64,
    /// Of those, parties with at least one converted window.
    pub converted: u64,
    /// Exposure windows.
    pub windows: u64,
    /// Converted windows.
    pub conversions: u64,
}

/// Per-arm totals of [`attribute`]'s windows (a party counts in the arm of its windows).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    /// The treatment arm.
    pub treatment: ArmTotals,
    /// The holdout arm.
    pub holdout: ArmTotals,
}

impl Totals {
    /// Count `windows` (as [`attribute`] returns them: grouped by party).
    pub fn of(windows: &[Window]) -> Totals {
        let mut t = Totals::default();
        let mut seen: BTreeMap<(&Party, Arm), bool> = BTreeMap::new();
        for w in windows {
            let arm = match w.arm {
                Arm::Treatment => &mut t.treatment,
                Arm::Holdout => &mut t.holdout,
            };
            arm.windows += 1;
            arm.conversions += u64::from(w.conversion.is_some());
            let converted = seen.entry((&w.party, w.arm)).or_insert(false);
            *converted |= w.conversion.is_some();
        }
        for ((_, arm), converted) in seen {
            let a = match arm {
                Arm::Treatment => &mut t.treatment,
                Arm::Holdout => &mut t.holdout,
            };
            a.exposed += 1;
            a.converted += u64::from(converted);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const DAY: i64 = 86_400_000;

    fn ev(seq: u8, kind: EventKind, user: Option<&str>, ts: i64) -> Event {
        let mut rand = [0; 10];
        rand[9] = seq;
        let mut e = Event::new(Uuid::v7(ts as u64, rand), kind, Timestamp(ts));
        e.user_id = user.map(Into::into);
        e.account_id = Some("acme".into());
        e
    }

    fn seen(seq: u8, user: Option<&str>, ts: i64, holdout: bool) -> Event {
        let mut e = ev(seq, EventKind::Impression, user, ts);
        e.campaign_id = Some("renew".into());
        e.holdout = holdout;
        e.variant = Some("control".into());
        e
    }

    fn tracked(seq: u8, user: Option<&str>, name: &str, ts: i64) -> Event {
        let mut e = ev(seq, EventKind::Track, user, ts);
        e.name = Some(name.into());
        e
    }

    fn goal(within_days: u32, scope: CapScope) -> ConversionGoal {
        ConversionGoal {
            target: GoalTarget::Event {
                event: "renewal_signed".into(),
            },
            within_days,
            scope,
        }
    }

    #[test]
    fn the_goal_event_within_the_window_converts_once_per_window() {
        let events = [
            seen(1, Some("u1"), DAY, false),
            seen(2, Some("u1"), 2 * DAY, false),
            tracked(3, Some("u1"), "renewal_signed", 10 * DAY),
            tracked(4, Some("u1"), "renewal_signed", 11 * DAY),
            // A later exposure opens a second window, which the goal never reaches in time.
            seen(5, Some("u1"), 20 * DAY, false),
            tracked(6, Some("u1"), "renewal_signed", 20 * DAY + 31 * DAY),
        ];
        let w = attribute("renew", &goal(30, CapScope::User), &events);
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[0].opened_at, Timestamp(DAY));
        assert_eq!(
            w[0].conversion.as_ref().map(|c| c.event_id),
            Some(events[2].id)
        );
        assert_eq!(w[1].opened_at, Timestamp(20 * DAY));
        assert_eq!(w[1].conversion, None);
        let t = Totals::of(&w);
        assert_eq!(
            t.treatment,
            ArmTotals {
                exposed: 1,
                converted: 1,
                windows: 2,
                conversions: 1
            }
        );
    }

    #[test]
    fn holdout_exposures_are_attributed_like_treatment_ones() {
        let events = [
            seen(1, Some("h1"), DAY, true),
            tracked(2, Some("h1"), "renewal_signed", 5 * DAY),
            seen(3, Some("t1"), DAY, false),
            tracked(4, Some("other"), "renewal_signed", 5 * DAY),
        ];
        let t = Totals::of(&attribute("renew", &goal(30, CapScope::User), &events));
        assert_eq!((t.holdout.exposed, t.holdout.converted), (1, 1));
        assert_eq!((t.treatment.exposed, t.treatment.converted), (1, 0));
    }

    #[test]
    fn a_goal_before_the_exposure_or_after_the_window_is_not_a_conversion() {
        let events = [
            tracked(1, Some("u1"), "renewal_signed", DAY - 1),
            seen(2, Some("u1"), DAY, false),
            tracked(3, Some("u1"), "renewal_signed", DAY + 7 * DAY + 1),
        ];
        let w = attribute("renew", &goal(7, CapScope::User), &events);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].conversion, None);
        // The last millisecond of the window still counts.
        let events = [
            seen(2, Some("u1"), DAY, false),
            tracked(3, Some("u1"), "renewal_signed", 8 * DAY),
        ];
        assert!(attribute("renew", &goal(7, CapScope::User), &events)[0]
            .conversion
            .is_some());
    }

    #[test]
    fn an_anonymous_exposure_converts_when_the_device_is_linked_to_the_user() {
        let mut exposure = seen(1, None, DAY, false);
        exposure.anonymous_id = Some("dev-1".into());
        let mut identify = ev(2, EventKind::Identify, Some("u1"), DAY + 1);
        identify.anonymous_id = Some("dev-1".into());
        // Tracked by the vendor's backend: user id only.
        let backend = tracked(3, Some("u1"), "renewal_signed", 3 * DAY);
        let mut events = vec![backend, exposure, identify];
        let w = attribute("renew", &goal(30, CapScope::User), &events);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].party, Party::User("u1".into()));
        assert!(w[0].conversion.is_some());
        // Without the link the device stays its own party and does not convert.
        events.retain(|e| e.kind != EventKind::Identify);
        let w = attribute("renew", &goal(30, CapScope::User), &events);
        assert_eq!(w[0].party, Party::Anonymous("dev-1".into()));
        assert_eq!(w[0].conversion, None);
    }

    #[test]
    fn an_account_goal_is_met_by_any_user_of_the_account() {
        let events = [
            seen(1, Some("u1"), DAY, false),
            tracked(2, Some("admin"), "renewal_signed", 2 * DAY),
        ];
        let user = attribute("renew", &goal(30, CapScope::User), &events);
        assert_eq!(user[0].conversion, None);
        let account = attribute("renew", &goal(30, CapScope::Account), &events);
        assert_eq!(account[0].party, Party::Account("acme".into()));
        assert!(account[0].conversion.is_some());
    }

    #[test]
    fn a_cta_goal_is_that_cta_of_this_campaign() {
        let mut cta = ev(2, EventKind::Cta, Some("u1"), 2 * DAY);
        cta.campaign_id = Some("renew".into());
        cta.props.insert("cta".into(), "book".into());
        let mut elsewhere = cta.clone();
        elsewhere.campaign_id = Some("other".into());
        let g = ConversionGoal {
            target: GoalTarget::Cta { cta: "book".into() },
            within_days: 30,
            scope: CapScope::User,
        };
        let events = [seen(1, Some("u1"), DAY, false), elsewhere];
        assert_eq!(attribute("renew", &g, &events)[0].conversion, None);
        let events = [seen(1, Some("u1"), DAY, false), cta];
        assert!(attribute("renew", &g, &events)[0].conversion.is_some());
    }

    #[test]
    fn the_order_events_arrive_in_does_not_matter() {
        let mut events = vec![
            seen(1, Some("u1"), DAY, false),
            tracked(2, Some("u1"), "renewal_signed", 2 * DAY),
            seen(3, Some("u1"), 40 * DAY, false),
            tracked(4, Some("u1"), "renewal_signed", 41 * DAY),
        ];
        let forward = attribute("renew", &goal(30, CapScope::User), &events);
        events.reverse();
        assert_eq!(
            attribute("renew", &goal(30, CapScope::User), &events),
            forward
        );
        assert_eq!(Totals::of(&forward).treatment.conversions, 2);
    }
}
