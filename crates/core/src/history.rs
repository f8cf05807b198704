//! What a user (and their account) has already done with each campaign: views, dismissals,
//! snoozes, survey responses, conversions.
//!
//! [`History::from_events`] rebuilds it from the very engagement events the collector
//! stores, so the widget (from its local queue) and the server (from its database) reach
//! the same decisions.
use crate::campaign::Campaign;
use crate::context::{EventStat, EventStats, User};
use crate::event::{Event, EventKind};
use crate::time::Timestamp;

/// A snooze: when it was asked and, if the client said so, until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snooze {
    /// When the user snoozed.
    pub at: Timestamp,
    /// Explicit end (`props.until`); otherwise the campaign's snooze length applies.
    pub until: Option<Timestamp>,
}

/// Engagement with one campaign by one party (the user, or the whole account).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Impressions (holdout impressions excluded).
    pub views: Vec<Timestamp>,
    /// "Eligible in holdout" impressions.
    pub holdout_views: Vec<Timestamp>,
    /// Dismissals.
    pub dismissals: Vec<Timestamp>,
    /// Snoozes.
    pub snoozes: Vec<Snooze>,
    /// Survey responses.
    pub responses: Vec<Timestamp>,
    /// Conversions.
    pub conversions: Vec<Timestamp>,
}

impl Exposure {
    /// Views at or after `since`.
    pub fn views_since(&self, since: Timestamp) -> usize {
        self.views.iter().filter(|&&t| t >= since).count()
    }

    /// The latest dismissal.
    pub fn last_dismissal(&self) -> Option<Timestamp> {
        self.dismissals.iter().copied().max()
    }

    /// The latest snooze.
    pub fn last_snooze(&self) -> Option<Snooze> {
        self.snoozes.iter().copied().max_by_key(|s| s.at)
    }

    /// The latest response.
    pub fn last_response(&self) -> Option<Timestamp> {
        self.responses.iter().copied().max()
    }

    fn record(&mut self, kind: EventKind, ts: Timestamp, holdout: bool, until: Option<Timestamp>) {
        match kind {
            EventKind::Impression if holdout => self.holdout_views.push(ts),
            EventKind::Impression => self.views.push(ts),
            EventKind::Dismiss => self.dismissals.push(ts),
            EventKind::Snooze => self.snoozes.push(Snooze { at: ts, until }),
            EventKind::SurveyResponse => self.responses.push(ts),
            EventKind::Conversion => self.conversions.push(ts),
            _ => {}
        }
    }
}

/// One campaign's history for the user and for their account (all users of it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignHistory {
    /// This user.
    pub user: Exposure,
    /// Everyone in the account, this user included.
    pub account: Exposure,
}

/// What the user and their account have done, per campaign id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Sorted by campaign id (a sorted list rather than a map: one fewer map type in the
    /// widget's wasm, and lookups stay logarithmic).
    campaigns: Vec<(String, CampaignHistory)>,
}

/// Who an engagement is attributed to when recording by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// This user (and so also their account).
    User,
    /// Another user of the same account.
    Account,
}

const NOTHING: Exposure = Exposure {
    views: Vec::new(),
    holdout_views: Vec::new(),
    dismissals: Vec::new(),
    snoozes: Vec::new(),
    responses: Vec::new(),
    conversions: Vec::new(),
};

static EMPTY: CampaignHistory = CampaignHistory {
    user: NOTHING,
    account: NOTHING,
};

impl History {
    fn get(&self, id: &str) -> Option<&CampaignHistory> {
        let i = self
            .campaigns
            .binary_search_by(|(k, _)| k.as_str().cmp(id))
            .ok()?;
        Some(&self.campaigns[i].1)
    }

    fn entry(&mut self, id: &str) -> &mut CampaignHistory {
        let i = match self.campaigns.binary_search_by(|(k, _)| k.as_str().cmp(id)) {
            Ok(i) => i,
            Err(i) => {
                self.campaigns
                    .insert(i, (id.to_owned(), CampaignHistory::default()));
                i
            }
        };
        &mut self.campaigns[i].1
    }

    /// An empty history.
    pub fn new() -> History {
        History::default()
    }

    /// One campaign's history (empty if none).
    pub fn campaign(&self, id: &str) -> &CampaignHistory {
        self.get(id).unwrap_or(&EMPTY)
    }

    /// Iterate over all campaigns with history.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &CampaignHistory)> {
        self.campaigns.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Record one engagement by hand (what `from_events` does per event).
    pub fn record(&mut self, campaign_id: &str, scope: Scope, kind: EventKind, ts: Timestamp) {
        let h = self.entry(campaign_id);
        if scope == Scope::User {
            h.user.record(kind, ts, false, None);
        }
        h.account.record(kind, ts, false, None);
    }

