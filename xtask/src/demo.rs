//! `cargo xtask demo`: build the widget and the server, then serve the demo host product, the
//! widget and the API from one `touchpoint serve` on 127.0.0.1:8080 with an embedded SQLite
//! file under `.touchpoint/`.
use crate::{build, run, target_dir};
use std::path::Path;
use std::process::Command;

/// Build everything and serve until interrupted.
pub fn demo(root: &Path) -> Result<(), run::Error> {
    build::build(root)?;
    run::cargo(root, &["build", "-p", "touchpoint-server"])?;
    std::fs::create_dir_all(root.join(".touchpoint")).map_err(|e| e.to_string())?;
    println!();
    println!("Touchpoint demo");
    println!("  demo product  http://127.0.0.1:8080/app/");
    println!("  widget        http://127.0.0.1:8080/touchpoint.js");
    println!("  campaigns API http://127.0.0.1:8080/v1/campaigns?key=pk_demo");
    println!(
        "  stored events http://127.0.0.1:8080/v1/admin/events  (Authorization: Bearer demo-admin)"
    );
    println!("  database      .touchpoint/demo.db (SQLite)");
    println!("Ctrl-C stops the server.");
    run::status(
        Command::new(target_dir(root).join("debug/touchpoint"))
            .args([
                "serve",
                "--bind",
                "127.0.0.1:8080",
                "--database-url",
                ".touchpoint/demo.db",
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
