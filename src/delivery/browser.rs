//! The browser side of delivery: localStorage (through the widget's one wrapper,
//! `effects::storage::LocalStore`), timers, `fetch` and the page-lifecycle listeners, around
//! the pure queue, lease, batching, backoff and consent modules; the clock and the jitter come
//! from `effects::platform`. Kept thin
//! on purpose: every decision is made by a pure function; this module only carries data
//! between them and the browser.
//!
//! One `Sender` per page, woken by
//! - its own timer (batch deadline, retry time, lease tick — whichever is first),
//! - a recorded event (a zero-delay wake, so a burst of calls costs one scan),
//! - `pagehide` and `visibilitychange` (flush everything with `keepalive`),
//! - `online` and `pageshow` (try again now).
//!
//! On `pagehide`/hidden it sends every queued event it can see, whoever holds the lease, in
//! `keepalive` requests under 64 KB, and removes an event only when an answer confirms it: if
//! the page dies first, the event is still queued and the next load sends it again (same id,
//! stored once). On `pagehide` the holder also gives the lease up, so the next page or another
//! tab takes over at once instead of waiting for it to lapse.
use super::backoff;
use super::batch::{self, Batch, Outcome, Plan};
use super::consent::{Category, Consent};
use super::lease::{Lease, LeaseKeeper, LeaseStep};
use super::queue::{Dropped, Queue, QueueError, Queued};
use super::store::{key, KeyValue};
use super::Config;
use crate::effects::platform::{self, now_ms, warn};
use crate::effects::storage::LocalStore;
use crate::effects::transport;
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use std::cell::RefCell;

/// How long a normal batch may go unanswered before the sender stops waiting for it.
const STALE_MS: u64 = 30_000;

/// What the browser allows in flight in `keepalive` request bodies per page.
const KEEPALIVE_BUDGET: usize = 64 * 1024;

/// A request on its way, with what to settle when it is answered.
struct Outbound {
    seq: u32,
    url: String,
    batch: Batch,
    reported: Dropped,
}

struct Sender {
    url: String,
    lease_key: String,
    consent_key: String,
    config: Config,
    store: LocalStore,
    queue: Queue<LocalStore>,
    /// Events the storage refused (full even after making room, or no localStorage at all):
    /// kept for this page only, and sent by this tab whether or not it holds the lease (no
    /// other tab can see them). They come after the queue's events in a batch.
    overflow: Vec<Queued>,
    keeper: LeaseKeeper,
    owner: bool,
    consent: Consent,
    /// The normal batch in flight (one at a time): its number and when it left.
    busy: Option<(u32, u64)>,
    sent: u32,
    /// Ids in `keepalive` requests in flight, and their bytes.
    keepalive: Vec<String>,
    keepalive_bytes: usize,
    attempt: u32,
    not_before: u64,
    timer: Option<(u64, Timeout)>,
    warned: Vec<String>,
    _listeners: Vec<EventListener>,
}

thread_local! {
    static SENDER: RefCell<Option<Sender>> = const { RefCell::new(None) };
}

/// Run `f` on the sender. No caller re-enters (listeners, timers and futures each run as their
/// own task), so the borrow only fails before [`start`] — never a panic.
fn with<R>(f: impl FnOnce(&mut Sender) -> R) -> Option<R> {
    SENDER.with(|s| {
        let mut guard = s.try_borrow_mut().ok()?;
        guard.as_mut().map(f)
    })
}

/// Start delivering the queue of publishable key `env` to the collector at `api` (ending in
/// `/`), with the default settings: resumes whatever earlier pages left queued.
pub fn start(api: &str, env: &str) {
    start_with(api, env, Config::default());
}

