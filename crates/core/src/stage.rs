//! Lifecycle stage derivation: where an account is in the post-sale journey.
//!
//! Days are calendar days in the vendor's time zone (`ctx.policy.zone`): an instant is read
//! as its local date, a calendar date (`2026-05-01`) is that day everywhere. The time phases
//! come from the account's dates (DESIGN.md §1), windows from the policy:
//!
//! 1. **Lapsed** from the contract end on (the end date is the first day the contract no
//!    longer covers), until the host sends a new end date. It is its own stage, so no
//!    campaign for Loyalty or Renewal reaches it; a win-back campaign names `lapsed`.
//! 2. **Onboarding** (Acquisition) until first value: the given `first_value`, else the
//!    term's start + `onboarding_days`.
//! 3. **Renewal** (Loyalty) from `renewal_window_days` before the end to the day before the
//!    end.
//! 4. **Adoption** (Service) for `adoption_days` after first value, then **steady state**.
//!
//! A renewal is a new term: a new start and a new end. First value is the account's, not
//! the term's: a first value before the term's start counts as reached, so a renewed account
//! is back in Service (adoption or steady state by its first value's date) with the renewal
//! window of its new end. An account with only an end date is in steady state until its
//! renewal window; without any date the time phase is unknown.
//!
//! An explicit stage from the host wins, and an explicit time phase of that stage (or of no
//! explicit stage) wins over the dates; an explicit phase of another stage than the explicit
//! stage is ignored and reported in [`Lifecycle::warning`], which the decision carries.
//! Signal motions (growth, expansion, advocacy) stay signals, explicit or derived from the
//! policy's conditions: growth in the Service stage, expansion inside the renewal window,
//! advocacy in any stage but Lapsed.
use crate::context::{AccountDates, Context};
use crate::expr::{Condition, Tri};
use crate::policy::LifecyclePolicy;
use crate::time::{Moment, Timestamp};
use crate::zone::Zone;
use serde::Serialize;

pub use crate::vocab::{Phase, Stage};

/// Where an account is: its stage, its time phase and any active signal motions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    /// The stage.
    pub stage: Stage,
    /// The time-based phase (onboarding, adoption, steady state, renewal or lapsed);
    /// unknown only for an account known by an explicit signal alone.
    pub phase: Option<Phase>,
    /// Active signal-driven motions (growth, expansion, advocacy), in journey order.
    pub signals: Vec<Phase>,
    /// What the host said that was not used, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<LifecycleWarning>,
}

impl Lifecycle {
    /// Whether the account is in `phase`, as its time phase or as an active signal.
    pub fn has_phase(&self, phase: Phase) -> bool {
        self.phase == Some(phase) || self.signals.contains(&phase)
    }
}

/// Something of the host's explicit stage and phase that [`derive()`] did not use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LifecycleWarning {
    /// The explicit phase belongs to another stage than the explicit stage; the stage won
    /// and the phase was ignored.
    PhaseNotInStage {
        /// The phase ignored.
        phase: Phase,
        /// The explicit stage.
        stage: Stage,
    },
}

/// The time phase from the account's dates alone, or `None` without any date.
///
/// # Example
/// ```
/// use touchpoint_core::context::AccountDates;
/// use touchpoint_core::policy::LifecyclePolicy;
/// use touchpoint_core::stage::{time_phase, Phase};
/// use touchpoint_core::time::Moment;
/// use touchpoint_core::zone::Zone;
/// use touchpoint_core::Timestamp;
/// let dates = AccountDates {
///     contract_start: Moment::parse("2026-01-01"),
///     first_value: None,
///     contract_end: Moment::parse("2027-01-01"),
/// };
/// let (p, utc) = (LifecyclePolicy::default(), Zone::utc());
/// let at = |y, m, d| time_phase(&dates, &p, &utc, Timestamp::from_date(y, m, d));
/// assert_eq!(at(2026, 2, 1), Some(Phase::Onboarding));
/// assert_eq!(at(2026, 5, 1), Some(Phase::Adoption));
/// assert_eq!(at(2026, 9, 1), Some(Phase::Renewal));
/// assert_eq!(at(2027, 1, 1), Some(Phase::Lapsed));
/// ```
pub fn time_phase(
    dates: &AccountDates,
    policy: &LifecyclePolicy,
    zone: &Zone,
    now: Timestamp,
) -> Option<Phase> {
    let today = zone.day(now);
    let day = |m: Option<Moment>| m.map(|m| zone.day_of(m));
    let end = day(dates.contract_end);
    if end.is_some_and(|end| today >= end) {
        return Some(Phase::Lapsed);
    }
    let value = day(dates.first_value)
        .or_else(|| day(dates.contract_start).map(|start| start + policy.onboarding_days));
    if value.is_some_and(|value| today < value) {
        return Some(Phase::Onboarding);
    }
    if end.is_some_and(|end| today >= end - policy.renewal_window_days) {
        return Some(Phase::Renewal);
    }
    match value {
        Some(value) if today < value + policy.adoption_days => Some(Phase::Adoption),
        Some(_) => Some(Phase::SteadyState),
        None => end.map(|_| Phase::SteadyState),
    }
}

