//! The campaign form: the common fields of one campaign's TOML as labelled controls, the
//! second view of the same document as the source editor ([`super::editor`]).
//!
//! The page carries the TOML it was drawn from (a hidden field), so unsaved edits survive a
//! round trip: a post writes the changed fields onto that TOML ([`edit`]), then adds or
//! removes a row, switches to the source view, checks, or saves through the very path the
//! source view saves by ([`super::editor::store`]). Every check runs the core's validation
//! on the resulting TOML, and each diagnostic is drawn beside the field its path names
//! ([`fields::place`]), with a summary linking to each at the top. Without JavaScript every
//! button is a plain submit; the workspace script adds the condition's debounced check and
//! a preview that follows the unsaved form ([`preview`]).
pub mod edit;
pub mod fields;

use super::condition;
use super::editor::{self, Draft, Outcome, PreviewChoice, PreviewControls, Stored};
use super::error::{PageError, WorkspaceError};
use super::pages::{render, Done, Shell};
use super::preview_page::{self, Made};
use super::signed::Signed;
use crate::documents;
use crate::role::Role;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use fields::{Group, Place, Widget};
use std::collections::HashMap;
use toml_edit::DocumentMut;
use touchpoint_authoring::diagnostic::Diagnostic;

/// A control as the template draws it.
struct FieldView {
    /// The control's name: the TOML path.
    path: String,
    /// The element id.
    id: String,
    label: &'static str,
    /// `line`, `area` or `choice`.
    widget: &'static str,
    value: String,
    /// (value, text, selected) of a choice.
    options: Vec<(String, String, bool)>,
    help: String,
    /// Messages beside it.
    errors: Vec<String>,
    /// The condition field's report (caret messages, traits and events read).
    condition: Option<condition::Report>,
}

impl FieldView {
    fn invalid(&self) -> bool {
        !self.errors.is_empty()
    }

    /// `aria-describedby`: its messages first, then its hint.
    fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.invalid() {
            ids.push(format!("{}-error", self.id));
        }
        if !self.help.is_empty() {
            ids.push(format!("{}-help", self.id));
        }
        if self.condition.is_some() {
            ids.push(format!("{}-uses", self.id));
        }
        ids.join(" ")
    }
}

/// A group as the template draws it.
struct GroupView {
    id: String,
    legend: String,
    nested: bool,
    hint: &'static str,
    errors: Vec<String>,
    fields: Vec<FieldView>,
    adds: Vec<(String, String)>,
    remove: Option<(String, String)>,
    /// The content group: it has the new-locale box.
    locales: bool,
}

/// One line of the summary above the form.
struct SummaryRow {
    /// `#id` of the field or group, empty when it has no place in the form.
    href: String,
    /// The field's label or group's legend.
    label: String,
    message: String,
    /// `line:column` in the source.
    at: String,
    path: String,
}

#[derive(Template)]
#[template(path = "workspace/campaign_form.html")]
struct FormPage {
    shell: Shell,
    id: String,
    name: String,
    source: String,
    note: String,
    new_locale: String,
    groups: Vec<GroupView>,
    summary: Vec<SummaryRow>,
    outcome: Outcome,
    can_edit: bool,
    preview: PreviewControls,
    /// The element id of the control that gets the focus, or empty.
    focus: String,
}

impl FormPage {
    fn problems(&self) -> bool {
        !self.summary.is_empty()
    }

    fn clean(&self) -> bool {
        self.outcome == Outcome::Clean && self.summary.is_empty()
    }

    fn refused(&self) -> &str {
        match &self.outcome {
            Outcome::Refused(why) => why,
            _ => "",
        }
    }
}

/// The element id of a path: `f-content-en-ctas-0-url`.
fn element_id(path: &str) -> String {
    let mut id = String::from("f-");
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}

/// Add a row to the group at `path`: the element id of its first control, to focus, or
/// empty when nothing was added.
fn add_row(doc: &mut DocumentMut, path: &str) -> String {
    if !edit::add(doc, path) {
        return String::new();
    }
    let last = fields::rows(doc, path).saturating_sub(1);
    let row = format!("{path}[{last}]");
    fields::groups(doc)
        .iter()
        .find(|g| g.path == row)
        .and_then(|g| g.fields.first())
        .map(|f| element_id(&f.path))
        .unwrap_or_default()
}

