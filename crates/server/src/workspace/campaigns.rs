//! The campaign list (the workspace's home) and the new-campaign page. The list reads every
//! campaign record with its latest version's name, goal and owner, and filters on the
//! server by status, goal and a search over id, name and owner, so it works without a
//! script. A new campaign starts from a [`Starter`] and is saved as a draft (version 1) by
//! the same rules as every other change ([`crate::documents::save_draft`]).
use super::audit;
use super::campaigns_api as workspace_api;
use super::error::{PageError, WorkspaceError};
use super::pages::{render, Shell};
use super::signed::Signed;
use super::starters::Starter;
use crate::campaign_state::Status;
use crate::documents::{self, Change};
use crate::role::Role;
use crate::state::AppState;
use crate::store::CampaignRecord;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde_json::json;
use touchpoint_core::campaign::check::is_slug;
use touchpoint_core::vocab::Goal;

/// The fields of a source the list shows, read loosely (every stored version validated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// `name`.
    pub name: String,
    /// `goal`.
    pub goal: String,
    /// `owner`, or empty.
    pub owner: String,
}

impl Summary {
    /// Read `name`, `goal` and `owner` from a campaign source.
    pub fn of(source: &str) -> Self {
        let Ok(table) = source.parse::<toml::Table>() else {
            return Self::default();
        };
        let field = |k: &str| {
            table
                .get(k)
                .and_then(toml::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            name: field("name"),
            goal: field("goal"),
            owner: field("owner"),
        }
    }
}

/// One row of the list.
pub struct Row {
    id: String,
    summary: Summary,
    state: String,
    status: Status,
    live_version: String,
    updated: String,
}

/// `?status=&goal=&q=&done=` of the list.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Filters {
    #[serde(default)]
    status: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    q: String,
    done: Option<String>,
}

impl Filters {
    /// Whether a row passes: the status (archived ones only when asked for), the goal, and
    /// the search text in its id, name or owner (any case).
    fn keep(&self, row: &Row) -> bool {
        let status = match self.status.as_str() {
            "" => row.status != Status::Archived,
            "all" => true,
            s => row.status.as_str() == s,
        };
        let goal = self.goal.is_empty() || row.summary.goal == self.goal;
        let q = self.q.trim().to_lowercase();
        let text = q.is_empty()
            || [&row.id, &row.summary.name, &row.summary.owner]
                .iter()
                .any(|t| t.to_lowercase().contains(&q));
        status && goal && text
    }

    fn any(&self) -> bool {
        !(self.status.is_empty() && self.goal.is_empty() && self.q.trim().is_empty())
    }
}

#[derive(Template)]
#[template(path = "workspace/campaigns.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<Row>,
    total: usize,
    filters: Filters,
    statuses: Vec<Opt>,
    goals: Vec<Opt>,
    can_edit: bool,
}

/// A filter's option, selected when it is the current value.
struct Opt {
    value: &'static str,
    selected: bool,
}

fn options(values: impl IntoIterator<Item = &'static str>, current: &str) -> Vec<Opt> {
    values
        .into_iter()
        .map(|value| Opt {
            value,
            selected: value == current,
        })
        .collect()
}

async fn row(state: &AppState, record: CampaignRecord) -> Result<Row, WorkspaceError> {
    let summary = state
        .store
        .version(&record.id, record.latest_version)
        .await?
        .map(|v| Summary::of(&v.source))
        .unwrap_or_default();
    Ok(Row {
        status: workspace_api::status(state, &record),
        summary,
        state: record.state.to_string(),
        live_version: record
            .live_version
            .map_or_else(|| "—".to_owned(), |v| format!("v{v}")),
        updated: audit::utc(record.updated_at),
        id: record.id,
    })
}

/// `GET /workspace/campaigns` (and the home, `/workspace/`): the filtered list.
///
/// # Errors
/// 503 when storage fails.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(filters): Query<Filters>,
) -> Result<Html<String>, PageError> {
    let records = state.store.campaigns().await?;
    let total = records.len();
    let mut rows = Vec::with_capacity(total);
    for record in records {
        let row = row(&state, record).await?;
        if filters.keep(&row) {
            rows.push(row);
        }
    }
    Ok(Html(render(&ListPage {
        shell: Shell::new(&signed, "campaigns", filters.done.as_deref()),
        rows,
        total,
        statuses: options(
            Status::ALL
                .iter()
                .map(|s| s.as_str())
                .chain(std::iter::once("all")),
            &filters.status,
        ),
        goals: options(Goal::NAMES.iter().map(|(n, _)| *n), &filters.goal),
        can_edit: signed.role >= Role::Editor,
        filters,
    })))
}

