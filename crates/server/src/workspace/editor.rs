//! The campaign editor: the source of the latest version in a form, the diagnostics of the
//! last check beside it, the lifecycle buttons and the version history; and the page of one
//! version with its diff against another. Every change goes through the same rules as the
//! JSON API ([`crate::documents`]), is written to the audit log, rebuilds the catalog, and
//! answers with a redirect carrying a flash code (post/redirect/get) — except a check or a
//! refused source, which renders the page again with the posted text and every diagnostic.
//! The embedded script adds a debounced check as one types (`POST /workspace/api/check`);
//! without it the Check button does the same. The form view ([`super::form`]) saves through
//! [`store`] here too, and the source form's Form button hands it the unsaved text.
use super::audit;
use super::campaigns::Summary;
use super::campaigns_api as workspace_api;
use super::diff;
use super::error::{PageError, WorkspaceError};
use super::pages::{render, Done, Shell};
use super::preview_page::{self, Made, Theme};
use super::signed::Signed;
use crate::campaign_state::{CampaignState, Status};
use crate::documents::{self, Change, DocumentError};
use crate::preview::Persona;
use crate::role::Role;
use crate::state::AppState;
use crate::store::{CampaignRecord, CampaignVersion, PublishOutcome};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde_json::json;
use touchpoint_authoring::diagnostic::Diagnostic;

/// A diagnostic as the page lists it.
pub struct DiagRow {
    /// `line:column`, or empty when the position is unknown.
    at: String,
    /// The 1-based line (0 when unknown), for the script's jump to it.
    line: usize,
    path: String,
    message: String,
    snippet: String,
}

impl From<&Diagnostic> for DiagRow {
    fn from(d: &Diagnostic) -> Self {
        Self {
            at: match (d.line, d.column) {
                (Some(l), Some(c)) => format!("{l}:{c}"),
                (Some(l), None) => l.to_string(),
                _ => String::new(),
            },
            line: d.line.unwrap_or(0),
            path: d.path.clone(),
            message: d.message.clone(),
            snippet: d.snippet.clone(),
        }
    }
}

/// A version in the history.
struct VersionRow {
    version: i64,
    author: String,
    at: String,
    note: String,
    live: bool,
    /// The newest version (rolling back to it would change nothing).
    latest: bool,
}

/// What the last action found, shown above the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Nothing checked on this render.
    None,
    /// A check found no problem.
    Clean,
    /// The source has problems (listed).
    Problems,
    /// The change was refused for another reason.
    Refused(String),
}

#[derive(Template)]
#[template(path = "workspace/editor.html")]
struct EditorPage {
    shell: Shell,
    id: String,
    name: String,
    state: CampaignState,
    status: Status,
    live_version: String,
    source: String,
    note: String,
    diagnostics: Vec<DiagRow>,
    outcome: Outcome,
    versions: Vec<VersionRow>,
    can_edit: bool,
    preview: PreviewControls,
}

/// The preview's settings and the framed page's address.
pub(super) struct PreviewControls {
    /// The persona JSON as typed.
    pub(super) persona: String,
    pub(super) locale: String,
    pub(super) theme: Theme,
    pub(super) width: u32,
    pub(super) widths: Vec<(u32, bool)>,
    /// The framed preview page (no token when the source does not validate).
    pub(super) url: String,
}

/// The viewport widths offered.
const WIDTHS: [u32; 3] = [1280, 768, 375];

/// What the preview is asked for: a persona (as typed), a locale, a theme and a width. The
/// source view and the form carry the same four controls, and a switch between the two
/// views keeps them.
#[derive(Debug, Clone)]
pub(super) struct PreviewChoice {
    /// The persona JSON as typed.
    pub(super) persona: String,
    pub(super) locale: String,
    pub(super) theme: Theme,
    pub(super) width: u32,
}

impl Default for PreviewChoice {
    fn default() -> Self {
        Self {
            persona: default_persona(),
            locale: String::new(),
            theme: Theme::Light,
            width: 768,
        }
    }
}

