//! Campaigns as versioned documents (issue 13) over a real loopback socket and a real SQLite
//! file: the workspace API, `campaigns push`/`pull` against it and against the database, the
//! live catalog following every change without a restart, and (on PostgreSQL) a second
//! collector catching up through its poll.
mod common;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use touchpoint_server::campaign_sync::{self, Remote, Target};
use touchpoint_server::catalog::Catalog;
use touchpoint_server::store::{PostgresStore, PublishOutcome, Store};
use touchpoint_server::{app, live_catalog, AppState, Environment, StaticDirs};

/// A valid campaign `id` whose banner says `title`.
fn campaign(id: &str, title: &str) -> String {
    format!(
        "# {id}\nid = \"{id}\"\nname = \"{id}\"\ngoal = \"adoption\"\n\n[trigger]\non = \"page_load\"\n\n\
         [format]\nkind = \"banner\"\n\n[content.en]\ntitle = \"{title}\"\n"
    )
}

struct Server {
    state: AppState,
    base: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn server() -> Server {
    let (state, dir) = common::sqlite_state(vec![Environment::open("pk_test")]).await;
    let base = common::serve_loopback(app(state.clone(), &StaticDirs::default())).await;
    Server {
        state,
        base,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

impl Server {
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth("admin")
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth("admin")
            .send()
            .await
            .expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// The widget's catalog: its ETag and campaign ids (and titles).
    async fn catalog(&self) -> (String, Vec<(String, String)>) {
        let res = self
            .http
            .get(format!("{}/v1/campaigns?key=pk_test", self.base))
            .send()
            .await
            .expect("catalog");
        assert_eq!(res.status(), StatusCode::OK);
        let etag = res.headers()["etag"].to_str().expect("etag").to_owned();
        let body: Value = res.json().await.expect("json");
        let ids = body["campaigns"]
            .as_array()
            .expect("campaigns")
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().expect("id").to_owned(),
                    c["content"]["en"]["title"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned(),
                )
            })
            .collect();
        (etag, ids)
    }

    fn remote(&self) -> Target {
        Target::Remote(Remote::new(&self.base, "admin"))
    }
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).expect("write");
}

#[tokio::test]
async fn pushing_the_same_folder_twice_creates_no_version() {
    let s = server().await;
    let folder = tempfile::tempdir().expect("dir");
    write(folder.path(), "a.toml", &campaign("alpha", "A"));
    write(folder.path(), "b.toml", &campaign("beta", "B"));
    let first = campaign_sync::push(&s.remote(), folder.path(), "ana", "first", 1)
        .await
        .expect("push");
    let lines: Vec<String> = first.iter().map(ToString::to_string).collect();
    assert_eq!(lines, ["alpha: v1 published", "beta: v1 published"]);
    let again = campaign_sync::push(&s.remote(), folder.path(), "ana", "again", 2)
        .await
        .expect("push");
    let lines: Vec<String> = again.iter().map(ToString::to_string).collect();
    assert_eq!(lines, ["alpha: unchanged (v1)", "beta: unchanged (v1)"]);

    // One file changed: one new version.
    write(folder.path(), "b.toml", &campaign("beta", "B2"));
    let third = campaign_sync::push(&s.remote(), folder.path(), "ana", "edit", 3)
        .await
        .expect("push");
    let lines: Vec<String> = third.iter().map(ToString::to_string).collect();
    assert_eq!(lines, ["alpha: unchanged (v1)", "beta: v2 published"]);
    let (_, body) = s.get("/workspace/api/campaigns/beta").await;
    assert_eq!(body["versions"].as_array().expect("versions").len(), 2);
    // Through the server, the author is the credential's actor, not what the client says.
    assert_eq!(body["versions"][1]["author"], "admin-token");
    assert_eq!(body["versions"][1]["note"], "edit");
    assert_eq!(body["campaign"]["status"], "live");

    // A folder with an error pushes nothing and reports as `touchpoint check` does.
    write(
        folder.path(),
        "a.toml",
        &campaign("alpha", "A3").replace("banner", "nope"),
    );
    let err = campaign_sync::push(&s.remote(), folder.path(), "ana", "", 4)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("a.toml:10:8: format.kind"), "{text}");
    assert!(text.ends_with("nothing was pushed"), "{text}");
    let (_, body) = s.get("/workspace/api/campaigns/alpha").await;
    assert_eq!(body["versions"].as_array().expect("versions").len(), 1);
}

