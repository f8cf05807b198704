//! The campaign model, in two stages: [`RawCampaign`] is what files and JSON carry, and
//! [`Campaign`] is the validated form that the decision accepts. Only `TryFrom` builds a
//! `Campaign`, so an invalid campaign cannot exist past the parser; `RawCampaign::from`
//! goes back to the wire form.
//!
//! - [`raw`]: the serde form (TOML files, JSON campaigns).
//! - [`model`]: the validated types.
//! - [`validate`]: the conversion both ways, collecting every error with its field path.
//! - [`wire`]: a hand-written JSON reader of the raw form that reports every error at once.
//! - [`compiled`]: the validated model as the server sends it to widgets, and the small
//!   reader the widget uses instead of re-validating.
//! - [`zone`]: schedule times to UTC (named zones with feature `tz`).
pub mod compiled;
pub mod model;
pub mod raw;
pub mod validate;
pub mod wire;
pub mod zone;

pub use model::*;
pub use raw::*;

use crate::expr::Span;
use std::fmt;

/// What kind of mistake a [`ValidationError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValidationErrorKind {
    /// A required field is absent.
    Missing,
    /// A value is out of range or malformed.
    Invalid,
    /// A value is not one of the allowed names.
    UnknownValue,
    /// A field the model does not have.
    UnknownField,
    /// The condition does not parse.
    Syntax,
    /// The condition does not type-check.
    Type,
    /// The schedule's time zone cannot be resolved.
    TimeZone,
    /// Variant weights do not sum to 100.
    Weights,
    /// A reference (CTA id, survey answer) points nowhere.
    Reference,
    /// An id is used twice.
    Duplicate,
    /// The file is not valid TOML/JSON, or a value has the wrong type.
    Parse,
}

