//! The queries both SQL backends share. SQLite and PostgreSQL accept the same statements here;
//! only the placeholder syntax differs, and `QueryBuilder` writes that for each backend. A
//! macro stamps the one `Store` implementation onto each backend's pool type.

/// Implements [`super::Store`] for a struct with a `pool: sqlx::Pool<$db>` field.
macro_rules! sql_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl Store for $store {
            async fn insert_events(&self, events: &[StoredEvent]) -> Result<Vec<InsertOutcome>, StoreError> {
                let mut tx = self.pool.begin().await.map_err(StoreError::query("starting a batch"))?;
                let mut outcomes = Vec::with_capacity(events.len());
                for e in events {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO events (id, env_key, type, ts_client, ts_server, user_id, anonymous_id, account_id, campaign_id, name, body) ",
                    );
                    q.push_values(std::iter::once(e), |mut row, e| {
                        row.push_bind(e.id.clone())
                            .push_bind(e.env_key.clone())
                            .push_bind(e.kind.clone())
                            .push_bind(e.ts_client)
                            .push_bind(e.ts_server)
                            .push_bind(e.user_id.clone())
                            .push_bind(e.anonymous_id.clone())
                            .push_bind(e.account_id.clone())
                            .push_bind(e.campaign_id.clone())
                            .push_bind(e.name.clone())
                            .push_bind(e.body.clone());
                    });
                    q.push(" ON CONFLICT (id) DO NOTHING");
                    let done = q
                        .build()
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::query("inserting an event"))?;
                    outcomes.push(if done.rows_affected() == 1 {
                        InsertOutcome::Accepted
                    } else {
                        InsertOutcome::Duplicate
                    });
                }
                tx.commit().await.map_err(StoreError::query("committing a batch"))?;
                Ok(outcomes)
            }

            async fn list_events(&self, filter: &EventFilter) -> Result<Vec<StoredEvent>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new(SELECT_EVENTS);
                push_filter!(q, filter);
                q.push(" ORDER BY ts_server DESC, id DESC LIMIT ")
                    .push_bind(i64::from(filter.limit.unwrap_or(1000)));
                let rows = q.build().fetch_all(&self.pool).await.map_err(StoreError::query("listing events"))?;
                Ok(rows.iter().map(row_to_event!()).collect())
            }

            async fn history(&self, subject: &Subject, since: i64, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new(SELECT_EVENTS);
                q.push(" AND type IN (");
                let mut types = q.separated(", ");
                for t in CAMPAIGN_EVENT_TYPES {
                    types.push_bind(*t);
                }
                q.push(") AND env_key = ").push_bind(subject.env_key.clone());
                q.push(" AND ts_client >= ").push_bind(since).push(" AND (1 = 0");
                if let Some(u) = &subject.user_id {
                    q.push(" OR user_id = ").push_bind(u.clone());
                }
                if let Some(a) = &subject.anonymous_id {
                    q.push(" OR anonymous_id = ").push_bind(a.clone());
                }
                if let Some(a) = &subject.account_id {
                    q.push(" OR account_id = ").push_bind(a.clone());
                }
                q.push(") ORDER BY ts_client DESC, id DESC LIMIT ").push_bind(i64::from(limit));
                let rows = q.build().fetch_all(&self.pool).await.map_err(StoreError::query("reading a history"))?;
                Ok(rows.iter().map(row_to_event!()).collect())
            }

            async fn first_exposures(&self, subject: &Subject) -> Result<Vec<StoredEvent>, StoreError> {
                if subject.user_id.is_none() && subject.anonymous_id.is_none() {
                    return Ok(Vec::new());
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(FIRST_EXPOSURES);
                q.push_bind(subject.env_key.clone()).push(" AND (1 = 0");
                if let Some(u) = &subject.user_id {
                    q.push(" OR user_id = ").push_bind(u.clone());
                }
                if let Some(a) = &subject.anonymous_id {
                    q.push(" OR anonymous_id = ").push_bind(a.clone());
                }
                q.push(")) AS firsts WHERE nth = 1");
                let rows = q.build().fetch_all(&self.pool).await.map_err(StoreError::query("reading first exposures"))?;
                Ok(rows.iter().map(row_to_event!()).collect())
            }

            async fn attribution_events(&self, env_key: &str, campaign_id: &str, goal_event: Option<&str>) -> Result<Vec<StoredEvent>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new(SELECT_EVENTS);
                q.push(" AND env_key = ").push_bind(env_key.to_owned());
                q.push(" AND ((campaign_id = ").push_bind(campaign_id.to_owned());
                q.push(" AND type IN ('impression', 'cta'))");
                if let Some(name) = goal_event {
                    q.push(" OR (type = 'track' AND name = ").push_bind(name.to_owned()).push(")");
                }
                q.push(" OR (type = 'identify' AND user_id IS NOT NULL AND anonymous_id IN \
                        (SELECT anonymous_id FROM events WHERE type = 'impression' AND user_id IS NULL AND campaign_id = ")
                    .push_bind(campaign_id.to_owned())
                    .push(" AND env_key = ")
                    .push_bind(env_key.to_owned())
                    .push(")))");
                let rows = q.build().fetch_all(&self.pool).await.map_err(StoreError::query("reading a campaign's attribution events"))?;
                Ok(rows.iter().map(row_to_event!()).collect())
            }

            async fn goal_events(&self, subject: &Subject, names: &[String], since: i64) -> Result<Vec<StoredEvent>, StoreError> {
                if names.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q = sqlx::QueryBuilder::<$db>::new(SELECT_EVENTS);
                q.push(" AND env_key = ").push_bind(subject.env_key.clone());
                q.push(" AND ((type = 'track' AND name IN (");
                let mut each = q.separated(", ");
                for n in names {
                    each.push_bind(n.clone());
                }
                q.push(") AND ts_client >= ").push_bind(since).push(" AND (1 = 0");
                if let Some(u) = &subject.user_id {
                    q.push(" OR user_id = ").push_bind(u.clone());
                }
                if let Some(a) = &subject.anonymous_id {
                    q.push(" OR anonymous_id = ").push_bind(a.clone());
                }
                if let Some(a) = &subject.account_id {
                    q.push(" OR account_id = ").push_bind(a.clone());
                }
                q.push("))");
                if let Some(u) = &subject.user_id {
                    q.push(" OR (type = 'identify' AND anonymous_id IS NOT NULL AND user_id = ").push_bind(u.clone()).push(")");
                }
                q.push(")");
                let rows = q.build().fetch_all(&self.pool).await.map_err(StoreError::query("reading goal events"))?;
                Ok(rows.iter().map(row_to_event!()).collect())
            }

            async fn count_events(&self, filter: &EventFilter) -> Result<u64, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM events WHERE 1 = 1");
                push_filter!(q, filter);
                let n: i64 = q
                    .build_query_scalar()
                    .fetch_one(&self.pool)
                    .await
                    .map_err(StoreError::query("counting events"))?;
                Ok(n.unsigned_abs())
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await.map_err(StoreError::query("pinging"))?;
                Ok(())
            }
        }
    };
}

