//! Issue 11: the widget decides under the catalog's policy (its time zone, limits, windows)
//! and reads the account's explicit stage from `identify`, as the server's previews would.
use super::*;
use touchpoint_core::context::Traits;
use touchpoint_core::zone::Zone;
use touchpoint_core::Timestamp;

/// 2026-11-23T00:00:00Z: still 22 November in New York.
const T: Tick = Tick {
    now: Timestamp(1_795_392_000_000),
    entropy: [7; 10],
};

fn banner(id: &str, audience: serde_json::Value) -> Campaign {
    touchpoint_core::campaign::compiled::decode(&serde_json::json!({
        "id": id, "name": id, "goal": "renewal", "category": "service", "priority": 0,
        "holdout_bp": 0, "audience": audience, "default_locale": "en",
        "trigger": { "on": "page_load", "url": "/app/**" },
        "format": { "kind": "banner", "position": "top" },
        "content": { "en": { "title": "Renews tomorrow", "body": "", "ctas": [] } },
        "variants": [{ "id": "control", "weight": 100, "content": {} }], "schedule": {},
        "frequency": { "snooze_days": 7, "stop_after_conversion": true, "caps": [] },
        "leads": []
    }))
    .expect("valid campaign")
}

/// A widget that identified a user of `account` and loaded `campaigns` under `policy`.
fn widget(
    policy: Option<Policy>,
    account: serde_json::Value,
    campaigns: Vec<Campaign>,
) -> WidgetState {
    let mut s = WidgetState::default();
    let traits: Traits = account.as_object().cloned().expect("an object");
    s.reduce(
        Action::Identify {
            user_id: "u1".into(),
            user_hash: None,
            traits: Traits::new(),
            account: Some(("acme".into(), traits)),
        },
        T,
    );
    // The collector has no history for them.
    s.reduce(Action::RemoteHistory(Some(Vec::new())), T);
    s.reduce(
        Action::Page(Page {
            path: "/app/home".into(),
            ..Page::default()
        }),
        T,
    );
    if let Some(policy) = policy {
        s.reduce(Action::PolicyLoaded(Rc::new(policy)), T);
    }
    s.reduce(Action::CampaignsLoaded(campaigns), T);
    s
}

fn tomorrow() -> Campaign {
    let condition = serde_json::json!({
        "source": "days_until(account.contract_end) == 1",
        "tree": ["==", ["days_until", ["account", "contract_end"]], 1]
    });
    banner(
        "tomorrow",
        serde_json::json!({"stages": [], "phases": [], "condition": condition}),
    )
}

#[test]
fn the_widget_counts_days_in_the_catalogs_time_zone() {
    let account = serde_json::json!({"contract_end": "2026-11-23"});
    // Under the default policy (UTC) the end is today; in New York it is tomorrow.
    let utc = widget(None, account.clone(), vec![tomorrow()]);
    assert_eq!(utc.banner(), None);
    let new_york = Policy {
        zone: Zone::fixed("-05:00", -5 * 3600),
        ..Policy::default()
    };
    let s = widget(Some(new_york.clone()), account, vec![tomorrow()]);
    assert_eq!(s.banner().map(|n| n.campaign_id.as_str()), Some("tomorrow"));
    // A reset forgets the user, not the catalog's policy.
    let mut s = s;
    s.reduce(Action::Reset, T);
    assert_eq!(*s.policy, new_york);
}

#[test]
fn the_widget_applies_the_catalogs_weekly_limit() {
    let account = serde_json::json!({"contract_end": "2026-11-24"});
    let s = widget(None, account.clone(), vec![tomorrow()]);
    assert_eq!(s.banner().map(|n| n.campaign_id.as_str()), Some("tomorrow"));
    let paused = Policy {
        max_nudges_per_week: 0,
        ..Policy::default()
    };
    let s = widget(Some(paused), account, vec![tomorrow()]);
    assert_eq!(s.banner(), None);
}

#[test]
fn an_explicit_stage_from_identify_places_the_account() {
    let lapsed = banner(
        "win-back",
        serde_json::json!({"stages": ["lapsed"], "phases": []}),
    );
    let s = widget(None, serde_json::json!({"stage": "lapsed"}), vec![lapsed]);
    assert_eq!(s.banner().map(|n| n.campaign_id.as_str()), Some("win-back"));
}