impl PreviewChoice {
    /// The four controls as a form posted them (`persona`, `locale`, `theme`, `width`); a
    /// missing or unreadable one keeps its default.
    pub(super) fn from_posted(posted: &std::collections::HashMap<String, String>) -> Self {
        let default = Self::default();
        Self {
            persona: posted.get("persona").cloned().unwrap_or(default.persona),
            locale: posted
                .get("locale")
                .map_or(default.locale, |l| l.trim().to_owned()),
            theme: match posted.get("theme").map(String::as_str) {
                Some("dark") => Theme::Dark,
                _ => Theme::Light,
            },
            width: posted
                .get("width")
                .and_then(|w| w.parse().ok())
                .unwrap_or(default.width),
        }
    }

    /// The persona, when the typed JSON reads as one.
    pub(super) fn persona(&self) -> Result<Persona, serde_json::Error> {
        serde_json::from_str(&self.persona)
    }
}

impl PreviewControls {
    pub(super) fn new(state: &AppState, id: &str, source: &str, choice: PreviewChoice) -> Self {
        let PreviewChoice {
            persona,
            locale,
            theme,
            width,
        } = choice;
        let width = if WIDTHS.contains(&width) { width } else { 768 };
        let parsed = serde_json::from_str::<Persona>(&persona).ok();
        let token = parsed.and_then(|p| match preview_page::make(state, id, source, p) {
            Ok(Made::Token(t)) => Some(t),
            _ => None,
        });
        let mut url = format!("/workspace/campaigns/{id}/preview?theme={}", theme.as_str());
        if let Some(t) = token {
            url.push_str(&format!("&token={}", t.as_str()));
        }
        if !locale.is_empty() {
            url.push_str(&format!("&locale={}", urlencoding(&locale)));
        }
        Self {
            persona,
            locale,
            theme,
            width,
            widths: WIDTHS.iter().map(|w| (*w, *w == width)).collect(),
            url,
        }
    }
}

/// Percent-encode a query value (locales are plain tags; anything else is escaped).
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The default persona, as the editor's JSON field shows it.
pub(super) fn default_persona() -> String {
    serde_json::to_string_pretty(&Persona::default()).unwrap_or_default()
}

impl EditorPage {
    fn problems(&self) -> bool {
        self.outcome == Outcome::Problems
    }

    fn clean(&self) -> bool {
        self.outcome == Outcome::Clean
    }

    fn refused(&self) -> &str {
        match &self.outcome {
            Outcome::Refused(why) => why,
            _ => "",
        }
    }

    fn can_pause(&self) -> bool {
        self.state == CampaignState::Published
    }

    fn can_resume(&self) -> bool {
        self.state == CampaignState::Paused
    }

    fn can_archive(&self) -> bool {
        self.state != CampaignState::Archived
    }

    fn can_restore(&self) -> bool {
        self.state == CampaignState::Archived
    }
}

async fn record(state: &AppState, id: &str) -> Result<CampaignRecord, WorkspaceError> {
    state
        .store
        .campaign(id)
        .await?
        .ok_or(WorkspaceError::NotFound("such campaign"))
}

/// What a render of the editor shows beyond the stored campaign.
pub(super) struct Draft {
    pub(super) source: Option<String>,
    pub(super) note: String,
    pub(super) diagnostics: Vec<DiagRow>,
    pub(super) outcome: Outcome,
    pub(super) preview: PreviewChoice,
}

impl Draft {
    pub(super) fn stored() -> Self {
        Self {
            source: None,
            note: String::new(),
            diagnostics: Vec::new(),
            outcome: Outcome::None,
            preview: PreviewChoice::default(),
        }
    }
}

