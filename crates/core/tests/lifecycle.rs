//! The lifecycle rules of issue 11 (DESIGN.md §1), each on the input that showed it broken:
//! calendar days in the vendor's zone (7), renewal ending at the contract end (8), a renewed
//! account back in Service (9), the renewal window from an end date alone (10), an explicit
//! stage winning over an explicit phase of another stage (11), and the policy's signals
//! parsed from their text (13).
#![cfg(not(target_arch = "wasm32"))] // the authoring crate is native-only
use serde_json::{json, Value};
use touchpoint_authoring::{parse_condition, RawCampaign};
use touchpoint_core::context::{Account, Context};
use touchpoint_core::decide::{decide, Reason};
use touchpoint_core::expr::Tri;
use touchpoint_core::stage::{derive, LifecycleWarning};
use touchpoint_core::{Campaign, History, Phase, Stage, Timestamp};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

/// A context whose account has these traits, under the default policy in `zone`.
fn account(traits: Value, zone: &str) -> Context {
    let mut ctx = Context::default();
    let mut policy = touchpoint_authoring::policy::defaults();
    policy.zone = touchpoint_authoring::zone::table(zone).unwrap();
    ctx.policy = policy.into();
    ctx.user.id = Some("u1".into());
    ctx.user.traits = json!({"role": "owner"}).as_object().cloned().unwrap();
    ctx.account = Account::from_traits("acme".into(), traits.as_object().cloned().unwrap());
    ctx
}

fn holds(ctx: &Context, condition: &str, now: &str) -> bool {
    parse_condition(condition)
        .unwrap()
        .eval(&ctx.eval_context(at(now)))
        == Tri::True
}

fn lifecycle(ctx: &Context, now: &str) -> (Stage, Option<Phase>, Vec<Phase>) {
    let l = derive(ctx, at(now)).expect("a lifecycle");
    (l.stage, l.phase, l.signals)
}

fn campaign_file(path: &str) -> Campaign {
    let text = std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR")));
    let report = touchpoint_authoring::files::check_files([(path, text.unwrap().as_str())]);
    report
        .campaigns
        .into_iter()
        .next()
        .expect("a valid campaign")
        .1
}

// ---- 7: calendar days in the vendor's zone ----

#[test]
fn days_until_and_days_since_are_zero_all_day_on_the_date_itself() {
    let ctx = account(json!({"renewal_date": "2026-06-01"}), "UTC");
    for now in [
        "2026-06-01T00:00:00Z",
        "2026-06-01T12:00:00Z",
        "2026-06-01T23:59:59Z",
    ] {
        assert!(
            holds(&ctx, "days_until(account.renewal_date) == 0", now),
            "{now}"
        );
        assert!(
            holds(&ctx, "days_since(account.renewal_date) == 0", now),
            "{now}"
        );
    }
    assert!(holds(
        &ctx,
        "days_until(account.renewal_date) == 1",
        "2026-05-31T12:00:00Z"
    ));
    assert!(holds(
        &ctx,
        "days_since(account.renewal_date) == 1",
        "2026-06-02T00:00:00Z"
    ));
}

#[test]
fn days_until_120_turns_true_exactly_120_calendar_days_out() {
    let ctx = account(json!({"renewal_date": "2026-06-01"}), "UTC");
    let within = "days_until(account.renewal_date) <= 120";
    // 2026-02-01 is 120 days before 2026-06-01.
    assert!(!holds(&ctx, within, "2026-01-31T12:00:00Z"));
    assert!(!holds(&ctx, within, "2026-01-31T23:59:59.999Z"));
    assert!(holds(&ctx, within, "2026-02-01T00:00:00Z"));
    assert!(holds(&ctx, within, "2026-02-01T23:59:59Z"));
}

/// Local midnights on both sides of each daylight-saving change of 2026, as UTC instants.
const MIDNIGHTS: [(&str, &str, &str); 12] = [
    ("America/New_York", "2026-03-08", "2026-03-08T05:00:00Z"), // EST
    ("America/New_York", "2026-03-09", "2026-03-09T04:00:00Z"), // EDT
    ("America/New_York", "2026-11-01", "2026-11-01T04:00:00Z"), // EDT
    ("America/New_York", "2026-11-02", "2026-11-02T05:00:00Z"), // EST
    ("Europe/Berlin", "2026-03-29", "2026-03-28T23:00:00Z"),    // CET
    ("Europe/Berlin", "2026-03-30", "2026-03-29T22:00:00Z"),    // CEST
    ("Europe/Berlin", "2026-10-25", "2026-10-24T22:00:00Z"),    // CEST
    ("Europe/Berlin", "2026-10-26", "2026-10-25T23:00:00Z"),    // CET
    ("Pacific/Auckland", "2026-04-05", "2026-04-04T11:00:00Z"), // NZDT
    ("Pacific/Auckland", "2026-04-06", "2026-04-05T12:00:00Z"), // NZST
    ("Pacific/Auckland", "2026-09-27", "2026-09-26T12:00:00Z"), // NZST
    ("Pacific/Auckland", "2026-09-28", "2026-09-27T11:00:00Z"), // NZDT
];

