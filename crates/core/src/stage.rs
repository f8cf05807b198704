//! Lifecycle stage derivation: where an account is in the post-sale journey.
//!
//! Time-based phases come from the account's dates (DESIGN.md §1): onboarding from contract
//! start to first value (or start + `onboarding_days`), adoption for `adoption_days` after
//! that, the renewal window `renewal_window_days` before the contract end, steady state
//! otherwise. Signal-driven motions (growth, expansion, advocacy) come from conditions in the
//! targeting language. A new contract end moves the renewal window out, so a renewed account
//! cycles back into Service by itself. An explicit stage or phase from the host wins.
//!
//! Precedence of time phases: onboarding (not yet at value) > renewal window > adoption >
//! steady state. Growth is active in the Service stage, expansion only inside the renewal
//! window, advocacy in any stage.
use crate::context::{Account, AccountDates, Context};
use crate::expr::{Condition, Tri};
use crate::policy::LifecyclePolicy;
use crate::time::Timestamp;
use serde::Serialize;

pub use crate::vocab::{Phase, Stage};

/// Where an account is: its stage, its time phase and any active signal motions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lifecycle {
    /// The stage.
    pub stage: Stage,
    /// The time-based phase (onboarding, adoption, steady state or renewal).
    pub phase: Phase,
    /// Active signal-driven motions (growth, expansion, advocacy).
    pub signals: Vec<Phase>,
}

impl Lifecycle {
    /// Whether the account is in `phase`, as its time phase or as an active signal.
    pub fn has_phase(&self, phase: Phase) -> bool {
        self.phase == phase || self.signals.contains(&phase)
    }
}

/// The time phase from the account's dates alone, or `None` without a contract start.
///
/// # Example
/// ```
/// use touchpoint_core::context::AccountDates;
/// use touchpoint_core::policy::LifecyclePolicy;
/// use touchpoint_core::stage::{time_phase, Phase};
/// use touchpoint_core::Timestamp;
/// let dates = AccountDates {
///     contract_start: Some(Timestamp::from_date(2026, 1, 1)),
///     first_value: None,
///     contract_end: Some(Timestamp::from_date(2027, 1, 1)),
/// };
/// let p = LifecyclePolicy::default();
/// assert_eq!(time_phase(&dates, &p, Timestamp::from_date(2026, 2, 1)), Some(Phase::Onboarding));
/// assert_eq!(time_phase(&dates, &p, Timestamp::from_date(2026, 5, 1)), Some(Phase::Adoption));
/// assert_eq!(time_phase(&dates, &p, Timestamp::from_date(2026, 9, 1)), Some(Phase::Renewal));
/// ```
pub fn time_phase(dates: &AccountDates, policy: &LifecyclePolicy, now: Timestamp) -> Option<Phase> {
    let start = dates.contract_start?;
    let value_at = match dates.first_value {
        Some(v) if v >= start => v,
        _ => start.plus_days(policy.onboarding_days),
    };
    if now < value_at {
        return Some(Phase::Onboarding);
    }
    if let Some(end) = dates.contract_end {
        if now >= end.plus_days(-policy.renewal_window_days) {
            return Some(Phase::Renewal);
        }
    }
    if now < value_at.plus_days(policy.adoption_days) {
        return Some(Phase::Adoption);
    }
    Some(Phase::SteadyState)
}