async fn editor_page(
    state: &AppState,
    signed: &Signed,
    id: &str,
    flash: Option<&str>,
    draft: Draft,
) -> Result<EditorPage, WorkspaceError> {
    let record = record(state, id).await?;
    let versions = state.store.versions(id).await?;
    let latest = versions
        .last()
        .map(|v| v.source.clone())
        .unwrap_or_default();
    let name = Summary::of(&latest).name;
    let rows = versions
        .iter()
        .rev()
        .map(|v| VersionRow {
            version: v.version,
            author: v.author.clone(),
            at: audit::utc(v.created_at),
            note: v.note.clone(),
            live: record.live_version == Some(v.version),
            latest: v.version == record.latest_version,
        })
        .collect();
    let source = draft.source.unwrap_or(latest);
    let preview = PreviewControls::new(state, id, &source, draft.preview);
    Ok(EditorPage {
        preview,
        shell: Shell::new(signed, "campaigns", flash),
        id: record.id.clone(),
        name: if name.is_empty() {
            record.id.clone()
        } else {
            name
        },
        state: record.state,
        status: workspace_api::status(state, &record),
        live_version: record
            .live_version
            .map_or_else(|| "none".to_owned(), |v| format!("v{v}")),
        source,
        note: draft.note,
        diagnostics: draft.diagnostics,
        outcome: draft.outcome,
        versions: rows,
        can_edit: signed.role >= Role::Editor,
    })
}

/// The source view of `draft` (unsaved), as the form's switch to it renders it.
///
/// # Errors
/// 404 for an unknown campaign; 503 when storage fails.
pub(super) async fn source_view(
    state: &AppState,
    signed: &Signed,
    id: &str,
    status: StatusCode,
    draft: Draft,
) -> Result<Response, PageError> {
    let page = editor_page(state, signed, id, None, draft).await?;
    Ok((status, Html(render(&page))).into_response())
}

/// `GET /workspace/campaigns/{id}`: the editor (read-only below the editor role).
///
/// # Errors
/// 404 for an unknown campaign; 503 when storage fails.
pub async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Html<String>, PageError> {
    let page = editor_page(&state, &signed, &id, done.code(), Draft::stored()).await?;
    Ok(Html(render(&page)))
}

/// What the editor's form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Validate only.
    Check,
    /// Save a version without publishing it.
    SaveDraft,
    /// Save and publish.
    Publish,
    /// Show the source in the preview, unsaved.
    Preview,
}

/// The editor's form.
#[derive(Debug, serde::Deserialize)]
pub struct SourceForm {
    source: String,
    #[serde(default)]
    note: String,
    action: Action,
    #[serde(default)]
    persona: Option<String>,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    theme: Theme,
    #[serde(default)]
    width: Option<u32>,
}

impl SourceForm {
    /// The preview controls as posted.
    fn choice(&self) -> PreviewChoice {
        let default = PreviewChoice::default();
        PreviewChoice {
            persona: self.persona.clone().unwrap_or(default.persona),
            locale: self.locale.trim().to_owned(),
            theme: self.theme,
            width: self.width.unwrap_or(default.width),
        }
    }
}

/// `POST /workspace/campaigns/{id}`: check, save as a draft, or publish the posted source.
///
/// # Errors
/// 404 for an unknown campaign; 503 when storage fails. A source with problems, or a change
/// the lifecycle refuses, renders the editor again (422 or 409) with the posted text.
pub async fn submit(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<SourceForm>,
) -> Result<Response, PageError> {
    // Browsers post CRLF line ends from a textarea; versions keep the text as typed.
    let source = form.source.replace("\r\n", "\n");
    let again = |status: StatusCode, diagnostics: &[Diagnostic], outcome: Outcome| {
        let state = state.clone();
        let signed = signed.clone();
        let id = id.clone();
        let draft = Draft {
            source: Some(source.clone()),
            note: form.note.clone(),
            diagnostics: diagnostics.iter().map(DiagRow::from).collect(),
            outcome,
            preview: form.choice(),
        };
        async move {
            let page = editor_page(&state, &signed, &id, None, draft).await?;
            Ok::<Response, PageError>((status, Html(render(&page))).into_response())
        }
    };
    if form.action == Action::Preview {
        let persona = form.persona.as_deref().unwrap_or("{}");
        if let Err(e) = serde_json::from_str::<Persona>(persona) {
            let why = format!("The persona is not valid JSON for a preview: {e}");
            return again(StatusCode::UNPROCESSABLE_ENTITY, &[], Outcome::Refused(why)).await;
        }
    }
    if matches!(form.action, Action::Check | Action::Preview) {
        return match documents::check_source(&id, &source) {
            Ok(_) => again(StatusCode::OK, &[], Outcome::Clean).await,
            Err(d) => again(StatusCode::OK, &d, Outcome::Problems).await,
        };
    }
    let stored = store(
        &state,
        &signed,
        &id,
        &source,
        &form.note,
        form.action == Action::Publish,
    )
    .await?;
    match stored {
        Stored::Done(done) => Ok(back(&id, done)),
        Stored::Invalid(d) => again(StatusCode::UNPROCESSABLE_ENTITY, &d, Outcome::Problems).await,
        Stored::Refused(why) => again(StatusCode::CONFLICT, &[], Outcome::Refused(why)).await,
    }
}

