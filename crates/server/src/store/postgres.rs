//! The scale path: PostgreSQL shared by several stateless collectors. The primary key on the
//! event id turns a retry that another collector receives into a duplicate, not a second row.
use super::sql::{
    push_filter, push_subject, row_to_campaign, row_to_event, row_to_version, sql_store,
    FIRST_EXPOSURES, SELECT_CAMPAIGNS, SELECT_EVENTS, SELECT_VERSIONS,
};
use super::{
    EventFilter, InsertOutcome, Store, StoreError, StoredEvent, Subject, CAMPAIGN_EVENT_TYPES,
};
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Duration;

/// Events in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connect to `url` and migrate the database.
    ///
    /// # Errors
    /// When the server cannot be reached or the migrations fail.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|source| StoreError::Open {
                url: url.to_owned(),
                source,
            })?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Connect to `url` and migrate inside one schema (created if missing), so that test runs
    /// and tenants can share a database without seeing each other's rows.
    ///
    /// # Errors
    /// When the server cannot be reached, the schema cannot be created or migrations fail.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            url: url.to_owned(),
            source,
        };
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(open_err)?;
        sqlx::query(&format!(
            "CREATE SCHEMA IF NOT EXISTS \"{}\"",
            schema.replace('"', "")
        ))
        .execute(&admin)
        .await
        .map_err(StoreError::query("creating a schema"))?;
        admin.close().await;
        let search_path = format!("SET search_path TO \"{}\"", schema.replace('"', ""));
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _| {
                let sql = search_path.clone();
                Box::pin(async move {
                    sqlx::Executor::execute(conn, sql.as_str()).await?;
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(open_err)?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }
}

sql_store!(PostgresStore, sqlx::Postgres);
super::access_sql::access_store!(PostgresStore, sqlx::Postgres);
