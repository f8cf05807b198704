//! Issue 13, the editor pages: the campaign list with its filters and empty state, a new
//! campaign from a template, the editor's check / save draft / publish with diagnostics
//! beside the source, pause, resume, archive, rollback and the version diff — as browsers
//! post them (forms with the session's CSRF token), over a real loopback socket and a real
//! SQLite file. Who may see and use each route is proven by `workspace_access.rs`; this
//! file adds what the role changes on a page and the CSRF refusal of each form.
mod common;

use reqwest::header::COOKIE;
use reqwest::StatusCode;
use touchpoint_server::role::Role;

use common::workspace::fixture;

#[tokio::test]
async fn the_list_starts_empty_and_offers_a_new_campaign_to_editors_only() {
    let f = fixture().await;
    let viewer = f.sign_in(Role::Viewer).await;
    let editor = f.sign_in(Role::Editor).await;
    for path in ["/workspace/", "/workspace/campaigns"] {
        let (status, html) = f.page(&viewer, path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("No campaigns yet"), "{html}");
        assert!(!html.contains("New campaign"), "{html}");
        let (_, html) = f.page(&editor, path).await;
        assert!(html.contains("href=\"/workspace/campaigns/new\""), "{html}");
    }
    let (status, html) = f.page(&editor, "/workspace/campaigns/new").await;
    assert_eq!(status, StatusCode::OK);
    for goal in [
        "adoption",
        "announcement",
        "feedback",
        "renewal",
        "expansion",
        "advocacy",
        "blank",
    ] {
        assert!(
            html.contains(&format!("value=\"{goal}\"")),
            "{goal}: {html}"
        );
    }
}

#[tokio::test]
async fn a_campaign_created_from_a_template_is_a_draft_listed_and_filtered() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    f.create(&editor, "renew-soon", "Renewal <reminder>", "renewal")
        .await;
    f.create(&editor, "ask-csat", "Ask for CSAT", "feedback")
        .await;
    assert!(f.source("renew-soon").await.contains("goal = \"renewal\""));
    let (status, html) = f
        .page(
            &editor,
            "/workspace/campaigns/renew-soon?done=campaign_created",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Campaign created as a draft."), "{html}");
    assert!(
        html.contains("Renewal &#60;reminder&#62;") || html.contains("Renewal &lt;reminder&gt;")
    );
    assert!(html.contains("<textarea id=\"source\""), "{html}");
    assert!(html.contains("badge-draft"), "{html}");

    let (_, all) = f.page(&editor, "/workspace/campaigns").await;
    assert!(
        all.contains("renew-soon") && all.contains("ask-csat"),
        "{all}"
    );
    assert!(all.contains("2 of 2 campaigns"), "{all}");
    let (_, feedback) = f.page(&editor, "/workspace/campaigns?goal=feedback").await;
    assert!(feedback.contains("ask-csat") && !feedback.contains("renew-soon"));
    let (_, searched) = f.page(&editor, "/workspace/campaigns?q=REMINDER").await;
    assert!(searched.contains("renew-soon") && !searched.contains("ask-csat"));
    let (_, live) = f.page(&editor, "/workspace/campaigns?status=live").await;
    assert!(live.contains("No campaign matches"), "{live}");

    // A taken id, a bad id and a missing template are refused on the form, kept filled in.
    for (id, starter, why) in [
        ("renew-soon", "renewal", "exists already"),
        ("Not A Slug", "renewal", "is not a campaign id"),
        ("new", "renewal", "is not a campaign id"),
        ("fine", "nope", "Choose a template"),
    ] {
        let (status, _, body) = f
            .form(
                &editor,
                "/workspace/campaigns",
                &[("id", id), ("name", "X"), ("starter", starter)],
                true,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{id}");
        assert!(body.contains(why), "{id}: {body}");
    }
}

#[tokio::test]
async fn every_form_post_needs_the_csrf_token_and_viewers_cannot_edit() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    let viewer = f.sign_in(Role::Viewer).await;
    f.create(&editor, "tip", "Tip", "adoption").await;
    let source = f.source("tip").await;
    let posts: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "/workspace/campaigns",
            vec![("id", "other"), ("name", "O"), ("starter", "blank")],
        ),
        (
            "/workspace/campaigns/tip",
            vec![("source", &source), ("action", "publish")],
        ),
        (
            "/workspace/campaigns/tip/state",
            vec![("state", "archived")],
        ),
        ("/workspace/campaigns/tip/rollback", vec![("version", "1")]),
    ];
    for (path, fields) in &posts {
        let (status, _, _) = f.form(&editor, path, fields, false).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path} without the token");
        let (status, _, _) = f.form(&viewer, path, fields, true).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path} as a viewer");
    }
    assert!(f
        .state
        .store
        .campaign("other")
        .await
        .expect("get")
        .is_none());
    assert_eq!(f.state.store.versions("tip").await.expect("v").len(), 1);

    let (status, html) = f.page(&viewer, "/workspace/campaigns/tip").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("readonly"), "{html}");
    for control in ["value=\"publish\"", "Archive", "Roll back"] {
        assert!(!html.contains(control), "a viewer sees {control}");
    }
    let (_, html) = f.page(&editor, "/workspace/campaigns/tip").await;
    for control in ["value=\"publish\"", "value=\"save_draft\"", "Archive"] {
        assert!(html.contains(control), "an editor misses {control}");
    }
}

