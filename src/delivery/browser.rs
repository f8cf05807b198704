//! The browser side of delivery: localStorage (through the widget's one wrapper,
//! `effects::storage::LocalStore`), timers, `fetch` and the page-lifecycle listeners, around
//! the pure queue, lease, batching, consent and schedule modules; the clock and the jitter come
//! from `effects::platform`. Kept thin on purpose: every decision is made by a pure function
//! or by the pure [`Schedule`]; this module only carries data between them and the browser.
//!
//! Recording does not touch storage in the host's call: the event waits in a small buffer
//! that a microtask writes to the queue (one key per event) as soon as the host's script has
//! returned, so a `track()` costs a few microseconds of bookkeeping and a burst of calls in
//! one script is written together (issue 12). The crash window is the rest of that script: a
//! tab that dies before the script that recorded an event returns loses it; `pagehide`, a
//! hidden page, a look at the queue and a consent change all write the buffer first.
//!
//! One `Sender` per page (its [`Schedule`] decides when to send, back off, flush), woken by
//! - its own timer (batch deadline, retry time, lease tick — whichever is first),
//! - a recorded event that completes a full batch (a zero-delay wake),
//! - `pagehide` and `visibilitychange` (flush everything with `keepalive`),
//! - `online` and `pageshow` (try again now).
//!
//! On `pagehide`/hidden it sends every queued event it can see, whoever holds the lease, in
//! `keepalive` requests under 64 KB, and removes an event only when an answer confirms it: if
//! the page dies first, the event is still queued and the next load sends it again (same id,
//! stored once). On `pagehide` the holder also gives the lease up, so the next page or another
//! tab takes over at once instead of waiting for it to lapse; and the page never claims it
//! again (a batch aborted by the unload must not re-claim it, see [`super::lease`]) unless a
//! `pageshow` brings it back from the back-forward cache.
//!
//! Events the queue's bound dropped (or, where storage refuses events, the bound of the ones
//! kept in memory) are added up and reported by one drop-report event per look at the queue
//! ([`super::queue::drop_report`]), with one console warning per page.
use super::backoff;
use super::batch::{self, Batch, Outcome};
use super::consent::{Category, Consent};
use super::lease::{Lease, LeaseKeeper, LeaseStep};
use super::queue::{drop_report, Queue, QueueError, Queued};
use super::schedule::Schedule;
use super::store::{key, KeyValue};
use super::Config;
use crate::effects::platform::{self, now_ms, warn};
use crate::effects::storage::LocalStore;
use crate::effects::transport;
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use std::cell::RefCell;

