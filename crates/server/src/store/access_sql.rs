//! The access-control queries both SQL backends share (see `sql.rs` for why one text serves
//! both): a macro stamps [`super::AccessStore`] onto each backend's pool type.

/// Implements [`super::AccessStore`] for a struct with a `pool: sqlx::Pool<$db>` field.
macro_rules! access_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::AccessStore for $store {
            async fn create_user(&self, u: &$crate::store::NewUser) -> Result<$crate::store::User, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO users (email, role, password_hash, created_at, disabled) VALUES (");
                q.push_bind(u.email.clone()).push(", ").push_bind(u.role.as_str()).push(", ")
                    .push_bind(u.password_hash.clone()).push(", ").push_bind(u.created_at).push(", ")
                    .push_bind(false).push(") RETURNING id");
                let id: i64 = q.build_query_scalar().fetch_one(&self.pool).await
                    .map_err($crate::store::access_sql::conflict("creating a user", "a user with this email"))?;
                Ok($crate::store::User { id, email: u.email.clone(), role: u.role, password_hash: u.password_hash.clone(), created_at: u.created_at, disabled: false })
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<$crate::store::User>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new($crate::store::access_sql::SELECT_USERS);
                q.push(" WHERE email = ").push_bind(email.to_owned());
                let row = q.build().fetch_optional(&self.pool).await.map_err(StoreError::query("reading a user"))?;
                Ok(row.as_ref().map($crate::store::access_sql::row_to_user!()))
            }

            async fn user_by_id(&self, id: i64) -> Result<Option<$crate::store::User>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new($crate::store::access_sql::SELECT_USERS);
                q.push(" WHERE id = ").push_bind(id);
                let row = q.build().fetch_optional(&self.pool).await.map_err(StoreError::query("reading a user"))?;
                Ok(row.as_ref().map($crate::store::access_sql::row_to_user!()))
            }

            async fn list_users(&self) -> Result<Vec<$crate::store::User>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new($crate::store::access_sql::SELECT_USERS);
                q.push(" ORDER BY email");
                let rows = q.build().fetch_all(&self.pool).await.map_err(StoreError::query("listing users"))?;
                Ok(rows.iter().map($crate::store::access_sql::row_to_user!()).collect())
            }

            async fn set_password(&self, user_id: i64, hash: &str) -> Result<bool, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("UPDATE users SET password_hash = ");
                q.push_bind(hash.to_owned()).push(" WHERE id = ").push_bind(user_id);
                let done = q.build().execute(&self.pool).await.map_err(StoreError::query("setting a password"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn set_disabled(&self, user_id: i64, disabled: bool) -> Result<bool, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("UPDATE users SET disabled = ");
                q.push_bind(disabled).push(" WHERE id = ").push_bind(user_id);
                let done = q.build().execute(&self.pool).await.map_err(StoreError::query("disabling a user"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn create_token(&self, t: &$crate::store::NewToken) -> Result<$crate::store::ApiToken, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO api_tokens (name, role, token_sha256, created_at, revoked) VALUES (");
                q.push_bind(t.name.clone()).push(", ").push_bind(t.role.as_str()).push(", ")
                    .push_bind(t.token_sha256.clone()).push(", ").push_bind(t.created_at).push(", ")
                    .push_bind(false).push(") RETURNING id");
                let id: i64 = q.build_query_scalar().fetch_one(&self.pool).await
                    .map_err($crate::store::access_sql::conflict("creating a token", "a token with this name"))?;
                Ok($crate::store::ApiToken { id, name: t.name.clone(), role: t.role, token_sha256: t.token_sha256.clone(), created_at: t.created_at, last_used_at: None, revoked: false })
            }

            async fn token_by_hash(&self, hash: &str) -> Result<Option<$crate::store::ApiToken>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new($crate::store::access_sql::SELECT_TOKENS);
                q.push(" WHERE token_sha256 = ").push_bind(hash.to_owned());
                let row = q.build().fetch_optional(&self.pool).await.map_err(StoreError::query("reading a token"))?;
                Ok(row.as_ref().map($crate::store::access_sql::row_to_token!()))
            }

            async fn list_tokens(&self) -> Result<Vec<$crate::store::ApiToken>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new($crate::store::access_sql::SELECT_TOKENS);
                q.push(" ORDER BY name");
                let rows = q.build().fetch_all(&self.pool).await.map_err(StoreError::query("listing tokens"))?;
                Ok(rows.iter().map($crate::store::access_sql::row_to_token!()).collect())
            }

            async fn touch_token(&self, id: i64, at: i64) -> Result<(), StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("UPDATE api_tokens SET last_used_at = ");
                q.push_bind(at).push(" WHERE id = ").push_bind(id);
                q.build().execute(&self.pool).await.map_err(StoreError::query("recording a token's use"))?;
                Ok(())
            }

            async fn revoke_token(&self, id: i64) -> Result<bool, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("UPDATE api_tokens SET revoked = ");
                q.push_bind(true).push(" WHERE id = ").push_bind(id).push(" AND revoked = ").push_bind(false);
                let done = q.build().execute(&self.pool).await.map_err(StoreError::query("revoking a token"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn create_session(&self, s: &$crate::store::Session) -> Result<(), StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO sessions (key_sha256, user_id, csrf_token, created_at, last_seen_at) VALUES (");
                q.push_bind(s.key_sha256.clone()).push(", ").push_bind(s.user_id).push(", ")
                    .push_bind(s.csrf_token.clone()).push(", ").push_bind(s.created_at).push(", ")
                    .push_bind(s.last_seen_at).push(")");
                q.build().execute(&self.pool).await.map_err(StoreError::query("creating a session"))?;
                Ok(())
            }

            async fn session(&self, key: &str) -> Result<Option<$crate::store::Session>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("SELECT key_sha256, user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE key_sha256 = ");
                q.push_bind(key.to_owned());
                let row = q.build().fetch_optional(&self.pool).await.map_err(StoreError::query("reading a session"))?;
                Ok(row.map(|r| {
                    use sqlx::Row;
                    $crate::store::Session { key_sha256: r.get(0), user_id: r.get(1), csrf_token: r.get(2), created_at: r.get(3), last_seen_at: r.get(4) }
                }))
            }

            async fn touch_session(&self, key: &str, at: i64) -> Result<(), StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("UPDATE sessions SET last_seen_at = ");
                q.push_bind(at).push(" WHERE key_sha256 = ").push_bind(key.to_owned());
                q.build().execute(&self.pool).await.map_err(StoreError::query("touching a session"))?;
                Ok(())
            }

            async fn delete_session(&self, key: &str) -> Result<(), StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("DELETE FROM sessions WHERE key_sha256 = ");
                q.push_bind(key.to_owned());
                q.build().execute(&self.pool).await.map_err(StoreError::query("ending a session"))?;
                Ok(())
            }

            async fn delete_user_sessions(&self, user_id: i64) -> Result<u64, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("DELETE FROM sessions WHERE user_id = ");
                q.push_bind(user_id);
                let done = q.build().execute(&self.pool).await.map_err(StoreError::query("ending a user's sessions"))?;
                Ok(done.rows_affected())
            }

            async fn record_login_attempt(&self, a: &$crate::store::LoginAttempt) -> Result<(), StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO login_attempts (email, ip, at, ok) VALUES (");
                q.push_bind(a.email.clone()).push(", ").push_bind(a.ip.clone()).push(", ")
                    .push_bind(a.at).push(", ").push_bind(a.ok).push(")");
                q.build().execute(&self.pool).await.map_err(StoreError::query("recording a login attempt"))?;
                Ok(())
            }

            async fn login_attempts(&self, limit: u32) -> Result<Vec<$crate::store::LoginAttempt>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("SELECT email, ip, at, ok FROM login_attempts ORDER BY at DESC, id DESC LIMIT ");
                q.push_bind(i64::from(limit));
                let rows = q.build().fetch_all(&self.pool).await.map_err(StoreError::query("listing login attempts"))?;
                Ok(rows.iter().map(|r| {
                    use sqlx::Row;
                    $crate::store::LoginAttempt { email: r.get(0), ip: r.get(1), at: r.get(2), ok: r.get(3) }
                }).collect())
            }

            async fn append_audit(&self, e: &$crate::store::AuditEntry) -> Result<(), StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (");
                q.push_bind(e.at).push(", ").push_bind(e.actor.clone()).push(", ")
                    .push_bind(e.action.clone()).push(", ").push_bind(e.subject.clone()).push(", ")
                    .push_bind(e.detail.clone()).push(")");
                q.build().execute(&self.pool).await.map_err(StoreError::query("writing the audit log"))?;
                Ok(())
            }

            async fn list_audit(&self, limit: u32) -> Result<Vec<$crate::store::AuditEntry>, StoreError> {
                let mut q = sqlx::QueryBuilder::<$db>::new("SELECT at, actor, action, subject, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT ");
                q.push_bind(i64::from(limit));
                let rows = q.build().fetch_all(&self.pool).await.map_err(StoreError::query("reading the audit log"))?;
                Ok(rows.iter().map(|r| {
                    use sqlx::Row;
                    $crate::store::AuditEntry { at: r.get(0), actor: r.get(1), action: r.get(2), subject: r.get(3), detail: r.get(4) }
                }).collect())
            }
        }
    };
}

