//! The collector's defences and contracts over a real loopback socket: origins and CORS
//! preflights, rate limits with `Retry-After`, size limits, identity verification, and the
//! history that carries dismissals across devices and caps across an account.
mod common;

use common::*;
use serde_json::{json, Value};
use touchpoint_server::config::{Environment, Identity, Limits, Origins, Secret};
use touchpoint_server::{app, identity::sign, StaticDirs};

fn env(key: &str, origins: Origins, identity: Identity) -> Environment {
    Environment {
        name: key.into(),
        key: key.into(),
        origins,
        identity,
    }
}

async fn server(envs: Vec<Environment>, limits: Limits) -> (String, tempfile::TempDir) {
    let (state, dir) = sqlite_state(envs).await;
    let url = serve_loopback(app(state.with_limits(limits), &StaticDirs::default())).await;
    (url, dir)
}

async fn post(
    url: &str,
    key: &str,
    body: &Value,
    origin: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{url}/v1/events?key={key}"))
        .json(body);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.json().await.unwrap_or(Value::Null))
}

async fn admin_total(url: &str, query: &str) -> u64 {
    let res = reqwest::Client::new()
        .get(format!("{url}/v1/admin/events?{query}"))
        .bearer_auth("admin")
        .send()
        .await
        .expect("admin");
    res.json::<Value>().await.expect("json")["total"]
        .as_u64()
        .expect("total")
}

#[tokio::test]
async fn origins_are_enforced_and_preflights_answered() {
    let origins = Origins::List(vec!["https://app.example.com".into()]);
    let (url, _dir) = server(
        vec![env("pk_live", origins, Identity::Off)],
        Limits::default(),
    )
    .await;
    let batch = json!({ "events": [event(&uuid(1), "cta")] });

    let (status, headers, _) = post(&url, "pk_live", &batch, Some("https://app.example.com")).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://app.example.com"
    );

    let (status, headers, body) =
        post(&url, "pk_live", &batch, Some("https://evil.example.net")).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "origin_not_allowed");
    assert!(
        headers.get("access-control-allow-origin").is_none(),
        "no CORS grant for a refused origin"
    );

    let res = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{url}/v1/events?key=pk_live"),
        )
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("preflight");
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert!(res.headers()["access-control-allow-methods"]
        .to_str()
        .expect("text")
        .contains("POST"));
    assert!(res.headers()["access-control-allow-headers"]
        .to_str()
        .expect("text")
        .contains("content-type"));
    assert_eq!(
        admin_total(&url, "").await,
        1,
        "the refused origin stored nothing"
    );
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let limits = Limits {
        per_ip_per_minute: 3,
        ..Limits::default()
    };
    let (url, _dir) = server(vec![Environment::open("pk_test")], limits).await;
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for i in 0..5 {
        let (status, headers, body) = post(
            &url,
            "pk_test",
            &json!({ "events": [event(&uuid(i), "cta")] }),
            None,
        )
        .await;
        statuses.push(status);
        if status == 429 {
            assert_eq!(body["error"]["code"], "rate_limited");
            retry_after = headers
                .get("retry-after")
                .map(|v| v.to_str().expect("text").parse::<u64>().expect("seconds"));
        }
    }
    assert_eq!(statuses, vec![200, 200, 200, 429, 429]);
    assert!(
        retry_after.is_some_and(|s| (1..=60).contains(&s)),
        "Retry-After in seconds: {retry_after:?}"
    );
    let stats: Value = reqwest::Client::new()
        .get(format!("{url}/v1/admin/stats"))
        .bearer_auth("admin")
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("json");
    assert_eq!(stats["rate_limited"], 2);
    assert_eq!(stats["accepted"], 3);
}

#[tokio::test]
async fn a_page_on_another_origin_can_read_why_and_when_to_retry() {
    // Issue 9: the widget runs on the vendor's origin; a 429's Retry-After is useless to it
    // unless CORS lets it read the header.
    let limits = Limits {
        per_ip_per_minute: 1,
        ..Limits::default()
    };
    let (url, _dir) = server(vec![Environment::open("pk_test")], limits).await;
    let origin = Some("https://app.vendor.example");
    let batch = |i| json!({ "events": [event(&uuid(i), "cta")] });
    let (first, ..) = post(&url, "pk_test", &batch(0), origin).await;
    assert_eq!(first, 200);
    let (status, headers, body) = post(&url, "pk_test", &batch(1), origin).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://app.vendor.example"
    );
    let exposed = headers["access-control-expose-headers"]
        .to_str()
        .expect("text")
        .to_ascii_lowercase();
    assert!(
        exposed.split(',').any(|h| h.trim() == "retry-after"),
        "Retry-After readable cross-origin: {exposed}"
    );
    assert!(headers.contains_key("retry-after"));
}

