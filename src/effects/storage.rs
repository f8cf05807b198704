//! Local storage of what must survive a reload (dismissals), namespaced per publishable key so
//! two Touchpoint environments on one origin do not mix. Storage can be absent or full
//! (private mode, quotas): that degrades memory, never the host page.
use std::collections::BTreeSet;

/// Why storage failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// `localStorage` is unavailable (blocked, sandboxed iframe...).
    #[error("localStorage is unavailable")]
    Unavailable,
    /// The write was refused (quota).
    #[error("localStorage refused the write of {0}")]
    Write(String),
}

fn local() -> Result<web_sys::Storage, StorageError> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or(StorageError::Unavailable)
}

fn key(env: &str, name: &str) -> String {
    format!("touchpoint:{env}:{name}")
}

/// The dismissed campaign ids remembered for `env`.
pub fn load_dismissed(env: &str) -> BTreeSet<String> {
    local()
        .ok()
        .and_then(|s| s.get_item(&key(env, "dismissed")).ok().flatten())
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default()
}

/// Remember the dismissed campaign ids for `env`.
///
/// # Errors
/// When storage is unavailable or refuses the write.
pub fn save_dismissed(env: &str, ids: &BTreeSet<String>) -> Result<(), StorageError> {
    let k = key(env, "dismissed");
    let v = serde_json::to_string(ids).unwrap_or_default();
    local()?
        .set_item(&k, &v)
        .map_err(|_| StorageError::Write(k))
}
