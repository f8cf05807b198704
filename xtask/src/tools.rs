//! Installing what the build and the tests need, idempotently: each tool is checked first and
//! installed only when missing or at the wrong version. Nothing here relies on what happens to
//! be on the machine beyond rustup, node/npm and apt.
use crate::run;
use std::path::Path;
use std::process::Command;

/// The wasm-bindgen version; must equal the `=0.2.N` pin in the root Cargo.toml.
pub const WASM_BINDGEN: &str = "0.2.130";

/// The wasm32 target, the pinned wasm-bindgen CLI and the npm build tools.
pub fn ensure_build_tools(root: &Path) -> Result<(), run::Error> {
    let installed = run::output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run::status(
            Command::new("rustup")
                .args(["target", "add", "wasm32-unknown-unknown"])
                .current_dir(root),
        )?;
    }
    let want = format!("wasm-bindgen {WASM_BINDGEN}");
    if run::output("wasm-bindgen", &["--version"]).as_deref() != Some(want.as_str()) {
        // Without --locked: the CLI's own lockfile asks for a crate version the registry
        // mirror here does not serve (TOOLCHAIN.md).
        run::status(Command::new(run::cargo_bin()).args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            WASM_BINDGEN,
        ]))?;
    }
    npm_ci(root)?;
    Ok(())
}

/// Everything the tests need: the build tools, Chromium with its driver, and the end-to-end
/// suite's npm packages.
pub fn ensure_test_tools(root: &Path) -> Result<(), run::Error> {
    ensure_build_tools(root)?;
    if !Path::new("/usr/bin/chromium").exists() || !Path::new("/usr/bin/chromedriver").exists() {
        let sudo = run::output("id", &["-u"]).as_deref() != Some("0");
        let apt = |args: &[&str]| {
            let mut c = if sudo {
                Command::new("sudo")
            } else {
                Command::new("apt-get")
            };
            if sudo {
                c.arg("apt-get");
            }
            c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
            run::status(&mut c)
        };
        apt(&["update", "-q"])?;
        apt(&["install", "-y", "-q", "chromium", "chromium-driver"])?;
    }
    npm_ci(&root.join("tests/e2e"))
}

/// `npm ci` in `dir` unless `node_modules` already matches the lockfile.
fn npm_ci(dir: &Path) -> Result<(), run::Error> {
    let lock = std::fs::read(dir.join("package-lock.json"))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let stamp = dir.join("node_modules/.touchpoint-lock");
    if std::fs::read(&stamp).ok().as_deref() == Some(lock.as_slice()) {
        return Ok(());
    }
    run::status(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(dir),
    )?;
    std::fs::write(&stamp, lock).map_err(|e| format!("{}: {e}", stamp.display()))
}