/// A starter as the new-campaign page offers it.
struct Choice {
    key: &'static str,
    summary: &'static str,
}

#[derive(Template)]
#[template(path = "workspace/campaign_new.html")]
struct NewPage {
    shell: Shell,
    choices: Vec<Choice>,
    id: String,
    name: String,
    starter: String,
    error: String,
}

fn new_page(signed: &Signed, form: &NewForm, error: String) -> NewPage {
    NewPage {
        shell: Shell::new(signed, "campaigns", None),
        choices: Starter::all()
            .into_iter()
            .map(|s| Choice {
                key: s.key(),
                summary: s.summary(),
            })
            .collect(),
        id: form.id.clone(),
        name: form.name.clone(),
        starter: form.starter.clone(),
        error,
    }
}

/// `GET /workspace/campaigns/new`: choose a template, an id and a name.
///
/// # Errors
/// Never beyond the gate's.
pub async fn new(signed: Signed) -> Result<Html<String>, PageError> {
    let form = NewForm {
        starter: "adoption".into(),
        ..NewForm::default()
    };
    Ok(Html(render(&new_page(&signed, &form, String::new()))))
}

/// The new-campaign form.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NewForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    starter: String,
}

/// `POST /workspace/campaigns`: create the campaign as a draft from its starter and open
/// the editor. A bad id or name, or a taken id, shows the form again with the reason.
///
/// # Errors
/// 503 when storage fails.
pub async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<NewForm>,
) -> Result<Response, PageError> {
    let id = form.id.trim();
    let name = form.name.trim();
    let refuse = |why: String| {
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(render(&new_page(&signed, &form, why))),
        )
            .into_response())
    };
    let Some(starter) = Starter::parse(&form.starter) else {
        return refuse("Choose a template.".into());
    };
    if !is_slug(id) || id == "new" {
        return refuse(format!(
            "{id:?} is not a campaign id: use 1 to 64 of a-z, 0-9, - and _, not starting with - (and not \"new\")."
        ));
    }
    if name.is_empty() {
        return refuse("Give the campaign a name.".into());
    }
    if state.store.campaign(id).await?.is_some() {
        return refuse(format!("A campaign {id:?} exists already."));
    }
    let author = signed.actor.to_string();
    let source = starter.source(id, name);
    let change = Change {
        author: &author,
        note: &format!("created from the {} template", starter.key()),
        now: state.now_millis(),
    };
    let out = documents::save_draft(state.store.as_ref(), id, &source, change)
        .await
        .map_err(WorkspaceError::from)?;
    audit::record(&state, &author, "campaign.create", id, json!(out)).await?;
    workspace_api::refresh(&state).await;
    Ok(Redirect::to(&format!("/workspace/campaigns/{id}?done=campaign_created")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, goal: &str, status: Status) -> Row {
        Row {
            id: id.into(),
            summary: Summary {
                name: format!("Name of {id}"),
                goal: goal.into(),
                owner: "cs@example.com".into(),
            },
            state: String::new(),
            status,
            live_version: String::new(),
            updated: String::new(),
        }
    }

    fn filters(status: &str, goal: &str, q: &str) -> Filters {
        Filters {
            status: status.into(),
            goal: goal.into(),
            q: q.into(),
            done: None,
        }
    }

    #[test]
    fn filters_match_status_goal_and_text() {
        let live = row("tip", "adoption", Status::Live);
        let gone = row("old", "renewal", Status::Archived);
        assert!(filters("", "", "").keep(&live));
        assert!(
            !filters("", "", "").keep(&gone),
            "archived hidden by default"
        );
        assert!(filters("all", "", "").keep(&gone));
        assert!(filters("archived", "", "").keep(&gone));
        assert!(!filters("draft", "", "").keep(&live));
        assert!(filters("live", "adoption", "").keep(&live));
        assert!(!filters("", "renewal", "").keep(&live));
        assert!(filters("", "", "NAME OF T").keep(&live));
        assert!(filters("", "", "cs@").keep(&live));
        assert!(!filters("", "", "nothing").keep(&live));
    }

    #[test]
    fn a_summary_reads_name_goal_and_owner() {
        let s = Summary::of("id = \"a\"\nname = \"A\"\ngoal = \"feedback\"\n");
        assert_eq!((s.name.as_str(), s.goal.as_str()), ("A", "feedback"));
        assert_eq!(s.owner, "");
        assert_eq!(Summary::of("not toml ["), Summary::default());
    }
}
