//! The embedded default: one SQLite file in WAL mode, each batch in one transaction.
use super::sql::{
    push_filter, push_subject, row_to_campaign, row_to_event, row_to_version, sql_store,
    FIRST_EXPOSURES, SELECT_CAMPAIGNS, SELECT_EVENTS, SELECT_VERSIONS,
};
use super::{
    EventFilter, InsertOutcome, Store, StoreError, StoredEvent, Subject, CAMPAIGN_EVENT_TYPES,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// Events in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Open (creating if missing) the SQLite database at `path` (or a `sqlite:` URL) and
    /// migrate it.
    ///
    /// # Errors
    /// When the file cannot be opened or the migrations fail.
    pub async fn open(path: &str) -> Result<Self, StoreError> {
        let url = if path.starts_with("sqlite:") {
            path.to_owned()
        } else {
            format!("sqlite://{path}")
        };
        let open_err = |source| StoreError::Open {
            url: url.clone(),
            source,
        };
        let options = SqliteConnectOptions::from_str(&url)
            .map_err(open_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(open_err)?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }
}

sql_store!(SqliteStore, sqlx::Sqlite);
super::access_sql::access_store!(SqliteStore, sqlx::Sqlite);
