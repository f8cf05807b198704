//! The one list of every workspace and admin route with the least access it needs. The router
//! is built from this list (`super::router`), and the gate (`super::gate`) reads the same
//! list for every request under `/workspace` or `/v1/admin`: a route that is not here is
//! either not mounted or refused, so no route can be added without saying who may use it.
use crate::role::Role;

/// An HTTP method the workspace uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Reads.
    Get,
    /// Changes (CSRF-checked for sessions).
    Post,
}

impl Verb {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }

    /// The verb of an HTTP method, if the workspace uses it.
    pub fn of(method: &axum::http::Method) -> Option<Self> {
        match *method {
            axum::http::Method::GET | axum::http::Method::HEAD => Some(Self::Get),
            axum::http::Method::POST => Some(Self::Post),
            _ => None,
        }
    }
}

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the sign-in page and form, the stylesheet.
    Public,
    /// A workspace page: a session (or an API token) of at least this role; without one,
    /// `303` to the sign-in page.
    Page(Role),
    /// The workspace JSON API: an API token, or a session with its CSRF token for changes,
    /// of at least this role; without one, `401`.
    Api(Role),
    /// The operator's admin API (`/v1/admin/*`): the configured admin token or an API token
    /// of role admin; without one, `401 admin_unauthorized`.
    AdminApi,
}

impl Access {
    /// The least role, or `None` for a public route.
    pub fn role(self) -> Option<Role> {
        match self {
            Self::Public => None,
            Self::Page(r) | Self::Api(r) => Some(r),
            Self::AdminApi => Some(Role::Admin),
        }
    }
}

/// One route: method, axum path pattern, least access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// Method.
    pub verb: Verb,
    /// Path pattern as axum spells it (`/workspace/users/{id}/password`).
    pub path: &'static str,
    /// Who may use it.
    pub access: Access,
}

const fn r(verb: Verb, path: &'static str, access: Access) -> Route {
    Route { verb, path, access }
}

use Access::{AdminApi, Api, Page, Public};
use Role::{Admin, Editor, Viewer};
use Verb::{Get, Post};

/// Every route under `/workspace` and `/v1/admin`.
pub const ROUTES: &[Route] = &[
    r(Get, "/workspace", Public),
    r(Get, "/workspace/login", Public),
    r(Post, "/workspace/login", Public),
    r(Get, "/workspace/assets/workspace.css", Public),
    r(Get, "/workspace/assets/workspace.js", Public),
    r(Get, "/workspace/assets/preview.js", Public),
    r(Post, "/workspace/logout", Page(Viewer)),
    r(Get, "/workspace/", Page(Viewer)),
    r(Get, "/workspace/campaigns", Page(Viewer)),
    r(Post, "/workspace/campaigns", Page(Editor)),
    r(Get, "/workspace/campaigns/new", Page(Editor)),
    r(Get, "/workspace/campaigns/{id}", Page(Viewer)),
    r(Post, "/workspace/campaigns/{id}", Page(Editor)),
    r(Get, "/workspace/campaigns/{id}/form", Page(Viewer)),
    r(Post, "/workspace/campaigns/{id}/form", Page(Editor)),
    r(
        Post,
        "/workspace/campaigns/{id}/form/from-source",
        Page(Editor),
    ),
    r(Post, "/workspace/campaigns/{id}/state", Page(Editor)),
    r(Post, "/workspace/campaigns/{id}/rollback", Page(Editor)),
    r(Get, "/workspace/campaigns/{id}/duplicate", Page(Editor)),
    r(Post, "/workspace/campaigns/{id}/duplicate", Page(Editor)),
    r(Get, "/workspace/campaigns/{id}/versions/{n}", Page(Viewer)),
    r(Get, "/workspace/campaigns/{id}/preview", Page(Viewer)),
    r(Get, "/workspace/users", Page(Admin)),
    r(Post, "/workspace/users", Page(Admin)),
    r(Post, "/workspace/users/{id}/password", Page(Admin)),
    r(Post, "/workspace/users/{id}/disabled", Page(Admin)),
    r(Get, "/workspace/tokens", Page(Admin)),
    r(Post, "/workspace/tokens", Page(Admin)),
    r(Post, "/workspace/tokens/{id}/revoke", Page(Admin)),
    r(Get, "/workspace/audit", Page(Admin)),
    r(Get, "/workspace/api/me", Api(Viewer)),
    r(Get, "/workspace/api/users", Api(Admin)),
    r(Get, "/workspace/api/audit", Api(Admin)),
    r(Get, "/workspace/api/campaigns", Api(Viewer)),
    r(Get, "/workspace/api/campaigns/{id}", Api(Viewer)),
    r(
        Get,
        "/workspace/api/campaigns/{id}/versions/{n}",
        Api(Viewer),
    ),
    r(Post, "/workspace/api/campaigns/{id}/versions", Api(Editor)),
    r(Post, "/workspace/api/campaigns/{id}/rollback", Api(Editor)),
    r(Post, "/workspace/api/campaigns/{id}/state", Api(Editor)),
    r(Post, "/workspace/api/check", Api(Viewer)),
    r(Post, "/workspace/api/condition", Api(Viewer)),
    r(Post, "/workspace/api/campaigns/{id}/preview", Api(Viewer)),
    r(
        Post,
        "/workspace/api/campaigns/{id}/form-preview",
        Api(Viewer),
    ),
    r(Get, "/v1/admin/events", AdminApi),
    r(Get, "/v1/admin/stats", AdminApi),
    r(Get, "/v1/admin/conversions", AdminApi),
];

/// Whether a request path is one the registry governs.
pub fn governed(path: &str) -> bool {
    path == "/workspace" || path.starts_with("/workspace/") || path.starts_with("/v1/admin/")
}

/// The registered route for a method and matched path pattern.
pub fn find(verb: Verb, pattern: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.verb == verb && r.path == pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_governed_and_listed_once() {
        for (i, a) in ROUTES.iter().enumerate() {
            assert!(
                governed(a.path),
                "{} is outside the registry's prefixes",
                a.path
            );
            assert!(
                !ROUTES[..i]
                    .iter()
                    .any(|b| b.verb == a.verb && b.path == a.path),
                "{} {} is listed twice",
                a.verb.as_str(),
                a.path
            );
        }
        assert!(governed("/workspace/anything") && !governed("/workspaces"));
    }
}