/// Derive the account's lifecycle, or `None` when neither an explicit stage/phase nor a
/// contract start is known (stage-restricted campaigns then do not match).
pub fn derive(ctx: &Context, now: Timestamp) -> Option<Lifecycle> {
    let policy = &ctx.policy.lifecycle;
    let account: &Account = &ctx.account;
    let derived = time_phase(&account.dates, policy, now);
    let phase = match (account.phase, account.stage, derived) {
        (Some(p), _, _)
            if matches!(
                p,
                Phase::Onboarding | Phase::Adoption | Phase::SteadyState | Phase::Renewal
            ) =>
        {
            p
        }
        (Some(p), _, d) => d
            .filter(|d| d.stage() == p.stage())
            .unwrap_or(p.stage().default_phase()),
        (None, Some(s), Some(d)) if d.stage() == s => d,
        (None, Some(s), _) => s.default_phase(),
        (None, None, Some(d)) => d,
        (None, None, None) => return None,
    };
    let stage = account
        .phase
        .map_or(account.stage.unwrap_or(phase.stage()), Phase::stage);
    let cx = ctx.eval_context(now);
    let mut signals = Vec::new();
    if let Some(p @ (Phase::Growth | Phase::Expansion | Phase::Advocacy)) = account.phase {
        signals.push(p);
    }
    let on = |c: &Condition| c.eval(&cx) == Tri::True;
    if stage == Stage::Service && !signals.contains(&Phase::Growth) && on(&policy.growth) {
        signals.push(Phase::Growth);
    }
    if phase == Phase::Renewal && !signals.contains(&Phase::Expansion) && on(&policy.expansion) {
        signals.push(Phase::Expansion);
    }
    if !signals.contains(&Phase::Advocacy) && on(&policy.advocacy) {
        signals.push(Phase::Advocacy);
    }
    // Keep journey order without a sort (the explicit phase may have been pushed first).
    signals = Phase::NAMES
        .iter()
        .map(|(_, p)| *p)
        .filter(|p| signals.contains(p))
        .collect();
    Some(Lifecycle {
        stage,
        phase,
        signals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn ctx(first_value: Option<Timestamp>, end: Timestamp) -> Context {
        let mut c = Context::default();
        c.account.dates = AccountDates {
            contract_start: Some(Timestamp::from_date(2026, 1, 1)),
            first_value,
            contract_end: Some(end),
        };
        c
    }

    fn at(c: &Context, y: i64, m: u32, d: u32) -> (Stage, Phase, Vec<Phase>) {
        let l = derive(c, Timestamp::from_date(y, m, d)).unwrap();
        (l.stage, l.phase, l.signals)
    }

    #[test]
    fn follows_the_design_table() {
        let end = Timestamp::from_date(2028, 1, 1);
        let c = ctx(Some(Timestamp::from_date(2026, 2, 15)), end);
        assert_eq!(
            at(&c, 2026, 2, 1),
            (Stage::Acquisition, Phase::Onboarding, vec![])
        );
        assert_eq!(
            at(&c, 2026, 2, 15),
            (Stage::Service, Phase::Adoption, vec![])
        );
        assert_eq!(
            at(&c, 2026, 5, 16),
            (Stage::Service, Phase::SteadyState, vec![])
        );
        assert_eq!(
            at(&c, 2027, 7, 4),
            (Stage::Service, Phase::SteadyState, vec![])
        );
        assert_eq!(at(&c, 2027, 7, 5), (Stage::Loyalty, Phase::Renewal, vec![]));
        // Renewal: a new contract end cycles back into Service.
        let renewed = ctx(
            Some(Timestamp::from_date(2026, 2, 15)),
            Timestamp::from_date(2029, 1, 1),
        );
        assert_eq!(
            at(&renewed, 2027, 8, 1),
            (Stage::Service, Phase::SteadyState, vec![])
        );
    }

    #[test]
    fn onboarding_defaults_to_ninety_days_and_signals_apply() {
        let mut c = ctx(None, Timestamp::from_date(2028, 1, 1));
        assert_eq!(at(&c, 2026, 3, 31).1, Phase::Onboarding);
        assert_eq!(at(&c, 2026, 4, 1).1, Phase::Adoption);
        c.account.traits = json!({"seat_utilisation": 0.9})
            .as_object()
            .cloned()
            .unwrap();
        c.user.traits = json!({"nps": 10}).as_object().cloned().unwrap();
        assert_eq!(
            at(&c, 2026, 9, 1),
            (
                Stage::Service,
                Phase::SteadyState,
                vec![Phase::Growth, Phase::Advocacy]
            )
        );
        assert_eq!(
            at(&c, 2027, 9, 1),
            (
                Stage::Loyalty,
                Phase::Renewal,
                vec![Phase::Expansion, Phase::Advocacy]
            )
        );
    }

    #[test]
    fn explicit_stage_wins() {
        let mut c = ctx(None, Timestamp::from_date(2028, 1, 1));
        c.account.stage = Some(Stage::Loyalty);
        assert_eq!(at(&c, 2026, 2, 1), (Stage::Loyalty, Phase::Renewal, vec![]));
        c.account.stage = None;
        c.account.phase = Some(Phase::Advocacy);
        assert_eq!(
            at(&c, 2026, 2, 1),
            (Stage::Loyalty, Phase::Renewal, vec![Phase::Advocacy])
        );
        assert_eq!(derive(&Context::default(), Timestamp(0)), None);
    }

    #[test]
    fn custom_windows() {
        let mut c = ctx(None, Timestamp::from_date(2027, 1, 1));
        c.policy.lifecycle.renewal_window_days = 30;
        c.policy.lifecycle.onboarding_days = 14;
        assert_eq!(at(&c, 2026, 1, 15).1, Phase::Adoption);
        assert_eq!(at(&c, 2026, 11, 15).1, Phase::SteadyState);
        assert_eq!(at(&c, 2026, 12, 2).1, Phase::Renewal);
    }
}
