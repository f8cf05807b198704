//! Behaviour of `POST /v1/events`: validation names the field at fault, storage is
//! exactly-once by event id, and keys are enforced.
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::json;

#[tokio::test]
async fn malformed_event_is_a_400_naming_the_field() {
    let (router, _dir) = sqlite_app().await;
    let mut bad = event(&uuid(1), "cta");
    bad["type"] = json!("klick");
    let (status, body) = send(
        &router,
        post_events(&json!({ "events": [bad] }).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_event");
    assert_eq!(body["error"]["field"], "events[0].type");
    let msg = body["error"]["message"].as_str().expect("message");
    assert!(msg.contains("klick"), "message names the bad value: {msg}");
}

#[tokio::test]
async fn missing_field_is_named() {
    let (router, _dir) = sqlite_app().await;
    let body = json!({ "events": [{ "id": uuid(1), "type": "cta" }] }).to_string();
    let (status, body) = send(&router, post_events(&body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("missing field `ts`"),
        "{body}"
    );
}

#[tokio::test]
async fn body_that_is_not_a_batch_is_rejected() {
    let (router, _dir) = sqlite_app().await;
    let (status, body) = send(&router, post_events("{\"evnts\": []}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "malformed_batch");
    let (status, _) = send(&router, post_events("not json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn one_bad_event_does_not_sink_the_batch_and_replays_are_duplicates() {
    let (router, _dir) = sqlite_app().await;
    let mut late = event(&uuid(3), "impression");
    late["ts"] = json!(NOW - 10 * 365 * 24 * 3600 * 1000);
    let batch = json!({ "events": [event(&uuid(1), "cta"), event(&uuid(2), "impression"), late] })
        .to_string();
    let (status, body) = send(&router, post_events(&batch)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["accepted"].as_u64(), body["rejected"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        body["results"][2]["error"]["code"],
        "timestamp_out_of_range"
    );

    let (status, body) = send(&router, post_events(&batch)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["accepted"].as_u64(), body["duplicates"].as_u64()),
        (Some(0), Some(2)),
        "{body}"
    );

    let req = Request::get("/v1/admin/events")
        .header("authorization", "Bearer admin")
        .body(Body::empty())
        .expect("req");
    let (status, body) = send(&router, req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 2, "stored once each: {body}");
}

#[tokio::test]
async fn unknown_key_and_missing_admin_token_are_refused() {
    let (router, _dir) = sqlite_app().await;
    let req = Request::post("/v1/events?key=pk_nope")
        .body(Body::from("{\"events\":[]}"))
        .expect("req");
    let (status, body) = send(&router, req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unknown_key");
    let req = Request::get("/v1/admin/events")
        .body(Body::empty())
        .expect("req");
    let (status, body) = send(&router, req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "admin_unauthorized");
}

#[tokio::test]
async fn campaigns_answer_304_to_a_current_etag() {
    let (router, _dir) = sqlite_app().await;
    let res = tower::ServiceExt::oneshot(
        router.clone(),
        Request::get("/v1/campaigns?key=pk_test")
            .body(Body::empty())
            .expect("req"),
    )
    .await
    .expect("answer");
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res.headers()["etag"].to_str().expect("etag").to_owned();
    let req = Request::get("/v1/campaigns?key=pk_test")
        .header("if-none-match", &etag)
        .body(Body::empty())
        .expect("req");
    let res = tower::ServiceExt::oneshot(router, req)
        .await
        .expect("answer");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
}

/// A batch with one event whose `type` is given twice and a valid one, as raw text (a
/// `json!` value cannot hold a key twice).
fn batch_with_duplicate(key_twice: &str) -> String {
    format!(
        r#"{{"events": [{key_twice}, {}]}}"#,
        event(&uuid(2), "impression")
    )
}

#[tokio::test]
async fn a_key_given_twice_rejects_that_event_and_the_rest_is_stored() {
    // issue 9: the last value used to win silently.
    let (router, _dir) = sqlite_app().await;
    let twice = format!(
        r#"{{"id": "{}", "type": "cta", "type": "conversion", "ts": {}, "user_id": "u1", "campaign_id": "c1"}}"#,
        uuid(1),
        NOW - 1000
    );
    let (status, body) = send(&router, post_events(&batch_with_duplicate(&twice))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["status"], "rejected", "{body}");
    assert_eq!(body["results"][0]["id"], uuid(1));
    let error = &body["results"][0]["error"];
    assert_eq!(error["code"], "invalid_event");
    assert_eq!(error["field"], "events[0].type");
    assert_eq!(
        error["message"],
        "events[0].type: the key \"type\" appears twice"
    );
    assert_eq!(body["results"][1]["status"], "accepted", "{body}");

    let req = Request::get("/v1/admin/events")
        .header("authorization", "Bearer admin")
        .body(Body::empty())
        .expect("req");
    let (_, stored) = send(&router, req).await;
    assert_eq!(stored["total"], 1, "only the valid event: {stored}");
    assert_eq!(stored["events"][0]["id"], uuid(2), "{stored}");
}

#[tokio::test]
async fn a_key_given_twice_deep_inside_an_event_is_named_by_its_path() {
    let (router, _dir) = sqlite_app().await;
    let nested = format!(
        r#"{{"id": "{}", "type": "survey_response", "ts": {}, "user_id": "u1", "campaign_id": "c1", "props": {{"score": 9, "score": 10}}}}"#,
        uuid(1),
        NOW - 1000
    );
    let (status, body) = send(&router, post_events(&batch_with_duplicate(&nested))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let error = &body["results"][0]["error"];
    assert_eq!(error["field"], "events[0].props.score", "{body}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("appears twice")),
        "{body}"
    );

    // Alone in its batch, it is the batch's answer.
    let alone = format!(r#"{{"events": [{nested}]}}"#);
    let (status, body) = send(&router, post_events(&alone)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_event");
    assert_eq!(body["error"]["field"], "events[0].props.score");
}

#[tokio::test]
async fn a_batch_field_given_twice_is_a_malformed_batch() {
    let (router, _dir) = sqlite_app().await;
    let valid = event(&uuid(1), "cta");
    for text in [
        r#"{"events": [], "events": []}"#.to_owned(),
        format!(r#"{{"events": [{valid}], "sent_at": 1, "sent_at": 2}}"#),
    ] {
        let (status, body) = send(&router, post_events(&text)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}: {body}");
        assert_eq!(body["error"]["code"], "malformed_batch", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("duplicate field")),
            "{body}"
        );
    }
}

/// A widget's report of `count` events its queue dropped (issue 12).
fn drop_report(id: &str, count: u64) -> serde_json::Value {
    json!({ "id": id, "type": "track", "ts": NOW - 1000, "anonymous_id": "anon-1",
            "name": touchpoint_core::event::DROPPED_EVENT, "props": { "count": count } })
}

async fn dropped_count(router: &axum::Router) -> serde_json::Value {
    let req = Request::get("/v1/admin/stats")
        .header("authorization", "Bearer admin")
        .body(Body::empty())
        .expect("req");
    let (status, body) = send(router, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["dropped"].clone()
}

#[tokio::test]
async fn a_drop_report_counts_once_however_often_it_is_sent() {
    // Issue 12: a lost answer made the client send its count again, and every tab sent its
    // own: the collector logged ten times the events actually lost.
    let (router, _dir) = sqlite_app().await;
    let batch = json!({ "events": [event(&uuid(1), "cta"), drop_report(&uuid(2), 7)] }).to_string();
    for _ in 0..3 {
        let (status, body) = send(&router, post_events(&batch)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Another report, another count; a `track` of another name is no report.
    let mut other = drop_report(&uuid(4), 5);
    other["name"] = json!("invoice_sent");
    let batch = json!({ "events": [drop_report(&uuid(3), 2), other] }).to_string();
    let (status, _) = send(&router, post_events(&batch)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(dropped_count(&router).await, 9);
}
