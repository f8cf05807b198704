//! `cargo xtask test`: every check, in tiers from fastest to slowest — formatting, lints for
//! native and wasm32, native tests (core, server with SQLite and PostgreSQL), the core's tests
//! compiled to wasm32 in Node, the widget's tests in headless Chromium, the bundle size budget,
//! and the Playwright end-to-end suite against a real server, run twice: same-origin and
//! cross-origin. Every tier runs even when an earlier one failed, and one line
//! `N passed, N failed` closes the run.
use crate::{build, run, target_dir, tools};
use std::path::Path;
use std::process::Command;

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    failed_steps: Vec<String>,
}

impl Tally {
    /// A check that counts as one test.
    fn check(&mut self, name: &str, result: Result<(), run::Error>) {
        match result {
            Ok(()) => self.passed += 1,
            Err(e) => {
                eprintln!("FAILED: {name}: {e}");
                self.failed += 1;
                self.failed_steps.push(name.to_owned());
            }
        }
    }

    /// A test runner: count what its output reports; a failing exit with nothing counted
    /// (a compile error, a crash) is one failure.
    fn suite(&mut self, name: &str, cmd: &mut Command) {
        let (ok, out) = match run::streamed(cmd) {
            Ok(r) => r,
            Err(e) => return self.check(name, Err(e)),
        };
        let (p, f) = count(&out);
        self.passed += p;
        self.failed += f;
        if !ok && f == 0 {
            self.failed += 1;
        }
        if !ok || f > 0 {
            eprintln!("FAILED: {name}");
            self.failed_steps.push(name.to_owned());
        } else if p == 0 {
            eprintln!("FAILED: {name} ran no test");
            self.failed += 1;
            self.failed_steps.push(format!("{name} (ran no test)"));
        }
    }
}

/// Sum the counts of cargo's `test result:` lines and node's `pass N` / `fail N` lines.
fn count(out: &str) -> (u64, u64) {
    let mut passed = 0;
    let mut failed = 0;
    for line in out.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split([';', '.']) {
                let mut words = part.split_whitespace();
                if let (Some(n), Some(what)) = (words.next(), words.next()) {
                    let n: u64 = n.parse().unwrap_or(0);
                    match what {
                        "passed" => passed += n,
                        "failed" => failed += n,
                        _ => {}
                    }
                }
            }
        }
        let node = line.trim_start_matches(['#', 'ℹ', ' ']);
        if line.starts_with('#') || line.starts_with('ℹ') {
            if let Some(n) = node
                .strip_prefix("pass ")
                .and_then(|n| n.trim().parse::<u64>().ok())
            {
                passed += n;
            }
            if let Some(n) = node
                .strip_prefix("fail ")
                .and_then(|n| n.trim().parse::<u64>().ok())
            {
                failed += n;
            }
        }
    }
    (passed, failed)
}

/// Run every tier; error if anything failed.
pub fn test(root: &Path) -> Result<(), run::Error> {
    tools::ensure_test_tools(root)?;
    let cargo = run::cargo_bin();
    let cmd = |args: &[&str]| {
        let mut c = Command::new(&cargo);
        c.args(args).current_dir(root);
        c
    };
    let mut t = Tally::default();
    t.check(
        "cargo fmt --check",
        run::status(&mut cmd(&["fmt", "--all", "--check"])),
    );
    t.check(
        "clippy (native)",
        run::status(&mut cmd(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
    );
    t.check(
        "clippy (wasm32)",
        run::status(&mut cmd(&[
            "clippy",
            "-p",
            "touchpoint",
            "-p",
            "touchpoint-core",
            "--target",
            "wasm32-unknown-unknown",
            // Not --all-targets: the benches use criterion, a native-only dev-dependency.
            "--lib",
            "--tests",
            "--",
            "-D",
            "warnings",
        ])),
    );
    t.suite("native tests", &mut cmd(&["test", "--workspace"]));
    t.suite(
        "core tests on wasm32 (Node)",
        &mut cmd(&[
            "test",
            "-p",
            "touchpoint-core",
            "--target",
            "wasm32-unknown-unknown",
        ]),
    );
    t.suite(
        "widget tests on wasm32 (headless Chromium)",
        cmd(&[
            "test",
            "-p",
            "touchpoint",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    );
    let built = build::build(root);
    let budget = built.as_ref().map_err(Clone::clone).and_then(|sizes| {
        let total: u64 = sizes.iter().map(|s| s.brotli).sum();
        if total <= build::BUDGET_BROTLI {
            println!(
                "size budget: {total} B brotli <= {} B",
                build::BUDGET_BROTLI
            );
            Ok(())
        } else {
            build::print_table(sizes);
            Err(format!(
                "dist/ is {total} B brotli, over the budget of {} B",
                build::BUDGET_BROTLI
            ))
        }
    });
    t.check("bundle size budget", budget);
    let server = run::status(&mut cmd(&["build", "-p", "touchpoint-server"]));
    // The whole suite twice: host pages on the collector's origin, and as a vendor embeds
    // the widget, host pages on their own origin under a strict CSP (tests/e2e/harness.mjs).
    for origin in ["same", "cross"] {
        let name = format!("end-to-end, {origin}-origin (Playwright, Chromium)");
        if built.is_ok() && server.is_ok() {
            t.suite(
                &name,
                Command::new("node")
                    .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
                    .arg("tests/e2e/")
                    .current_dir(root)
                    .env("TOUCHPOINT_BIN", target_dir(root).join("debug/touchpoint"))
                    .env("TOUCHPOINT_ROOT", root)
                    .env("TOUCHPOINT_E2E_ORIGIN", origin),
            );
        } else {
            t.check(
                &name,
                Err("not run: the widget or server build failed".into()),
            );
        }
    }
    if !t.failed_steps.is_empty() {
        eprintln!("failed: {}", t.failed_steps.join("; "));
    }
    println!("{} passed, {} failed", t.passed, t.failed);
    if t.failed == 0 {
        Ok(())
    } else {
        Err(format!("{} failed", t.failed))
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_cargo_and_node_summaries() {
        let out = "test result: ok. 6 passed; 0 failed; 1 ignored\n\
                   test result: FAILED. 2 passed; 3 failed; 0 ignored\n\
                   ℹ pass 4\nℹ fail 1\n# pass 2\n";
        assert_eq!(count(out), (14, 4));
    }
}
