//! The persistent event queue, shared by every tab of one origin and kept per publishable
//! key.
//!
//! # Layout
//! One storage key per event: `touchpoint:{key}:q:{event id}`, whose value is a one-letter
//! category tag (`s`ervice or `m`arketing, see [`super::consent`]) followed by the event's
//! JSON, exactly as it will be sent. Event ids are UUIDv7, so the lexical order of the keys
//! is the order in which the events happened, and "oldest first" needs no extra index.
//!
//! # Why recording costs the same whatever the queue holds
//! Queuing an event is one write of one key ([`Queue::push`]); nothing reads or counts the
//! other keys then. Listing the queue (one enumeration of the keys and a read of each) is the
//! sender's job, done when a batch may go and at most once per tick otherwise, so it is paid
//! per batch, not per event (issue 12). A crash loses nothing that was recorded: the write
//! happens in the call that recorded the event.
//!
//! # Why no event is lost between tabs
//! localStorage has no transactions: if two tabs each read a shared list, append and write it
//! back, one append is lost. This queue never does that. Every storage operation on events
//! touches one key, and each key has a single life: it is created once, by the tab in which
//! the event happened, at the moment it happened; nobody rewrites it; and it is removed once,
//! by a sender, after the collector has answered for that event (or by the bound or consent,
//! which are deliberate drops). Writes to different keys do not interfere, so appends from
//! any number of tabs all survive, and a crash at any moment leaves every event either still
//! queued (it will be sent again) or confirmed.
//!
//! # Why no event is stored twice
//! It can be *sent* twice — two tabs briefly both holding the lease, a page that dies after
//! the collector stored a batch but before the answer arrived, the `pagehide` flush racing a
//! normal send. Each resend carries the same id, and the collector stores an id once.
//!
//! # The bound, and counting what it drops once
//! The queue holds at most `bound` events (1,000 by default). Only the lease holder enforces
//! it ([`Queue::trim`], when it lists the queue), so two tabs never drop — and count — the
//! same events, and a tab never counts keys its stale view still shows after the sender
//! removed them. Events in a request are never dropped (they are about to be confirmed), nor
//! those of the last requests that got no answer (maybe stored already; they go again first,
//! and the bound may be passed by those few). What is dropped is reported by an event of its own, a `track`
//! named [`DROPPED_EVENT`] with `props.count`, queued like any other: it reaches the
//! collector at least once and is stored once, so a lost answer cannot make it count twice.
//! A report that the bound drops in turn passes its count on to the next report.
//! (Left over: an event another page sent, whose answer that page never saw, can still be
//! counted if it is dropped before it is sent again.)
use super::consent::{Category, Consent};
use super::store::{key, sorted_keys, KeyValue, StoreError};
use touchpoint_core::event::DROPPED_EVENT;
use touchpoint_core::uuid::Uuid;

/// The largest event, in bytes of JSON, the queue accepts: one must fit in a keepalive
/// request (under 64 KB) with the batch around it.
pub const MAX_EVENT_BYTES: usize = 60 * 1024;

/// Why an event could not be queued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    /// The event's JSON is larger than [`MAX_EVENT_BYTES`].
    #[error("event {id} is {bytes} bytes of JSON, over the {MAX_EVENT_BYTES}-byte limit")]
    TooLarge {
        /// The event id.
        id: String,
        /// Its size.
        bytes: usize,
    },
    /// The event has no usable id.
    #[error("an event needs a non-empty string id")]
    NoId,
    /// The storage refused it.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One queued event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// Its id.
    pub id: String,
    /// Its consent category.
    pub category: Category,
    /// Its JSON, as it will be sent.
    pub json: String,
}

