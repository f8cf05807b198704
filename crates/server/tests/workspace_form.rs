//! Issue 13, the campaign form: the common fields of a campaign's TOML as form controls,
//! posted as a browser without JavaScript posts them. What a post changes is written onto the
//! TOML it was drawn from (the author's comments and the fields the form does not show
//! stay), every problem is drawn beside the field its path names and listed at the top, and
//! rows of the repeated groups are added and removed by plain submit buttons. The form and
//! the source view switch into each other with unsaved edits, and the condition's own check
//! lists the traits and events it reads.
mod common;

use reqwest::header::COOKIE;
use reqwest::StatusCode;
use touchpoint_server::role::Role;

use common::workspace::{fixture, Browser, Fixture};

/// The HTML attribute text back as the browser reads it (named and numeric references).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').expect("a complete reference");
        let name = &rest[1..end];
        let c = match name {
            "quot" => '"',
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "apos" => '\'',
            _ => {
                let code = name
                    .strip_prefix("#x")
                    .map(|h| u32::from_str_radix(h, 16))
                    .or_else(|| name.strip_prefix('#').map(str::parse))
                    .expect("a known reference")
                    .expect("a number");
                char::from_u32(code).expect("a character")
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The TOML a form page carries in its hidden `source` field.
fn carried(html: &str) -> String {
    let start = html
        .find("name=\"source\" value=\"")
        .expect("the form carries its TOML")
        + "name=\"source\" value=\"".len();
    let end = start + html[start..].find('"').expect("closing quote");
    unescape(&html[start..end])
}

/// The element with `id` and what follows it, up to its end tag (enough to look inside).
fn element<'h>(html: &'h str, id: &str) -> &'h str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let open = html[..at].rfind('<').expect("tag");
    let end = html[at..].find("</").map_or(html.len(), |i| at + i);
    &html[open..end]
}

/// The opening tag of the control with `id`.
fn tag<'h>(html: &'h str, id: &str) -> &'h str {
    let el = element(html, id);
    &el[..el.find('>').expect("tag end") + 1]
}

impl Fixture {
    async fn form_page(&self, b: &Browser, id: &str) -> String {
        let (status, html) = self
            .page(b, &format!("/workspace/campaigns/{id}/form"))
            .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        html
    }

    /// Post the form of `id` drawn from `source` with `fields` changed.
    async fn post_form(
        &self,
        b: &Browser,
        id: &str,
        source: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let mut all = vec![("source", source)];
        all.extend_from_slice(fields);
        self.form(b, &format!("/workspace/campaigns/{id}/form"), &all, true)
            .await
    }
}

