//! The key-value storage the widget keeps what outlives a page in, as a small trait:
//! localStorage in the browser (`effects::storage::LocalStore`, the one wrapper), a map in
//! native tests ([`MemoryStore`]); one error type, and the one function that names keys. The
//! queue logic only needs per-key get, set and remove, and a listing by prefix; keeping it
//! behind this trait lets the whole queue, including two tabs sharing one storage, be tested
//! natively.
use std::cell::RefCell;
use std::rc::Rc;

/// The storage key of `name` for publishable key `env`: `touchpoint:{env}:{name}`, so two
/// Touchpoint environments on one origin do not mix.
///
/// # Example
/// ```
/// assert_eq!(touchpoint::delivery::store::key("pk_1", "lease"), "touchpoint:pk_1:lease");
/// ```
pub fn key(env: &str, name: &str) -> String {
    format!("touchpoint:{env}:{name}")
}

/// Every key of `store` starting with `prefix`, in lexical order (for UUIDv7 suffixes: the
/// order the events happened in).
pub fn sorted_keys(store: &impl KeyValue, prefix: &str) -> Vec<String> {
    let mut keys = store.keys(prefix);
    sort(&mut keys);
    keys
}

/// Sort strings in place. An insertion sort: Chromium lists localStorage keys already
/// sorted, and ids come oldest first, which makes it linear here; and it is a fraction of
/// the bytes of the standard library's sorts.
pub fn sort(list: &mut [String]) {
    for i in 1..list.len() {
        let mut j = i;
        while j > 0 && list[j - 1] > list[j] {
            list.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Why a write failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// There is no storage at all (blocked, sandboxed iframe, private mode).
    #[error("storage is unavailable")]
    Unavailable,
    /// The storage refused the write (usually its quota is used up).
    #[error("storage refused the write of {0}")]
    Refused(String),
}

/// Per-key storage. Each operation touches one key, which localStorage performs atomically
/// even across tabs; nothing in the queue relies on more than that.
pub trait KeyValue {
    /// The value of `key`.
    fn get(&self, key: &str) -> Option<String>;
    /// Store `value` under `key`.
    ///
    /// # Errors
    /// When the storage is unavailable or refuses the write.
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError>;
    /// Remove `key` (absent keys are fine).
    fn remove(&self, key: &str);
    /// Every key starting with `prefix`, in any order.
    fn keys(&self, prefix: &str) -> Vec<String>;
}

impl<T: KeyValue + ?Sized> KeyValue for Rc<T> {
    fn get(&self, key: &str) -> Option<String> {
        (**self).get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        (**self).set(key, value)
    }
    fn remove(&self, key: &str) {
        (**self).remove(key);
    }
    fn keys(&self, prefix: &str) -> Vec<String> {
        (**self).keys(prefix)
    }
}

/// An in-memory store for native tests. Clones share the same entries, like two tabs
/// sharing one origin's localStorage. (Where the browser has no localStorage, the browser
/// layer does not fall back to this: its `LocalStore` refuses writes and the sender keeps
/// events in memory.) A plain list (a queue holds at most about a thousand keys).
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    map: Rc<RefCell<Vec<(String, String)>>>,
    /// Refuse writes once this many keys are stored (to test a full storage).
    limit: Option<usize>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store that refuses writes of new keys beyond `keys` keys.
    pub fn with_limit(keys: usize) -> Self {
        Self {
            limit: Some(keys),
            ..Self::default()
        }
    }

    /// How many keys are stored.
    pub fn len(&self) -> usize {
        self.map.borrow().len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.map.borrow().is_empty()
    }
}

impl KeyValue for MemoryStore {
    fn get(&self, key: &str) -> Option<String> {
        self.map
            .borrow()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut map = self.map.borrow_mut();
        if let Some(slot) = map.iter_mut().find(|(k, _)| k == key) {
            slot.1 = value.to_owned();
            return Ok(());
        }
        if self.limit.is_some_and(|n| map.len() >= n) {
            return Err(StoreError::Refused(key.to_owned()));
        }
        map.push((key.to_owned(), value.to_owned()));
        Ok(())
    }

    fn remove(&self, key: &str) {
        self.map.borrow_mut().retain(|(k, _)| k != key);
    }

    fn keys(&self, prefix: &str) -> Vec<String> {
        self.map
            .borrow()
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_map_and_list_by_prefix() {
        let a = MemoryStore::new();
        let b = a.clone();
        a.set("x:1", "one").unwrap();
        b.set("x:2", "two").unwrap();
        b.set("y:1", "other").unwrap();
        assert_eq!(a.keys("x:"), vec!["x:1".to_owned(), "x:2".to_owned()]);
        b.remove("x:1");
        assert_eq!(a.get("x:1"), None);
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn a_full_store_refuses_new_keys_but_overwrites() {
        let s = MemoryStore::with_limit(1);
        s.set("a", "1").unwrap();
        s.set("a", "2").unwrap();
        assert_eq!(s.set("b", "1"), Err(StoreError::Refused("b".into())));
    }
}