/// The columns `row_to_user!` reads.
pub(crate) const SELECT_USERS: &str =
    "SELECT id, email, role, password_hash, created_at, disabled FROM users";

/// The columns `row_to_token!` reads.
pub(crate) const SELECT_TOKENS: &str =
    "SELECT id, name, role, token_sha256, created_at, last_used_at, revoked FROM api_tokens";

/// A stored role; the column's `CHECK` keeps anything else out, and were it ever not to, the
/// least privilege is what an unreadable role grants.
pub(crate) fn role(text: &str) -> crate::role::Role {
    text.parse().unwrap_or(crate::role::Role::Viewer)
}

/// Map a unique-constraint violation to [`super::StoreError::Conflict`], other failures to
/// a query error.
pub(crate) fn conflict(
    doing: &'static str,
    what: &'static str,
) -> impl FnOnce(sqlx::Error) -> super::StoreError {
    move |source| {
        if source
            .as_database_error()
            .is_some_and(|d| d.is_unique_violation())
        {
            super::StoreError::Conflict { what }
        } else {
            super::StoreError::Query { doing, source }
        }
    }
}

/// A closure turning a row of [`SELECT_USERS`] into a [`super::User`].
macro_rules! row_to_user {
    () => {
        |r| {
            use sqlx::Row;
            $crate::store::User {
                id: r.get(0),
                email: r.get(1),
                role: $crate::store::access_sql::role(r.get::<&str, _>(2)),
                password_hash: r.get(3),
                created_at: r.get(4),
                disabled: r.get(5),
            }
        }
    };
}

/// A closure turning a row of [`SELECT_TOKENS`] into a [`super::ApiToken`].
macro_rules! row_to_token {
    () => {
        |r| {
            use sqlx::Row;
            $crate::store::ApiToken {
                id: r.get(0),
                name: r.get(1),
                role: $crate::store::access_sql::role(r.get::<&str, _>(2)),
                token_sha256: r.get(3),
                created_at: r.get(4),
                last_used_at: r.get(5),
                revoked: r.get(6),
            }
        }
    };
}

pub(crate) use {access_store, row_to_token, row_to_user};
