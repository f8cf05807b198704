//! `cargo xtask demo`: build the widget and the server, then serve the demo host product, the
//! widget, the API and the CS workspace from one `touchpoint serve` on 127.0.0.1:8080 with an
//! embedded SQLite file under `.touchpoint/`, where a demo workspace user is made on the
//! first start (and found on the next).
use crate::{build, run, target_dir};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// The demo's workspace sign-in (a local demo database only).
const DEMO_USER: (&str, &str) = ("cs@ledgerly.example", "ledgerly-demo");
const DEMO_DB: &str = ".touchpoint/demo.db";

/// Build everything and serve until interrupted.
pub fn demo(root: &Path) -> Result<(), run::Error> {
    build::build(root)?;
    run::cargo(root, &["build", "-p", "touchpoint-server"])?;
    std::fs::create_dir_all(root.join(".touchpoint")).map_err(|e| e.to_string())?;
    demo_user(root)?;
    println!();
    println!("Touchpoint demo");
    println!("  demo product  http://127.0.0.1:8080/app/");
    println!("  widget        http://127.0.0.1:8080/touchpoint.js");
    println!("  campaigns API http://127.0.0.1:8080/v1/campaigns?key=pk_demo");
    println!(
        "  stored events http://127.0.0.1:8080/v1/admin/events  (Authorization: Bearer demo-admin)"
    );
    println!(
        "  CS workspace  http://127.0.0.1:8080/workspace/  (sign in as {} / {})",
        DEMO_USER.0, DEMO_USER.1
    );
    println!("  database      {DEMO_DB} (SQLite)");
    println!("Ctrl-C stops the server.");
    run::status(
        Command::new(target_dir(root).join("debug/touchpoint"))
            .args([
                "serve",
                "--bind",
                "127.0.0.1:8080",
                "--database-url",
                DEMO_DB,
            ])
            .args([
                "--campaigns",
                "campaigns",
                "--dist",
                "dist",
                "--www",
                "www",
                "--admin-token",
                "demo-admin",
            ])
            .current_dir(root),
    )
}

/// Make the demo's workspace admin in the demo database unless it is there already.
fn demo_user(root: &Path) -> Result<(), run::Error> {
    let bin = target_dir(root).join("debug/touchpoint");
    let listed = Command::new(&bin)
        .args(["admin", "list-users", "--database-url", DEMO_DB])
        .current_dir(root)
        .output()
        .map_err(|e| format!("touchpoint admin list-users: {e}"))?;
    if !listed.status.success() {
        return Err(format!(
            "touchpoint admin list-users failed: {}",
            String::from_utf8_lossy(&listed.stderr)
        ));
    }
    if String::from_utf8_lossy(&listed.stdout).contains(DEMO_USER.0) {
        return Ok(());
    }
    let mut child = Command::new(&bin)
        .args([
            "admin",
            "create-user",
            "--email",
            DEMO_USER.0,
            "--role",
            "admin",
        ])
        .args(["--database-url", DEMO_DB])
        .current_dir(root)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("touchpoint admin create-user: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        writeln!(stdin, "{}", DEMO_USER.1).map_err(|e| e.to_string())?;
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("touchpoint admin create-user exited with {status}"))
    }
}
