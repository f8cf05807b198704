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
use crate::calendar::{civil_from_days, days_from_civil, days_in_month};
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

/// A length of calendar time: whole days, or whole months (the same day of the month, or
/// the month's last day when it is shorter: 31 March + 1 month is 30 April).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Calendar days.
    Days(u32),
    /// Calendar months.
    Months(u32),
}

impl Window {
    /// The calendar day (days since 1970-01-01) this span after `day`.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::policy::Window;
    /// use touchpoint_core::Timestamp;
    /// let day = |y, m, d| Timestamp::from_date(y, m, d).epoch_day();
    /// assert_eq!(Window::Months(6).before(day(2027, 1, 1)), day(2026, 7, 1));
    /// assert_eq!(Window::Months(1).after(day(2026, 3, 31)), day(2026, 4, 30));
    /// assert_eq!(Window::Days(180).before(day(2027, 1, 1)), day(2026, 7, 5));
    /// ```
    pub fn after(self, day: i64) -> i64 {
        self.shift(day, 1)
    }

    /// The calendar day this span before `day`.
    pub fn before(self, day: i64) -> i64 {
        self.shift(day, -1)
    }

    fn shift(self, day: i64, sign: i64) -> i64 {
        match self {
            Window::Days(n) => day + sign * i64::from(n),
            Window::Months(n) => {
                let (y, m, d) = civil_from_days(day);
                let months = y * 12 + i64::from(m) - 1 + sign * i64::from(n);
                let (y, m) = (months.div_euclid(12), months.rem_euclid(12) as u32 + 1);
                days_from_civil(y, m, d.min(days_in_month(y, m)))
            }
        }
    }
}

/// Lifecycle windows and signals (DESIGN.md §1; the rules are in [`crate::stage`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LifecyclePolicy {
    /// Onboarding length from the term's start when no first-value date is known (default
    /// 90 days).
    pub onboarding: Window,
    /// Adoption length after first value (default 90 days).
    pub adoption: Window,
    /// Renewal window before the contract end (default 180 days).
    pub renewal_window: Window,
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
            onboarding: Window::Days(90),
            adoption: Window::Days(90),
            renewal_window: Window::Days(180),
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
///  "lifecycle": {"onboarding_days": 90, "adoption_days": 90, "renewal_window_months": 6},
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
        let mut o = s.serialize_map(Some(3))?;
        for (name, span) in [
            ("onboarding", self.0.onboarding),
            ("adoption", self.0.adoption),
            ("renewal_window", self.0.renewal_window),
        ] {
            let (unit, n) = match span {
                Window::Days(n) => ("days", n),
                Window::Months(n) => ("months", n),
            };
            o.serialize_entry(&format!("{name}_{unit}"), &n)?;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn months_keep_the_day_or_take_the_last_one() {
        let day = |y, m, d| days_from_civil(y, m, d);
        assert_eq!(Window::Months(6).before(day(2027, 1, 1)), day(2026, 7, 1));
        assert_eq!(Window::Months(1).after(day(2024, 1, 31)), day(2024, 2, 29));
        assert_eq!(Window::Months(12).after(day(2024, 2, 29)), day(2025, 2, 28));
        assert_eq!(
            Window::Months(14).before(day(2026, 2, 15)),
            day(2024, 12, 15)
        );
        assert_eq!(Window::Days(0).after(day(2026, 2, 15)), day(2026, 2, 15));
    }
}
