//! The vendor policy as a collector's configuration file writes it (`[policy]`), and its
//! validation into the core's [`Policy`]: the lifecycle windows, the global limits, the time
//! zone (resolved into the offset table the widget reads, see [`crate::zone::table`]) and
//! the signal conditions (parsed and type-checked like campaign conditions).
//!
//! The defaults are written once, as a policy file in the targeting language
//! ([`DEFAULT_POLICY`]), and parsed like any vendor's: a `[policy]` section replaces the
//! fields it names and keeps the others.
use crate::error::{ValidationError, ValidationErrorKind as Kind, ValidationErrors};
use serde::Deserialize;
use touchpoint_core::policy::{LifecyclePolicy, Policy};

/// The default policy, as a policy file (`src/default_policy.toml`).
pub const DEFAULT_POLICY: &str = include_str!("default_policy.toml");

/// The longest lifecycle window in days (ten years).
pub const MAX_WINDOW_DAYS: u32 = 3650;

/// The raw `[policy]` section: every field optional, unknown fields refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// An IANA zone name or a fixed offset.
    pub time_zone: Option<String>,
    /// Overlay nudges per browser session.
    pub max_overlays_per_session: Option<u32>,
    /// Nudges per user per rolling 7 days.
    pub max_nudges_per_week: Option<u32>,
    /// The lifecycle windows.
    #[serde(default)]
    pub lifecycle: RawLifecycle,
    /// The signal conditions.
    #[serde(default)]
    pub signals: RawSignals,
}

/// The raw `[policy.lifecycle]` windows, in calendar days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLifecycle {
    /// Contract start → first value, when no `first_value` is given.
    pub onboarding_days: Option<u32>,
    /// First value → steady state.
    pub adoption_days: Option<u32>,
    /// Before the contract end.
    pub renewal_window_days: Option<u32>,
}

/// The raw `[policy.signals]`: conditions in the targeting language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignals {
    /// Growth, in the Service stage.
    pub growth: Option<String>,
    /// Expansion, inside the renewal window.
    pub expansion: Option<String>,
    /// Advocacy, in any stage but Lapsed.
    pub advocacy: Option<String>,
}

impl RawPolicy {
    /// Read a policy file: the `[policy]` section's fields at the top level, as
    /// [`DEFAULT_POLICY`] writes them.
    ///
    /// # Errors
    /// TOML that does not parse, an unknown field or a value of the wrong type, with the
    /// parser's line and column.
    pub fn parse(text: &str) -> Result<RawPolicy, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The default policy's raw form ([`DEFAULT_POLICY`]).
    pub fn defaults() -> RawPolicy {
        // A constant file, pinned by a test: it cannot fail to parse.
        RawPolicy::parse(DEFAULT_POLICY).expect("the default policy file parses")
    }

    /// This section over `base`: each field given here wins, the others are `base`'s.
    #[must_use]
    pub fn over(self, base: RawPolicy) -> RawPolicy {
        let (l, b) = (self.lifecycle, base.lifecycle);
        let (s, bs) = (self.signals, base.signals);
        RawPolicy {
            time_zone: self.time_zone.or(base.time_zone),
            max_overlays_per_session: self
                .max_overlays_per_session
                .or(base.max_overlays_per_session),
            max_nudges_per_week: self.max_nudges_per_week.or(base.max_nudges_per_week),
            lifecycle: RawLifecycle {
                onboarding_days: l.onboarding_days.or(b.onboarding_days),
                adoption_days: l.adoption_days.or(b.adoption_days),
                renewal_window_days: l.renewal_window_days.or(b.renewal_window_days),
            },
            signals: RawSignals {
                growth: s.growth.or(bs.growth),
                expansion: s.expansion.or(bs.expansion),
                advocacy: s.advocacy.or(bs.advocacy),
            },
        }
    }
}

/// The default policy, validated.
///
/// # Example
/// ```
/// use touchpoint_authoring::policy::defaults;
/// let p = defaults();
/// assert_eq!(p.lifecycle.renewal_window_days, 180);
/// assert_eq!(p.lifecycle.advocacy.unwrap().source(), "user.nps >= 9");
/// ```
pub fn defaults() -> Policy {
    // Pinned by a test: the default file validates.
    validate(RawPolicy::defaults()).expect("the default policy validates")
}

