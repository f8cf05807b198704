//! Storage of engagement events and campaign documents behind one trait, so that the collector runs on the embedded
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

pub use crate::campaign_state::{CampaignState, TransitionError};

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

/// A campaign as stored: its state and which of its versions is live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CampaignRecord {
    /// The campaign id (its slug).
    pub id: String,
    /// What people decided.
    pub state: CampaignState,
    /// The version in the catalog while published (kept while paused); none for a draft.
    pub live_version: Option<i64>,
    /// The newest version.
    pub latest_version: i64,
    /// Unix millis of the first version.
    pub created_at: i64,
    /// Unix millis of the last change.
    pub updated_at: i64,
}

/// One immutable version of a campaign's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CampaignVersion {
    /// The campaign.
    pub campaign_id: String,
    /// 1, 2, ...
    pub version: i64,
    /// The full TOML source, exactly as given.
    pub source: String,
    /// Hex SHA-256 of `source`.
    pub sha256: String,
    /// Who published it.
    pub author: String,
    /// Unix millis.
    pub created_at: i64,
    /// Why (`rollback to v2`, a commit message, ...).
    pub note: String,
}

/// A version to add. Build it with [`NewVersion::new`], which hashes the source.
#[derive(Debug, Clone)]
pub struct NewVersion {
    campaign_id: String,
    source: String,
    sha256: String,
    author: String,
    note: String,
    created_at: i64,
    publish: bool,
}

impl NewVersion {
    /// A version of `campaign_id` holding `source`; `publish` makes it the live version
    /// (otherwise it is saved only: a draft, or an edit of a published campaign not yet
    /// released).
    pub fn new(
        campaign_id: &str,
        source: &str,
        author: &str,
        note: &str,
        created_at: i64,
        publish: bool,
    ) -> Self {
        use sha2::Digest as _;
        Self {
            campaign_id: campaign_id.to_owned(),
            source: source.to_owned(),
            sha256: hex::encode(sha2::Sha256::digest(source.as_bytes())),
            author: author.to_owned(),
            note: note.to_owned(),
            created_at,
            publish,
        }
    }

    /// Hex SHA-256 of the source.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// What adding a version did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum PublishOutcome {
    /// The source equals the latest version's (and, when publishing, it already is the live
    /// one), or a publish equals the live version: nothing changed.
    Unchanged {
        /// The latest version.
        version: i64,
        /// The campaign's state.
        state: CampaignState,
    },
    /// A new version was stored (or the latest, unchanged, was made live).
    Created {
        /// Its number.
        version: i64,
        /// The campaign's state after it.
        state: CampaignState,
    },
}

/// Why a change to a campaign was refused (not a storage failure).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No campaign has this id.
    #[error("no campaign `{0}`")]
    UnknownCampaign(String),
    /// The lifecycle does not allow it.
    #[error(transparent)]
    Transition(#[from] TransitionError),
}

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
    /// A stored value is not one this version can read.
    #[error("the database holds {what}, which this version cannot read")]
    Corrupt {
        /// What was found.
        what: String,
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

    /// Every campaign, by id.
    async fn campaigns(&self) -> Result<Vec<CampaignRecord>, StoreError>;

    /// One campaign, when it exists.
    async fn campaign(&self, id: &str) -> Result<Option<CampaignRecord>, StoreError>;

    /// A campaign's versions, oldest first (empty for an unknown campaign).
    async fn versions(&self, campaign_id: &str) -> Result<Vec<CampaignVersion>, StoreError>;

    /// One version.
    async fn version(
        &self,
        campaign_id: &str,
        version: i64,
    ) -> Result<Option<CampaignVersion>, StoreError>;

    /// Add a version, in one transaction that also creates the campaign (as a draft) when it
    /// is new, moves its state ([`CampaignState::publish`]) and bumps the catalog revision.
    /// A source equal (by hash) to the latest version's adds nothing (publishing it makes it
    /// live if it was not), and publishing the live version's source under a newer draft
    /// adds nothing either. Concurrent publishers
    /// of one campaign are serialised on its row, so the same source sent twice at once still
    /// makes one version.
    async fn add_version(
        &self,
        new: &NewVersion,
    ) -> Result<Result<PublishOutcome, TransitionError>, StoreError>;

    /// Move a campaign to `to` ([`CampaignState::change_to`]) at `now` (unix millis), bumping
    /// the catalog revision. Draft → published makes the latest version live.
    async fn set_campaign_state(
        &self,
        id: &str,
        to: CampaignState,
        now: i64,
    ) -> Result<Result<CampaignRecord, Refusal>, StoreError>;

    /// `(id, source)` of the live version of every published campaign, by id: what the
    /// widget's catalog is built from.
    async fn catalog_sources(&self) -> Result<Vec<(String, String)>, StoreError>;

    /// A number that changes whenever a campaign does (cheap enough to poll every second).
    async fn catalog_revision(&self) -> Result<i64, StoreError>;

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
