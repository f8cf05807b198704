//! The compiled catalog, end to end: campaigns authored as files are (validated by
//! `touchpoint-authoring`), written by the model's `Serialize`, read back by the widget's
//! decoder. And issue 10's guard: no catalog bytes, however mangled, abort the widget.
#![cfg(not(target_arch = "wasm32"))] // the authoring crate is native-only
use proptest::prelude::*;
use serde_json::{json, Value};
use touchpoint_authoring::{parse_condition, RawCampaign};
use touchpoint_core::campaign::compiled::{
    decode, decode_catalog, decode_policy, Catalog, DecodeError, Rejected,
};
use touchpoint_core::campaign::*;
use touchpoint_core::context::{Context, Occurrence};
use touchpoint_core::expr::{compiled, Expr, ExprKind, Span};
use touchpoint_core::{decide, History, Policy, Timestamp};

fn authored(v: Value) -> Campaign {
    Campaign::try_from(serde_json::from_value::<RawCampaign>(v).unwrap()).unwrap()
}

fn encode<T: serde::Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap()
}

fn tour() -> Value {
    encode(&authored(json!({
        "id": "tour", "name": "Tour", "goal": "adoption", "holdout": 10,
        "audience": {"stages": ["service"], "condition": "user.role in ['admin']"},
        "trigger": {"on": "page_load", "url": "/app/**"},
        "format": {"kind": "tour", "steps": [
            {"anchor": "#a", "title": "A", "body": "a"},
            {"anchor": "#b", "title": "B", "body": "b"}]},
        "content": {"en": {"title": "T", "ctas": [{"id": "go", "label": "Go", "action": "open_url", "url": "/x"}]}},
        "leads": [{"team": "sales", "cta": "go"}]
    })))
}

fn error(v: &Value) -> String {
    decode(v).unwrap_err().to_string()
}

#[test]
fn the_form_is_pinned() {
    // An independent oracle: the expected JSON is written out here, not produced by the
    // encoder under test.
    assert_eq!(
        tour(),
        json!({
            "id": "tour", "name": "Tour", "goal": "adoption", "category": "service",
            "priority": 0, "holdout_bp": 1000,
            "audience": {"stages": ["service"], "phases": [], "condition": {
                "source": "user.role in ['admin']",
                "tree": ["in", ["user", "role"], ["list", "admin"]]}},
            "trigger": {"on": "page_load", "url": "/app/**"},
            "format": {"kind": "tour", "steps": [
                {"anchor": "#a", "title": "A", "body": "a"},
                {"anchor": "#b", "title": "B", "body": "b"}]},
            "default_locale": "en",
            "content": {"en": {"title": "T", "body": "", "ctas": [
                {"id": "go", "label": "Go", "action": "open_url", "url": "/x"}]}},
            "variants": [{"id": "control", "weight": 100, "content": {}}],
            "schedule": {},
            "frequency": {"snooze_days": 7, "stop_after_conversion": true, "caps": []},
            "leads": [{"team": "sales", "cta": "go"}]
        })
    );
}

