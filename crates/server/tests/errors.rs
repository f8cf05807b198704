//! The collector's error bodies are its public API (README, "Collector API"), so every
//! refusal is pinned here byte for byte: the per-event results of a batch, a batch whose every
//! event is refused, a body that is not a batch, and the guard's, history's and admin's
//! refusals. Issue 10 made these typed end to end (no JSON built and parsed back, no field
//! recovered from a message); these bytes are what that change had to keep.
mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use touchpoint_server::config::{Environment, Identity, Limits, Origins, Secret};
use touchpoint_server::{app, identity::sign, StaticDirs};
use tower::ServiceExt;

const SECRET: &str = "s3cret";

/// A router with `pk_test` (open) and `pk_live` (enforced identity, one allowed origin),
/// admin token `admin`, a 600-byte event limit and a 4096-byte batch limit.
async fn router() -> (axum::Router, tempfile::TempDir) {
    let live = Environment {
        name: "live".into(),
        key: "pk_live".into(),
        origins: Origins::List(vec!["https://app.example.com".into()]),
        identity: Identity::Enforced(Secret(SECRET.into())),
    };
    let (state, dir) = sqlite_state(vec![Environment::open("pk_test"), live]).await;
    let limits = Limits {
        max_event_bytes: 600,
        max_batch_bytes: 4096,
        ..Limits::default()
    };
    (app(state.with_limits(limits), &StaticDirs::default()), dir)
}

/// Send `req` and assert the status, a JSON content type and the body, byte for byte.
async fn expect(router: &axum::Router, case: &str, req: Request<Body>, status: u16, body: &str) {
    let res = router.clone().oneshot(req).await.expect("router answers");
    let got_status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let got = String::from_utf8_lossy(&bytes);
    assert_eq!(
        (got_status, got.as_ref()),
        (status, body),
        "{case}: status and body"
    );
    assert_eq!(kind, "application/json", "{case}: content type");
}

