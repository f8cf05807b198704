//! One test suite for every `Store` implementation: SQLite always; PostgreSQL whenever it is
//! reachable, and always when `CI` is set (see `common::postgres_url`).
mod common;

use std::sync::Arc;
use touchpoint_server::store::{
    EventFilter, InsertOutcome, PostgresStore, SqliteStore, Store, StoredEvent, Subject,
};

fn stored(i: u32, campaign: &str) -> StoredEvent {
    StoredEvent {
        id: common::uuid(i),
        env_key: "pk_test".into(),
        kind: "cta".into(),
        ts_client: 1_000 + i64::from(i),
        ts_server: 2_000 + i64::from(i),
        user_id: Some(format!("u{}", i % 3)),
        anonymous_id: None,
        account_id: Some("acme".into()),
        campaign_id: Some(campaign.into()),
        body: format!("{{\"n\":{i}}}"),
    }
}

async fn suite(store: Arc<dyn Store>) {
    store.ping().await.expect("ping");
    let batch: Vec<_> = (0..10)
        .map(|i| stored(i, if i % 2 == 0 { "even" } else { "odd" }))
        .collect();
    let out = store.insert_events(&batch).await.expect("insert");
    assert!(out.iter().all(|o| *o == InsertOutcome::Accepted));

    // A replayed batch overlapping the first: old ids are duplicates, new ones accepted.
    let replay: Vec<_> = (8..12).map(|i| stored(i, "even")).collect();
    let out = store.insert_events(&replay).await.expect("insert replay");
    assert_eq!(
        out,
        vec![
            InsertOutcome::Duplicate,
            InsertOutcome::Duplicate,
            InsertOutcome::Accepted,
            InsertOutcome::Accepted
        ]
    );

    assert_eq!(
        store
            .count_events(&EventFilter::default())
            .await
            .expect("count"),
        12
    );
    let even = EventFilter {
        campaign_id: Some("even".into()),
        ..Default::default()
    };
    assert_eq!(store.count_events(&even).await.expect("count"), 7);
    let listed = store
        .list_events(&EventFilter {
            limit: Some(3),
            ..even
        })
        .await
        .expect("list");
    assert_eq!(listed.len(), 3);
    assert_eq!(
        listed[0],
        stored(11, "even"),
        "newest first, every column round-trips"
    );
    let u1 = EventFilter {
        user_id: Some("u1".into()),
        kind: Some("cta".into()),
        ..Default::default()
    };
    assert_eq!(store.count_events(&u1).await.expect("count"), 4);

    first_exposures(store.as_ref()).await;
}

/// Issue 11: per campaign, the user's earliest impression (by user id or anonymous id),
/// and nobody else's.
async fn first_exposures(store: &dyn Store) {
    let impression = |i: u32, campaign: &str, ts: i64, user: Option<&str>, anon: Option<&str>| {
        let mut e = stored(100 + i, campaign);
        e.kind = "impression".into();
        e.ts_client = ts;
        e.user_id = user.map(Into::into);
        e.anonymous_id = anon.map(Into::into);
        e
    };
    let events = [
        impression(0, "exp", 5_000, Some("ada"), Some("anon-a")),
        impression(1, "exp", 3_000, None, Some("anon-a")),
        impression(2, "exp", 1_000, Some("bob"), None),
        impression(3, "tips", 4_000, Some("ada"), None),
        impression(4, "tips", 4_000, Some("ada"), None),
    ];
    store.insert_events(&events).await.expect("insert");
    let mut dismissal = impression(5, "exp", 500, Some("ada"), None);
    dismissal.kind = "dismiss".into();
    store.insert_events(&[dismissal]).await.expect("insert");
    let subject = Subject {
        env_key: "pk_test".into(),
        user_id: Some("ada".into()),
        anonymous_id: Some("anon-a".into()),
        account_id: Some("acme".into()),
    };
    let mut firsts = store.first_exposures(&subject).await.expect("firsts");
    firsts.sort_by(|a, b| a.campaign_id.cmp(&b.campaign_id));
    // The anonymous impression is the first of `exp`; of two at the same millisecond, the
    // smaller id; bob's earlier impression is not ada's.
    assert_eq!(firsts, [events[1].clone(), events[3].clone()]);
    let nobody = Subject {
        env_key: "pk_test".into(),
        account_id: Some("acme".into()),
        ..Subject::default()
    };
    assert!(store
        .first_exposures(&nobody)
        .await
        .expect("firsts")
        .is_empty());
}

#[tokio::test]
async fn sqlite_store_passes_the_suite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("s.db");
    suite(Arc::new(
        SqliteStore::open(path.to_str().expect("path"))
            .await
            .expect("open"),
    ))
    .await;
}

#[tokio::test]
async fn postgres_store_passes_the_suite() {
    let Some(url) = common::postgres_url() else {
        return;
    };
    let schema = format!("tp_test_{}_{}", std::process::id(), common::NOW % 1000);
    let store = PostgresStore::connect_in_schema(&url, &schema)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {url}: {e}"));
    suite(Arc::new(store)).await;
    common::drop_schema(&url, &schema).await;
}
