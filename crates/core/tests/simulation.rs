//! The measurement simulation (issue 11): does the holdout comparison measure the lift a
//! nudge really has?
//!
//! **The world.** 20,000 synthetic users of one product over 60 days. Each day a user visits
//! with a fixed probability; a visit is one page load (a new session) that asks [`decide`]
//! for the two campaigns below, and the simulated widget does exactly what the real one does
//! with the answer: a nudge without a cue is exposed at once; a nudge behind a delay is
//! exposed when the delay has passed, unless the visitor left before (then nothing is logged,
//! for either arm). An exposure is an `impression` event, `holdout: true` for a holdout
//! member's would-be view, and goes into the user's history (the widget's journal, kept with
//! `History::record_exposure` as it goes rather than rebuilt from the events before every
//! decision: the same history, cheaper), so caps and the weekly limit count it.
//!
//! * `payment-reminders-tip` — the campaign under test: a banner after 10 s on any `/app/`
//!   page, `holdout = 10`, at most 3 views ever and 1 per 7 days, measured by the
//!   `goal_done` event within 30 days of an exposure.
//! * `trial-ending` — a higher-priority banner for trial users on every page: a trial user
//!   never gets the banner slot for the tip. Trial users are also far more likely to reach
//!   the goal on their own, which is what makes counting them wrong costly.
//!
//! **The truth.** Each user has a baseline daily probability of tracking `goal_done`
//! (trial users' higher than paying users'); each day draws one uniform number and one time
//! of day. Seeing the tip (a treatment impression) raises the daily probability by a known
//! amount for the next 14 days. The exposures do not depend on the goal (the tip has
//! `stop_after_conversion = false` and no condition on it), so every exposed user's goal
//! events are drawn twice from the *same* numbers: once as if shown the nudge at each of
//! their exposures, once as if never shown. The true effect is the difference between the
//! two worlds' conversion rates over every user the current rules expose (both arms), each
//! world attributed by the same window rule ([`attribute`]): the effect of the treatment on
//! the treated population, computed from counterfactuals rather than a formula.
//!
//! **The estimate (current rules).** [`attribute`] and [`Totals::of`] over the events as
//! they happened (treatment users live in the shown world, holdout members in the other):
//! treatment rate − holdout rate, each converted ÷ exposed users. It must lie within one
//! percentage point of the truth: the arms differ only by the random holdout hash.
//!
//! **The estimate (old rules).** Not the old code, but its biased parts re-enacted in this
//! test on the same world: a holdout member was counted when the campaign was *decided* —
//! before the slot and the caps (so also when the trial banner took the slot), logged once
//! per session at decision time (so also when the visitor left before the delay), and their
//! would-be views were never counted toward caps (so never capped). A second decision per
//! visit of each holdout member, over a history without their would-be views, says when the
//! old rules would have logged one. Treatment impressions were the same then, so the
//! treatment arm is shared. That estimate must miss the truth by more than a point.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::json;
use std::time::Instant;
use touchpoint_authoring::files::check_files;
use touchpoint_core::attribution::{attribute, ArmTotals, Totals};
use touchpoint_core::bucket::{in_holdout, Unit};
use touchpoint_core::campaign::{compiled, ConversionGoal};
use touchpoint_core::decide::{CapHit, Cue};
use touchpoint_core::history::Scope;
use touchpoint_core::uuid::Uuid;
use touchpoint_core::{
    decide, Arm, Campaign, Context, Event, EventKind, History, Reason, Timestamp,
};

const SEED: u64 = 0x0011_5EED_2026;
const USERS: u32 = 20_000;
const DAYS: i64 = 60;
const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
/// A user visits on a given day with this probability.
const VISIT: f64 = 0.3;
/// A visitor stays past the tip's 10-second delay with this probability.
const STAYS: f64 = 0.7;
/// The share of trial users.
const TRIAL: f64 = 0.2;
/// Daily probabilities of tracking the goal unprompted.
const BASE_PAID: f64 = 0.0004;
const BASE_TRIAL: f64 = 0.006;
/// The tip's effect: this much more each day, for `LIFT_DAYS` days after a view.
const LIFT: f64 = 0.004;
const LIFT_DAYS: i64 = 14;
/// The campaign's holdout, in basis points (`holdout = 10` in its file).
const HOLDOUT_BP: u32 = 1_000;

