//! Campaign files whose links could run script in the host page (issue 9): every URL field
//! a nudge follows (CTA `url` of `open_url` and `book_meeting`, checklist item `url`) is
//! refused with the file, line, column, field path and what is allowed, however the scheme
//! is disguised.

use touchpoint_authoring::files::check_file;

fn diagnostics(name: &str, text: &str) -> Vec<String> {
    match check_file(name, text) {
        Ok(_) => panic!("{name} should not validate"),
        Err(d) => d.iter().map(ToString::to_string).collect(),
    }
}

const ALLOWED: &str =
    "links are not allowed: expected an https:, http:, mailto: or tel: URL, or a relative one";

#[test]
fn a_javascript_cta_is_refused_with_its_field_path_and_a_caret() {
    let text = r#"id = "renewal"
name = "Renewal"
goal = "renewal"

[trigger]
on = "page_load"

[format]
kind = "modal"

[content.en]
title = "Renew"

[[content.en.ctas]]
id = "go"
label = "Go"
action = "open_url"
url = "javascript:window.x=1"

[[content.en.ctas]]
id = "meet"
label = "Meet"
action = "book_meeting"
url = " JaVa\tScRiPt:window.x=1"

[[content.en.ctas]]
id = "fine"
label = "Fine"
action = "open_url"
url = "https://ledgerly.example/renew"
"#;
    let d = diagnostics("links.toml", text);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!(
        d[0],
        format!(
            "error: links.toml:18:7: content.en.ctas[0].url: `javascript:` {ALLOWED}\n   |\n18 | url = \"javascript:window.x=1\"\n   |       ^^^^^^^^^^^^^^^^^^^^^^^ `javascript:` {ALLOWED}"
        )
    );
    assert!(
        d[1].starts_with(&format!(
            "error: links.toml:24:7: content.en.ctas[1].url: `javascript:` {ALLOWED}"
        )),
        "{}",
        d[1]
    );
}

#[test]
fn a_checklist_item_url_is_checked_too() {
    let text = r#"id = "plan"
name = "Plan"
goal = "adoption"

[trigger]
on = "page_load"

[format]
kind = "checklist"

[[format.items]]
id = "profile"
label = "Profile"
done_event = "profile_done"
url = "/app/profile"

[[format.items]]
id = "invoice"
label = "Invoice"
done_event = "invoice_sent"
url = "data:text/html,<script>parent.x=1</script>"

[content.en]
title = "Success plan"
"#;
    let d = diagnostics("plan.toml", text);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].starts_with(&format!(
            "error: plan.toml:21:7: format.items[1].url: `data:` {ALLOWED}"
        )),
        "{}",
        d[0]
    );
}
