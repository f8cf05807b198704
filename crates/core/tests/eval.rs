//! Three-valued evaluation of the targeting language, on conditions as authors write them
//! (parsed and type-checked by `touchpoint-authoring`).
#![cfg(not(target_arch = "wasm32"))] // the authoring crate is native-only
use serde_json::json;
use touchpoint_authoring::parse_condition;
use touchpoint_core::expr::{EvalContext, Tri};
use touchpoint_core::time::Timestamp;
use touchpoint_core::vocab::EventStat;
use touchpoint_core::vocab::{EventStats, Page};
use touchpoint_core::zone::Zone;

fn run(src: &str) -> Tri {
    let user = json!({"nps": 9, "role": "admin", "tags": ["beta", "eu"], "addr": {"cc": "FR"},
                      "signup": "2026-01-10"})
    .as_object()
    .cloned()
    .unwrap();
    let account = json!({"renewal_date": "2026-06-01", "seat_utilisation": 0.9, "plan": "pro"})
        .as_object()
        .cloned()
        .unwrap();
    let page = Page {
        url: "https://app.ledgerly.io/invoices/new".into(),
        path: "/invoices/new".into(),
        title: "New invoice".into(),
    };
    let mut events = EventStats::new();
    events.insert(
        "login".into(),
        EventStat {
            count: 4,
            last_seen: Some(Timestamp::from_date(2026, 2, 25)),
        },
    );
    let cx = EvalContext {
        user: &user,
        account: &account,
        page: &page,
        locale: "fr-FR",
        events: &events,
        now: Timestamp::from_date(2026, 3, 3),
        zone: &Zone::utc(),
    };
    parse_condition(src).unwrap().eval(&cx)
}

#[test]
fn evaluates_traits_events_and_dates() {
    assert_eq!(run("user.nps >= 9"), Tri::True);
    assert_eq!(run("days_until(account.renewal_date) <= 120"), Tri::True);
    assert_eq!(run("days_until(account.renewal_date) == 90"), Tri::True);
    assert_eq!(run("days_since(user.signup) == 52"), Tri::True);
    assert_eq!(run("time_since(event('login').last_seen) < 7d"), Tri::True);
    assert_eq!(
        run("event('login').count == 4 and event('nope').count == 0"),
        Tri::True
    );
    assert_eq!(run("account.renewal_date > 2026-05-01"), Tri::True);
    assert_eq!(run("2026-05-01 < account.renewal_date"), Tri::True);
    assert_eq!(run("user.role in ['admin', 'owner']"), Tri::True);
    assert_eq!(run("user.role not in ['admin']"), Tri::False);
    assert_eq!(
        run("user.tags contains 'eu' and page.title contains 'invoice'"),
        Tri::True
    );
    assert_eq!(
        run("page.path matches '/invoices/*' and locale matches 'fr*'"),
        Tri::True
    );
    assert_eq!(run("user.addr.cc == 'FR'"), Tri::True);
}

#[test]
fn unknown_never_matches() {
    assert_eq!(run("user.missing == 1"), Tri::Unknown);
    assert_eq!(run("not (user.missing == 1)"), Tri::Unknown);
    assert_eq!(run("user.missing != 1"), Tri::Unknown);
    assert_eq!(run("user.role > 3"), Tri::Unknown);
    assert_eq!(run("user.missing == 1 and false"), Tri::False);
    assert_eq!(run("user.missing == 1 or true"), Tri::True);
    assert_eq!(run("user.missing == 1 or false"), Tri::Unknown);
    assert_eq!(run("event('nope').last_seen > 2020-01-01"), Tri::Unknown);
    assert_eq!(run("user.missing in ['a']"), Tri::Unknown);
    assert_eq!(run("user.role"), Tri::Unknown);
}