fn post(key: &str, body: &str) -> Request<Body> {
    Request::post(format!("/v1/events?key={key}"))
        .body(Body::from(body.to_owned()))
        .expect("request")
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

fn admin(uri: &str) -> Request<Body> {
    Request::get(uri)
        .header("authorization", "Bearer admin")
        .body(Body::empty())
        .expect("request")
}

fn batch(events: &[&Value]) -> String {
    json!({ "events": events }).to_string()
}

/// One event for each way an event can be refused (and the id it carries), in the order of
/// the checks: a key twice, not an event at all, the core's checks, the schema, the clock,
/// the size. The key given twice is raw text: a `Value` cannot hold a key twice.
struct Bad {
    twice: String,
    not_an_event: Value,
    no_identity: Value,
    not_v7: Value,
    no_campaign: Value,
    no_name: Value,
    unknown_type: Value,
    no_ts: Value,
    late: Value,
    big: Value,
}

fn bad() -> Bad {
    let with = |kind: &str, key: &str, value: Value| {
        let mut e = event(&uuid(1), kind);
        e[key] = value;
        e
    };
    Bad {
        twice: format!(
            r#"{{"id": "{}", "type": "cta", "type": "conversion", "ts": {}, "user_id": "u1", "campaign_id": "c1"}}"#,
            uuid(1),
            NOW - 1000
        ),
        not_an_event: json!(13),
        no_identity: with("cta", "user_id", Value::Null),
        not_v7: with("cta", "id", json!("550e8400-e29b-41d4-a716-446655440000")),
        no_campaign: with("dismiss", "campaign_id", Value::Null),
        no_name: with("track", "campaign_id", Value::Null),
        unknown_type: with("cta", "type", json!("klick")),
        no_ts: json!({ "id": uuid(1), "type": "cta" }),
        late: with("cta", "ts", json!(NOW - 10 * 365 * 24 * 3600 * 1000)),
        big: with("cta", "props", json!({ "blob": "y".repeat(700) })),
    }
}

const KLICK: &str = "unknown variant `klick`, expected one of `impression`, `click`, `cta`, `dismiss`, `snooze`, `survey_response`, `conversion`, `identify`, `page`, `track`";

#[tokio::test]
async fn each_refused_event_of_a_batch_gets_its_code_field_and_message() {
    let (router, _dir) = router().await;
    let b = bad();
    let good = event(&uuid(9), "cta");
    let rest = [
        &b.not_an_event,
        &b.no_identity,
        &b.not_v7,
        &b.no_campaign,
        &b.no_name,
        &b.unknown_type,
        &b.no_ts,
        &b.late,
        &b.big,
        &good,
    ]
    .map(Value::to_string)
    .join(", ");
    let body = format!(r#"{{"events": [{}, {rest}]}}"#, b.twice);
    let id1 = uuid(1);
    let results = [
        format!(r#"{{"id":"{id1}","status":"rejected","error":{{"code":"invalid_event","field":"events[0].type","message":"events[0].type: the key \"type\" appears twice"}}}}"#),
        // An event that is not an object, and an object without `ts`, are refused as a whole
        // event: the field is the event itself (issue 10: it used to read `events[1]..`).
        r#"{"status":"rejected","error":{"code":"invalid_event","field":"events[1]","message":"events[1]: invalid type: integer `13`, expected struct Event"}}"#.to_owned(),
        format!(r#"{{"id":"{id1}","status":"rejected","error":{{"code":"invalid_event","field":"events[2].user_id","message":"events[2].user_id: an event needs a user_id or an anonymous_id"}}}}"#),
        r#"{"id":"550e8400-e29b-41d4-a716-446655440000","status":"rejected","error":{"code":"invalid_event","field":"events[3].id","message":"events[3].id: expected a version 7 UUID, found version 4"}}"#.to_owned(),
        format!(r#"{{"id":"{id1}","status":"rejected","error":{{"code":"invalid_event","field":"events[4].campaign_id","message":"events[4].campaign_id: required for Dismiss events"}}}}"#),
        format!(r#"{{"id":"{id1}","status":"rejected","error":{{"code":"invalid_event","field":"events[5].name","message":"events[5].name: required for Track events"}}}}"#),
        format!(r#"{{"id":"{id1}","status":"rejected","error":{{"code":"invalid_event","field":"events[6].type","message":"events[6].type: {KLICK}"}}}}"#),
        format!(r#"{{"id":"{id1}","status":"rejected","error":{{"code":"invalid_event","field":"events[7]","message":"events[7]: missing field `ts`"}}}}"#),
        format!(r#"{{"id":"{id1}","status":"rejected","error":{{"code":"timestamp_out_of_range","field":"events[8].ts","message":"events[8].ts: 1480032000000 is more than a day ahead of or a year behind the server clock (1795392000000)"}}}}"#),
        format!(r#"{{"id":"{id1}","status":"rejected","error":{{"code":"too_large","field":"events[9]","message":"events[9] is 831 bytes, larger than the limit of 600 bytes"}}}}"#),
        format!(r#"{{"id":"{}","status":"accepted"}}"#, uuid(9)),
    ]
    .join(",");
    let want = format!(r#"{{"results":[{results}],"accepted":1,"duplicates":0,"rejected":10}}"#);
    expect(&router, "mixed batch", post("pk_test", &body), 200, &want).await;

    let mut wrong = event(&uuid(1), "cta");
    wrong["user_hash"] = json!(sign(SECRET, "u2"));
    let unsigned = event(&uuid(2), "cta");
    let mut signed = event(&uuid(3), "cta");
    signed["user_hash"] = json!(sign(SECRET, "u1"));
    let want = [
        format!(r#"{{"id":"{}","status":"rejected","error":{{"code":"identity_unverified","field":"events[0].user_hash","message":"events[0].user_hash: does not match user_id"}}}}"#, uuid(1)),
        format!(r#"{{"id":"{}","status":"rejected","error":{{"code":"identity_unverified","field":"events[1].user_hash","message":"events[1].user_hash: this environment requires user_hash = HMAC-SHA256(secret, user_id)"}}}}"#, uuid(2)),
        format!(r#"{{"id":"{}","status":"accepted"}}"#, uuid(3)),
    ]
    .join(",");
    let want = format!(r#"{{"results":[{want}],"accepted":1,"duplicates":0,"rejected":2}}"#);
    let body = batch(&[&wrong, &unsigned, &signed]);
    expect(&router, "identity", post("pk_live", &body), 200, &want).await;
}

#[tokio::test]
async fn a_batch_whose_every_event_is_refused_is_answered_with_the_first_refusal() {
    let (router, _dir) = router().await;
    let b = bad();
    let invalid = |field: &str, message: &str| {
        format!(
            r#"{{"error":{{"code":"invalid_event","field":"{field}","message":"{field}: {message}"}}}}"#
        )
    };
    let mut wrong = event(&uuid(1), "cta");
    wrong["user_hash"] = json!(sign(SECRET, "u2"));
    let unsigned = event(&uuid(2), "cta");
    let cases: Vec<(&str, &str, String, u16, String)> = vec![
        (
            "a key twice",
            "pk_test",
            format!(r#"{{"events": [{}, {}]}}"#, b.twice, b.no_identity),
            400,
            invalid("events[0].type", r#"the key \"type\" appears twice"#),
        ),
        (
            "not an event",
            "pk_test",
            batch(&[&b.not_an_event]),
            400,
            invalid("events[0]", "invalid type: integer `13`, expected struct Event"),
        ),
        (
            "no identity",
            "pk_test",
            batch(&[&b.no_identity]),
            400,
            invalid("events[0].user_id", "an event needs a user_id or an anonymous_id"),
        ),
        (
            "not v7",
            "pk_test",
            batch(&[&b.not_v7]),
            400,
            invalid("events[0].id", "expected a version 7 UUID, found version 4"),
        ),
        (
            "no campaign",
            "pk_test",
            batch(&[&b.no_campaign]),
            400,
            invalid("events[0].campaign_id", "required for Dismiss events"),
        ),
        (
            "no name",
            "pk_test",
            batch(&[&b.no_name]),
            400,
            invalid("events[0].name", "required for Track events"),
        ),
        (
            "unknown type",
            "pk_test",
            batch(&[&b.unknown_type]),
            400,
            invalid("events[0].type", KLICK),
        ),
        (
            "no ts",
            "pk_test",
            batch(&[&b.no_ts]),
            400,
            invalid("events[0]", "missing field `ts`"),
        ),
        (
            // The batch's answer to a clock out of range is a 400 `invalid_event`.
            "late",
            "pk_test",
            batch(&[&b.late]),
            400,
            invalid(
                "events[0].ts",
                "1480032000000 is more than a day ahead of or a year behind the server clock (1795392000000)",
            ),
        ),
        (
            "too large",
            "pk_test",
            batch(&[&b.big]),
            413,
            r#"{"error":{"code":"too_large","message":"events[0] is larger than the limit of 600 bytes"}}"#.into(),
        ),
        (
            "wrong hash first",
            "pk_live",
            batch(&[&wrong, &unsigned]),
            401,
            r#"{"error":{"code":"identity_unverified","message":"events[0].user_hash: does not match user_id"}}"#.into(),
        ),
        (
            "no hash first",
            "pk_live",
            batch(&[&unsigned, &wrong]),
            401,
            r#"{"error":{"code":"identity_unverified","message":"events[0].user_hash: this environment requires user_hash = HMAC-SHA256(secret, user_id)"}}"#.into(),
        ),
    ];
    for (case, key, body, status, want) in cases {
        expect(&router, case, post(key, &body), status, &want).await;
    }
}

#[tokio::test]
async fn a_body_that_is_not_a_batch_is_malformed_or_too_large() {
    let (router, _dir) = router().await;
    let not_a_batch = r#"the body is not an event batch {\"events\": [...]}"#;
    let cases = [
        ("not JSON", "not json".to_owned(), 400, format!(r#"{{"error":{{"code":"malformed_batch","message":"{not_a_batch}: expected ident at line 1 column 2"}}}}"#)),
        ("unknown field", r#"{"evnts": []}"#.to_owned(), 400, format!(r#"{{"error":{{"code":"malformed_batch","field":"evnts","message":"{not_a_batch}: unknown field `evnts`, expected one of `events`, `sent_at`, `dropped` at line 1 column 8"}}}}"#)),
        ("events not a list", r#"{"events": 3}"#.to_owned(), 400, format!(r#"{{"error":{{"code":"malformed_batch","field":"events","message":"{not_a_batch}: invalid type: integer `3`, expected a sequence at line 1 column 12"}}}}"#)),
        ("events twice", r#"{"events": [], "events": []}"#.to_owned(), 400, format!(r#"{{"error":{{"code":"malformed_batch","message":"{not_a_batch}: duplicate field `events` at line 1 column 23"}}}}"#)),
        ("over the batch limit", "x".repeat(5000), 413, r#"{"error":{"code":"too_large","message":"the batch is larger than the limit of 4096 bytes"}}"#.to_owned()),
    ];
    for (case, body, status, want) in cases {
        expect(&router, case, post("pk_test", &body), status, &want).await;
    }
}

#[tokio::test]
async fn keys_origins_subjects_and_admin_tokens_are_refused_with_their_codes() {
    let (router, _dir) = router().await;
    let cases = [
        (
            "no key",
            post("", "{}"),
            401,
            r#"{"error":{"code":"missing_key","message":"missing publishable key: pass ?key=pk_..."}}"#,
        ),
        (
            "unknown key",
            post("pk_nope", "{}"),
            401,
            r#"{"error":{"code":"unknown_key","message":"unknown publishable key \"pk_nope\""}}"#,
        ),
        (
            "origin",
            Request::post("/v1/events?key=pk_live")
                .header("origin", "https://evil.example")
                .body(Body::from("{}"))
                .expect("request"),
            403,
            r#"{"error":{"code":"origin_not_allowed","message":"origin https://evil.example is not allowed for this publishable key"}}"#,
        ),
        (
            "no subject",
            get("/v1/history?key=pk_test"),
            400,
            r#"{"error":{"code":"missing_subject","message":"give user_id, anonymous_id or account_id"}}"#,
        ),
        (
            "history unsigned",
            get("/v1/history?key=pk_live&user_id=u1"),
            401,
            r#"{"error":{"code":"identity_unverified","message":"user_hash is missing or does not match user_id"}}"#,
        ),
        (
            "admin events",
            get("/v1/admin/events"),
            401,
            r#"{"error":{"code":"admin_unauthorized","message":"admin token missing or wrong"}}"#,
        ),
        (
            "admin stats",
            get("/v1/admin/stats"),
            401,
            r#"{"error":{"code":"admin_unauthorized","message":"admin token missing or wrong"}}"#,
        ),
    ];
    for (case, req, status, want) in cases {
        expect(&router, case, req, status, want).await;
    }
}

#[tokio::test]
async fn a_query_string_an_endpoint_cannot_read_is_a_json_400() {
    // issue 10: these were axum's plain-text rejections, outside the error contract.
    let (router, _dir) = router().await;
    let cases = [
        (
            "a subject twice",
            get("/v1/history?key=pk_test&user_id=a&user_id=b"),
            r#"{"error":{"code":"invalid_query","message":"Failed to deserialize query string: duplicate field `user_id`"}}"#,
        ),
        (
            "the key twice",
            post("pk_test&key=pk_live", r#"{"events": []}"#),
            r#"{"error":{"code":"invalid_query","message":"Failed to deserialize query string: duplicate field `key`"}}"#,
        ),
        (
            "a limit that is not a number",
            admin("/v1/admin/events?limit=abc"),
            r#"{"error":{"code":"invalid_query","message":"Failed to deserialize query string: limit: invalid digit found in string"}}"#,
        ),
    ];
    for (case, req, want) in cases {
        expect(&router, case, req, 400, want).await;
    }
}
