//! The validated campaign model and its compiled form.
//!
//! Campaigns have three forms, one per job: the raw form authors write (TOML files, in the
//! `touchpoint-authoring` crate, which validates it), the validated [`Campaign`] the
//! decision reads ([`model`], its invariants in [`check`]), and the [`compiled`] catalog the
//! server sends to widgets. A `Campaign` is built only by [`Campaign::new`], which checks
//! the invariants, so neither the validator nor the widget's decoder can hand the decision
//! a campaign that breaks them.
//!
//! - [`model`]: the validated types (their `Serialize` is the compiled form's encoder).
//! - [`check`]: the invariants.
//! - [`compiled`]: the catalog as the server sends it, and the small reader the widget uses.
pub mod check;
pub mod compiled;
pub mod model;

pub use crate::vocab::{
    ActionKind, BannerPosition, CapScope, Category, FormatKind, Goal, SurveyType, Team, TriggerKind,
};
pub use model::*;

/// A field of a campaign that could not be read or breaks an invariant, with its path
/// (`format.steps[1].anchor`, `variants`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}{message}", path, if path.is_empty() { "" } else { ": " })]
pub struct FieldError {
    /// Path of the field at fault; empty for the value itself.
    pub path: String,
    /// What was expected.
    pub message: String,
}

impl FieldError {
    /// The same error, one level further out (`steps[1]` inside `format`).
    pub fn within(mut self, outer: &str) -> Self {
        self.path = match self.path.as_str() {
            "" => outer.to_owned(),
            p if p.starts_with('[') => format!("{outer}{p}"),
            p => format!("{outer}.{p}"),
        };
        self
    }
}
