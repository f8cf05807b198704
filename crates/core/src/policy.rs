//! The vendor's global policy: lifecycle windows and signals, and the frequency rules that
//! apply across campaigns (so that users are not flooded whatever each campaign allows).
use crate::stage::LifecyclePolicy;

/// Vendor-wide decision policy.
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
