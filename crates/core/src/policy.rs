//! The vendor's global policy: lifecycle windows and signals, and the frequency rules that
//! apply across campaigns (so that users are not flooded whatever each campaign allows).
//!
//! Like campaigns it has a raw, serialisable form ([`RawPolicy`], for the server's config
//! and the JSON it sends to the widget) and a validated form ([`Policy`]), so that the
//! widget and the server decide under the very same policy.
use crate::campaign::{ValidationError, ValidationErrorKind, ValidationErrors};
use crate::expr::{Condition, ExprErrorKind};
use crate::stage::LifecyclePolicy;
use serde::{Deserialize, Serialize};

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

/// The policy as configured: every field optional, defaults as in [`Policy::default`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawPolicy {
    /// Onboarding length without a first-value date, in days (default 90).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onboarding_days: Option<u32>,
    /// Adoption length after first value, in days (default 90).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adoption_days: Option<u32>,
    /// Renewal window before the contract end, in days (default 180).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewal_window_days: Option<u32>,
    /// Growth signal condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub growth: Option<String>,
    /// Expansion signal condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expansion: Option<String>,
    /// Advocacy signal condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advocacy: Option<String>,
    /// Overlays per session (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_modals_per_session: Option<u32>,
    /// Nudges per rolling 7 days (default 5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_nudges_per_week: Option<u32>,
}

impl TryFrom<&RawPolicy> for Policy {
    type Error = ValidationErrors;

    /// Validate a configured policy.
    ///
    /// # Errors
    /// Every bad signal condition (with its span) and zero-length window, by field path.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::policy::{Policy, RawPolicy};
    /// let raw = RawPolicy { renewal_window_days: Some(120), growth: Some("account.seats_used >= 45".into()), ..RawPolicy::default() };
    /// let p = Policy::try_from(&raw).unwrap();
    /// assert_eq!(p.lifecycle.renewal_window_days, 120);
    /// assert_eq!(RawPolicy::from(&p).growth.as_deref(), Some("account.seats_used >= 45"));
    /// ```
    fn try_from(raw: &RawPolicy) -> Result<Self, Self::Error> {
        let mut p = Policy::default();
        let mut errors = Vec::new();
        let mut days = |field: &str, v: Option<u32>, into: &mut i64| match v {
            Some(0) => errors.push(ValidationError {
                path: field.into(),
                kind: ValidationErrorKind::Invalid,
                message: "expected at least 1 day".into(),
                span: None,
            }),
            Some(d) => *into = i64::from(d),
            None => {}
        };
        days(
            "onboarding_days",
            raw.onboarding_days,
            &mut p.lifecycle.onboarding_days,
        );
        days(
            "adoption_days",
            raw.adoption_days,
            &mut p.lifecycle.adoption_days,
        );
        days(
            "renewal_window_days",
            raw.renewal_window_days,
            &mut p.lifecycle.renewal_window_days,
        );
        for (field, src, into) in [
            ("growth", &raw.growth, &mut p.lifecycle.growth),
            ("expansion", &raw.expansion, &mut p.lifecycle.expansion),
            ("advocacy", &raw.advocacy, &mut p.lifecycle.advocacy),
        ] {
            let Some(src) = src else { continue };
            match Condition::parse(src) {
                Ok(c) => *into = c,
                Err(errs) => errors.extend(errs.into_iter().map(|e| ValidationError {
                    path: field.into(),
                    kind: if e.kind == ExprErrorKind::Type {
                        ValidationErrorKind::Type
                    } else {
                        ValidationErrorKind::Syntax
                    },
                    message: e.message,
                    span: Some(e.span),
                })),
            }
        }
        if let Some(n) = raw.max_modals_per_session {
            p.max_modals_per_session = n;
        }
        if let Some(n) = raw.max_nudges_per_week {
            p.max_nudges_per_week = n;
        }
        if errors.is_empty() {
            Ok(p)
        } else {
            Err(ValidationErrors(errors))
        }
    }
}

impl From<&Policy> for RawPolicy {
    /// Every field written out, for sending to the widget.
    fn from(p: &Policy) -> RawPolicy {
        let l = &p.lifecycle;
        let days = |d: i64| u32::try_from(d).ok();
        RawPolicy {
            onboarding_days: days(l.onboarding_days),
            adoption_days: days(l.adoption_days),
            renewal_window_days: days(l.renewal_window_days),
            growth: Some(l.growth.source().to_owned()),
            expansion: Some(l.expansion.source().to_owned()),
            advocacy: Some(l.advocacy.source().to_owned()),
            max_modals_per_session: Some(p.max_modals_per_session),
            max_nudges_per_week: Some(p.max_nudges_per_week),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn defaults_round_trip_and_errors_collect() {
        let p = Policy::try_from(&RawPolicy::default()).unwrap();
        assert_eq!(p, Policy::default());
        let wire = serde_json::to_string(&RawPolicy::from(&p)).unwrap();
        let back: RawPolicy = serde_json::from_str(&wire).unwrap();
        assert_eq!(Policy::try_from(&back).unwrap(), p);
        let bad = RawPolicy {
            adoption_days: Some(0),
            advocacy: Some("user.nps >=".into()),
            ..RawPolicy::default()
        };
        let errs = Policy::try_from(&bad).unwrap_err();
        let paths: Vec<&str> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["adoption_days", "advocacy"]);
        assert!(serde_json::from_str::<RawPolicy>(r#"{"max_nudges":3}"#).is_err());
    }
}
