//! Issue 13, the editor's preview in the real widget: a posted source becomes a preview
//! catalog served to the preview key only; an invalid one gives diagnostics and no catalog;
//! the preview key's events are accepted and never stored or counted, its history is
//! always empty; the preview page loads `/touchpoint.js` with that key and the persona; the
//! editor frames it — over a real loopback socket and a real SQLite file.
mod common;

use reqwest::header::COOKIE;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use touchpoint_server::role::Role;
use touchpoint_server::store::{NewUser, Subject};
use touchpoint_server::workspace::admin::issue_token;
use touchpoint_server::workspace::secret::hash_password;
use touchpoint_server::workspace::starters::Starter;
use touchpoint_server::{app, AppState, Environment, StaticDirs};

struct Fixture {
    url: String,
    state: AppState,
    http: reqwest::Client,
    viewer_token: String,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let (state, dir) = common::sqlite_state(vec![Environment::open("pk_test")]).await;
    let (viewer_token, _) = issue_token(&state, "test", "viewer", Role::Viewer)
        .await
        .expect("token");
    let url = common::serve_loopback(app(state.clone(), &StaticDirs::default())).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Fixture {
        url,
        state,
        http,
        viewer_token,
        _dir: dir,
    }
}

impl Fixture {
    async fn preview(&self, id: &str, body: Value) -> Value {
        let res = self
            .http
            .post(format!("{}/workspace/api/campaigns/{id}/preview", self.url))
            .bearer_auth(&self.viewer_token)
            .json(&body)
            .send()
            .await
            .expect("preview");
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.expect("json")
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("get")
    }
}

fn key(token: &Value) -> String {
    format!("pk_preview_{}", token.as_str().expect("token"))
}

#[tokio::test]
async fn the_preview_catalog_serves_the_posted_source_with_a_trigger_that_shows() {
    let f = fixture().await;
    // Unsaved: campaign `tip` does not exist; its tooltip-like trigger waits for an element.
    let source = Starter::Goal(touchpoint_core::vocab::Goal::Adoption)
        .source("tip", "Tip")
        .replace(
            "on = \"page_load\"\nurl = \"/app/**\"",
            "on = \"element_visible\"\nselector = \"#nowhere\"",
        )
        .replace("Try this feature", "Unsaved title");
    let made = f.preview("tip", json!({ "source": source })).await;
    assert_eq!(made["ok"], true, "{made}");
    let token = &made["token"];
    assert!(made["url"]
        .as_str()
        .expect("url")
        .starts_with("/workspace/campaigns/tip/preview?token="));

    let res = f.get(&format!("/v1/campaigns?key={}", key(token))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("etag").is_some());
    let catalog: Value = res.json().await.expect("json");
    let campaigns = catalog["campaigns"].as_array().expect("campaigns");
    assert_eq!(campaigns.len(), 1, "{catalog}");
    assert_eq!(campaigns[0]["id"], "tip");
    assert!(catalog.to_string().contains("Unsaved title"), "{catalog}");
    assert_eq!(campaigns[0]["trigger"]["on"], "page_load", "{catalog}");
    // The real catalog is untouched, and an unknown preview is an unknown key.
    assert!(f.state.catalog().campaigns.is_empty());
    let res = f
        .get(&format!("/v1/campaigns?key=pk_preview_{}", "0".repeat(32)))
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());
}

#[tokio::test]
async fn an_invalid_source_gives_diagnostics_not_a_catalog() {
    let f = fixture().await;
    let source = Starter::Blank
        .source("tip", "Tip")
        .replace("goal = \"adoption\"", "goal = \"adoptoin\"");
    let made = f.preview("tip", json!({ "source": source })).await;
    assert_eq!(made["ok"], false);
    assert!(made.get("token").is_none(), "{made}");
    let d = &made["diagnostics"][0];
    assert_eq!(d["path"], "goal", "{made}");
    assert!(d["line"].is_number() && d["column"].is_number(), "{made}");
    // Another campaign's source is refused the same way.
    let other = f
        .preview(
            "tip",
            json!({ "source": Starter::Blank.source("other", "O") }),
        )
        .await;
    assert_eq!(other["ok"], false);
    assert_eq!(other["diagnostics"][0]["path"], "id");
}