#[tokio::test]
async fn oversize_batches_and_events_are_413() {
    let limits = Limits {
        max_batch_bytes: 4096,
        max_event_bytes: 1024,
        ..Limits::default()
    };
    let (url, _dir) = server(vec![Environment::open("pk_test")], limits).await;
    let mut big = event(&uuid(1), "track");
    big["name"] = json!("x");
    big["props"] = json!({ "blob": "y".repeat(2000) });
    let (status, _, body) = post(&url, "pk_test", &json!({ "events": [big.clone()] }), None).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "too_large");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("events[0]"),
        "{body}"
    );

    // One oversize event among good ones: the others are stored.
    let (status, _, body) = post(
        &url,
        "pk_test",
        &json!({ "events": [event(&uuid(2), "cta"), big] }),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["results"][1]["error"]["code"], "too_large");

    let many: Vec<Value> = (10..90).map(|i| event(&uuid(i), "impression")).collect();
    let (status, _, body) = post(&url, "pk_test", &json!({ "events": many }), None).await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("the batch"),
        "{body}"
    );
    assert_eq!(admin_total(&url, "").await, 1);
}

#[tokio::test]
async fn enforced_identity_rejects_unsigned_and_spoofed_users() {
    let secret = "s3cret";
    let (url, _dir) = server(
        vec![env(
            "pk_live",
            Origins::Any,
            Identity::Enforced(Secret(secret.into())),
        )],
        Limits::default(),
    )
    .await;
    let mut signed = event(&uuid(1), "cta");
    signed["user_hash"] = json!(sign(secret, "u1"));
    let mut spoofed = event(&uuid(2), "cta");
    spoofed["user_id"] = json!("u2");
    spoofed["user_hash"] = json!(sign(secret, "u1"));
    let unsigned = event(&uuid(3), "cta");
    let mut anonymous = event(&uuid(4), "impression");
    anonymous["user_id"] = Value::Null;
    anonymous["anonymous_id"] = json!("anon-1");

    let (status, _, body) = post(
        &url,
        "pk_live",
        &json!({ "events": [signed, spoofed.clone(), unsigned, anonymous] }),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let statuses: Vec<&str> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        statuses,
        vec!["accepted", "rejected", "rejected", "accepted"]
    );
    assert_eq!(body["results"][1]["error"]["code"], "identity_unverified");
    assert_eq!(body["results"][2]["error"]["field"], "events[2].user_hash");

    let (status, _, body) = post(&url, "pk_live", &json!({ "events": [spoofed] }), None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "identity_unverified");
    assert_eq!(admin_total(&url, "").await, 2);
    let stored = reqwest::Client::new()
        .get(format!("{url}/v1/admin/events?user_id=u1"))
        .bearer_auth("admin")
        .send()
        .await
        .expect("admin")
        .json::<Value>()
        .await
        .expect("json");
    assert!(
        stored["events"][0].get("user_hash").is_none(),
        "the signature is not stored: {stored}"
    );

    let res = reqwest::get(format!("{url}/v1/history?key=pk_live&user_id=u1"))
        .await
        .expect("history");
    assert_eq!(
        res.status().as_u16(),
        401,
        "history of a user needs their signature too"
    );
    let res = reqwest::get(format!(
        "{url}/v1/history?key=pk_live&user_id=u1&user_hash={}",
        sign(secret, "u1")
    ))
    .await
    .expect("history");
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn history_follows_the_user_and_the_account_without_naming_colleagues() {
    let (url, _dir) = server(vec![Environment::open("pk_test")], Limits::default()).await;
    let mut mine = event(&uuid(1), "dismiss");
    mine["account_id"] = json!("acme");
    mine["campaign_id"] = json!("tips");
    let mut colleague = event(&uuid(2), "survey_response");
    colleague["user_id"] = json!("u9");
    colleague["account_id"] = json!("acme");
    colleague["campaign_id"] = json!("nps");
    colleague["props"] = json!({ "score": 3 });
    let mut stranger = event(&uuid(3), "dismiss");
    stranger["user_id"] = json!("u7");
    stranger["account_id"] = json!("globex");
    let mut tracked = event(&uuid(4), "track");
    tracked["name"] = json!("invoice_sent");
    tracked["campaign_id"] = Value::Null;
    let (status, _, body) = post(
        &url,
        "pk_test",
        &json!({ "events": [mine, colleague, stranger, tracked] }),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let h: Value = reqwest::get(format!(
        "{url}/v1/history?key=pk_test&user_id=u1&account_id=acme"
    ))
    .await
    .expect("history")
    .json()
    .await
    .expect("json");
    let events = h["events"].as_array().expect("events");
    let ids: Vec<&str> = events
        .iter()
        .map(|e| e["campaign_id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        events.len(),
        2,
        "mine and my colleague's campaign events only: {h}"
    );
    assert!(ids.contains(&"tips") && ids.contains(&"nps"));
    let nps = events
        .iter()
        .find(|e| e["campaign_id"] == "nps")
        .expect("nps");
    assert_eq!(nps["user_id"], Value::Null, "a colleague is not named");
    assert_eq!(nps["props"], json!({}), "nor are their answers shown");
    let tips = events
        .iter()
        .find(|e| e["campaign_id"] == "tips")
        .expect("tips");
    assert_eq!(tips["user_id"], "u1");

    let res = reqwest::get(format!("{url}/v1/history?key=pk_test"))
        .await
        .expect("history");
    assert_eq!(res.status().as_u16(), 400);
}

/// Issue 11: an arm is sticky. The history answers with what the core needs to rebuild each
/// campaign's first exposure — the impression's `holdout` flag and `variant` — including
/// the impressions made while the visitor was anonymous, so an `identify` that changes the
/// bucketing id does not flip their arm.
#[tokio::test]
async fn history_carries_the_arm_and_variant_of_the_first_exposure() {
    use touchpoint_core::{context::User, Arm, Event, History};
    let (url, _dir) = server(vec![Environment::open("pk_test")], Limits::default()).await;
    let mut anonymous = event(&uuid(1), "impression");
    anonymous["ts"] = json!(NOW - 5000);
    anonymous["user_id"] = Value::Null;
    anonymous["anonymous_id"] = json!("anon-1");
    anonymous["account_id"] = json!("acme");
    anonymous["campaign_id"] = json!("exp");
    anonymous["variant"] = json!("b");
    anonymous["holdout"] = json!(true);
    let mut later = anonymous.clone();
    later["id"] = json!(uuid(2));
    later["ts"] = json!(NOW - 1000);
    later["user_id"] = json!("u1");
    let mut colleague = later.clone();
    colleague["id"] = json!(uuid(3));
    colleague["user_id"] = json!("u9");
    colleague["anonymous_id"] = json!("anon-9");
    let (status, _, body) = post(
        &url,
        "pk_test",
        &json!({ "events": [anonymous, later, colleague] }),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let h: Value = reqwest::get(format!(
        "{url}/v1/history?key=pk_test&user_id=u1&anonymous_id=anon-1&account_id=acme"
    ))
    .await
    .expect("history")
    .json()
    .await
    .expect("json");
    let events: Vec<Event> = h["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| Event::from_json_value(e).expect("a history event reads as an event"))
        .collect();
    assert_eq!(events.len(), 3, "{h}");
    assert!(events
        .iter()
        .all(|e| e.holdout && e.variant.as_deref() == Some("b")));
    let user = User {
        id: Some("u1".into()),
        anonymous_id: Some("anon-1".into()),
        ..User::default()
    };
    let history = History::from_events(&events, &user, Some("acme"));
    let exp = history.campaign("exp");
    let first = exp.first.as_ref().expect("a first exposure");
    assert_eq!(
        (first.at.as_millis(), first.arm, first.variant.as_deref()),
        (common::NOW - 5000, Arm::Holdout, Some("b"))
    );
    assert_eq!(exp.user.views().len(), 2, "both of the user's exposures");
    assert_eq!(
        exp.account.views().len(),
        3,
        "and the colleague's, for account caps"
    );
}

/// Issue 11: the history keeps each campaign's first exposure of the user even when it is
/// older than the history's window, so the arm it recorded survives.
#[tokio::test]
async fn history_keeps_the_first_exposure_older_than_its_window() {
    use touchpoint_server::routes::history::HISTORY_DAYS;
    use touchpoint_server::store::StoredEvent;
    let (state, _dir) = sqlite_state(vec![Environment::open("pk_test")]).await;
    let long_ago = NOW - (HISTORY_DAYS + 30) * 86_400_000;
    let mut first = event(&uuid(1), "impression");
    first["ts"] = json!(long_ago);
    first["campaign_id"] = json!("exp");
    first["variant"] = json!("b");
    first["holdout"] = json!(true);
    let row = |e: &Value, ts: i64| StoredEvent {
        id: e["id"].as_str().expect("id").into(),
        env_key: "pk_test".into(),
        kind: e["type"].as_str().expect("type").into(),
        ts_client: ts,
        ts_server: ts,
        user_id: Some("u1".into()),
        anonymous_id: None,
        account_id: None,
        campaign_id: Some("exp".into()),
        name: None,
        body: e.to_string(),
    };
    let mut later = first.clone();
    later["id"] = json!(uuid(2));
    later["ts"] = json!(NOW - 1000);
    let mut old_dismissal = first.clone();
    old_dismissal["id"] = json!(uuid(3));
    old_dismissal["type"] = json!("dismiss");
    state
        .store
        .insert_events(&[
            row(&first, long_ago),
            row(&later, NOW - 1000),
            row(&old_dismissal, long_ago + 1),
        ])
        .await
        .expect("insert");
    let url = serve_loopback(app(state, &StaticDirs::default())).await;
    let h: Value = reqwest::get(format!("{url}/v1/history?key=pk_test&user_id=u1"))
        .await
        .expect("history")
        .json()
        .await
        .expect("json");
    let ids: Vec<&str> = h["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        ids,
        [uuid(2).as_str(), uuid(1).as_str()],
        "the recent impression, then the first one; not the old dismissal: {h}"
    );
}
