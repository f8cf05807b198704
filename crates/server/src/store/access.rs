//! What the workspace's access control stores: users, API tokens, sessions, login attempts
//! and the audit log. A trait of its own (a supertrait of [`super::Store`]) so that access and
//! events evolve apart; both backends implement it with the same queries (`access_sql.rs`).
//! Secrets never reach this layer in clear: passwords arrive as argon2id PHC strings, tokens
//! and session keys as the hex SHA-256 of their value.
use super::StoreError;
use crate::role::Role;
use async_trait::async_trait;

/// A person who signs in to the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Database id.
    pub id: i64,
    /// Sign-in name, unique, stored lower-case.
    pub email: String,
    /// What they may do.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Unix millis.
    pub created_at: i64,
    /// A disabled user cannot sign in, and their sessions end.
    pub disabled: bool,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name (lower-cased by the caller).
    pub email: String,
    /// Role.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Unix millis.
    pub created_at: i64,
}

/// An API token for tools (`Authorization: Bearer ...`), known by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Database id.
    pub id: i64,
    /// Unique name, the actor in the audit log (`token:<name>`).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Hex SHA-256 of the token.
    pub token_sha256: String,
    /// Unix millis.
    pub created_at: i64,
    /// Unix millis of its last accepted use.
    pub last_used_at: Option<i64>,
    /// A revoked token is refused.
    pub revoked: bool,
}

/// A token to create.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Unique name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Hex SHA-256 of the token.
    pub token_sha256: String,
    /// Unix millis.
    pub created_at: i64,
}

/// A signed-in browser, known by the hash of its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Hex SHA-256 of the cookie's token.
    pub key_sha256: String,
    /// Whose session.
    pub user_id: i64,
    /// The per-session CSRF token forms and scripts send back.
    pub csrf_token: String,
    /// Unix millis; the absolute timeout counts from here.
    pub created_at: i64,
    /// Unix millis; the idle timeout counts from here.
    pub last_seen_at: i64,
}

/// One try at signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAttempt {
    /// The email typed (lower-cased), known user or not.
    pub email: String,
    /// The client address, when known.
    pub ip: Option<String>,
    /// Unix millis.
    pub at: i64,
    /// Whether it signed in.
    pub ok: bool,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Unix millis.
    pub at: i64,
    /// `user:<email>`, `token:<name>`, `admin-token` or `cli`.
    pub actor: String,
    /// What was done, `user.create`, `token.revoke`, ...
    pub action: String,
    /// What it was done to (an email, a token name, a campaign id).
    pub subject: String,
    /// Details as JSON text.
    pub detail: String,
}

/// Storage of the workspace's access control.
#[async_trait]
pub trait AccessStore: Send + Sync {
    /// Create a user.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the email is taken.
    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError>;
    /// The user with this email (lower-case), if any.
    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError>;
    /// The user with this id, if any.
    async fn user_by_id(&self, id: i64) -> Result<Option<User>, StoreError>;
    /// Every user, by email.
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;
    /// Replace a user's password hash; false when there is no such user.
    async fn set_password(&self, user_id: i64, password_hash: &str) -> Result<bool, StoreError>;
    /// Disable or enable a user; false when there is no such user.
    async fn set_disabled(&self, user_id: i64, disabled: bool) -> Result<bool, StoreError>;

    /// Create an API token.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the name is taken.
    async fn create_token(&self, token: &NewToken) -> Result<ApiToken, StoreError>;
    /// The token with this hash, revoked or not.
    async fn token_by_hash(&self, token_sha256: &str) -> Result<Option<ApiToken>, StoreError>;
    /// Every token, by name.
    async fn list_tokens(&self) -> Result<Vec<ApiToken>, StoreError>;
    /// Record a use of a token.
    async fn touch_token(&self, id: i64, at: i64) -> Result<(), StoreError>;
    /// Revoke a token; false when there is no such token or it was revoked already.
    async fn revoke_token(&self, id: i64) -> Result<bool, StoreError>;

    /// Store a new session.
    async fn create_session(&self, session: &Session) -> Result<(), StoreError>;
    /// The session with this key hash, if any.
    async fn session(&self, key_sha256: &str) -> Result<Option<Session>, StoreError>;
    /// Move a session's last-seen time.
    async fn touch_session(&self, key_sha256: &str, at: i64) -> Result<(), StoreError>;
    /// End one session.
    async fn delete_session(&self, key_sha256: &str) -> Result<(), StoreError>;
    /// End every session of a user (disabled, password reset); how many ended.
    async fn delete_user_sessions(&self, user_id: i64) -> Result<u64, StoreError>;

    /// Record a login attempt.
    async fn record_login_attempt(&self, attempt: &LoginAttempt) -> Result<(), StoreError>;
    /// The latest login attempts, newest first.
    async fn login_attempts(&self, limit: u32) -> Result<Vec<LoginAttempt>, StoreError>;

    /// Append to the audit log.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// The latest audit entries, newest first.
    async fn list_audit(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;
}
