//! The PostgreSQL scale path: two collector processes (the real `touchpoint` binary) on
//! different ports share one database. A batch retried against the other instance, and the
//! same events posted to both at once, are stored exactly once.
mod common;

use common::Collector;
use serde_json::{json, Value};

async fn post(url: &str, body: &Value) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{url}/v1/events?key=pk_test"))
        .json(body)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status().as_u16(), 200);
    res.json().await.expect("json")
}

#[tokio::test]
async fn two_collectors_on_one_postgres_store_each_event_once() {
    let Some(base) = common::postgres_url() else {
        return;
    };
    let schema = format!("tp_scale_{}", std::process::id());
    // Create and migrate the schema; both collectors then find it current.
    touchpoint_server::store::PostgresStore::connect_in_schema(&base, &schema)
        .await
        .expect("schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let campaigns = tempfile::tempdir().expect("campaigns dir");
    let a = Collector::start(url.as_ref(), campaigns.path());
    let b = Collector::start(url.as_ref(), campaigns.path());

    let batch = json!({ "events": (0..50).map(|i| common::event(&common::uuid(i), "impression")).collect::<Vec<_>>() });
    let first = post(&a.url(), &batch).await;
    assert_eq!(first["accepted"], 50);
    // The client did not see the answer and retried; the load balancer picked the other one.
    let retry = post(&b.url(), &batch).await;
    assert_eq!(
        (retry["accepted"].as_u64(), retry["duplicates"].as_u64()),
        (Some(0), Some(50)),
        "{retry}"
    );

    // The same new events raced to both at once.
    let race = json!({ "events": (100..200).map(|i| common::event(&common::uuid(i), "cta")).collect::<Vec<_>>() });
    let (url_a, url_b) = (a.url(), b.url());
    let (ra, rb) = tokio::join!(post(&url_a, &race), post(&url_b, &race));
    let accepted = ra["accepted"].as_u64().unwrap_or(0) + rb["accepted"].as_u64().unwrap_or(0);
    let dups = ra["duplicates"].as_u64().unwrap_or(0) + rb["duplicates"].as_u64().unwrap_or(0);
    assert_eq!(
        (accepted, dups),
        (100, 100),
        "each event stored by exactly one collector: {ra} {rb}"
    );

    let total: Value = reqwest::Client::new()
        .get(format!("{}/v1/admin/events?limit=1", a.url()))
        .bearer_auth("admin")
        .send()
        .await
        .expect("admin")
        .json()
        .await
        .expect("json");
    assert_eq!(total["total"], 150);
    drop((a, b));
    common::drop_schema(&base, &schema).await;
}
