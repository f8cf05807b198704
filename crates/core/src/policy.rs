//! The decision policy: the lifecycle windows and signals, the vendor's time zone, and the
//! frequency rules that apply across campaigns (so that users are not flooded whatever each
//! campaign allows).
//!
//! It is the vendor's: the collector reads the `[policy]` section of its configuration file
//! (raw form and validation, with the signal conditions parsed, in `touchpoint-authoring`'s
//! `policy`), sends it in the compiled catalog (`policy`, read by
//! [`crate::campaign::compiled::decode_policy`]), and the widget and the server's previews
//! decide under that same value (`ctx.policy`).
//!
//! [`Policy::default`] is the policy of a catalog that carries none (one cached from a
//! collector older than the policy): the default windows and limits in UTC, and no signal
//! motions. The signals are conditions, and the widget has no parser to read their text;
//! the vendor defaults, signals included, are written once in the targeting language in the
//! authoring crate, and every catalog a collector writes carries them.
use crate::expr::Condition;
use crate::zone::Zone;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Decision policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Lifecycle windows and signals.
    pub lifecycle: LifecyclePolicy,
    /// The vendor's time zone: calendar days in conditions and lifecycle windows are its.
    pub zone: Zone,
    /// Overlay nudges (modal, slideout, survey, tour) per browser session (default 1).
    pub max_modals_per_session: u32,
    /// Nudges (all formats but feed items and checklists) per user per rolling 7 days
    /// (default 5).
    pub max_nudges_per_week: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            lifecycle: LifecyclePolicy::default(),
            zone: Zone::utc(),
            max_modals_per_session: 1,
            max_nudges_per_week: 5,
        }
    }
}

/// Lifecycle windows and signals (DESIGN.md §1; the rules are in [`crate::stage`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LifecyclePolicy {
    /// Onboarding length in calendar days from the term's start, when no first-value date
    /// is known (default 90).
    pub onboarding_days: i64,
    /// Adoption length in calendar days after first value (default 90).
    pub adoption_days: i64,
    /// Renewal window in calendar days before the contract end (default 180).
    pub renewal_window_days: i64,
    /// Growth signal, in the Service stage (`None`: never derived).
    pub growth: Option<Condition>,
    /// Expansion signal, inside the renewal window.
    pub expansion: Option<Condition>,
    /// Advocacy signal, in any stage but Lapsed.
    pub advocacy: Option<Condition>,
}

impl Default for LifecyclePolicy {
    fn default() -> Self {
        LifecyclePolicy {
            onboarding_days: 90,
            adoption_days: 90,
            renewal_window_days: 180,
            growth: None,
            expansion: None,
            advocacy: None,
        }
    }
}

/// The catalog's form, named as in the configuration file's `[policy]` section:
///
/// ```json
/// {"time_zone": {"name": "UTC", "offset": 0, "transitions": []},
///  "max_overlays_per_session": 1, "max_nudges_per_week": 5,
///  "lifecycle": {"onboarding_days": 90, "adoption_days": 90, "renewal_window_days": 180},
///  "signals": {"growth": {"source": "account.seat_utilisation >= 0.85", "tree": [...]}}}
/// ```
impl Serialize for Policy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let l = &self.lifecycle;
        let mut o = s.serialize_map(None)?;
        o.serialize_entry("time_zone", &self.zone)?;
        o.serialize_entry("max_overlays_per_session", &self.max_modals_per_session)?;
        o.serialize_entry("max_nudges_per_week", &self.max_nudges_per_week)?;
        o.serialize_entry("lifecycle", &Windows(l))?;
        o.serialize_entry("signals", &Signals(l))?;
        o.end()
    }
}

struct Windows<'a>(&'a LifecyclePolicy);

impl Serialize for Windows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let l = self.0;
        let mut o = s.serialize_map(Some(3))?;
        o.serialize_entry("onboarding_days", &l.onboarding_days)?;
        o.serialize_entry("adoption_days", &l.adoption_days)?;
        o.serialize_entry("renewal_window_days", &l.renewal_window_days)?;
        o.end()
    }
}

struct Signals<'a>(&'a LifecyclePolicy);

impl Serialize for Signals<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let l = self.0;
        let mut o = s.serialize_map(None)?;
        for (name, signal) in [
            ("growth", &l.growth),
            ("expansion", &l.expansion),
            ("advocacy", &l.advocacy),
        ] {
            if let Some(c) = signal {
                o.serialize_entry(name, c)?;
            }
        }
        o.end()
    }
}