const TIP: &str = "payment-reminders-tip";
const PAGES: [&str; 3] = ["/app/dashboard", "/app/invoices", "/app/customers"];

const TIP_TOML: &str = r#"
id = "payment-reminders-tip"
name = "Tip: automatic payment reminders"
owner = "growth@ledgerly.example"
goal = "adoption"
priority = 40
holdout = 10

[trigger]
on = "delay"
url = "/app/**"
seconds = 10

[format]
kind = "banner"

[content.en]
title = "Let reminders chase late payments"
body = "Turn on automatic reminders and get paid without the awkward emails."

[frequency]
max_views = 3
stop_after_conversion = false

[[frequency.caps]]
scope = "user"
max = 1
within_days = 7

[conversion]
event = "goal_done"
within_days = 30
"#;

const RIVAL_TOML: &str = r#"
id = "trial-ending"
name = "Trial: ending soon"
owner = "sales@ledgerly.example"
goal = "expansion"
priority = 80

[audience]
condition = 'user.plan == "trial"'

[trigger]
on = "page_load"
url = "/app/**"

[format]
kind = "banner"

[content.en]
title = "Your trial ends soon"
body = "Pick a plan to keep your invoices and customers."
"#;

/// splitmix64: a small, fixed-seed generator, good enough for a simulation.
struct Rng(u64);

