//! Property tests of the decision core: the ranking does not depend on input order,
//! holdout members are placed by an independent implementation of the documented hash, caps
//! are never exceeded over any history, the bucket hash is uniform, and the parser never
//! panics.
#![cfg(not(target_arch = "wasm32"))] // the authoring crate is native-only

use proptest::prelude::*;
use serde_json::json;
use touchpoint_authoring::parse_condition;
use touchpoint_core::bucket::{bucket, in_holdout, Unit, HOLDOUT_SALT};
use touchpoint_core::campaign::{CapScope, Slot};
use touchpoint_core::history::Scope;
use touchpoint_core::{decide, Arm, Campaign, Context, EventKind, History, Timestamp};

const FORMATS: [&str; 6] = ["banner", "modal", "toast", "feed", "slideout", "checklist"];

/// The bucket of the documented hash (see `touchpoint_core::bucket`), written again from
/// the spec rather than called: FNV-1a 64 over the whole key, then MurmurHash3's fmix64.
fn reference_bucket(salt: &str, campaign: &str, unit: &str) -> u64 {
    let key = format!("{salt}:{campaign}:{unit}");
    let mut h = 0xcbf29ce484222325u64;
    for b in key.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    for (shift, mul) in [(33, 0xff51afd7ed558ccd_u64), (33, 0xc4ceb9fe1a85ec53)] {
        h ^= h >> shift;
        h = h.wrapping_mul(mul);
    }
    h ^= h >> 33;
    h % 10_000
}

#[test]
fn the_reference_bucket_matches_the_pinned_vectors() {
    // Pinned in `bucket.rs` too: the two implementations agree on them.
    assert_eq!(
        bucket(HOLDOUT_SALT, "nps-quarterly", "user-42"),
        reference_bucket("holdout", "nps-quarterly", "user-42") as u32
    );
}

#[derive(Debug, Clone)]
struct Spec {
    format: usize,
    priority: i32,
    holdout: u32,
    max_views: Option<u32>,
    cap: Option<(bool, u32, u32)>,
    recontact: Option<u32>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..FORMATS.len(),
        -5i32..5,
        prop_oneof![Just(0u32), Just(10), Just(50), Just(100), 0u32..=100],
        proptest::option::of(1u32..4),
        proptest::option::of((any::<bool>(), 1u32..4, 1u32..30)),
        proptest::option::of(1u32..20),
    )
        .prop_map(
            |(format, priority, holdout, max_views, cap, recontact)| Spec {
                format,
                priority,
                holdout,
                max_views,
                cap,
                recontact,
            },
        )
}

fn build(i: usize, s: &Spec) -> Campaign {
    let mut format = json!({"kind": FORMATS[s.format]});
    if FORMATS[s.format] == "checklist" {
        format["items"] = json!([{"id": "a", "label": "A", "done_event": "never_happens"}]);
    }
    let mut freq = json!({});
    if let Some(m) = s.max_views {
        freq["max_views"] = json!(m);
    }
    if let Some(r) = s.recontact {
        freq["recontact_days"] = json!(r);
    }
    if let Some((account, max, days)) = s.cap {
        freq["caps"] = json!([{"scope": if account { "account" } else { "user" }, "max": max, "within_days": days}]);
    }
    let raw = json!({
        "id": format!("c{i}"), "name": "C", "goal": "adoption", "priority": s.priority,
        "holdout": s.holdout, "trigger": {"on": "page_load", "url": "/app/**"}, "format": format,
        "content": {"en": {"title": "T"}}, "frequency": freq,
        "variants": [{"id": "a", "weight": 30}, {"id": "b", "weight": 70}],
    });
    Campaign::try_from(serde_json::from_value::<touchpoint_authoring::RawCampaign>(raw).unwrap())
        .unwrap()
}

type Hist = Vec<(usize, u8, i64, bool)>;

fn history(n: usize) -> impl Strategy<Value = Hist> {
    proptest::collection::vec((0..n.max(1), 0u8..4, 0i64..60, any::<bool>()), 0..80)
}

const NOW: Timestamp = Timestamp(1_800_000_000_000);

