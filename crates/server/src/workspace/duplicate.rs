//! Duplicate a campaign: a new draft campaign whose version 1 is the latest version's source
//! of another, under a new id and name. The page asks for both (prefilled `<id>-copy` and
//! `<name> (copy)`); the id and name are refused for the same reasons as a new campaign's
//! ([`super::campaigns::refusal`]), the source is validated and saved by the same rules as
//! every other change ([`crate::documents::save_draft`]), and the copy is audited with the
//! version it came from. Only `id` and `name` change in the text, in place, so the copy
//! keeps the original's comments and layout.
use super::audit;
use super::campaigns::{refusal, Summary};
use super::campaigns_api as workspace_api;
use super::error::{PageError, WorkspaceError};
use super::pages::{render, Shell};
use super::signed::Signed;
use super::starters::basic_string;
use crate::documents::{self, Change, DocumentError};
use crate::state::AppState;
use crate::store::CampaignVersion;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde_json::json;
use toml::de::{DeTable, DeValue};

/// Why a source could not be given a new id and name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenameError {
    /// The text does not parse as TOML (a stored version always does).
    #[error("the source is not TOML: {0}")]
    NotToml(String),
    /// The top-level key is missing or not a string.
    #[error("the source has no top-level `{0}` string")]
    Missing(&'static str),
}

/// `source` with its top-level `id` and `name` strings replaced by `id` and `name` (written
/// as TOML basic strings); everything else byte for byte as it was.
///
/// # Errors
/// [`RenameError`] when the source is not TOML or lacks either string.
///
/// # Example
/// ```
/// use touchpoint_server::workspace::duplicate::renamed;
/// let copy = renamed("# tip\nid = 'tip'\nname = \"Tip\"\n", "tip-copy", "Tip (copy)").unwrap();
/// assert_eq!(copy, "# tip\nid = \"tip-copy\"\nname = \"Tip (copy)\"\n");
/// ```
pub fn renamed(source: &str, id: &str, name: &str) -> Result<String, RenameError> {
    let table = DeTable::parse(source).map_err(|e| RenameError::NotToml(e.to_string()))?;
    let span = |key: &'static str| {
        table
            .get_ref()
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .filter(|(_, v)| matches!(v.get_ref(), DeValue::String(_)))
            .map(|(_, v)| v.span())
            .ok_or(RenameError::Missing(key))
    };
    let mut edits = [
        (span("id")?, basic_string(id)),
        (span("name")?, basic_string(name)),
    ];
    // Replace the later span first, so the earlier one's offsets still hold.
    edits.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
    let mut out = source.to_owned();
    for (range, text) in edits {
        out.replace_range(range, &text);
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "workspace/campaign_duplicate.html")]
struct DuplicatePage {
    shell: Shell,
    /// The campaign copied.
    from: String,
    from_name: String,
    /// Its version copied (the latest).
    version: i64,
    id: String,
    name: String,
    error: String,
}

/// The duplicate form.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DuplicateForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
}

/// The campaign's latest version, or 404.
async fn latest(state: &AppState, id: &str) -> Result<CampaignVersion, WorkspaceError> {
    let record = state
        .store
        .campaign(id)
        .await?
        .ok_or(WorkspaceError::NotFound("such campaign"))?;
    state
        .store
        .version(id, record.latest_version)
        .await?
        .ok_or(WorkspaceError::NotFound("such version"))
}

/// The first of `<id>-copy`, `<id>-copy-2`, … that no campaign has (or the last tried).
async fn free_id(state: &AppState, from: &str) -> Result<String, WorkspaceError> {
    let mut candidate = format!("{from}-copy");
    for n in 2..=9 {
        if state.store.campaign(&candidate).await?.is_none() {
            break;
        }
        candidate = format!("{from}-copy-{n}");
    }
    Ok(candidate)
}

