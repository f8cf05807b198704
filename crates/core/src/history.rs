//! What a user (and their account) has already done with each campaign: exposures,
//! dismissals, snoozes, survey responses, conversions, and the arm and variant the user got
//! at their first exposure.
//!
//! [`History::from_events`] rebuilds it from the very engagement events the collector
//! stores, so the widget (from its local queue) and the server (from its database) reach
//! the same decisions. Campaigns are found through a small hash index of their ids (the
//! bucket hash of [`crate::bucket`]), so rebuilding costs the same per event whatever
//! order the ids arrive in, and a lookup is one probe rather than a binary search through
//! a list of large entries; each campaign's exposures are kept in time order, so a cap's
//! window is two binary searches. [`decide`](crate::decide()) looks each catalog campaign
//! up once.
//!
//! An exposure is an `impression` event, treatment or holdout alike: a holdout member's
//! "would-be view" spends `max_views`, windowed caps and the weekly limit exactly as a
//! view does, so both arms leave a campaign at the same point.
use crate::bucket::id_hash as hash;
use crate::context::{EventStat, EventStats, User};
use crate::event::{Event, EventKind};
use crate::time::Timestamp;
use crate::vocab::Arm;

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
    /// Exposures (treatment impressions and holdout would-be views), oldest first.
    views: Vec<Timestamp>,
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
    /// Every exposure, treatment and holdout alike, oldest first.
    pub fn views(&self) -> &[Timestamp] {
        &self.views
    }

    /// How many exposures are at or before `t` (instants are whole milliseconds).
    fn up_to(&self, t: Timestamp) -> usize {
        self.views.partition_point(|&v| v <= t)
    }

    /// Exposures at or after `since`.
    pub fn views_since(&self, since: Timestamp) -> usize {
        self.views.len() - self.up_to(since.plus_ms(-1))
    }

    /// Exposures from `since` to `until` (both included), oldest first.
    pub fn views_between(&self, since: Timestamp, until: Timestamp) -> &[Timestamp] {
        let from = self.up_to(since.plus_ms(-1));
        &self.views[from..self.up_to(until).max(from)]
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

    /// Record one engagement; an exposure goes into its place in time (at the end, for
    /// events that arrive in order; an insertion rather than a sort keeps a sorting routine
    /// out of the widget's wasm).
    fn record(&mut self, kind: EventKind, ts: Timestamp, until: Option<Timestamp>) {
        match kind {
            EventKind::Impression => {
                let at = self.up_to(ts);
                self.views.insert(at, ts);
            }
            EventKind::Dismiss => self.dismissals.push(ts),
            EventKind::Snooze => self.snoozes.push(Snooze { at: ts, until }),
            EventKind::SurveyResponse => self.responses.push(ts),
            EventKind::Conversion => self.conversions.push(ts),
            _ => {}
        }
    }
}

/// The user's first exposure to a campaign, and the arm and variant it was in: they stay
/// the user's for good, whatever the bucketing id becomes later (an `identify` replaces the
/// anonymous id with the user id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstExposure {
    /// When.
    pub at: Timestamp,
    /// The arm (the impression's `holdout` flag).
    pub arm: Arm,
    /// The variant, if the event named one.
    pub variant: Option<String>,
    /// Orders two exposures at the same millisecond (the event id as a number; 0 when
    /// recorded by hand), so every device picks the same one.
    tie: u128,
}

