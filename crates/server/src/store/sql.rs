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
                push_subject!(q, subject);
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
                push_subject!(q, subject);
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

            async fn campaigns(&self) -> Result<Vec<crate::store::CampaignRecord>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new(SELECT_CAMPAIGNS);
                q.push(" ORDER BY c.id");
                let rows = q.build().fetch_all(&self.pool).await.map_err(StoreError::query("listing campaigns"))?;
                rows.iter().map(row_to_campaign!()).collect()
            }

            async fn campaign(&self, id: &str) -> Result<Option<crate::store::CampaignRecord>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new(SELECT_CAMPAIGNS);
                q.push(" WHERE c.id = ").push_bind(id.to_owned());
                let row = q.build().fetch_optional(&self.pool).await.map_err(StoreError::query("reading a campaign"))?;
                row.as_ref().map(row_to_campaign!()).transpose()
            }

            async fn versions(&self, campaign_id: &str) -> Result<Vec<crate::store::CampaignVersion>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new(SELECT_VERSIONS);
                q.push(" WHERE campaign_id = ").push_bind(campaign_id.to_owned()).push(" ORDER BY version");
                let rows = q.build().fetch_all(&self.pool).await.map_err(StoreError::query("listing versions"))?;
                Ok(rows.iter().map(row_to_version!()).collect())
            }

            async fn version(&self, campaign_id: &str, version: i64) -> Result<Option<crate::store::CampaignVersion>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new(SELECT_VERSIONS);
                q.push(" WHERE campaign_id = ").push_bind(campaign_id.to_owned());
                q.push(" AND version = ").push_bind(version);
                let row = q.build().fetch_optional(&self.pool).await.map_err(StoreError::query("reading a version"))?;
                Ok(row.as_ref().map(row_to_version!()))
            }

            async fn add_version(&self, new: &crate::store::NewVersion) -> Result<Result<crate::store::PublishOutcome, crate::store::TransitionError>, StoreError> {
                use crate::store::{CampaignState, PublishOutcome};
                use sqlx::Row as _;
                let doing = "publishing a version";
                let mut tx = self.pool.begin().await.map_err(StoreError::query(doing))?;
                // Writing first takes the row lock (PostgreSQL) or the write lock (SQLite)
                // before anything is read, so concurrent publishers of one campaign queue here.
                let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO campaigns (id, state, live_version, created_at, updated_at) VALUES (");
                q.push_bind(new.campaign_id.clone()).push(", 'draft', NULL, ").push_bind(new.created_at).push(", ").push_bind(new.created_at);
                q.push(") ON CONFLICT (id) DO UPDATE SET updated_at = campaigns.updated_at");
                q.build().execute(&mut *tx).await.map_err(StoreError::query(doing))?;
                let mut q = sqlx::QueryBuilder::<$db>::new("SELECT state, live_version FROM campaigns WHERE id = ");
                q.push_bind(new.campaign_id.clone());
                let row = q.build().fetch_one(&mut *tx).await.map_err(StoreError::query(doing))?;
                let state = crate::store::sql::parse_state(&row.get::<String, _>(0))?;
                let live: Option<i64> = row.get(1);
                let mut q = sqlx::QueryBuilder::<$db>::new("SELECT version, sha256 FROM campaign_versions WHERE campaign_id = ");
                q.push_bind(new.campaign_id.clone()).push(" ORDER BY version DESC LIMIT 1");
                let latest = q.build().fetch_optional(&mut *tx).await.map_err(StoreError::query(doing))?
                    .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)));
                let next_state = if new.publish {
                    match state.publish(&new.campaign_id) {
                        Ok(s) => s,
                        Err(e) => return Ok(Err(e)),
                    }
                } else if state == CampaignState::Archived {
                    return Ok(Err(crate::store::TransitionError { campaign: new.campaign_id.clone(), from: state, to: CampaignState::Draft }));
                } else {
                    state
                };
                let same = latest.as_ref().filter(|(_, h)| *h == new.sha256);
                if new.publish && same.is_none() {
                    // The source of the live version, under a newer draft: already published.
                    if let Some(v) = live {
                        let mut q = sqlx::QueryBuilder::<$db>::new("SELECT sha256 FROM campaign_versions WHERE campaign_id = ");
                        q.push_bind(new.campaign_id.clone()).push(" AND version = ").push_bind(v);
                        let hash: Option<String> = q.build().fetch_optional(&mut *tx).await.map_err(StoreError::query(doing))?.map(|r| r.get(0));
                        if hash.as_deref() == Some(new.sha256.as_str()) {
                            tx.rollback().await.map_err(StoreError::query(doing))?;
                            return Ok(Ok(PublishOutcome::Unchanged { version: v, state }));
                        }
                    }
                }
                let version = match same {
                    Some(&(v, _)) if !new.publish || live == Some(v) => {
                        tx.rollback().await.map_err(StoreError::query(doing))?;
                        return Ok(Ok(PublishOutcome::Unchanged { version: v, state }));
                    }
                    Some(&(v, _)) => v,
                    None => {
                        let v = latest.map_or(1, |(v, _)| v + 1);
                        let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO campaign_versions (campaign_id, version, source, sha256, author, created_at, note) ");
                        q.push_values(std::iter::once(new), |mut row, n| {
                            row.push_bind(n.campaign_id.clone())
                                .push_bind(v)
                                .push_bind(n.source.clone())
                                .push_bind(n.sha256.clone())
                                .push_bind(n.author.clone())
                                .push_bind(n.created_at)
                                .push_bind(n.note.clone());
                        });
                        q.build().execute(&mut *tx).await.map_err(StoreError::query(doing))?;
                        v
                    }
                };
                let live = if new.publish { Some(version) } else { live };
                let mut q = sqlx::QueryBuilder::<$db>::new("UPDATE campaigns SET state = ");
                q.push_bind(next_state.as_str()).push(", live_version = ").push_bind(live);
                q.push(", updated_at = ").push_bind(new.created_at).push(" WHERE id = ").push_bind(new.campaign_id.clone());
                q.build().execute(&mut *tx).await.map_err(StoreError::query(doing))?;
                sqlx::query("UPDATE catalog_revision SET revision = revision + 1 WHERE id = 1")
                    .execute(&mut *tx).await.map_err(StoreError::query(doing))?;
                tx.commit().await.map_err(StoreError::query(doing))?;
                Ok(Ok(PublishOutcome::Created { version, state: next_state }))
            }

            async fn set_campaign_state(&self, id: &str, to: crate::store::CampaignState, now: i64) -> Result<Result<crate::store::CampaignRecord, crate::store::Refusal>, StoreError> {
                use crate::store::{CampaignState, Refusal};
                use sqlx::Row as _;
                let doing = "changing a campaign's state";
                let mut tx = self.pool.begin().await.map_err(StoreError::query(doing))?;
                let mut q = sqlx::QueryBuilder::<$db>::new("UPDATE campaigns SET updated_at = updated_at WHERE id = ");
                q.push_bind(id.to_owned());
                if q.build().execute(&mut *tx).await.map_err(StoreError::query(doing))?.rows_affected() == 0 {
                    return Ok(Err(Refusal::UnknownCampaign(id.to_owned())));
                }
                let mut q = sqlx::QueryBuilder::<$db>::new("SELECT state FROM campaigns WHERE id = ");
                q.push_bind(id.to_owned());
                let row = q.build().fetch_one(&mut *tx).await.map_err(StoreError::query(doing))?;
                let from = crate::store::sql::parse_state(&row.get::<String, _>(0))?;
                let next = match from.change_to(id, to) {
                    Ok(s) => s,
                    Err(e) => return Ok(Err(e.into())),
                };
                let mut q = sqlx::QueryBuilder::<$db>::new("UPDATE campaigns SET state = ");
                q.push_bind(next.as_str()).push(", updated_at = ").push_bind(now);
                if from == CampaignState::Draft && next == CampaignState::Published {
                    q.push(", live_version = (SELECT MAX(version) FROM campaign_versions WHERE campaign_id = ").push_bind(id.to_owned()).push(")");
                }
                q.push(" WHERE id = ").push_bind(id.to_owned());
                q.build().execute(&mut *tx).await.map_err(StoreError::query(doing))?;
                sqlx::query("UPDATE catalog_revision SET revision = revision + 1 WHERE id = 1")
                    .execute(&mut *tx).await.map_err(StoreError::query(doing))?;
                let mut q = sqlx::QueryBuilder::<$db>::new(SELECT_CAMPAIGNS);
                q.push(" WHERE c.id = ").push_bind(id.to_owned());
                let row = q.build().fetch_optional(&mut *tx).await.map_err(StoreError::query(doing))?;
                let Some(record) = row.as_ref().map(row_to_campaign!()).transpose()? else {
                    return Ok(Err(Refusal::UnknownCampaign(id.to_owned())));
                };
                tx.commit().await.map_err(StoreError::query(doing))?;
                Ok(Ok(record))
            }

            async fn catalog_sources(&self) -> Result<Vec<(String, String)>, StoreError> {
                use sqlx::Row as _;
                let rows = sqlx::query(
                    "SELECT c.id, v.source FROM campaigns c JOIN campaign_versions v \
                     ON v.campaign_id = c.id AND v.version = c.live_version \
                     WHERE c.state = 'published' ORDER BY c.id",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(StoreError::query("reading the live campaigns"))?;
                Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
            }

            async fn catalog_revision(&self) -> Result<i64, StoreError> {
                let (n,): (i64,) = sqlx::query_as("SELECT revision FROM catalog_revision WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(StoreError::query("reading the catalog revision"))?;
                Ok(n)
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

/// Appends ` OR user_id = ? OR anonymous_id = ? OR account_id = ?` for the ids a
/// [`super::Subject`] has: the caller opens the group with `(1 = 0` and closes it.
macro_rules! push_subject {
    ($q:ident, $s:expr) => {
        if let Some(u) = &$s.user_id {
            $q.push(" OR user_id = ").push_bind(u.clone());
        }
        if let Some(a) = &$s.anonymous_id {
            $q.push(" OR anonymous_id = ").push_bind(a.clone());
        }
        if let Some(a) = &$s.account_id {
            $q.push(" OR account_id = ").push_bind(a.clone());
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

/// The columns `row_to_campaign!` reads; the caller adds `WHERE` and `ORDER BY`.
pub(super) const SELECT_CAMPAIGNS: &str = "SELECT c.id, c.state, c.live_version, \
     (SELECT MAX(version) FROM campaign_versions v WHERE v.campaign_id = c.id), \
     c.created_at, c.updated_at FROM campaigns c";

/// The columns `row_to_version!` reads.
pub(super) const SELECT_VERSIONS: &str =
    "SELECT campaign_id, version, source, sha256, author, created_at, note FROM campaign_versions";

/// The stored spelling of a state back into the type.
pub(super) fn parse_state(s: &str) -> Result<super::CampaignState, super::StoreError> {
    super::CampaignState::parse(s).ok_or_else(|| super::StoreError::Corrupt {
        what: format!("a campaign state `{s}`"),
    })
}

/// A closure turning a row of [`SELECT_CAMPAIGNS`] into a [`super::CampaignRecord`].
macro_rules! row_to_campaign {
    () => {
        |r| -> Result<crate::store::CampaignRecord, StoreError> {
            use sqlx::Row;
            Ok(crate::store::CampaignRecord {
                id: r.get(0),
                state: crate::store::sql::parse_state(&r.get::<String, _>(1))?,
                live_version: r.get(2),
                latest_version: r.get::<Option<i64>, _>(3).unwrap_or(0),
                created_at: r.get(4),
                updated_at: r.get(5),
            })
        }
    };
}

/// A closure turning a row of [`SELECT_VERSIONS`] into a [`super::CampaignVersion`].
macro_rules! row_to_version {
    () => {
        |r| {
            use sqlx::Row;
            crate::store::CampaignVersion {
                campaign_id: r.get(0),
                version: r.get(1),
                source: r.get(2),
                sha256: r.get(3),
                author: r.get(4),
                created_at: r.get(5),
                note: r.get(6),
            }
        }
    };
}

pub(super) use {
    push_filter, push_subject, row_to_campaign, row_to_event, row_to_version, sql_store,
};