#[test]
fn days_are_calendar_days_in_the_vendor_zone_across_daylight_saving_changes() {
    for (zone, date, midnight) in MIDNIGHTS {
        let ctx = account(json!({ "d": date }), zone);
        let midnight = at(midnight);
        let check = |now: Timestamp, until: i64| {
            let cx = ctx.eval_context(now);
            for (src, want) in [("days_until", until), ("days_since", -until)] {
                let c = parse_condition(&format!("{src}(account.d) == {want}")).unwrap();
                assert_eq!(c.eval(&cx), Tri::True, "{zone} {date} {src} at {now}");
            }
        };
        check(midnight.plus_ms(-1), 1);
        check(midnight, 0);
        check(midnight.plus_ms(20 * 3_600_000), 0);
        // An instant compares by its local day, so a timestamped trait counts the same way.
        let instant = json!({ "d": midnight.plus_ms(60_000).to_string() });
        let ctx = account(instant, zone);
        let c = parse_condition(&format!(
            "days_since(account.d) == 0 and account.d == {date}"
        ))
        .unwrap();
        assert_eq!(
            c.eval(&ctx.eval_context(midnight.plus_ms(120_000))),
            Tri::True
        );
    }
}

#[test]
fn stage_boundaries_fall_on_local_midnight_in_the_vendor_zone() {
    // The renewal window (180 days before 2027-01-01) opens on 2026-07-05, at midnight in
    // New York (EDT, 04:00 UTC), not at midnight UTC.
    let ctx = account(
        json!({"contract_start": "2026-01-01", "first_value": "2026-01-15", "contract_end": "2027-01-01"}),
        "America/New_York",
    );
    assert_eq!(
        lifecycle(&ctx, "2026-07-05T03:59:59Z").1,
        Some(Phase::SteadyState)
    );
    assert_eq!(
        lifecycle(&ctx, "2026-07-05T04:00:00Z").1,
        Some(Phase::Renewal)
    );
    // The contract's last day is 2026-12-31 in New York: 04:59 UTC on 1 January.
    assert_eq!(
        lifecycle(&ctx, "2027-01-01T04:59:59Z").1,
        Some(Phase::Renewal)
    );
    assert_eq!(
        lifecycle(&ctx, "2027-01-01T05:00:00Z").1,
        Some(Phase::Lapsed)
    );
}

// ---- 8: renewal ends at the contract end ----

#[test]
fn after_the_contract_end_the_account_is_lapsed_not_in_renewal() {
    let ctx = account(
        json!({"contract_start": "2025-01-01", "first_value": "2025-02-01", "contract_end": "2027-01-01"}),
        "UTC",
    );
    let (stage, phase, _) = lifecycle(&ctx, "2028-06-01T12:00:00Z");
    assert_eq!((stage, phase), (Stage::Lapsed, Some(Phase::Lapsed)));
    assert_eq!(
        lifecycle(&ctx, "2026-12-31T23:59:59Z").1,
        Some(Phase::Renewal)
    );
}

#[test]
fn no_renewal_reminder_targets_a_lapsed_account_and_a_lapsed_campaign_does() {
    let ctx = {
        let mut c = account(
            json!({"contract_start": "2025-01-01", "first_value": "2025-02-01", "contract_end": "2027-01-01"}),
            "UTC",
        );
        c.page.path = "/app/dashboard".into();
        c
    };
    let now = at("2028-06-01T12:00:00Z");
    let reminder = campaign_file("campaigns/renewal-reminder-120.toml");
    let d = decide(std::slice::from_ref(&reminder), &ctx, &History::new(), now);
    assert!(
        matches!(
            d.reason(&reminder.id),
            Some(Reason::NotInStage {
                stage: Some(Stage::Lapsed),
                ..
            })
        ),
        "{d:?}"
    );
    let raw = json!({"id": "win-back", "name": "Win back", "goal": "renewal",
        "audience": {"stages": ["lapsed"]},
        "trigger": {"on": "page_load", "url": "/app/**"}, "format": {"kind": "banner"},
        "content": {"en": {"title": "We miss you"}}});
    let win_back = Campaign::try_from(serde_json::from_value::<RawCampaign>(raw).unwrap()).unwrap();
    let d = decide(&[reminder, win_back], &ctx, &History::new(), now);
    let shown: Vec<&str> = d.shown.iter().map(|n| n.campaign_id.as_str()).collect();
    assert_eq!(shown, ["win-back"]);
}

// ---- 9: a renewed account cycles back into Service ----

#[test]
fn a_renewed_account_is_back_in_service_not_onboarding() {
    // The new term, with the first value reached during the previous one.
    let ctx = account(
        json!({"contract_start": "2027-01-01", "first_value": "2026-02-15", "contract_end": "2028-01-01"}),
        "UTC",
    );
    for now in ["2027-01-01T09:00:00Z", "2027-03-01T09:00:00Z"] {
        assert_eq!(
            lifecycle(&ctx, now),
            (Stage::Service, Some(Phase::SteadyState), vec![]),
            "{now}"
        );
    }
    assert_eq!(
        lifecycle(&ctx, "2027-07-05T09:00:00Z").1,
        Some(Phase::Renewal)
    );
}

