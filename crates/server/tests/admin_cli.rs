//! `touchpoint admin ...` run as the real binary against a real SQLite file: users created
//! with a password from stdin (argon2id in the database, never the password), listed, their
//! password reset; an API token printed once, stored as its hash, and accepted by a server
//! over the same database on the admin API.
mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// Run `touchpoint admin ARGS --database-url DB` with `stdin`; (exit code, stdout, stderr).
fn admin(db: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .arg("admin")
        .args(args)
        .arg("--database-url")
        .arg(db)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run touchpoint");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn users_and_tokens_are_created_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("t.db");
    let (code, out, err) = admin(
        &db,
        &[
            "create-user",
            "--email",
            "Ada@Example.com",
            "--role",
            "admin",
        ],
        "correct horse battery\n",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("created ada@example.com (admin)"), "{out}");
    let (code, _, err) = admin(
        &db,
        &[
            "create-user",
            "--email",
            "bob@example.com",
            "--role",
            "viewer",
        ],
        "short\n",
    );
    assert_eq!(code, 1);
    assert!(err.contains("at least 12 characters"), "{err}");
    let (code, _, err) = admin(
        &db,
        &[
            "create-user",
            "--email",
            "ada@example.com",
            "--role",
            "viewer",
        ],
        "another long password\n",
    );
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
    let (code, _, err) = admin(
        &db,
        &[
            "create-user",
            "--email",
            "eve@example.com",
            "--role",
            "owner",
        ],
        "",
    );
    assert_eq!(code, 2, "clap refuses an unknown role");
    assert!(err.contains("unknown role \"owner\""), "{err}");

    let (code, out, _) = admin(&db, &["list-users"], "");
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "ada@example.com\tadmin\tactive");

    let (code, out, err) = admin(
        &db,
        &["reset-password", "--email", "ada@example.com"],
        "a brand new passphrase\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("password of ada@example.com reset"), "{out}");
    let (code, _, err) = admin(
        &db,
        &["reset-password", "--email", "nobody@example.com"],
        "x\n",
    );
    assert_eq!(code, 1);
    assert!(err.contains("no user nobody@example.com"), "{err}");

    let (code, token, err) = admin(
        &db,
        &["create-token", "--name", "sync", "--role", "admin"],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let token = token.trim().to_owned();
    assert!(token.starts_with("tp_") && token.len() == 46, "{token}");

    let store = touchpoint_server::store::SqliteStore::open(db.to_str().expect("path"))
        .await
        .expect("open");
    use touchpoint_server::store::AccessStore as _;
    let ada = store
        .user_by_email("ada@example.com")
        .await
        .expect("read")
        .expect("ada");
    assert!(ada.password_hash.starts_with("$argon2id$"));
    assert!(touchpoint_server::workspace::secret::verify_password(
        "a brand new passphrase",
        Some(&ada.password_hash)
    ));
    let tokens = store.list_tokens().await.expect("tokens");
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        tokens[0].token_sha256,
        touchpoint_server::workspace::secret::sha256_hex(&token)
    );
    let actions: Vec<String> = store
        .list_audit(10)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| format!("{} {} {}", e.actor, e.action, e.subject))
        .collect();
    assert_eq!(
        actions,
        [
            "cli token.create sync",
            "cli user.reset_password ada@example.com",
            "cli user.create ada@example.com"
        ]
    );
    drop(store);

    // A server over the same database takes the token on the admin API.
    let campaigns = tempfile::tempdir().expect("campaigns");
    let server = common::Collector::start(db.as_os_str(), campaigns.path());
    let res = reqwest::Client::new()
        .get(format!("{}/v1/admin/stats", server.url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("stats");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
}