/// [`start`] with explicit settings.
pub fn start_with(api: &str, env: &str, config: Config) {
    let store = LocalStore::open();
    // A UUIDv7, as event ids are: unique per tab, and no second id format in the wasm.
    let tab = platform::new_event_id();
    let queue = Queue::new(store.clone(), env, &tab, config.bound);
    let consent_key = key(env, "consent");
    let consent = stored_consent(&store, &consent_key);
    let sender = Sender {
        url: format!("{api}v1/events?key={env}"),
        lease_key: key(env, "lease"),
        consent_key,
        keeper: LeaseKeeper::new(tab, config.lease),
        config,
        queue,
        store,
        overflow: Vec::new(),
        owner: false,
        consent,
        busy: None,
        sent: 0,
        keepalive: Vec::new(),
        keepalive_bytes: 0,
        attempt: 0,
        not_before: 0,
        timer: None,
        warned: Vec::new(),
        _listeners: listeners(),
    };
    SENDER.with(|s| {
        if let Ok(mut slot) = s.try_borrow_mut() {
            *slot = Some(sender);
        }
    });
    wake();
}

/// Record one event: an opaque JSON object with a string `id`. Written to the persistent
/// queue at once (unless consent forbids its `category`); sent within the batch interval.
pub fn record(event: &serde_json::Value, category: Category) {
    let Some(id) = event.get("id").and_then(|v| v.as_str()) else {
        return warn("an event without a string id was not recorded");
    };
    let json = crate::json::stringify(event);
    let now = now_ms();
    with(|s| s.record(id, category, json, now));
}

/// Apply and remember the user's consent: `none` stops recording and empties the queue,
/// `essential` keeps only service events.
pub fn consent(consent: Consent) {
    with(|s| {
        if s.store.set(&s.consent_key, consent.as_str()).is_err() {
            s.warn_once("could not remember the consent state; it holds for this page only");
        }
        s.consent = consent;
        s.apply_consent();
    });
}

fn stored_consent(store: &LocalStore, key: &str) -> Consent {
    store
        .get(key)
        .and_then(|v| Consent::parse(&v).ok())
        .unwrap_or_default()
}

fn listeners() -> Vec<EventListener> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let mut out = vec![
        EventListener::new(&window, "pagehide", |_| hide(true)),
        EventListener::new(&window, "pageshow", |_| wake()),
        EventListener::new(&window, "online", |_| {
            with(|s| {
                s.attempt = 0;
                s.not_before = 0;
            });
            wake();
        }),
    ];
    if let Some(document) = window.document() {
        out.push(EventListener::new(&document, "visibilitychange", |_| {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden());
            if hidden {
                hide(false);
            } else {
                wake();
            }
        }));
    }
    out
}

/// Look at the lease and the queue; send a batch if one is due; set the next wake.
fn wake() {
    let now = now_ms();
    if let Some(Some(out)) = with(|s| s.tick(now)) {
        send(out, false);
    }
}

/// Flush everything with `keepalive` (the page is being hidden, or going away).
fn hide(page_gone: bool) {
    let now = now_ms();
    for out in with(|s| s.hide(page_gone, now)).unwrap_or_default() {
        send(out, true);
    }
}

/// Send a batch; a normal one settles the retry state and wakes the sender, a `keepalive` one
/// (from `hide`) only settles its events. One function, so the widget carries one state
/// machine for both.
fn send(out: Outbound, keepalive: bool) {
    wasm_bindgen_futures::spawn_local(async move {
        let answer = transport::post_batch(&out.url, &out.batch.body, keepalive).await;
        let now = now_ms();
        let outcome = interpret(answer, now);
        with(|s| {
            if keepalive {
                s.settle_keepalive(&out, outcome);
            } else {
                s.settle(&out, outcome, now);
            }
        });
        if !keepalive {
            wake();
        }
    });
}

fn interpret(answer: Result<transport::Answer, transport::TransportError>, now: u64) -> Outcome {
    match answer {
        Ok(a) => {
            let retry_after = a
                .retry_after
                .as_deref()
                .and_then(|v| retry_after_ms(v, now));
            batch::classify(Some(a.status), &a.body, retry_after)
        }
        Err(_) => batch::classify(None, "", None),
    }
}