/// The report of `count` dropped events, as the event `id` made at `now` for the browser
/// `anonymous_id`: a `track` named [`DROPPED_EVENT`] with `props.count`.
///
/// # Example
/// ```
/// use touchpoint::delivery::queue::{drop_report, reported_drops};
/// use touchpoint_core::uuid::Uuid;
/// let report = drop_report(Uuid::v7(1_000, [0; 10]), 1_000, "anon-1", 7);
/// assert_eq!(reported_drops(&report.json), Some(7));
/// ```
pub fn drop_report(id: Uuid, now: u64, anonymous_id: &str, count: u64) -> Queued {
    // By hand: the event's required fields and the report (the collector fills in the rest).
    let anonymous_id = crate::json::stringify(&anonymous_id.into());
    Queued {
        id: id.to_string(),
        category: Category::Service,
        json: format!(
            r#"{{"id":"{id}","type":"track","ts":{now},"anonymous_id":{anonymous_id},"name":"{DROPPED_EVENT}","props":{{"count":{count}}}}}"#
        ),
    }
}

/// How many drops `json` reports, if it is a drop report.
pub fn reported_drops(json: &str) -> Option<u64> {
    let v = crate::json::parse(json)?;
    let named = v.get("name")?.as_str()? == DROPPED_EVENT && v.get("type")?.as_str()? == "track";
    named.then(|| v.get("props")?.get("count")?.as_u64())?
}

/// The queue of one publishable key, as seen from one tab.
#[derive(Debug)]
pub struct Queue<S> {
    store: S,
    events: String,
    bound: usize,
}

impl<S: KeyValue> Queue<S> {
    /// The queue of publishable key `env`, holding at most `bound` events. Removes the
    /// per-tab drop counters of the layout before issue 12 (their counts were overstated:
    /// every tab counted the same drops).
    ///
    /// # Example
    /// ```
    /// use touchpoint::delivery::{consent::Category, queue::Queue, store::MemoryStore};
    /// let storage = MemoryStore::new();
    /// let mut tab = Queue::new(storage.clone(), "pk_demo", 1_000);
    /// tab.push("0190a000-0000-7000-8000-000000000001", Category::Service, r#"{"id":"..."}"#)
    ///     .unwrap();
    /// // A "reload": a fresh queue object over the same storage sees the event.
    /// let mut again = Queue::new(storage, "pk_demo", 1_000);
    /// assert_eq!(again.entries().len(), 1);
    /// ```
    pub fn new(store: S, env: &str, bound: usize) -> Self {
        for k in store.keys(&key(env, "dropped:")) {
            store.remove(&k);
        }
        Self {
            events: key(env, "q:"),
            store,
            bound: bound.max(1),
        }
    }

    /// The storage underneath.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The storage key of event `id`.
    fn key(&self, id: &str) -> String {
        [self.events.as_str(), id].concat()
    }

    /// Queue an event (its id and its JSON): one write, whatever the queue holds.
    ///
    /// # Errors
    /// When the event is too large, has no id, or storage refuses it (a full storage: the
    /// sender then keeps the event in memory, see `browser`).
    pub fn push(&mut self, id: &str, category: Category, json: &str) -> Result<(), QueueError> {
        if id.is_empty() {
            return Err(QueueError::NoId);
        }
        if json.len() > MAX_EVENT_BYTES {
            return Err(QueueError::TooLarge {
                id: id.to_owned(),
                bytes: json.len(),
            });
        }
        let mut value = String::with_capacity(json.len() + 1);
        value.push(category.tag());
        value.push_str(json);
        Ok(self.store.set(&self.key(id), &value)?)
    }

    /// Enforce the bound on `entries` (the queue as [`Queue::entries`] just listed it):
    /// drop the oldest events beyond it, from storage and from `entries`, but none of `spare`
    /// (sorted: events in a request, or whose request got no answer and which may be stored
    /// already). Returns how many dropped events to report (a dropped report passes its count
    /// on).
    pub fn trim(&mut self, entries: &mut Vec<Queued>, spare: &[String]) -> u64 {
        let mut left = entries.len().saturating_sub(self.bound);
        let mut count = 0;
        entries.retain(|e| {
            if left == 0 || spare.binary_search(&e.id).is_ok() {
                return true;
            }
            left -= 1;
            self.store.remove(&self.key(&e.id));
            count += reported_drops(&e.json).unwrap_or(1);
            false
        });
        count
    }

