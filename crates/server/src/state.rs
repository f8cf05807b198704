//! What every handler shares: the store, the campaign catalog, the environments, the limits
//! and rate limiters, counters, and the admin credential. The clock is read here, in one
//! place, so tests can pin it.
use crate::config::{Environment, Limits, WorkspaceConfig};
use crate::workspace::limits::LoginLimiters;
use crate::{catalog::Catalog, error::AppError, store::Store};
use axum::http::{header, HeaderMap};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use subtle::ConstantTimeEq as _;

pub use crate::clock::Clock;

/// Counters an operator reads at `GET /v1/admin/stats`.
#[derive(Debug, Default)]
pub struct Counters {
    /// Events newly stored.
    pub accepted: AtomicU64,
    /// Events received again and not stored twice.
    pub duplicates: AtomicU64,
    /// Events refused by validation.
    pub rejected: AtomicU64,
    /// Events refused because their identity was unsigned or wrongly signed.
    pub identity_rejected: AtomicU64,
    /// Requests answered 429.
    pub rate_limited: AtomicU64,
    /// Events client queues dropped before sending them, from newly stored drop reports
    /// (each report counts once, however often it is sent).
    pub dropped: AtomicU64,
}

impl Counters {
    /// Add `n` to a counter.
    pub fn add(counter: &AtomicU64, n: usize) {
        counter.fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// A JSON snapshot.
    pub fn snapshot(&self) -> serde_json::Value {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        serde_json::json!({
            "accepted": get(&self.accepted),
            "duplicates": get(&self.duplicates),
            "rejected": get(&self.rejected),
            "identity_rejected": get(&self.identity_rejected),
            "rate_limited": get(&self.rate_limited),
            "dropped": get(&self.dropped),
        })
    }
}

struct Limiters {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_key: DefaultKeyedRateLimiter<String>,
}

/// Shared state of the router.
#[derive(Clone)]
pub struct AppState {
    /// Event storage.
    pub store: Arc<dyn Store>,
    /// Request limits.
    pub limits: Limits,
    /// Counters.
    pub counters: Arc<Counters>,
    /// The workspace's sign-in settings.
    pub workspace: WorkspaceConfig,
    /// Sign-in rate limits.
    pub login_limiters: Arc<LoginLimiters>,
    /// The editor's previews of unsaved sources ([`crate::preview`]).
    pub previews: Arc<crate::preview::Previews>,
    catalog: Arc<RwLock<Arc<Catalog>>>,
    environments: Arc<Vec<Environment>>,
    admin_token: Option<Arc<str>>,
    clock: Clock,
    limiters: Arc<Limiters>,
    /// The database's catalog revision the served catalog was built at (`None` until it is
    /// built from the database); held while rebuilding so rebuilds never interleave.
    catalog_revision: Arc<tokio::sync::Mutex<Option<i64>>>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl AppState {
    /// State over a store, a catalog and the known environments, with default limits.
    /// Without an admin token the admin API refuses every request.
    pub fn new(
        store: Arc<dyn Store>,
        catalog: Catalog,
        environments: Vec<Environment>,
        admin_token: Option<String>,
    ) -> Self {
        let limits = Limits::default();
        Self {
            store,
            limits,
            counters: Arc::default(),
            workspace: WorkspaceConfig::default(),
            login_limiters: Arc::new(LoginLimiters::new(
                &WorkspaceConfig::default(),
                Arc::new(system_millis),
            )),
            previews: Arc::default(),
            catalog: Arc::new(RwLock::new(Arc::new(catalog))),
            environments: Arc::new(environments),
            admin_token: admin_token.map(Into::into),
            clock: Arc::new(system_millis),
            limiters: Arc::new(Limiters::new(limits)),
            catalog_revision: Arc::default(),
        }
    }

    /// Replace the limits (and reset the rate limiters to them).
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self.limiters = Arc::new(Limiters::new(limits));
        self
    }

    /// Replace the workspace's settings (and reset the sign-in limiters to them).
    #[must_use]
    pub fn with_workspace(mut self, workspace: WorkspaceConfig) -> Self {
        self.workspace = workspace;
        self.login_limiters = Arc::new(LoginLimiters::new(&workspace, self.clock.clone()));
        self
    }

    /// Replace the clock (tests).
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        // The sign-in limits count on the same clock.
        self.login_limiters = Arc::new(LoginLimiters::new(&self.workspace, self.clock.clone()));
        self
    }

    /// Now, in unix millis.
    pub fn now_millis(&self) -> i64 {
        (self.clock)()
    }

    /// The current catalog.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Replace the catalog (after campaigns changed).
    pub fn set_catalog(&self, catalog: Catalog) {
        *self
            .catalog
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(catalog);
    }

    /// The revision of the database's campaigns the catalog was last built at (see
    /// [`crate::live_catalog`]).
    pub(crate) fn catalog_revision(&self) -> &tokio::sync::Mutex<Option<i64>> {
        &self.catalog_revision
    }

    /// The environment a publishable key names.
    ///
    /// # Errors
    /// [`AppError::MissingKey`] or [`AppError::UnknownKey`].
    pub fn environment(&self, key: Option<&str>) -> Result<&Environment, AppError> {
        let key = key.filter(|k| !k.is_empty()).ok_or(AppError::MissingKey)?;
        self.environments
            .iter()
            .find(|e| e.key == key)
            .ok_or_else(|| AppError::UnknownKey(key.to_owned()))
    }

    /// The publishable keys of every configured environment, in configuration order.
    pub fn environment_keys(&self) -> Vec<String> {
        self.environments.iter().map(|e| e.key.clone()).collect()
    }

    /// Count one request against the per-IP and per-key limits.
    ///
    /// # Errors
    /// [`AppError::RateLimited`] with the wait before a retry can succeed.
    pub fn check_rate(&self, ip: Option<IpAddr>, key: &str) -> Result<(), AppError> {
        let now = DefaultClock::default().now();
        let verdicts = [
            ip.map(|ip| self.limiters.per_ip.check_key(&ip)),
            Some(self.limiters.per_key.check_key(&key.to_owned())),
        ];
        for verdict in verdicts.into_iter().flatten() {
            if let Err(not_until) = verdict {
                Counters::add(&self.counters.rate_limited, 1);
                let wait = not_until.wait_time_from(now).max(Duration::from_secs(1));
                return Err(AppError::RateLimited {
                    retry_after_secs: wait.as_secs_f64().ceil() as u64,
                });
            }
        }
        Ok(())
    }

    /// Check the `Authorization: Bearer` admin token.
    ///
    /// # Errors
    /// [`AppError::AdminUnauthorized`] when it is missing, wrong, or no token is configured.
    pub fn check_admin(&self, headers: &HeaderMap) -> Result<(), AppError> {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match (&self.admin_token, given) {
            // Compared without an early exit that would tell how much of a guess matched.
            (Some(want), Some(got)) if bool::from(want.as_bytes().ct_eq(got.as_bytes())) => Ok(()),
            _ => Err(AppError::AdminUnauthorized),
        }
    }
}

impl Limiters {
    fn new(limits: Limits) -> Self {
        Self {
            per_ip: RateLimiter::keyed(per_minute(limits.per_ip_per_minute)),
            per_key: RateLimiter::keyed(per_minute(limits.per_key_per_minute)),
        }
    }
}

/// The system clock in unix millis (the default [`Clock`]).
pub fn system_millis() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
