//! The sending lease: which of the open tabs of one origin sends the shared queue.
//!
//! Every tab appends its events to the shared persistent queue, but only the tab holding the
//! lease sends, so N open tabs do not send every event N times. The lease is one
//! localStorage value `{"owner": tab id, "until": ms}`. Its holder renews it while it lives;
//! when the holder's tab closes (it releases the lease on `pagehide`) or crashes (it simply
//! stops renewing), the lease lapses and another tab claims it.
//!
//! localStorage has no compare-and-swap, and Chromium propagates writes between renderer
//! processes asynchronously, so two tabs can claim at the same moment. A claimant therefore
//! waits `settle_ms` and only then, if the stored lease still names it, starts sending. Two
//! claimants can still both believe they hold it for about one tick; that costs duplicate
//! sends, never lost events, because the collector stores each event id once. The lease is an
//! economy, not what correctness rests on.
//!
//! A page that is going away (`pagehide`) gives the lease up and from then on never claims it
//! again, whatever still runs in it: a batch in flight is aborted as the page unloads, and
//! its error path used to wake the sender, which found the lease free and claimed it for the
//! departing page — so no tab sent until that claim lapsed, 5 s later (issue 12). Only a
//! `pageshow` (the page is back from the back-forward cache) lets it take part again.
//!
//! This module is pure: the decision takes the stored lease and `now` and says what to write.
/// The stored lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The holder's tab id.
    pub owner: String,
    /// Until when (ms since the epoch) it holds unless renewed.
    pub until: u64,
}

impl Lease {
    /// The stored form, `{"owner":"…","until":…}`.
    pub fn to_json(&self) -> String {
        let mut v = serde_json::Map::new();
        v.insert("owner".into(), self.owner.as_str().into());
        v.insert("until".into(), self.until.into());
        crate::json::stringify(&serde_json::Value::Object(v))
    }

    /// Read the stored form; `None` when it is not a lease (then it counts as absent).
    pub fn from_json(s: &str) -> Option<Self> {
        let v = crate::json::parse(s)?;
        Some(Self {
            owner: v.get("owner")?.as_str()?.to_owned(),
            until: v.get("until")?.as_u64()?,
        })
    }
}

/// Lease timings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseConfig {
    /// How long a claim or renewal holds.
    pub ttl_ms: u64,
    /// How long a claimant waits for a competing claim to show before it sends.
    pub settle_ms: u64,
}

impl Default for LeaseConfig {
    fn default() -> Self {
        Self {
            ttl_ms: 5_000,
            settle_ms: 250,
        }
    }
}

/// What a tab should do about the lease now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseStep {
    /// This tab holds the lease and may send; write `renew` if it is `Some`.
    Owner {
        /// A renewed lease to store.
        renew: Option<Lease>,
    },
    /// Store this claim; the tab may send once it has settled.
    Claim(Lease),
    /// Another tab holds it, or this tab's claim has not settled; look again at `until`.
    Wait {
        /// When to look again (ms since the epoch).
        until: u64,
    },
}

/// One tab's side of the lease.
#[derive(Debug, Clone)]
pub struct LeaseKeeper {
    me: String,
    config: LeaseConfig,
    claimed_at: Option<u64>,
    /// The page has left ([`LeaseKeeper::leave`]) and has not come back.
    left: bool,
}

impl LeaseKeeper {
    /// The keeper of tab `me`.
    pub fn new(me: impl Into<String>, config: LeaseConfig) -> Self {
        Self {
            me: me.into(),
            config,
            claimed_at: None,
            left: false,
        }
    }

    /// This tab's id.
    pub fn me(&self) -> &str {
        &self.me
    }

    /// Decide, from the stored lease (`None` when absent or unreadable) and `now`.
    ///
    /// # Example
    /// ```
    /// use touchpoint::delivery::lease::{LeaseConfig, LeaseKeeper, LeaseStep};
    /// let mut tab = LeaseKeeper::new("a", LeaseConfig::default());
    /// let LeaseStep::Claim(claim) = tab.step(None, 1_000) else { panic!() };
    /// assert!(matches!(tab.step(Some(&claim), 1_100), LeaseStep::Wait { .. }));
    /// assert!(matches!(tab.step(Some(&claim), 1_300), LeaseStep::Owner { .. }));
    /// ```
    pub fn step(&mut self, stored: Option<&Lease>, now: u64) -> LeaseStep {
        let ttl = self.config.ttl_ms;
        // A lease further ahead than one ttl was not written by a live tab with this clock
        // (the clock went back, or the value is damaged): treat it as lapsed.
        let live = stored.filter(|l| l.until > now && l.until <= now.saturating_add(ttl));
        if self.left {
            // Gone: never a claim, never a renewal; look again as a bystander would.
            return LeaseStep::Wait {
                until: live.map_or(now.saturating_add(ttl), |l| l.until),
            };
        }
        match live {
            Some(l) if l.owner == self.me => {
                if let Some(at) = self.claimed_at {
                    let settled = at.saturating_add(self.config.settle_ms);
                    if now < settled {
                        return LeaseStep::Wait { until: settled };
                    }
                }
                let renew = (l.until - now < ttl / 2).then(|| self.lease(now));
                LeaseStep::Owner { renew }
            }
            Some(l) => {
                self.claimed_at = None;
                LeaseStep::Wait { until: l.until }
            }
            None => {
                self.claimed_at = Some(now);
                LeaseStep::Claim(self.lease(now))
            }
        }
    }