    /// Every queued event, oldest first. Entries that are not a category tag followed by a
    /// JSON object (damaged by someone else's script) are removed, since they could never be
    /// sent.
    pub fn entries(&mut self) -> Vec<Queued> {
        let keys = sorted_keys(&self.store, &self.events);
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let Some(value) = self.store.get(&key) else {
                continue; // removed by another tab since the listing
            };
            let mut chars = value.chars();
            let category = chars.next().and_then(Category::from_tag);
            let json = chars.as_str();
            // A cheap shape check: the widget wrote every entry itself, so anything else was
            // damaged by another script (a full parse here would cost the widget its bytes).
            let valid = json.len() >= 2 && json.starts_with('{') && json.ends_with('}');
            match category {
                Some(category) if valid => out.push(Queued {
                    id: key[self.events.len()..].to_owned(),
                    category,
                    json: json.to_owned(),
                }),
                _ => self.store.remove(&key),
            }
        }
        out
    }

    /// Remove events by id (confirmed by the collector, or refused by it).
    pub fn remove<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        for id in ids {
            self.store.remove(&self.key(id));
        }
    }

    /// Remove the events `consent` does not allow (`none`: every event). Returns how many
    /// were removed.
    pub fn apply_consent(&mut self, consent: Consent) -> usize {
        let mut removed = 0;
        for e in self.entries() {
            if !consent.allows(e.category) {
                self.store.remove(&self.key(&e.id));
                removed += 1;
            }
        }
        removed
    }
}