#[tokio::test]
async fn pull_then_push_changes_nothing_locally_and_remotely() {
    let s = server().await;
    let folder = tempfile::tempdir().expect("dir");
    // Comments, blank lines and odd spacing survive: the source is kept as given.
    let odd = format!("{}\n\n# trailing comment   \n", campaign("gamma", "G"));
    write(folder.path(), "whatever-name.toml", &odd);
    write(folder.path(), "d.toml", &campaign("delta", "D"));
    campaign_sync::push(&s.remote(), folder.path(), "ana", "", 1)
        .await
        .expect("push");

    for target in [s.remote(), Target::Local(s.state.store.clone())] {
        let out = tempfile::tempdir().expect("dir");
        let pulled = campaign_sync::pull(&target, out.path())
            .await
            .expect("pull");
        assert_eq!(pulled, [("delta".to_owned(), 1), ("gamma".to_owned(), 1)]);
        let text = std::fs::read_to_string(out.path().join("gamma.toml")).expect("read");
        assert_eq!(text, odd, "byte-stable");
        let again = campaign_sync::push(&target, out.path(), "bo", "", 2)
            .await
            .expect("push");
        assert!(
            again
                .iter()
                .all(|p| matches!(p.outcome, PublishOutcome::Unchanged { version: 1, .. })),
            "{again:?}"
        );
    }
}