#[test]
fn every_tagged_enum_writes_the_names_of_its_table() {
    // The derives name variants by `rename_all`; the decoder and the validator read the
    // `NAMES` tables. One campaign per kind proves the two agree.
    let base = |trigger: Value, format: Value, ctas: Value| {
        json!({"id": "k", "name": "K", "goal": "adoption", "trigger": trigger, "format": format,
               "content": {"en": {"title": "T", "ctas": ctas}}})
    };
    let page = json!({"on": "page_load"});
    for (name, kind) in TriggerKind::NAMES {
        let trigger = match kind {
            TriggerKind::Event => json!({"on": name, "event": "e"}),
            TriggerKind::ElementVisible => json!({"on": name, "selector": "#x"}),
            TriggerKind::Delay => json!({"on": name, "seconds": 2}),
            _ => json!({"on": name}),
        };
        let c = authored(base(trigger, json!({"kind": "toast"}), json!([])));
        assert_eq!(c.trigger.kind(), *kind);
        assert_eq!(encode(&c)["trigger"]["on"], *name);
    }
    for (name, kind) in FormatKind::NAMES {
        let format = match kind {
            FormatKind::Tooltip | FormatKind::Hotspot => json!({"kind": name, "anchor": "#a"}),
            FormatKind::Tour => json!({"kind": name, "steps": [{"anchor": "#a", "title": "A"}]}),
            FormatKind::Checklist => {
                json!({"kind": name, "items": [{"id": "a", "label": "A", "done_event": "a"}]})
            }
            FormatKind::Survey => json!({"kind": name, "survey": "nps", "question": "Q?"}),
            _ => json!({"kind": name}),
        };
        let c = authored(base(page.clone(), format, json!([])));
        assert_eq!(c.format.kind(), *kind);
        assert_eq!(encode(&c)["format"]["kind"], *name);
        assert_eq!(decode(&encode(&c)).unwrap(), c);
    }
    for (name, kind) in SurveyType::NAMES {
        let mut format = json!({"kind": "survey", "survey": name, "question": "Q?"});
        if *kind == SurveyType::SingleChoice {
            format["choices"] = json!(["a", "b"]);
        }
        let c = authored(base(page.clone(), format, json!([])));
        assert_eq!(encode(&c)["format"]["survey"], *name);
        assert_eq!(decode(&encode(&c)).unwrap(), c);
    }
    for (name, kind) in ActionKind::NAMES {
        let mut cta = json!({"id": "c", "label": "C", "action": name});
        match kind {
            ActionKind::OpenUrl | ActionKind::BookMeeting => cta["url"] = json!("/u"),
            ActionKind::Track => cta["event"] = json!("e"),
            _ => {}
        }
        let c = authored(base(page.clone(), json!({"kind": "modal"}), json!([cta])));
        assert_eq!(c.content["en"].ctas[0].action.kind(), *kind);
        assert_eq!(encode(&c)["content"]["en"]["ctas"][0]["action"], *name);
        assert_eq!(decode(&encode(&c)).unwrap(), c);
    }
}

#[test]
fn reads_back_what_it_wrote() {
    let v = tour();
    let c = decode(&v).unwrap();
    assert_eq!(encode(&c), v);
    assert_eq!(c.holdout_bp, 1000);
}

#[test]
fn names_the_field_at_fault() {
    let cases: [(&str, Value, &str); 8] = [
        ("/name", Value::Null, "name: missing"),
        ("/priority", json!("high"), "priority: expected a whole number up to 2147483647"),
        ("/holdout_bp", json!(-1), "holdout_bp: expected a whole number from 0"),
        ("/format/steps/1/anchor", json!(3), "format.steps[1].anchor: expected a string"),
        ("/format/kind", json!("popup"), "format.kind: expected one of banner, modal, slideout, tooltip, hotspot, tour, checklist, survey, toast, feed, found \"popup\""),
        ("/content/en/ctas/0/action", json!("call"), "content.en.ctas[0].action: expected one of open_url, track, dismiss, snooze, book_meeting, found \"call\""),
        ("/audience/condition/tree", json!(["user"]), "audience.condition.tree: malformed `user` node"),
        ("/audience/stages/0", json!("churned"), "audience.stages[0]: expected one of acquisition, service, loyalty, lapsed, found \"churned\""),
    ];
    for (pointer, value, message) in cases {
        let mut v = tour();
        *v.pointer_mut(pointer).unwrap() = value;
        assert_eq!(error(&v), message, "{pointer}");
    }
    assert_eq!(error(&json!([])), "expected an object");
}

#[test]
fn a_campaign_that_breaks_an_invariant_is_refused_by_the_decoder() {
    // Issue 10: `"variants": []` used to decode, and `decide` then indexed `variants[0]`.
    let cases: [(&str, Value, &str); 12] = [
        ("/variants", json!([]), "variants: expected at least 1"),
        (
            "/variants/0/weight",
            json!(99),
            "variants: expected weights summing to 100",
        ),
        (
            "/holdout_bp",
            json!(10_001),
            "holdout_bp: expected at most 10000 basis points",
        ),
        (
            "/default_locale",
            json!("fr"),
            "content: expected content for the default locale",
        ),
        ("/id", json!("Not A Slug"), "id: expected a slug"),
        (
            "/content/en/title",
            json!(" "),
            "content: expected a title in every locale",
        ),
        (
            "/content/en/ctas/0/url",
            json!(""),
            "content: expected CTAs with a label and the action's target",
        ),
        (
            "/format/steps",
            json!([]),
            "format.steps: expected steps, each with an anchor and a title",
        ),
        (
            "/format/wait_seconds",
            json!(0),
            "format.wait_seconds: expected 1 to 600 seconds",
        ),
        (
            "/frequency/snooze_days",
            json!(0),
            "frequency.snooze_days: expected at least 1",
        ),
        (
            "/leads/0/cta",
            json!("nowhere"),
            "leads: expected a CTA of the campaign, or a score or answer of its survey",
        ),
        (
            "/schedule",
            json!({"start": 10, "end": 5}),
            "schedule.end: expected an end after the start",
        ),
    ];
    for (pointer, value, message) in cases {
        let mut v = tour();
        match v.pointer_mut(pointer) {
            Some(slot) => *slot = value,
            None => {
                let (parent, key) = pointer.rsplit_once('/').unwrap();
                v.pointer_mut(parent).unwrap()[key] = value;
            }
        }
        assert_eq!(error(&v), message, "{pointer}");
    }
}

