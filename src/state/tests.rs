//! The reducer's rules, each pinned by a test (natively: the state is pure).
use super::*;
use crate::delivery::consent::{Category, Consent};
use touchpoint_core::campaign::Category as CampaignCategory;
use touchpoint_core::context::Traits;
use touchpoint_core::decide::{Arm, Cue};
use touchpoint_core::uuid::Uuid;
use touchpoint_core::{EventKind, Timestamp};

/// A campaign as the widget receives it: the compiled form, read by the core's decoder
/// (every default written out, as the server writes them).
fn compiled(fields: serde_json::Value) -> Campaign {
    let mut v = serde_json::json!({
        "category": "service", "priority": 0, "holdout_bp": 0,
        "audience": { "stages": [], "phases": [] }, "default_locale": "en",
        "variants": [{ "id": "control", "weight": 100, "content": {} }], "schedule": {},
        "frequency": { "snooze_days": 7, "stop_after_conversion": true, "caps": [] },
        "leads": []
    });
    for (k, x) in fields.as_object().expect("an object") {
        v[k] = x.clone();
    }
    touchpoint_core::campaign::compiled::decode(&v).expect("valid campaign")
}

fn campaign(id: &str, priority: i32, url: &str) -> Campaign {
    compiled(serde_json::json!({
        "id": id, "name": id, "goal": "announcement", "priority": priority,
        "trigger": { "on": "page_load", "url": url },
        "format": { "kind": "banner", "position": "top" },
        "content": { "en": { "title": "Hello", "body": "", "ctas": [
            { "id": "go", "label": "Go", "action": "open_url", "url": "/go" },
            { "id": "later", "label": "Later", "action": "snooze" }
        ] } }
    }))
}

const T: Tick = Tick {
    now: Timestamp(1_795_392_000_000),
    entropy: [7; 10],
};

fn sent(fx: &[Effect]) -> Vec<(EventKind, Option<String>)> {
    fx.iter()
        .filter_map(|f| match f {
            Effect::Send { event: e, .. } => Some((e.kind, e.campaign_id.clone())),
            _ => None,
        })
        .collect()
}

/// A page load of `path`.
fn goto(s: &mut WidgetState, path: &str) -> Vec<Effect> {
    s.reduce(
        Action::Page(Page {
            path: path.into(),
            ..Page::default()
        }),
        T,
    )
}

fn loaded(campaigns: Vec<Campaign>) -> WidgetState {
    let mut s = WidgetState::default();
    s.reduce(
        Action::Restored {
            anonymous_id: "anon-1".into(),
            session_id: "s-1".into(),
            journal: Vec::new(),
        },
        T,
    );
    goto(&mut s, "/app/invoices");
    s.reduce(Action::CampaignsLoaded(campaigns), T);
    s
}

#[test]
fn shows_the_highest_priority_banner_with_one_impression() {
    let mut s = WidgetState::default();
    s.reduce(
        Action::Restored {
            anonymous_id: "anon-1".into(),
            session_id: "s-1".into(),
            journal: Vec::new(),
        },
        T,
    );
    goto(&mut s, "/app/invoices");
    let fx = s.reduce(
        Action::CampaignsLoaded(vec![
            campaign("low", 1, "/app/**"),
            campaign("high", 5, "/app/**"),
        ]),
        T,
    );
    assert_eq!(s.banner().map(|n| n.campaign_id.as_str()), Some("high"));
    assert_eq!(
        sent(&fx),
        vec![(EventKind::Impression, Some("high".into()))]
    );
    let fx = s.reduce(
        Action::Track {
            name: "clicked".into(),
            props: Traits::new(),
            category: Category::Service,
        },
        T,
    );
    assert_eq!(
        sent(&fx),
        vec![(EventKind::Track, None)],
        "no second impression"
    );
    assert_eq!(
        s.banner().map(|n| n.campaign_id.as_str()),
        Some("high"),
        "a track keeps the banner"
    );
}

#[test]
fn every_event_carries_the_tab_session_id() {
    // Issue 9: `session_id` was always null in stored events.
    let mut s = loaded(vec![campaign("a", 1, "/app/**")]);
    let fx = s.reduce(
        Action::Track {
            name: "clicked".into(),
            props: Traits::new(),
            category: Category::Service,
        },
        T,
    );
    let sessions: Vec<_> = fx
        .iter()
        .filter_map(|f| match f {
            Effect::Send { event: e, .. } => Some(e.session_id.as_deref()),
            _ => None,
        })
        .collect();
    assert_eq!(sessions, vec![Some("s-1")]);
}

