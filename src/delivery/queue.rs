//! The persistent event queue, shared by every tab of one origin and kept per publishable
//! key.
//!
//! # Layout
//! One storage key per event: `touchpoint:{key}:q:{event id}`, whose value is a one-letter
//! category tag (`s`ervice or `m`arketing, see [`super::consent`]) followed by the event's
//! JSON, exactly as it will be sent. Event ids are UUIDv7, so the lexical order of the keys
//! is the order in which the events happened, and "oldest first" needs no extra index.
//! Besides, each tab that had to drop events keeps its own counter
//! `touchpoint:{key}:dropped:{tab id}`.
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
//! # The bound
//! The queue holds at most `bound` events (1,000 by default); beyond that the oldest are
//! removed and counted in the remover's `dropped` counter, which the next batch reports.
//! A counter is read-modify-written by its own tab and reset by the sender once reported;
//! when both happen at the same instant the count can be off by one trim. That imprecision
//! touches the diagnostic number only, never an event.
use super::consent::{Category, Consent};
use super::store::{key, KeyValue, StoreError};

/// The largest event, in bytes of JSON, the queue accepts: one must fit in a keepalive
/// request (under 64 KB) with the batch around it.
pub const MAX_EVENT_BYTES: usize = 60 * 1024;

/// How many old events one push may drop to make room in a full storage.
const MAX_DROPS_FOR_ROOM: u64 = 8;

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

/// Drop counts read for a batch, to be acknowledged once the batch is confirmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dropped {
    parts: Vec<(String, u64)>,
}

impl Dropped {
    /// The number of events dropped, over every tab.
    pub fn total(&self) -> u64 {
        self.parts.iter().map(|(_, n)| n).sum()
    }
}

/// The queue of one publishable key, as seen from one tab.
#[derive(Debug)]
pub struct Queue<S> {
    store: S,
    events: String,
    dropped: String,
    tab: String,
    bound: usize,
    /// Events known to be queued: exact after a scan, then counting this tab's appends.
    /// Other tabs' appends show up at the next scan, so the bound may be passed by what other
    /// tabs add between two scans of this tab.
    approx_len: usize,
}

impl<S: KeyValue> Queue<S> {
    /// The queue of publishable key `env` as seen from tab `tab`, holding at most `bound`
    /// events.
    ///
    /// # Example
    /// ```
    /// use touchpoint::delivery::{consent::Category, queue::Queue, store::MemoryStore};
    /// let storage = MemoryStore::new();
    /// let mut tab = Queue::new(storage.clone(), "pk_demo", "tab-1", 1_000);
    /// tab.push("0190a000-0000-7000-8000-000000000001", Category::Service, r#"{"id":"..."}"#)
    ///     .unwrap();
    /// // A "reload": a fresh queue object over the same storage sees the event.
    /// let mut again = Queue::new(storage, "pk_demo", "tab-2", 1_000);
    /// assert_eq!(again.entries().len(), 1);
    /// ```
    pub fn new(store: S, env: &str, tab: &str, bound: usize) -> Self {
        let mut q = Self {
            events: key(env, "q:"),
            dropped: key(env, "dropped:"),
            store,
            tab: tab.to_owned(),
            bound: bound.max(1),
            approx_len: 0,
        };
        q.approx_len = q.store.keys(&q.events).len();
        q
    }

    /// The storage underneath.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Queue an event (its id and its JSON); returns how many old events the bound made it
    /// drop.
    ///
    /// # Errors
    /// When the event is too large, has no id, or storage refuses it.
    pub fn push(&mut self, id: &str, category: Category, json: &str) -> Result<u64, QueueError> {
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
        let key = format!("{}{id}", self.events);
        let mut dropped = 0;
        while let Err(e) = self.store.set(&key, &value) {
            // A full storage: make room by the bound's rule (oldest first) and try again, a
            // few times at most (the storage may be full of someone else's data).
            if dropped >= MAX_DROPS_FOR_ROOM || self.make_room(1) == 0 {
                return Err(e.into());
            }
            dropped += 1;
        }
        self.approx_len += 1;
        Ok(dropped + self.trim_if_over())
    }