#[tokio::test]
async fn the_form_writes_only_what_changed_and_keeps_the_authors_comments() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    f.create(&editor, "tips", "Tips", "adoption").await;
    let original = f.source("tips").await;
    let annotated = original.replace(
        "priority = 50",
        "priority = 50 # above the announcements\n# Why this audience: asked by the CSMs.",
    );
    let html = f.form_page(&editor, "tips").await;
    let (status, _, body) = f
        .post_form(
            &editor,
            "tips",
            &carried(&html),
            &[("action", "save_draft"), ("note", "comment")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "unchanged form: same text: {body}"
    );
    // The annotated text as the latest version, through the source view.
    let (status, _, body) = f
        .form(
            &editor,
            "/workspace/campaigns/tips",
            &[("source", &annotated), ("action", "save_draft")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let html = f.form_page(&editor, "tips").await;
    assert_eq!(carried(&html), annotated);
    assert!(tag(&html, "f-priority").contains("value=\"50\""), "{html}");
    // A browser posts every control; only the changed ones are written.
    let (status, location, body) = f
        .post_form(
            &editor,
            "tips",
            &carried(&html),
            &[
                ("name", "Tips for new admins"),
                ("goal", "adoption"),
                ("priority", "50"),
                ("owner", ""),
                ("audience.phases", "adoption,  onboarding"),
                ("audience.condition", "event(\"feature_used\").count == 0"),
                ("content.en.title", "Try this feature"),
                ("frequency.max_views", " 5 "),
                ("schedule.timezone", "Europe/Paris"),
                ("conversion.scope", ""),
                ("action", "publish"),
                ("note", "from the form"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, "/workspace/campaigns/tips/form?done=published");
    let saved = f.source("tips").await;
    let want = annotated
        .replace("name = \"Tips\"", "name = \"Tips for new admins\"")
        .replace(
            "phases = [\"adoption\"]",
            "phases = [\"adoption\", \"onboarding\"]",
        )
        .replace("max_views = 3", "max_views = 5");
    assert_eq!(
        saved,
        format!("{want}\n[schedule]\ntimezone = \"Europe/Paris\"\n")
    );
    assert!(f.in_catalog("tips"));
    let versions = f.state.store.versions("tips").await.expect("versions");
    assert_eq!(versions.last().expect("v").note, "from the form");
}

#[tokio::test]
async fn every_problem_is_beside_its_field_and_in_the_summary_and_nothing_is_saved() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    f.create(&editor, "launch", "Launch", "announcement").await;
    let before = f.state.store.versions("launch").await.expect("v").len();
    let html = f.form_page(&editor, "launch").await;
    let broken = [
        ("audience.phases", "adoption, onbording"),
        ("audience.condition", "user.seats > 'many'"),
        ("content.en.ctas[0].action", "explode"),
        ("frequency.max_views", "three"),
    ];
    for action in ["check", "publish"] {
        let mut fields = broken.to_vec();
        fields.push(("action", action));
        let (status, _, html) = f
            .post_form(&editor, "launch", &carried(&html), &fields)
            .await;
        let want = if action == "check" {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        assert_eq!(status, want, "{action}: {html}");
        let phases = element(&html, "f-audience-phases-error");
        assert!(
            unescape(phases).contains("unknown value \"onbording\""),
            "{phases}"
        );
        let input = tag(&html, "f-audience-phases");
        assert!(input.contains("aria-invalid=\"true\""), "{input}");
        assert!(input.contains("f-audience-phases-error"), "{input}");
        let condition = element(&html, "f-audience-condition-error");
        assert!(condition.contains("<li>"), "{condition}");
        let caret = element(&html, "f-audience-condition-uses");
        assert!(unescape(caret).contains("user.seats > 'many'\n"), "{caret}");
        assert!(caret.contains('^'), "{caret}");
        let action_error = element(&html, "f-content-en-ctas-0-action-error");
        assert!(action_error.contains("explode"), "{action_error}");
        let views = element(&html, "f-frequency-max_views-error");
        assert!(views.contains("expected a whole number"), "{views}");
        // The untouched fields are not marked.
        assert!(!tag(&html, "f-name").contains("aria-invalid"), "{html}");
        let summary = element(&html, "summary-title");
        assert!(summary.contains("4 problems"), "{summary}");
        for href in [
            "#f-audience-phases",
            "#f-audience-condition",
            "#f-content-en-ctas-0-action",
            "#f-frequency-max_views",
        ] {
            assert!(html.contains(&format!("href=\"{href}\"")), "{href}: {html}");
        }
        // Validation's problems carry their place in the source.
        assert!(html.contains("(source "), "{html}");
        // The edits are kept for the author to fix, in the fields and the carried TOML.
        assert!(tag(&html, "f-audience-phases").contains("adoption, onbording"));
        assert!(carried(&html).contains("\"onbording\""));
    }
    assert_eq!(
        f.state.store.versions("launch").await.expect("v").len(),
        before
    );
}

#[tokio::test]
async fn rows_are_added_and_removed_with_plain_submit_buttons() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    f.create(&editor, "rows", "Rows", "adoption").await;
    let mut source = carried(&f.form_page(&editor, "rows").await);
    for (edit, extra, legend) in [
        ("add:leads", ("", ""), "Lead rule 1"),
        ("add:content.en.ctas", ("", ""), "Call to action 2 (en)"),
        ("add:frequency.caps", ("", ""), "Cap 1"),
        ("add:variants", ("", ""), "Variant 1"),
        ("add:content", ("new_locale", "fr"), "Content: fr"),
    ] {
        let mut fields = vec![("edit", edit), ("name", "Rows, edited")];
        if !extra.0.is_empty() {
            fields.push(extra);
        }
        let (status, _, html) = f.post_form(&editor, "rows", &source, &fields).await;
        assert_eq!(status, StatusCode::OK, "{edit}: {html}");
        assert!(
            html.contains(&format!("<legend>{legend}</legend>")),
            "{edit}: {html}"
        );
        // The edit of the same post is kept too.
        assert!(tag(&html, "f-name").contains("Rows, edited"), "{html}");
        source = carried(&html);
    }
    assert!(source.contains("[[leads]]\nteam = \"sales\""), "{source}");
    assert!(source.contains("[content.fr]\ntitle = \"\""), "{source}");
    // A locale needs a plain name, and is added once.
    for bad in ["f r", "fr"] {
        let (status, _, html) = f
            .post_form(
                &editor,
                "rows",
                &source,
                &[("edit", "add:content"), ("new_locale", bad)],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {html}");
        assert!(
            element(&html, "f-content-error").contains("locale"),
            "{html}"
        );
    }
    for (edit, gone) in [
        ("remove:content.en.ctas[0]", "id = \"got-it\""),
        ("remove:leads[0]", "[[leads]]"),
        ("remove:content.fr", "[content.fr]"),
    ] {
        let (status, _, html) = f
            .post_form(&editor, "rows", &source, &[("edit", edit)])
            .await;
        assert_eq!(status, StatusCode::OK, "{edit}: {html}");
        source = carried(&html);
        assert!(!source.contains(gone), "{edit}: {source}");
    }
    assert!(source.starts_with("# Adoption:"), "{source}");
    // Nothing was stored by any of it.
    assert_eq!(f.state.store.versions("rows").await.expect("v").len(), 1);
}

#[tokio::test]
async fn the_form_and_the_source_view_switch_with_unsaved_edits() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    f.create(&editor, "both", "Both", "feedback").await;
    let html = f.form_page(&editor, "both").await;
    let (status, _, html) = f
        .post_form(
            &editor,
            "both",
            &carried(&html),
            &[("name", "Both, from the form"), ("action", "source")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let source_box = element(&html, "source");
    assert!(
        unescape(source_box).contains("name = \"Both, from the form\""),
        "{source_box}"
    );
    let edited = f
        .source("both")
        .await
        .replace("name = \"Both\"", "name = \"Both, from the source\"");
    let (status, _, html) = f
        .form(
            &editor,
            "/workspace/campaigns/both/form/from-source",
            &[("source", &edited)],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        tag(&html, "f-name").contains("Both, from the source"),
        "{html}"
    );
    assert_eq!(carried(&html), edited);
    // Text that is not TOML stays in the source view, with its problem.
    let (status, _, html) = f
        .form(
            &editor,
            "/workspace/campaigns/both/form/from-source",
            &[("source", "name = \"unclosed")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"source\""), "{html}");
    assert_eq!(f.state.store.versions("both").await.expect("v").len(), 1);
}

#[tokio::test]
async fn viewers_read_the_form_and_cannot_post_it_nor_without_the_token() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    let viewer = f.sign_in(Role::Viewer).await;
    f.create(&editor, "seen", "Seen", "renewal").await;
    let html = f.form_page(&viewer, "seen").await;
    assert!(
        html.contains("<fieldset class=\"form-body\" disabled>"),
        "{html}"
    );
    assert!(!html.contains("value=\"publish\""), "{html}");
    assert!(
        html.contains("href=\"/workspace/campaigns/seen\""),
        "{html}"
    );
    let source = carried(&html);
    let (status, _, _) = f
        .post_form(&viewer, "seen", &source, &[("action", "publish")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = f
        .form(
            &editor,
            "/workspace/campaigns/seen/form",
            &[("source", &source), ("action", "publish")],
            false,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_condition_check_gives_the_caret_and_the_traits_and_events_it_reads() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    let ask = |condition: &'static str| {
        f.http
            .post(format!("{}/workspace/api/condition", f.url))
            .header(COOKIE, &editor.cookie)
            .header("origin", &f.url)
            .header("x-csrf-token", &editor.csrf)
            .json(&serde_json::json!({ "condition": condition }))
            .send()
    };
    let body: serde_json::Value =
        ask("days_until(account.renewal_date) <= 90 and event('export').count > 'x'")
            .await
            .expect("post")
            .json()
            .await
            .expect("json");
    assert_eq!(body["ok"], false, "{body}");
    assert_eq!(body["traits"], serde_json::json!(["account.renewal_date"]));
    assert_eq!(body["events"], serde_json::json!(["export"]));
    let snippet = body["problems"][0]["snippet"].as_str().expect("snippet");
    assert!(
        snippet.starts_with("days_until(account.renewal_date) <= 90 and"),
        "{snippet}"
    );
    assert!(snippet.contains('^'), "{snippet}");
    let good: serde_json::Value = ask("user.plan == 'pro'")
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(good["ok"], true, "{good}");
    assert_eq!(good["traits"], serde_json::json!(["user.plan"]));
    // The form page shows the same before any script runs.
    f.create(&editor, "reads", "Reads", "adoption").await;
    let html = f.form_page(&editor, "reads").await;
    let uses = element(&html, "f-audience-condition-uses");
    assert!(html.contains("<code>feature_used</code>"), "{uses}");
    let js = f.page(&editor, "/workspace/assets/workspace.js").await.1;
    assert!(
        js.contains("/workspace/api/condition"),
        "the field is checked as it is typed"
    );
}

#[tokio::test]
async fn the_forms_preview_follows_the_unsaved_form() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    f.create(&editor, "live", "Live", "announcement").await;
    let source = carried(&f.form_page(&editor, "live").await);
    let ask = |fields: Vec<(&'static str, String)>| {
        let mut all = fields;
        all.push(("source", source.clone()));
        f.http
            .post(format!(
                "{}/workspace/api/campaigns/live/form-preview",
                f.url
            ))
            .header(COOKIE, &editor.cookie)
            .header("origin", &f.url)
            .header("x-csrf-token", &editor.csrf)
            .form(&all)
            .send()
    };
    let body: serde_json::Value = ask(vec![("content.en.title", "Typed, not saved".into())])
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(body["ok"], true, "{body}");
    assert!(body["source"]
        .as_str()
        .expect("source")
        .contains("title = \"Typed, not saved\""));
    let url = body["url"].as_str().expect("url");
    let token = url.split("token=").nth(1).expect("a token");
    let catalog: serde_json::Value = f
        .http
        .get(format!("{}/v1/campaigns?key=pk_preview_{token}", f.url))
        .send()
        .await
        .expect("catalog")
        .json()
        .await
        .expect("json");
    assert!(
        catalog.to_string().contains("Typed, not saved"),
        "{catalog}"
    );
    let bad: serde_json::Value = ask(vec![("format.kind", "baner".into())])
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(bad["ok"], false, "{bad}");
    assert!(bad.get("url").is_none(), "{bad}");
    // The persona typed beside the form is the one the preview shows the nudge to.
    let persona = r#"{"user_id": "u-persona-9", "traits": {"role": "owner"}}"#;
    let chosen: serde_json::Value = ask(vec![("persona", persona.into())])
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let url = chosen["url"].as_str().expect("a preview for the persona");
    let (status, framed) = f.page(&editor, url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(framed.contains("u-persona-9"), "{framed}");
    let unreadable: serde_json::Value = ask(vec![("persona", "{not json".into())])
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(unreadable["ok"], false, "{unreadable}");
    assert!(
        unreadable["persona"]
            .as_str()
            .is_some_and(|w| w.contains("not valid JSON")),
        "{unreadable}"
    );
    assert_eq!(f.state.store.versions("live").await.expect("v").len(), 1);
}

#[tokio::test]
async fn the_preview_controls_go_along_with_the_form_and_the_switch_to_the_source() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    f.create(&editor, "tips", "Tips", "adoption").await;
    let html = f.form_page(&editor, "tips").await;
    assert!(
        html.contains("id=\"persona\""),
        "the form has the persona box"
    );
    let persona = r#"{"user_id": "u-kept"}"#;
    let choice = [
        ("persona", persona),
        ("locale", "fr"),
        ("theme", "dark"),
        ("width", "375"),
    ];
    let mut check = vec![("action", "check")];
    check.extend_from_slice(&choice);
    let (status, _, page) = f.post_form(&editor, "tips", &carried(&html), &check).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("u-kept"), "the persona stays in its box");
    assert!(
        page.contains("<option value=\"375\" selected>"),
        "the width stays"
    );
    assert!(page.contains("theme-dark"), "the frame is dark");
    let mut switch = vec![("action", "source")];
    switch.extend_from_slice(&choice);
    let (status, _, source_view) = f.post_form(&editor, "tips", &carried(&html), &switch).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        source_view.contains("id=\"source-form\""),
        "the source view"
    );
    assert!(source_view.contains("u-kept"), "the persona goes along");
    assert!(source_view.contains("<option value=\"375\" selected>"));
    // And back: the source view's switch to the form keeps them too.
    let mut back = vec![("source", carried(&html))];
    back.extend(choice.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let back: Vec<(&str, &str)> = back.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let path = "/workspace/campaigns/tips/form/from-source";
    let (status, _, form_view) = f.form(&editor, path, &back, true).await;
    assert_eq!(status, StatusCode::OK, "{form_view}");
    assert!(form_view.contains("id=\"campaign-form\""), "the form view");
    assert!(form_view.contains("u-kept"), "the persona comes back");
    assert!(form_view.contains("theme-dark"));
}