/// A request on its way, with what to settle when it is answered.
struct Outbound {
    seq: u32,
    url: String,
    batch: Batch,
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
    /// When to send, wait, back off or flush.
    schedule: Schedule,
    /// The wake timer the schedule asked for last.
    timer: Option<Timeout>,
    warned: Vec<String>,
    /// Events recorded and not written yet, and the timer that writes them.
    buffer: Vec<(String, Category, serde_json::Value)>,
    flush_due: bool,
    after_flush: fn(bool),
    /// This browser's anonymous id, the identity of drop reports.
    anonymous_id: String,
    /// Events dropped and not reported yet.
    lost: u64,
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
/// `/`), with the default settings: resumes whatever earlier pages left queued. Drop reports
/// carry `anonymous_id`; `after_flush(hiding)` runs each time the buffer has been written,
/// on each tick, and (`hiding`) when the page is hidden or goes away: the runtime saves the
/// journal then, so one timer and one set of page-lifecycle listeners serve both.
pub fn start(api: &str, env: &str, anonymous_id: &str, after_flush: fn(bool)) {
    start_with(api, env, anonymous_id, after_flush, Config::default());
}

/// [`start`] with explicit settings.
pub fn start_with(api: &str, env: &str, anonymous_id: &str, after_flush: fn(bool), config: Config) {
    let store = LocalStore::open();
    // A UUIDv7, as event ids are: unique per tab, and no second id format in the wasm.
    let tab = platform::new_event_id();
    let queue = Queue::new(store.clone(), env, config.bound);
    let consent_key = key(env, "consent");
    let consent = stored_consent(&store, &consent_key);
    let sender = Sender {
        url: format!("{api}v1/events?key={env}"),
        lease_key: key(env, "lease"),
        consent_key,
        keeper: LeaseKeeper::new(tab, config.lease),
        schedule: Schedule::new(&config),
        config,
        queue,
        store,
        overflow: Vec::new(),
        owner: false,
        consent,
        timer: None,
        warned: Vec::new(),
        buffer: Vec::new(),
        flush_due: false,
        after_flush,
        anonymous_id: anonymous_id.to_owned(),
        lost: 0,
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
/// queue when the current task is over (unless consent forbids its `category`); sent within
/// the batch interval.
pub fn record(event: serde_json::Value, category: Category) {
    let Some(id) = event.get("id").and_then(|v| v.as_str()).map(str::to_owned) else {
        return warn("an event without a string id was not recorded");
    };
    let now = now_ms();
    with(|s| s.record(id, category, event, now));
}

/// Write the buffered events to the queue (the microtask `flush_soon` queues).
fn flush() {
    flush_then(false);
}

/// Write the buffered events to the queue, then run `after_flush(hiding)`.
fn flush_then(hiding: bool) {
    if let Some(after) = with(|s| {
        s.flush();
        s.after_flush
    }) {
        after(hiding);
    }
}

/// Write the buffer (and run `after_flush`) when the current task is over.
pub fn flush_soon() {
    with(Sender::flush_soon);
}

/// Apply and remember the user's consent: `none` stops recording and empties the queue,
/// `essential` keeps only service events.
pub fn consent(consent: Consent) {
    with(|s| {
        s.flush();
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
        EventListener::new(&window, "pageshow", |_| {
            with(|s| s.keeper.rejoin());
            wake();
        }),
        EventListener::new(&window, "online", |_| {
            with(|s| s.schedule.online());
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
    flush_then(false);
    let now = now_ms();
    if let Some(Some(out)) = with(|s| s.tick(now)) {
        send(out, false);
    }
}

/// Flush everything with `keepalive` (the page is being hidden, or going away).
fn hide(page_gone: bool) {
    flush_then(true);
    let now = now_ms();
    with(|s| s.hide(page_gone, now));
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
    fn record(&mut self, id: String, category: Category, event: serde_json::Value, now: u64) {
        self.consent = stored_consent(&self.store, &self.consent_key);
        if !self.consent.allows(category) {
            return;
        }
        self.buffer.push((id, category, event));
        self.flush_soon();
        if let Some(delay) = self.schedule.recorded(now) {
            self.set_timer(delay);
        }
    }

    /// A microtask, not a timer: it runs as soon as the host's script has returned, in the
    /// same task, and costs no new JS closure (a `setTimeout` closure per burst was a tenth of
    /// a millisecond of the call).
    fn flush_soon(&mut self) {
        if !std::mem::replace(&mut self.flush_due, true) {
            wasm_bindgen_futures::spawn_local(async { flush() });
        }
    }

    /// Write the buffer to the queue, oldest first.
    fn flush(&mut self) {
        self.flush_due = false;
        for (id, category, event) in std::mem::take(&mut self.buffer) {
            let json = crate::json::stringify(&event);
            self.queue_event(Queued { id, category, json });
        }
    }

    /// Write an event to the queue (one write), or keep it in memory when storage refuses.
    fn queue_event(&mut self, e: Queued) {
        match self.queue.push(&e.id, e.category, &e.json) {
            Ok(()) => {}
            Err(QueueError::Store(_)) => {
                if self.store.is_persistent() {
                    self.warn_once("localStorage is full; events are kept in memory");
                }
                if self.overflow.len() >= self.config.bound {
                    self.overflow.remove(0);
                    self.lost += 1;
                }
                self.overflow.push(e);
            }
            Err(e) => self.warn_once(&format!("event not recorded: {e}")),
        }
    }

    /// Queue one report of the events dropped since the last one, if any were.
    fn report_lost(&mut self, now: u64) {
        if self.lost == 0 {
            return;
        }
        self.warn_once("the event queue is full: the oldest events were dropped");
        let id = touchpoint_core::uuid::Uuid::v7(now, platform::random10());
        let report = drop_report(id, now, &self.anonymous_id, self.lost);
        self.lost = 0;
        self.queue_event(report);
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
        self.consent = stored_consent(&self.store, &self.consent_key);
        // When the lease needs a look before the next tick, if it does.
        let mut lease_at = None;
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
                    lease_at = Some(now.saturating_add(self.config.lease.settle_ms));
                }
                LeaseStep::Wait { until } => {
                    self.owner = false;
                    lease_at = Some(until.max(now + 1));
                }
            }
        } else {
            // Nothing is shared with other tabs: this page sends its own events.
            self.owner = true;
        }
        let (owner, consent) = (self.owner, self.consent);
        let mut lost = 0;
        let next = self.schedule.woke(now, lease_at, |spare| {
            let mut all = if owner {
                let mut all = self.queue.entries();
                lost = self.queue.trim(&mut all, spare);
                all
            } else {
                Vec::new()
            };
            all.extend(self.overflow.iter().cloned());
            if all.iter().any(|e| !consent.allows(e.category)) {
                apply_consent(&mut self.queue, &mut self.overflow, consent);
                all.retain(|e| consent.allows(e.category));
            }
            all
        });
        self.lost += lost;
        self.report_lost(now);
        let out = next.send.and_then(|head| self.begin(&head, now));
        self.set_timer(next.wake_in);
        out
    }

    fn begin(&mut self, head: &[Queued], now: u64) -> Option<Outbound> {
        let first = batch::chunks(head, now, &self.config.batch)
            .into_iter()
            .next()?;
        Some(Outbound {
            seq: self.schedule.sending(now, &first.ids),
            url: self.url.clone(),
            batch: first,
        })
    }

    fn settle(&mut self, out: &Outbound, outcome: Outcome, now: u64) {
        let next = batch::settle(outcome);
        self.apply(out, &next);
        self.schedule
            .answered(out.seq, &next, now, platform::random_unit());
    }

    fn apply(&mut self, out: &Outbound, next: &batch::Settlement) {
        if next.forget {
            self.forget(&out.batch.ids);
        }
        if let Some(w) = &next.warning {
            self.warn_once(w);
        }
    }

    /// Send every request the schedule hands out (`send` only queues a task, so this does not
    /// re-enter the sender).
    fn hide(&mut self, page_gone: bool, now: u64) {
        self.consent = stored_consent(&self.store, &self.consent_key);
        let mut all = self.queue.entries();
        all.extend(self.overflow.iter().cloned());
        let consent = self.consent;
        all.retain(|e| consent.allows(e.category));
        self.schedule.hide(all, now, |batch| {
            let out = Outbound {
                seq: 0,
                url: self.url.clone(),
                batch,
            };
            send(out, true);
        });
        if page_gone {
            // From now on this page never claims the lease (see `lease`).
            if self.keeper.leave(self.stored_lease().as_ref()) {
                self.store.remove(&self.lease_key);
            }
            self.owner = false;
        }
    }

    fn settle_keepalive(&mut self, out: &Outbound, outcome: Outcome) {
        self.schedule.keepalive_answered(&out.batch);
        // A failed keepalive request changes no backoff: the events simply stay queued.
        let next = batch::settle(outcome);
        self.apply(out, &next);
    }

    fn forget(&mut self, ids: &[String]) {
        self.queue.remove(ids.iter().map(String::as_str));
        if !self.overflow.is_empty() {
            self.overflow.retain(|e| !ids.contains(&e.id));
        }
    }

    fn apply_consent(&mut self) {
        apply_consent(&mut self.queue, &mut self.overflow, self.consent);
    }

    /// One console warning per distinct message, so a broken setup does not flood the
    /// console with one line per batch.
    fn warn_once(&mut self, message: &str) {
        if !self.warned.iter().any(|m| m == message) {
            self.warned.push(message.to_owned());
            warn(message);
        }
    }

    /// Replace the wake timer (dropping the old one cancels it).
    fn set_timer(&mut self, delay: u32) {
        self.timer = Some(Timeout::new(delay, wake));
    }
}

fn apply_consent(queue: &mut Queue<LocalStore>, overflow: &mut Vec<Queued>, consent: Consent) {
    queue.apply_consent(consent);
    overflow.retain(|e| consent.allows(e.category));
}