    fn trim_if_over(&mut self) -> u64 {
        if self.approx_len > self.bound {
            self.trim()
        } else {
            0
        }
    }

    /// Enforce the bound now: drop the oldest events beyond it and count them. Returns how
    /// many were dropped.
    pub fn trim(&mut self) -> u64 {
        let keys = self.sorted_keys();
        let over = keys.len().saturating_sub(self.bound);
        self.drop_oldest(&keys, over)
    }

    /// Drop the `n` oldest events to make room in a storage that refused a write.
    fn make_room(&mut self, n: usize) -> u64 {
        let keys = self.sorted_keys();
        self.drop_oldest(&keys, n)
    }

    fn drop_oldest(&mut self, keys: &[String], n: usize) -> u64 {
        let n = n.min(keys.len());
        for k in &keys[..n] {
            self.store.remove(k);
        }
        self.approx_len = keys.len() - n;
        let n = n as u64;
        if n > 0 {
            let key = format!("{}{}", self.dropped, self.tab);
            let before = self
                .store
                .get(&key)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
            // Best effort: a counter that cannot be written only loses the diagnostic number.
            let _ = self
                .store
                .set(&key, &(before.saturating_add(n)).to_string());
        }
        n
    }

    fn sorted_keys(&self) -> Vec<String> {
        let mut keys = self.store.keys(&self.events);
        // Insertion sort: Chromium lists localStorage keys already sorted, which makes this
        // linear there, and it is a fraction of the bytes of the standard library's sorts.
        for i in 1..keys.len() {
            let mut j = i;
            while j > 0 && keys[j - 1] > keys[j] {
                keys.swap(j - 1, j);
                j -= 1;
            }
        }
        keys
    }

    /// Every queued event, oldest first. Entries that are not a category tag followed by a
    /// JSON object (damaged by someone else's script) are removed, since they could never be
    /// sent.
    pub fn entries(&mut self) -> Vec<Queued> {
        let keys = self.sorted_keys();
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
        self.approx_len = out.len();
        out
    }