    /// Rebuild from engagement events: events of `user` (by user id or anonymous id) count
    /// for the user; events carrying `account_id` count for the account. Events of other
    /// users and accounts, and non-campaign events, are ignored.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::{Event, EventKind, History, Timestamp, context::User, uuid::Uuid};
    /// let mut e = Event::new(Uuid::v7(1, [0; 10]), EventKind::Dismiss, Timestamp(1));
    /// e.user_id = Some("u1".into());
    /// e.campaign_id = Some("tips".into());
    /// let user = User { id: Some("u1".into()), ..User::default() };
    /// let h = History::from_events(&[e], &user, None);
    /// assert_eq!(h.campaign("tips").user.dismissals, vec![Timestamp(1)]);
    /// ```
    pub fn from_events<'a>(
        events: impl IntoIterator<Item = &'a Event>,
        user: &User,
        account_id: Option<&str>,
    ) -> History {
        let mut h = History::new();
        for e in events {
            let Some(cid) = e.campaign_id.as_deref() else {
                continue;
            };
            let mine = is_users(e, user);
            let ours = account_id.is_some() && e.account_id.as_deref() == account_id;
            if !mine && !ours {
                continue;
            }
            let until = e
                .props
                .get("until")
                .and_then(serde_json::Value::as_i64)
                .map(Timestamp);
            let entry = h.entry(cid);
            if mine {
                entry.user.record(e.kind, e.ts, e.holdout, until);
            }
            if ours || mine {
                entry.account.record(e.kind, e.ts, e.holdout, until);
            }
        }
        h
    }

    /// The user's non-holdout views across `campaigns` at or after `since`, skipping
    /// campaigns for which `skip` is true (feed items do not count as nudges).
    pub fn user_views_since(
        &self,
        campaigns: &[Campaign],
        since: Timestamp,
        skip: impl Fn(&Campaign) -> bool,
    ) -> usize {
        campaigns
            .iter()
            .filter(|c| !skip(c))
            .filter_map(|c| self.get(&c.id))
            .map(|h| h.user.views_since(since))
            .sum()
    }

    /// Campaigns whose conversion goal is met by tracking `event_name` at `now`: the user
    /// saw the campaign (or was eligible in its holdout) within the goal's window and has not
    /// converted since that view. The widget logs a `conversion` event for each, with the
    /// returned holdout flag.
    pub fn conversions_for<'c>(
        &self,
        campaigns: &'c [Campaign],
        event_name: &str,
        now: Timestamp,
    ) -> Vec<(&'c str, bool)> {
        let mut out = Vec::new();
        for c in campaigns {
            let Some(goal) = &c.conversion else { continue };
            if goal.event != event_name {
                continue;
            }
            let h = self.campaign(&c.id);
            let since = now.plus_days(-i64::from(goal.within_days));
            let last =
                |v: &[Timestamp]| v.iter().copied().filter(|&t| t >= since && t <= now).max();
            let converted_after = |t: Timestamp| h.user.conversions.iter().any(|&c| c >= t);
            if let Some(t) = last(&h.user.views) {
                if !converted_after(t) {
                    out.push((c.id.as_str(), false));
                }
            } else if let Some(t) = last(&h.user.holdout_views) {
                if !converted_after(t) {
                    out.push((c.id.as_str(), true));
                }
            }
        }
        out
    }
}

fn is_users(e: &Event, user: &User) -> bool {
    (user.id.is_some() && e.user_id == user.id)
        || (user.anonymous_id.is_some() && e.anonymous_id == user.anonymous_id)
}

/// Per-event statistics of the user's `track` events, for `event("..")` in conditions.
pub fn event_stats<'a>(events: impl IntoIterator<Item = &'a Event>, user: &User) -> EventStats {
    let mut stats = EventStats::new();
    for e in events {
        if e.kind != EventKind::Track || !is_users(e, user) {
            continue;
        }
        let Some(name) = e.name.as_deref() else {
            continue;
        };
        let s: &mut EventStat = stats.entry(name);
        s.count += 1;
        s.last_seen = Some(s.last_seen.map_or(e.ts, |t| t.max(e.ts)));
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uuid::Uuid;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn ev(kind: EventKind, user: &str, account: &str, campaign: Option<&str>, ts: i64) -> Event {
        let mut e = Event::new(Uuid::v7(ts as u64, [0; 10]), kind, Timestamp(ts));
        e.user_id = Some(user.into());
        e.account_id = Some(account.into());
        e.campaign_id = campaign.map(Into::into);
        e
    }

    #[test]
    fn splits_user_and_account() {
        let events = vec![
            ev(EventKind::Impression, "u1", "acme", Some("nps"), 1),
            ev(EventKind::Impression, "u2", "acme", Some("nps"), 2),
            ev(EventKind::Impression, "u3", "other", Some("nps"), 3),
            ev(EventKind::Dismiss, "u1", "acme", Some("nps"), 4),
            ev(EventKind::Track, "u1", "acme", None, 5),
        ];
        let user = User {
            id: Some("u1".into()),
            ..User::default()
        };
        let h = History::from_events(&events, &user, Some("acme"));
        let nps = h.campaign("nps");
        assert_eq!(nps.user.views, vec![Timestamp(1)]);
        assert_eq!(nps.account.views, vec![Timestamp(1), Timestamp(2)]);
        assert_eq!(nps.user.last_dismissal(), Some(Timestamp(4)));
        assert_eq!(h.campaign("none"), &CampaignHistory::default());
    }

    #[test]
    fn stats_from_track_events() {
        let mut a = ev(EventKind::Track, "u1", "acme", None, 10);
        a.name = Some("invoice_sent".into());
        let mut b = a.clone();
        b.ts = Timestamp(20);
        let user = User {
            id: Some("u1".into()),
            ..User::default()
        };
        let s = event_stats(&[b, a], &user);
        assert_eq!(
            s.get("invoice_sent").copied().unwrap_or_default(),
            EventStat {
                count: 2,
                last_seen: Some(Timestamp(20))
            }
        );
    }
}