/// `Retry-After` as seconds, or as an HTTP date read by `Date.parse`.
fn retry_after_ms(value: &str, now: u64) -> Option<u64> {
    backoff::retry_after_seconds(value).or_else(|| {
        let at = js_sys::Date::parse(value);
        // A float-to-int cast saturates: a date in the past becomes 0.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        at.is_finite().then(|| (at as u64).saturating_sub(now))
    })
}

impl Sender {
    fn record(&mut self, id: &str, category: Category, json: String, now: u64) {
        self.consent = stored_consent(&self.store, &self.consent_key);
        if !self.consent.allows(category) {
            return;
        }
        match self.queue.push(id, category, &json) {
            Ok(_) => {}
            Err(QueueError::Store(_)) => {
                if self.store.is_persistent() {
                    self.warn_once("localStorage is full; events are kept in memory");
                }
                if self.overflow.len() >= self.config.bound {
                    self.overflow.remove(0);
                }
                self.overflow.push(Queued {
                    id: id.to_owned(),
                    category,
                    json,
                });
            }
            Err(e) => self.warn_once(&format!("event not recorded: {e}")),
        }
        self.arm(now, now);
    }

    fn stored_lease(&self) -> Option<Lease> {
        self.store
            .get(&self.lease_key)
            .and_then(|v| Lease::from_json(&v))
    }

    fn write_lease(&self, lease: &Lease) {
        let _ = self.store.set(&self.lease_key, &lease.to_json());
    }

    fn tick(&mut self, now: u64) -> Option<Outbound> {
        // The timer that woke us (if any) is spent; a new one is set below.
        self.timer = None;
        self.consent = stored_consent(&self.store, &self.consent_key);
        let mut next = now.saturating_add(self.config.tick_ms);
        if self.store.is_persistent() {
            match self.keeper.step(self.stored_lease().as_ref(), now) {
                LeaseStep::Owner { renew } => {
                    if let Some(l) = renew {
                        self.write_lease(&l);
                    }
                    self.owner = true;
                }
                LeaseStep::Claim(l) => {
                    self.write_lease(&l);
                    self.owner = false;
                    next = next.min(now.saturating_add(self.config.lease.settle_ms));
                }
                LeaseStep::Wait { until } => {
                    self.owner = false;
                    next = next.min(until.max(now + 1));
                }
            }
        } else {
            // Nothing is shared with other tabs: this page sends its own events.
            self.owner = true;
        }
        if self
            .busy
            .is_some_and(|(_, since)| now.saturating_sub(since) > STALE_MS)
        {
            // No answer for this long: stop waiting. Its events go again (same ids); a late
            // answer still settles them.
            self.busy = None;
        }
        let mut out = None;
        if self.not_before > now {
            next = next.min(self.not_before);
        } else if self.busy.is_none() {
            let pending = self.pending();
            match batch::plan(&pending, now, self.not_before, &self.config.batch) {
                Plan::At(t) if t <= now => out = self.begin(&pending, now),
                Plan::At(t) => next = next.min(t),
                Plan::Idle => {}
            }
        }
        self.arm(next, now);
        out
    }

    /// Everything this tab should send now, oldest first: the shared queue when it holds the
    /// lease, and its own overflow always; minus what consent forbids and what is already in
    /// a keepalive request.
    fn pending(&mut self) -> Vec<Queued> {
        let mut all = if self.owner {
            self.queue.trim();
            self.queue.entries()
        } else {
            Vec::new()
        };
        all.extend(self.overflow.iter().cloned());
        let consent = self.consent;
        if all.iter().any(|e| !consent.allows(e.category)) {
            self.apply_consent();
            all.retain(|e| consent.allows(e.category));
        }
        all.retain(|e| !self.keepalive.contains(&e.id));
        all
    }

    fn begin(&mut self, pending: &[Queued], now: u64) -> Option<Outbound> {
        let head = &pending[..pending.len().min(self.config.batch.max_events)];
        let dropped = if self.owner {
            self.queue.dropped()
        } else {
            Dropped::default()
        };
        let first = batch::chunks(head, dropped.total(), now, &self.config.batch)
            .into_iter()
            .next()?;
        let reported = if first.dropped > 0 {
            dropped
        } else {
            Dropped::default()
        };
        self.sent = self.sent.wrapping_add(1);
        self.busy = Some((self.sent, now));
        Some(Outbound {
            seq: self.sent,
            url: self.url.clone(),
            batch: first,
            reported,
        })
    }

