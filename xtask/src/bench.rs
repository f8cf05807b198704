//! `cargo xtask bench`: every benchmark, each printing its figures beside its baseline. One
//! step per benchmark, run in order:
//! - the decision (`crates/core/benches/decide.rs`, criterion: 10 to 10,000 campaigns);
//! - what one `track()`, `page()` and `identify()` costs the host page's main thread, in
//!   headless Chromium with the release widget, empty and with 900 events queued, beside a
//!   bare `localStorage.setItem` (`tests/e2e/track-cost.bench.mjs`, issue 12).
use crate::{build, run, target_dir, tools};
use std::path::Path;
use std::process::Command;

/// Run every benchmark; error if one cannot run.
pub fn bench(root: &Path) -> Result<(), run::Error> {
    run::cargo(
        root,
        &["bench", "-p", "touchpoint-core", "--bench", "decide"],
    )?;
    track_cost(root)
}

/// The widget's per-call cost in Chromium: builds the widget and the collector first.
fn track_cost(root: &Path) -> Result<(), run::Error> {
    tools::ensure_test_tools(root)?;
    build::build(root)?;
    run::cargo(root, &["build", "-p", "touchpoint-server"])?;
    run::status(
        Command::new("node")
            .arg("tests/e2e/track-cost.bench.mjs")
            .current_dir(root)
            .env("TOUCHPOINT_BIN", target_dir(root).join("debug/touchpoint"))
            .env("TOUCHPOINT_ROOT", root),
    )
}
