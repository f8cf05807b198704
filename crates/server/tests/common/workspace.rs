//! The CS workspace as a browser meets it, shared by the workspace's integration tests: a
//! real server on a loopback socket over a fresh SQLite file with one user per role, a
//! client that does not follow redirects, sign-in (the session cookie and its CSRF token),
//! page reads and form posts as a browser sends them.

use reqwest::header::{COOKIE, LOCATION};
use reqwest::StatusCode;
use touchpoint_server::role::Role;
use touchpoint_server::store::NewUser;
use touchpoint_server::workspace::secret::hash_password;
use touchpoint_server::{app, AppState, Environment, StaticDirs};

/// Every fixture user's password.
pub const PASSWORD: &str = "correct horse battery";

/// A running workspace and a client for it.
pub struct Fixture {
    pub url: String,
    pub state: AppState,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// A signed-in browser: its cookie pair and CSRF token.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

/// A workspace with `admin@`, `editor@` and `viewer@example.com`, all with [`PASSWORD`].
pub async fn fixture() -> Fixture {
    let (state, dir) = super::sqlite_state(vec![Environment::open("pk_test")]).await;
    let hash = hash_password(PASSWORD).expect("hash");
    for role in Role::ALL {
        state
            .store
            .create_user(&NewUser {
                email: format!("{role}@example.com"),
                role,
                password_hash: hash.clone(),
                created_at: super::NOW,
            })
            .await
            .expect("user");
    }
    let url = super::serve_loopback(app(state.clone(), &StaticDirs::default())).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Fixture {
        url,
        state,
        http,
        _dir: dir,
    }
}

impl Fixture {
    pub async fn sign_in(&self, role: Role) -> Browser {
        let email = format!("{role}@example.com");
        let res = self
            .http
            .post(format!("{}/workspace/login", self.url))
            .form(&[("email", email.as_str()), ("password", PASSWORD)])
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let cookie = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("cookie")
            .to_owned();
        let me: serde_json::Value = self
            .http
            .get(format!("{}/workspace/api/me", self.url))
            .header(COOKIE, &cookie)
            .send()
            .await
            .expect("me")
            .json()
            .await
            .expect("json");
        let csrf = me["csrf_token"].as_str().expect("csrf").to_owned();
        Browser { cookie, csrf }
    }

    pub async fn page(&self, b: &Browser, path: &str) -> (StatusCode, String) {
        let res = self
            .http
            .get(format!("{}{path}", self.url))
            .header(COOKIE, &b.cookie)
            .send()
            .await
            .expect("get");
        (res.status(), res.text().await.expect("body"))
    }

    /// Post a form as `b`, with its CSRF token unless `csrf` is false: the status, the
    /// redirect target (if any) and the body.
    pub async fn form(
        &self,
        b: &Browser,
        path: &str,
        fields: &[(&str, &str)],
        csrf: bool,
    ) -> (StatusCode, String, String) {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if csrf {
            all.push(("csrf", &b.csrf));
        }
        let res = self
            .http
            .post(format!("{}{path}", self.url))
            .header(COOKIE, &b.cookie)
            .header("origin", &self.url)
            .form(&all)
            .send()
            .await
            .expect("post");
        let location = res
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (res.status(), location, res.text().await.expect("body"))
    }

    pub async fn create(&self, b: &Browser, id: &str, name: &str, starter: &str) {
        let (status, location, body) = self
            .form(
                b,
                "/workspace/campaigns",
                &[("id", id), ("name", name), ("starter", starter)],
                true,
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(
            location,
            format!("/workspace/campaigns/{id}?done=campaign_created")
        );
    }

    pub async fn source(&self, id: &str) -> String {
        let versions = self.state.store.versions(id).await.expect("versions");
        versions.last().expect("a version").source.clone()
    }

    pub fn in_catalog(&self, id: &str) -> bool {
        self.state.catalog().campaigns.iter().any(|c| c.id == id)
    }
}
