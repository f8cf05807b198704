//! Storage of engagement events behind one trait, so that the collector runs on the embedded
//! SQLite file by default and on PostgreSQL when several collectors share a database. Both
//! implementations pass the same test suite (`tests/store.rs`).
mod access;
pub(crate) mod access_sql;
mod postgres;
mod sql;
mod sqlite;

pub use access::{
    AccessStore, ApiToken, AuditEntry, LoginAttempt, NewToken, NewUser, Session, User,
};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

use async_trait::async_trait;
use serde::Serialize;
use thiserror::Error;

/// An event ready to store: validated, with the server's receive time.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Client-generated UUIDv7; the deduplication key.
    pub id: String,
    /// Publishable key of the environment it came through.
    pub env_key: String,
    /// Event type in its wire spelling (`cta`, `impression`, ...).
    pub kind: String,
    /// Client timestamp, unix millis.
    pub ts_client: i64,
    /// Server receive time, unix millis.
    pub ts_server: i64,
    /// The identified user, if any.
    pub user_id: Option<String>,
    /// The device-level anonymous id, if any.
    pub anonymous_id: Option<String>,
    /// The user's account, if any.
    pub account_id: Option<String>,
    /// The campaign it concerns, if any.
    pub campaign_id: Option<String>,
    /// The `track` event's name or the `page` event's path, if any.
    pub name: Option<String>,
    /// The whole event as JSON, as received.
    pub body: String,
}

/// What storing one event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InsertOutcome {
    /// Newly stored.
    Accepted,
    /// An event with this id was stored before; nothing changed.
    Duplicate,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only events about this campaign.
    pub campaign_id: Option<String>,
    /// Only events of this type.
    pub kind: Option<String>,
    /// Only events of this user.
    pub user_id: Option<String>,
    /// Only events of this account.
    pub account_id: Option<String>,
    /// At most this many, newest first.
    pub limit: Option<u32>,
}

/// Whose history to read.
#[derive(Debug, Clone, Default)]
pub struct Subject {
    /// The environment (publishable key) whose events count.
    pub env_key: String,
    /// The identified user.
    pub user_id: Option<String>,
    /// The device's anonymous id.
    pub anonymous_id: Option<String>,
    /// The account.
    pub account_id: Option<String>,
}

/// Event types that are engagements with a campaign, and so part of a history. A
/// `conversion` a client sent is stored as sent but never read back: conversions are
/// attributed on the server from the goal events ([`touchpoint_core::attribution`]).
pub const CAMPAIGN_EVENT_TYPES: &[&str] = &[
    "impression",
    "click",
    "cta",
    "dismiss",
    "snooze",
    "survey_response",
];

/// A storage failure, with the operation that failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database could not be opened or migrated.
    #[error("cannot open the database at {url}: {source}")]
    Open {
        /// The URL or path given.
        url: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// Migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A row would break a uniqueness rule (an email or a token name taken).
    #[error("{what} already exists")]
    Conflict {
        /// What exists already.
        what: &'static str,
    },
    /// A query failed.
    #[error("database query failed while {doing}: {source}")]
    Query {
        /// What the store was doing.
        doing: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
}

impl StoreError {
    pub(crate) fn query(doing: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| Self::Query { doing, source }
    }
}

/// Durable storage of engagement events (and, through [`AccessStore`], of the workspace's
/// users, tokens, sessions and audit log).
#[async_trait]
pub trait Store: AccessStore + Send + Sync + 'static {
    /// Store a batch in one transaction; an id seen before is reported as a duplicate and left
    /// as it was. Outcomes are in the order of `events`.
    async fn insert_events(&self, events: &[StoredEvent])
        -> Result<Vec<InsertOutcome>, StoreError>;

    /// List stored events, newest first.
    async fn list_events(&self, filter: &EventFilter) -> Result<Vec<StoredEvent>, StoreError>;

    /// Count stored events matching the filter (its `limit` is ignored).
    async fn count_events(&self, filter: &EventFilter) -> Result<u64, StoreError>;

    /// The campaign engagements (not identify/page/track) a decision needs for one subject:
    /// those of the user (by user id or anonymous id) and those of the account, at or after
    /// `since` (unix millis), newest first, at most `limit`.
    async fn history(
        &self,
        subject: &Subject,
        since: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// The user's first exposure to each campaign: per campaign, the earliest impression
    /// of the subject's user (by user id or anonymous id; not the account's), however old
    /// and however many events came after it. It carries the arm (`holdout`) and variant
    /// the user was assigned, which stay theirs: a history that lost it to its window or
    /// its limit would let the widget assign them again.
    async fn first_exposures(&self, subject: &Subject) -> Result<Vec<StoredEvent>, StoreError>;

    /// What attributing one campaign's conversions reads, in one environment: the
    /// campaign's impressions and CTAs, the `track` events named `goal_event` (anybody's:
    /// the vendor's backend may track them), and the `identify` events of devices that saw
    /// the campaign before their user was known (they link the device to the user).
    async fn attribution_events(
        &self,
        env_key: &str,
        campaign_id: &str,
        goal_event: Option<&str>,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// The subject's `track` events (by user id, anonymous id or account) named one of
    /// `names`, at or after `since` (unix millis) — the goal events of its history's
    /// conversions — and the `identify` events of the subject's user, however old, which
    /// link the devices they used before signing in to them.
    async fn goal_events(
        &self,
        subject: &Subject,
        names: &[String],
        since: i64,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// Whether the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Open the store a URL names: `postgres://...` for PostgreSQL, anything else is a SQLite
/// file path (or `sqlite:` URL). Runs migrations.
///
/// # Errors
/// When the database cannot be opened or migrated.
pub async fn open(url: &str) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(PostgresStore::connect(url).await?))
    } else {
        Ok(std::sync::Arc::new(SqliteStore::open(url).await?))
    }
}