/// Validate a `[policy]` section, over the defaults, into the policy the catalog carries.
///
/// # Errors
/// Every problem, each with its field path inside the section (`time_zone`,
/// `lifecycle.renewal_window_days`, `signals.growth`) and, for a condition, the span.
///
/// # Example
/// ```
/// use touchpoint_authoring::policy::{validate, RawPolicy};
/// let raw = RawPolicy::parse("time_zone = 'Europe/Berlin'\n[lifecycle]\nrenewal_window_days = 120").unwrap();
/// let p = validate(raw).unwrap();
/// assert_eq!(&*p.zone.name, "Europe/Berlin");
/// let raw = RawPolicy::parse("[signals]\ngrowth = 'account.seats >='").unwrap();
/// let e = validate(raw).unwrap_err();
/// assert_eq!(e.0[0].path, "signals.growth");
/// # assert!(e.0[0].message.starts_with("expected a value"), "{}", e.0[0].message);
/// ```
pub fn validate(raw: RawPolicy) -> Result<Policy, ValidationErrors> {
    let raw = raw.over(RawPolicy::defaults());
    let mut errors = Vec::new();
    let mut fail = |path: &str, kind: Kind, message: String| {
        errors.push(ValidationError {
            path: path.to_owned(),
            kind,
            message,
            span: None,
        });
    };
    let zone_name = raw.time_zone.unwrap_or_default();
    let zone = crate::zone::table(&zone_name)
        .map_err(|m| fail("time_zone", Kind::TimeZone, m))
        .ok();
    let l = raw.lifecycle;
    let mut window = |name: &str, days: Option<u32>| {
        let days = days.unwrap_or_default();
        if days > MAX_WINDOW_DAYS {
            fail(
                &format!("lifecycle.{name}"),
                Kind::Invalid,
                format!("expected at most {MAX_WINDOW_DAYS} (ten years), found {days}"),
            );
        }
        i64::from(days)
    };
    let onboarding_days = window("onboarding_days", l.onboarding_days);
    let adoption_days = window("adoption_days", l.adoption_days);
    let renewal_window_days = window("renewal_window_days", l.renewal_window_days);
    let mut signal = |name: &str, source: Option<String>| {
        let source = source.unwrap_or_default();
        crate::expr::parse_condition(&source)
            .map_err(|errs| {
                for e in errs {
                    errors.push(ValidationError {
                        path: format!("signals.{name}"),
                        kind: match e.kind {
                            crate::expr::ExprErrorKind::Type => Kind::Type,
                            _ => Kind::Syntax,
                        },
                        message: format!(
                            "{} (column {} of {})",
                            e.message,
                            e.span.start + 1,
                            crate::diagnostic::quote(&source)
                        ),
                        span: Some(e.span),
                    });
                }
            })
            .ok()
    };
    let growth = signal("growth", raw.signals.growth);
    let expansion = signal("expansion", raw.signals.expansion);
    let advocacy = signal("advocacy", raw.signals.advocacy);
    match zone {
        Some(zone) if errors.is_empty() => Ok(Policy {
            lifecycle: LifecyclePolicy {
                onboarding_days,
                adoption_days,
                renewal_window_days,
                growth,
                expansion,
                advocacy,
            },
            zone,
            max_modals_per_session: raw.max_overlays_per_session.unwrap_or_default(),
            max_nudges_per_week: raw.max_nudges_per_week.unwrap_or_default(),
        }),
        _ => Err(ValidationErrors(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_has_the_cores_windows_and_limits_and_parses_its_signals() {
        let p = defaults();
        let core = Policy::default();
        assert_eq!(p.zone, core.zone);
        assert_eq!(p.max_modals_per_session, core.max_modals_per_session);
        assert_eq!(p.max_nudges_per_week, core.max_nudges_per_week);
        let (l, c) = (&p.lifecycle, &core.lifecycle);
        assert_eq!(
            (l.onboarding_days, l.adoption_days, l.renewal_window_days),
            (c.onboarding_days, c.adoption_days, c.renewal_window_days)
        );
        for signal in [&l.growth, &l.expansion, &l.advocacy] {
            assert!(signal.is_some());
        }
    }

    #[test]
    fn a_section_replaces_only_what_it_names() {
        let raw: RawPolicy = toml::from_str(
            "max_nudges_per_week = 2\n[lifecycle]\nrenewal_window_days = 120\n[signals]\ngrowth = 'false'",
        )
        .unwrap();
        let p = validate(raw).unwrap();
        assert_eq!(p.max_nudges_per_week, 2);
        assert_eq!(p.max_modals_per_session, 1);
        assert_eq!(p.lifecycle.renewal_window_days, 120);
        assert_eq!(p.lifecycle.onboarding_days, 90);
        assert_eq!(p.lifecycle.growth.unwrap().source(), "false");
        assert_eq!(p.lifecycle.advocacy.unwrap().source(), "user.nps >= 9");
    }

    #[test]
    fn every_problem_names_its_field() {
        let raw: RawPolicy = toml::from_str(
            "time_zone = 'Mars/Olympus'\n[lifecycle]\nrenewal_window_days = 4000\n[signals]\nadvocacy = 'user.nps >= '\nexpansion = 'page.path > 3'",
        )
        .unwrap();
        let e = validate(raw).unwrap_err();
        let found: Vec<String> = e.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "time_zone: unknown time zone `Mars/Olympus`: expected an IANA name like `Europe/Paris`, `UTC` or an offset like `+02:00`",
                "lifecycle.renewal_window_days: expected at most 3650 (ten years), found 4000",
                "signals.expansion: cannot compare a string with a number (column 1 of \"page.path > 3\")",
                "signals.advocacy: expected a value, found the end of the condition (column 13 of \"user.nps >= \")",
            ]
        );
        let unknown = RawPolicy::parse("[lifecycle]\nrenewal_window_months = 6").unwrap_err();
        assert!(
            unknown.contains("unknown field `renewal_window_months`"),
            "{unknown}"
        );
    }
}
