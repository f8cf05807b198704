//! What every handler shares: the store, the campaign catalog, the environments and the admin
//! credential. The clock is read here, in one place, so tests can pin it.
use crate::{catalog::Catalog, error::AppError, store::Store};
use axum::http::{header, HeaderMap};
use std::sync::{Arc, RwLock};

/// One environment of a vendor (production, staging...), known by its publishable key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// The publishable key widgets send (`pk_...`).
    pub key: String,
}

/// A source of the current time in unix millis.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Shared state of the router.
#[derive(Clone)]
pub struct AppState {
    /// Event storage.
    pub store: Arc<dyn Store>,
    catalog: Arc<RwLock<Arc<Catalog>>>,
    environments: Arc<Vec<Environment>>,
    admin_token: Option<Arc<str>>,
    clock: Clock,
}

impl AppState {
    /// State over a store, a catalog and the known environments. Without an admin token the
    /// admin API refuses every request.
    pub fn new(
        store: Arc<dyn Store>,
        catalog: Catalog,
        environments: Vec<Environment>,
        admin_token: Option<String>,
    ) -> Self {
        Self {
            store,
            catalog: Arc::new(RwLock::new(Arc::new(catalog))),
            environments: Arc::new(environments),
            admin_token: admin_token.map(Into::into),
            clock: Arc::new(system_millis),
        }
    }

    /// Replace the clock (tests).
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
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
            (Some(want), Some(got)) if constant_time_eq(want.as_bytes(), got.as_bytes()) => Ok(()),
            _ => Err(AppError::AdminUnauthorized),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn system_millis() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}
