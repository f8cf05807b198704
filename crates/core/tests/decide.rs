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
use touchpoint_core::uuid::Uuid;
use touchpoint_core::Timestamp;
use touchpoint_core::{Arm, Event, EventKind};

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
        d.shown[4].cue,
        Some(Cue::ElementVisible {
            selector: "#x".into()
        })
    );
    assert!(d.shown.iter().all(|n| n.arm == Arm::Treatment));

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
    assert_eq!(d.shown.len(), 1, "a holdout member is placed");
    assert_eq!(d.shown[0].arm, Arm::Holdout);
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

// Issue 11: exposure and holdout.

/// An impression event of `user` (an anonymous visitor when `user` starts with `anon`).
fn impression(user: &str, campaign: &str, ts: Timestamp, holdout: bool, variant: &str) -> Event {
    let mut e = Event::new(
        Uuid::v7(ts.as_millis().unsigned_abs(), [3; 10]),
        EventKind::Impression,
        ts,
    );
    if user.starts_with("anon") {
        e.anonymous_id = Some(user.into());
    } else {
        e.user_id = Some(user.into());
    }
    e.account_id = Some("acme".into());
    e.campaign_id = Some(campaign.into());
    e.variant = Some(variant.into());
    e.holdout = holdout;
    e
}

fn history_of(events: &[Event], ctx: &Context) -> History {
    History::from_events(events, &ctx.user, Some("acme"))
}

#[test]
fn holdout_member_who_would_lose_the_slot_is_reported_slot_taken() {
    let campaigns = [
        campaign("top", json!({"priority": 90})),
        campaign("under", json!({"priority": 40, "holdout": 100})),
    ];
    let d = decide(&campaigns, &ctx(), &History::new(), NOW);
    assert_eq!(
        d.reason("under"),
        Some(&Reason::SlotTaken {
            slot: Slot::Banner,
            by: "top".into()
        })
    );
    assert_eq!(d.held_out().count(), 0);
}

#[test]
fn holdout_member_who_wins_the_slot_takes_it_and_is_placed_as_holdout() {
    let campaigns = [
        campaign("top", json!({"priority": 90, "holdout": 100})),
        campaign("under", json!({"priority": 40})),
    ];
    let d = decide(&campaigns, &ctx(), &History::new(), NOW);
    let shown: Vec<(&str, Arm)> = d
        .shown
        .iter()
        .map(|n| (n.campaign_id.as_str(), n.arm))
        .collect();
    assert_eq!(shown, [("top", Arm::Holdout)]);
    assert_eq!(
        d.reason("under"),
        Some(&Reason::SlotTaken {
            slot: Slot::Banner,
            by: "top".into()
        })
    );
}

#[test]
fn holdout_modal_past_the_session_overlay_limit_is_capped() {
    let modal = campaign("m", json!({"format": {"kind": "modal"}, "holdout": 100}));
    let mut busy = ctx();
    busy.session.modals_shown = 1;
    assert_eq!(
        reason(&modal, &busy, &History::new()),
        Some(Reason::Capped(CapHit::SessionOverlays { max: 1 }))
    );
}

#[test]
fn holdout_toast_past_the_weekly_limit_is_capped() {
    // Four views this week; the banner (ranked first) spends the fifth.
    let mut h = History::new();
    for d in 1..=4 {
        h.record("old", Scope::User, EventKind::Impression, NOW.plus_days(-d));
    }
    let campaigns = [
        campaign("banner", json!({"priority": 9})),
        campaign(
            "toast",
            json!({"format": {"kind": "toast"}, "holdout": 100}),
        ),
    ];
    let d = decide(&campaigns, &ctx(), &h, NOW);
    assert_eq!(d.shown.len(), 1);
    assert_eq!(
        d.reason("toast"),
        Some(&Reason::Capped(CapHit::Weekly { max: 5 }))
    );
}

#[test]
fn holdout_would_be_views_count_toward_every_cap_like_views() {
    let c = ctx();
    let ts = NOW.plus_days(-2);
    // max_views: one would-be view ends the campaign for a holdout member.
    let once = campaign(
        "once",
        json!({"holdout": 100, "frequency": {"max_views": 1}}),
    );
    let events = [impression("u1", "once", ts, true, "control")];
    assert_eq!(
        reason(&once, &c, &history_of(&events, &c)),
        Some(Reason::Capped(CapHit::MaxViews { max: 1 }))
    );
    // An account cap counts a colleague's would-be view.
    let account = campaign(
        "acct",
        json!({"frequency": {"caps": [{"scope": "account", "max": 1, "within_days": 30}]}}),
    );
    let events = [impression("u2", "acct", ts, true, "control")];
    assert_eq!(
        reason(&account, &c, &history_of(&events, &c)),
        Some(Reason::Capped(CapHit::Window {
            scope: CapScope::Account,
            max: 1,
            within_days: Some(30),
            until: Some(ts.plus_days(30))
        }))
    );
    // The weekly limit counts would-be views.
    let events: Vec<Event> = (1..=5)
        .map(|d| impression("u1", "other", NOW.plus_days(-d), true, "control"))
        .collect();
    assert_eq!(
        reason(&campaign("b", json!({})), &c, &history_of(&events, &c)),
        Some(Reason::Capped(CapHit::Weekly { max: 5 }))
    );
}