/// The creation time (ms since the epoch) in a UUIDv7 id: its first 48 bits.
///
/// # Example
/// ```
/// use touchpoint::delivery::queue::id_millis;
/// assert_eq!(id_millis("01900000-0001-7000-8000-000000000000"), Some(0x0190_0000_0001));
/// assert_eq!(id_millis("not-a-uuid"), None);
/// ```
pub fn id_millis(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.len() < 13 || b[8] != b'-' {
        return None;
    }
    b[..8].iter().chain(&b[9..13]).try_fold(0u64, |ms, &c| {
        let digit = (c as char).to_digit(16)?;
        Some(ms << 4 | u64::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::store::MemoryStore;
    use touchpoint_core::{Event, EventKind};

    fn id(n: u64) -> String {
        touchpoint_core::event::uuid_v7(1_795_392_000_000 + n as i64, [n as u8; 10])
    }

    fn event(n: u64) -> (String, String) {
        let id = id(n);
        let json = format!(r#"{{"id":"{id}","type":"track"}}"#);
        (id, json)
    }

    fn push(q: &mut Queue<MemoryStore>, n: u64, c: Category) {
        let (id, json) = event(n);
        q.push(&id, c, &json).expect("push");
    }

    fn ids(q: &mut Queue<MemoryStore>) -> Vec<String> {
        q.entries().into_iter().map(|e| e.id).collect()
    }

    /// What the lease holder does when it lists the queue: trim it, sparing `spare`.
    fn trim(q: &mut Queue<MemoryStore>, spare: &[String]) -> u64 {
        let mut all = q.entries();
        q.trim(&mut all, spare)
    }

    /// Counts every read of storage, to show recording reads nothing.
    #[derive(Clone, Default)]
    struct Counting {
        inner: MemoryStore,
        reads: std::rc::Rc<std::cell::Cell<usize>>,
    }

    impl KeyValue for Counting {
        fn get(&self, key: &str) -> Option<String> {
            self.reads.set(self.reads.get() + 1);
            self.inner.get(key)
        }
        fn set(&self, key: &str, value: &str) -> Result<(), StoreError> {
            self.inner.set(key, value)
        }
        fn remove(&self, key: &str) {
            self.inner.remove(key);
        }
        fn keys(&self, prefix: &str) -> Vec<String> {
            self.reads.set(self.reads.get() + 1);
            self.inner.keys(prefix)
        }
    }

    #[test]
    fn pushing_reads_nothing_even_beyond_the_bound() {
        // Issue 12: recording must not cost time in proportion to the queue. A push past the
        // bound used to list every key of the origin (in every tab) to trim.
        let storage = Counting::default();
        let mut q = Queue::new(storage.clone(), "pk", 10);
        storage.reads.set(0);
        for n in 0..50 {
            let (id, json) = event(n);
            q.push(&id, Category::Service, &json).expect("push");
        }
        assert_eq!(storage.reads.get(), 0, "no read, no listing");
        assert_eq!(
            storage.inner.len(),
            50,
            "the bound waits for the lease holder"
        );
    }

    #[test]
    fn events_survive_a_fresh_queue_over_the_same_storage_in_order() {
        let storage = MemoryStore::new();
        let mut q = Queue::new(storage.clone(), "pk", 10);
        for n in [3, 1, 2] {
            push(&mut q, n, Category::Service);
        }
        drop(q);
        let mut again = Queue::new(storage, "pk", 10);
        assert_eq!(ids(&mut again), vec![id(1), id(2), id(3)], "oldest first");
        assert_eq!(again.entries()[0].json, event(1).1, "JSON kept verbatim");
    }

    #[test]
    fn two_tabs_appending_interleaved_lose_nothing() {
        let storage = MemoryStore::new();
        let mut a = Queue::new(storage.clone(), "pk", 1_000);
        let mut b = Queue::new(storage.clone(), "pk", 1_000);
        for n in 0..100 {
            if n % 2 == 0 {
                push(&mut a, n, Category::Service);
            } else {
                push(&mut b, n, Category::Service);
            }
        }
        // The sender (a) confirms a batch while b keeps appending: b's new events stay.
        let batch: Vec<String> = a.entries().into_iter().take(50).map(|e| e.id).collect();
        push(&mut b, 500, Category::Service);
        a.remove(batch.iter().map(String::as_str));
        let left = b.entries();
        assert_eq!(left.len(), 51);
        assert!(left.iter().any(|e| e.id == id(500)));
    }

    #[test]
    fn keys_are_per_publishable_key() {
        let storage = MemoryStore::new();
        let mut a = Queue::new(storage.clone(), "pk_a", 10);
        push(&mut a, 1, Category::Service);
        assert!(Queue::new(storage, "pk_b", 10).entries().is_empty());
    }

    #[test]
    fn the_bound_drops_the_oldest_and_says_how_many() {
        let storage = MemoryStore::new();
        let mut q = Queue::new(storage.clone(), "pk", 3);
        for n in 0..5 {
            push(&mut q, n, Category::Service);
        }
        assert_eq!(trim(&mut q, &[]), 2);
        assert_eq!(ids(&mut q), vec![id(2), id(3), id(4)]);
        assert_eq!(trim(&mut q, &[]), 0, "within the bound: nothing more");
    }

    #[test]
    fn events_in_a_request_or_maybe_stored_are_never_dropped() {
        // Issue 12: the drop count counted events that were stored after all.
        let storage = MemoryStore::new();
        let mut q = Queue::new(storage, "pk", 3);
        for n in 0..7 {
            push(&mut q, n, Category::Service);
        }
        let spare = vec![id(0), id(1), id(2)];
        assert_eq!(trim(&mut q, &spare), 4);
        assert_eq!(ids(&mut q), vec![id(0), id(1), id(2)], "3, 4, 5 and 6 went");
    }

    #[test]
    fn a_dropped_report_passes_its_count_on() {
        let storage = MemoryStore::new();
        let mut q = Queue::new(storage, "pk", 2);
        let report = drop_report(
            Uuid::v7(1_795_391_000_000, [9; 10]),
            1_795_391_000_000,
            "anon",
            40,
        );
        q.push(&report.id, report.category, &report.json).unwrap();
        for n in 0..2 {
            push(&mut q, n, Category::Service);
        }
        assert_eq!(trim(&mut q, &[]), 40, "the report's 40, not 1");
        assert_eq!(
            reported_drops(r#"{"type":"track","name":"other","props":{"count":3}}"#),
            None
        );
        assert_eq!(reported_drops("not json"), None);
    }

    #[test]
    fn a_drop_report_is_an_event_the_collector_takes() {
        let id = Uuid::v7(1_795_392_000_000, [1; 10]);
        let report = drop_report(id, 1_795_392_000_000, "anon-1", 12);
        let v: serde_json::Value = serde_json::from_str(&report.json).unwrap();
        let e = Event::from_json_value(&v).expect("an event");
        assert_eq!(e.validate(), Ok(()));
        assert_eq!(e.kind, EventKind::Track);
        assert_eq!(e.name.as_deref(), Some(DROPPED_EVENT));
        assert_eq!(e.props["count"], 12);
        assert_eq!(report.id, id.to_string());
    }

    #[test]
    fn the_old_per_tab_drop_counters_are_removed() {
        let storage = MemoryStore::new();
        storage.set("touchpoint:pk:dropped:tab-1", "130").unwrap();
        storage.set("touchpoint:pk:q:keep", "s{}").unwrap();
        let _ = Queue::new(storage.clone(), "pk", 10);
        assert_eq!(
            storage.keys("touchpoint:pk:"),
            vec!["touchpoint:pk:q:keep".to_owned()]
        );
    }

    #[test]
    fn a_full_storage_refuses_and_drops_nothing() {
        let storage = MemoryStore::with_limit(3);
        let mut q = Queue::new(storage, "pk", 100);
        for n in 0..3 {
            push(&mut q, n, Category::Service);
        }
        let (id3, json) = event(3);
        assert!(matches!(
            q.push(&id3, Category::Service, &json),
            Err(QueueError::Store(_))
        ));
        assert_eq!(
            ids(&mut q),
            vec![id(0), id(1), id(2)],
            "what was queued stays"
        );
    }

    #[test]
    fn oversized_and_idless_events_are_refused() {
        let mut q = Queue::new(MemoryStore::new(), "pk", 10);
        let big = format!(r#"{{"p":"{}"}}"#, "x".repeat(MAX_EVENT_BYTES));
        assert!(matches!(
            q.push("x", Category::Service, &big),
            Err(QueueError::TooLarge { .. })
        ));
        assert_eq!(q.push("", Category::Service, "{}"), Err(QueueError::NoId));
    }

    #[test]
    fn damaged_entries_are_removed_on_read() {
        let storage = MemoryStore::new();
        let mut q = Queue::new(storage.clone(), "pk", 10);
        push(&mut q, 1, Category::Service);
        storage
            .set("touchpoint:pk:q:bad1", "s[not an object]")
            .unwrap();
        storage.set("touchpoint:pk:q:bad2", "x{}").unwrap();
        storage.set("touchpoint:pk:q:bad3", "").unwrap();
        assert_eq!(q.entries().len(), 1);
        assert_eq!(storage.keys("touchpoint:pk:q:").len(), 1);
    }

    #[test]
    fn consent_filters_the_queue() {
        let storage = MemoryStore::new();
        let mut q = Queue::new(storage.clone(), "pk", 10);
        push(&mut q, 1, Category::Service);
        push(&mut q, 2, Category::Marketing);
        push(&mut q, 3, Category::Marketing);
        assert_eq!(q.apply_consent(Consent::All), 0);
        assert_eq!(q.apply_consent(Consent::Essential), 2);
        assert_eq!(q.entries().len(), 1);
        push(&mut q, 4, Category::Service);
        assert_eq!(q.apply_consent(Consent::None), 2);
        assert!(storage.is_empty(), "none leaves nothing behind");
    }

    #[test]
    fn reads_the_time_in_a_v7_id() {
        assert_eq!(id_millis(&id(0)), Some(1_795_392_000_000));
        assert_eq!(id_millis("0123456-"), None);
        assert_eq!(id_millis("0123456x-0000-7000"), None);
    }

    #[test]
    fn lists_oldest_first_whatever_order_storage_gives() {
        let storage = MemoryStore::new();
        let mut q = Queue::new(storage, "pk", 100);
        for n in [5, 3, 9, 1, 7, 3] {
            push(&mut q, n, Category::Service);
        }
        assert_eq!(ids(&mut q), [1, 3, 5, 7, 9].map(id));
    }
}
