//! The user's journal (their own recent events, which rebuild history and event counts on
//! the next page load) kept in storage the way the queue keeps events: one key per event,
//! `touchpoint:{key}:j:{event id}`, holding the event's JSON.
//!
//! # Why one key per event
//! The reducer hands over the whole journal (up to 500 events) after every event it keeps.
//! Written as one JSON array, that was ~170 KB stringified and stored on every `track()`:
//! about 6 ms of the host's main thread per call with a full journal (issue 12). Here a save
//! compares the journal with what this page has in storage and writes only the difference:
//! the new events at the end (normally one) and the removal of those the bound pushed out
//! at the front. A save costs one small write, whatever the journal's length.
//!
//! The crash window is zero: the write happens in the call that made the event, as before.
//! Two tabs no longer overwrite each other's journal (each adds its own keys; the next load
//! reads the union, newest last, and the reducer trims it to its bound again).
//!
//! # Migration
//! A journal stored as one array under `touchpoint:{key}:journal` (the layout before issue
//! 12) is read once, written out one key per event, and removed: nothing it held is lost.
use super::store::{key, sorted_keys, KeyValue, StoreError};
use touchpoint_core::uuid::Uuid;
use touchpoint_core::Event;

/// The journal of one publishable key, as written by this page.
#[derive(Debug)]
pub struct Journal<S> {
    store: S,
    prefix: String,
    /// The ids this page knows to be in storage (loaded or written), oldest first.
    written: Vec<Uuid>,
}

