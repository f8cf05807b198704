//! Issue 11, item 5: a campaign's `[conversion]` goal is attributed on the server from the
//! stored goal events, for treatment and holdout alike, across devices and from the
//! vendor's backend; the admin API reports it per arm and `/v1/history` hands each user
//! their own conversions. Over a real loopback socket and a real SQLite file.
mod common;

use common::*;
use serde_json::{json, Value};
use touchpoint_server::catalog::Catalog;
use touchpoint_server::config::{Environment, Limits, Origins};
use touchpoint_server::{app, StaticDirs};

const DAY: i64 = 86_400_000;

const RENEW: &str = r#"
id = "renew"
name = "Renewal reminder"
goal = "renewal"
holdout = 20

[trigger]
on = "page_load"
url = "/app/**"

[format]
kind = "banner"

[content.en]
title = "Your contract ends soon"
body = "Renew today."

[conversion]
event = "renewal_signed"
within_days = 30
"#;

const TIP: &str = r#"
id = "tip"
name = "A tip"
goal = "adoption"

[trigger]
on = "page_load"

[format]
kind = "toast"

[content.en]
title = "Tip"
body = "Try it."
"#;

async fn server() -> (String, tempfile::TempDir) {
    let report =
        touchpoint_authoring::files::check_files([("renew.toml", RENEW), ("tip.toml", TIP)]);
    assert!(report.is_ok(), "{:?}", report.diagnostics);
    let campaigns = report.campaigns.into_iter().map(|(_, c)| c).collect();
    let mut env = Environment::open("pk_test");
    env.origins = Origins::List(vec!["https://app.example".into()]);
    let (state, dir) = sqlite_state(vec![env]).await;
    state.set_catalog(Catalog::new(campaigns));
    let url = serve_loopback(app(
        state.with_limits(Limits::default()),
        &StaticDirs::default(),
    ))
    .await;
    (url, dir)
}

fn impression(
    i: u32,
    user: Option<&str>,
    anon: Option<&str>,
    days_ago: i64,
    holdout: bool,
) -> Value {
    json!({"id": uuid(i), "type": "impression", "ts": NOW - days_ago * DAY, "user_id": user,
           "anonymous_id": anon, "account_id": "acme", "campaign_id": "renew",
           "variant": "control", "holdout": holdout})
}

fn tracked(i: u32, user: &str, days_ago: i64) -> Value {
    json!({"id": uuid(i), "type": "track", "ts": NOW - days_ago * DAY, "user_id": user,
           "account_id": "acme", "name": "renewal_signed"})
}

async fn post(url: &str, events: Vec<Value>, origin: Option<&str>) {
    let mut req = reqwest::Client::new()
        .post(format!("{url}/v1/events?key=pk_test"))
        .json(&json!({ "events": events }));
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let res = req.send().await.expect("post");
    assert_eq!(res.status().as_u16(), 200, "{:?}", res.text().await);
}

