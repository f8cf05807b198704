//! The CS workspace served by `touchpoint serve` under `/workspace/`: sign-in, sessions,
//! roles, CSRF, the admin pages, and the shell later issues (campaigns, analytics,
//! simulation, leads) add their pages to. Every route is listed once in [`routes::ROUTES`]
//! with its least access; [`router`] mounts exactly that list and [`gate::gate`] enforces it.
pub mod admin;
pub mod api;
pub mod audit;
pub mod campaigns;
pub mod campaigns_api;
pub mod condition;
pub mod diff;
pub mod duplicate;
pub mod editor;
pub mod error;
pub mod form;
pub mod gate;
pub mod limits;
pub mod list_filter;
pub mod login;
pub mod pages;
pub mod preview_page;
pub mod routes;
pub mod secret;
pub mod session;
pub mod signed;
pub mod starters;
pub mod summary;

pub use error::{PageError, WorkspaceError};
pub use signed::{require, Actor, Signed};

use crate::state::AppState;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use routes::{Route, Verb, ROUTES};

/// The handler of a registered route. A handler not listed in [`ROUTES`] is never mounted.
fn handler(route: &Route) -> MethodRouter<AppState> {
    use crate::routes::admin as ops;
    use campaigns_api as docs;
    match (route.verb, route.path) {
        (Verb::Get, "/workspace") => get(pages::slash),
        (Verb::Get, "/workspace/login") => get(login::page),
        (Verb::Post, "/workspace/login") => post(login::submit),
        (Verb::Get, "/workspace/assets/workspace.css") => get(pages::stylesheet),
        (Verb::Get, "/workspace/assets/workspace.js") => get(pages::script),
        (Verb::Get, "/workspace/assets/preview.js") => get(preview_page::script),
        (Verb::Post, "/workspace/logout") => post(login::logout),
        (Verb::Get, "/workspace/") => get(campaigns::list),
        (Verb::Get, "/workspace/campaigns") => get(campaigns::list),
        (Verb::Post, "/workspace/campaigns") => post(campaigns::create),
        (Verb::Get, "/workspace/campaigns/new") => get(campaigns::new),
        (Verb::Get, "/workspace/campaigns/{id}") => get(editor::show),
        (Verb::Post, "/workspace/campaigns/{id}") => post(editor::submit),
        (Verb::Get, "/workspace/campaigns/{id}/form") => get(form::show),
        (Verb::Post, "/workspace/campaigns/{id}/form") => post(form::submit),
        (Verb::Post, "/workspace/campaigns/{id}/form/from-source") => post(form::from_source),
        (Verb::Post, "/workspace/campaigns/{id}/state") => post(editor::set_state),
        (Verb::Post, "/workspace/campaigns/{id}/rollback") => post(editor::rollback),
        (Verb::Get, "/workspace/campaigns/{id}/duplicate") => get(duplicate::ask),
        (Verb::Post, "/workspace/campaigns/{id}/duplicate") => post(duplicate::create),
        (Verb::Get, "/workspace/campaigns/{id}/versions/{n}") => get(editor::version),
        (Verb::Get, "/workspace/campaigns/{id}/preview") => get(preview_page::page),
        (Verb::Get, "/workspace/users") => get(admin::users),
        (Verb::Post, "/workspace/users") => post(admin::create_user),
        (Verb::Post, "/workspace/users/{id}/password") => post(admin::reset_password),
        (Verb::Post, "/workspace/users/{id}/disabled") => post(admin::set_disabled),
        (Verb::Get, "/workspace/tokens") => get(admin::tokens),
        (Verb::Post, "/workspace/tokens") => post(admin::create_token),
        (Verb::Post, "/workspace/tokens/{id}/revoke") => post(admin::revoke_token),
        (Verb::Get, "/workspace/audit") => get(admin::audit_log),
        (Verb::Get, "/workspace/api/me") => get(api::me),
        (Verb::Get, "/workspace/api/users") => get(api::users),
        (Verb::Get, "/workspace/api/audit") => get(api::audit),
        (Verb::Get, "/workspace/api/campaigns") => get(docs::list),
        (Verb::Get, "/workspace/api/campaigns/{id}") => get(docs::show),
        (Verb::Get, "/workspace/api/campaigns/{id}/versions/{n}") => get(docs::version),
        (Verb::Post, "/workspace/api/campaigns/{id}/versions") => post(docs::publish),
        (Verb::Post, "/workspace/api/campaigns/{id}/rollback") => post(docs::rollback),
        (Verb::Post, "/workspace/api/campaigns/{id}/state") => post(docs::set_state),
        (Verb::Post, "/workspace/api/check") => post(docs::check),
        (Verb::Post, "/workspace/api/condition") => post(condition::check),
        (Verb::Post, "/workspace/api/campaigns/{id}/preview") => post(preview_page::api),
        (Verb::Post, "/workspace/api/campaigns/{id}/form-preview") => post(form::preview),
        (Verb::Get, "/v1/admin/events") => get(ops::events),
        (Verb::Get, "/v1/admin/stats") => get(ops::stats),
        (Verb::Get, "/v1/admin/conversions") => get(ops::conversions),
        (verb, path) => panic!(
            "{} {path} is in workspace::routes::ROUTES but has no handler in workspace::handler",
            verb.as_str()
        ),
    }
}

/// Every route of [`ROUTES`], mounted. The caller layers [`gate::gate`] over the router they
/// are merged into.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for route in ROUTES {
        router = router.route(route.path, handler(route));
    }
    router
}