#[tokio::test]
async fn the_editor_checks_saves_publishes_pauses_and_rolls_back() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    f.create(&editor, "tip", "Tip", "adoption").await;
    let good = f.source("tip").await;
    let path = "/workspace/campaigns/tip";

    // An unknown phase: Check lists it with line:column and path, nothing is stored.
    let bad = good.replace("phases = [\"adoption\"]", "phases = [\"adoptoin\"]");
    let line = bad
        .lines()
        .position(|l| l.contains("adoptoin"))
        .expect("line")
        + 1;
    let (status, _, html) = f
        .form(
            &editor,
            path,
            &[("source", &bad), ("action", "check")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("audience.phases"), "{html}");
    assert!(
        html.contains(&format!("<span class=\"at\">{line}:")),
        "{html}"
    );
    assert!(html.contains("adoptoin"), "the posted text is kept: {html}");
    let (status, _, html) = f
        .form(
            &editor,
            path,
            &[("source", &bad), ("action", "publish")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("nothing was saved"), "{html}");
    assert_eq!(f.state.store.versions("tip").await.expect("v").len(), 1);
    let (_, _, html) = f
        .form(
            &editor,
            path,
            &[("source", &good), ("action", "check")],
            true,
        )
        .await;
    assert!(html.contains("No problems found."), "{html}");

    // Publish (CRLF from the browser is stored as LF): in the catalog at once.
    let edited = good.replace("Try this feature", "Try templates");
    let crlf = edited.replace('\n', "\r\n");
    let (status, location, _) = f
        .form(
            &editor,
            path,
            &[("source", &crlf), ("note", "first"), ("action", "publish")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/workspace/campaigns/tip?done=published");
    assert_eq!(f.source("tip").await, edited);
    assert!(f.in_catalog("tip"));
    let (status, location, _) = f
        .form(
            &editor,
            path,
            &[("source", &edited), ("action", "publish")],
            true,
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            "/workspace/campaigns/tip?done=unchanged"
        )
    );

    // A draft keeps v2 live.
    let drafted = edited.replace("Try templates", "Try the new templates");
    let (_, location, _) = f
        .form(
            &editor,
            path,
            &[("source", &drafted), ("action", "save_draft")],
            true,
        )
        .await;
    assert_eq!(location, "/workspace/campaigns/tip?done=draft_saved");
    let record = f
        .state
        .store
        .campaign("tip")
        .await
        .expect("get")
        .expect("tip");
    assert_eq!((record.live_version, record.latest_version), (Some(2), 3));

    // Pause leaves the catalog, resume comes back.
    let state = format!("{path}/state");
    let (_, location, _) = f.form(&editor, &state, &[("state", "paused")], true).await;
    assert_eq!(location, "/workspace/campaigns/tip?done=paused");
    assert!(!f.in_catalog("tip"));
    let (_, html) = f
        .page(&editor, "/workspace/campaigns/tip?done=paused")
        .await;
    assert!(
        html.contains("Campaign paused") && html.contains("Resume"),
        "{html}"
    );
    let (_, location, _) = f
        .form(&editor, &state, &[("state", "published")], true)
        .await;
    assert_eq!(location, "/workspace/campaigns/tip?done=resumed");
    assert!(f.in_catalog("tip"));

    // The history lists every version; v2's diff shows the edit; rollback to v1.
    let (_, html) = f.page(&editor, path).await;
    for v in ["v1", "v2", "v3"] {
        assert!(html.contains(v), "{v}: {html}");
    }
    assert!(html.contains("first"), "the note: {html}");
    let (status, html) = f.page(&editor, "/workspace/campaigns/tip/versions/2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Changes from v1"), "{html}");
    assert!(
        html.contains("<span class=\"removed\">-title = &#34;Try this feature&#34;</span>")
            || html
                .contains("<span class=\"removed\">-title = &quot;Try this feature&quot;</span>"),
        "{html}"
    );
    assert!(html.contains("class=\"added\">+title = "), "{html}");
    let (_, html) = f
        .page(&editor, "/workspace/campaigns/tip/versions/3?against=1")
        .await;
    assert!(html.contains("Changes from v1") && html.contains("Try the new templates"));
    let (_, html) = f.page(&editor, "/workspace/campaigns/tip/versions/1").await;
    assert!(html.contains("First version"), "{html}");
    assert!(html.contains("Roll back to v1"), "an older version: {html}");
    for live_or_latest in [2, 3] {
        let (_, html) = f
            .page(
                &editor,
                &format!("/workspace/campaigns/tip/versions/{live_or_latest}"),
            )
            .await;
        assert!(
            !html.contains("Roll back to v"),
            "v{live_or_latest}: {html}"
        );
    }
    let (status, _) = f.page(&editor, "/workspace/campaigns/tip/versions/9").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, location, _) = f
        .form(
            &editor,
            &format!("{path}/rollback"),
            &[("version", "1")],
            true,
        )
        .await;
    assert_eq!(location, "/workspace/campaigns/tip?done=rolled_back");
    assert_eq!(f.source("tip").await, good);
    let versions = f.state.store.versions("tip").await.expect("v");
    assert_eq!(versions.last().expect("v4").note, "rollback to v1");

    // Archive: out of the catalog, hidden from the default list, a publish is refused.
    let (_, location, _) = f
        .form(&editor, &state, &[("state", "archived")], true)
        .await;
    assert_eq!(location, "/workspace/campaigns/tip?done=archived");
    assert!(!f.in_catalog("tip"));
    let (_, list) = f.page(&editor, "/workspace/campaigns").await;
    assert!(list.contains("No campaign matches"), "{list}");
    let (_, list) = f
        .page(&editor, "/workspace/campaigns?status=archived")
        .await;
    assert!(list.contains("badge-archived"), "{list}");
    let (status, _, html) = f
        .form(
            &editor,
            path,
            &[("source", &drafted), ("action", "publish")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("restore it to paused first"), "{html}");
    let (status, _, _) = f.form(&editor, &state, &[("state", "paused")], true).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = f.form(&editor, &state, &[("state", "paused")], true).await;
    assert_eq!(status, StatusCode::CONFLICT, "paused twice");
}

#[tokio::test]
async fn the_editor_script_and_the_check_api_it_calls_answer_a_session() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    let (status, js) = f.page(&editor, "/workspace/assets/workspace.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(js.contains("/workspace/api/check") && js.contains("x-csrf-token"));
    let res = f
        .http
        .post(format!("{}/workspace/api/check", f.url))
        .header(COOKIE, &editor.cookie)
        .header("origin", &f.url)
        .header("x-csrf-token", &editor.csrf)
        .json(&serde_json::json!({ "source": "id = 1", "name": "tip" }))
        .send()
        .await
        .expect("check");
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["ok"], false);
    assert!(body["diagnostics"][0]["line"].is_number(), "{body}");
}
