//! Issue 13, items 4 and 6: the campaign list's filters (stage, phase, owner beside status,
//! goal and search) kept in the query string, the active filters with their remove links,
//! the empty state naming the filter that emptied the list, each row's stages and phases;
//! and duplicating a campaign into a new draft — as browsers post the forms, over a real
//! loopback socket and a real SQLite file.
mod common;

use reqwest::StatusCode;
use touchpoint_server::role::Role;

use common::workspace::{fixture, Browser, Fixture};

impl Fixture {
    /// The list's HTML for a query.
    async fn list(&self, b: &Browser, query: &str) -> String {
        let (status, html) = self.page(b, &format!("/workspace/campaigns{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {html}");
        html
    }

    /// Create `id` from `starter`, then save a draft that names `owner`.
    async fn create_owned(&self, b: &Browser, id: &str, starter: &str, owner: &str) {
        let fields = [("id", id), ("name", id), ("starter", starter)];
        let (status, _, body) = self.form(b, "/workspace/campaigns", &fields, true).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let source = self.source(id).await.replacen(
            "\ngoal = ",
            &format!("\nowner = {owner:?}\ngoal = "),
            1,
        );
        let path = format!("/workspace/campaigns/{id}");
        let fields = [("source", source.as_str()), ("action", "save_draft")];
        let (status, location, body) = self.form(b, &path, &fields, true).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert!(location.ends_with("done=draft_saved"), "{location}");
    }
}

/// The ids of the rows a list page shows, in order.
fn ids(html: &str) -> Vec<String> {
    html.split("<code class=\"id\">")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_list_filters_by_stage_phase_and_owner_in_the_url_and_says_what_emptied_it() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    f.create_owned(&editor, "renew", "renewal", "ana@example.com")
        .await;
    f.create_owned(&editor, "tip", "adoption", "bo@example.com")
        .await;
    f.create_owned(&editor, "csat", "feedback", "ana@example.com")
        .await;

    // Every row shows what its audience names; a campaign naming none is for every stage.
    let html = f.list(&editor, "").await;
    assert_eq!(ids(&html), ["csat", "renew", "tip"], "{html}");
    assert!(html.contains("<span>phase: renewal</span>"), "{html}");
    assert!(html.contains("<span>phase: adoption</span>"), "{html}");
    assert!(html.contains("every stage"), "{html}");
    // The owner filter offers exactly the owners present, once each.
    let owner_select = html
        .split("id=\"f-owner\"")
        .nth(1)
        .and_then(|s| s.split("</select>").next())
        .expect("owner select");
    assert_eq!(owner_select.matches("<option").count(), 3, "{owner_select}");
    assert!(
        owner_select.contains(">ana@example.com<") && owner_select.contains(">bo@example.com<")
    );
    assert!(
        !html.contains("Clear all filters"),
        "no filter is active: {html}"
    );

    // Stage and phase list what targets them, the campaign for every stage included.
    assert_eq!(
        ids(&f.list(&editor, "?stage=loyalty").await),
        ["csat", "renew"]
    );
    assert_eq!(
        ids(&f.list(&editor, "?stage=service").await),
        ["csat", "tip"]
    );
    assert_eq!(
        ids(&f.list(&editor, "?phase=adoption").await),
        ["csat", "tip"]
    );
    let owned = f.list(&editor, "?owner=ana%40example.com").await;
    assert_eq!(ids(&owned), ["csat", "renew"]);
    assert!(
        owned.contains("<option value=\"ana@example.com\" selected>"),
        "{owned}"
    );

    // Filters combine; each active one is a chip whose link keeps the others.
    let html = f
        .list(
            &editor,
            "?stage=loyalty&owner=ana%40example.com&goal=renewal",
        )
        .await;
    assert_eq!(ids(&html), ["renew"]);
    for chip in ["Goal: renewal", "Stage: loyalty", "Owner: ana@example.com"] {
        assert!(html.contains(chip), "{chip}: {html}");
    }
    assert!(
        html.contains("href=\"/workspace/campaigns?goal=renewal&#38;owner=ana%40example.com\""),
        "the stage chip removes only the stage: {html}"
    );
    assert!(html.contains("Clear all filters"), "{html}");
    assert!(
        html.contains("<option value=\"loyalty\" selected>"),
        "{html}"
    );

    // The empty state names the filter that left nothing, and links to the list without it.
    let html = f
        .list(&editor, "?goal=renewal&owner=bo%40example.com")
        .await;
    assert!(ids(&html).is_empty(), "{html}");
    assert!(
        html.contains("1 campaign matches goal: renewal, but none of them is owned by &#34;bo@example.com&#34;.")
            || html.contains("1 campaign matches goal: renewal, but none of them is owned by &quot;bo@example.com&quot;."),
        "{html}"
    );
    assert!(
        html.contains("href=\"/workspace/campaigns?goal=renewal\">Remove the owner filter"),
        "{html}"
    );
    let html = f.list(&editor, "?phase=advocacy&goal=renewal").await;
    assert!(html.contains("targets the phase advocacy"), "{html}");

    // Archived campaigns are hidden by default, and the list says so.
    let (status, _, _) = f
        .form(
            &editor,
            "/workspace/campaigns/tip/state",
            &[("state", "archived")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let html = f.list(&editor, "").await;
    assert_eq!(ids(&html), ["csat", "renew"]);
    assert!(html.contains("1 archived not listed"), "{html}");
    let html = f.list(&editor, "?owner=bo%40example.com").await;
    assert!(html.contains("No campaign is owned by"), "{html}");
    assert!(
        html.contains("1 archived campaign is not listed: <a href=\"/workspace/campaigns?status=all&#38;owner=bo%40example.com\">"),
        "{html}"
    );
    assert_eq!(
        ids(&f.list(&editor, "?status=all&owner=bo%40example.com").await),
        ["tip"]
    );
}

#[tokio::test]
async fn duplicate_makes_a_new_draft_from_the_latest_version_for_editors_only() {
    let f = fixture().await;
    let editor = f.sign_in(Role::Editor).await;
    let viewer = f.sign_in(Role::Viewer).await;
    f.create_owned(&editor, "tip", "adoption", "ana@example.com")
        .await;
    let original = f.source("tip").await;

    // Editors see a Duplicate link per row; viewers do not.
    assert!(f
        .list(&editor, "")
        .await
        .contains("href=\"/workspace/campaigns/tip/duplicate\""));
    assert!(!f.list(&viewer, "").await.contains("/duplicate"));

    // The form asks for the id and the name, prefilled.
    let (status, html) = f.page(&editor, "/workspace/campaigns/tip/duplicate").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"tip-copy\""), "{html}");
    assert!(html.contains("value=\"tip (copy)\""), "{html}");
    assert!(html.contains("v2"), "the latest version is copied: {html}");
    let (status, _) = f.page(&editor, "/workspace/campaigns/nope/duplicate").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Refused like a new campaign: CSRF, the role, a bad, reserved or taken id, no name.
    let path = "/workspace/campaigns/tip/duplicate";
    let fields = [("id", "tip-copy"), ("name", "Tip again")];
    let (status, _, _) = f.form(&editor, path, &fields, false).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "without the CSRF token");
    let (status, _, _) = f.form(&viewer, path, &fields, true).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "as a viewer");
    let (status, _) = f.page(&viewer, path).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the form, as a viewer");
    for (id, name, why) in [
        ("tip", "X", "exists already"),
        ("Not A Slug", "X", "is not a campaign id"),
        ("new", "X", "is not a campaign id"),
        ("fine", " ", "Give the campaign a name"),
    ] {
        let (status, _, body) = f
            .form(&editor, path, &[("id", id), ("name", name)], true)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{id}");
        assert!(body.contains(why), "{id}: {body}");
    }
    assert!(f.state.store.campaign("fine").await.expect("get").is_none());

    // The copy: a draft whose v1 is the original's latest source with the new id and name.
    let (status, location, _) = f.form(&editor, path, &fields, true).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        "/workspace/campaigns/tip-copy?done=campaign_duplicated"
    );
    let copy = f
        .state
        .store
        .campaign("tip-copy")
        .await
        .expect("get")
        .expect("the copy");
    assert_eq!(
        (
            copy.state.to_string().as_str(),
            copy.latest_version,
            copy.live_version
        ),
        ("draft", 1, None)
    );
    assert_eq!(
        f.source("tip-copy").await,
        original
            .replace("id = \"tip\"", "id = \"tip-copy\"")
            .replace("name = \"tip\"", "name = \"Tip again\"")
    );
    let versions = f.state.store.versions("tip-copy").await.expect("versions");
    assert_eq!(versions[0].note, "duplicated from tip v2");
    assert_eq!(versions[0].author, "user:editor@example.com");
    assert_eq!(f.source("tip").await, original, "the original is unchanged");
    let audit = f.state.store.list_audit(10).await.expect("audit");
    let entry = audit
        .iter()
        .find(|e| e.action == "campaign.duplicate")
        .expect("audited");
    assert_eq!(
        (entry.actor.as_str(), entry.subject.as_str()),
        ("user:editor@example.com", "tip-copy")
    );
    assert!(
        entry.detail.contains("\"from\":\"tip\""),
        "{}",
        entry.detail
    );
    let (_, html) = f
        .page(
            &editor,
            "/workspace/campaigns/tip-copy?done=campaign_duplicated",
        )
        .await;
    assert!(
        html.contains("Campaign duplicated as a new draft"),
        "{html}"
    );

    // The next copy's id is the first one free.
    let (_, html) = f.page(&editor, "/workspace/campaigns/tip/duplicate").await;
    assert!(html.contains("value=\"tip-copy-2\""), "{html}");
}