impl Rng {
    /// The stream of user `n` (streams of neighbouring users are unrelated).
    fn for_user(seed: u64, n: u32) -> Rng {
        let mut r = Rng(seed ^ u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in 0..n.
    fn below(&mut self, n: i64) -> i64 {
        (self.next() % n as u64) as i64
    }
}

/// The two campaigns as the widget reads them from the compiled catalog, and the tip's
/// conversion goal as the server keeps it.
fn catalog() -> (Vec<Campaign>, ConversionGoal) {
    let report = check_files([("tip.toml", TIP_TOML), ("rival.toml", RIVAL_TOML)]);
    assert!(report.is_ok(), "{:?}", report.diagnostics);
    let campaigns: Vec<Campaign> = report.campaigns.into_iter().map(|(_, c)| c).collect();
    let goal = campaigns
        .iter()
        .find(|c| c.id == TIP)
        .and_then(|c| c.conversion.clone())
        .expect("the tip has a conversion goal");
    let text = serde_json::to_string(&compiled::Catalog::new(&campaigns)).unwrap();
    let (read, rejected) = compiled::decode_catalog(&serde_json::from_str(&text).unwrap()).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    (read, goal)
}

/// Every event the estimators and the truth read, for all users.
#[derive(Default)]
struct World {
    /// The tip's exposures as the widget logs them now (both arms).
    exposures: Vec<Event>,
    /// The holdout exposures the old rules would have logged instead.
    old_holdout: Vec<Event>,
    /// Goal events as they happened: treatment users shown the tip, holdout members not.
    goals: Vec<Event>,
    /// Goal events had every exposed user been shown the tip at their exposures.
    goals_if_shown: Vec<Event>,
    /// Goal events had nobody been shown the tip.
    goals_if_not: Vec<Event>,
    /// Calls to `decide`.
    decisions: u64,
    /// Event ids are v7 UUIDs made unique by this counter.
    seq: u64,
    /// The seed of every user's random stream.
    seed: u64,
}

impl World {
    fn event(&mut self, user: &str, kind: EventKind, ts: Timestamp) -> Event {
        self.seq += 1;
        let mut rand = [0u8; 10];
        rand[2..].copy_from_slice(&self.seq.to_be_bytes());
        let mut e = Event::new(Uuid::v7(ts.as_millis() as u64, rand), kind, ts);
        e.user_id = Some(user.to_owned());
        e
    }

    fn exposure(&mut self, user: &str, ts: Timestamp, arm: Arm, variant: &str) -> Event {
        let mut e = self.event(user, EventKind::Impression, ts);
        e.campaign_id = Some(TIP.to_owned());
        e.variant = Some(variant.to_owned());
        e.holdout = arm == Arm::Holdout;
        e
    }

    fn goal(&mut self, user: &str, ts: Timestamp) -> Event {
        let mut e = self.event(user, EventKind::Track, ts);
        e.name = Some("goal_done".to_owned());
        e
    }

    /// One user's 60 days: visits through `decide`, then their goal draws.
    fn simulate_user(&mut self, n: u32, campaigns: &[Campaign], start: Timestamp) {
        let id = format!("u{n:05}");
        let mut rng = Rng::for_user(self.seed, n);
        let trial = rng.chance(TRIAL);
        let mut ctx = Context::default();
        ctx.user.id = Some(id.clone());
        ctx.user.traits = json!({ "plan": if trial { "trial" } else { "paid" } })
            .as_object()
            .cloned()
            .unwrap();
        // The arm the stable hash gives: what the old rules assigned at decision time.
        let hashed_holdout = in_holdout(TIP, Unit::new(&id).unwrap(), HOLDOUT_BP);
        // The widget's journal now, and the old rules' (without the would-be views).
        let mut history = History::new();
        let mut old_history = History::new();
        // When the tip was (or would have been) seen, in either arm.
        let mut seen: Vec<Timestamp> = Vec::new();
        let mut arm = None;
        for day in 0..DAYS {
            if !rng.chance(VISIT) {
                continue;
            }
            let now = start
                .plus_days(day)
                .plus_ms(8 * HOUR + rng.below(10 * HOUR));
            let path = PAGES[rng.below(PAGES.len() as i64) as usize];
            let stays = rng.chance(STAYS);
            ctx.page.path = path.to_owned();
            ctx.page.url = format!("https://app.ledgerly.example{path}");
            self.decisions += 1;
            for nudge in decide(campaigns, &ctx, &history, now).shown {
                let at = match nudge.cue {
                    None => now,
                    Some(Cue::Delay { seconds }) if stays => now.plus_ms(i64::from(seconds) * 1000),
                    // Left before the delay: neither shown nor held out.
                    Some(_) => continue,
                };
                let (cid, variant) = (nudge.campaign_id.as_str(), nudge.variant.as_str());
                history.record_exposure(cid, Scope::User, nudge.arm, Some(variant), at);
                if cid == TIP {
                    let e = self.exposure(&id, at, nudge.arm, variant);
                    self.exposures.push(e);
                    seen.push(at);
                    arm = Some(nudge.arm);
                }
            }
            if hashed_holdout {
                self.decisions += 1;
                let d = decide(campaigns, &ctx, &old_history, now);
                let mut decided = matches!(
                    d.reason(TIP),
                    Some(Reason::SlotTaken { .. })
                        | Some(Reason::Capped(
                            CapHit::Weekly { .. } | CapHit::SessionOverlays { .. }
                        ))
                );
                for nudge in &d.shown {
                    if nudge.campaign_id == TIP {
                        decided = true;
                    } else if nudge.cue.is_none() || stays {
                        let cid = nudge.campaign_id.as_str();
                        old_history.record_exposure(cid, Scope::User, nudge.arm, None, now);
                    }
                }
                if decided {
                    // At decision time, in the tip's only variant.
                    let e = self.exposure(&id, now, Arm::Holdout, "control");
                    self.old_holdout.push(e);
                }
            }
        }
        assert!(
            arm.is_none_or(|a| (a == Arm::Holdout) == hashed_holdout),
            "{id}: decide's arm is the stable hash's"
        );
        let base = if trial { BASE_TRIAL } else { BASE_PAID };
        for day in 0..DAYS {
            let draw = rng.unit();
            let at = start.plus_days(day).plus_ms(rng.below(DAY));
            let lifted = seen.iter().any(|&s| s < at && at <= s.plus_days(LIFT_DAYS));
            let if_shown = draw < base + if lifted { LIFT } else { 0.0 };
            let if_not = draw < base;
            if if_shown {
                let e = self.goal(&id, at);
                self.goals_if_shown.push(e);
            }
            if if_not {
                let e = self.goal(&id, at);
                self.goals_if_not.push(e);
            }
            if (if_shown && !hashed_holdout) || (if_not && hashed_holdout) {
                let e = self.goal(&id, at);
                self.goals.push(e);
            }
        }
    }
}

fn rate(a: ArmTotals) -> f64 {
    a.converted as f64 / a.exposed as f64
}

fn converted(t: &Totals) -> f64 {
    (t.treatment.converted + t.holdout.converted) as f64
}

#[test]
fn holdout_comparison_estimates_the_true_effect_and_the_old_rules_do_not() {
    let started = Instant::now();
    let (campaigns, goal) = catalog();
    let start = Timestamp::parse("2026-03-02T00:00:00Z").unwrap();
    // Another world for a look at the spread: `TOUCHPOINT_SIM_SEED=7 cargo test -p
    // touchpoint-core --test simulation -- --nocapture`.
    let seed = std::env::var("TOUCHPOINT_SIM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    let mut world = World {
        seed,
        ..World::default()
    };
    for n in 0..USERS {
        world.simulate_user(n, &campaigns, start);
    }
    let simulated = started.elapsed();

    // The truth: both counterfactual worlds of the same exposed users.
    let tip = |goals: &[Event]| {
        Totals::of(&attribute(
            TIP,
            &goal,
            world.exposures.iter().chain(goals.iter()),
        ))
    };
    let (shown, not_shown) = (tip(&world.goals_if_shown), tip(&world.goals_if_not));
    let exposed = (shown.treatment.exposed + shown.holdout.exposed) as f64;
    let truth = (converted(&shown) - converted(&not_shown)) / exposed;

    // The current rules: the comparison of the arms as they happened.
    let now = tip(&world.goals);
    let estimate = rate(now.treatment) - rate(now.holdout);

    // The old rules: the same treatment arm, the holdout as the old rules logged it.
    let old_events = world
        .exposures
        .iter()
        .filter(|e| !e.holdout)
        .chain(&world.old_holdout)
        .chain(&world.goals);
    let old = Totals::of(&attribute(TIP, &goal, old_events));
    let old_estimate = rate(old.treatment) - rate(old.holdout);

    // The sampling error of the holdout rate dominates the comparison.
    let p = rate(now.holdout);
    let se = (p * (1.0 - p) / now.holdout.exposed as f64).sqrt();
    eprintln!(
        "simulation (seed {seed:#x}): {USERS} users x {DAYS} days, {} decisions, {} events, simulated in {:.2?}, total {:.2?}",
        world.decisions,
        world.exposures.len() + world.old_holdout.len() + world.goals.len(),
        simulated,
        started.elapsed()
    );
    eprintln!(
        "  true effect (shown - not shown, {exposed} exposed users): {:+.2} points",
        100.0 * truth
    );
    eprintln!(
        "  current rules: treatment {}/{} = {:.2}%, holdout {}/{} = {:.2}% (se {:.2}), estimate {:+.2} points",
        now.treatment.converted,
        now.treatment.exposed,
        100.0 * rate(now.treatment),
        now.holdout.converted,
        now.holdout.exposed,
        100.0 * p,
        100.0 * se,
        100.0 * estimate
    );
    eprintln!(
        "  old rules:     treatment {}/{} = {:.2}%, holdout {}/{} = {:.2}%, estimate {:+.2} points (off by {:+.2})",
        old.treatment.converted,
        old.treatment.exposed,
        100.0 * rate(old.treatment),
        old.holdout.converted,
        old.holdout.exposed,
        100.0 * rate(old.holdout),
        100.0 * old_estimate,
        100.0 * (old_estimate - truth)
    );

    let share = now.holdout.exposed as f64 / exposed;
    assert!(
        (0.08..0.12).contains(&share),
        "the holdout is a tenth of the exposed users, not {share:.3}"
    );
    assert!(truth > 0.05, "the tip has a real effect ({truth:.4})");
    assert!(
        (estimate - truth).abs() < 0.01,
        "the current rules estimate {:+.2} points against a true {:+.2}",
        100.0 * estimate,
        100.0 * truth
    );
    assert!(
        (old_estimate - truth).abs() > 0.01,
        "the old rules were expected to be off by more than a point: {:+.2} against a true {:+.2}",
        100.0 * old_estimate,
        100.0 * truth
    );
}
