//! Validation of the raw form: every error collected with its field path, defaults filled
//! in, and the campaign built by the core's checked `Campaign::new`.
use serde_json::{json, Value};
use touchpoint_authoring::{RawCampaign, ValidationErrorKind, ValidationErrors};
use touchpoint_core::campaign::*;
use touchpoint_core::expr::Span;

fn validate(v: &Value) -> Result<Campaign, ValidationErrors> {
    Campaign::try_from(serde_json::from_value::<RawCampaign>(v.clone()).unwrap())
}
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
fn validates_and_fills_in_defaults() {
    let c = validate(&full()).unwrap();
    assert_eq!(c.holdout_bp, 1000);
    assert_eq!(
        c.schedule.start.unwrap().to_string(),
        "2026-01-01T08:00:00Z"
    );
    assert_eq!(c.content["en"].ctas[0].id, "cta-1");
    assert_eq!(c.frequency.snooze_days, 7);
    assert!(c.frequency.stop_after_conversion);
    assert_eq!(c.category, Category::Service);
}

#[test]
fn locale_fallback() {
    let c = validate(&full()).unwrap();
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
    let err = Campaign::try_from(serde_json::from_value::<RawCampaign>(v).unwrap()).unwrap_err();
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
fn banner_position_defaults_to_top_round_trips_and_rejects_unknown_values() {
    let banner = |format: serde_json::Value| {
        let mut v = full();
        v["format"] = format;
        v["leads"] = json!([]);
        v
    };
    let top = validate(&banner(json!({"kind": "banner"}))).unwrap();
    assert_eq!(
        top.format,
        Format::Banner {
            position: BannerPosition::Top
        }
    );
    let v = banner(json!({"kind": "banner", "position": "bottom"}));
    let bottom = validate(&v).unwrap();
    assert_eq!(
        bottom.format,
        Format::Banner {
            position: BannerPosition::Bottom
        }
    );

    let err = validate(&banner(json!({"kind": "banner", "position": "left"}))).unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert_eq!(err.0[0].path, "format.position");
    assert_eq!(err.0[0].kind, ValidationErrorKind::UnknownValue);
    assert_eq!(
        err.0[0].message,
        "unknown value \"left\": expected one of top, bottom"
    );
    let err = validate(&banner(json!({"kind": "toast", "position": "bottom"}))).unwrap_err();
    assert_eq!(err.0[0].path, "format.position");
    assert_eq!(err.0[0].message, "not used by `toast` format: remove it");
}

#[test]
fn a_modal_may_lock_the_page_scroll_and_nothing_else_may() {
    let with = |format: serde_json::Value| {
        let mut v = full();
        v["format"] = format;
        v["leads"] = json!([]);
        validate(&v)
    };
    let plain = with(json!({"kind": "modal"})).unwrap();
    assert_eq!(plain.format, Format::Modal { scroll_lock: false });
    let locked = with(json!({"kind": "modal", "scroll_lock": true})).unwrap();
    assert_eq!(locked.format, Format::Modal { scroll_lock: true });
    let err = with(json!({"kind": "slideout", "scroll_lock": true})).unwrap_err();
    assert_eq!(err.0[0].path, "format.scroll_lock");
    assert_eq!(err.0[0].message, "not used by `slideout` format: remove it");
    let mut v = full();
    v["format"] = json!({"kind": "modal", "scroll_lock": "yes"});
    assert!(serde_json::from_value::<RawCampaign>(v).is_err());
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
    let c = validate(&v).unwrap();
    assert_eq!(
        c.format,
        Format::Tooltip {
            anchor: "#a".into(),
            wait_seconds: Some(20)
        }
    );
    let tour = with(json!({"kind": "tour", "wait_seconds": 5,
        "steps": [{"anchor": "#a", "title": "One"}]}));
    let c = validate(&tour).unwrap();
    assert!(matches!(
        c.format,
        Format::Tour {
            wait_seconds: Some(5),
            ..
        }
    ));
    let hotspot = validate(&with(json!({"kind": "hotspot", "anchor": "#a"})));
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
        let err = validate(&with(format)).unwrap_err();
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