impl<S: KeyValue> Journal<S> {
    /// Open the journal of publishable key `env` and read it, oldest first (events that
    /// cannot be read are removed). Migrates the one-array layout.
    ///
    /// # Example
    /// ```
    /// use touchpoint::delivery::{journal::Journal, store::MemoryStore};
    /// let storage = MemoryStore::new();
    /// let (_journal, events) = Journal::open(storage, "pk_demo");
    /// assert!(events.is_empty());
    /// ```
    pub fn open(store: S, env: &str) -> (Self, Vec<Event>) {
        let mut j = Self {
            prefix: key(env, "j:"),
            store,
            written: Vec::new(),
        };
        let legacy = key(env, "journal");
        let old = j.store.get(&legacy);
        let mut events: Vec<Event> = old
            .as_deref()
            .and_then(crate::json::parse)
            .as_ref()
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(Event::from_json_value).collect())
            .unwrap_or_default();
        for k in sorted_keys(&j.store, &j.prefix) {
            let v = j.store.get(&k).and_then(|v| crate::json::parse(&v));
            match v.as_ref().and_then(Event::from_json_value) {
                Some(e) => {
                    j.written.push(e.id);
                    events.push(e);
                }
                None => j.store.remove(&k),
            }
        }
        // The old array is written out one key per event before it goes, so a crash in
        // between loses nothing.
        if old.is_some() && j.save(&events).is_ok() {
            j.store.remove(&legacy);
        }
        (j, events)
    }

    /// Make storage hold `journal` (oldest first), writing only what changed since the last
    /// save: the events appended at the end, and the removal of those gone from the front.
    /// A journal that is not this page's last one plus appends (a `reset`) is written afresh.
    ///
    /// # Errors
    /// When storage refuses a write (what was written stays; the next save tries again).
    pub fn save(&mut self, journal: &[Event]) -> Result<(), StoreError> {
        // Where the journal starts in what is stored: what comes before it was trimmed.
        let start = journal
            .first()
            .and_then(|f| self.written.iter().position(|w| *w == f.id))
            .unwrap_or(self.written.len());
        let kept = self.written.len() - start;
        // What stays must be where the journal begins; else it is written afresh. (With
        // nothing kept, `start` is everything anyway.)
        let continues =
            journal.get(kept.wrapping_sub(1)).map(|e| e.id) == self.written.last().copied();
        let gone = if continues { start } else { self.written.len() };
        for id in self.written.drain(..gone) {
            self.store.remove(&format!("{}{id}", self.prefix));
        }
        for e in &journal[self.written.len()..] {
            let json = crate::json::stringify(&e.to_json_value());
            self.store.set(&format!("{}{}", self.prefix, e.id), &json)?;
            self.written.push(e.id);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::store::MemoryStore;
    use touchpoint_core::{EventKind, Timestamp};

    const T0: i64 = 1_795_392_000_000;

    fn event(n: u8) -> Event {
        let id = touchpoint_core::uuid::Uuid::v7((T0 + i64::from(n)) as u64, [n; 10]);
        let mut e = Event::new(id, EventKind::Track, Timestamp(T0 + i64::from(n)));
        e.name = Some(format!("e{n}"));
        e.anonymous_id = Some("anon".into());
        e
    }

    fn journal(range: std::ops::Range<u8>) -> Vec<Event> {
        range.map(event).collect()
    }

    /// Counts every write, to show a save writes only the difference.
    #[derive(Clone, Default)]
    struct Counting {
        inner: MemoryStore,
        writes: std::rc::Rc<std::cell::Cell<usize>>,
    }

    impl KeyValue for Counting {
        fn get(&self, key: &str) -> Option<String> {
            self.inner.get(key)
        }
        fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
            self.writes.set(self.writes.get() + 1);
            self.inner.set(key, value)
        }
        fn remove(&self, key: &str) {
            self.writes.set(self.writes.get() + 1);
            self.inner.remove(key);
        }
        fn keys(&self, prefix: &str) -> Vec<String> {
            self.inner.keys(prefix)
        }
    }

    #[test]
    fn a_save_of_a_full_journal_writes_one_key_and_removes_one() {
        let storage = Counting::default();
        let (mut j, _) = Journal::open(storage.clone(), "pk");
        j.save(&journal(0..100)).unwrap();
        storage.writes.set(0);
        // One more event, and the bound pushes the oldest out.
        j.save(&journal(1..101)).unwrap();
        assert_eq!(storage.writes.get(), 2, "one write, one removal");
        let (_, events) = Journal::open(storage, "pk");
        assert_eq!(events, journal(1..101));
    }

    #[test]
    fn the_next_page_reads_what_was_saved_oldest_first() {
        let storage = MemoryStore::new();
        let (mut j, _) = Journal::open(storage.clone(), "pk");
        j.save(&journal(0..3)).unwrap();
        j.save(&journal(0..5)).unwrap();
        let (mut next, events) = Journal::open(storage.clone(), "pk");
        assert_eq!(events, journal(0..5));
        // The next page carries on from what it read.
        next.save(&journal(2..6)).unwrap();
        assert_eq!(Journal::open(storage, "pk").1, journal(2..6));
    }

    #[test]
    fn a_reset_journal_is_written_afresh() {
        let storage = MemoryStore::new();
        let (mut j, _) = Journal::open(storage.clone(), "pk");
        j.save(&journal(0..4)).unwrap();
        j.save(&[]).unwrap();
        assert!(storage.is_empty(), "reset empties it");
        j.save(&journal(10..12)).unwrap();
        j.save(&journal(20..21)).unwrap();
        assert_eq!(Journal::open(storage, "pk").1, journal(20..21));
    }

    #[test]
    fn two_tabs_keep_both_journals() {
        let storage = MemoryStore::new();
        let (mut a, _) = Journal::open(storage.clone(), "pk");
        let (mut b, _) = Journal::open(storage.clone(), "pk");
        a.save(&journal(0..2)).unwrap();
        b.save(&journal(5..7)).unwrap();
        let ids: Vec<Event> = Journal::open(storage, "pk").1;
        assert_eq!(ids, [0, 1, 5, 6].map(event));
    }

    #[test]
    fn a_journal_in_the_one_array_layout_is_migrated_whole() {
        let storage = MemoryStore::new();
        let old =
            serde_json::Value::Array(journal(0..3).iter().map(Event::to_json_value).collect());
        storage
            .set("touchpoint:pk:journal", &old.to_string())
            .unwrap();
        storage.set("touchpoint:pk:j:junk", "not json").unwrap();
        let (_, events) = Journal::open(storage.clone(), "pk");
        assert_eq!(events, journal(0..3));
        assert_eq!(
            storage.get("touchpoint:pk:journal"),
            None,
            "the old key is gone"
        );
        assert_eq!(
            storage.len(),
            3,
            "one key per event, the unreadable one removed"
        );
        assert_eq!(Journal::open(storage, "pk").1, journal(0..3));
    }
}
