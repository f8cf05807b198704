//! The campaign list (the workspace's home) and the new-campaign page. The list reads every
//! campaign record with its latest version's [`Summary`] and filters on the server
//! ([`super::list_filter`]: status, goal, stage, phase, owner and a search, all in the
//! query string), so it works without a script and every view of it is a bookmark. A new campaign starts from a [`Starter`] and is saved as a draft (version 1) by
//! the same rules as every other change ([`crate::documents::save_draft`]).
use super::audit;
use super::campaigns_api as workspace_api;
use super::error::{PageError, WorkspaceError};
use super::list_filter::{owners, Chip, Emptied, Facet, Filters, Listed, RawFilters, StatusFilter};
use super::pages::{render, Done, Shell};
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
use touchpoint_core::vocab::{Goal, Phase, Stage};

pub use super::summary::Summary;

/// One row of the list.
pub struct Row {
    item: Listed,
    state: String,
    live_version: String,
    updated: String,
    audience: Vec<String>,
}

#[derive(Template)]
#[template(path = "workspace/campaigns.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<Row>,
    total: usize,
    /// Archived campaigns the default status filter hides.
    hidden: usize,
    filters: Filters,
    chips: Vec<Chip>,
    emptied: Option<Emptied>,
    /// The list with archived campaigns included and every other filter kept.
    with_archived: String,
    statuses: Vec<Opt>,
    goals: Vec<Opt>,
    stages: Vec<Opt>,
    phases: Vec<Opt>,
    owners: Vec<Opt>,
    /// The search text as typed.
    q: String,
    can_edit: bool,
}

impl ListPage {
    /// Whether the default status (archived hidden) is what emptied the list, which the
    /// empty state then says itself.
    fn emptied_by_status(&self) -> bool {
        self.emptied
            .as_ref()
            .is_some_and(|e| e.facet == Facet::Status)
    }
}

/// A filter's option, selected when it is the current value.
struct Opt {
    value: String,
    selected: bool,
}

fn options<S: Into<String>>(values: impl IntoIterator<Item = S>, current: &str) -> Vec<Opt> {
    values
        .into_iter()
        .map(|value| {
            let value = value.into();
            Opt {
                selected: value == current,
                value,
            }
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
        audience: summary.audience(),
        item: Listed {
            status: workspace_api::status(state, &record),
            summary,
            id: record.id.clone(),
        },
        state: record.state.to_string(),
        live_version: record
            .live_version
            .map_or_else(|| "—".to_owned(), |v| format!("v{v}")),
        updated: audit::utc(record.updated_at),
    })
}

/// `GET /workspace/campaigns` (and the home, `/workspace/`): the filtered list.
///
/// # Errors
/// 503 when storage fails.
pub async fn list(
    State(state): State<AppState>,
    signed: Signed,
    Query(raw): Query<RawFilters>,
    Query(done): Query<Done>,
) -> Result<Html<String>, PageError> {
    let filters = Filters::from(&raw);
    let records = state.store.campaigns().await?;
    let total = records.len();
    let mut all = Vec::with_capacity(total);
    for record in records {
        all.push(row(&state, record).await?);
    }
    let owners = owners(
        all.iter().map(|r| &r.item.summary),
        filters.owner.as_deref(),
    );
    let listed: Vec<Listed> = all.iter().map(|r| r.item.clone()).collect();
    let emptied = filters.emptied(&listed);
    let hidden = if filters.status == StatusFilter::Unarchived {
        listed
            .iter()
            .filter(|r| r.status == Status::Archived)
            .count()
    } else {
        0
    };
    let rows: Vec<Row> = all.into_iter().filter(|r| filters.keep(&r.item)).collect();
    let with_archived = Filters {
        status: StatusFilter::All,
        ..filters.clone()
    }
    .url(None);
    let value = |f: Facet| filters.value(f).unwrap_or_default();
    Ok(Html(render(&ListPage {
        shell: Shell::new(&signed, "campaigns", done.code()),
        rows,
        total,
        hidden,
        chips: filters.chips(),
        emptied,
        with_archived,
        statuses: options(
            Status::ALL
                .iter()
                .map(|s| s.as_str())
                .chain(std::iter::once("all")),
            &value(Facet::Status),
        ),
        goals: options(Goal::NAMES.iter().map(|(n, _)| *n), &value(Facet::Goal)),
        stages: options(Stage::NAMES.iter().map(|(n, _)| *n), &value(Facet::Stage)),
        phases: options(Phase::NAMES.iter().map(|(n, _)| *n), &value(Facet::Phase)),
        owners: options(owners, &value(Facet::Owner)),
        q: value(Facet::Text),
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

/// Why a new campaign (created or duplicated) may not have this id and name, as the form
/// says it; `None` when both will do. The id must be a free slug other than `new` (the
/// new-campaign page's path), and the name not blank.
///
/// # Errors
/// When storage fails.
pub async fn refusal(
    state: &AppState,
    id: &str,
    name: &str,
) -> Result<Option<String>, WorkspaceError> {
    if !is_slug(id) || id == "new" {
        return Ok(Some(format!(
            "{id:?} is not a campaign id: use 1 to 64 of a-z, 0-9, - and _, not starting with - (and not \"new\")."
        )));
    }
    if name.is_empty() {
        return Ok(Some("Give the campaign a name.".into()));
    }
    if state.store.campaign(id).await?.is_some() {
        return Ok(Some(format!("A campaign {id:?} exists already.")));
    }
    Ok(None)
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
    if let Some(why) = refusal(&state, id, name).await? {
        return refuse(why);
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
