//! Who is calling: the [`Signed`] extractor that workspace handlers take, put into the request
//! by the gate once it has checked the credential, and [`Signed::require`] for checks finer
//! than a route's least role.
use super::error::WorkspaceError;
use crate::role::Role;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::fmt;

/// Who did it, as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A person signed in with a session.
    User {
        /// Their id.
        id: i64,
        /// Their email.
        email: String,
    },
    /// A tool with an API token.
    Token {
        /// The token's id.
        id: i64,
        /// The token's name.
        name: String,
    },
    /// The operator's configured admin token.
    AdminToken,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User { email, .. } => write!(f, "user:{email}"),
            Self::Token { name, .. } => write!(f, "token:{name}"),
            Self::AdminToken => f.write_str("admin-token"),
        }
    }
}

/// The session behind a signed-in request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedSession {
    /// Hex SHA-256 of the cookie, the session's key.
    pub key_sha256: String,
    /// The CSRF token its forms carry.
    pub csrf_token: String,
}

/// A caller whose credential the gate accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// Who.
    pub actor: Actor,
    /// Their role.
    pub role: Role,
    /// The session, when signed in with a cookie (not with a token).
    pub session: Option<SignedSession>,
}

impl Signed {
    /// Refuse unless the caller's role is at least `need`.
    ///
    /// # Errors
    /// [`WorkspaceError::Forbidden`].
    pub fn require(&self, need: Role) -> Result<(), WorkspaceError> {
        require(self.role, need)
    }

    /// The CSRF token for forms ("" for token callers, who need none).
    pub fn csrf(&self) -> &str {
        self.session.as_ref().map_or("", |s| s.csrf_token.as_str())
    }

    /// The signed-in email, for users.
    pub fn email(&self) -> Option<&str> {
        match &self.actor {
            Actor::User { email, .. } => Some(email),
            _ => None,
        }
    }
}

/// Refuse unless `have` is at least `need`.
///
/// # Errors
/// [`WorkspaceError::Forbidden`].
pub fn require(have: Role, need: Role) -> Result<(), WorkspaceError> {
    if have >= need {
        Ok(())
    } else {
        Err(WorkspaceError::Forbidden { need, have })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = WorkspaceError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Only the gate inserts it; a handler on a public route asking for it gets a 401.
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or(WorkspaceError::Unauthenticated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn require_compares_roles_and_actors_name_themselves() {
        assert!(require(Role::Admin, Role::Editor).is_ok());
        assert_eq!(
            require(Role::Viewer, Role::Editor).unwrap_err().to_string(),
            "this needs the editor role; you are signed in as viewer"
        );
        let u = Actor::User {
            id: 1,
            email: "ada@example.com".into(),
        };
        assert_eq!(u.to_string(), "user:ada@example.com");
        assert_eq!(
            Actor::Token {
                id: 2,
                name: "ci".into()
            }
            .to_string(),
            "token:ci"
        );
    }
}