// ---- 10: an end date alone still opens the renewal window ----

#[test]
fn an_account_with_only_an_end_date_gets_its_renewal_window() {
    let ctx = account(json!({"contract_end": "2027-01-01"}), "UTC");
    let renewal_date = account(json!({"renewal_date": "2027-01-01"}), "UTC");
    assert_eq!(
        lifecycle(&renewal_date, "2026-09-01T09:00:00Z").1,
        Some(Phase::Renewal)
    );
    assert_eq!(
        lifecycle(&ctx, "2026-03-01T09:00:00Z"),
        (Stage::Service, Some(Phase::SteadyState), vec![])
    );
    assert_eq!(
        lifecycle(&ctx, "2026-09-01T09:00:00Z"),
        (Stage::Loyalty, Some(Phase::Renewal), vec![])
    );
    let mut c = ctx;
    c.page.path = "/app/dashboard".into();
    let reminder = campaign_file("campaigns/renewal-reminder-120.toml");
    let d = decide(
        std::slice::from_ref(&reminder),
        &c,
        &History::new(),
        at("2026-12-01T09:00:00Z"),
    );
    assert_eq!(d.shown.len(), 1, "{d:?}");
}

// ---- 11: an explicit stage wins; signals stay signals ----

#[test]
fn an_explicit_stage_wins_over_an_explicit_phase_of_another_stage_which_is_reported() {
    let ctx = account(
        json!({"stage": "service", "phase": "advocacy",
               "contract_start": "2026-01-01", "first_value": "2026-01-15", "contract_end": "2028-01-01"}),
        "UTC",
    );
    let l = derive(&ctx, at("2026-09-01T09:00:00Z")).unwrap();
    assert_eq!(
        (l.stage, l.phase, l.signals.clone()),
        (Stage::Service, Some(Phase::SteadyState), vec![])
    );
    assert_eq!(
        l.warning,
        Some(LifecycleWarning::PhaseNotInStage {
            phase: Phase::Advocacy,
            stage: Stage::Service
        })
    );
    // The report travels with the decision (the trace previews and simulations show).
    let d = decide(&[], &ctx, &History::new(), at("2026-09-01T09:00:00Z"));
    let trace = serde_json::to_value(&d.lifecycle).unwrap();
    assert_eq!(
        trace["warning"],
        json!({"warning": "phase_not_in_stage", "phase": "advocacy", "stage": "service"})
    );
}

#[test]
fn an_explicit_signal_phase_stays_a_signal_on_the_time_phase_of_the_dates() {
    let dates = json!({"phase": "advocacy",
        "contract_start": "2026-01-01", "first_value": "2026-01-15", "contract_end": "2028-01-01"});
    let ctx = account(dates, "UTC");
    assert_eq!(
        lifecycle(&ctx, "2026-09-01T09:00:00Z"),
        (
            Stage::Service,
            Some(Phase::SteadyState),
            vec![Phase::Advocacy]
        )
    );
    // With an explicit stage it belongs to, it is a signal of that stage.
    let ctx = account(json!({"stage": "loyalty", "phase": "expansion"}), "UTC");
    assert_eq!(
        lifecycle(&ctx, "2026-09-01T09:00:00Z"),
        (Stage::Loyalty, Some(Phase::Renewal), vec![Phase::Expansion])
    );
    // Alone, it places the account in its stage with no time phase.
    let ctx = account(json!({"phase": "advocacy"}), "UTC");
    assert_eq!(
        lifecycle(&ctx, "2026-09-01T09:00:00Z"),
        (Stage::Loyalty, None, vec![Phase::Advocacy])
    );
}

// ---- 13: signals from the policy, parsed from their text ----

#[test]
fn the_default_signals_are_the_policy_files_conditions() {
    let mut ctx = account(
        json!({"contract_start": "2026-01-01", "contract_end": "2028-01-01", "seat_utilisation": 0.9}),
        "UTC",
    );
    ctx.user.traits.insert("nps".into(), json!(10));
    assert_eq!(
        lifecycle(&ctx, "2026-09-01T09:00:00Z"),
        (
            Stage::Service,
            Some(Phase::SteadyState),
            vec![Phase::Growth, Phase::Advocacy]
        )
    );
    assert_eq!(
        lifecycle(&ctx, "2027-09-01T09:00:00Z"),
        (
            Stage::Loyalty,
            Some(Phase::Renewal),
            vec![Phase::Expansion, Phase::Advocacy]
        )
    );
    // A lapsed account is asked for nothing, not even a review.
    assert_eq!(
        lifecycle(&ctx, "2028-02-01T09:00:00Z"),
        (Stage::Lapsed, Some(Phase::Lapsed), vec![])
    );
    // Without a policy's signals (a catalog from an older collector), none is derived.
    ctx.policy = touchpoint_core::Policy::default().into();
    assert_eq!(lifecycle(&ctx, "2026-09-01T09:00:00Z").2, []);
}