fn page(signed: &Signed, from: &CampaignVersion, form: &DuplicateForm, error: String) -> String {
    let from_name = Summary::of(&from.source).name;
    render(&DuplicatePage {
        shell: Shell::new(signed, "campaigns", None),
        from: from.campaign_id.clone(),
        from_name: if from_name.is_empty() {
            from.campaign_id.clone()
        } else {
            from_name
        },
        version: from.version,
        id: form.id.clone(),
        name: form.name.clone(),
        error,
    })
}

/// `GET /workspace/campaigns/{id}/duplicate`: ask for the copy's id and name.
///
/// # Errors
/// 404 for an unknown campaign; 503 when storage fails.
pub async fn ask(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let from = latest(&state, &id).await?;
    let name = Summary::of(&from.source).name;
    let form = DuplicateForm {
        id: free_id(&state, &id).await?,
        name: format!("{} (copy)", if name.is_empty() { &id } else { &name }),
    };
    Ok(Html(page(&signed, &from, &form, String::new())))
}

/// `POST /workspace/campaigns/{id}/duplicate`: save the copy as a draft and open its
/// editor. A bad or taken id, a blank name, or a copy that does not validate shows the form
/// again with the reason (422).
///
/// # Errors
/// 404 for an unknown campaign; 503 when storage fails.
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Path(from_id): Path<String>,
    Form(form): Form<DuplicateForm>,
) -> Result<Response, PageError> {
    let from = latest(&state, &from_id).await?;
    let id = form.id.trim();
    let name = form.name.trim();
    let refuse = |why: String| {
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(page(&signed, &from, &form, why)),
        )
            .into_response())
    };
    if let Some(why) = refusal(&state, id, name).await? {
        return refuse(why);
    }
    let source = match renamed(&from.source, id, name) {
        Ok(s) => s,
        Err(e) => return refuse(format!("The source of {from_id:?} cannot be copied: {e}.")),
    };
    let author = signed.actor.to_string();
    let note = format!("duplicated from {from_id} v{}", from.version);
    let change = Change {
        author: &author,
        note: &note,
        now: state.now_millis(),
    };
    let out = match documents::save_draft(state.store.as_ref(), id, &source, change).await {
        Ok(out) => out,
        Err(DocumentError::Invalid(d)) => {
            let first = d.first().map(ToString::to_string).unwrap_or_default();
            return refuse(format!("The copy does not validate: {first}"));
        }
        Err(e) => return Err(WorkspaceError::from(e).into()),
    };
    audit::record(
        &state,
        &author,
        "campaign.duplicate",
        id,
        json!({ "from": from_id, "from_version": from.version, "outcome": out }),
    )
    .await?;
    workspace_api::refresh(&state).await;
    Ok(Redirect::to(&format!(
        "/workspace/campaigns/{id}?done=campaign_duplicated"
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::check_source;

    #[test]
    fn a_copy_changes_only_the_id_and_the_name() {
        let source = "# Why this exists\nname = 'Old \"one\"' # trailing\nid = \"old\"\ngoal = \"adoption\"\n\n[trigger]\non = \"page_load\"\n# name = \"kept\", a comment\n\n[format]\nkind = \"modal\"\n\n[content.en]\ntitle = \"T\"\nbody = \"B\"\n";
        let copy = renamed(source, "old-copy", "New \\ \"two\"").expect("renamed");
        assert_eq!(
            copy,
            source
                .replace("'Old \"one\"'", "\"New \\\\ \\\"two\\\"\"")
                .replace("\"old\"", "\"old-copy\"")
        );
        let c = check_source("old-copy", &copy).expect("valid");
        assert_eq!(
            (c.id.as_str(), c.name.as_str()),
            ("old-copy", "New \\ \"two\"")
        );
    }

    #[test]
    fn a_source_without_an_id_or_name_string_is_refused() {
        assert_eq!(
            renamed("name = \"x\"\n", "a", "b"),
            Err(RenameError::Missing("id"))
        );
        assert_eq!(
            renamed("id = \"x\"\nname = 3\n", "a", "b"),
            Err(RenameError::Missing("name"))
        );
        assert!(matches!(
            renamed("id = ", "a", "b"),
            Err(RenameError::NotToml(_))
        ));
    }
}
