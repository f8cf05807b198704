//! The decision: which nudges this user sees now. A pure function of its inputs.
use crate::{campaign::Campaign, time::Timestamp};
use std::collections::BTreeSet;

/// Who is looking, and where.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// The identified user, if any.
    pub user_id: Option<String>,
    /// Current page path.
    pub page_path: String,
}

/// What this user has already done with campaigns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Campaign ids the user dismissed.
    pub dismissed: BTreeSet<String>,
}

/// The outcome of [`decide`]: campaign ids to show, best first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    /// Indices into the campaign slice, ranked.
    pub shown: Vec<usize>,
}

/// Rank the campaigns this user should see now.
pub fn decide(
    campaigns: &[Campaign],
    _ctx: &Context,
    history: &History,
    _now: Timestamp,
) -> Decision {
    let mut shown: Vec<usize> = (0..campaigns.len())
        .filter(|&i| !history.dismissed.contains(&campaigns[i].id))
        .collect();
    shown.sort_by_key(|&i| std::cmp::Reverse(campaigns[i].priority));
    Decision { shown }
}