#[test]
fn a_bad_campaign_is_rejected_alone() {
    let mut bad = tour();
    bad["trigger"]["on"] = json!("hover");
    let catalog = json!({"version": 1, "campaigns": [tour(), bad]});
    let (ok, rejected) = decode_catalog(&catalog).unwrap();
    assert_eq!(ok.len(), 1);
    assert_eq!(
        rejected,
        [Rejected {
            id: "tour".into(),
            error: DecodeError {
                path: "campaigns[1].trigger.on".into(),
                message: "expected one of page_load, event, element_visible, delay, manual, found \"hover\"".into(),
            },
        }]
    );
}

#[test]
fn another_version_is_refused_whole() {
    let e = decode_catalog(&json!({"version": 2, "campaigns": [tour()]})).unwrap_err();
    assert_eq!(e.to_string(), "version: this widget reads version 1, not 2");
    let e = decode_catalog(&json!({"campaigns": []})).unwrap_err();
    assert_eq!(e.to_string(), "version: missing");
    let e = decode_catalog(&json!({"version": 1})).unwrap_err();
    assert_eq!(e.to_string(), "campaigns: missing");
}

/// Spans aside, decoding what was encoded gives the parsed tree back.
fn without_spans(e: &Expr) -> Expr {
    let b = |x: &Expr| Box::new(without_spans(x));
    let kind = match &e.kind {
        ExprKind::List(items) => ExprKind::List(items.iter().map(without_spans).collect()),
        ExprKind::Call(f, a) => ExprKind::Call(*f, b(a)),
        ExprKind::Not(a) => ExprKind::Not(b(a)),
        ExprKind::And(x, y) => ExprKind::And(b(x), b(y)),
        ExprKind::Or(x, y) => ExprKind::Or(b(x), b(y)),
        ExprKind::Cmp(op, x, y) => ExprKind::Cmp(*op, b(x), b(y)),
        ExprKind::In(x, y, n) => ExprKind::In(b(x), b(y), *n),
        ExprKind::Contains(x, y) => ExprKind::Contains(b(x), b(y)),
        ExprKind::Matches(x, g) => ExprKind::Matches(b(x), g.clone()),
        other => other.clone(),
    };
    Expr {
        kind,
        span: Span::default(),
    }
}

#[test]
fn every_node_round_trips() {
    let src = r#"days_until(account.renewal_date) <= 120 and user.role in ["admin", 'owner']
        or not (page.path matches "/app/**" or page.url contains "x" or page.title == "T")
        or locale not in ["de"] or event("export").count >= 3
        or time_since(event("plan_limit_hit").last_seen) <= 30d
        or days_since(2026-05-01) > 2 or time_until(account.end) < 2w
        or user.beta == true or user.score != 1.5 or user.n > -2"#;
    let c = parse_condition(src).unwrap();
    let wire = encode(c.root());
    let back = compiled::decode(&wire).unwrap();
    assert_eq!(back, without_spans(c.root()));
    assert_eq!(encode(&back), wire);
}

#[test]
fn the_tree_form_is_the_documented_one() {
    let c = parse_condition(
        "account.seat_utilisation >= 0.85 and user.role in ['a'] and days_since(2026-05-01) > 1",
    )
    .unwrap();
    assert_eq!(
        encode(c.root()),
        json!([
            "and",
            [
                "and",
                [">=", ["account", "seat_utilisation"], 0.85],
                ["in", ["user", "role"], ["list", "a"]]
            ],
            [">", ["days_since", ["date", 20574]], 1.0]
        ])
    );
}

