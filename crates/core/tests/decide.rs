//! The decision's gates, ranking and reasons, on campaigns authored as campaign files are
//! (raw form → `touchpoint-authoring`'s validation), so each reason is pinned on the input
//! a CS person writes.
#![cfg(not(target_arch = "wasm32"))] // the authoring crate is native-only
use serde_json::{json, Value};
use touchpoint_authoring::RawCampaign;
use touchpoint_core::campaign::*;
use touchpoint_core::context::Consent;
use touchpoint_core::context::{Context, Occurrence};
use touchpoint_core::decide::*;
use touchpoint_core::history::History;
use touchpoint_core::history::Scope;
use touchpoint_core::EventKind;
use touchpoint_core::Timestamp;

fn campaign(id: &str, extra: Value) -> Campaign {
    let mut raw = json!({"id": id, "name": "N", "goal": "adoption",
        "trigger": {"on": "page_load", "url": "/app/**"}, "format": {"kind": "banner"},
        "content": {"en": {"title": "Hello"}, "fr": {"title": "Bonjour"}}});
    for (k, v) in extra.as_object().unwrap() {
        raw[k] = v.clone();
    }
    Campaign::try_from(serde_json::from_value::<RawCampaign>(raw).unwrap()).unwrap()
}

fn ctx() -> Context {
    let mut c = Context::default();
    c.user.id = Some("u1".into());
    c.page.path = "/app/home".into();
    c.locale = "fr-CA".into();
    c
}

const NOW: Timestamp = Timestamp(1_800_000_000_000);

fn reason(c: &Campaign, ctx: &Context, h: &History) -> Option<Reason> {
    decide(std::slice::from_ref(c), ctx, h, NOW)
        .reason(&c.id)
        .cloned()
}

#[test]
fn gates_report_their_reason() {
    let h = History::new();
    let future = json!({"schedule": {"start": "2030-01-01"}});
    assert!(matches!(
        reason(&campaign("a", future), &ctx(), &h),
        Some(Reason::OutOfSchedule {
            starts: Some(_),
            ended: None
        })
    ));
    let staged = json!({"audience": {"phases": ["renewal"]}});
    assert_eq!(
        reason(&campaign("a", staged), &ctx(), &h),
        Some(Reason::NotInStage {
            stage: None,
            phase: None
        })
    );
    let mut no_consent = ctx();
    no_consent.consent = Consent { marketing: false };
    assert_eq!(
        reason(
            &campaign("a", json!({"category": "marketing"})),
            &no_consent,
            &h
        ),
        Some(Reason::NoConsent)
    );
    let evented = json!({"trigger": {"on": "event", "event": "x"}});
    assert_eq!(
        reason(&campaign("a", evented), &ctx(), &h),
        Some(Reason::TriggerNotMatched)
    );
    let cond = |c: &str| json!({"audience": {"condition": c}});
    assert_eq!(
        reason(&campaign("a", cond("user.plan == 'pro'")), &ctx(), &h),
        Some(Reason::ConditionUnknown)
    );
    assert_eq!(
        reason(&campaign("a", cond("locale == 'de'")), &ctx(), &h),
        Some(Reason::ConditionFalse)
    );
    let mut seen = ctx();
    seen.session.shown.push("a".into());
    assert_eq!(
        reason(&campaign("a", json!({})), &seen, &h),
        Some(Reason::ShownThisSession)
    );
}

#[test]
fn history_gates() {
    let mut h = History::new();
    h.record("a", Scope::User, EventKind::Dismiss, NOW.plus_days(-3));
    let c = campaign("a", json!({"frequency": {"recontact_days": 10}}));
    assert_eq!(
        reason(&c, &ctx(), &h),
        Some(Reason::Dismissed {
            until: Some(NOW.plus_days(7))
        })
    );
    let mut h = History::new();
    h.record("a", Scope::User, EventKind::Snooze, NOW.plus_days(-1));
    assert_eq!(
        reason(&campaign("a", json!({})), &ctx(), &h),
        Some(Reason::Snoozed {
            until: NOW.plus_days(6)
        })
    );
    let mut h = History::new();
    for d in [40, 20, 10] {
        h.record(
            "a",
            Scope::Account,
            EventKind::Impression,
            NOW.plus_days(-d),
        );
    }
    let capped = campaign(
        "a",
        json!({"frequency": {"caps": [{"scope": "account", "max": 2, "within_days": 30}]}}),
    );
    assert_eq!(
        reason(&capped, &ctx(), &h),
        Some(Reason::Capped(CapHit::Window {
            scope: CapScope::Account,
            max: 2,
            within_days: Some(30),
            until: Some(NOW.plus_days(10))
        }))
    );
    let mut h = History::new();
    h.record("a", Scope::User, EventKind::Conversion, NOW.plus_days(-1));
    assert_eq!(
        reason(&campaign("a", json!({})), &ctx(), &h),
        Some(Reason::Converted {
            at: NOW.plus_days(-1)
        })
    );
}