    /// The page is going away: from now on this keeper never claims or renews. Returns
    /// whether to remove the stored lease (only when it is this tab's own).
    pub fn leave(&mut self, stored: Option<&Lease>) -> bool {
        self.claimed_at = None;
        self.left = true;
        stored.is_some_and(|l| l.owner == self.me)
    }

    /// The page is back (`pageshow` from the back-forward cache): take part again.
    pub fn rejoin(&mut self) {
        self.left = false;
    }

    fn lease(&self, now: u64) -> Lease {
        Lease {
            owner: self.me.clone(),
            until: now.saturating_add(self.config.ttl_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keeper(me: &str) -> LeaseKeeper {
        LeaseKeeper::new(me, LeaseConfig::default())
    }

    fn claim(step: LeaseStep) -> Lease {
        match step {
            LeaseStep::Claim(l) => l,
            other => panic!("expected a claim, got {other:?}"),
        }
    }

    #[test]
    fn a_lone_tab_claims_settles_and_renews_at_half_life() {
        let mut a = keeper("a");
        let lease = claim(a.step(None, 0));
        assert_eq!(lease.until, 5_000);
        assert_eq!(a.step(Some(&lease), 100), LeaseStep::Wait { until: 250 });
        assert_eq!(a.step(Some(&lease), 250), LeaseStep::Owner { renew: None });
        match a.step(Some(&lease), 2_600) {
            LeaseStep::Owner { renew: Some(l) } => assert_eq!(l.until, 7_600),
            other => panic!("expected a renewal, got {other:?}"),
        }
    }

    #[test]
    fn a_live_lease_of_another_tab_is_respected_until_it_lapses() {
        let mut a = keeper("a");
        let mut b = keeper("b");
        let held = claim(a.step(None, 0));
        assert_eq!(b.step(Some(&held), 1_000), LeaseStep::Wait { until: 5_000 });
        // a's tab died: it stops renewing, and b takes over once the lease lapses.
        let taken = claim(b.step(Some(&held), 5_000));
        assert_eq!(taken.owner, "b");
        assert!(matches!(
            b.step(Some(&taken), 5_300),
            LeaseStep::Owner { .. }
        ));
    }

    #[test]
    fn of_two_racing_claims_the_one_stored_last_wins() {
        let mut a = keeper("a");
        let mut b = keeper("b");
        let _lost = claim(a.step(None, 0));
        let won = claim(b.step(None, 10));
        // Both read the stored value after settling: it is b's.
        assert!(matches!(a.step(Some(&won), 300), LeaseStep::Wait { .. }));
        assert!(matches!(b.step(Some(&won), 300), LeaseStep::Owner { .. }));
    }

    #[test]
    fn a_lease_from_the_future_is_treated_as_lapsed() {
        let mut a = keeper("a");
        let bogus = Lease {
            owner: "b".into(),
            until: 1_000_000,
        };
        assert_eq!(claim(a.step(Some(&bogus), 0)).owner, "a");
    }

    #[test]
    fn the_stored_form_round_trips_and_junk_is_no_lease() {
        let l = Lease {
            owner: "ab\"c".into(),
            until: 42,
        };
        assert_eq!(Lease::from_json(&l.to_json()), Some(l));
        assert_eq!(Lease::from_json(r#"{"owner":"a"}"#), None);
        assert_eq!(Lease::from_json("junk"), None);
    }

    #[test]
    fn only_the_holder_releases() {
        let mut a = keeper("a");
        let lease = claim(a.step(None, 0));
        assert!(a.leave(Some(&lease)));
        assert!(!keeper("b").leave(Some(&lease)));
        assert!(!a.leave(None));
    }

    #[test]
    fn a_page_that_left_never_reclaims_the_lease_until_it_is_shown_again() {
        // Issue 12: the departing page released the lease on pagehide, then its aborted
        // batch's error path woke the sender, which claimed the free lease again.
        let mut a = keeper("a");
        let held = claim(a.step(None, 0));
        assert!(matches!(a.step(Some(&held), 300), LeaseStep::Owner { .. }));
        assert!(a.leave(Some(&held)), "the holder removes its lease");
        for now in [301, 5_000, 60_000] {
            assert_eq!(
                a.step(None, now),
                LeaseStep::Wait { until: now + 5_000 },
                "no claim at {now}"
            );
        }
        // The next page claims at once.
        let mut next = keeper("next");
        assert!(matches!(next.step(None, 302), LeaseStep::Claim(_)));
        // Back from the back-forward cache: the page takes part again.
        a.rejoin();
        assert!(matches!(a.step(None, 70_000), LeaseStep::Claim(_)));
    }
}
