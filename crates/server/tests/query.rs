//! Query strings are read the way browsers write them: the widget builds its URLs with
//! `encodeURIComponent`, so a publishable key and the history's subject ids arrive
//! percent-encoded and must be read decoded (issue 10: the key used to be read raw, so an
//! encoded key was an unknown one).
mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::json;
use touchpoint_server::config::{Environment, Identity, Origins, Secret};
use touchpoint_server::{app, identity::sign, StaticDirs};

const SECRET: &str = "s3cret";

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

#[tokio::test]
async fn an_encoded_key_and_encoded_subject_ids_are_read_decoded() {
    let live = Environment {
        name: "live".into(),
        key: "pk_live".into(),
        origins: Origins::Any,
        identity: Identity::Enforced(Secret(SECRET.into())),
    };
    let (state, _dir) = sqlite_state(vec![Environment::open("pk_test"), live]).await;
    let router = app(state, &StaticDirs::default());

    let mut mine = event(&uuid(1), "dismiss");
    mine["user_id"] = json!("u 42");
    mine["account_id"] = json!("a&b");
    let mut colleague = event(&uuid(2), "survey_response");
    colleague["user_id"] = json!("u7");
    colleague["account_id"] = json!("a&b");
    let mut elsewhere = event(&uuid(3), "dismiss");
    elsewhere["user_id"] = json!("u7");
    elsewhere["account_id"] = json!("a");
    let batch = json!({ "events": [mine, colleague, elsewhere] }).to_string();
    let req = Request::post("/v1/events?key=pk%5Ftest")
        .body(Body::from(batch))
        .expect("request");
    let (status, body) = send(&router, req).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an encoded key names its environment: {body}"
    );
    assert_eq!(body["accepted"], 3, "{body}");

    let (status, body) = send(
        &router,
        get("/v1/history?key=pk%5Ftest&user_id=u%2042&account_id=a%26b"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let events = body["events"].as_array().expect("events");
    let mut ids: Vec<&str> = events.iter().filter_map(|e| e["id"].as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [uuid(1), uuid(2)],
        "the user's and the account's: {body}"
    );
    let own = events
        .iter()
        .find(|e| e["id"] == uuid(1))
        .expect("own event");
    assert_eq!(
        own["user_id"], "u 42",
        "the user's own event keeps its id: {body}"
    );

    // The signature is checked over the decoded id.
    let signed = format!(
        "/v1/history?key=pk_live&user_id=u%2042&user_hash={}",
        sign(SECRET, "u 42")
    );
    let (status, body) = send(&router, get(&signed)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let raw = format!(
        "/v1/history?key=pk_live&user_id=u%2042&user_hash={}",
        sign(SECRET, "u%2042")
    );
    let (status, _) = send(&router, get(&raw)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a signature of the raw text is wrong"
    );

    // The admin filters too.
    let req = Request::get("/v1/admin/events?user_id=u%2042&account_id=a%26b")
        .header("authorization", "Bearer admin")
        .body(Body::empty())
        .expect("request");
    let (status, body) = send(&router, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 1, "{body}");
}