#[test]
fn ranking_slots_and_policy() {
    let campaigns = vec![
        campaign("low", json!({"priority": 1})),
        campaign("high", json!({"priority": 9})),
        campaign("feed-1", json!({"format": {"kind": "feed"}})),
        campaign("feed-2", json!({"format": {"kind": "feed"}})),
        campaign("modal", json!({"format": {"kind": "modal"}})),
        campaign(
            "tip",
            json!({"format": {"kind": "tooltip", "anchor": "#x"},
                               "trigger": {"on": "element_visible", "selector": "#x"}}),
        ),
    ];
    let d = decide(&campaigns, &ctx(), &History::new(), NOW);
    let shown: Vec<&str> = d.shown.iter().map(|n| n.campaign_id.as_str()).collect();
    assert_eq!(shown, ["high", "feed-1", "feed-2", "modal", "tip"]);
    assert_eq!(
        d.reason("low"),
        Some(&Reason::SlotTaken {
            slot: Slot::Banner,
            by: "high".into()
        })
    );
    assert_eq!(d.shown[0].content.title, "Bonjour");
    assert_eq!(d.shown[0].locale, "fr");
    assert_eq!(
        d.shown[4].arm,
        Some(Arm::ElementVisible {
            selector: "#x".into()
        })
    );

    let mut busy = ctx();
    busy.session.modals_shown = 1;
    let d = decide(&campaigns, &busy, &History::new(), NOW);
    assert_eq!(
        d.reason("modal"),
        Some(&Reason::Capped(CapHit::SessionOverlays { max: 1 }))
    );

    let mut h = History::new();
    for i in 0..5 {
        h.record("low", Scope::User, EventKind::Impression, NOW.plus_days(-i));
    }
    let d = decide(&campaigns, &ctx(), &h, NOW);
    let shown: Vec<&str> = d.shown.iter().map(|n| n.campaign_id.as_str()).collect();
    assert_eq!(
        shown,
        ["feed-1", "feed-2"],
        "the weekly limit spares the feed"
    );
    assert_eq!(
        d.reason("high"),
        Some(&Reason::Capped(CapHit::Weekly { max: 5 }))
    );
}

#[test]
fn holdout_and_show() {
    let all_out = campaign("a", json!({"holdout": 100}));
    let d = decide(std::slice::from_ref(&all_out), &ctx(), &History::new(), NOW);
    assert!(d.shown.is_empty());
    assert_eq!(d.held_out().collect::<Vec<_>>(), [("a", "control")]);
    let manual = campaign("m", json!({"trigger": {"on": "manual"}}));
    let mut c = ctx();
    assert_eq!(
        reason(&manual, &c, &History::new()),
        Some(Reason::TriggerNotMatched)
    );
    c.trigger = Occurrence::Show {
        campaign_id: "m".into(),
    };
    assert_eq!(reason(&manual, &c, &History::new()), None);
}

#[test]
fn leads() {
    let c = campaign(
        "s",
        json!({"format": {"kind": "survey", "survey": "nps", "question": "Q?"},
        "content": {"en": {"title": "T", "ctas": [{"id": "talk", "label": "Talk", "action": "dismiss"}]}},
        "leads": [{"team": "marketing", "min_score": 9}, {"team": "sales", "cta": "talk"}]}),
    );
    use touchpoint_core::campaign::Team;
    assert_eq!(leads_for(&c, None, Some(10), None), [Team::Marketing]);
    assert_eq!(leads_for(&c, None, Some(8), None), []);
    assert_eq!(leads_for(&c, Some("talk"), None, None), [Team::Sales]);
}
