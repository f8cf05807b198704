//! One test suite for every `Store` implementation: SQLite always; PostgreSQL whenever it is
//! reachable, and always when `CI` is set (see `common::postgres_url`).
mod common;

use std::sync::Arc;
use touchpoint_server::role::Role;
use touchpoint_server::store::{
    AuditEntry, CampaignState, EventFilter, InsertOutcome, LoginAttempt, NewToken, NewUser,
    NewVersion, PostgresStore, PublishOutcome, Refusal, Session, SqliteStore, Store, StoreError,
    StoredEvent, Subject,
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
        name: None,
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
    attribution_events(store.as_ref()).await;
    campaign_documents(store.clone()).await;
    access(store.as_ref()).await;
}

/// Issue 13: users, API tokens, sessions, login attempts and the audit log.
async fn access(store: &dyn Store) {
    let ada = store
        .create_user(&NewUser {
            email: "ada@example.com".into(),
            role: Role::Admin,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            created_at: 1,
        })
        .await
        .expect("create ada");
    let bob = store
        .create_user(&NewUser {
            email: "bob@example.com".into(),
            role: Role::Viewer,
            password_hash: "h".into(),
            created_at: 2,
        })
        .await
        .expect("create bob");
    assert_ne!(ada.id, bob.id);
    let taken = store
        .create_user(&NewUser {
            email: "ada@example.com".into(),
            role: Role::Viewer,
            password_hash: "h".into(),
            created_at: 3,
        })
        .await
        .expect_err("email taken");
    assert!(matches!(taken, StoreError::Conflict { .. }), "{taken}");
    assert_eq!(
        store.user_by_email("ada@example.com").await.expect("read"),
        Some(ada.clone()),
        "every column round-trips"
    );
    assert_eq!(
        store.user_by_id(bob.id).await.expect("read"),
        Some(bob.clone())
    );
    assert_eq!(
        store.user_by_email("eve@example.com").await.expect("read"),
        None
    );
    assert!(store.set_password(bob.id, "h2").await.expect("password"));
    assert!(store.set_disabled(bob.id, true).await.expect("disable"));
    assert!(!store.set_disabled(9999, true).await.expect("no such user"));
    let users = store.list_users().await.expect("list");
    assert_eq!(
        users
            .iter()
            .map(|u| (
                u.email.as_str(),
                u.role,
                u.disabled,
                u.password_hash.as_str()
            ))
            .collect::<Vec<_>>(),
        [
            (
                "ada@example.com",
                Role::Admin,
                false,
                ada.password_hash.as_str()
            ),
            ("bob@example.com", Role::Viewer, true, "h2"),
        ]
    );

    let ci = store
        .create_token(&NewToken {
            name: "ci".into(),
            role: Role::Editor,
            token_sha256: "a".repeat(64),
            created_at: 5,
        })
        .await
        .expect("token");
    let dup = store
        .create_token(&NewToken {
            name: "ci".into(),
            role: Role::Viewer,
            token_sha256: "b".repeat(64),
            created_at: 6,
        })
        .await
        .expect_err("name taken");
    assert!(matches!(dup, StoreError::Conflict { .. }), "{dup}");
    store.touch_token(ci.id, 50).await.expect("touch");
    let got = store
        .token_by_hash(&"a".repeat(64))
        .await
        .expect("read")
        .expect("found");
    assert_eq!(
        (got.name.as_str(), got.role, got.last_used_at, got.revoked),
        ("ci", Role::Editor, Some(50), false)
    );
    assert!(store.revoke_token(ci.id).await.expect("revoke"));
    assert!(!store.revoke_token(ci.id).await.expect("revoked already"));
    assert!(store.list_tokens().await.expect("list")[0].revoked);
    assert_eq!(store.token_by_hash("nope").await.expect("read"), None);

    let session = |key: &str, user_id: i64| Session {
        key_sha256: key.into(),
        user_id,
        csrf_token: format!("csrf-{key}"),
        created_at: 100,
        last_seen_at: 100,
    };
    store
        .create_session(&session("s1", ada.id))
        .await
        .expect("session");
    store
        .create_session(&session("s2", bob.id))
        .await
        .expect("session");
    store
        .create_session(&session("s3", bob.id))
        .await
        .expect("session");
    store.touch_session("s1", 200).await.expect("touch");
    let s1 = store.session("s1").await.expect("read").expect("found");
    assert_eq!(
        s1,
        Session {
            last_seen_at: 200,
            ..session("s1", ada.id)
        }
    );
    store.delete_session("s1").await.expect("delete");
    assert_eq!(store.session("s1").await.expect("read"), None);
    assert_eq!(store.delete_user_sessions(bob.id).await.expect("delete"), 2);
    assert_eq!(store.session("s2").await.expect("read"), None);

    for (at, ok) in [(10, false), (11, true)] {
        store
            .record_login_attempt(&LoginAttempt {
                email: "ada@example.com".into(),
                ip: Some("127.0.0.1".into()),
                at,
                ok,
            })
            .await
            .expect("attempt");
    }
    store
        .record_login_attempt(&LoginAttempt {
            email: "eve@example.com".into(),
            ip: None,
            at: 12,
            ok: false,
        })
        .await
        .expect("attempt");
    let attempts = store.login_attempts(2).await.expect("attempts");
    assert_eq!(
        attempts
            .iter()
            .map(|a| (a.email.as_str(), a.at, a.ok))
            .collect::<Vec<_>>(),
        [
            ("eve@example.com", 12, false),
            ("ada@example.com", 11, true)
        ]
    );
    assert_eq!(attempts[0].ip, None);

    for (at, action) in [(20, "user.create"), (21, "token.revoke")] {
        store
            .append_audit(&AuditEntry {
                at,
                actor: "user:ada@example.com".into(),
                action: action.into(),
                subject: "ci".into(),
                detail: "{\"role\":\"editor\"}".into(),
            })
            .await
            .expect("audit");
    }
    let log = store.list_audit(10).await.expect("audit");
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].action, "token.revoke", "newest first");
    assert_eq!(log[1].detail, "{\"role\":\"editor\"}");
}

