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
        let mut path = outer.to_owned();
        join(&mut path, &self.path);
        self.path = path;
        self
    }
}

/// Append the path `inner` to the path `outer`: after a `.`, except for an index (`[1]`)
/// or when either is empty. Pushed piece by piece rather than through `format!`, whose
/// argument plumbing costs the widget's wasm more at every call site.
pub(crate) fn join(outer: &mut String, inner: &str) {
    if !outer.is_empty() && !inner.is_empty() && !inner.starts_with('[') {
        outer.push('.');
    }
    outer.push_str(inner);
}

/// Append `[i]` to `path`.
pub(crate) fn push_index(path: &mut String, i: usize) {
    fn digits(path: &mut String, i: usize) {
        if i >= 10 {
            digits(path, i / 10);
        }
        path.push(char::from(b'0' + (i % 10) as u8));
    }
    path.push('[');
    digits(path, i);
    path.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn paths_join_with_a_dot_except_before_an_index_or_next_to_nothing() {
        let mut path = String::new();
        join(&mut path, "format");
        join(&mut path, "steps");
        push_index(&mut path, 12);
        join(&mut path, "anchor");
        assert_eq!(path, "format.steps[12].anchor");
        join(&mut path, "");
        assert_eq!(path, "format.steps[12].anchor");
        for (i, text) in [(0, "[0]"), (9, "[9]"), (10, "[10]"), (305, "[305]")] {
            let mut s = String::new();
            push_index(&mut s, i);
            assert_eq!(s, text);
        }
        let e = FieldError {
            path: "[3].id".into(),
            message: "expected a slug".into(),
        };
        assert_eq!(
            e.within("campaigns").to_string(),
            "campaigns[3].id: expected a slug"
        );
    }
}
