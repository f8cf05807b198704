//! The decision policy: lifecycle windows and signals, and the frequency rules that apply
//! across campaigns (so that users are not flooded whatever each campaign allows).
//!
//! Today every deployment decides under [`Policy::default`]: nothing reads a policy from the
//! collector's configuration or sends one to the widget yet. The fields are public so that
//! tests and simulations can decide under other values (`ctx.policy`); making the policy
//! configurable means adding a raw form and its validation to the authoring crate and a
//! field to the catalog, so the widget and the server keep deciding under the same policy.
use crate::expr::compiled::decode_condition;
use crate::expr::Condition;
use serde_json::Value;

/// Decision policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Lifecycle windows and signals.
    pub lifecycle: LifecyclePolicy,
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
            max_modals_per_session: 1,
            max_nudges_per_week: 5,
        }
    }
}

/// Lifecycle windows and signals.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecyclePolicy {
    /// Onboarding length when no first-value date is known (default 90).
    pub onboarding_days: i64,
    /// Adoption length after first value (default 90).
    pub adoption_days: i64,
    /// Renewal window before contract end (default 180).
    pub renewal_window_days: i64,
    /// Growth signal (default `account.seat_utilisation >= 0.85`).
    pub growth: Condition,
    /// Expansion signal, inside the renewal window (default: seat utilisation ≥ 0.85 or a
    /// plan limit hit in the last 30 days).
    pub expansion: Condition,
    /// Advocacy signal (default `user.nps >= 9`).
    pub advocacy: Condition,
}

/// Default growth signal.
pub const DEFAULT_GROWTH: &str = "account.seat_utilisation >= 0.85";
/// Default expansion signal.
pub const DEFAULT_EXPANSION: &str =
    "account.seat_utilisation >= 0.85 or time_since(event('plan_limit_hit').last_seen) <= 30d";
/// Default advocacy signal.
pub const DEFAULT_ADVOCACY: &str = "user.nps >= 9";

/// The default signals compiled (see [`crate::expr::compiled`]), so that the widget needs no
/// parser to hold them; a test in the authoring crate pins each to what its source parses
/// to.
fn default_trees() -> [(&'static str, Value); 3] {
    // Built by hand rather than with `json!`, whose `to_value(..).unwrap()` would link
    // serde's serializer and error formatting into the widget.
    let node = |parts: &[Value]| Value::Array(parts.to_vec());
    let seats = node(&["account".into(), "seat_utilisation".into()]);
    let seats_high = node(&[">=".into(), seats, 0.85.into()]);
    let limit_seen = node(&["event.last_seen".into(), "plan_limit_hit".into()]);
    let since = node(&["time_since".into(), limit_seen]);
    let month = node(&["dur".into(), 2_592_000_000_u64.into()]);
    [
        (DEFAULT_GROWTH, seats_high.clone()),
        (
            DEFAULT_EXPANSION,
            node(&["or".into(), seats_high, node(&["<=".into(), since, month])]),
        ),
        (
            DEFAULT_ADVOCACY,
            node(&[
                ">=".into(),
                node(&["user".into(), "nps".into()]),
                9_u64.into(),
            ]),
        ),
    ]
}

impl Default for LifecyclePolicy {
    fn default() -> Self {
        // The trees are constants covered by tests, so reading them cannot fail here.
        let [growth, expansion, advocacy] =
            default_trees().map(|(source, tree)| match decode_condition(source, &tree) {
                Ok(c) => c,
                Err(_) => unreachable!("a default lifecycle signal is a valid tree"),
            });
        LifecyclePolicy {
            onboarding_days: 90,
            adoption_days: 90,
            renewal_window_days: 180,
            growth,
            expansion,
            advocacy,
        }
    }
}
