//! Campaign files: the example playbook validates, and deliberate mistakes in
//! `tests/fixtures/bad/` produce the diagnostics a CS person needs (file, field path,
//! line:column, a caret, and what was expected).
use std::fs;
use std::path::{Path, PathBuf};
use touchpoint_authoring::files::{check_file, check_files};

fn read_dir(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = format!(
                "{}/{}",
                dir.file_name().unwrap().to_string_lossy(),
                p.file_name().unwrap().to_string_lossy()
            );
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn playbook_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../campaigns")
}

fn bad(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bad")
        .join(name);
    let text = fs::read_to_string(path).unwrap();
    match check_file(&format!("bad/{name}"), &text) {
        Ok(_) => panic!("{name} should not validate"),
        Err(d) => d
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn the_playbook_validates_with_schedules_in_utc() {
    let files = read_dir(&playbook_dir());
    let report = check_files(files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    let shown: Vec<String> = report.diagnostics.iter().map(ToString::to_string).collect();
    assert!(report.is_ok(), "{}", shown.join("\n"));
    assert!(report.campaigns.len() >= 12);
    let json = serde_json::to_string(&touchpoint_core::campaign::compiled::Catalog::new(
        &report
            .campaigns
            .into_iter()
            .map(|(_, c)| c)
            .collect::<Vec<_>>(),
    ))
    .unwrap();
    assert!(
        !json.contains("Europe/") && !json.contains("timezone"),
        "the compiled form carries UTC instants: {json}"
    );
}

/// Every campaign the repository ships (the playbook and the e2e fixtures, which between them
/// use every format, trigger, CTA action, lead rule and condition form) survives the compiled
/// catalog the server sends to widgets: the widget reads back exactly what the server validated.
#[test]
fn every_shipped_campaign_survives_the_compiled_catalog() {
    use touchpoint_core::campaign::compiled;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut campaigns = Vec::new();
    for dir in [
        "campaigns",
        "tests/e2e/fixtures/campaigns",
        "tests/e2e/fixtures/formats",
    ] {
        let files = read_dir(&root.join(dir));
        let report = check_files(files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
        assert!(report.is_ok(), "{dir} does not validate");
        campaigns.extend(report.campaigns.into_iter().map(|(_, c)| c));
    }
    assert!(campaigns.len() >= 30, "{}", campaigns.len());
    let wire = serde_json::to_value(compiled::Catalog::new(&campaigns)).unwrap();
    // Through text, as the widget receives it.
    let text = wire.to_string();
    let (back, rejected) = compiled::decode_catalog(&serde_json::from_str(&text).unwrap()).unwrap();
    assert_eq!(rejected, []);
    // Everything but the conversion goal, which the server keeps to itself (conversions
    // are attributed from stored events, never by the widget).
    assert!(back.iter().all(|c| c.conversion.is_none()));
    let without_goals: Vec<_> = campaigns
        .iter()
        .map(|c| {
            let mut parts = touchpoint_core::CampaignParts::clone(c);
            parts.conversion = None;
            touchpoint_core::Campaign::new(parts).unwrap()
        })
        .collect();
    assert_eq!(back, without_goals);
    // Conditions compare by source; the trees must match too.
    assert_eq!(
        serde_json::to_value(compiled::Catalog::new(&back)).unwrap(),
        wire
    );
    let kinds: std::collections::BTreeSet<&str> =
        campaigns.iter().map(|c| c.format.name()).collect();
    assert_eq!(kinds.len(), 10, "every format is covered: {kinds:?}");
}

#[test]
fn unknown_fields_are_all_reported() {
    let out = bad("unknown-field.toml");
    let heads: Vec<&str> = out.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(
        heads,
        [
            "error: bad/unknown-field.toml:8:1: trigger: missing field `on`",
            "error: bad/unknown-field.toml:9:1: trigger.page: unknown field `page`, expected one of `on`, `url`, `event`, `selector`, `seconds`",
            "error: bad/unknown-field.toml:14:9: format.style: unknown field `style`, expected one of `kind`, `anchor`, `wait_seconds`, `position`, `scroll_lock`, `steps`, `items`, `survey`, `question`, `choices`",
            "error: bad/unknown-field.toml:19:1: content.en.subtitle: unknown field `subtitle`, expected one of `title`, `body`, `ctas`",
        ]
    );
    assert!(
        out.contains("\n9 | page = \"/app/**\"\n  | ^^^^ unknown field `page`"),
        "{out}"
    );
}

#[test]
fn a_mistyped_value_does_not_hide_validation_errors() {
    let text = "id = \"Bad Id\"\nname = \"X\"\ngoal = \"adoption\"\npriority = \"high\"\n\
                [trigger]\non = \"page_load\"\n[format]\nkind = \"banner\"\n[content.en]\ntitle = \"Hi\"\n";
    let d = check_file("x.toml", text).unwrap_err();
    let heads: Vec<String> = d
        .iter()
        .map(|d| format!("{}:{} {}", d.line.unwrap(), d.path, d.message))
        .collect();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(heads[0].starts_with("1:id expected a slug"), "{heads:?}");
    assert!(
        heads[1].starts_with("4:priority invalid type: string \"high\""),
        "{heads:?}"
    );
}

#[test]
fn condition_syntax_error_has_a_caret() {
    assert_eq!(
        bad("bad-condition.toml"),
        "error: bad/bad-condition.toml:7:50: audience.condition: expected a value, found `and`\n  |\n7 | condition = 'days_until(account.contract_end) <= and user.role == \"owner\"'\n  |                                                  ^^^ expected a value, found `and`"
    );
}

#[test]
fn condition_type_error() {
    let out = bad("type-error.toml");
    assert!(out.starts_with("error: bad/type-error.toml:7:14: audience.condition: cannot compare a string with a number"), "{out}");
    assert!(
        out.contains("\n  |              ^^^^^^^^^^^^^^ cannot compare"),
        "{out}"
    );
}

#[test]
fn bad_time_zone() {
    let out = bad("bad-timezone.toml");
    assert!(
        out.starts_with("error: bad/bad-timezone.toml:18:12: schedule.timezone: unknown time zone `Europe/Pariss`: expected an IANA name like `Europe/Paris`"),
        "{out}"
    );
}

#[test]
fn unknown_format() {
    let out = bad("unknown-format.toml");
    assert!(
        out.starts_with("error: bad/unknown-format.toml:10:8: format.kind: unknown value \"popup\": expected one of banner, modal, slideout, tooltip, hotspot, tour, checklist, survey, toast, feed"),
        "{out}"
    );
}

#[test]
fn weights_not_summing_and_every_error_collected() {
    let out = bad("weights.toml");
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(
        lines,
        [
            "error: bad/weights.toml:3:8: goal: unknown value \"sales\": expected one of adoption, announcement, feedback, renewal, expansion, advocacy",
            "error: bad/weights.toml:14:1: variants: variant weights must sum to 100, but a=60 + b=30 sum to 90",
            "error: bad/weights.toml:23:9: frequency.caps[0].scope: unknown value \"team\": expected one of user, account",
        ]
    );
}

#[test]
fn the_whole_bad_folder_reports_every_file_and_the_duplicate_id() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad");
    let files = read_dir(&dir);
    let report = check_files(files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    assert_eq!(
        report.campaigns.len(),
        1,
        "only duplicate-id-1.toml is valid"
    );
    let heads: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {}",
                d.file,
                d.line.unwrap(),
                d.column.unwrap(),
                d.path
            )
        })
        .collect();
    assert_eq!(
        heads,
        [
            "bad/bad-condition.toml:7:50 audience.condition",
            "bad/bad-timezone.toml:18:12 schedule.timezone",
            "bad/duplicate-id-2.toml:1:6 id",
            "bad/type-error.toml:7:14 audience.condition",
            "bad/unknown-field.toml:8:1 trigger",
            "bad/unknown-field.toml:9:1 trigger.page",
            "bad/unknown-field.toml:14:9 format.style",
            "bad/unknown-field.toml:19:1 content.en.subtitle",
            "bad/unknown-format.toml:10:8 format.kind",
            "bad/weights.toml:3:8 goal",
            "bad/weights.toml:14:1 variants",
            "bad/weights.toml:23:9 frequency.caps[0].scope",
        ]
    );
    assert_eq!(
        report.diagnostics[2].to_string(),
        "error: bad/duplicate-id-2.toml:1:6: id: duplicate campaign id `welcome`: also defined in bad/duplicate-id-1.toml\n  |\n1 | id = \"welcome\"\n  |      ^^^^^^^^^ duplicate campaign id `welcome`: also defined in bad/duplicate-id-1.toml"
    );
}

#[test]
fn toml_syntax_error() {
    let d = check_file("x.toml", "id = \"a\"\nname = \n").unwrap_err();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].line, Some(2));
}