#[test]
fn the_configured_policy_round_trips_through_the_catalog() {
    let raw = touchpoint_authoring::policy::RawPolicy::parse(
        "time_zone = 'Pacific/Auckland'\nmax_nudges_per_week = 3\n[lifecycle]\nrenewal_window_days = 120\n[signals]\ngrowth = 'account.seats >= 10'",
    )
    .unwrap();
    let policy = touchpoint_authoring::policy::validate(raw).unwrap();
    assert!(
        policy.zone.transitions.len() > 90,
        "2000–2050 of DST changes"
    );
    let wire = encode(&Catalog::new(&[]).with_policy(&policy));
    assert_eq!(wire["policy"]["lifecycle"]["renewal_window_days"], 120);
    // New Zealand daylight time on 1 January 2000, where the table starts.
    assert_eq!(wire["policy"]["time_zone"]["offset"], 13 * 3600);
    assert_eq!(
        wire["policy"]["signals"]["growth"],
        json!({"source": "account.seats >= 10", "tree": [">=", ["account", "seats"], 10.0]})
    );
    let back = decode_policy(&wire).unwrap();
    assert_eq!(back, policy);
    assert_eq!(back.lifecycle.renewal_window_days, 120);
    assert_eq!(back.zone, policy.zone);
    assert_eq!(encode(&back), wire["policy"]);
}

#[test]
fn an_older_catalog_without_a_policy_decodes_with_the_defaults() {
    let older = json!({"version": 1, "campaigns": [tour()]});
    assert_eq!(decode_policy(&older), Ok(Policy::default()));
    assert_eq!(decode_catalog(&older).unwrap().0.len(), 1);
}

#[test]
fn an_unreadable_policy_is_refused_naming_the_field() {
    let good = encode(&Catalog::new(&[]).with_policy(&touchpoint_authoring::policy::defaults()));
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        edit(&mut v["policy"]);
        decode_policy(&v).unwrap_err().to_string()
    };
    assert_eq!(
        broken(&|p| p["lifecycle"]["adoption_days"] = json!("90")),
        "policy.lifecycle.adoption_days: expected a whole number up to 4294967295"
    );
    assert_eq!(
        broken(&|p| p["time_zone"]["transitions"] = json!([[5, 3600], [4, 0]])),
        "policy.time_zone.transitions: expected [instant in ms, offset in seconds] pairs, in order"
    );
    assert_eq!(
        broken(&|p| p["time_zone"]["transitions"] = json!([[5, 99_999]])),
        "policy.time_zone.transitions: expected [instant in ms, offset in seconds] pairs, in order"
    );
    assert_eq!(
        broken(&|p| p["signals"]["advocacy"]["tree"] = json!(["nope"])),
        "policy.signals.advocacy.tree: unknown node `nope`"
    );
    assert_eq!(
        broken(&|p| p["max_nudges_per_week"] = json!(-1)),
        "policy.max_nudges_per_week: expected a whole number from 0"
    );
}

#[test]
fn an_empty_catalog_encodes_as_documented() {
    assert_eq!(
        encode(&Catalog::new(&[])),
        json!({"version": 1, "campaigns": []})
    );
}

// ---- issue 10: mutated catalogs never abort the widget ----

/// Campaigns of every format, with every optional part, as the server would send them.
fn seed_catalog() -> Value {
    let survey = authored(json!({
        "id": "nps", "name": "NPS", "goal": "feedback", "holdout": 5,
        "audience": {"phases": ["renewal"], "condition": "days_until(account.renewal_date) <= 120 and user.nps >= 9"},
        "trigger": {"on": "event", "event": "invoice_sent"},
        "format": {"kind": "survey", "survey": "single_choice", "question": "Why?", "choices": ["a", "b"]},
        "content": {"en": {"title": "Q", "ctas": [{"label": "Later", "action": "snooze"}]}, "fr": {"title": "Q"}},
        "variants": [{"id": "a", "weight": 30}, {"id": "b", "weight": 70, "content": {"en": {"title": "B"}}}],
        "schedule": {"start": "2026-01-01", "end": "2030-01-01"},
        "frequency": {"max_views": 3, "recontact_days": 30, "snooze_days": 2,
                      "caps": [{"scope": "account", "max": 1, "within_days": 90}]},
        "conversion": {"event": "answered", "within_days": 1},
        "leads": [{"team": "marketing", "answers": ["a"]}]
    }));
    let checklist = authored(json!({
        "id": "plan", "name": "Plan", "goal": "adoption",
        "trigger": {"on": "delay", "seconds": 3, "url": "/app/**"},
        "format": {"kind": "checklist", "items": [{"id": "a", "label": "A", "done_event": "a", "url": "/a"}]},
        "content": {"en": {"title": "Plan", "ctas": [{"label": "Go", "action": "track", "event": "go"}]}}
    }));
    let tip = authored(json!({
        "id": "tip", "name": "Tip", "goal": "announcement", "category": "marketing", "priority": -3,
        "trigger": {"on": "element_visible", "selector": "#x"},
        "format": {"kind": "tooltip", "anchor": "#x", "wait_seconds": 20},
        "content": {"en": {"title": "Tip", "ctas": [{"label": "Book", "action": "book_meeting", "url": "https://x.example"}]}}
    }));
    let mut catalog = encode(&Catalog::new(&[survey, checklist, tip]));
    catalog["campaigns"].as_array_mut().unwrap().push(tour());
    catalog
}