    fn settle(&mut self, out: &Outbound, outcome: Outcome, now: u64) {
        if self.busy.is_some_and(|(seq, _)| seq == out.seq) {
            self.busy = None;
        }
        let next = batch::settle(outcome, out.batch.dropped);
        self.apply(out, &next);
        match next.backoff {
            Some(retry_after_ms) => {
                let delay = self.config.backoff.delay_ms(
                    self.attempt,
                    platform::random_unit(),
                    retry_after_ms,
                );
                self.attempt = self.attempt.saturating_add(1);
                self.not_before = now.saturating_add(delay);
            }
            None if next.forget => {
                self.attempt = 0;
                self.not_before = 0;
            }
            None => {}
        }
    }

    fn apply(&mut self, out: &Outbound, next: &batch::Settlement) {
        if next.forget {
            self.forget(&out.batch.ids);
        }
        if next.ack_dropped {
            self.queue.ack_dropped(&out.reported);
        }
        if let Some(w) = &next.warning {
            self.warn_once(w);
        }
    }

    fn hide(&mut self, page_gone: bool, now: u64) -> Vec<Outbound> {
        self.consent = stored_consent(&self.store, &self.consent_key);
        let mut all = self.queue.entries();
        all.extend(self.overflow.iter().cloned());
        let consent = self.consent;
        all.retain(|e| consent.allows(e.category) && !self.keepalive.contains(&e.id));
        let mut outs = Vec::new();
        for chunk in batch::chunks(&all, 0, now, &self.config.batch) {
            if self.keepalive_bytes + chunk.body.len() > KEEPALIVE_BUDGET {
                break; // the rest waits for the next page load
            }
            self.keepalive_bytes += chunk.body.len();
            self.keepalive.extend(chunk.ids.iter().cloned());
            outs.push(Outbound {
                seq: 0,
                url: self.url.clone(),
                batch: chunk,
                reported: Dropped::default(),
            });
        }
        if page_gone {
            if self.keeper.releases(self.stored_lease().as_ref()) {
                self.store.remove(&self.lease_key);
            }
            self.owner = false;
        }
        outs
    }

    fn settle_keepalive(&mut self, out: &Outbound, outcome: Outcome) {
        self.keepalive_bytes = self.keepalive_bytes.saturating_sub(out.batch.body.len());
        self.keepalive.retain(|id| !out.batch.ids.contains(id));
        // A failed keepalive request changes no backoff: the events simply stay queued.
        let next = batch::settle(outcome, out.batch.dropped);
        self.apply(out, &next);
    }

    fn forget(&mut self, ids: &[String]) {
        self.queue.remove(ids.iter().map(String::as_str));
        if !self.overflow.is_empty() {
            self.overflow.retain(|e| !ids.contains(&e.id));
        }
    }

    fn apply_consent(&mut self) {
        let consent = self.consent;
        self.queue.apply_consent(consent);
        self.overflow.retain(|e| consent.allows(e.category));
    }

    /// One console warning per distinct message, so a broken setup does not flood the
    /// console with one line per batch.
    fn warn_once(&mut self, message: &str) {
        if !self.warned.iter().any(|m| m == message) {
            self.warned.push(message.to_owned());
            warn(message);
        }
    }

    /// Wake at `at` unless a wake is already set for no later.
    fn arm(&mut self, at: u64, now: u64) {
        if self.timer.as_ref().is_some_and(|(t, _)| *t <= at) {
            return;
        }
        // setTimeout takes a signed 32-bit delay; anything larger would fire at once.
        let delay = u32::try_from(at.saturating_sub(now).min(i32::MAX as u64)).unwrap_or(0);
        self.timer = Some((at, Timeout::new(delay, wake)));
    }
}
