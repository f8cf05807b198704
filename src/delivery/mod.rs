//! Event delivery: nothing lost, nothing stored twice.
//!
//! Every engagement event gets its UUIDv7 id when it happens and is written to a persistent
//! queue in localStorage as soon as the host's script that recorded it returns (see
//! `browser`), so a reload, a crash or a closed tab does not lose it.
//! One tab per origin (the holder of a lease) sends the queue to the collector in batches,
//! retries what failed with backoff and jitter, and removes an event only when the collector
//! has answered for it. Because a resend carries the same id and the collector stores each id
//! once, at-least-once sending gives exactly-once storage.
//!
//! The pieces, pure and natively tested unless marked:
//! - [`queue`]: the persistent queue over a [`store::KeyValue`], one key per event; its module
//!   docs give the argument why tabs appending at once lose nothing;
//! - [`lease`]: which tab sends;
//! - [`batch`]: when to send, how to cut requests under 64 KB, what an answer means;
//! - [`backoff`]: when to retry;
//! - [`schedule`]: the sending schedule: a backlog drained at network speed, backoff,
//!   keepalive flush;
//! - [`consent`]: what the user allowed;
//! - `browser` (wasm32): storage, timers, `fetch`, page-lifecycle listeners, and the
//!   functions the runtime and the JS API call.
//!
//! The queue treats an event as an opaque JSON object with a string `id` (its own drop
//! reports aside): the event schema belongs to the core and can change without touching
//! delivery.
pub mod backoff;
pub mod batch;
pub mod consent;
pub mod lease;
pub mod queue;
pub mod schedule;
pub mod store;

#[cfg(target_arch = "wasm32")]
pub mod browser;

/// Every delivery setting, with the defaults the widget ships with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Most events kept in the queue (oldest dropped first).
    pub bound: usize,
    /// Batching.
    pub batch: batch::BatchConfig,
    /// Retries.
    pub backoff: backoff::Backoff,
    /// The sending lease.
    pub lease: lease::LeaseConfig,
    /// How often a tab looks at the lease (and renews it), in ms.
    pub tick_ms: u64,
    /// How many normal batches may be in flight at once (each with other events).
    pub in_flight: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bound: 1_000,
            batch: batch::BatchConfig::default(),
            backoff: backoff::Backoff::default(),
            lease: lease::LeaseConfig::default(),
            tick_ms: 1_000,
            in_flight: 2,
        }
    }
}