/// Derive the account's lifecycle (see the module docs for the rules), or `None` when
/// neither an explicit stage or phase nor any date is known (stage-restricted campaigns
/// then do not match).
pub fn derive(ctx: &Context, now: Timestamp) -> Option<Lifecycle> {
    let policy = &ctx.policy.lifecycle;
    let account = &ctx.account;
    let derived = time_phase(&account.dates, policy, &ctx.policy.zone, now);
    let mut warning = None;
    let explicit = match (account.stage, account.phase) {
        (Some(stage), Some(phase)) if phase.stage() != stage => {
            warning = Some(LifecycleWarning::PhaseNotInStage { phase, stage });
            None
        }
        (_, phase) => phase,
    };
    let time = explicit.filter(|p| !p.is_signal());
    let signal = explicit.filter(|p| p.is_signal());
    let stage = account
        .stage
        .or(time.map(Phase::stage))
        .or(derived.map(Phase::stage))
        .or(signal.map(Phase::stage))?;
    let phase = time
        .or(derived.filter(|d| d.stage() == stage))
        .or(account.stage.map(Stage::default_phase));
    let cx = ctx.eval_context(now);
    let on = |c: &Option<Condition>| c.as_ref().is_some_and(|c| c.eval(&cx) == Tri::True);
    let signals = Phase::NAMES
        .iter()
        .map(|(_, p)| *p)
        .filter(|&p| {
            signal == Some(p)
                || match p {
                    Phase::Growth => stage == Stage::Service && on(&policy.growth),
                    Phase::Expansion => phase == Some(Phase::Renewal) && on(&policy.expansion),
                    Phase::Advocacy => stage != Stage::Lapsed && on(&policy.advocacy),
                    _ => false,
                }
        })
        .collect();
    Some(Lifecycle {
        stage,
        phase,
        signals,
        warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn ctx(first_value: Option<&str>, end: &str) -> Context {
        let mut c = Context::default();
        c.account.dates = AccountDates {
            contract_start: Moment::parse("2026-01-01"),
            first_value: first_value.and_then(Moment::parse),
            contract_end: Moment::parse(end),
        };
        c
    }

    fn at(c: &Context, y: i64, m: u32, d: u32) -> (Stage, Option<Phase>, Vec<Phase>) {
        let l = derive(c, Timestamp::from_date(y, m, d)).unwrap();
        (l.stage, l.phase, l.signals)
    }

    #[test]
    fn follows_the_design_table() {
        let c = ctx(Some("2026-02-15"), "2028-01-01");
        let service = |p| (Stage::Service, Some(p), vec![]);
        assert_eq!(
            at(&c, 2026, 2, 14),
            (Stage::Acquisition, Some(Phase::Onboarding), vec![])
        );
        assert_eq!(at(&c, 2026, 2, 15), service(Phase::Adoption));
        assert_eq!(at(&c, 2026, 5, 15), service(Phase::Adoption));
        assert_eq!(at(&c, 2026, 5, 16), service(Phase::SteadyState));
        assert_eq!(at(&c, 2027, 7, 4), service(Phase::SteadyState));
        let loyalty = (Stage::Loyalty, Some(Phase::Renewal), vec![]);
        assert_eq!(at(&c, 2027, 7, 5), loyalty);
        assert_eq!(at(&c, 2027, 12, 31), loyalty);
        assert_eq!(
            at(&c, 2028, 1, 1),
            (Stage::Lapsed, Some(Phase::Lapsed), vec![])
        );
        // A new contract end cycles back into Service.
        let renewed = ctx(Some("2026-02-15"), "2029-01-01");
        assert_eq!(at(&renewed, 2027, 8, 1), service(Phase::SteadyState));
    }

    #[test]
    fn onboarding_defaults_to_ninety_days() {
        let c = ctx(None, "2028-01-01");
        assert_eq!(at(&c, 2026, 3, 31).1, Some(Phase::Onboarding));
        assert_eq!(at(&c, 2026, 4, 1).1, Some(Phase::Adoption));
    }

    #[test]
    fn an_explicit_stage_wins_and_implies_its_default_phase() {
        let mut c = ctx(None, "2028-01-01");
        c.account.stage = Some(Stage::Loyalty);
        assert_eq!(
            at(&c, 2026, 2, 1),
            (Stage::Loyalty, Some(Phase::Renewal), vec![])
        );
        c.account.stage = None;
        c.account.phase = Some(Phase::Renewal);
        assert_eq!(at(&c, 2026, 2, 1).1, Some(Phase::Renewal));
        assert_eq!(derive(&Context::default(), Timestamp(0)), None);
    }

    #[test]
    fn custom_windows() {
        let mut c = ctx(None, "2027-01-01");
        let windows = &mut std::rc::Rc::make_mut(&mut c.policy).lifecycle;
        windows.renewal_window_days = 30;
        windows.onboarding_days = 14;
        assert_eq!(at(&c, 2026, 1, 15).1, Some(Phase::Adoption));
        assert_eq!(at(&c, 2026, 12, 1).1, Some(Phase::SteadyState));
        assert_eq!(at(&c, 2026, 12, 2).1, Some(Phase::Renewal));
    }
}