fn make_history(campaigns: &[Campaign], h: &Hist) -> History {
    let mut out = History::new();
    for &(ci, kind, days_ago, mine) in h {
        let kind = match kind {
            0 | 1 => EventKind::Impression,
            2 => EventKind::Dismiss,
            _ => EventKind::Snooze,
        };
        let scope = if mine { Scope::User } else { Scope::Account };
        out.record(
            &campaigns[ci % campaigns.len()].id,
            scope,
            kind,
            NOW.plus_days(-days_ago).plus_ms(-1),
        );
    }
    out
}

fn context(user: &str, modals: u32) -> Context {
    let mut ctx = Context::default();
    ctx.user.id = Some(user.to_owned());
    ctx.page.path = "/app/home".into();
    ctx.session.modals_shown = modals;
    ctx
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// The campaigns' order in the catalog is not a ranking input: reversed, the same
    /// nudges are shown in the same order, and every campaign still gets one outcome.
    #[test]
    fn the_ranking_does_not_depend_on_catalog_order(specs in proptest::collection::vec(spec(), 1..12), user in "[a-z0-9]{1,10}", hist in history(12)) {
        let campaigns: Vec<Campaign> = specs.iter().enumerate().map(|(i, s)| build(i, s)).collect();
        let h = make_history(&campaigns, &hist);
        let ctx = context(&user, 0);
        let a = decide(&campaigns, &ctx, &h, NOW);
        let reversed: Vec<Campaign> = campaigns.iter().rev().cloned().collect();
        let b = decide(&reversed, &ctx, &h, NOW);
        prop_assert_eq!(&a.shown, &b.shown);
        prop_assert_eq!(a.shown.len() + a.not_shown.len(), campaigns.len());
        let mut ra: Vec<_> = a.not_shown.iter().map(|n| (&n.campaign_id, &n.reason)).collect();
        let mut rb: Vec<_> = b.not_shown.iter().map(|n| (&n.campaign_id, &n.reason)).collect();
        ra.sort_by_key(|(id, _)| id.as_str());
        rb.sort_by_key(|(id, _)| id.as_str());
        prop_assert_eq!(ra, rb);
    }

    /// Without history, the arm is the documented hash's: a placed nudge is a holdout
    /// member exactly when its bucket is under the campaign's holdout.
    #[test]
    fn places_holdout_members_by_the_documented_hash(specs in proptest::collection::vec(spec(), 1..12), user in "[a-z0-9]{1,10}") {
        let campaigns: Vec<Campaign> = specs.iter().enumerate().map(|(i, s)| build(i, s)).collect();
        let d = decide(&campaigns, &context(&user, 0), &History::new(), NOW);
        for n in &d.shown {
            let c = campaigns.iter().find(|c| c.id == n.campaign_id).unwrap();
            let held = reference_bucket("holdout", &c.id, &user) < u64::from(c.holdout_bp);
            prop_assert_eq!(n.arm == Arm::Holdout, held);
        }
    }

    #[test]
    fn never_exceeds_a_cap(specs in proptest::collection::vec(spec(), 1..12), hist in history(12), modals in 0u32..3, user in "[a-z]{1,4}") {
        let campaigns: Vec<Campaign> = specs.iter().enumerate().map(|(i, s)| build(i, s)).collect();
        let h = make_history(&campaigns, &hist);
        let ctx = context(&user, modals);
        let d = decide(&campaigns, &ctx, &h, NOW);
        let mut overlays = modals;
        let week: usize = campaigns
            .iter()
            .filter(|c| c.format.slot().is_nudge())
            .map(|c| h.campaign(&c.id).user.views_since(NOW.plus_days(-7).plus_ms(1)))
            .sum();
        let nudges = d.shown.iter().filter(|n| n.slot.is_nudge()).count();
        if nudges > 0 {
            prop_assert!(week + nudges <= ctx.policy.max_nudges_per_week as usize);
        }
        let mut slots = std::collections::BTreeSet::new();
        for n in &d.shown {
            let c = campaigns.iter().find(|c| c.id == n.campaign_id).unwrap();
            let ch = h.campaign(&c.id);
            if let Some(max) = c.frequency.max_views {
                prop_assert!(ch.user.views().len() < max as usize);
            }
            for cap in &c.frequency.caps {
                let ex = if cap.scope == CapScope::User { &ch.user } else { &ch.account };
                let since = NOW.plus_days(-i64::from(cap.within_days.unwrap())).plus_ms(1);
                prop_assert!(ex.views_since(since) < cap.max as usize);
            }
            if let Some(t) = ch.user.last_dismissal() {
                let r = c.frequency.recontact_days;
                prop_assert!(r.is_some_and(|r| NOW >= t.plus_days(i64::from(r))));
            }
            if n.slot == Slot::Overlay {
                overlays += 1;
            }
            if n.slot != Slot::Feed {
                prop_assert!(slots.insert(n.slot), "two nudges in one slot");
            }
        }
        prop_assert!(overlays <= ctx.policy.max_modals_per_session.max(modals));
    }

    #[test]
    fn parser_never_panics(src in ".{0,200}") {
        let _ = parse_condition(&src);
    }

    #[test]
    fn parser_never_panics_on_token_soup(parts in proptest::collection::vec(prop_oneof![
        Just("user.x"), Just("account.y"), Just("page.path"), Just("locale"), Just("event(\"e\").count"),
        Just("days_until("), Just("time_since("), Just("("), Just(")"), Just("["), Just("]"), Just(","),
        Just("and"), Just("or"), Just("not"), Just("in"), Just("contains"), Just("matches"), Just("=="),
        Just("<="), Just(">"), Just("'s'"), Just("\"s"), Just("3"), Just("-0.5"), Just("30d"),
        Just("2026-05-01"), Just("2026-02-30"), Just("true"), Just("."), Just("é"), Just("\\"),
    ], 0..40)) {
        let src = parts.join(" ");
        if let Ok(c) = parse_condition(&src) {
            let ctx = Context::default();
            let _ = c.eval(&ctx.eval_context(NOW));
        } else if let Err(errs) = parse_condition(&src) {
            for e in errs {
                prop_assert!(e.span.start <= e.span.end && e.span.end <= src.len());
                let _ = e.render(&src);
            }
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn bucket_hash_is_uniform(campaign in "[a-z-]{1,20}", prefix in "[a-z_]{0,6}") {
        let n = 100_000u32;
        let mut deciles = [0u32; 10];
        let mut held = 0;
        for i in 0..n {
            let id = format!("{prefix}{i}");
            deciles[(bucket(HOLDOUT_SALT, &campaign, &id) / 1_000) as usize] += 1;
            let unit = Unit::new(&id).expect("never empty: it ends with a number");
            held += u32::from(in_holdout(&campaign, unit, 1_000));
        }
        // A 50/50 split is within ±2% (relative; over 6 standard deviations, so never flaky);
        // each tenth of the bucket space and a 10% holdout are within ±5% (5 deviations).
        let low: u32 = deciles[..5].iter().sum();
        prop_assert!((49_000..=51_000).contains(&low), "halves {} / {}", low, n - low);
        for d in deciles {
            prop_assert!((9_500..=10_500).contains(&d), "deciles {:?}", deciles);
        }
        prop_assert!((9_500..=10_500).contains(&held), "held out {}", held);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// `touchpoint check` never panics, whatever a file looks like: a real campaign file
    /// with random bytes replaced, inserted or removed.
    #[test]
    fn checking_a_mangled_file_never_panics(edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, prop_oneof![Just('"'), Just('['), Just('='), Just('\n'), Just('é'), Just('x'), Just(']'), Just(' ')]), 1..8)) {
        let mut text: Vec<char> = include_str!("../../../campaigns/nps-quarterly.toml").chars().collect();
        for (at, op, c) in edits {
            let i = at.index(text.len().max(1));
            match op {
                0 if i < text.len() => { text[i] = c; }
                1 => text.insert(i.min(text.len()), c),
                _ if i < text.len() => { text.remove(i); }
                _ => {}
            }
        }
        let text: String = text.into_iter().collect();
        if let Err(diags) = touchpoint_authoring::files::check_file("x.toml", &text) {
            prop_assert!(!diags.is_empty());
            for d in diags {
                let _ = d.to_string();
            }
        }
    }
}

#[test]
fn unknown_traits_never_match() {
    let c = parse_condition("not (user.plan == 'pro')").unwrap();
    assert!(!c.eval(&Context::default().eval_context(NOW)).is_true());
}
