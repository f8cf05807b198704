//! The journey golden test: one Ledgerly account simulated day by day over 24 months with
//! the example playbook in `campaigns/`, through onboarding → adoption → steady state →
//! the seat-utilisation growth signal → the renewal window → renewal → back to Service.
//!
//! The readable timeline is compared exactly with `tests/golden/journey.txt`. To accept a
//! deliberate change, re-bless it: `TOUCHPOINT_BLESS=1 cargo test -p touchpoint-core --test journey`.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use touchpoint_authoring::files::check_files;
use touchpoint_core::attribution::attribute;
use touchpoint_core::campaign::compiled;
use touchpoint_core::campaign::ConversionGoal;
use touchpoint_core::context::{AccountDates, Occurrence, Session};
use touchpoint_core::history::event_stats;
use touchpoint_core::uuid::Uuid;
use touchpoint_core::{decide, Arm, Campaign, Context, Event, EventKind, History, Timestamp};

const DAY: i64 = 86_400_000;

/// The playbook as the widget reads it from the compiled catalog, and the conversion goals
/// the server keeps for itself (the catalog does not carry them).
fn playbook() -> (Vec<Campaign>, Vec<(String, ConversionGoal)>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../campaigns");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let texts: Vec<(String, String)> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect();
    let report = check_files(texts.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    assert!(report.is_ok(), "{:?}", report.diagnostics);
    // The server validates and sends the compiled catalog; the widget decides over what it
    // reads back from it.
    let campaigns: Vec<Campaign> = report.campaigns.into_iter().map(|(_, c)| c).collect();
    let goals = campaigns
        .iter()
        .filter_map(|c| Some((c.id.clone(), c.conversion.clone()?)))
        .collect();
    let text = serde_json::to_string(&compiled::Catalog::new(&campaigns)).unwrap();
    let (read, rejected) = compiled::decode_catalog(&serde_json::from_str(&text).unwrap()).unwrap();
    assert!(rejected.is_empty(), "{rejected:?}");
    (read, goals)
}

/// The collector's default policy as the widget reads it from the catalog (signals parsed
/// from their text on the server).
fn catalog_policy() -> touchpoint_core::Policy {
    let policy = touchpoint_authoring::policy::defaults();
    let text = serde_json::to_string(&compiled::Catalog::new(&[]).with_policy(&policy)).unwrap();
    compiled::decode_policy(&serde_json::from_str(&text).unwrap()).unwrap()
}

struct Sim {
    campaigns: Vec<Campaign>,
    goals: Vec<(String, ConversionGoal)>,
    events: Vec<Event>,
    ctx: Context,
    seq: u64,
    log: String,
    views: BTreeMap<String, u32>,
    per_phase: BTreeMap<String, BTreeMap<String, u32>>,
    persistent_yesterday: BTreeSet<String>,
    persistent_today: BTreeSet<String>,
}

impl Sim {
    fn event(&mut self, kind: EventKind, ts: Timestamp, campaign: Option<&str>) -> &mut Event {
        self.seq += 1;
        let mut rand = [0u8; 10];
        rand[2..10].copy_from_slice(&self.seq.to_be_bytes());
        let mut e = Event::new(Uuid::v7(ts.as_millis() as u64, rand), kind, ts);
        e.user_id = self.ctx.user.id.clone();
        e.account_id = self.ctx.account.id.clone();
        e.campaign_id = campaign.map(Into::into);
        self.events.push(e);
        self.events.last_mut().unwrap()
    }

    fn history(&self) -> History {
        History::from_events(&self.events, &self.ctx.user, self.ctx.account.id.as_deref())
    }

    fn track(&mut self, name: &str, ts: Timestamp) {
        self.event(EventKind::Track, ts, None).name = Some(name.into());
        let goal_event = self.events.last().unwrap().id;
        // Conversions as the server attributes them from the stored events, and hands back
        // in the history it serves (which is what `stop_after_conversion` reads).
        let mut hits = Vec::new();
        for (id, goal) in &self.goals {
            for w in attribute(id, goal, &self.events) {
                if w.conversion.is_some_and(|c| c.event_id == goal_event) {
                    hits.push((id.clone(), w.arm == Arm::Holdout));
                }
            }
        }
        for (id, holdout) in hits {
            self.event(EventKind::Conversion, ts, Some(&id)).holdout = holdout;
            let _ = writeln!(
                self.log,
                "{}  {:<36} {:<34} $ conversion {id}{}",
                day(ts),
                "",
                format!("track {name}"),
                if holdout { " (holdout)" } else { "" }
            );
        }
        self.ctx.events = event_stats(&self.events, &self.ctx.user);
        self.ctx.trigger = Occurrence::Track { name: name.into() };
        self.decide_and_react(ts, &format!("track {name}"));
    }

    fn page(&mut self, path: &str, ts: Timestamp) {
        self.ctx.page.path = path.into();
        self.ctx.page.url = format!("https://app.ledgerly.example{path}");
        self.ctx.trigger = Occurrence::PageLoad;
        self.decide_and_react(ts, &format!("page {path}"));
    }

    fn decide_and_react(&mut self, now: Timestamp, what: &str) {
        let d = decide(&self.campaigns, &self.ctx, &self.history(), now);
        let phase = d.lifecycle.as_ref().map_or("unknown".to_owned(), |l| {
            let mut s = format!("{}/{}", l.stage, l.phase.map_or("none", |p| p.as_str()));
            for sig in &l.signals {
                let _ = write!(s, "+{sig}");
            }
            s
        });
        for n in d.shown {
            let id = n.campaign_id.clone();
            // A holdout member is placed like anyone: its would-be view is an exposure,
            // counted this session, and nothing is shown.
            let e = self.event(EventKind::Impression, now, Some(&id));
            e.variant = Some(n.variant.clone());
            e.holdout = n.arm == Arm::Holdout;
            self.ctx.session.shown.push(id.clone());
            if n.slot == touchpoint_core::campaign::Slot::Overlay {
                self.ctx.session.modals_shown += 1;
            }
            if n.arm == Arm::Holdout {
                let _ = writeln!(
                    self.log,
                    "{}  {phase:<36} {what:<34} ~ {id} ({}, held out)",
                    day(now),
                    n.variant
                );
                continue;
            }
            let nth = {
                let v = self.views.entry(id.clone()).or_default();
                *v += 1;
                *v
            };
            *self
                .per_phase
                .entry(phase.clone())
                .or_default()
                .entry(id.clone())
                .or_default() += 1;
            let (reaction, follow_up) = self.react(&id, nth, now);
            let arm = match &n.cue {
                Some(a) => format!(
                    " after {}",
                    serde_json::to_value(a).unwrap()["type"].as_str().unwrap()
                ),
                None => String::new(),
            };
            // Feed items and the checklist stay on screen: log only the first day of a run.
            let persistent = !n.slot.is_nudge();
            if persistent {
                self.persistent_today.insert(id.clone());
            }
            if !persistent || !self.persistent_yesterday.contains(&id) {
                let _ = writeln!(
                    self.log,
                    "{}  {phase:<36} {what:<34} + {id} [{}{arm}] {} -> {reaction}",
                    day(now),
                    n.format.name(),
                    n.variant
                );
            }
            if let Some(name) = follow_up {
                self.track(name, now.plus_ms(1));
            }
        }
    }

    /// What the simulated owner does with a nudge (deterministic, by campaign and view).
    fn react(&mut self, id: &str, nth: u32, now: Timestamp) -> (String, Option<&'static str>) {
        let cta = |sim: &mut Sim, cta: &str| {
            sim.event(EventKind::Cta, now, Some(id))
                .props
                .insert("cta".into(), json!(cta));
        };
        let mut follow_up = None;
        let said: String = match (id, nth) {
            ("onboarding-checklist" | "announcement-payment-links-feed", _) => {
                "stays visible".into()
            }
            ("toast-first-payment", _) => "seen".into(),
            ("adoption-recurring-invoices", 1) | ("growth-seat-upgrade", 1) => {
                self.event(EventKind::Snooze, now, Some(id));
                "snooze".into()
            }
            ("adoption-recurring-invoices", _) => {
                cta(self, "try-recurring");
                follow_up = Some("recurring_invoice_created");
                "cta try-recurring".into()
            }
            ("growth-seat-upgrade", _) => {
                cta(self, "talk-to-sales");
                self.event(EventKind::Dismiss, now, Some(id));
                "cta talk-to-sales (lead: sales)".into()
            }
            ("nps-quarterly", _) => {
                self.event(EventKind::SurveyResponse, now, Some(id))
                    .props
                    .insert("score".into(), json!(9));
                self.ctx.user.traits.insert("nps".into(), json!(9));
                "answer 9 (lead: marketing)".into()
            }
            ("csat-support-ticket", _) => {
                self.event(EventKind::SurveyResponse, now, Some(id))
                    .props
                    .insert("score".into(), json!(5));
                "answer 5".into()
            }
            ("ebr-scheduling", _) => {
                cta(self, "book");
                follow_up = Some("ebr_booked");
                "cta book".into()
            }
            ("expansion-payroll-addon", 1) => {
                cta(self, "add-payroll");
                self.event(EventKind::Dismiss, now, Some(id));
                "cta add-payroll (lead: sales)".into()
            }
            ("advocacy-referral", 1) => {
                cta(self, "write-review");
                self.event(EventKind::Dismiss, now, Some(id));
                "cta write-review (lead: marketing)".into()
            }
            _ => {
                self.event(EventKind::Dismiss, now, Some(id));
                "dismiss".into()
            }
        };
        (said, follow_up)
    }
}

fn day(t: Timestamp) -> String {
    t.to_string()[..10].to_owned()
}

fn date(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn simulate() -> String {
    let mut ctx = Context {
        policy: catalog_policy().into(),
        ..Context::default()
    };
    ctx.user.id = Some("owner-1".into());
    ctx.user.traits = json!({"role": "owner", "email": "maya@acme-studio.example"})
        .as_object()
        .cloned()
        .unwrap();
    ctx.locale = "en-GB".into();
    ctx.account.id = Some("acme-studio".into());
    let (campaigns, goals) = playbook();
    let mut sim = Sim {
        campaigns,
        goals,
        events: Vec::new(),
        ctx,
        seq: 0,
        log: String::new(),
        views: BTreeMap::new(),
        per_phase: BTreeMap::new(),
        persistent_yesterday: BTreeSet::new(),
        persistent_today: BTreeSet::new(),
    };
    // The account's story: scripted host events by date.
    let script: BTreeMap<&str, Vec<&str>> = BTreeMap::from([
        ("2026-01-06", vec!["company_profile_completed"]),
        ("2026-01-08", vec!["bank_connected"]),
        ("2026-01-14", vec!["invoice_sent"]),
        ("2026-01-28", vec!["invoice_paid"]),
        ("2026-02-03", vec!["teammate_invited"]),
        ("2026-03-10", vec!["support_ticket_closed"]),
        ("2026-06-15", vec!["plan_upgraded"]),
        ("2026-09-22", vec!["payment_link_created"]),
        ("2026-11-16", vec!["renewal_signed"]),
        ("2027-02-09", vec!["support_ticket_closed"]),
    ]);
    let start = date("2026-01-05");
    let mut last_phase = String::new();
    for n in 0..730 {
        let today = Timestamp(start.as_millis() + n * DAY);
        let ymd = day(today);
        // The account as the host describes it on this day.
        let mut account = json!({
            "contract_start": "2026-01-05",
            "contract_end": if ymd.as_str() < "2026-11-16" { "2027-01-05" } else { "2028-01-05" },
            "arr": 12_000, "plan": "pro",
            "seat_utilisation": match ymd.as_str() {
                d if d < "2026-05-11" => 0.55,
                d if d < "2026-06-15" => 0.9,
                d if d < "2026-09-14" => 0.62,
                d if d < "2026-11-16" => 0.88,
                d if d < "2027-10-01" => 0.7,
                _ => 0.86,
            },
        });
        if ymd.as_str() >= "2026-01-14" {
            account["first_value"] = json!("2026-01-14");
        }
        sim.ctx.account.traits = account.as_object().cloned().unwrap();
        sim.ctx.account.dates = AccountDates::from_traits(&sim.ctx.account.traits);
        let weekday = (today.as_millis() / DAY + 3).rem_euclid(7); // 0 = Monday
        if weekday >= 5 {
            continue;
        }
        sim.ctx.session = Session::default();
        sim.persistent_yesterday = std::mem::take(&mut sim.persistent_today);
        let morning = today.plus_ms(9 * 3_600_000);
        sim.page("/app/dashboard", morning);
        if let Some(names) = script.get(ymd.as_str()) {
            for (i, name) in names.iter().enumerate() {
                sim.track(name, morning.plus_ms(60_000 * (i as i64 + 1)));
            }
        }
        if ymd.as_str() > "2026-01-14" {
            sim.track("invoice_sent", morning.plus_ms(600_000));
        }
        sim.page("/app/invoices", morning.plus_ms(900_000));
        let d = decide(
            &sim.campaigns,
            &sim.ctx,
            &sim.history(),
            morning.plus_ms(900_000),
        );
        let phase = d.lifecycle.map_or("unknown".into(), |l| {
            format!("{}/{}", l.stage, l.phase.map_or("none", |p| p.as_str()))
        });
        if phase != last_phase {
            let _ = writeln!(sim.log, "== {ymd}: {phase}");
            last_phase = phase;
        }
    }
    let mut out = String::from(
        "# Journey of acme-studio (owner-1), 2026-01-05 .. 2028-01-04, business days.\n",
    );
    out.push_str("# date        lifecycle (stage/phase+signals)      occurrence                         nudge\n");
    // Phase headers are logged at the end of a day; move each before that day's lines.
    let mut lines: Vec<String> = sim.log.lines().map(str::to_owned).collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with("== ") {
            let d = lines[i][3..13].to_owned();
            let mut j = i;
            while j > 0 && lines[j - 1].starts_with(&d) {
                j -= 1;
            }
            let header = lines.remove(i);
            lines.insert(j, header);
        }
        i += 1;
    }
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str("\n# Nudges shown per lifecycle phase\n");
    for (phase, counts) in &sim.per_phase {
        let list: Vec<String> = counts.iter().map(|(id, n)| format!("{id}×{n}")).collect();
        let _ = writeln!(out, "{phase:<36} {}", list.join(", "));
    }
    out
}

#[test]
fn journey_matches_golden_timeline() {
    let actual = simulate();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/journey.txt");
    if std::env::var_os("TOUCHPOINT_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let mut diff = String::new();
        let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
        let mut shown = 0;
        for i in 0..e.len().max(a.len()) {
            let (x, y) = (e.get(i).copied(), a.get(i).copied());
            if x != y && shown < 20 {
                shown += 1;
                let _ = writeln!(
                    diff,
                    "line {}:\n  - {}\n  + {}",
                    i + 1,
                    x.unwrap_or("<none>"),
                    y.unwrap_or("<none>")
                );
            }
        }
        panic!(
            "journey timeline differs from {} (first differences below).\n{diff}\
             If the change is intended, re-bless with TOUCHPOINT_BLESS=1 cargo test -p touchpoint-core --test journey",
            path.display()
        );
    }
}

/// "One NPS per account per 90 days": once a teammate has seen the survey, the account cap
/// (built from the account's events, as the server stores them) holds it back for everyone.
#[test]
fn nps_is_once_per_account_per_ninety_days() {
    let (campaigns, _) = playbook();
    let nps = campaigns.iter().find(|c| c.id == "nps-quarterly").unwrap();
    let user = |id: &str| {
        let mut ctx = Context::default();
        ctx.user.id = Some(id.into());
        ctx.user.traits = json!({"role": "admin"}).as_object().cloned().unwrap();
        ctx.account.id = Some("acme-studio".into());
        ctx.account.traits = json!({"contract_start": "2026-01-05", "contract_end": "2028-01-05", "first_value": "2026-01-14"})
            .as_object()
            .cloned()
            .unwrap();
        ctx.account.dates = AccountDates::from_traits(&ctx.account.traits);
        ctx.page.path = "/app/dashboard".into();
        ctx
    };
    let now = date("2026-06-01T09:00:00Z");
    let (ana, ben) = (user("ana"), user("ben"));
    let shown = |ctx: &Context, events: &[Event], now: Timestamp| {
        let h = History::from_events(events, &ctx.user, ctx.account.id.as_deref());
        decide(std::slice::from_ref(nps), ctx, &h, now).shown.len() == 1
    };
    assert!(shown(&ana, &[], now) && shown(&ben, &[], now));
    let mut seen = Event::new(
        Uuid::v7(now.as_millis() as u64, [9; 10]),
        EventKind::Impression,
        now,
    );
    seen.user_id = Some("ana".into());
    seen.account_id = Some("acme-studio".into());
    seen.campaign_id = Some("nps-quarterly".into());
    let events = vec![seen];
    let later = now.plus_days(30);
    assert!(
        !shown(&ben, &events, later),
        "Ben's account already had its NPS this quarter"
    );
    assert!(
        shown(&ben, &events, now.plus_days(90)),
        "a new quarter, a new survey"
    );
}