/// Every value inside `v`, by JSON pointer.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                pointers(x, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                pointers(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// The replacements a mutation may put in a place: wrong types, empties, extremes.
fn hostile() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1e308),
        json!(0.5),
        json!(""),
        json!("x"),
        json!([]),
        json!({}),
        json!([[]]),
        json!(["not"]),
    ]
}

/// Decode, then decide for a few contexts: what the widget does with a catalog.
fn widget_reads(catalog: &Value) {
    let Ok((campaigns, _)) = decode_catalog(catalog) else {
        return;
    };
    for trigger in [
        Occurrence::PageLoad,
        Occurrence::Track {
            name: "invoice_sent".into(),
        },
        Occurrence::Show {
            campaign_id: "nps".into(),
        },
    ] {
        let mut ctx = Context::default();
        ctx.user.id = Some("u1".into());
        ctx.page.path = "/app/x".into();
        ctx.locale = "fr-CA".into();
        ctx.account.stage = Some(touchpoint_core::Stage::Loyalty);
        ctx.trigger = trigger;
        let d = decide(
            &campaigns,
            &ctx,
            &History::new(),
            Timestamp(1_800_000_000_000),
        );
        assert_eq!(d.shown.len() + d.not_shown.len(), campaigns.len());
    }
}

#[test]
fn every_single_field_mutation_is_read_or_refused_never_a_panic() {
    let seed = seed_catalog();
    let (ok, rejected) = decode_catalog(&seed).unwrap();
    assert_eq!((ok.len(), rejected.len()), (4, 0), "{rejected:?}");
    let mut places = Vec::new();
    pointers(&seed, String::new(), &mut places);
    let mut runs = 0;
    for place in places.iter().filter(|p| !p.is_empty()) {
        for value in hostile() {
            let mut v = seed.clone();
            *v.pointer_mut(place).unwrap() = value;
            widget_reads(&v);
            runs += 1;
        }
        // And the place removed.
        let mut v = seed.clone();
        let (parent, key) = place.rsplit_once('/').unwrap();
        match v.pointer_mut(parent) {
            Some(Value::Object(m)) => {
                m.remove(key);
            }
            Some(Value::Array(items)) => {
                items.remove(key.parse::<usize>().unwrap());
            }
            _ => {}
        }
        widget_reads(&v);
        runs += 1;
    }
    assert!(runs > 3_000, "{runs} mutated catalogs");
}

#[test]
fn every_truncation_of_the_catalog_text_is_harmless() {
    let text = seed_catalog().to_string();
    for end in 0..text.len() {
        if let Ok(v) = serde_json::from_str::<Value>(&text[..end]) {
            widget_reads(&v);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Several random mutations at once, anywhere in the catalog.
    #[test]
    fn random_mutations_never_panic(picks in proptest::collection::vec((any::<usize>(), any::<usize>()), 1..6)) {
        let seed = seed_catalog();
        let mut places = Vec::new();
        pointers(&seed, String::new(), &mut places);
        let values = hostile();
        let mut v = seed.clone();
        for (p, x) in picks {
            let place = &places[p % places.len()];
            if let Some(slot) = v.pointer_mut(place) {
                *slot = values[x % values.len()].clone();
            }
        }
        widget_reads(&v);
    }
}