#[tokio::test]
async fn an_invalid_publish_answers_400_with_the_diagnostics_and_stores_nothing() {
    let s = server().await;
    let bad = campaign("tips", "T").replace("page_load", "page_lod");
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/tips/versions",
            json!({ "source": bad, "note": "oops" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_campaign");
    let d = &body["error"]["diagnostics"][0];
    assert_eq!(d["file"], "tips.toml");
    assert_eq!(d["path"], "trigger.on");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(7), Some(6))
    );
    assert!(
        d["message"].as_str().expect("message").contains("page_lod"),
        "{d}"
    );
    let (status, _) = s.get("/workspace/api/campaigns/tips").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing stored");
    assert!(s.state.store.campaigns().await.expect("list").is_empty());

    // The check endpoint returns the same diagnostics without storing anything.
    let (status, body) = s
        .post(
            "/workspace/api/check",
            json!({ "source": bad, "name": "tips" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["ok"], false);
    assert_eq!(&body["diagnostics"][0], d);
    let (_, body) = s
        .post(
            "/workspace/api/check",
            json!({ "source": campaign("tips", "T") }),
        )
        .await;
    assert_eq!(body, json!({ "ok": true, "diagnostics": [] }));

    // A source published under another id is refused.
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/other/versions",
            json!({ "source": campaign("tips", "T") }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "campaign_id_mismatch");
}

#[tokio::test]
async fn publish_pause_resume_and_rollback_reach_the_widget_without_a_restart() {
    let s = server().await;
    let (empty_etag, ids) = s.catalog().await;
    assert!(ids.is_empty());

    let (status, body) = s
        .post(
            "/workspace/api/campaigns/tips/versions",
            json!({ "source": campaign("tips", "First"), "note": "launch" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body,
        json!({ "outcome": "created", "version": 1, "state": "published" })
    );
    let (v1_etag, ids) = s.catalog().await;
    assert_eq!(ids, [("tips".to_owned(), "First".to_owned())]);
    assert_ne!(v1_etag, empty_etag);

    // The same source again: 200, no version, the same ETag.
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/tips/versions",
            json!({ "source": campaign("tips", "First") }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["outcome"], "unchanged");
    assert_eq!(s.catalog().await.0, v1_etag);

    let (status, _) = s
        .post(
            "/workspace/api/campaigns/tips/versions",
            json!({ "source": campaign("tips", "Second") }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (v2_etag, ids) = s.catalog().await;
    assert_eq!(ids, [("tips".to_owned(), "Second".to_owned())]);
    assert_ne!(v2_etag, v1_etag);

    // Pause takes it out; resume (`live`) brings it back.
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/tips/state",
            json!({ "state": "paused" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["campaign"]["status"], "paused");
    let (paused_etag, ids) = s.catalog().await;
    assert!(ids.is_empty());
    assert_eq!(paused_etag, empty_etag);
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/tips/state",
            json!({ "state": "live" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["campaign"]["state"], "published");
    assert_eq!(s.catalog().await.0, v2_etag);

    // Rollback: v1's text again, as v3.
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/tips/rollback",
            json!({ "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["version"], 3);
    let (_, v3) = s.get("/workspace/api/campaigns/tips/versions/3").await;
    assert_eq!(v3["source"], campaign("tips", "First"));
    assert_eq!(v3["note"], "rollback to v1");
    let (etag, ids) = s.catalog().await;
    assert_eq!(ids, [("tips".to_owned(), "First".to_owned())]);
    assert_eq!(etag, v1_etag, "the ETag follows from the JSON");
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/tips/rollback",
            json!({ "version": 9 }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["message"], "campaign `tips` has no version 9");
}

#[tokio::test]
async fn an_illegal_transition_is_refused_with_from_and_to() {
    let s = server().await;
    s.post(
        "/workspace/api/campaigns/tips/versions",
        json!({ "source": campaign("tips", "T") }),
    )
    .await;
    let (status, _) = s
        .post(
            "/workspace/api/campaigns/tips/state",
            json!({ "state": "archived" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/tips/state",
            json!({ "state": "live" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "illegal_transition");
    assert_eq!(
        body["error"]["message"],
        "campaign `tips` cannot go from archived to published: restore it to paused first"
    );
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/tips/versions",
            json!({ "source": campaign("tips", "T2") }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/tips/state",
            json!({ "state": "ended" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_body");
    let (status, _) = s
        .post(
            "/workspace/api/campaigns/nope/state",
            json!({ "state": "paused" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_api_refuses_without_the_token() {
    let s = server().await;
    for (method, path) in [
        ("GET", "/workspace/api/campaigns"),
        ("GET", "/workspace/api/campaigns/x"),
        ("GET", "/workspace/api/campaigns/x/versions/1"),
        ("POST", "/workspace/api/campaigns/x/versions"),
        ("POST", "/workspace/api/campaigns/x/rollback"),
        ("POST", "/workspace/api/campaigns/x/state"),
        ("POST", "/workspace/api/check"),
    ] {
        let req = s
            .http
            .request(method.parse().expect("method"), format!("{}{path}", s.base))
            .bearer_auth("wrong")
            .json(&json!({ "source": "" }));
        let res = req.send().await.expect("request");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
    }
}

#[tokio::test]
async fn the_status_follows_the_schedule() {
    let s = server().await;
    // NOW is 2026-11-23; this one starts in December.
    let later = format!(
        "{}\n[schedule]\nstart = \"2026-12-01T00:00:00Z\"\n",
        campaign("later", "L")
    );
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/later/versions",
            json!({ "source": later }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, body) = s.get("/workspace/api/campaigns").await;
    assert_eq!(body["campaigns"][0]["status"], "scheduled");
    assert_eq!(body["campaigns"][0]["state"], "published");
    // A scheduled campaign is in the catalog: the widget holds it until its start.
    assert_eq!(s.catalog().await.1.len(), 1);
}

/// The CLI against the database: push twice, the second changes nothing; pull writes the
/// files back byte for byte.
#[test]
fn the_cli_pushes_and_pulls_against_the_database() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("cli.db");
    let folder = dir.path().join("in");
    std::fs::create_dir(&folder).expect("mkdir");
    write(&folder, "a.toml", &campaign("alpha", "A"));
    let run = |args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_touchpoint"))
            .arg("campaigns")
            .args(args)
            .arg("--database-url")
            .arg(&db)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run touchpoint");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let push = |f: &Path| {
        run(&[
            "push".as_ref(),
            f.as_os_str(),
            "--author".as_ref(),
            "ci".as_ref(),
        ])
    };
    let (code, out, err) = push(&folder);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("alpha: v1 published\n"), "{out}");
    let (_, out, _) = push(&folder);
    assert!(out.starts_with("alpha: unchanged (v1)\n"), "{out}");
    let pulled = dir.path().join("out");
    let (code, out, err) = run(&["pull".as_ref(), pulled.as_os_str()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("alpha: v1"), "{out}");
    assert_eq!(
        std::fs::read(pulled.join("alpha.toml")).expect("read"),
        campaign("alpha", "A").into_bytes()
    );
    let (_, out, _) = push(&pulled);
    assert!(out.starts_with("alpha: unchanged (v1)\n"), "{out}");
    write(&folder, "a.toml", "id = ");
    let (code, _, err) = push(&folder);
    assert_eq!(code, Some(1));
    assert!(err.contains("a.toml:1:6"), "{err}");
}

/// Two collectors on one PostgreSQL schema: the second serves the first's publish after one
/// poll, and a poll with nothing new does not rebuild.
#[tokio::test]
async fn a_second_collector_sees_a_publish_after_its_poll() {
    let Some(url) = common::postgres_url() else {
        return;
    };
    let schema = format!("tp_docs_{}", std::process::id());
    let open = || async {
        let store: Arc<dyn Store> = Arc::new(
            PostgresStore::connect_in_schema(&url, &schema)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {url}: {e}")),
        );
        let state = AppState::new(
            store,
            Catalog::new(Vec::new()),
            vec![Environment::open("pk_test")],
            Some("admin".into()),
        )
        .with_clock(Arc::new(|| common::NOW));
        live_catalog::rebuild(&state).await.expect("build");
        state
    };
    let a = open().await;
    let b = open().await;
    assert!(!live_catalog::poll(&b).await.expect("poll"), "nothing new");
    let base = common::serve_loopback(app(a.clone(), &StaticDirs::default())).await;
    let res = reqwest::Client::new()
        .post(format!("{base}/workspace/api/campaigns/tips/versions"))
        .bearer_auth("admin")
        .json(&json!({ "source": campaign("tips", "T") }))
        .send()
        .await
        .expect("publish");
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(a.catalog().campaigns.len(), 1, "in process at once");
    assert!(b.catalog().campaigns.is_empty());
    assert!(live_catalog::poll(&b).await.expect("poll"));
    assert_eq!(b.catalog().campaigns[0].id, "tips");
    assert_eq!(b.catalog().etag, a.catalog().etag);
    assert!(!live_catalog::poll(&b).await.expect("poll"));
    common::drop_schema(&url, &schema).await;
}

#[tokio::test]
async fn a_draft_stays_out_of_the_catalog_until_published() {
    let s = server().await;
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/new/versions",
            json!({ "source": campaign("new", "N"), "draft": true }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["state"], "draft");
    assert!(s.catalog().await.1.is_empty());
    let (_, body) = s.get("/workspace/api/campaigns/new").await;
    assert_eq!(body["campaign"]["status"], "draft");
    assert_eq!(body["campaign"]["live_version"], Value::Null);
    let (status, body) = s
        .post(
            "/workspace/api/campaigns/new/state",
            json!({ "state": "paused" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body["error"]["message"],
        "campaign `new` cannot go from draft to paused: publish it first"
    );
    let (status, _) = s
        .post(
            "/workspace/api/campaigns/new/state",
            json!({ "state": "live" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.catalog().await.1, [("new".to_owned(), "N".to_owned())]);
}

/// `serve --campaigns DIR` pushes the folder at start (a restart with the same folder adds
/// no version) and serves the database's catalog; `campaigns push --server` publishes
/// through the running server, whose catalog follows at once.
#[tokio::test]
async fn serve_pushes_its_folder_and_the_cli_publishes_through_it() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("serve.db");
    let folder = dir.path().join("campaigns");
    std::fs::create_dir(&folder).expect("mkdir");
    write(&folder, "a.toml", &campaign("alpha", "A"));
    let http = reqwest::Client::new();
    let get = |url: String| {
        let http = http.clone();
        async move {
            let res = http
                .get(url)
                .bearer_auth("admin")
                .send()
                .await
                .expect("get");
            res.json::<Value>().await.expect("json")
        }
    };
    for _ in 0..2 {
        let c = common::Collector::start(db.as_os_str(), &folder);
        let list = get(format!("{}/workspace/api/campaigns", c.url())).await;
        assert_eq!(list["campaigns"][0]["latest_version"], 1, "{list}");
        let catalog = get(format!("{}/v1/campaigns?key=pk_test", c.url())).await;
        assert_eq!(catalog["campaigns"][0]["id"], "alpha");
    }

    let c = common::Collector::start(db.as_os_str(), &folder);
    let edited = dir.path().join("edited");
    std::fs::create_dir(&edited).expect("mkdir");
    write(&edited, "a.toml", &campaign("alpha", "A2"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(["campaigns", "push"])
        .arg(&edited)
        .args([
            "--server",
            &c.url(),
            "--token",
            "admin",
            "--note",
            "from ci",
        ])
        .output()
        .expect("run touchpoint");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("alpha: v2 published\n"), "{stdout}");
    let catalog = get(format!("{}/v1/campaigns?key=pk_test", c.url())).await;
    assert_eq!(catalog["campaigns"][0]["content"]["en"]["title"], "A2");
    let v2 = get(format!(
        "{}/workspace/api/campaigns/alpha/versions/2",
        c.url()
    ))
    .await;
    assert_eq!(v2["note"], "from ci");
    drop(c);

    // An empty folder pushes nothing: the database's campaigns are served as they are.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let c = common::Collector::start(db.as_os_str(), &empty);
    let catalog = get(format!("{}/v1/campaigns?key=pk_test", c.url())).await;
    assert_eq!(catalog["campaigns"][0]["content"]["en"]["title"], "A2");
}