/// The columns of [`super::StoredEvent`], in the order `row_to_event!` reads them.
pub(super) const SELECT_EVENTS: &str =
    "SELECT id, env_key, type, ts_client, ts_server, user_id, anonymous_id, \
     account_id, campaign_id, name, body FROM events WHERE 1 = 1";

/// The first impression per campaign of a user, in [`SELECT_EVENTS`]'s columns; the caller
/// binds the environment and closes the user condition and the subquery.
pub(super) const FIRST_EXPOSURES: &str =
    "SELECT id, env_key, type, ts_client, ts_server, user_id, anonymous_id, \
     account_id, campaign_id, name, body FROM (SELECT *, ROW_NUMBER() OVER \
     (PARTITION BY campaign_id ORDER BY ts_client, id) AS nth FROM events \
     WHERE type = 'impression' AND env_key = ";

/// A closure turning a row of [`SELECT_EVENTS`] into a [`super::StoredEvent`].
macro_rules! row_to_event {
    () => {
        |r| {
            use sqlx::Row;
            StoredEvent {
                id: r.get(0),
                env_key: r.get(1),
                kind: r.get(2),
                ts_client: r.get(3),
                ts_server: r.get(4),
                user_id: r.get(5),
                anonymous_id: r.get(6),
                account_id: r.get(7),
                campaign_id: r.get(8),
                name: r.get(9),
                body: r.get(10),
            }
        }
    };
}

/// Appends the `AND ...` clauses of an [`super::EventFilter`].
macro_rules! push_filter {
    ($q:ident, $f:expr) => {
        if let Some(c) = &$f.campaign_id {
            $q.push(" AND campaign_id = ").push_bind(c.clone());
        }
        if let Some(k) = &$f.kind {
            $q.push(" AND type = ").push_bind(k.clone());
        }
        if let Some(u) = &$f.user_id {
            $q.push(" AND user_id = ").push_bind(u.clone());
        }
        if let Some(a) = &$f.account_id {
            $q.push(" AND account_id = ").push_bind(a.clone());
        }
    };
}

pub(super) use {push_filter, row_to_event, sql_store};