/// What saving a source did.
pub(super) enum Stored {
    /// Saved (or unchanged): the flash code of the redirect.
    Done(&'static str),
    /// The source has problems; nothing was saved.
    Invalid(Vec<Diagnostic>),
    /// The lifecycle or the id refused it; nothing was saved.
    Refused(String),
}

/// Save `source` as a draft version or publish it, through [`documents`]: audited and the
/// catalog rebuilt when a version was made. The source and the form views both save here.
///
/// # Errors
/// 404 for an unknown campaign; 503 when storage fails.
pub(super) async fn store(
    state: &AppState,
    signed: &Signed,
    id: &str,
    source: &str,
    note: &str,
    publish: bool,
) -> Result<Stored, PageError> {
    record(state, id).await?;
    let author = signed.actor.to_string();
    let change = Change {
        author: &author,
        note: note.trim(),
        now: state.now_millis(),
    };
    let (result, action) = if publish {
        let out = documents::publish(state.store.as_ref(), id, source, change).await;
        (out, "campaign.publish")
    } else {
        let out = documents::save_draft(state.store.as_ref(), id, source, change).await;
        (out, "campaign.save_draft")
    };
    let out = match result {
        Ok(out) => out,
        Err(DocumentError::Invalid(d)) => return Ok(Stored::Invalid(d)),
        Err(e @ (DocumentError::IdMismatch { .. } | DocumentError::Transition(_))) => {
            return Ok(Stored::Refused(e.to_string()))
        }
        Err(e) => return Err(WorkspaceError::from(e).into()),
    };
    let done = match (out, publish) {
        (PublishOutcome::Unchanged { .. }, _) => "unchanged",
        (PublishOutcome::Created { .. }, true) => "published",
        (PublishOutcome::Created { .. }, false) => "draft_saved",
    };
    if matches!(out, PublishOutcome::Created { .. }) {
        workspace_api::refresh(state).await;
        audit::record(state, &author, action, id, json!(out)).await?;
    }
    Ok(Stored::Done(done))
}

fn back(id: &str, done: &str) -> Response {
    Redirect::to(&format!("/workspace/campaigns/{id}?done={done}")).into_response()
}

/// The lifecycle form: pause (`paused`), resume (`published`), archive, restore (`paused`
/// from archived).
#[derive(Debug, serde::Deserialize)]
pub struct StateForm {
    state: CampaignState,
}

/// `POST /workspace/campaigns/{id}/state`.
///
/// # Errors
/// 404 for an unknown campaign, 409 for a move the lifecycle refuses, 503.
pub async fn set_state(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<StateForm>,
) -> Result<Response, PageError> {
    let before = record(&state, &id).await?.state;
    documents::set_state(state.store.as_ref(), &id, form.state, state.now_millis())
        .await
        .map_err(WorkspaceError::from)?;
    workspace_api::refresh(&state).await;
    let actor = signed.actor.to_string();
    audit::record(
        &state,
        &actor,
        "campaign.state",
        &id,
        json!({ "state": form.state }),
    )
    .await?;
    let done = match (before, form.state) {
        (_, CampaignState::Archived) => "archived",
        (CampaignState::Archived, _) => "restored",
        (_, CampaignState::Paused) => "paused",
        _ => "resumed",
    };
    Ok(back(&id, done))
}

/// The rollback form.
#[derive(Debug, serde::Deserialize)]
pub struct RollbackForm {
    version: i64,
}

/// `POST /workspace/campaigns/{id}/rollback`: publish an older version as a new one.
///
/// # Errors
/// 404 for an unknown campaign or version, 409 for an archived campaign, 503.
pub async fn rollback(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(form): Form<RollbackForm>,
) -> Result<Response, PageError> {
    let author = signed.actor.to_string();
    let change = Change {
        author: &author,
        note: "",
        now: state.now_millis(),
    };
    let out = documents::rollback(state.store.as_ref(), &id, form.version, change)
        .await
        .map_err(WorkspaceError::from)?;
    if matches!(out, PublishOutcome::Created { .. }) {
        workspace_api::refresh(&state).await;
        audit::record(&state, &author, "campaign.rollback", &id, json!(out)).await?;
        return Ok(back(&id, "rolled_back"));
    }
    Ok(back(&id, "unchanged"))
}

/// A line of a diff as the page shows it.
struct DiffLine {
    class: &'static str,
    marker: char,
    text: String,
}

/// A hunk as the page shows it.
struct DiffHunk {
    header: String,
    lines: Vec<DiffLine>,
}

/// Another version to compare with.
struct Other {
    version: i64,
    selected: bool,
}

#[derive(Template)]
#[template(path = "workspace/version.html")]
struct VersionPage {
    shell: Shell,
    id: String,
    version: CampaignVersion,
    against: Option<i64>,
    others: Vec<Other>,
    hunks: Vec<DiffHunk>,
    can_edit: bool,
    /// Whether a rollback to this version would change something: not archived, and
    /// neither the live nor the newest version.
    can_roll_back: bool,
}

/// `?against=` of a version page.
#[derive(Debug, serde::Deserialize)]
pub struct Against {
    against: Option<i64>,
}

/// `GET /workspace/campaigns/{id}/versions/{n}[?against=m]`: one version's source and its
/// diff against version `m` (the previous one by default).
///
/// # Errors
/// 404 for an unknown campaign or version, 503.
pub async fn version(
    State(state): State<AppState>,
    signed: Signed,
    Path((id, n)): Path<(String, i64)>,
    Query(q): Query<Against>,
) -> Result<Html<String>, PageError> {
    let record = record(&state, &id).await?;
    let versions = state.store.versions(&id).await?;
    let version = versions
        .iter()
        .find(|v| v.version == n)
        .cloned()
        .ok_or(WorkspaceError::NotFound("such version"))?;
    let against = q.against.or_else(|| (n > 1).then_some(n - 1));
    let old = match against {
        Some(m) => Some(
            versions
                .iter()
                .find(|v| v.version == m)
                .ok_or(WorkspaceError::NotFound("such version to compare with"))?,
        ),
        None => None,
    };
    let old_source = old.map_or("", |v| v.source.as_str());
    let hunks = diff::hunks(old_source, &version.source)
        .into_iter()
        .map(|h| DiffHunk {
            header: h.header(),
            lines: h
                .lines
                .iter()
                .map(|l| DiffLine {
                    class: l.class(),
                    marker: l.marker(),
                    text: l.text().to_owned(),
                })
                .collect(),
        })
        .collect();
    Ok(Html(render(&VersionPage {
        shell: Shell::new(&signed, "campaigns", None),
        others: versions
            .iter()
            .filter(|v| v.version != n)
            .map(|v| Other {
                version: v.version,
                selected: Some(v.version) == against,
            })
            .collect(),
        id,
        version,
        against,
        hunks,
        can_edit: signed.role >= Role::Editor,
        can_roll_back: record.state != CampaignState::Archived
            && record.live_version != Some(n)
            && record.latest_version != n,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagnostic_row_shows_its_position() {
        let d = Diagnostic {
            file: "x.toml".into(),
            path: "audience.phases[0]".into(),
            line: Some(9),
            column: Some(11),
            message: "unknown phase".into(),
            snippet: String::new(),
        };
        let row = DiagRow::from(&d);
        assert_eq!((row.at.as_str(), row.line), ("9:11", 9));
        let whole = DiagRow::from(&Diagnostic {
            line: None,
            column: None,
            ..d
        });
        assert_eq!((whole.at.as_str(), whole.line), ("", 0));
    }
}