    /// Remove events by id (confirmed by the collector, or refused by it).
    pub fn remove<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        for id in ids {
            self.store.remove(&format!("{}{id}", self.events));
            self.approx_len = self.approx_len.saturating_sub(1);
        }
    }

    /// Remove the events `consent` does not allow; `none` empties the queue and the drop
    /// counters. Returns how many events were removed.
    pub fn apply_consent(&mut self, consent: Consent) -> usize {
        let mut removed = 0;
        for e in self.entries() {
            if !consent.allows(e.category) {
                self.store.remove(&format!("{}{}", self.events, e.id));
                removed += 1;
            }
        }
        if consent == Consent::None {
            for k in self.store.keys(&self.dropped) {
                self.store.remove(&k);
            }
        }
        self.approx_len = self.approx_len.saturating_sub(removed);
        removed
    }

    /// The drop counters of every tab, to report with the next batch.
    pub fn dropped(&self) -> Dropped {
        let parts = self
            .store
            .keys(&self.dropped)
            .into_iter()
            .filter_map(|k| {
                let n = self.store.get(&k)?.parse::<u64>().ok()?;
                Some((k, n))
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        Dropped { parts }
    }

    /// The batch that reported `reported` was confirmed: subtract it from the counters.
    pub fn ack_dropped(&self, reported: &Dropped) {
        for (key, n) in &reported.parts {
            let now = self
                .store
                .get(key)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
            if now <= *n {
                self.store.remove(key);
            } else {
                let _ = self.store.set(key, &(now - n).to_string());
            }
        }
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

    fn id(n: u64) -> String {
        touchpoint_core::event::uuid_v7(1_795_392_000_000 + n as i64, [n as u8; 10])
    }

    fn event(n: u64) -> (String, String) {
        let id = id(n);
        let json = format!(r#"{{"id":"{id}","type":"track"}}"#);
        (id, json)
    }

    fn push(q: &mut Queue<MemoryStore>, n: u64, c: Category) -> u64 {
        let (id, json) = event(n);
        q.push(&id, c, &json).expect("push")
    }

    #[test]
    fn events_survive_a_fresh_queue_over_the_same_storage_in_order() {
        let storage = MemoryStore::new();
        let mut q = Queue::new(storage.clone(), "pk", "t1", 10);
        for n in [3, 1, 2] {
            push(&mut q, n, Category::Service);
        }
        drop(q);
        let mut again = Queue::new(storage, "pk", "t2", 10);
        let ids: Vec<String> = again.entries().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![id(1), id(2), id(3)], "oldest first");
        assert_eq!(again.entries()[0].json, event(1).1, "JSON kept verbatim");
    }

    #[test]
    fn two_tabs_appending_interleaved_lose_nothing() {
        let storage = MemoryStore::new();
        let mut a = Queue::new(storage.clone(), "pk", "a", 1_000);
        let mut b = Queue::new(storage.clone(), "pk", "b", 1_000);
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
        let mut a = Queue::new(storage.clone(), "pk_a", "t", 10);
        push(&mut a, 1, Category::Service);
        assert!(Queue::new(storage, "pk_b", "t", 10).entries().is_empty());
    }

    #[test]
    fn the_bound_drops_the_oldest_and_the_next_batch_reports_them() {
        let storage = MemoryStore::new();
        let mut q = Queue::new(storage.clone(), "pk", "t", 3);
        for n in 0..3 {
            assert_eq!(push(&mut q, n, Category::Service), 0);
        }
        assert_eq!(push(&mut q, 3, Category::Service), 1);
        assert_eq!(push(&mut q, 4, Category::Service), 1);
        let ids: Vec<String> = q.entries().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![id(2), id(3), id(4)]);
        let dropped = q.dropped();
        assert_eq!(dropped.total(), 2);
        // Another tab dropped one too; both are reported together.
        let mut other = Queue::new(storage.clone(), "pk", "u", 3);
        assert_eq!(push(&mut other, 5, Category::Service), 1);
        let reported = q.dropped();
        assert_eq!(reported.total(), 3);
        // One more drop lands while the batch is in flight: it survives the acknowledgement.
        push(&mut q, 6, Category::Service);
        q.ack_dropped(&reported);
        assert_eq!(q.dropped().total(), 1);
    }

    #[test]
    fn a_full_storage_makes_room_by_dropping_the_oldest() {
        let storage = MemoryStore::with_limit(3);
        let mut q = Queue::new(storage, "pk", "t", 100);
        for n in 0..3 {
            push(&mut q, n, Category::Service);
        }
        // The fourth event needs room: the oldest goes, but the drop counter takes that key,
        // so the next oldest goes too; from then on one for one.
        assert_eq!(push(&mut q, 3, Category::Service), 2);
        assert_eq!(push(&mut q, 4, Category::Service), 1);
        let ids: Vec<String> = q.entries().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![id(3), id(4)]);
        assert_eq!(q.dropped().total(), 3);
    }

    #[test]
    fn oversized_and_idless_events_are_refused() {
        let mut q = Queue::new(MemoryStore::new(), "pk", "t", 10);
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
        let mut q = Queue::new(storage.clone(), "pk", "t", 10);
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
        let mut q = Queue::new(storage.clone(), "pk", "t", 2);
        push(&mut q, 1, Category::Service);
        push(&mut q, 2, Category::Marketing);
        push(&mut q, 3, Category::Marketing); // drops event 1: a drop counter exists
        assert_eq!(q.apply_consent(Consent::All), 0);
        assert_eq!(q.apply_consent(Consent::Essential), 2);
        assert!(q.entries().is_empty());
        push(&mut q, 4, Category::Service);
        assert_eq!(q.apply_consent(Consent::None), 1);
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
        let mut q = Queue::new(storage, "pk", "t", 100);
        for n in [5, 3, 9, 1, 7, 3] {
            push(&mut q, n, Category::Service);
        }
        let ids: Vec<String> = q.entries().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, [1, 3, 5, 7, 9].map(id));
    }
}
