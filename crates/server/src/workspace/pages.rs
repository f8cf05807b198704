//! The workspace's server-rendered pages (askama templates in `templates/workspace/`, checked
//! at compile time), the navigation shell they share, the error and sign-in pages, and the embedded
//! stylesheet and script. Later issues add their pages beside these and link them from the
//! shell.
use super::signed::Signed;
use crate::role::Role;
use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// What every signed-in page shows around its content: navigation, who is signed in, the
/// sign-out form, a flash message.
#[derive(Debug, Clone)]
pub struct Shell {
    /// The signed-in email (or the token's name).
    pub who: String,
    /// Their role.
    pub role: Role,
    /// The CSRF token for the page's forms.
    pub csrf: String,
    /// Whether to show the admin pages.
    pub is_admin: bool,
    /// Which navigation entry is the current page.
    pub current: &'static str,
    /// A one-line confirmation of what was just done.
    pub flash: String,
}

impl Shell {
    /// The shell for `signed` on the page `current`.
    pub fn new(signed: &Signed, current: &'static str, flash: Option<&str>) -> Self {
        Self {
            who: signed
                .email()
                .map_or_else(|| signed.actor.to_string(), str::to_owned),
            role: signed.role,
            csrf: signed.csrf().to_owned(),
            is_admin: signed.role >= Role::Admin,
            current,
            flash: flash.map(flash_text).unwrap_or_default().to_owned(),
        }
    }
}

/// The fixed flash messages, by the `?done=` code a redirect after a form carries (so no
/// text from the URL is ever shown).
fn flash_text(code: &str) -> &'static str {
    match code {
        "user_created" => "User added.",
        "password_reset" => "Password reset; their sessions ended.",
        "user_disabled" => "User disabled; their sessions ended.",
        "user_enabled" => "User enabled.",
        "token_revoked" => "Token revoked.",
        "campaign_created" => "Campaign created as a draft.",
        "campaign_duplicated" => "Campaign duplicated as a new draft; the original is unchanged.",
        "draft_saved" => "Draft saved as a new version; the live version is unchanged.",
        "published" => "Published: the catalog serves this version now.",
        "unchanged" => "Nothing changed: the source is the same as the latest version.",
        "paused" => "Campaign paused: it left the catalog.",
        "resumed" => "Campaign resumed: its live version is back in the catalog.",
        "archived" => "Campaign archived.",
        "restored" => "Campaign restored, paused.",
        "rolled_back" => "Rolled back: the older source is published as a new version.",
        _ => "",
    }
}

/// `?done=` of a page after a form.
#[derive(Debug, serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

impl Done {
    /// The code, if any.
    pub fn code(&self) -> Option<&str> {
        self.done.as_deref()
    }
}

/// Render a template, or a plain message if rendering fails (it does not with these
/// templates: every field is a plain value).
pub fn render<T: Template>(t: &T) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "rendering a workspace page");
        "The page could not be rendered.".to_owned()
    })
}

/// The error page.
#[derive(Template)]
#[template(path = "workspace/error.html")]
pub struct ErrorPage {
    /// HTTP status.
    pub status: u16,
    /// What went wrong.
    pub message: String,
}

/// The sign-in page.
#[derive(Template)]
#[template(path = "workspace/login.html")]
pub struct LoginPage {
    /// The email typed before, kept in the field.
    pub email: String,
    /// Why the last try failed, shown beside the fields.
    pub error: String,
}

/// `GET /workspace`: the home, with the slash its relative links need.
pub async fn slash() -> Response {
    axum::response::Redirect::permanent("/workspace/").into_response()
}

/// `GET /workspace/assets/workspace.css`.
pub async fn stylesheet() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../../assets/workspace.css"),
    )
}

/// `GET /workspace/assets/workspace.js`.
pub async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../assets/workspace.js"),
    )
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}
