//! The live catalog: the catalog the widget receives is built from the published (not
//! paused, not archived) versions in the database, and follows every change within seconds
//! on every collector sharing that database, without a restart.
//!
//! Two paths keep it fresh. A change made through this process calls [`rebuild`] at once.
//! A change made through another process is found by [`poll`], which reads the store's
//! catalog revision — one row, bumped in the same transaction as every change — and rebuilds
//! only when it moved; [`spawn_poller`] runs it every [`POLL_EVERY`]. The same poll works on
//! SQLite and PostgreSQL, so there is no `LISTEN` connection to keep alive. The ETag follows
//! from the rebuilt JSON, so widgets revalidating with the old one get the new catalog.
use crate::catalog::Catalog;
use crate::state::AppState;
use crate::store::StoreError;
use std::time::Duration;

/// How often [`spawn_poller`] checks the revision: a change elsewhere reaches this
/// process's widgets within this plus one rebuild.
pub const POLL_EVERY: Duration = Duration::from_secs(2);

/// Rebuild the catalog from the database now, keeping the current policy.
///
/// # Errors
/// When the store cannot be read; the served catalog stays as it was.
pub async fn rebuild(state: &AppState) -> Result<(), StoreError> {
    let mut built_at = state.catalog_revision().lock().await;
    let revision = state.store.catalog_revision().await?;
    build(state, revision).await?;
    *built_at = Some(revision);
    Ok(())
}

/// Rebuild when the database's campaigns changed since the last build; returns whether it
/// rebuilt.
///
/// # Errors
/// When the store cannot be read; the served catalog stays as it was.
pub async fn poll(state: &AppState) -> Result<bool, StoreError> {
    let mut built_at = state.catalog_revision().lock().await;
    let revision = state.store.catalog_revision().await?;
    if *built_at == Some(revision) {
        return Ok(false);
    }
    build(state, revision).await?;
    *built_at = Some(revision);
    Ok(true)
}

async fn build(state: &AppState, revision: i64) -> Result<(), StoreError> {
    let sources = state.store.catalog_sources().await?;
    let policy = state.catalog().policy.clone();
    let (catalog, problems) = Catalog::from_sources(&sources, policy);
    for d in &problems {
        tracing::warn!(diagnostic = %d, "a published campaign no longer validates; left out of the catalog");
    }
    tracing::debug!(
        revision,
        campaigns = catalog.campaigns.len(),
        "catalog rebuilt"
    );
    state.set_catalog(catalog);
    Ok(())
}

/// Poll every `every` until the process ends; a failed poll is logged and retried next time.
pub fn spawn_poller(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = poll(&state).await {
                tracing::warn!(error = %e, "polling the catalog revision failed");
            }
        }
    })
}