#[tokio::test]
async fn preview_events_are_never_stored_or_counted_and_its_history_is_empty() {
    let f = fixture().await;
    let made = f
        .preview(
            "tip",
            json!({ "source": Starter::Blank.source("tip", "Tip") }),
        )
        .await;
    let key = key(&made["token"]);
    let batch = json!({ "events": [
        common::event(&common::uuid(1), "impression"),
        common::event(&common::uuid(2), "impression"),
    ]});
    let res = f
        .http
        .post(format!("{}/v1/events?key={key}", f.url))
        .json(&batch)
        .send()
        .await
        .expect("events");
    assert_eq!(res.status(), StatusCode::OK);
    let out: Value = res.json().await.expect("json");
    assert_eq!(out["accepted"], 2, "{out}");
    assert_eq!(f.state.counters.accepted.load(Ordering::Relaxed), 0);
    for env_key in [key.as_str(), "pk_test"] {
        let subject = Subject {
            env_key: env_key.to_owned(),
            user_id: Some("u1".into()),
            anonymous_id: None,
            account_id: None,
        };
        let rows = f.state.store.history(&subject, 0, 100).await.expect("h");
        assert!(rows.is_empty(), "{env_key}: {rows:?}");
    }
    let res = f.get(&format!("/v1/history?key={key}&user_id=u1")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let history: Value = res.json().await.expect("json");
    assert_eq!(history, json!({ "events": [] }));
    // The same batch with a real key is stored: the preview's answer was not an accident.
    let res = f
        .http
        .post(format!("{}/v1/events?key=pk_test", f.url))
        .json(&batch)
        .send()
        .await
        .expect("events");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(f.state.counters.accepted.load(Ordering::Relaxed), 2);
}

#[tokio::test]
async fn the_preview_page_loads_the_widget_with_the_preview_key_and_persona() {
    let f = fixture().await;
    let persona =
        json!({ "user_id": "u_pat", "traits": { "role": "owner" }, "account": { "id": "acme" } });
    let made = f
        .preview(
            "tip",
            json!({ "source": Starter::Blank.source("tip", "Tip"), "persona": persona }),
        )
        .await;
    let token = made["token"].as_str().expect("token");
    let res = f
        .http
        .get(format!(
            "{}/workspace/campaigns/tip/preview?token={token}&locale=fr&theme=dark",
            f.url
        ))
        .bearer_auth(&f.viewer_token)
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok()),
        Some("frame-ancestors 'self'")
    );
    let html = res.text().await.expect("html");
    assert!(
        html.contains(&format!("data-key=\"pk_preview_{token}\"")),
        "{html}"
    );
    assert!(html.contains("src=\"/touchpoint.js\""), "{html}");
    assert!(
        html.contains("src=\"/workspace/assets/preview.js\""),
        "{html}"
    );
    assert!(html.contains("u_pat") && html.contains("fr"), "{html}");
    assert!(html.contains("content=\"dark\""), "{html}");
    assert!(!html.contains("<script>"), "no inline script: {html}");
    // Another campaign's page does not use this token; no token, no widget.
    for path in [
        format!("/workspace/campaigns/other/preview?token={token}"),
        "/workspace/campaigns/tip/preview".to_owned(),
    ] {
        let html = f
            .http
            .get(format!("{}{path}", f.url))
            .bearer_auth(&f.viewer_token)
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        assert!(
            html.contains("No preview yet") && !html.contains("data-key"),
            "{path}"
        );
    }
    let js = f.get("/workspace/assets/preview.js").await;
    assert_eq!(js.status(), StatusCode::OK);
    let js = js.text().await.expect("js");
    assert!(js.contains("identify") && js.contains("show"));
}

#[tokio::test]
async fn the_editor_frames_a_preview_of_the_latest_source_and_of_an_unsaved_one() {
    let f = fixture().await;
    let hash = hash_password("correct horse battery").expect("hash");
    f.state
        .store
        .create_user(&NewUser {
            email: "ed@example.com".into(),
            role: Role::Editor,
            password_hash: hash,
            created_at: common::NOW,
        })
        .await
        .expect("user");
    let res = f
        .http
        .post(format!("{}/workspace/login", f.url))
        .form(&[
            ("email", "ed@example.com"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .expect("login");
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_owned();
    let me: Value = f
        .http
        .get(format!("{}/workspace/api/me", f.url))
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    let csrf = me["csrf_token"].as_str().expect("csrf").to_owned();
    let res = f
        .http
        .post(format!("{}/workspace/campaigns", f.url))
        .header(COOKIE, &cookie)
        .header("origin", &f.url)
        .form(&[
            ("id", "tip"),
            ("name", "Tip"),
            ("starter", "announcement"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let html = f
        .http
        .get(format!("{}/workspace/campaigns/tip", f.url))
        .header(COOKIE, &cookie)
        .send()
        .await
        .expect("editor")
        .text()
        .await
        .expect("html");
    assert!(html.contains("<iframe id=\"preview-frame\""), "{html}");
    assert!(
        html.contains("/workspace/campaigns/tip/preview?theme=light&#38;token="),
        "{html}"
    );
    assert!(html.contains("id=\"persona\""), "{html}");

    // Without the script: the Preview button posts the unsaved source and the page frames it.
    let source = f.state.store.versions("tip").await.expect("v")[0]
        .source
        .replace("New: something worth knowing", "Not saved yet");
    let res = f
        .http
        .post(format!("{}/workspace/campaigns/tip", f.url))
        .header(COOKIE, &cookie)
        .header("origin", &f.url)
        .form(&[
            ("source", source.as_str()),
            ("action", "preview"),
            ("persona", "{\"user_id\": \"u1\"}"),
            ("theme", "dark"),
            ("width", "375"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .expect("preview");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    let at = html.find("token=").expect("a token") + "token=".len();
    let token = &html[at..at + 32];
    assert!(
        html.contains("width=\"375\"") && html.contains("theme-dark"),
        "{html}"
    );
    let catalog: Value = f
        .get(&format!("/v1/campaigns?key=pk_preview_{token}"))
        .await
        .json()
        .await
        .expect("json");
    assert!(catalog.to_string().contains("Not saved yet"), "{catalog}");
    assert_eq!(
        f.state.store.versions("tip").await.expect("v").len(),
        1,
        "nothing saved"
    );
    // A persona that is not JSON is refused on the page.
    let res = f
        .http
        .post(format!("{}/workspace/campaigns/tip", f.url))
        .header(COOKIE, &cookie)
        .header("origin", &f.url)
        .form(&[
            ("source", source.as_str()),
            ("action", "preview"),
            ("persona", "{not json"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .expect("preview");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("html")
        .contains("persona is not valid JSON"));
}
