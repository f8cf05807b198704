//! The `touchpoint` binary's `check` command over real folders: the example playbook passes,
//! and a folder of deliberate mistakes fails with compiler-style messages for every file.
use std::path::Path;
use std::process::Command;

fn check(dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .arg("check")
        .arg(dir)
        .output()
        .expect("run touchpoint");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn repo(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

#[test]
fn the_example_playbook_checks_clean() {
    let (code, text) = check(&repo("campaigns"));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("no errors"), "{text}");
}

#[test]
fn every_mistake_is_reported_with_file_line_column_path_and_caret() {
    let (code, text) = check(&repo("crates/authoring/tests/fixtures/bad"));
    assert_eq!(code, 1, "{text}");
    for expected in [
        "bad-condition.toml:7:50: audience.condition: expected a value, found `and`",
        "bad-timezone.toml:18:12: schedule.timezone: unknown time zone `Europe/Pariss`",
        "type-error.toml:7:14: audience.condition: cannot compare a string with a number",
        "unknown-field.toml:9:1: trigger.page: unknown field `page`",
        "unknown-format.toml:10:8: format.kind: unknown value \"popup\"",
        "weights.toml:14:1: variants: variant weights must sum to 100",
        "weights.toml:23:9: frequency.caps[0].scope: unknown value \"team\"",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The caret sits under the offending token.
    assert!(
        text.contains(
            "7 | condition = 'days_until(account.contract_end) <= and user.role == \"owner\"'"
        ),
        "{text}"
    );
    assert!(
        text.contains("  |                                                  ^^^ expected a value"),
        "{text}"
    );
}

#[test]
fn duplicate_ids_across_files_are_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let campaign =
        std::fs::read_to_string(repo("tests/e2e/fixtures/campaigns/welcome-banner.toml"))
            .expect("fixture");
    std::fs::write(dir.path().join("a.toml"), &campaign).expect("write");
    std::fs::write(dir.path().join("b.toml"), &campaign).expect("write");
    let (code, text) = check(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("welcome-banner"), "{text}");
    assert!(text.to_lowercase().contains("duplicate"), "{text}");
}

#[test]
fn serve_refuses_invalid_campaigns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(["serve", "--bind", "127.0.0.1:0", "--campaigns"])
        .arg(repo("crates/authoring/tests/fixtures/bad"))
        .arg("--database-url")
        .arg(dir.path().join("x.db"))
        .output()
        .expect("run touchpoint");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("loading campaigns") && err.contains("bad-condition.toml:7:50"),
        "{err}"
    );
}