/// Everything a render shows beyond the document.
struct Render<'a> {
    note: &'a str,
    new_locale: &'a str,
    /// Validation's diagnostics and the fields that could not be written (empty when
    /// nothing was checked or nothing is wrong).
    diagnostics: &'a [Diagnostic],
    outcome: Outcome,
    /// The element id of the control to focus (the first of a row just added), or empty.
    focus: String,
    /// The preview's persona, locale, theme and width.
    preview: PreviewChoice,
}

async fn page(
    state: &AppState,
    signed: &Signed,
    id: &str,
    doc: &DocumentMut,
    flash: Option<&str>,
    r: Render<'_>,
) -> Result<FormPage, PageError> {
    state
        .store
        .campaign(id)
        .await
        .map_err(WorkspaceError::from)?
        .ok_or(WorkspaceError::NotFound("such campaign"))?;
    let source = doc.to_string();
    let groups = fields::groups(doc);
    let mut field_errors: Vec<Vec<String>> = groups
        .iter()
        .flat_map(|g| &g.fields)
        .map(|_| Vec::new())
        .collect();
    let mut group_errors: Vec<Vec<String>> = groups.iter().map(|_| Vec::new()).collect();
    let flat: Vec<(&Group, &fields::Field)> = groups
        .iter()
        .flat_map(|g| g.fields.iter().map(move |f| (g, f)))
        .collect();
    let mut summary = Vec::new();
    for d in r.diagnostics {
        let (href, label) = match fields::place(&groups, &d.path) {
            Place::Field(i) => {
                field_errors[i].push(d.message.clone());
                let (g, f) = flat[i];
                let label = if g.nested {
                    format!("{}: {}", g.legend, f.label)
                } else {
                    f.label.to_owned()
                };
                (format!("#{}", element_id(&f.path)), label)
            }
            Place::Group(i) => {
                group_errors[i].push(d.message.clone());
                (
                    format!("#{}", element_id(&groups[i].path)),
                    groups[i].legend.clone(),
                )
            }
            Place::Summary => (String::new(), "Source".to_owned()),
        };
        summary.push(SummaryRow {
            href,
            label,
            message: d.message.clone(),
            at: fields::at(d),
            path: d.path.clone(),
        });
    }
    let mut errors = field_errors.into_iter();
    let views = groups
        .iter()
        .zip(group_errors)
        .map(|(g, errs)| GroupView {
            id: element_id(&g.path),
            legend: g.legend.clone(),
            nested: g.nested,
            hint: g.hint,
            errors: errs,
            locales: g.path == "content",
            adds: g.adds.clone(),
            remove: g.remove.clone(),
            fields: g
                .fields
                .iter()
                .map(|f| {
                    let value = edit::text(doc, &f.path);
                    let (widget, options) = match f.widget {
                        Widget::Line => ("line", Vec::new()),
                        Widget::Area => ("area", Vec::new()),
                        Widget::Choice(names) => {
                            let mut options: Vec<(String, String, bool)> = names
                                .iter()
                                .map(|n| {
                                    let text = match *n {
                                        "" => "(default)".to_owned(),
                                        "true" => "yes".to_owned(),
                                        "false" => "no".to_owned(),
                                        n => n.to_owned(),
                                    };
                                    (n.to_string(), text, *n == value)
                                })
                                .collect();
                            // A value the list does not know stays selectable, so a
                            // post does not silently change it; validation names it.
                            if !names.contains(&value.as_str()) {
                                let text = if value.is_empty() {
                                    "(none)".to_owned()
                                } else {
                                    value.clone()
                                };
                                options.insert(0, (value.clone(), text, true));
                            }
                            ("choice", options)
                        }
                    };
                    FieldView {
                        id: element_id(&f.path),
                        condition: (f.path == "audience.condition")
                            .then(|| condition::report(&value)),
                        path: f.path.clone(),
                        label: f.label,
                        widget,
                        value,
                        options,
                        help: f.help.to_owned(),
                        errors: errors.next().unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect();
    let name = edit::text(doc, "name");
    let preview = PreviewControls::new(state, id, &source, r.preview);
    Ok(FormPage {
        shell: Shell::new(signed, "campaigns", flash),
        id: id.to_owned(),
        name: if name.trim().is_empty() {
            id.to_owned()
        } else {
            name
        },
        source,
        note: r.note.to_owned(),
        new_locale: r.new_locale.to_owned(),
        groups: views,
        summary,
        outcome: r.outcome,
        can_edit: signed.role >= Role::Editor,
        preview,
        focus: r.focus,
    })
}

fn html(status: StatusCode, page: &FormPage) -> Response {
    (status, Html(render(page))).into_response()
}

/// `GET /workspace/campaigns/{id}/form`: the latest version in the form (read-only below
/// the editor role).
///
/// # Errors
/// 404 for an unknown campaign; 503 when storage fails.
pub async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let versions = state
        .store
        .versions(&id)
        .await
        .map_err(WorkspaceError::from)?;
    let latest = versions
        .last()
        .map(|v| v.source.clone())
        .unwrap_or_default();
    from_text(
        &state,
        &signed,
        &id,
        &latest,
        done.code(),
        PreviewChoice::default(),
    )
    .await
}

/// The TOML a post carries (`source`), with the CRLF line ends browsers post from a
/// textarea made plain again: versions keep the text as typed.
fn posted_source(posted: &HashMap<String, String>) -> Option<String> {
    posted.get("source").map(|s| s.replace("\r\n", "\n"))
}

/// `POST /workspace/campaigns/{id}/form/from-source`: the source view's switch to the form
/// (its Form button posts the source view's fields here): the posted source, unsaved, in
/// the form with the preview's controls as they were, or the source view again when the
/// text is not TOML the form can read.
///
/// # Errors
/// 404 for an unknown campaign; 503 when storage fails.
pub async fn from_source(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let posted: HashMap<String, String> = pairs.into_iter().collect();
    let source = posted_source(&posted).unwrap_or_default();
    let preview = PreviewChoice::from_posted(&posted);
    from_text(&state, &signed, &id, &source, None, preview).await
}

async fn from_text(
    state: &AppState,
    signed: &Signed,
    id: &str,
    source: &str,
    flash: Option<&str>,
    preview: PreviewChoice,
) -> Result<Response, PageError> {
    let Ok(doc) = source.parse::<DocumentMut>() else {
        return unreadable(state, signed, id, source, "", preview).await;
    };
    let r = Render {
        note: "",
        new_locale: "",
        diagnostics: &[],
        outcome: Outcome::None,
        focus: String::new(),
        preview,
    };
    let page = page(state, signed, id, &doc, flash, r).await?;
    Ok(html(StatusCode::OK, &page))
}

/// The source view with `source`'s problems, for a text the form cannot show (not TOML).
async fn unreadable(
    state: &AppState,
    signed: &Signed,
    id: &str,
    source: &str,
    note: &str,
    preview: PreviewChoice,
) -> Result<Response, PageError> {
    let diagnostics = documents::check_source(id, source)
        .err()
        .unwrap_or_default();
    let draft = Draft {
        source: Some(source.to_owned()),
        note: note.to_owned(),
        diagnostics: diagnostics.iter().map(Into::into).collect(),
        outcome: Outcome::Refused(
            "The source is not TOML the form can show: fix it here first.".to_owned(),
        ),
        preview,
    };
    editor::source_view(state, signed, id, StatusCode::UNPROCESSABLE_ENTITY, draft).await
}

/// What the form's submit buttons ask for (`action`), or a row edit (`edit`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ask {
    Check,
    SaveDraft,
    Publish,
    /// Switch to the source view, unsaved.
    Source,
    /// `add:<path>`: a new row.
    Add(String),
    /// `remove:<path>`: drop a row.
    Remove(String),
}

impl Ask {
    fn of(posted: &HashMap<String, String>) -> Option<Ask> {
        if let Some(edit) = posted.get("edit") {
            return match edit.split_once(':')? {
                ("add", path) => Some(Ask::Add(path.to_owned())),
                ("remove", path) => Some(Ask::Remove(path.to_owned())),
                _ => None,
            };
        }
        Some(match posted.get("action").map(String::as_str)? {
            // The preview controls' own button: the page again, its frame for them.
            "check" | "preview" => Ask::Check,
            "save_draft" => Ask::SaveDraft,
            "publish" => Ask::Publish,
            "source" => Ask::Source,
            _ => return None,
        })
    }
}

/// Write every posted control of the form drawn from `doc` onto it: the controls that could
/// not be written, as diagnostics on their paths.
fn write_fields(
    doc: &mut DocumentMut,
    posted: &HashMap<String, String>,
    id: &str,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for field in fields::groups(doc).iter().flat_map(|g| &g.fields) {
        if let Some(value) = posted.get(&field.path) {
            if let Err(e) = edit::write(doc, &field.path, field.kind, value) {
                problems.push(Diagnostic {
                    file: format!("{id}.toml"),
                    path: e.path,
                    line: None,
                    column: None,
                    message: e.message,
                    snippet: String::new(),
                });
            }
        }
    }
    problems
}

/// `POST /workspace/api/campaigns/{id}/form-preview`: the form as posted (urlencoded, the
/// same fields as the page's post, the preview's persona among them) made into TOML and into
/// a preview for that persona, as the form is typed: `{"ok": true, "url", "source"}`, or
/// `{"ok": false, "source"?}` when the result does not validate (the frame keeps the last
/// good one), or `{"ok": false, "persona": why}` when the persona is not JSON of one.
///
/// # Errors
/// 400 for a post without the form's `source`.
pub async fn preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<axum::Json<serde_json::Value>, WorkspaceError> {
    let posted: HashMap<String, String> = pairs.into_iter().collect();
    let base = posted_source(&posted)
        .ok_or_else(|| WorkspaceError::BadRequest("the form's source is missing".to_owned()))?;
    let persona = match PreviewChoice::from_posted(&posted).persona() {
        Ok(p) => p,
        Err(e) => {
            let why = format!("The persona is not valid JSON for a preview: {e}");
            return Ok(axum::Json(
                serde_json::json!({ "ok": false, "persona": why }),
            ));
        }
    };
    let Ok(mut doc) = base.parse::<DocumentMut>() else {
        return Ok(axum::Json(serde_json::json!({ "ok": false })));
    };
    let written = write_fields(&mut doc, &posted, &id);
    edit::prune(&mut doc, fields::OPTIONAL_SECTIONS);
    let source = doc.to_string();
    if !written.is_empty() {
        return Ok(axum::Json(
            serde_json::json!({ "ok": false, "source": source }),
        ));
    }
    Ok(axum::Json(
        match preview_page::make(&state, &id, &source, persona)? {
            Made::Token(t) => serde_json::json!({
                "ok": true,
                "url": format!("/workspace/campaigns/{id}/preview?token={}", t.as_str()),
                "source": source,
            }),
            Made::Invalid(_) => serde_json::json!({ "ok": false, "source": source }),
        },
    ))
}

/// `POST /workspace/campaigns/{id}/form`: write the posted fields onto the posted TOML, then
/// add or remove a row, switch to the source view, check, save a draft or publish.
///
/// # Errors
/// 404 for an unknown campaign; 503 when storage fails; 400 for a post without a known
/// action. Problems render the form again (422) with each message beside its field.
pub async fn submit(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let posted: HashMap<String, String> = pairs.into_iter().collect();
    let choice = PreviewChoice::from_posted(&posted);
    let ask = Ask::of(&posted).ok_or(WorkspaceError::BadRequest(
        "the form needs an action".to_owned(),
    ))?;
    let base = posted_source(&posted).unwrap_or_default();
    let note = posted.get("note").map_or("", String::as_str);
    let Ok(mut doc) = base.parse::<DocumentMut>() else {
        return unreadable(&state, &signed, &id, &base, note, choice).await;
    };
    let mut problems = write_fields(&mut doc, &posted, &id);
    let new_locale = posted.get("new_locale").map_or("", |s| s.trim());
    let mut focus = String::new();
    match &ask {
        Ask::Add(path) if path == "content" => {
            let locale = format!("content.{new_locale}");
            if edit::add(&mut doc, &locale) {
                focus = element_id(&format!("{locale}.title"));
            } else {
                problems.push(Diagnostic {
                    file: format!("{id}.toml"),
                    path: "content".into(),
                    line: None,
                    column: None,
                    message: if edit::plain_locale(new_locale) {
                        format!("the locale {new_locale} is there already")
                    } else {
                        "name the new locale: letters, digits, - and _ (such as fr or pt-BR)"
                            .to_owned()
                    },
                    snippet: String::new(),
                });
            }
        }
        Ask::Add(path) => focus = add_row(&mut doc, path),
        Ask::Remove(path) => {
            edit::remove(&mut doc, path);
        }
        _ => {}
    }
    edit::prune(&mut doc, fields::OPTIONAL_SECTIONS);
    let source = doc.to_string();
    // A locale added is in the form now; a refused one stays in its box to be corrected.
    let new_locale = if matches!(ask, Ask::Add(_)) && problems.is_empty() {
        ""
    } else {
        new_locale
    };
    let render_with = |diagnostics: Vec<Diagnostic>, outcome: Outcome, status: StatusCode| {
        let (state, signed, id, doc, focus) = (&state, &signed, &id, &doc, focus.clone());
        let preview = choice.clone();
        async move {
            let r = Render {
                note,
                new_locale,
                diagnostics: &diagnostics,
                outcome,
                focus,
                preview,
            };
            let page = page(state, signed, id, doc, None, r).await?;
            Ok::<Response, PageError>(html(status, &page))
        }
    };
    match ask {
        Ask::Add(_) | Ask::Remove(_) => {
            let status = if problems.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render_with(problems.clone(), Outcome::None, status).await
        }
        Ask::Source => {
            let found = documents::check_source(&id, &source)
                .err()
                .unwrap_or_default();
            let outcome = if found.is_empty() {
                Outcome::Clean
            } else {
                Outcome::Problems
            };
            let draft = Draft {
                source: Some(source),
                note: note.to_owned(),
                diagnostics: found.iter().map(Into::into).collect(),
                outcome,
                preview: choice.clone(),
            };
            editor::source_view(&state, &signed, &id, StatusCode::OK, draft).await
        }
        Ask::Check => {
            problems.extend(
                documents::check_source(&id, &source)
                    .err()
                    .unwrap_or_default(),
            );
            let outcome = if problems.is_empty() {
                Outcome::Clean
            } else {
                Outcome::Problems
            };
            render_with(problems.clone(), outcome, StatusCode::OK).await
        }
        Ask::SaveDraft | Ask::Publish => {
            if !problems.is_empty() {
                problems.extend(
                    documents::check_source(&id, &source)
                        .err()
                        .unwrap_or_default(),
                );
                return render_with(
                    problems.clone(),
                    Outcome::Problems,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            let publish = ask == Ask::Publish;
            match editor::store(&state, &signed, &id, &source, note, publish).await? {
                Stored::Done(done) => Ok(Redirect::to(&format!(
                    "/workspace/campaigns/{id}/form?done={done}"
                ))
                .into_response()),
                Stored::Invalid(d) => {
                    render_with(d, Outcome::Problems, StatusCode::UNPROCESSABLE_ENTITY).await
                }
                Stored::Refused(why) => {
                    render_with(Vec::new(), Outcome::Refused(why), StatusCode::CONFLICT).await
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_ids_are_plain_and_distinct_per_path() {
        assert_eq!(
            element_id("content.en.ctas[0].url"),
            "f-content-en-ctas-0-url"
        );
        assert_eq!(element_id("content.pt-BR.title"), "f-content-pt-BR-title");
        assert_eq!(element_id(""), "f");
        assert_ne!(element_id("leads[1].cta"), element_id("leads[11].cta"));
    }

    #[test]
    fn the_buttons_name_what_they_ask() {
        let of = |pairs: &[(&str, &str)]| {
            Ask::of(
                &pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        assert_eq!(of(&[("action", "publish")]), Some(Ask::Publish));
        assert_eq!(
            of(&[("action", "check"), ("edit", "remove:leads[0]")]),
            Some(Ask::Remove("leads[0]".into()))
        );
        assert_eq!(of(&[("edit", "grow:leads")]), None);
        assert_eq!(of(&[]), None);
    }
}