#[test]
fn the_weekly_limit_counts_views_of_campaigns_no_longer_in_the_catalog() {
    // Five views this week of a campaign since renamed or deleted: the budget is spent.
    let mut h = History::new();
    for d in 1..=5 {
        h.record(
            "renamed-away",
            Scope::User,
            EventKind::Impression,
            NOW.plus_days(-d),
        );
    }
    let d = decide(&[campaign("new-name", json!({}))], &ctx(), &h, NOW);
    assert_eq!(
        d.reason("new-name"),
        Some(&Reason::Capped(CapHit::Weekly { max: 5 }))
    );
    // Views of a feed item of the catalog are not nudges and spend nothing.
    let mut h = History::new();
    for d in 1..=5 {
        h.record(
            "feed",
            Scope::User,
            EventKind::Impression,
            NOW.plus_days(-d),
        );
    }
    let campaigns = [
        campaign("feed", json!({"format": {"kind": "feed"}})),
        campaign("new-name", json!({})),
    ];
    assert_eq!(decide(&campaigns, &ctx(), &h, NOW).shown.len(), 2);
}

/// A campaign with a 50% holdout and two variants.
fn experiment() -> Campaign {
    campaign(
        "exp",
        json!({"holdout": 50, "variants": [{"id": "a", "weight": 50}, {"id": "b", "weight": 50}]}),
    )
}

/// The first id `prefix-N` whose stable bucket gives `(holdout, variant)` in [`experiment`].
fn id_assigned(prefix: &str, holdout: bool, variant: &str) -> String {
    let c = experiment();
    (0..10_000)
        .map(|i| format!("{prefix}-{i}"))
        .find(|id| {
            let mut x = ctx();
            x.user.id = Some(id.clone());
            let d = decide(std::slice::from_ref(&c), &x, &History::new(), NOW);
            let n = &d.shown[0];
            (n.arm == Arm::Holdout) == holdout && n.variant == variant
        })
        .expect("some id falls in every cell")
}

#[test]
fn the_arm_and_variant_of_the_first_exposure_stick_when_identify_changes_the_bucketing_id() {
    let c = experiment();
    for (holdout, variant) in [(true, "a"), (false, "b")] {
        // Exposed while anonymous; the user id hashes to the other arm and variant.
        let anon = id_assigned("anon", holdout, variant);
        let user = id_assigned("user", !holdout, if variant == "a" { "b" } else { "a" });
        let seen = [impression(
            &anon,
            "exp",
            NOW.plus_days(-1),
            holdout,
            variant,
        )];
        let mut x = ctx();
        x.user.id = Some(user);
        x.user.anonymous_id = Some(anon);
        let d = decide(std::slice::from_ref(&c), &x, &history_of(&seen, &x), NOW);
        let n = &d.shown[0];
        let want = if holdout {
            Arm::Holdout
        } else {
            Arm::Treatment
        };
        assert_eq!((n.arm, n.variant.as_str()), (want, variant));
    }
}

#[test]
fn the_earliest_exposure_decides_whatever_order_the_events_arrive_in() {
    let c = experiment();
    let mut x = ctx();
    x.user.id = Some(id_assigned("user", false, "a"));
    let me = x.user.id.clone().unwrap();
    let mut seen = vec![
        impression(&me, "exp", NOW.plus_days(-1), false, "a"),
        impression(&me, "exp", NOW.plus_days(-9), true, "b"),
    ];
    for _ in 0..2 {
        let d = decide(std::slice::from_ref(&c), &x, &history_of(&seen, &x), NOW);
        assert_eq!(
            (d.shown[0].arm, d.shown[0].variant.as_str()),
            (Arm::Holdout, "b")
        );
        seen.reverse();
    }
}

#[test]
fn a_holdout_switched_off_treats_everyone_and_a_removed_variant_is_hashed_again() {
    let off = campaign("exp", json!({"variants": [{"id": "a", "weight": 100}]}));
    let seen = [impression("u1", "exp", NOW.plus_days(-1), true, "gone")];
    let d = decide(
        std::slice::from_ref(&off),
        &ctx(),
        &history_of(&seen, &ctx()),
        NOW,
    );
    assert_eq!(
        (d.shown[0].arm, d.shown[0].variant.as_str()),
        (Arm::Treatment, "a")
    );
}

#[test]
fn users_without_any_id_are_never_bucketed_together() {
    let mut nobody = ctx();
    nobody.user.id = Some(String::new());
    nobody.user.anonymous_id = None;
    let plain = campaign("plain", json!({"format": {"kind": "toast"}}));
    let split = campaign(
        "split",
        json!({"variants": [{"id": "a", "weight": 50}, {"id": "b", "weight": 50}]}),
    );
    let held = campaign("held", json!({"format": {"kind": "modal"}, "holdout": 10}));
    let d = decide(&[plain, split, held], &nobody, &History::new(), NOW);
    let shown: Vec<&str> = d.shown.iter().map(|n| n.campaign_id.as_str()).collect();
    assert_eq!(shown, ["plain"], "nothing to assign: no hash needed");
    assert_eq!(d.reason("split"), Some(&Reason::Unidentified));
    assert_eq!(d.reason("held"), Some(&Reason::Unidentified));
}
