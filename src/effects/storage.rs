//! Local storage of what must survive a reload (this browser's anonymous id, the user's
//! journal of engagements, the event queue), namespaced per publishable key by [`key`] so
//! two Touchpoint environments on one origin do not mix; and the tab's session id in
//! `sessionStorage`, which lives exactly as long as the tab (across its reloads, not into a
//! new tab). Storage can be absent or full (private mode, quotas): that degrades memory,
//! never the host page.
use crate::delivery::store::{key, KeyValue, StoreError};
use touchpoint_core::Event;

/// The origin's localStorage, if the page may use it: the widget's one wrapper around it.
/// Where it may not (sandboxed iframe, blocked storage) every read finds nothing and every
/// write fails with [`StoreError::Unavailable`].
#[derive(Debug, Clone)]
pub struct LocalStore(Option<web_sys::Storage>);

impl LocalStore {
    /// The page's localStorage, if any.
    pub fn open() -> Self {
        Self(web_sys::window().and_then(|w| w.local_storage().ok().flatten()))
    }

    /// Whether there is a localStorage (what is stored outlives the page, and is shared with
    /// the origin's other tabs).
    pub fn is_persistent(&self) -> bool {
        self.0.is_some()
    }
}

impl KeyValue for LocalStore {
    fn get(&self, key: &str) -> Option<String> {
        self.0.as_ref()?.get_item(key).ok().flatten()
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.0
            .as_ref()
            .ok_or(StoreError::Unavailable)?
            .set_item(key, value)
            .map_err(|_| StoreError::Refused(key.to_owned()))
    }

    fn remove(&self, key: &str) {
        if let Some(s) = &self.0 {
            let _ = s.remove_item(key);
        }
    }

    fn keys(&self, prefix: &str) -> Vec<String> {
        let Some(s) = &self.0 else {
            return Vec::new();
        };
        // One call for every key (not two per key through `length` and `key(i)`).
        js_sys::Object::keys(s)
            .iter()
            .filter_map(|k| k.as_string())
            .filter(|k| k.starts_with(prefix))
            .collect()
    }
}

fn tab() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Read the value of `name` for `env`.
pub fn get(env: &str, name: &str) -> Option<String> {
    LocalStore::open().get(&key(env, name))
}

/// Write a value.
///
/// # Errors
/// When storage is unavailable or refuses the write.
pub fn set(env: &str, name: &str, value: &str) -> Result<(), StoreError> {
    LocalStore::open().set(&key(env, name), value)
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
pub fn save_journal(env: &str, journal: &[Event]) -> Result<(), StoreError> {
    let list = serde_json::Value::Array(journal.iter().map(Event::to_json_value).collect());
    set(env, "journal", &crate::json::stringify(&list))
}