impl FirstExposure {
    /// Keep the exposure at `at` (ordered by `tie` within a millisecond), in `arm`, of
    /// `variant`, in `slot` if it is the earliest so far.
    fn offer(
        slot: &mut Option<FirstExposure>,
        at: Timestamp,
        tie: u128,
        arm: Arm,
        variant: Option<&str>,
    ) {
        if slot.as_ref().is_none_or(|f| (at, tie) < (f.at, f.tie)) {
            *slot = Some(FirstExposure {
                at,
                arm,
                variant: variant.map(str::to_owned),
                tie,
            });
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
    /// This user's first exposure (by user id or anonymous id), if any.
    pub first: Option<FirstExposure>,
}

/// What the user and their account have done, per campaign id.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Per campaign id, in the order first met (a list and an index rather than a map
    /// type: one fewer collection type in the widget's wasm).
    campaigns: Vec<(String, CampaignHistory)>,
    /// Open addressing over `campaigns`: per slot, the high half of the id's hash (a tag, so
    /// a probe compares ids only when the tags agree) over `position + 1` (`0`: empty); a
    /// power of two long and at most half full.
    slots: Vec<u64>,
}

impl PartialEq for History {
    /// The same campaigns with the same histories, whatever order they were met in.
    fn eq(&self, other: &History) -> bool {
        self.campaigns.len() == other.campaigns.len()
            && self.campaigns.iter().all(|(id, h)| {
                other
                    .find(id, hash(id))
                    .is_some_and(|i| other.campaigns[i].1 == *h)
            })
    }
}

impl Eq for History {}

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
    dismissals: Vec::new(),
    snoozes: Vec::new(),
    responses: Vec::new(),
    conversions: Vec::new(),
};

static EMPTY: CampaignHistory = CampaignHistory {
    user: NOTHING,
    account: NOTHING,
    first: None,
};