/// Each sent event's kind, consent category and signature.
fn sent_with(fx: &[Effect]) -> Vec<(EventKind, Category, Option<String>)> {
    fx.iter()
        .filter_map(|f| match f {
            Effect::Send {
                event,
                category,
                user_hash,
            } => Some((event.kind, *category, user_hash.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn the_category_travels_with_each_event_issue_10() {
    let marketing = compiled(serde_json::json!({
        "id": "m", "name": "m", "goal": "announcement", "category": "marketing",
        "trigger": { "on": "page_load", "url": "/app/**" },
        "format": { "kind": "banner", "position": "top" },
        "content": { "en": { "title": "Hello", "body": "", "ctas": [] } }
    }));
    assert_eq!(marketing.category, CampaignCategory::Marketing);
    let mut s = WidgetState::default();
    goto(&mut s, "/app/invoices");
    let fx = s.reduce(Action::CampaignsLoaded(vec![marketing]), T);
    assert_eq!(
        sent_with(&fx),
        [(EventKind::Impression, Category::Marketing, None)],
        "a campaign event takes its campaign's category"
    );
    for category in [Category::Marketing, Category::Service] {
        let fx = s.reduce(
            Action::Track {
                name: "x".into(),
                props: Traits::new(),
                category,
            },
            T,
        );
        assert_eq!(sent_with(&fx), [(EventKind::Track, category, None)]);
    }
    let fx = goto(&mut s, "/app/other");
    assert_eq!(
        sent_with(&fx)[0],
        (EventKind::Page, Category::Service, None)
    );
}

#[test]
fn the_signature_rides_with_the_signed_users_events_only_issue_10() {
    let mut s = loaded(vec![campaign("a", 1, "/app/**")]);
    let fx = s.reduce(
        Action::Identify {
            user_id: "u1".into(),
            user_hash: Some("sig".into()),
            traits: Traits::new(),
            account: None,
        },
        T,
    );
    assert_eq!(
        sent_with(&fx),
        [(EventKind::Identify, Category::Service, Some("sig".into()))]
    );
    s.reduce(Action::Reset, T);
    let fx = goto(&mut s, "/app/x");
    assert!(
        sent_with(&fx).iter().all(|(_, _, hash)| hash.is_none()),
        "after reset no event is signed: {fx:?}"
    );
}

#[test]
fn after_reset_the_browser_has_a_new_anonymous_id_to_be_bucketed_by_issue_11() {
    let mut s = loaded(vec![campaign("a", 1, "/app/**")]);
    s.reduce(Action::Reset, T);
    let id = s.user.anonymous_id.clone().expect("an anonymous id");
    assert!(id.starts_with("anon-") && id != "anon-1", "{id}");
    let fx = goto(&mut s, "/app/x");
    let events: Vec<&Event> = fx
        .iter()
        .filter_map(|f| match f {
            Effect::Send { event, .. } => Some(event),
            _ => None,
        })
        .collect();
    assert!(!events.is_empty());
    assert!(events
        .iter()
        .all(|e| e.anonymous_id.as_deref() == Some(id.as_str())));
}

#[test]
fn event_ids_within_one_action_are_distinct() {
    let mut s = WidgetState::default();
    s.reduce(
        Action::Restored {
            anonymous_id: "anon-1".into(),
            session_id: "s-1".into(),
            journal: Vec::new(),
        },
        T,
    );
    s.reduce(
        Action::CampaignsLoaded(vec![campaign("a", 1, "/app/**")]),
        T,
    );
    // The page view and the impression of `a`, from one action.
    let fx = goto(&mut s, "/app/other");
    let ids: std::collections::BTreeSet<String> = fx
        .iter()
        .filter_map(|f| {
            if let Effect::Send { event: e, .. } = f {
                Some(e.id.to_string())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(ids.len(), sent(&fx).len(), "{fx:?}");
    assert!(ids.len() >= 2, "{fx:?}");
}

#[test]
fn a_cta_is_reported_not_counted_as_a_conversion_issue_11() {
    let mut s = loaded(vec![campaign("a", 1, "/app/**")]);
    let fx = s.reduce(
        Action::Cta {
            campaign_id: "a".into(),
            cta_id: "go".into(),
        },
        T,
    );
    // Conversions are attributed by the server from the campaign's goal event.
    assert_eq!(sent(&fx), vec![(EventKind::Cta, Some("a".into()))]);
    assert!(fx.contains(&Effect::Open("/go".into())));
    assert!(s.banner().is_none());
    // A new page load in the same session does not bring it back.
    goto(&mut s, "/app/other");
    assert!(s.banner().is_none());
}

#[test]
fn cta_url_tokens_are_filled_as_url_components_issue_9() {
    let c = compiled(serde_json::json!({
        "id": "t", "name": "t", "goal": "announcement",
        "trigger": { "on": "page_load", "url": "/app/**" },
        "format": { "kind": "banner", "position": "top" },
        "content": { "en": { "title": "Hi", "body": "", "ctas": [
            { "id": "go", "label": "Go", "action": "open_url",
              "url": "/app/{{user.website}}?plan={{account.plan | free}}" }
        ] } }
    }));
    let mut s = loaded(vec![c]);
    let mut traits = Traits::new();
    traits.insert("website".into(), "a b/../x".into());
    s.reduce(
        Action::Identify {
            user_id: "u1".into(),
            user_hash: None,
            traits,
            account: None,
        },
        T,
    );
    let fx = s.reduce(
        Action::Cta {
            campaign_id: "t".into(),
            cta_id: "go".into(),
        },
        T,
    );
    assert!(
        fx.contains(&Effect::Open("/app/a%20b%2F..%2Fx?plan=free".into())),
        "{fx:?}"
    );
}

#[test]
fn a_dismissal_in_the_journal_keeps_the_banner_away_after_reload() {
    let mut s = loaded(vec![campaign("a", 1, "/app/**")]);
    let fx = s.reduce(
        Action::Dismiss {
            campaign_id: "a".into(),
        },
        T,
    );
    let journal = fx
        .iter()
        .rev()
        .find_map(|f| {
            if let Effect::SaveJournal(j) = f {
                Some(j.to_vec())
            } else {
                None
            }
        })
        .expect("journal saved");
    let mut reloaded = WidgetState::default();
    reloaded.reduce(
        Action::Restored {
            anonymous_id: "anon-1".into(),
            session_id: "s-1".into(),
            journal,
        },
        T,
    );
    goto(&mut reloaded, "/app/invoices");
    reloaded.reduce(
        Action::CampaignsLoaded(vec![campaign("a", 1, "/app/**")]),
        T,
    );
    assert!(reloaded.banner().is_none());
}

#[test]
fn a_dismissal_on_another_device_keeps_the_banner_away() {
    let mut s = loaded(vec![campaign("a", 1, "/app/**")]);
    let fx = s.reduce(
        Action::Identify {
            user_id: "u1".into(),
            user_hash: Some("abc".into()),
            traits: Traits::new(),
            account: Some(("acme".into(), Traits::new())),
        },
        T,
    );
    assert!(fx.contains(&Effect::FetchHistory {
        user_id: "u1".into(),
        user_hash: Some("abc".into()),
        account_id: Some("acme".into()),
    }));
    let mut dismissed = Event::new(
        Uuid::v7(1, [1; 10]),
        EventKind::Dismiss,
        Timestamp(T.now.0 - 1000),
    );
    dismissed.user_id = Some("u1".into());
    dismissed.campaign_id = Some("a".into());
    let mut fresh = WidgetState::default();
    fresh.reduce(
        Action::Restored {
            anonymous_id: "anon-2".into(),
            session_id: "s-1".into(),
            journal: Vec::new(),
        },
        T,
    );
    fresh.reduce(
        Action::Identify {
            user_id: "u1".into(),
            user_hash: None,
            traits: Traits::new(),
            account: None,
        },
        T,
    );
    fresh.reduce(Action::RemoteHistory(Some(vec![dismissed])), T);
    goto(&mut fresh, "/app/invoices");
    fresh.reduce(
        Action::CampaignsLoaded(vec![campaign("a", 1, "/app/**")]),
        T,
    );
    assert!(fresh.banner().is_none());
}

/// Issue 11: `stop_after_conversion` reads the conversions the server attributed from the
/// goal event (on any device, or from the vendor's backend) and sent in the history.
#[test]
fn a_conversion_in_the_servers_history_stops_the_campaign_issue_11() {
    let history = |kind: EventKind| {
        let mut e = Event::new(Uuid::v7(1, [2; 10]), kind, Timestamp(T.now.0 - 1000));
        e.user_id = Some("u1".into());
        e.campaign_id = Some("a".into());
        vec![e]
    };
    let shown_after = |remote: Vec<Event>| {
        let mut s = WidgetState::default();
        s.reduce(
            Action::Restored {
                anonymous_id: "anon-2".into(),
                session_id: "s-1".into(),
                journal: Vec::new(),
            },
            T,
        );
        s.reduce(
            Action::Identify {
                user_id: "u1".into(),
                user_hash: None,
                traits: Traits::new(),
                account: None,
            },
            T,
        );
        s.reduce(Action::RemoteHistory(Some(remote)), T);
        goto(&mut s, "/app/invoices");
        s.reduce(
            Action::CampaignsLoaded(vec![campaign("a", 1, "/app/**")]),
            T,
        );
        s.banner().is_some()
    };
    assert!(
        shown_after(history(EventKind::Cta)),
        "a CTA is not a conversion"
    );
    assert!(!shown_after(history(EventKind::Conversion)));
}

#[test]
fn page_outside_the_trigger_url_takes_the_banner_away_and_hide_wins() {
    let mut s = loaded(vec![campaign("a", 1, "/app/invoices")]);
    assert!(s.banner().is_some());
    goto(&mut s, "/app/settings");
    assert!(s.banner().is_none());
    goto(&mut s, "/app/invoices");
    assert!(
        s.banner().is_none(),
        "a nudge that left the screen is not shown again this session"
    );
    let mut fresh = loaded(vec![campaign("a", 1, "/app/invoices")]);
    fresh.reduce(Action::Hide, T);
    assert!(fresh.banner().is_none());
    goto(&mut fresh, "/app/invoices");
    assert!(fresh.banner().is_none(), "hidden until show()");
}

fn with_format(id: &str, trigger: serde_json::Value, format: serde_json::Value) -> Campaign {
    compiled(serde_json::json!({
        "id": id, "name": id, "goal": "feedback",
        "trigger": trigger, "format": format,
        "frequency": { "snooze_days": 3, "stop_after_conversion": true, "caps": [] },
        "content": { "en": { "title": "Hi", "body": "", "ctas": [
            { "id": "later", "label": "Later", "action": "snooze" }
        ] } }
    }))
}

fn page_load() -> serde_json::Value {
    serde_json::json!({ "on": "page_load", "url": "/app/**" })
}

fn props_of(fx: &[Effect], kind: EventKind) -> Option<Traits> {
    fx.iter().find_map(|f| match f {
        Effect::Send { event: e, .. } if e.kind == kind => Some(e.props.clone()),
        _ => None,
    })
}

#[test]
fn an_expired_toast_is_dismissed_with_auto() {
    let mut s = loaded(vec![with_format(
        "t",
        page_load(),
        serde_json::json!({ "kind": "toast" }),
    )]);
    assert!(s.in_slot(Slot::Toast).is_some());
    let fx = s.reduce(
        Action::Expire {
            campaign_id: "t".into(),
        },
        T,
    );
    let props = props_of(&fx, EventKind::Dismiss).expect("dismiss event");
    assert_eq!(props["auto"], serde_json::json!(true));
    assert!(s.in_slot(Slot::Toast).is_none());
}

#[test]
fn snooze_reports_until_from_the_campaign_snooze_length() {
    let mut s = loaded(vec![with_format(
        "m",
        page_load(),
        serde_json::json!({ "kind": "modal" }),
    )]);
    assert!(s.in_slot(Slot::Overlay).is_some());
    let fx = s.reduce(
        Action::Cta {
            campaign_id: "m".into(),
            cta_id: "later".into(),
        },
        T,
    );
    let props = props_of(&fx, EventKind::Snooze).expect("snooze event");
    assert_eq!(props["until"], serde_json::json!(T.now.0 + 3 * 86_400_000));
    assert!(s.in_slot(Slot::Overlay).is_none());
}

#[test]
fn a_survey_answer_is_reported_once_and_its_thank_you_closes_without_a_dismissal() {
    let nps = serde_json::json!({ "kind": "survey", "survey": "nps", "question": "Recommend us?" });
    let mut s = loaded(vec![with_format("nps", page_load(), nps)]);
    let mut props = Traits::new();
    props.insert("score".into(), 9.into());
    let fx = s.reduce(
        Action::Answer {
            campaign_id: "nps".into(),
            props: props.clone(),
        },
        T,
    );
    assert_eq!(
        props_of(&fx, EventKind::SurveyResponse),
        Some(props.clone())
    );
    assert!(s.answered.contains("nps"), "thank-you stays on screen");
    let again = s.reduce(
        Action::Answer {
            campaign_id: "nps".into(),
            props,
        },
        T,
    );
    assert!(sent(&again).is_empty(), "a second submit sends nothing");
    let fx = s.reduce(
        Action::Dismiss {
            campaign_id: "nps".into(),
        },
        T,
    );
    assert!(
        sent(&fx).is_empty(),
        "closing the thank-you is not a dismissal"
    );
    assert!(s.in_slot(Slot::Overlay).is_none());
}

#[test]
fn armed_nudges_wait_for_their_trigger_and_count_the_view_when_they_fire() {
    let delayed = with_format(
        "later",
        serde_json::json!({ "on": "delay", "url": "/app/**", "seconds": 2 }),
        serde_json::json!({ "kind": "slideout" }),
    );
    let mut s = WidgetState::default();
    goto(&mut s, "/app/x");
    let fx = s.reduce(Action::CampaignsLoaded(vec![delayed]), T);
    assert!(fx.iter().any(|f| matches!(f, Effect::Arm { campaign_id, cue: Cue::Delay { seconds: 2 } } if campaign_id == "later")));
    assert!(sent(&fx).is_empty(), "no impression before it fires");
    assert!(s.on_screen.is_empty());
    let fx = s.reduce(
        Action::Fire {
            campaign_id: "later".into(),
        },
        T,
    );
    assert_eq!(
        sent(&fx),
        vec![(EventKind::Impression, Some("later".into()))]
    );
    assert!(s.in_slot(Slot::Overlay).is_some());
    let fx = s.reduce(
        Action::Fire {
            campaign_id: "later".into(),
        },
        T,
    );
    assert!(sent(&fx).is_empty(), "a second fire does nothing");
}

#[test]
fn a_route_change_disarms_what_an_earlier_page_armed() {
    let visible = with_format(
        "tip",
        serde_json::json!({ "on": "element_visible", "url": "/app/a", "selector": "#x" }),
        serde_json::json!({ "kind": "tooltip", "anchor": "#x" }),
    );
    let mut s = WidgetState::default();
    goto(&mut s, "/app/a");
    s.reduce(Action::CampaignsLoaded(vec![visible]), T);
    assert_eq!(s.armed.len(), 1);
    let fx = s.reduce(
        Action::Page(Page {
            path: "/app/b".into(),
            ..Page::default()
        }),
        T,
    );
    assert!(fx.contains(&Effect::Disarm));
    assert!(s.armed.is_empty());
    s.reduce(
        Action::Fire {
            campaign_id: "tip".into(),
        },
        T,
    );
    assert!(s.on_screen.is_empty(), "a stale fire shows nothing");
}

#[test]
fn tour_steps_are_reported_and_persisted_and_done_dismisses_as_completed() {
    let tour = serde_json::json!({ "kind": "tour", "steps": [
        { "anchor": "#a", "title": "One", "body": "" },
        { "anchor": "#b", "title": "Two", "body": "" }
    ] });
    let mut s = loaded(vec![with_format("tour", page_load(), tour)]);
    let fx = s.reduce(
        Action::TourStep {
            campaign_id: "tour".into(),
            step: 1,
        },
        T,
    );
    let saved = fx.iter().find_map(|f| match f {
        Effect::SaveProgress(p) => Some(p.clone()),
        _ => None,
    });
    assert_eq!(
        saved.map(|p| p.tour_steps),
        Some(vec![("tour".to_owned(), 1)])
    );
    assert_eq!(sent(&fx), [(EventKind::Cta, Some("tour".into()))]);
    assert_eq!(
        props_of(&fx, EventKind::Cta),
        Some(serde_json::from_value(serde_json::json!({"step": 1, "action": "next"})).unwrap())
    );
    assert!(
        !fx.iter().any(|f| matches!(f, Effect::SaveJournal(_))),
        "a step is not kept in the journal, so history never counts it"
    );
    assert_eq!(s.tour_step("tour"), 1);
    let fx = s.reduce(
        Action::TourStep {
            campaign_id: "tour".into(),
            step: 0,
        },
        T,
    );
    assert_eq!(
        props_of(&fx, EventKind::Cta),
        Some(serde_json::from_value(serde_json::json!({"step": 0, "action": "back"})).unwrap())
    );
    s.reduce(
        Action::TourStep {
            campaign_id: "tour".into(),
            step: 1,
        },
        T,
    );
    let fx = s.reduce(
        Action::TourDone {
            campaign_id: "tour".into(),
        },
        T,
    );
    assert_eq!(
        props_of(&fx, EventKind::Dismiss).map(|p| p["completed"].clone()),
        Some(serde_json::json!(true))
    );
    assert_eq!(s.tour_step("tour"), 0);
}

fn seen(s: &mut WidgetState, id: &str) -> Vec<Effect> {
    s.reduce(
        Action::Seen {
            campaign_id: id.into(),
        },
        T,
    )
}

#[test]
fn a_feed_item_in_a_closed_launcher_is_no_impression_until_the_launcher_shows_it_issue_11() {
    let mut s = WidgetState::default();
    goto(&mut s, "/app/invoices");
    let fx = s.reduce(
        Action::CampaignsLoaded(vec![
            with_format("f1", page_load(), serde_json::json!({ "kind": "feed" })),
            with_format("f2", page_load(), serde_json::json!({ "kind": "feed" })),
        ]),
        T,
    );
    assert_eq!(s.feed().count(), 2, "both are in the launcher");
    assert!(sent(&fx).is_empty(), "in a closed launcher: no impression");
    assert_eq!(s.unread(), 2);
    assert_eq!(
        sent(&goto(&mut s, "/app/other")),
        [(EventKind::Page, None)],
        "a page load keeps them waiting"
    );
    // The launcher opens with f1 in view (f2 below the panel's scroll).
    let fx = seen(&mut s, "f1");
    assert_eq!(sent(&fx), [(EventKind::Impression, Some("f1".into()))]);
    assert!(fx
        .iter()
        .any(|f| matches!(f, Effect::SaveProgress(p) if p.feed_seen == ["f1"])));
    assert_eq!(s.unread(), 1, "seen is read");
    assert!(sent(&seen(&mut s, "f1")).is_empty(), "once per showing");
    assert_eq!(
        sent(&seen(&mut s, "f2")),
        [(EventKind::Impression, Some("f2".into()))]
    );
    assert!(
        sent(&goto(&mut s, "/app/third"))
            .iter()
            .all(|(kind, _)| *kind == EventKind::Page),
        "still on screen after a page load: no second impression"
    );
}

#[test]
fn a_tooltip_or_tour_counts_only_once_the_view_shows_it_issue_11() {
    let tour = serde_json::json!({ "kind": "tour", "steps": [
        { "anchor": "#a", "title": "One", "body": "" }
    ] });
    let tip = serde_json::json!({ "kind": "tooltip", "anchor": "#nope" });
    let mut s = WidgetState::default();
    goto(&mut s, "/app/invoices");
    let fx = s.reduce(
        Action::CampaignsLoaded(vec![
            with_format("tour", page_load(), tour),
            with_format("tip", page_load(), tip),
        ]),
        T,
    );
    assert_eq!(s.on_screen.len(), 2);
    assert!(sent(&fx).is_empty(), "placed, not yet seen");
    assert_eq!(
        sent(&seen(&mut s, "tour")),
        [(EventKind::Impression, Some("tour".into()))]
    );
    // The tooltip's element never appears: it leaves without ever having been seen.
    s.reduce(
        Action::TargetMissing {
            campaign_id: "tip".into(),
            selector: "#nope".into(),
        },
        T,
    );
    assert!(sent(&seen(&mut s, "tip")).is_empty(), "not on screen");
    assert!(
        !s.journal
            .iter()
            .any(|e| e.campaign_id.as_deref() == Some("tip")),
        "no view of the tooltip spent"
    );
}

#[test]
fn a_banner_or_checklist_is_seen_as_it_is_placed() {
    // Banners, modals, slideouts, surveys, toasts and checklists (which open expanded)
    // render at once where nothing covers them: their impression comes with the placement,
    // and a `Seen` adds none.
    let checklist = serde_json::json!({ "kind": "checklist", "items": [
        { "id": "a", "label": "A", "done_event": "a_done" }
    ] });
    let mut s = WidgetState::default();
    goto(&mut s, "/app/invoices");
    let fx = s.reduce(
        Action::CampaignsLoaded(vec![
            campaign("b", 1, "/app/**"),
            with_format("plan", page_load(), checklist),
        ]),
        T,
    );
    let mut shown = sent(&fx);
    shown.sort();
    assert_eq!(
        shown,
        [
            (EventKind::Impression, Some("b".into())),
            (EventKind::Impression, Some("plan".into()))
        ]
    );
    assert!(s.unseen.0.is_empty());
    assert!(sent(&seen(&mut s, "b")).is_empty());
}

#[test]
fn a_missing_target_takes_the_nudge_away_and_notifies() {
    let tip = with_format(
        "tip",
        page_load(),
        serde_json::json!({ "kind": "tooltip", "anchor": "#nope" }),
    );
    let mut s = loaded(vec![tip]);
    assert!(s.in_slot(Slot::Anchored).is_some());
    let fx = s.reduce(
        Action::TargetMissing {
            campaign_id: "tip".into(),
            selector: "#nope".into(),
        },
        T,
    );
    assert!(matches!(
        &fx[..],
        [Effect::Notify {
            name: "target_missing",
            ..
        }]
    ));
    assert!(s.in_slot(Slot::Anchored).is_none());
}

#[test]
fn the_page_language_chooses_the_locale_unless_identify_says_otherwise() {
    let mut s = WidgetState::default();
    assert_eq!(s.ui_locale(), "en");
    s.reduce(Action::PageLang("de-DE".into()), T);
    assert_eq!(s.ui_locale(), "de-DE");
    let mut traits = Traits::new();
    traits.insert("locale".into(), "ar".into());
    s.reduce(
        Action::Identify {
            user_id: "u".into(),
            user_hash: None,
            traits,
            account: None,
        },
        T,
    );
    assert_eq!(s.ui_locale(), "ar");
}

#[test]
fn a_tracked_event_ticks_the_checklist_item_it_completes() {
    let checklist = serde_json::json!({ "kind": "checklist", "items": [
        { "id": "a", "label": "A", "done_event": "a_done" },
        { "id": "b", "label": "B", "done_event": "b_done" }
    ] });
    let mut s = loaded(vec![with_format("plan", page_load(), checklist)]);
    assert!(s
        .in_slot(Slot::Checklist)
        .is_some_and(|n| n.completed_items.is_empty()));
    s.reduce(
        Action::Track {
            name: "b_done".into(),
            props: Traits::new(),
            category: Category::Service,
        },
        T,
    );
    assert_eq!(
        s.in_slot(Slot::Checklist)
            .map(|n| n.completed_items.clone()),
        Some(vec!["b".to_owned()])
    );
}

#[test]
fn a_modal_on_screen_survives_a_re_decision_under_the_session_overlay_limit() {
    let mut s = loaded(vec![with_format(
        "m",
        page_load(),
        serde_json::json!({ "kind": "modal" }),
    )]);
    assert!(s.in_slot(Slot::Overlay).is_some());
    // The server's history arrives later and re-decides as a page load.
    s.reduce(Action::RemoteHistory(Some(Vec::new())), T);
    assert!(s.in_slot(Slot::Overlay).is_some(), "still on screen");
    goto(&mut s, "/app/other");
    assert!(
        s.in_slot(Slot::Overlay).is_some(),
        "and on the next route of the same app"
    );
}

// Issue 11: exposure and holdout.

/// The impressions among `fx`: (campaign, holdout flag).
fn impressions(fx: &[Effect]) -> Vec<(String, bool)> {
    fx.iter()
        .filter_map(|f| match f {
            Effect::Send { event: e, .. } if e.kind == EventKind::Impression => {
                Some((e.campaign_id.clone().unwrap_or_default(), e.holdout))
            }
            _ => None,
        })
        .collect()
}

/// `c` with everyone in its holdout, and `max_views` if given.
fn held_out(c: Campaign, max_views: Option<u32>) -> Campaign {
    use touchpoint_core::campaign::compiled::{decode, Catalog};
    let catalog = serde_json::to_value(Catalog::new(std::slice::from_ref(&c)));
    let mut json = catalog.expect("a catalog serialises")["campaigns"][0].take();
    json["holdout_bp"] = serde_json::json!(10_000);
    if let Some(max) = max_views {
        json["frequency"]["max_views"] = max.into();
    }
    decode(&json).expect("valid campaign")
}

fn all_held_out(c: Campaign) -> Campaign {
    held_out(c, None)
}

#[test]
fn a_holdout_nudge_with_a_delay_logs_no_exposure_before_it_fires_and_one_when_it_does() {
    let delayed = all_held_out(with_format(
        "later",
        serde_json::json!({ "on": "delay", "url": "/app/**", "seconds": 20 }),
        serde_json::json!({ "kind": "slideout" }),
    ));
    let mut s = loaded(Vec::new());
    let fx = s.reduce(Action::CampaignsLoaded(vec![delayed]), T);
    assert!(fx.iter().any(|f| matches!(f, Effect::Arm { campaign_id, cue: Cue::Delay { seconds: 20 } } if campaign_id == "later")));
    assert!(
        impressions(&fx).is_empty(),
        "a visitor who leaves before the delay is not in the holdout"
    );
    let fx = s.reduce(
        Action::Track {
            name: "clicked".into(),
            props: Traits::new(),
            category: Category::Service,
        },
        T,
    );
    assert!(impressions(&fx).is_empty(), "still waiting");
    let fx = s.reduce(
        Action::Fire {
            campaign_id: "later".into(),
        },
        T,
    );
    assert_eq!(impressions(&fx), [("later".to_owned(), true)]);
    assert_eq!(s.session.modals_shown, 1, "it spends the session's overlay");
    assert!(s.in_slot(Slot::Overlay).is_none(), "nothing renders");
}

#[test]
fn a_holdout_placeholder_holds_its_slot_and_renders_nothing() {
    let mut s = loaded(vec![
        all_held_out(campaign("top", 9, "/app/**")),
        campaign("under", 1, "/app/**"),
    ]);
    assert!(s.banner().is_none(), "nothing renders in the banner slot");
    let held: Vec<(&str, Arm)> = s
        .on_screen
        .iter()
        .map(|n| (n.campaign_id.as_str(), n.arm))
        .collect();
    assert_eq!(
        held,
        [("top", Arm::Holdout)],
        "the lower banner does not take its place"
    );
    let fx = s.reduce(
        Action::Track {
            name: "clicked".into(),
            props: Traits::new(),
            category: Category::Service,
        },
        T,
    );
    assert!(
        impressions(&fx).is_empty(),
        "one exposure per would-be view"
    );
    assert!(s.banner().is_none());
}

#[test]
fn a_holdout_campaign_with_max_views_1_logs_one_exposure_over_many_sessions() {
    let once = |id: &str| held_out(campaign(id, 1, "/app/**"), Some(1));
    let mut journal = Vec::new();
    let mut exposures = Vec::new();
    for session in 0..10 {
        let mut s = WidgetState::default();
        s.reduce(
            Action::Restored {
                anonymous_id: "anon-1".into(),
                session_id: format!("s-{session}"),
                journal: journal.clone(),
            },
            T,
        );
        let mut fx = goto(&mut s, "/app/invoices");
        fx.extend(s.reduce(Action::CampaignsLoaded(vec![once("a")]), T));
        fx.extend(goto(&mut s, "/app/other"));
        exposures.extend(impressions(&fx));
        journal = s.journal.to_vec();
    }
    assert_eq!(exposures, [("a".to_owned(), true)]);
}

fn marketing_banner(id: &str) -> Campaign {
    compiled(serde_json::json!({
        "id": id, "name": id, "goal": "expansion", "category": "marketing", "priority": 9,
        "trigger": { "on": "page_load", "url": "/app/**" },
        "format": { "kind": "banner", "position": "top" },
        "content": { "en": { "title": "Upgrade", "body": "", "ctas": [] } }
    }))
}

fn track(s: &mut WidgetState, name: &str, category: Category) -> Vec<Effect> {
    s.reduce(
        Action::Track {
            name: name.into(),
            props: Traits::new(),
            category,
        },
        T,
    )
}

#[test]
fn essential_consent_shows_no_marketing_campaign_and_takes_one_on_screen_away_issue_11() {
    let toast = with_format("tip", page_load(), serde_json::json!({ "kind": "toast" }));
    let mut s = loaded(vec![marketing_banner("upsell"), toast]);
    assert!(s.banner().is_some() && s.in_slot(Slot::Toast).is_some());
    let fx = s.reduce(Action::Consent(Consent::Essential), T);
    assert!(
        s.banner().is_none(),
        "the marketing banner leaves the screen"
    );
    assert_eq!(
        s.in_slot(Slot::Toast).map(|n| n.campaign_id.as_str()),
        Some("tip"),
        "the service toast stays"
    );
    assert!(sent(&fx).is_empty(), "no second impression of the toast");
    assert!(goto(&mut s, "/app/next")
        .iter()
        .all(|f| !matches!(f, Effect::Send { event, .. } if event.campaign_id.is_some())));
    assert!(s.banner().is_none(), "nor does a page load bring it back");
    assert!(
        track(&mut s, "pricing_viewed", Category::Marketing).is_empty(),
        "a marketing track is not made at all: not journaled, not sent"
    );
    assert_eq!(
        sent(&track(&mut s, "invoice_sent", Category::Service)),
        [(EventKind::Track, None)]
    );

    // The remembered consent arrives before the catalog: the banner is never shown.
    let mut s = WidgetState::default();
    s.reduce(Action::Consent(Consent::Essential), T);
    goto(&mut s, "/app/invoices");
    let fx = s.reduce(Action::CampaignsLoaded(vec![marketing_banner("upsell")]), T);
    assert!(s.on_screen.is_empty());
    assert!(sent(&fx).is_empty());
    // Consent back to `all`: decided afresh, shown.
    let fx = s.reduce(Action::Consent(Consent::All), T);
    assert!(s.banner().is_some());
    assert_eq!(sent(&fx), [(EventKind::Impression, Some("upsell".into()))]);
}

#[test]
fn no_consent_shows_nothing_and_records_nothing_issue_11() {
    let mut s = loaded(vec![campaign("b", 1, "/app/**"), marketing_banner("m")]);
    s.reduce(
        Action::Identify {
            user_id: "u1".into(),
            user_hash: None,
            traits: Traits::new(),
            account: None,
        },
        T,
    );
    assert!(s.banner().is_some());
    let journal = s.journal.clone();
    let fx = s.reduce(Action::Consent(Consent::None), T);
    assert!(s.on_screen.is_empty(), "nothing on screen");
    assert!(fx.is_empty(), "and nothing recorded: {fx:?}");
    let mut fx = goto(&mut s, "/app/next");
    fx.extend(track(&mut s, "invoice_sent", Category::Service));
    fx.extend(s.reduce(
        Action::Identify {
            user_id: "u1".into(),
            user_hash: None,
            traits: Traits::new(),
            account: None,
        },
        T,
    ));
    fx.extend(s.reduce(Action::Show("b".into()), T));
    assert!(
        fx.is_empty(),
        "no event, no journal write, no history request: {fx:?}"
    );
    assert!(s.on_screen.is_empty() && s.armed.is_empty());
    assert_eq!(s.journal, journal, "the journal is left as it was");
    // Consent given again: the history is fetched and the banner comes back.
    let fx = s.reduce(Action::Consent(Consent::All), T);
    assert!(fx
        .iter()
        .any(|f| matches!(f, Effect::FetchHistory { user_id, .. } if user_id == "u1")));
    assert!(s.banner().is_none(), "decided once the history is in");
    s.reduce(Action::RemoteHistory(None), T);
    assert_eq!(
        s.banner().map(|n| n.campaign_id.as_str()),
        Some("b"),
        "a banner again (not the marketing one: it was shown this session)"
    );
}

/// Issue 11: a held-out tooltip, hotspot or tour is exposed when it would have been seen —
/// its element found, its first step displayed — not when it is placed, and not at all when
/// its element never appears; until then the view renders its stand-in, which shows nothing.
#[test]
fn a_held_out_tooltip_or_tour_is_exposed_when_it_would_have_been_seen_issue_11() {
    let tour = serde_json::json!({ "kind": "tour", "steps": [
        { "anchor": "#a", "title": "One", "body": "" }
    ] });
    let tip = serde_json::json!({ "kind": "tooltip", "anchor": "#nope" });
    let mut s = loaded(Vec::new());
    let fx = s.reduce(
        Action::CampaignsLoaded(vec![
            all_held_out(with_format("tour", page_load(), tour)),
            all_held_out(with_format("tip", page_load(), tip)),
        ]),
        T,
    );
    assert!(impressions(&fx).is_empty(), "placed, not yet seen");
    // The view gets both, to render as stand-ins (they show nothing for the holdout arm).
    let arm = |s: &WidgetState, slot| s.in_slot(slot).map(|n| (n.campaign_id.clone(), n.arm));
    assert_eq!(arm(&s, Slot::Anchored), Some(("tip".into(), Arm::Holdout)));
    assert_eq!(arm(&s, Slot::Overlay), Some(("tour".into(), Arm::Holdout)));
    assert_eq!(
        impressions(&seen(&mut s, "tour")),
        [("tour".to_owned(), true)]
    );
    assert_eq!(
        arm(&s, Slot::Overlay),
        None,
        "a seen stand-in is no longer needed"
    );
    s.reduce(
        Action::TargetMissing {
            campaign_id: "tip".into(),
            selector: "#nope".into(),
        },
        T,
    );
    assert!(
        !s.journal
            .iter()
            .any(|e| e.campaign_id.as_deref() == Some("tip")),
        "its element never appeared: no would-be view"
    );
}

/// A held-out feed item still counts as placed: a holdout member may have no launcher.
#[test]
fn a_held_out_feed_item_counts_as_it_is_placed() {
    let mut s = loaded(Vec::new());
    let fx = s.reduce(
        Action::CampaignsLoaded(vec![all_held_out(with_format(
            "f1",
            page_load(),
            serde_json::json!({ "kind": "feed" }),
        ))]),
        T,
    );
    assert_eq!(impressions(&fx), [("f1".to_owned(), true)]);
    assert_eq!(s.feed().count(), 0, "and never renders");
}

/// Issue 11: an identified user's first decision waits for their history from the
/// collector, so a conversion or dismissal recorded elsewhere holds from the first nudge;
/// a history that cannot be loaded releases the wait.
#[test]
fn the_first_decision_waits_for_the_users_history_issue_11() {
    for arrives in [Some(Vec::new()), None] {
        let mut s2 = WidgetState::default();
        s2.reduce(
            Action::Restored {
                anonymous_id: "anon-3".into(),
                session_id: "s-1".into(),
                journal: Vec::new(),
            },
            T,
        );
        s2.reduce(
            Action::Identify {
                user_id: "u1".into(),
                user_hash: None,
                traits: Traits::new(),
                account: None,
            },
            T,
        );
        goto(&mut s2, "/app/invoices");
        let fx = s2.reduce(
            Action::CampaignsLoaded(vec![campaign("a", 1, "/app/**")]),
            T,
        );
        assert!(
            impressions(&fx).is_empty() && s2.banner().is_none(),
            "waiting"
        );
        let fx = s2.reduce(Action::RemoteHistory(arrives), T);
        assert_eq!(impressions(&fx), [("a".to_owned(), false)]);
    }
}