async fn get(url: &str, path: &str, admin: bool) -> (u16, Value) {
    let mut req = reqwest::Client::new().get(format!("{url}{path}"));
    if admin {
        req = req.bearer_auth("admin");
    }
    let res = req.send().await.expect("get");
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

fn conversions_of(history: &Value) -> Vec<&Value> {
    history["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["type"] == "conversion")
        .collect()
}

#[tokio::test]
async fn conversions_are_attributed_from_the_goal_event_for_both_arms() {
    let (url, _dir) = server().await;
    let page = Some("https://app.example");
    // Ada saw the reminder on her laptop before signing in, then signed in there.
    let identify = json!({"id": uuid(2), "type": "identify", "ts": NOW - 10 * DAY + 1,
                          "user_id": "ada", "anonymous_id": "laptop", "account_id": "acme"});
    // Hal is in the holdout and tracked the goal himself, in the browser.
    // Tess saw it and sent a `conversion` of her own (an old widget did that on a CTA).
    let tess_says = json!({"id": uuid(6), "type": "conversion", "ts": NOW - 9 * DAY,
                           "user_id": "tess", "account_id": "acme", "campaign_id": "renew"});
    // Old saw it 40 days ago and renewed 5 days ago: beyond the 30-day window.
    post(
        &url,
        vec![
            impression(1, None, Some("laptop"), 10, false),
            identify,
            impression(3, Some("hal"), Some("hal-pc"), 10, true),
            tracked(4, "hal", 5),
            impression(5, Some("tess"), Some("tess-pc"), 10, false),
            tess_says,
            impression(7, Some("old"), None, 40, false),
            tracked(8, "old", 5),
        ],
        page,
    )
    .await;
    // The billing backend tracks Ada's renewal: no origin, her user id only.
    post(&url, vec![tracked(9, "ada", 2)], None).await;

    let (status, body) = get(&url, "/v1/admin/conversions?campaign_id=renew", true).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["goal"],
        json!({"event": "renewal_signed", "within_days": 30, "scope": "user"})
    );
    let totals = &body["environments"][0]["totals"];
    assert_eq!(
        totals["treatment"],
        json!({"exposed": 3, "converted": 1, "windows": 3, "conversions": 1}),
        "{body}"
    );
    assert_eq!(
        totals["holdout"],
        json!({"exposed": 1, "converted": 1, "windows": 1, "conversions": 1}),
        "{body}"
    );
    let windows = body["environments"][0]["windows"]
        .as_array()
        .expect("windows");
    let ada = windows
        .iter()
        .find(|w| w["party"] == json!({"kind": "user", "id": "ada"}))
        .expect("the laptop's exposure is Ada's once the device is linked");
    assert_eq!(ada["conversion"]["event_id"], uuid(9));

    // On another device, Ada's history carries her conversion (so `stop_after_conversion`
    // holds there too); Tess's own `conversion` is not one.
    let (_, h) = get(
        &url,
        "/v1/history?key=pk_test&user_id=ada&anonymous_id=phone&account_id=acme",
        false,
    )
    .await;
    let mine = conversions_of(&h);
    assert_eq!(mine.len(), 1, "{h}");
    assert_eq!(mine[0]["campaign_id"], "renew");
    assert_eq!(mine[0]["holdout"], false);
    assert_eq!(mine[0]["user_id"], "ada");
    assert_eq!(mine[0]["ts"], NOW - 2 * DAY);
    assert_ne!(mine[0]["id"], uuid(9), "a new id, not the goal event's");
    let (_, again) = get(
        &url,
        "/v1/history?key=pk_test&user_id=ada&anonymous_id=phone&account_id=acme",
        false,
    )
    .await;
    assert_eq!(
        conversions_of(&again)[0]["id"],
        mine[0]["id"],
        "the same id every time"
    );
    let (_, hal) = get(&url, "/v1/history?key=pk_test&user_id=hal", false).await;
    assert_eq!(conversions_of(&hal)[0]["holdout"], true);
    let (_, tess) = get(&url, "/v1/history?key=pk_test&user_id=tess", false).await;
    assert!(conversions_of(&tess).is_empty(), "{tess}");
    let (_, old) = get(&url, "/v1/history?key=pk_test&user_id=old", false).await;
    assert!(conversions_of(&old).is_empty(), "{old}");
}

#[tokio::test]
async fn the_conversions_report_names_what_it_cannot_answer() {
    let (url, _dir) = server().await;
    let (status, _) = get(&url, "/v1/admin/conversions?campaign_id=renew", false).await;
    assert_eq!(status, 401);
    let (status, body) = get(&url, "/v1/admin/conversions?campaign_id=nope", true).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("unknown_campaign"))
    );
    let (status, body) = get(&url, "/v1/admin/conversions?campaign_id=tip", true).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("no_conversion_goal"))
    );
    let (status, body) = get(&url, "/v1/admin/conversions", true).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_query"))
    );
    let (status, body) = get(
        &url,
        "/v1/admin/conversions?campaign_id=renew&env_key=pk_other",
        true,
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unknown_key"))
    );
}