impl History {
    /// The slot of `id`, whose hash is `h`: `Ok(slot)` holding it, or `Err(slot)`, the free slot it would
    /// take. The table must not be empty.
    fn probe(&self, id: &str, h: u64) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let slot = self.slots[i];
            let at = slot as u32 as usize;
            if at == 0 {
                return Err(i);
            }
            if slot >> 32 == h >> 32 && self.campaigns[at - 1].0 == id {
                return Ok(i);
            }
            i = (i + 1) & mask;
        }
    }

    /// The slot value for `id` at `position`.
    fn slot(id: &str, position: usize) -> u64 {
        (hash(id) >> 32 << 32) | (position as u64 + 1)
    }

    /// The position of `id`, whose hash is `h`, in `campaigns`.
    fn find(&self, id: &str, h: u64) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let slot = self.probe(id, h).ok()?;
        Some(self.slots[slot] as u32 as usize - 1)
    }

    /// The position of `id` in `campaigns`, added if new.
    fn position(&mut self, id: &str) -> usize {
        if self.slots.len() <= 2 * self.campaigns.len() {
            // Grow to keep the table at most half full, and place every id again.
            let len = (4 * self.campaigns.len()).next_power_of_two().max(16);
            self.slots.clear();
            self.slots.resize(len, 0);
            for at in 0..self.campaigns.len() {
                let id = &self.campaigns[at].0;
                let (Ok(slot) | Err(slot)) = self.probe(id, hash(id));
                self.slots[slot] = Self::slot(id, at);
            }
        }
        match self.probe(id, hash(id)) {
            Ok(slot) => self.slots[slot] as u32 as usize - 1,
            Err(slot) => {
                let at = self.campaigns.len();
                self.slots[slot] = Self::slot(id, at);
                self.campaigns
                    .push((id.to_owned(), CampaignHistory::default()));
                at
            }
        }
    }

    fn entry(&mut self, id: &str) -> &mut CampaignHistory {
        let at = self.position(id);
        &mut self.campaigns[at].1
    }

    /// An empty history.
    pub fn new() -> History {
        History::default()
    }

    /// One campaign's history (empty if none).
    pub fn campaign(&self, id: &str) -> &CampaignHistory {
        self.hashed(id, hash(id))
    }

    /// The history of the campaign `id`, whose [`crate::bucket::id_hash`] is `h` (a campaign keeps its own:
    /// without history, the lookup then reads the index alone).
    pub(crate) fn hashed(&self, id: &str, h: u64) -> &CampaignHistory {
        self.find(id, h).map_or(&EMPTY, |i| &self.campaigns[i].1)
    }

    /// Iterate over all campaigns with history (in no particular order).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &CampaignHistory)> {
        self.campaigns.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Record one engagement by hand (what `from_events` does per event). An impression
    /// is a treatment exposure without a variant; see [`Self::record_exposure`] for others.
    pub fn record(&mut self, campaign_id: &str, scope: Scope, kind: EventKind, ts: Timestamp) {
        if kind == EventKind::Impression {
            self.record_exposure(campaign_id, scope, Arm::Treatment, None, ts);
            return;
        }
        let h = self.entry(campaign_id);
        if scope == Scope::User {
            h.user.record(kind, ts, None);
        }
        h.account.record(kind, ts, None);
    }

    /// Record one exposure by hand, in `arm`, of `variant`.
    pub fn record_exposure(
        &mut self,
        campaign_id: &str,
        scope: Scope,
        arm: Arm,
        variant: Option<&str>,
        ts: Timestamp,
    ) {
        let h = self.entry(campaign_id);
        if scope == Scope::User {
            h.user.record(EventKind::Impression, ts, None);
            FirstExposure::offer(&mut h.first, ts, 0, arm, variant);
        }
        h.account.record(EventKind::Impression, ts, None);
    }

    /// Rebuild from engagement events: events of `user` (by user id or anonymous id) count
    /// for the user; events carrying `account_id` count for the account. Events of other
    /// users and accounts, and non-campaign events, are ignored. The order of `events` does
    /// not matter.
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
                entry.user.record(e.kind, e.ts, until);
                if e.kind == EventKind::Impression {
                    let arm = if e.holdout {
                        Arm::Holdout
                    } else {
                        Arm::Treatment
                    };
                    let variant = e.variant.as_deref();
                    let tie = u128::from_be_bytes(*e.id.as_bytes());
                    FirstExposure::offer(&mut entry.first, e.ts, tie, arm, variant);
                }
            }
            entry.account.record(e.kind, e.ts, until);
        }
        h
    }

    /// The user's exposures at or after `since`, across every campaign they have history
    /// with (campaigns since removed from the catalog or renamed included).
    pub fn user_views_since(&self, since: Timestamp) -> usize {
        self.campaigns
            .iter()
            .map(|(_, h)| h.user.views_since(since))
            .sum()
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
        assert_eq!(nps.user.views(), [Timestamp(1)]);
        assert_eq!(nps.account.views(), [Timestamp(1), Timestamp(2)]);
        assert_eq!(nps.user.last_dismissal(), Some(Timestamp(4)));
        assert_eq!(h.campaign("none"), &CampaignHistory::default());
    }

    #[test]
    fn the_order_of_events_does_not_matter_and_exposures_are_kept_in_time_order() {
        // Many campaigns, so the index grows several times; ids that differ by one digit.
        let mut events = Vec::new();
        for i in 0..300 {
            for ts in [50 + i, 10 + i, 30 + i] {
                let mut e = ev(EventKind::Impression, "u1", "acme", None, ts);
                e.campaign_id = Some(format!("c-{i}"));
                e.holdout = ts == 10 + i;
                e.variant = Some(format!("v{ts}"));
                events.push(e);
            }
        }
        let user = User {
            id: Some("u1".into()),
            ..User::default()
        };
        let forward = History::from_events(&events, &user, Some("acme"));
        events.reverse();
        let backward = History::from_events(&events, &user, Some("acme"));
        assert_eq!(forward, backward);
        assert_eq!(forward.iter().count(), 300);
        for i in [0, 7, 299] {
            let c = forward.campaign(&format!("c-{i}"));
            let t = |d: i64| Timestamp(d + i);
            assert_eq!(c.user.views(), [t(10), t(30), t(50)]);
            assert_eq!(c.user.views_between(t(11), t(50)), [t(30), t(50)]);
            assert_eq!(c.user.views_since(t(30)), 2);
            let first = c.first.as_ref().expect("a first exposure");
            assert_eq!(
                (first.at, first.arm, first.variant.clone()),
                (t(10), Arm::Holdout, Some(format!("v{}", 10 + i)))
            );
        }
        assert_eq!(forward.campaign("c-300"), &CampaignHistory::default());
        assert_ne!(forward, History::new());
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