/// Issue 11: what attribution reads. For a campaign: its impressions and CTAs, the goal's
/// track events (found by the `name` column), and the identify events of devices that saw
/// it anonymously; for a subject: its goal events since a time and its user's identifies.
async fn attribution_events(store: &dyn Store) {
    let row = |i: u32,
               kind: &str,
               campaign: Option<&str>,
               name: Option<&str>,
               user: Option<&str>,
               anon: Option<&str>| {
        let mut e = stored(200 + i, "x");
        e.kind = kind.into();
        e.campaign_id = campaign.map(Into::into);
        e.name = name.map(Into::into);
        e.user_id = user.map(Into::into);
        e.anonymous_id = anon.map(Into::into);
        e.ts_client = 10_000 + i64::from(i);
        e
    };
    let events = [
        row(0, "impression", Some("renew"), None, None, Some("dev")),
        row(1, "identify", None, None, Some("ada"), Some("dev")),
        row(2, "track", None, Some("renewal_signed"), Some("ada"), None),
        row(3, "track", None, Some("other_goal"), Some("ada"), None),
        row(4, "cta", Some("renew"), None, Some("ada"), None),
        row(5, "impression", Some("tips"), None, Some("ada"), None),
        row(6, "identify", None, None, Some("bob"), Some("bob-pc")),
        row(7, "page", None, Some("/app/"), Some("ada"), None),
    ];
    store.insert_events(&events).await.expect("insert");
    let ids = |rows: Vec<StoredEvent>| {
        let mut v: Vec<String> = rows.into_iter().map(|r| r.id).collect();
        v.sort();
        v
    };
    let want = |idx: &[usize]| {
        let mut v: Vec<String> = idx.iter().map(|&i| events[i].id.clone()).collect();
        v.sort();
        v
    };
    let got = store
        .attribution_events("pk_test", "renew", Some("renewal_signed"))
        .await
        .expect("attribution events");
    assert_eq!(ids(got.clone()), want(&[0, 1, 2, 4]));
    assert_eq!(
        got.iter().find(|r| r.id == events[2].id),
        Some(&events[2]),
        "the name round-trips"
    );
    let no_goal = store
        .attribution_events("pk_test", "renew", None)
        .await
        .expect("attribution events");
    assert_eq!(ids(no_goal), want(&[0, 1, 4]));
    let elsewhere = store
        .attribution_events("pk_other", "renew", Some("renewal_signed"))
        .await
        .expect("attribution events");
    assert!(elsewhere.is_empty());

    let ada = Subject {
        env_key: "pk_test".into(),
        user_id: Some("ada".into()),
        anonymous_id: Some("phone".into()),
        account_id: None,
    };
    let names = ["renewal_signed".to_owned()];
    let goals = store
        .goal_events(&ada, &names, 0)
        .await
        .expect("goal events");
    assert_eq!(ids(goals), want(&[1, 2]));
    let later = store
        .goal_events(&ada, &names, 10_203)
        .await
        .expect("goal events");
    assert_eq!(
        ids(later),
        want(&[1]),
        "identifies however old, goals since the time"
    );
    assert!(store
        .goal_events(&ada, &[], 0)
        .await
        .expect("goal events")
        .is_empty());
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

/// Campaign documents (issue 13): versions are immutable and numbered from 1, an unchanged
/// source adds none, states move only as the lifecycle allows, and every change bumps the
/// catalog revision that collectors poll.
async fn campaign_documents(store: Arc<dyn Store>) {
    let v =
        |source: &str, note: &str, at: i64| NewVersion::new("tips", source, "ana", note, at, true);
    let rev0 = store.catalog_revision().await.expect("revision");
    assert!(store.campaigns().await.expect("list").is_empty());
    let out = store
        .add_version(&v("one\n", "first", 10))
        .await
        .expect("add")
        .expect("allowed");
    assert_eq!(
        out,
        PublishOutcome::Created {
            version: 1,
            state: CampaignState::Published
        }
    );
    let out = store
        .add_version(&v("one\n", "again", 11))
        .await
        .expect("add")
        .expect("allowed");
    assert_eq!(
        out,
        PublishOutcome::Unchanged {
            version: 1,
            state: CampaignState::Published
        }
    );
    let rev1 = store.catalog_revision().await.expect("revision");
    assert_eq!(rev1, rev0 + 1, "an unchanged source changes nothing");

    // The same new source sent twice at once still makes one version.
    let (two_a, two_b) = (v("two\n", "a", 20), v("two\n", "b", 20));
    let (a, b) = tokio::join!(store.add_version(&two_a), store.add_version(&two_b));
    let mut outs = [a.expect("a").expect("a"), b.expect("b").expect("b")];
    outs.sort_by_key(|o| matches!(o, PublishOutcome::Unchanged { .. }));
    assert_eq!(
        outs[0],
        PublishOutcome::Created {
            version: 2,
            state: CampaignState::Published
        }
    );
    assert_eq!(
        outs[1],
        PublishOutcome::Unchanged {
            version: 2,
            state: CampaignState::Published
        }
    );

    let versions = store.versions("tips").await.expect("versions");
    assert_eq!(versions.len(), 2);
    assert_eq!(
        (
            versions[0].version,
            versions[0].source.as_str(),
            versions[0].note.as_str()
        ),
        (1, "one\n", "first")
    );
    assert_eq!(versions[0].author, "ana");
    assert_eq!(versions[0].created_at, 10);
    assert_eq!(
        versions[0].sha256,
        "2c8b08da5ce60398e1f19af0e5dccc744df274b826abe585eaba68c525434806"
    );
    assert_eq!(
        store.version("tips", 2).await.expect("read"),
        Some(versions[1].clone())
    );
    assert_eq!(store.version("tips", 3).await.expect("read"), None);
    assert_eq!(
        store.catalog_sources().await.expect("sources"),
        vec![("tips".to_owned(), "two\n".to_owned())]
    );

    // A draft: saved, not published, not in the catalog.
    let draft = NewVersion::new("draft", "d\n", "bo", "", 30, false);
    let out = store
        .add_version(&draft)
        .await
        .expect("add")
        .expect("allowed");
    assert_eq!(
        out,
        PublishOutcome::Created {
            version: 1,
            state: CampaignState::Draft
        }
    );
    assert_eq!(store.catalog_sources().await.expect("sources").len(), 1);
    let err = store
        .set_campaign_state("draft", CampaignState::Paused, 31)
        .await
        .expect("store")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "campaign `draft` cannot go from draft to paused: publish it first"
    );
    let rec = store
        .set_campaign_state("draft", CampaignState::Published, 32)
        .await
        .expect("store")
        .expect("allowed");
    assert_eq!(
        (rec.state, rec.live_version, rec.latest_version),
        (CampaignState::Published, Some(1), 1)
    );

    // Pause takes it out of the catalog and keeps its live version; a publish while paused
    // stays paused; resume puts the newest live version back.
    let rec = store
        .set_campaign_state("tips", CampaignState::Paused, 40)
        .await
        .expect("store")
        .expect("allowed");
    assert_eq!(
        (rec.state, rec.live_version, rec.updated_at),
        (CampaignState::Paused, Some(2), 40)
    );
    assert_eq!(
        store.catalog_sources().await.expect("sources"),
        vec![("draft".to_owned(), "d\n".to_owned())]
    );
    let out = store
        .add_version(&v("three\n", "while paused", 41))
        .await
        .expect("add")
        .expect("allowed");
    assert_eq!(
        out,
        PublishOutcome::Created {
            version: 3,
            state: CampaignState::Paused
        }
    );
    store
        .set_campaign_state("tips", CampaignState::Published, 42)
        .await
        .expect("store")
        .expect("allowed");
    assert!(store
        .catalog_sources()
        .await
        .expect("sources")
        .contains(&("tips".to_owned(), "three\n".to_owned())));

    // A draft over a published campaign: the live version stays; publishing the live
    // source again adds nothing; publishing the draft's source makes it live.
    let over = NewVersion::new("tips", "four\n", "ana", "draft", 43, false);
    let out = store
        .add_version(&over)
        .await
        .expect("add")
        .expect("allowed");
    assert_eq!(
        out,
        PublishOutcome::Created {
            version: 4,
            state: CampaignState::Published
        }
    );
    assert!(store
        .catalog_sources()
        .await
        .expect("sources")
        .contains(&("tips".to_owned(), "three\n".to_owned())));
    let out = store
        .add_version(&v("three\n", "", 44))
        .await
        .expect("add")
        .expect("allowed");
    assert_eq!(
        out,
        PublishOutcome::Unchanged {
            version: 3,
            state: CampaignState::Published
        }
    );
    let out = store
        .add_version(&v("four\n", "", 45))
        .await
        .expect("add")
        .expect("allowed");
    assert_eq!(
        out,
        PublishOutcome::Created {
            version: 4,
            state: CampaignState::Published
        }
    );
    assert!(store
        .catalog_sources()
        .await
        .expect("sources")
        .contains(&("tips".to_owned(), "four\n".to_owned())));

    // Archived refuses publishing until restored to paused.
    store
        .set_campaign_state("tips", CampaignState::Archived, 50)
        .await
        .expect("store")
        .expect("allowed");
    let err = store
        .add_version(&v("five\n", "", 51))
        .await
        .expect("store")
        .unwrap_err();
    assert_eq!(
        (err.from, err.to),
        (CampaignState::Archived, CampaignState::Published)
    );
    assert_eq!(
        store.versions("tips").await.expect("versions").len(),
        4,
        "nothing stored"
    );
    store
        .set_campaign_state("tips", CampaignState::Paused, 52)
        .await
        .expect("store")
        .expect("restore");
    let missing = store
        .set_campaign_state("nope", CampaignState::Paused, 53)
        .await
        .expect("store");
    assert_eq!(missing, Err(Refusal::UnknownCampaign("nope".into())));

    let list = store.campaigns().await.expect("list");
    let ids: Vec<_> = list
        .iter()
        .map(|c| (c.id.as_str(), c.state, c.latest_version))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("draft", CampaignState::Published, 1),
            ("tips", CampaignState::Paused, 4)
        ]
    );
    assert_eq!(list[1].created_at, 10);
    assert_eq!(
        store.campaign("tips").await.expect("read"),
        Some(list[1].clone())
    );
    assert!(store.catalog_revision().await.expect("revision") > rev1 + 5);
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

/// Issue 11: rows stored before migration 0002 added the `name` column get theirs from the
/// stored JSON, so conversions stay attributable across the upgrade.
#[tokio::test]
async fn events_stored_before_the_name_column_keep_their_goal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let old = sqlx::SqlitePool::connect(&url).await.expect("open");
    let first = tempfile::tempdir().expect("temp dir");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    std::fs::copy(
        root.join("0001_events.sql"),
        first.path().join("0001_events.sql"),
    )
    .expect("copy");
    sqlx::migrate::Migrator::new(first.path())
        .await
        .expect("migrator")
        .run(&old)
        .await
        .expect("the first migration");
    sqlx::query(
        "INSERT INTO events (id, env_key, type, ts_client, ts_server, user_id, body) \
         VALUES ('e1', 'pk_test', 'track', 1, 1, 'ada', '{\"name\":\"renewal_signed\"}')",
    )
    .execute(&old)
    .await
    .expect("an old row");
    old.close().await;
    let store = SqliteStore::open(path.to_str().expect("path"))
        .await
        .expect("upgrade");
    let got = store
        .attribution_events("pk_test", "renew", Some("renewal_signed"))
        .await
        .expect("read");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].name.as_deref(), Some("renewal_signed"));
}
