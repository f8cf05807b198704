//! Local storage of what must survive a reload (this browser's anonymous id, the user's
//! journal of engagements), namespaced per publishable key so two Touchpoint environments on
//! one origin do not mix; and the tab's session id in `sessionStorage`, which lives exactly
//! as long as the tab (across its reloads, not into a new tab). Storage can be absent or full (private mode, quotas): that degrades
//! memory, never the host page.
use touchpoint_core::Event;

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

fn tab() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn key(env: &str, name: &str) -> String {
    format!("touchpoint:{env}:{name}")
}

/// Read a value.
pub fn get(env: &str, name: &str) -> Option<String> {
    local().ok()?.get_item(&key(env, name)).ok().flatten()
}

/// Write a value.
///
/// # Errors
/// When storage is unavailable or refuses the write.
pub fn set(env: &str, name: &str, value: &str) -> Result<(), StorageError> {
    let k = key(env, name);
    local()?
        .set_item(&k, value)
        .map_err(|_| StorageError::Write(k))
}

/// This tab's session id for `env`, made with `new_id` on the tab's first page view. Without
/// `sessionStorage` every page view is a session of its own.
pub fn tab_session(env: &str, new_id: impl FnOnce() -> String) -> String {
    let k = key(env, "session");
    let store = tab();
    if let Some(id) = store.as_ref().and_then(|s| s.get_item(&k).ok().flatten()) {
        return id;
    }
    let id = new_id();
    if let Some(s) = store {
        let _ = s.set_item(&k, &id);
    }
    id
}

/// The journal remembered for `env` (empty when absent or unreadable; unreadable entries are
/// skipped).
pub fn load_journal(env: &str) -> Vec<Event> {
    let Some(value) = get(env, "journal").and_then(|v| crate::json::parse(&v)) else {
        return Vec::new();
    };
    value
        .as_array()
        .map(|a| a.iter().filter_map(Event::from_json_value).collect())
        .unwrap_or_default()
}

/// Remember the journal for `env`.
///
/// # Errors
/// When storage is unavailable or refuses the write.
pub fn save_journal(env: &str, journal: &[Event]) -> Result<(), StorageError> {
    let list = serde_json::Value::Array(journal.iter().map(Event::to_json_value).collect());
    set(env, "journal", &crate::json::stringify(&list))
}