/// One problem in a campaign, with the path of the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// Field path, e.g. `audience.condition` or `variants[1].weight`.
    pub path: String,
    /// What kind of mistake.
    pub kind: ValidationErrorKind,
    /// What was expected, in words a CS person can act on.
    pub message: String,
    /// For condition errors: the span inside the field's text.
    pub span: Option<Span>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every problem found in one campaign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl Campaign {
    /// Parse a campaign from its raw JSON form and validate it.
    ///
    /// # Errors
    /// A single [`ValidationErrorKind::Parse`] error for malformed JSON; else every
    /// structural problem (unknown fields, wrong types, missing fields); else every
    /// validation error.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::{Campaign, RawCampaign};
    /// let json = r#"{"id":"hello","name":"Hello","goal":"announcement",
    ///   "trigger":{"on":"page_load","url":"/app/**"},"format":{"kind":"banner"},
    ///   "content":{"en":{"title":"Hi"}}}"#;
    /// let c = Campaign::from_json(json).unwrap();
    /// let wire = serde_json::to_string(&RawCampaign::from(&c)).unwrap();
    /// assert_eq!(Campaign::from_json(&wire).unwrap(), c);
    /// ```
    pub fn from_json(json: &str) -> Result<Campaign, ValidationErrors> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            ValidationErrors(vec![ValidationError {
                path: String::new(),
                kind: ValidationErrorKind::Parse,
                message: e.to_string(),
                span: None,
            }])
        })?;
        Campaign::from_json_value(&value)
    }

    /// Validate a campaign from an already parsed JSON value (see [`Campaign::from_json`]).
    ///
    /// # Errors
    /// Every structural problem (unknown fields, wrong types, missing fields), or else every
    /// validation error.
    pub fn from_json_value(value: &serde_json::Value) -> Result<Campaign, ValidationErrors> {
        Campaign::try_from(RawCampaign::from_json_value(value)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn full() -> serde_json::Value {
        json!({
            "id": "nps-quarterly", "name": "NPS", "owner": "cs@ledgerly.example", "goal": "feedback",
            "category": "service", "priority": 40, "holdout": 10,
            "audience": {"stages": ["service"], "phases": ["steady_state"],
                          "condition": "days_since(account.contract_start) > 60"},
            "trigger": {"on": "page_load", "url": "/app/**"},
            "format": {"kind": "survey", "survey": "nps", "question": "How likely...?"},
            "content": {"en": {"title": "Quick question", "ctas": [{"label": "Later", "action": "snooze"}]},
                        "fr": {"title": "Petite question"}},
            "variants": [{"id": "a", "weight": 50}, {"id": "b", "weight": 50,
                          "content": {"en": {"title": "One question"}}}],
            "schedule": {"start": "2026-01-01T09:00", "end": "2027-01-01", "timezone": "+01:00"},
            "frequency": {"max_views": 2, "recontact_days": 30,
                          "caps": [{"scope": "account", "max": 1, "within_days": 90}]},
            "conversion": {"event": "nps_answered", "within_days": 1},
            "leads": [{"team": "marketing", "min_score": 9}]
        })
    }

    #[test]
    fn validates_and_round_trips_through_the_wire_form() {
        let raw: RawCampaign = serde_json::from_value(full()).unwrap();
        let c = Campaign::try_from(raw).unwrap();
        assert_eq!(c.holdout_bp, 1000);
        assert_eq!(
            c.schedule.start.unwrap().to_string(),
            "2026-01-01T08:00:00Z"
        );
        assert_eq!(c.content["en"].ctas[0].id, "cta-1");
        let wire = RawCampaign::from(&c);
        assert_eq!(
            wire.schedule.as_ref().unwrap().timezone.as_deref(),
            Some("UTC")
        );
        let again = Campaign::try_from(
            serde_json::from_str::<RawCampaign>(&serde_json::to_string(&wire).unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(again, c);
    }

    #[test]
    fn locale_fallback() {
        let c = Campaign::try_from(serde_json::from_value::<RawCampaign>(full()).unwrap()).unwrap();
        let (a, b) = (&c.variants[0], &c.variants[1]);
        assert_eq!(c.content_for(a, "fr-CA").1.title, "Petite question");
        assert_eq!(
            c.content_for(b, "en-GB"),
            ("en", &c.variants[1].content["en"])
        );
        assert_eq!(c.content_for(b, "fr").1.title, "Petite question");
        assert_eq!(c.content_for(a, "de").0, "en");
    }

    #[test]
    fn collects_all_errors_with_paths() {
        let mut v = full();
        v["id"] = json!("NPS!");
        v["goal"] = json!("profit");
        v["audience"]["condition"] = json!("user.nps >= ");
        v["trigger"] = json!({"on": "event"});
        v["format"]["survey"] = json!("stars");
        v["variants"][1]["weight"] = json!(40);
        v["schedule"]["timezone"] = json!("Mars/Olympus");
        v["leads"][0]["team"] = json!("finance");
        let err =
            Campaign::try_from(serde_json::from_value::<RawCampaign>(v).unwrap()).unwrap_err();
        let paths: Vec<&str> = err.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "id",
                "goal",
                "audience.condition",
                "trigger.event",
                "format.survey",
                "variants",
                "schedule.timezone",
                "leads[0].team"
            ]
        );
        assert_eq!(err.0[2].span, Some(Span::new(12, 12)));
        assert!(err
            .to_string()
            .contains("variants: variant weights must sum to 100, but a=50 + b=40 sum to 90"));
    }

    #[test]
    fn campaign_serde_goes_through_the_wire_form() {
        let c = Campaign::try_from(serde_json::from_value::<RawCampaign>(full()).unwrap()).unwrap();
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["schedule"]["timezone"], "UTC");
        assert_eq!(serde_json::from_value::<Campaign>(json).unwrap(), c);
        let mut bad = full();
        bad["goal"] = json!("profit");
        let err = serde_json::from_value::<Campaign>(bad)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("goal: unknown value \"profit\""), "{err}");
    }

    #[test]
    fn the_hand_reader_agrees_with_serde() {
        let raw: RawCampaign = serde_json::from_value(full()).unwrap();
        assert_eq!(RawCampaign::from_json_value(&full()).unwrap(), raw);
        let c = Campaign::try_from(raw).unwrap();
        let wire = serde_json::to_value(RawCampaign::from(&c)).unwrap();
        assert_eq!(
            RawCampaign::from_json_value(&wire).unwrap(),
            serde_json::from_value::<RawCampaign>(wire).unwrap()
        );
        let mut bad = full();
        bad["priority"] = json!("high");
        bad["frequency"]["caps"][0]["max"] = json!(-1);
        bad["content"]["en"]["ctas"][0]["lable"] = json!("x");
        bad["variants"][0] = json!({"weight": 50});
        let errs = RawCampaign::from_json_value(&bad).unwrap_err();
        let paths: Vec<&str> = errs.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "priority",
                "content.en.ctas[0].lable",
                "variants[0]",
                "frequency.caps[0].max"
            ]
        );
    }

    #[test]
    fn banner_position_defaults_to_top_round_trips_and_rejects_unknown_values() {
        let banner = |format: serde_json::Value| {
            let mut v = full();
            v["format"] = format;
            v["leads"] = json!([]);
            v
        };
        let top = Campaign::from_json_value(&banner(json!({"kind": "banner"}))).unwrap();
        assert_eq!(
            top.format,
            Format::Banner {
                position: BannerPosition::Top
            }
        );
        assert_eq!(RawCampaign::from(&top).format.position, None);
        let v = banner(json!({"kind": "banner", "position": "bottom"}));
        let raw: RawCampaign = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(RawCampaign::from_json_value(&v).unwrap(), raw);
        let bottom = Campaign::try_from(raw).unwrap();
        assert_eq!(
            bottom.format,
            Format::Banner {
                position: BannerPosition::Bottom
            }
        );
        let wire = serde_json::to_value(RawCampaign::from(&bottom)).unwrap();
        assert_eq!(wire["format"]["position"], "bottom");
        assert_eq!(Campaign::from_json_value(&wire).unwrap(), bottom);

        let err = Campaign::from_json_value(&banner(json!({"kind": "banner", "position": "left"})))
            .unwrap_err();
        assert_eq!(err.0.len(), 1, "{err}");
        assert_eq!(err.0[0].path, "format.position");
        assert_eq!(err.0[0].kind, ValidationErrorKind::UnknownValue);
        assert_eq!(
            err.0[0].message,
            "unknown value \"left\": expected one of top, bottom"
        );
        let err =
            Campaign::from_json_value(&banner(json!({"kind": "toast", "position": "bottom"})))
                .unwrap_err();
        assert_eq!(err.0[0].path, "format.position");
        assert_eq!(err.0[0].message, "not used by `toast` format: remove it");
    }

    #[test]
    fn a_modal_may_lock_the_page_scroll_and_nothing_else_may() {
        let with = |format: serde_json::Value| {
            let mut v = full();
            v["format"] = format;
            v["leads"] = json!([]);
            Campaign::from_json_value(&v)
        };
        let plain = with(json!({"kind": "modal"})).unwrap();
        assert_eq!(plain.format, Format::Modal { scroll_lock: false });
        assert_eq!(RawCampaign::from(&plain).format.scroll_lock, None);
        let locked = with(json!({"kind": "modal", "scroll_lock": true})).unwrap();
        assert_eq!(locked.format, Format::Modal { scroll_lock: true });
        let raw = serde_json::to_value(RawCampaign::from(&locked)).unwrap();
        assert_eq!(Campaign::from_json_value(&raw).unwrap(), locked);
        let err = with(json!({"kind": "slideout", "scroll_lock": true})).unwrap_err();
        assert_eq!(err.0[0].path, "format.scroll_lock");
        assert_eq!(err.0[0].message, "not used by `slideout` format: remove it");
        let err = with(json!({"kind": "modal", "scroll_lock": "yes"})).unwrap_err();
        assert_eq!(err.0[0].path, "format.scroll_lock");
    }

    #[test]
    fn anchored_formats_may_wait_their_own_time() {
        let with = |format: serde_json::Value| {
            let mut v = full();
            v["format"] = format;
            v["leads"] = json!([]);
            v
        };
        let v = with(json!({"kind": "tooltip", "anchor": "#a", "wait_seconds": 20}));
        let raw: RawCampaign = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(RawCampaign::from_json_value(&v).unwrap(), raw);
        let c = Campaign::try_from(raw).unwrap();
        assert_eq!(
            c.format,
            Format::Tooltip {
                anchor: "#a".into(),
                wait_seconds: Some(20)
            }
        );
        let wire = serde_json::to_value(RawCampaign::from(&c)).unwrap();
        assert_eq!(wire["format"]["wait_seconds"], 20);
        assert_eq!(Campaign::from_json_value(&wire).unwrap(), c);
        let tour = with(json!({"kind": "tour", "wait_seconds": 5,
            "steps": [{"anchor": "#a", "title": "One"}]}));
        let c = Campaign::from_json_value(&tour).unwrap();
        assert!(matches!(
            c.format,
            Format::Tour {
                wait_seconds: Some(5),
                ..
            }
        ));
        let hotspot = Campaign::from_json_value(&with(json!({"kind": "hotspot", "anchor": "#a"})));
        assert!(matches!(
            hotspot.unwrap().format,
            Format::Hotspot {
                wait_seconds: None,
                ..
            }
        ));
        for (format, message) in [
            (
                json!({"kind": "tooltip", "anchor": "#a", "wait_seconds": 0}),
                "expected 1 to 600 seconds",
            ),
            (
                json!({"kind": "modal", "wait_seconds": 5}),
                "not used by `modal` format: remove it",
            ),
        ] {
            let err = Campaign::from_json_value(&with(format)).unwrap_err();
            assert_eq!(err.0[0].path, "format.wait_seconds");
            assert_eq!(err.0[0].message, message);
        }
    }

    #[test]
    fn unknown_fields_are_errors() {
        let mut v = full();
        v["colour"] = json!("red");
        assert!(serde_json::from_value::<RawCampaign>(v).is_err());
    }
}
