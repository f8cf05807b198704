//! Issue 13, access: every `/workspace` and `/v1/admin` route from the one registry refuses
//! without credentials (401 for the APIs, 303 to the sign-in page for pages) and with a role
//! below its least one (403); sign-in, cookie flags, sign-out, the idle and absolute timeouts
//! (on an injected clock), CSRF, sign-in rate limits, API tokens and the audit log — over a
//! real loopback socket and a real SQLite file.
mod common;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use touchpoint_server::config::WorkspaceConfig;
use touchpoint_server::role::Role;
use touchpoint_server::store::NewUser;
use touchpoint_server::workspace::routes::{Access, Verb, ROUTES};
use touchpoint_server::workspace::secret::hash_password;
use touchpoint_server::{app, AppState, Environment, StaticDirs};

const PASSWORD: &str = "correct horse battery";

struct Fixture {
    url: String,
    clock: Arc<AtomicI64>,
    state: AppState,
    /// A token per role.
    tokens: Vec<(Role, String)>,
    _dir: tempfile::TempDir,
}

async fn fixture(config: WorkspaceConfig) -> Fixture {
    let (state, dir) = common::sqlite_state(vec![Environment::open("pk_test")]).await;
    let clock = Arc::new(AtomicI64::new(common::NOW));
    let c = clock.clone();
    let state = state
        .with_clock(Arc::new(move || c.load(Ordering::SeqCst)))
        .with_workspace(config);
    let hash = hash_password(PASSWORD).expect("hash");
    for role in Role::ALL {
        state
            .store
            .create_user(&NewUser {
                email: format!("{role}@example.com"),
                role,
                password_hash: hash.clone(),
                created_at: common::NOW,
            })
            .await
            .expect("user");
    }
    let mut tokens = Vec::new();
    for role in Role::ALL {
        let (token, _) = touchpoint_server::workspace::admin::issue_token(
            &state,
            "test",
            &format!("{role}-token"),
            role,
        )
        .await
        .expect("token");
        tokens.push((role, token));
    }
    let url = common::serve_loopback(app(state.clone(), &StaticDirs::default())).await;
    Fixture {
        url,
        clock,
        state,
        tokens,
        _dir: dir,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl Fixture {
    fn token(&self, role: Role) -> &str {
        &self
            .tokens
            .iter()
            .find(|(r, _)| *r == role)
            .expect("token")
            .1
    }

    fn advance_minutes(&self, minutes: i64) {
        self.clock.fetch_add(minutes * 60_000, Ordering::SeqCst);
    }

    async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        client()
            .post(format!("{}/workspace/login", self.url))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .expect("login")
    }

    /// Sign in as the user of `role`: the cookie pair and the session's CSRF token.
    async fn session(&self, role: Role) -> (String, String) {
        let res = self.login(&format!("{role}@example.com"), PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let cookie = set_cookie(&res).split(';').next().expect("pair").to_owned();
        let me: serde_json::Value = self
            .get("/workspace/api/me", &cookie)
            .await
            .json()
            .await
            .expect("json");
        let csrf = me["csrf_token"].as_str().expect("csrf").to_owned();
        (cookie, csrf)
    }

    async fn get(&self, path: &str, cookie: &str) -> reqwest::Response {
        client()
            .get(format!("{}{path}", self.url))
            .header(COOKIE, cookie)
            .send()
            .await
            .expect("get")
    }
}

fn set_cookie(res: &reqwest::Response) -> String {
    res.headers()
        .get(SET_COOKIE)
        .expect("Set-Cookie")
        .to_str()
        .expect("text")
        .to_owned()
}

fn location(res: &reqwest::Response) -> &str {
    res.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A concrete path for a pattern (`{id}` is a user's, token's or campaign's id; 1 exists for
/// all three once the enumeration test has saved campaign `1`).
fn concrete(pattern: &str) -> String {
    pattern.replace("{id}", "1").replace("{n}", "1")
}

#[tokio::test]
async fn every_registered_route_refuses_without_credentials_and_below_its_role() {
    let f = fixture(WorkspaceConfig::default()).await;
    // Campaign `1`, version 1, so the campaign pages have one to answer 200 with.
    let source = touchpoint_server::workspace::starters::Starter::Blank.source("1", "One");
    touchpoint_server::documents::save_draft(
        f.state.store.as_ref(),
        "1",
        &source,
        touchpoint_server::documents::Change {
            author: "test",
            note: "",
            now: common::NOW,
        },
    )
    .await
    .expect("campaign 1");
    let http = client();
    let mut sessions = Vec::new();
    for role in Role::ALL {
        sessions.push((role, f.session(role).await));
    }
    let session_of = |role: Role| &sessions.iter().find(|(r, _)| *r == role).expect("s").1;
    let mut checked = 0;
    for route in ROUTES {
        let url = format!("{}{}", f.url, concrete(route.path));
        let request = |verb: Verb| match verb {
            Verb::Get => http.get(&url),
            Verb::Post => http.post(&url).form(&[("csrf", "")]),
        };
        let what = format!("{} {}", route.verb.as_str(), route.path);
        // Mounted: whatever it answers, it is not the router's 404.
        let anonymous = request(route.verb).send().await.expect("send");
        assert_ne!(
            anonymous.status(),
            StatusCode::NOT_FOUND,
            "{what} is not mounted"
        );
        match route.access {
            Access::Public => {}
            Access::Page(need) => {
                assert_eq!(anonymous.status(), StatusCode::SEE_OTHER, "{what}");
                assert_eq!(location(&anonymous), "/workspace/login", "{what}");
                if let Some(below) = need.below() {
                    let (cookie, csrf) = session_of(below);
                    let res = match route.verb {
                        Verb::Get => http.get(&url),
                        Verb::Post => http.post(&url).form(&[("csrf", csrf.as_str())]),
                    }
                    .header(COOKIE, cookie)
                    .send()
                    .await
                    .expect("send");
                    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{what} as {below}");
                    let res = request(route.verb)
                        .bearer_auth(f.token(below))
                        .send()
                        .await
                        .expect("send");
                    assert_eq!(
                        res.status(),
                        StatusCode::FORBIDDEN,
                        "{what} with a {below} token"
                    );
                }
                if route.verb == Verb::Get {
                    let (cookie, _) = session_of(need);
                    let res = f.get(&concrete(route.path), cookie).await;
                    assert_eq!(res.status(), StatusCode::OK, "{what} as {need}");
                }
            }
            Access::Api(need) => {
                assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{what}");
                let wrong = request(route.verb)
                    .bearer_auth("tp_wrong")
                    .send()
                    .await
                    .expect("send");
                assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{what}");
                if let Some(below) = need.below() {
                    let res = request(route.verb)
                        .bearer_auth(f.token(below))
                        .send()
                        .await
                        .expect("send");
                    assert_eq!(
                        res.status(),
                        StatusCode::FORBIDDEN,
                        "{what} with a {below} token"
                    );
                    let (cookie, _) = session_of(below);
                    let res = request(route.verb)
                        .header(COOKIE, cookie)
                        .send()
                        .await
                        .expect("send");
                    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{what} as {below}");
                }
                // Let through at its least role: the handler answers (an unknown campaign
                // or a body the route does not take is the handler's 404 or 400, with its
                // JSON error; never the gate's 401 or 403).
                let res = request(route.verb)
                    .bearer_auth(f.token(need))
                    .send()
                    .await
                    .expect("send");
                let status = res.status();
                let body: serde_json::Value = res.json().await.unwrap_or_default();
                assert!(
                    status.is_success()
                        || (status.is_client_error() && body["error"]["code"].is_string()),
                    "{what} with a {need} token: {status} {body}"
                );
                assert!(
                    !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
                    "{what} with a {need} token: {status} {body}"
                );
            }
            Access::AdminApi => {
                assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{what}");
                let body: serde_json::Value = anonymous.json().await.expect("json");
                assert_eq!(body["error"]["code"], "admin_unauthorized", "{what}");
                let res = request(route.verb)
                    .bearer_auth(f.token(Role::Editor))
                    .send()
                    .await
                    .expect("send");
                assert_eq!(
                    res.status(),
                    StatusCode::FORBIDDEN,
                    "{what} with an editor token"
                );
                // A session is not a credential of the operator's API.
                let (cookie, _) = session_of(Role::Admin);
                let res = request(route.verb)
                    .header(COOKIE, cookie)
                    .send()
                    .await
                    .expect("send");
                assert_eq!(
                    res.status(),
                    StatusCode::UNAUTHORIZED,
                    "{what} with a session"
                );
                for token in ["admin", f.token(Role::Admin)] {
                    let res = request(route.verb)
                        .bearer_auth(token)
                        .send()
                        .await
                        .expect("send");
                    assert!(
                        res.status() == StatusCode::OK || res.status() == StatusCode::BAD_REQUEST,
                        "{what} with an admin credential: {}",
                        res.status()
                    );
                }
            }
        }
        checked += 1;
    }
    assert_eq!(checked, ROUTES.len());
    // A method the registry does not list for a path is refused, not passed through.
    let res = http
        .delete(format!("{}/workspace/users", f.url))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_route_mounted_without_registering_its_access_is_refused() {
    let (state, _dir) = common::sqlite_state(vec![Environment::open("pk_test")]).await;
    let router = axum::Router::new()
        .route(
            "/workspace/secret",
            axum::routing::get(|| async { "secret" }),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            touchpoint_server::workspace::gate::gate,
        ))
        .with_state(state);
    let url = common::serve_loopback(router).await;
    let res = client()
        .get(format!("{url}/workspace/secret"))
        .bearer_auth("admin")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!res.text().await.expect("body").contains("secret\""));
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_the_right_one_signs_in_with_a_safe_cookie() {
    let f = fixture(WorkspaceConfig::default()).await;
    let page = client()
        .get(format!("{}/workspace/login", f.url))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(
        html.contains(r#"<label for="email">Email</label>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"autocomplete="current-password""#),
        "{html}"
    );

    let wrong = f.login("editor@example.com", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    let html = wrong.text().await.expect("html");
    assert!(html.contains(r#"aria-describedby="login-error""#), "{html}");
    assert!(html.contains("Wrong email or password."), "{html}");
    let unknown = f.login("nobody@example.com", PASSWORD).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);

    let right = f.login("Editor@Example.com ", PASSWORD).await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&right), "/workspace/");
    let cookie = set_cookie(&right);
    let flags: Vec<&str> = cookie.split("; ").collect();
    assert!(
        flags[0].starts_with("tp_session=") && flags[0].len() == "tp_session=".len() + 43,
        "{cookie}"
    );
    for flag in [
        "HttpOnly",
        "SameSite=Lax",
        "Path=/workspace",
        "Max-Age=43200",
    ] {
        assert!(flags.contains(&flag), "{flag} missing from {cookie}");
    }
    assert!(
        !flags.contains(&"Secure"),
        "not Secure unless configured: {cookie}"
    );

    let home = f.get("/workspace/", flags[0]).await;
    assert_eq!(home.status(), StatusCode::OK);
    assert_eq!(home.headers()["cache-control"], "no-store");
    assert_eq!(
        home.headers()["content-security-policy"],
        "frame-ancestors 'self'"
    );
    let html = home.text().await.expect("html");
    assert!(
        html.contains("editor@example.com") && html.contains("editor"),
        "{html}"
    );
    assert!(html.contains("No campaigns yet"), "{html}");
    assert!(
        !html.contains("/workspace/users"),
        "no admin links for an editor: {html}"
    );

    let attempts = f.state.store.login_attempts(10).await.expect("attempts");
    assert_eq!(
        attempts
            .iter()
            .map(|a| (a.email.as_str(), a.ok))
            .collect::<Vec<_>>(),
        [
            ("editor@example.com", true),
            ("nobody@example.com", false),
            ("editor@example.com", false)
        ]
    );
    assert_eq!(attempts[0].ip.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn the_cookie_is_secure_when_configured() {
    let f = fixture(WorkspaceConfig {
        secure_cookies: true,
        ..WorkspaceConfig::default()
    })
    .await;
    let res = f.login("viewer@example.com", PASSWORD).await;
    assert!(
        set_cookie(&res).ends_with("; Secure"),
        "{}",
        set_cookie(&res)
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let f = fixture(WorkspaceConfig::default()).await;
    let (cookie, csrf) = f.session(Role::Viewer).await;
    let res = client()
        .post(format!("{}/workspace/logout", f.url))
        .header(COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/workspace/login");
    assert!(set_cookie(&res).contains("Max-Age=0"));
    let after = f.get("/workspace/", &cookie).await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&after), "/workspace/login");
}

#[tokio::test]
async fn sessions_end_after_the_idle_and_the_absolute_timeouts() {
    let f = fixture(WorkspaceConfig::default()).await;
    let (cookie, _) = f.session(Role::Viewer).await;
    f.advance_minutes(29);
    assert_eq!(f.get("/workspace/", &cookie).await.status(), StatusCode::OK);
    f.advance_minutes(30);
    let idle = f.get("/workspace/", &cookie).await;
    assert_eq!(idle.status(), StatusCode::SEE_OTHER, "idle for 30 minutes");
    assert!(
        set_cookie(&idle).contains("Max-Age=0"),
        "the stale cookie is cleared"
    );

    let (cookie, _) = f.session(Role::Viewer).await;
    // Busy all day: a request every 20 minutes keeps it from idling, not past 12 hours.
    for _ in 0..35 {
        f.advance_minutes(20);
        assert_eq!(f.get("/workspace/", &cookie).await.status(), StatusCode::OK);
    }
    f.advance_minutes(20);
    assert_eq!(
        f.get("/workspace/", &cookie).await.status(),
        StatusCode::SEE_OTHER,
        "12 hours after sign-in"
    );
}

#[tokio::test]
async fn state_changing_requests_need_the_csrf_token_and_the_same_origin() {
    let f = fixture(WorkspaceConfig::default()).await;
    let (cookie, csrf) = f.session(Role::Admin).await;
    let add = |fields: Vec<(&'static str, String)>| {
        client()
            .post(format!("{}/workspace/users", f.url))
            .header(COOKIE, &cookie)
            .form(&fields)
    };
    let user = |email: &str| {
        vec![
            ("email", email.to_owned()),
            ("role", "viewer".to_owned()),
            ("password", PASSWORD.to_owned()),
        ]
    };
    let res = add(user("a@example.com")).send().await.expect("send");
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no token");
    let mut wrong = user("b@example.com");
    wrong.push(("csrf", "x".repeat(43)));
    assert_eq!(
        add(wrong).send().await.expect("send").status(),
        StatusCode::FORBIDDEN
    );
    let res = add(user("c@example.com"))
        .header("x-csrf-token", "nope")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "wrong header");
    let mut right = user("d@example.com");
    right.push(("csrf", csrf.clone()));
    let res = add(right.clone())
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "cross-origin");
    let res = add(right).send().await.expect("send");
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        res.text().await
    );
    let res = add(user("e@example.com"))
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the header works too");
    let emails: Vec<String> = f
        .state
        .store
        .list_users()
        .await
        .expect("users")
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert!(
        emails.contains(&"d@example.com".to_owned())
            && emails.contains(&"e@example.com".to_owned())
    );
    assert!(!emails
        .iter()
        .any(|e| e.starts_with("a@") || e.starts_with("b@") || e.starts_with("c@")));
    // Sign-in from another site's form is refused before any password is checked.
    let res = client()
        .post(format!("{}/workspace/login", f.url))
        .header("origin", "https://evil.example")
        .form(&[("email", "admin@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_account_and_per_ip() {
    let f = fixture(WorkspaceConfig::default()).await;
    for _ in 0..5 {
        assert_eq!(
            f.login("viewer@example.com", "wrong password!")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = f.login("viewer@example.com", PASSWORD).await;
    assert_eq!(
        limited.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("secs");
    let html = limited.text().await.expect("html");
    assert!(
        html.contains(&format!("too many attempts, retry in {wait} s")),
        "{html}"
    );
    // Another account from the same address has its own budget, up to the per-IP limit (20).
    assert_eq!(
        f.login("editor@example.com", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    for i in 0..13 {
        let status = f
            .login(&format!("spray{i}@example.com"), "guess guess guess")
            .await
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let status = f.login("admin@example.com", PASSWORD).await.status();
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the 21st attempt from one IP"
    );
    assert_eq!(
        f.state
            .store
            .login_attempts(100)
            .await
            .expect("attempts")
            .len(),
        21
    );
    // The limits count on the state's clock: a minute later both budgets are back.
    f.advance_minutes(1);
    let status = f.login("viewer@example.com", PASSWORD).await.status();
    assert_eq!(status, StatusCode::SEE_OTHER, "a minute later");
}

#[tokio::test]
async fn admins_manage_users_and_tokens_and_every_change_is_audited() {
    let f = fixture(WorkspaceConfig::default()).await;
    let (cookie, csrf) = f.session(Role::Admin).await;
    let post = |path: &str, fields: Vec<(&str, &str)>| {
        let mut fields = fields;
        fields.push(("csrf", csrf.as_str()));
        client()
            .post(format!("{}{path}", f.url))
            .header(COOKIE, &cookie)
            .form(&fields)
            .send()
    };
    let res = post(
        "/workspace/tokens",
        vec![("name", "sync"), ("role", "editor")],
    )
    .await
    .expect("send");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    let token = html
        .split("value=\"tp_")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|t| format!("tp_{t}"))
        .expect("the new token is on the page");
    let listed = f
        .get("/workspace/tokens", &cookie)
        .await
        .text()
        .await
        .expect("html");
    assert!(
        listed.contains("sync") && !listed.contains(&token),
        "shown once"
    );
    let me = client()
        .get(format!("{}/workspace/api/me", f.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("me");
    let me: serde_json::Value = me.json().await.expect("json");
    assert_eq!(me["actor"], "token:sync");
    assert_eq!(me["role"], "editor");

    let sync = f
        .state
        .store
        .list_tokens()
        .await
        .expect("tokens")
        .into_iter()
        .find(|t| t.name == "sync")
        .expect("sync");
    let res = post(&format!("/workspace/tokens/{}/revoke", sync.id), vec![])
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let after = client()
        .get(format!("{}/workspace/api/me", f.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("me");
    assert_eq!(
        after.status(),
        StatusCode::UNAUTHORIZED,
        "a revoked token is refused"
    );

    // Disabling a user ends their sessions; resetting a password does too.
    let (viewer_cookie, _) = f.session(Role::Viewer).await;
    let viewer = f
        .state
        .store
        .user_by_email("viewer@example.com")
        .await
        .expect("read")
        .expect("viewer");
    let res = post(
        &format!("/workspace/users/{}/disabled", viewer.id),
        vec![("disabled", "true")],
    )
    .await
    .expect("send");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        f.get("/workspace/", &viewer_cookie).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        f.login("viewer@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let admin = f
        .state
        .store
        .user_by_email("admin@example.com")
        .await
        .expect("read")
        .expect("admin");
    let res = post(
        &format!("/workspace/users/{}/disabled", admin.id),
        vec![("disabled", "true")],
    )
    .await
    .expect("send");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "not oneself");
    let (editor_cookie, _) = f.session(Role::Editor).await;
    let editor = f
        .state
        .store
        .user_by_email("editor@example.com")
        .await
        .expect("read")
        .expect("editor");
    let res = post(
        &format!("/workspace/users/{}/password", editor.id),
        vec![("password", "a brand new passphrase")],
    )
    .await
    .expect("send");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        f.get("/workspace/", &editor_cookie).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        f.login("editor@example.com", "a brand new passphrase")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    let log = f
        .get("/workspace/audit", &cookie)
        .await
        .text()
        .await
        .expect("html");
    for action in [
        "token.create",
        "token.revoke",
        "user.disable",
        "user.reset_password",
    ] {
        assert!(log.contains(action), "{action} missing from the audit page");
    }
    let entries = f.state.store.list_audit(100).await.expect("audit");
    assert!(entries
        .iter()
        .filter(|e| e.action != "token.create" || e.subject == "sync")
        .all(|e| e.actor == "user:admin@example.com" || e.actor == "test"));
}
