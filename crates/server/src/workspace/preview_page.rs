//! The editor's live preview: `POST /workspace/api/campaigns/{id}/preview` validates the
//! unsaved source and keeps it as a preview ([`crate::preview`]), and
//! `GET /workspace/campaigns/{id}/preview?token=…&locale=…&theme=…` is the host page the
//! editor frames: it loads the real widget (`/touchpoint.js`, the collector's own `dist/`
//! files) with the preview's key and identifies the preview's persona. The page's script
//! (`assets/preview.js`, no inline script) reads what it needs from its own tag's `data-`
//! attributes.
use super::error::{PageError, WorkspaceError};
use super::pages::render;
use crate::documents;
use crate::preview::{Persona, Token};
use crate::state::AppState;
use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use touchpoint_authoring::diagnostic::Diagnostic;

/// The body of a preview request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewBody {
    source: String,
    /// Who to show it to [default: [`Persona::default`]].
    #[serde(default)]
    persona: Option<Persona>,
}

/// The outcome of a preview request: a token, or the diagnostics that stopped it.
pub enum Made {
    /// The preview exists under this token.
    Token(Token),
    /// The source does not validate (or is another campaign's): no catalog.
    Invalid(Vec<Diagnostic>),
}

/// Validate `source` as campaign `id` and keep it as a preview for `persona`.
///
/// # Errors
/// Never for a source; a forced trigger that fails the core's checks would be a bug, and is
/// reported as a bad request.
pub fn make(
    state: &AppState,
    id: &str,
    source: &str,
    persona: Persona,
) -> Result<Made, WorkspaceError> {
    let campaign = match documents::check_source(id, source) {
        Ok(c) => c,
        Err(d) => return Ok(Made::Invalid(d)),
    };
    if campaign.id != id {
        return Ok(Made::Invalid(vec![Diagnostic {
            file: format!("{id}.toml"),
            path: "id".into(),
            line: None,
            column: None,
            message: format!("the source defines campaign `{}`, not `{id}`", campaign.id),
            snippet: String::new(),
        }]));
    }
    let policy = state.catalog().policy.clone();
    state
        .previews
        .insert(campaign, persona, policy, state.now_millis())
        .map(Made::Token)
        .map_err(|e| WorkspaceError::BadRequest(format!("cannot preview: {e}")))
}

/// `POST /workspace/api/campaigns/{id}/preview`: `{"source", "persona"?}` →
/// `{"ok": true, "token", "url"}` or `{"ok": false, "diagnostics"}` (always 200 for a
/// source, like the check).
///
/// # Errors
/// 400 for a body that is not `{source, persona?}`.
pub async fn api(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<PreviewBody>, JsonRejection>,
) -> Result<Json<Value>, WorkspaceError> {
    let Json(body) = body.map_err(|e| WorkspaceError::BadRequest(e.body_text()))?;
    let persona = body.persona.unwrap_or_default();
    Ok(Json(match make(&state, &id, &body.source, persona)? {
        Made::Token(t) => json!({
            "ok": true,
            "token": t.as_str(),
            "url": format!("/workspace/campaigns/{id}/preview?token={}", t.as_str()),
        }),
        Made::Invalid(d) => json!({ "ok": false, "diagnostics": d }),
    }))
}

/// Light or dark, as the preview's frame is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Light.
    #[default]
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    /// The CSS `color-scheme` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }
}

/// `?token=&locale=&theme=` of the preview page.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    token: Option<String>,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    theme: Theme,
}

#[derive(Template)]
#[template(path = "workspace/preview.html")]
struct PreviewPage {
    id: String,
    /// The widget's key, empty when there is no (live) preview.
    key: String,
    persona: String,
    locale: String,
    theme: Theme,
}

/// A locale tag fit for `lang` (letters, digits, `-`, `_`; at most 35), or empty.
fn clean_locale(s: &str) -> String {
    let ok = s.len() <= 35
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        s.to_owned()
    } else {
        String::new()
    }
}

/// `GET /workspace/campaigns/{id}/preview`: the host page the editor frames.
///
/// # Errors
/// Never beyond the gate's: an unknown or expired token shows a page that says so.
pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let preview = q
        .token
        .as_deref()
        .and_then(Token::parse)
        .and_then(|t| state.previews.get(&t, state.now_millis()).map(|p| (t, p)))
        .filter(|(_, p)| p.campaign_id == id);
    let locale = clean_locale(&q.locale);
    let (key, persona) = match preview {
        Some((t, p)) => {
            let mut persona = p.persona;
            if !locale.is_empty() {
                persona
                    .traits
                    .insert("locale".into(), Value::String(locale.clone()));
            }
            let json = serde_json::to_string(&persona)
                .map_err(|e| WorkspaceError::BadRequest(e.to_string()))?;
            (t.key(), json)
        }
        None => (String::new(), String::new()),
    };
    let page = PreviewPage {
        id,
        key,
        persona,
        locale: if locale.is_empty() {
            "en".into()
        } else {
            locale
        },
        theme: q.theme,
    };
    Ok(Html(render(&page)).into_response())
}

/// `GET /workspace/assets/preview.js`.
pub async fn script() -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../assets/preview.js"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_locale_tags_reach_the_page() {
        assert_eq!(clean_locale("fr-CA"), "fr-CA");
        assert_eq!(clean_locale("en\" onload=\"x"), "");
    }
}
