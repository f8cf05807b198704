//! The sending schedule: when this page sends a batch, waits, backs off or flushes on hide.
//!
//! The browser layer owns the effects (storage, `fetch`, timers, listeners); this state machine
//! owns the decisions. Each method takes the current time (ms since the epoch) and, where a
//! choice is random, the draw, and says what to do; nothing here reads a clock, a random
//! generator or the browser, so every transition is tested natively.
//!
//! The rules:
//! - recording costs nothing here but a count: an event wakes the sender at once only when
//!   it completes a full batch that could go now; otherwise the wake already set (the tick,
//!   at most `tick_ms` away, or the batch deadline) will do. So a `track()` never makes the
//!   page look at the whole queue (issue 12: that was one read of every queued key per call);
//! - a batch goes when [`batch::plan`] says so (up to `max_events` events, or once the oldest
//!   has waited `max_wait_ms`), never before the backoff's `not_before`;
//! - a backlog drains at network speed: the answer to a batch wakes the sender, which sends
//!   the next one at once if it is due; and up to `in_flight` batches travel together, each
//!   with events none of the others carries (a batch is the oldest waiting events that are in
//!   no request yet), so the collector's round trip does not cap the rate at one batch per
//!   answer. Which one is stored first does not matter: each event carries its own time, and
//!   the collector stores each id once;
//! - a batch left unanswered for [`STALE_MS`] is given up (its events go again with the same
//!   ids, and a late answer still settles them);
//! - a retryable answer backs off with full jitter, never sooner than the `Retry-After`; a
//!   confirmed answer (or coming back online) resets the backoff. While backing off, the
//!   queue is still looked at once per tick, so the lease holder can keep it within its bound;
//! - on hide, every event not already in a `keepalive` request goes in `keepalive` requests,
//!   within the browser's 64 KB budget for them; a keepalive answer changes no backoff;
//! - the page keeps one wake timer, for the earliest of: the next lease tick, the lease's own
//!   deadline, the retry time and the batch deadline.
use super::backoff::Backoff;
use super::batch::{self, Batch, BatchConfig, Plan};
use super::queue::Queued;
use super::store::sort;
use super::Config;

/// How long a normal batch may go unanswered before the schedule stops waiting for it, in ms.
pub const STALE_MS: u64 = 30_000;

/// What the browser allows in flight in `keepalive` request bodies per page, in bytes.
pub const KEEPALIVE_BUDGET: usize = 64 * 1024;

/// What to do after a wake.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Next {
    /// Send a batch of these events now (oldest first, at most `max_events`); call
    /// [`Schedule::sending`] with the ids of the request once it is on its way.
    pub send: Option<Vec<Queued>>,
    /// Set the wake timer to fire in this many ms, replacing the one set before.
    pub wake_in: u32,
}

/// A normal batch on its way.
#[derive(Debug, Clone, PartialEq)]
struct Flight {
    seq: u32,
    since: u64,
    ids: Vec<String>,
}

/// The schedule's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    batch: BatchConfig,
    backoff: Backoff,
    tick_ms: u64,
    max_in_flight: usize,
    /// The normal batches in flight.
    in_flight: Vec<Flight>,
    /// The number of the last normal batch sent.
    sent: u32,
    /// Failed attempts since the last confirmed one.
    attempt: u32,
    /// No normal batch goes before this time.
    not_before: u64,
    /// When the wake timer set last fires, if one is set.
    armed: Option<u64>,
    /// Ids in `keepalive` requests in flight, and the bytes of those requests.
    keepalive: Vec<String>,
    keepalive_bytes: usize,
    /// The events of the last normal requests that got no answer (maybe stored): they go
    /// again, and the queue's bound spares them meanwhile.
    unanswered: Vec<String>,
    /// Events waiting and in no request, as of the last look plus those recorded since.
    known: usize,
    /// When the queue was last looked at.
    looked_at: Option<u64>,
}

impl Schedule {
    /// An idle schedule with `config`'s batching, backoff, tick and batches in flight.
    pub fn new(config: &Config) -> Self {
        Self {
            batch: config.batch,
            backoff: config.backoff,
            tick_ms: config.tick_ms,
            max_in_flight: config.in_flight.max(1),
            in_flight: Vec::new(),
            sent: 0,
            attempt: 0,
            not_before: 0,
            armed: None,
            keepalive: Vec::new(),
            keepalive_bytes: 0,
            unanswered: Vec::new(),
            known: 0,
            looked_at: None,
        }
    }

    /// An event was recorded at `now`: the delay of the timer to set, or `None` when the wake
    /// already set is soon enough (so a burst of events costs nothing but a count, and one
    /// look at the queue when a batch is full).
    pub fn recorded(&mut self, now: u64) -> Option<u32> {
        self.known = self.known.saturating_add(1);
        let full = self.known >= self.batch.max_events;
        let at = if full && self.can_send(now) {
            now
        } else {
            now.saturating_add(self.batch.max_wait_ms)
        };
        self.arm(at, now)
    }

    /// Whether a normal batch may leave now: a slot is free and no backoff holds.
    fn can_send(&self, now: u64) -> bool {
        self.in_flight.len() < self.max_in_flight && self.not_before <= now
    }

    /// The wake timer fired (or something else asked for a look: an answer, `online`,
    /// `pageshow`). `lease_at` is when the lease needs a look sooner than the next tick, if it
    /// does. `pending` lists what this page may send (oldest first); it is given the ids the
    /// queue's bound must spare (sorted: those in a request, and those of the last requests
    /// that got no answer). It is called when a batch could go now, and once per tick
    /// otherwise.
    pub fn woke(
        &mut self,
        now: u64,
        lease_at: Option<u64>,
        pending: impl FnOnce(&[String]) -> Vec<Queued>,
    ) -> Next {
        // The timer that woke us (if any) is spent; a new one is set below.
        self.armed = None;
        let mut next = now.saturating_add(self.tick_ms);
        if let Some(at) = lease_at {
            next = next.min(at);
        }
        self.in_flight
            .retain(|f| now.saturating_sub(f.since) <= STALE_MS);
        let free = self.can_send(now);
        if self.not_before > now {
            next = next.min(self.not_before);
        }
        let mut send = None;
        let due_look = self
            .looked_at
            .is_none_or(|t| now >= t.saturating_add(self.tick_ms));
        if free || due_look {
            self.looked_at = Some(now);
            let mut busy: Vec<String> = self.keepalive.clone();
            for f in &self.in_flight {
                busy.extend(f.ids.iter().cloned());
            }
            sort(&mut busy);
            let mut spare = [busy.as_slice(), &self.unanswered].concat();
            sort(&mut spare);
            let mut pending = pending(&spare);
            pending.retain(|e| busy.binary_search(&e.id).is_err());
            self.known = pending.len();
            if free {
                match batch::plan(&pending, now, 0, &self.batch) {
                    Plan::At(t) if t <= now => {
                        let rest = pending.split_off(self.batch.max_events.min(pending.len()));
                        // Another full batch right behind this one, if a slot is left for it
                        // (a partial one goes when an answer or the tick wakes the sender).
                        let more = self.in_flight.len() + 1 < self.max_in_flight
                            && rest.len() >= self.batch.max_events;
                        if more {
                            next = now;
                        }
                        send = Some(pending);
                    }
                    Plan::At(t) => next = next.min(t),
                    Plan::Idle => {}
                }
            }
        }
        Next {
            send,
            // Nothing is armed after the reset above, so `arm` always sets a timer.
            wake_in: self.arm(next, now).unwrap_or(0),
        }
    }

    /// The batch [`Schedule::woke`] asked for is on its way, carrying `ids` (the request may
    /// hold fewer events than offered, to stay under 64 KB): its number, to give back with
    /// its answer. Those events go in no other normal batch until it is answered or stale.
    pub fn sending(&mut self, now: u64, ids: &[String]) -> u32 {
        self.sent = self.sent.wrapping_add(1);
        self.known = self.known.saturating_sub(ids.len());
        self.in_flight.push(Flight {
            seq: self.sent,
            since: now,
            ids: ids.to_vec(),
        });
        self.sent
    }

    /// Normal batch `seq` was answered, settled as `settlement` (see [`batch::settle`]);
    /// `draw` is a uniform draw in `[0, 1)` for the backoff's jitter. Wake afterwards.
    pub fn answered(&mut self, seq: u32, settlement: &batch::Settlement, now: u64, draw: f64) {
        if let Some(at) = self.in_flight.iter().position(|f| f.seq == seq) {
            let ids = self.in_flight.remove(at).ids;
            self.unanswered.retain(|id| !ids.contains(id));
            if settlement.unanswered {
                self.unanswered.extend(ids);
                let over = self
                    .unanswered
                    .len()
                    .saturating_sub(self.max_in_flight * self.batch.max_events);
                self.unanswered.drain(..over);
            }
        }
        match settlement.backoff {
            Some(retry_after_ms) => {
                let delay = self.backoff.delay_ms(self.attempt, draw, retry_after_ms);
                self.attempt = self.attempt.saturating_add(1);
                self.not_before = now.saturating_add(delay);
            }
            None if settlement.forget => self.online(),
            None => {}
        }
    }

    /// The network is back (or a batch was confirmed): retry now, with the backoff reset.
    pub fn online(&mut self) {
        self.attempt = 0;
        self.not_before = 0;
    }

    /// The page is being hidden or going away: hands `send` each `keepalive` request to send
    /// for `events` (every event the page may send, oldest first), leaving out those already
    /// in one and stopping at the keepalive budget (the rest waits for the next page load).
    pub fn hide(&mut self, mut events: Vec<Queued>, now: u64, mut send: impl FnMut(Batch)) {
        events.retain(|e| !self.keepalive.contains(&e.id));
        for chunk in batch::chunks(&events, now, &self.batch) {
            if self.keepalive_bytes + chunk.body.len() > KEEPALIVE_BUDGET {
                break;
            }
            self.keepalive_bytes += chunk.body.len();
            self.keepalive.extend(chunk.ids.iter().cloned());
            send(chunk);
        }
    }

    /// A `keepalive` request from [`Schedule::hide`] was answered (whatever the answer: a
    /// failed one changes no backoff, its events simply stay queued).
    pub fn keepalive_answered(&mut self, sent: &Batch) {
        self.keepalive_bytes = self.keepalive_bytes.saturating_sub(sent.body.len());
        self.keepalive.retain(|id| !sent.ids.contains(id));
    }

    /// Wake at `at` unless a wake is already set for no later: the delay of the timer to set.
    fn arm(&mut self, at: u64, now: u64) -> Option<u32> {
        if self.armed.is_some_and(|t| t <= at) {
            return None;
        }
        self.armed = Some(at);
        // setTimeout takes a signed 32-bit delay; anything larger would fire at once.
        Some(u32::try_from(at.saturating_sub(now).min(i32::MAX as u64)).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::batch::{settle, Outcome};
    use crate::delivery::consent::Category;

    const T0: u64 = 1_795_392_000_000;

    /// Event `n`, recorded at `T0 + at` (its UUIDv7 id carries the time).
    fn event(n: u16, at: u64) -> Queued {
        let [hi, lo] = n.to_be_bytes();
        let id =
            touchpoint_core::event::uuid_v7((T0 + at) as i64, [hi, lo, 0, 0, 0, 0, 0, 0, 0, 0]);
        Queued {
            json: format!(r#"{{"id":"{id}"}}"#),
            id,
            category: Category::Service,
        }
    }

    fn events(count: u16, at: u64) -> Vec<Queued> {
        (0..count).map(|n| event(n, at)).collect()
    }

    fn ids(batch: &[Queued]) -> Vec<String> {
        batch.iter().map(|e| e.id.clone()).collect()
    }

    /// The keepalive requests [`Schedule::hide`] hands out.
    fn flush(s: &mut Schedule, events: Vec<Queued>, now: u64) -> Vec<Batch> {
        let mut out = Vec::new();
        s.hide(events, now, |b| out.push(b));
        out
    }

    fn schedule() -> Schedule {
        Schedule::new(&Config::default())
    }

    fn retry(retry_after_ms: Option<u64>) -> batch::Settlement {
        settle(Outcome::Retry {
            retry_after_ms,
            answered: true,
        })
    }

    fn done() -> batch::Settlement {
        settle(Outcome::Done { rejected: None })
    }

    /// Wake with the queue holding `queue`, and send what is due: the batch's number and ids.
    fn send_due(s: &mut Schedule, now: u64, queue: &[Queued]) -> Option<(u32, Vec<String>)> {
        let batch = s.woke(now, None, |_| queue.to_vec()).send?;
        let ids = ids(&batch);
        Some((s.sending(now, &ids), ids))
    }

    #[test]
    fn recording_costs_a_count_and_wakes_at_once_only_for_a_full_batch() {
        let mut s = schedule();
        assert_eq!(s.recorded(T0), Some(1_000), "the first event's deadline");
        for n in 1..49 {
            assert_eq!(s.recorded(T0 + n), None, "the wake already set will do");
        }
        assert_eq!(
            s.recorded(T0 + 49),
            Some(0),
            "the fiftieth completes a batch"
        );
        assert_eq!(s.recorded(T0 + 50), None);
    }

    #[test]
    fn recording_never_looks_at_the_queue() {
        // The wake a record asks for is the only thing that may lead to a look, and a look
        // at the queue happens in `woke` alone (issue 12: a `track()` read every queued key).
        let mut s = schedule();
        let queue = events(10, 0);
        let _ = s.woke(T0, None, |_| queue.clone());
        for n in 0..30 {
            let _ = s.recorded(T0 + 10 + n);
        }
        assert_eq!(s.known, 40, "ten seen, thirty recorded since");
    }

    #[test]
    fn a_partial_batch_waits_for_the_oldest_event_to_be_one_second_old() {
        let mut s = schedule();
        let queue = events(3, 0);
        let next = s.woke(T0 + 10, None, |_| queue.clone());
        assert_eq!(next.send, None);
        assert_eq!(next.wake_in, 990, "wakes when the oldest is 1 s old");
        let next = s.woke(T0 + 1_000, None, |_| queue.clone());
        assert_eq!(next.send, Some(queue));
    }

    #[test]
    fn fifty_events_go_at_once_and_a_batch_carries_at_most_fifty() {
        let mut s = schedule();
        let queue = events(60, 0);
        let next = s.woke(T0 + 1, None, |_| queue.clone());
        assert_eq!(next.send.map(|b| b.len()), Some(50));
        assert_eq!(next.wake_in, 1_000, "the other ten are not due yet");
        let mut s = schedule();
        let next = s.woke(T0 + 1, None, |_| events(50, 0));
        assert!(next.send.is_some(), "a full batch does not wait");
    }

    #[test]
    fn nothing_queued_wakes_at_the_next_tick_or_the_lease_deadline() {
        let mut s = schedule();
        let next = s.woke(T0, None, |_| Vec::new());
        assert_eq!(next.send, None);
        assert_eq!(next.wake_in, 1_000);
        let next = s.woke(T0, Some(T0 + 250), |_| Vec::new());
        assert_eq!(next.wake_in, 250, "the lease needs a look first");
    }

    #[test]
    fn a_backlog_drains_at_network_speed_two_batches_at_a_time() {
        // Issue 12: one batch of 50 per second whatever the backlog filled the 1,000-event
        // cap at any rate above 50 events/s. Here every answer comes at once, and no wake
        // waits: 500 events go in ten batches without the clock moving.
        let mut s = schedule();
        let mut queue = events(500, 0);
        let now = T0 + 5;
        let mut flights: Vec<(u32, Vec<String>)> = Vec::new();
        let (mut batches, mut most) = (0, 0);
        loop {
            let next = s.woke(now, None, |busy| {
                assert!(
                    busy.windows(2).all(|w| w[0] <= w[1]),
                    "busy ids come sorted"
                );
                queue.clone()
            });
            if let Some(batch) = next.send {
                let ids = ids(&batch);
                for (_, other) in &flights {
                    assert!(ids.iter().all(|id| !other.contains(id)), "disjoint batches");
                }
                flights.push((s.sending(now, &ids), ids));
                batches += 1;
                most = most.max(flights.len());
                if next.wake_in == 0 {
                    continue; // the schedule asks to come right back: another one is due
                }
            }
            if flights.is_empty() {
                break;
            }
            // The collector answers the oldest batch: its events leave the queue.
            let (seq, done_ids) = flights.remove(0);
            queue.retain(|e| !done_ids.contains(&e.id));
            s.answered(seq, &done(), now, 0.5);
        }
        assert!(queue.is_empty());
        assert_eq!(most, 2, "two in flight, never three");
        assert_eq!(batches, 10);
    }

    #[test]
    fn the_events_of_a_failed_batch_go_again_while_the_other_batch_travels_on() {
        let mut s = schedule();
        let queue = events(100, 0);
        let (first, a) = send_due(&mut s, T0, &queue).expect("first");
        let (second, b) = send_due(&mut s, T0, &queue).expect("second");
        assert_eq!((a.len(), b.len()), (50, 50));
        assert_eq!(send_due(&mut s, T0, &queue), None, "both slots taken");
        s.answered(first, &retry(None), T0 + 10, 0.0);
        // A zero draw: no wait; the first batch's events go again, the second's do not.
        let (_, again) = send_due(&mut s, T0 + 10, &queue).expect("again");
        assert_eq!(again, a);
        s.answered(second, &done(), T0 + 20, 0.5);
    }

    #[test]
    fn a_batch_unanswered_for_thirty_seconds_is_given_up_and_its_events_go_again() {
        let mut s = Schedule::new(&Config {
            in_flight: 1,
            ..Config::default()
        });
        let queue = events(50, 0);
        let (first, _) = send_due(&mut s, T0, &queue).expect("sent");
        assert_eq!(
            send_due(&mut s, T0 + STALE_MS, &queue),
            None,
            "not stale yet"
        );
        let (second, _) = send_due(&mut s, T0 + STALE_MS + 1, &queue).expect("sent again");
        assert_ne!(first, second);
        // A late answer to the first batch does not free the second one's slot.
        s.answered(first, &done(), T0 + STALE_MS + 2, 0.5);
        assert_eq!(send_due(&mut s, T0 + STALE_MS + 3, &queue), None);
    }

    #[test]
    fn retry_after_is_honoured_exactly() {
        let mut s = schedule();
        let queue = events(50, 0);
        let (seq, _) = send_due(&mut s, T0, &queue).expect("sent");
        s.answered(seq, &retry(Some(7_000)), T0 + 100, 0.0);
        let next = s.woke(T0 + 100, None, |_| Vec::new());
        assert_eq!(next.send, None);
        let next = s.woke(T0 + 6_200, None, |_| Vec::new());
        assert_eq!(
            next.wake_in, 900,
            "wakes at the retry time, before the tick"
        );
        assert_eq!(send_due(&mut s, T0 + 7_099, &queue), None, "1 ms early");
        assert!(send_due(&mut s, T0 + 7_100, &queue).is_some(), "on the dot");
    }

    #[test]
    fn while_backing_off_the_queue_is_looked_at_once_per_tick_and_nothing_goes() {
        let mut s = schedule();
        let queue = events(50, 0);
        let (seq, _) = send_due(&mut s, T0, &queue).expect("sent");
        s.answered(seq, &retry(Some(60_000)), T0, 0.0);
        let mut looks = 0;
        for now in (T0 + 100..T0 + 3_100).step_by(100) {
            let next = s.woke(now, None, |_| {
                looks += 1;
                queue.clone()
            });
            assert_eq!(next.send, None);
        }
        assert_eq!(
            looks, 3,
            "once per second, for the lease holder to hold the bound"
        );
    }

    #[test]
    fn backoff_grows_with_each_failure_by_the_injected_draw_and_resets_on_success() {
        let mut s = Schedule::new(&Config {
            in_flight: 1,
            ..Config::default()
        });
        let queue = events(50, 0);
        let mut now = T0;
        // With a draw just under 1 the wait is the whole ceiling: 1 s, 2 s, 4 s, 8 s.
        for ceiling in [1_000, 2_000, 4_000, 8_000] {
            let (seq, _) = send_due(&mut s, now, &queue).expect("due");
            s.answered(seq, &retry(None), now, 0.999_999_9);
            assert_eq!(send_due(&mut s, now + ceiling - 2, &queue), None);
            now += ceiling - 1;
        }
        // A draw of a half halves the next ceiling (16 s).
        let (seq, _) = send_due(&mut s, now, &queue).expect("due");
        s.answered(seq, &retry(None), now, 0.5);
        assert_eq!(send_due(&mut s, now + 7_999, &queue), None);
        let (seq, _) = send_due(&mut s, now + 8_000, &queue).expect("due");
        now += 8_000;
        // A confirmed batch resets it: the next failure waits at most 1 s again.
        s.answered(seq, &done(), now, 0.5);
        let (seq, _) = send_due(&mut s, now, &queue).expect("due");
        s.answered(seq, &retry(None), now, 0.999_999_9);
        assert!(send_due(&mut s, now + 999, &queue).is_some());
    }

    #[test]
    fn an_answer_that_forgets_nothing_keeps_the_backoff_and_online_resets_it() {
        let mut s = schedule();
        let queue = events(50, 0);
        let (seq, _) = send_due(&mut s, T0, &queue).expect("sent");
        s.answered(seq, &retry(Some(60_000)), T0, 0.0);
        assert_eq!(send_due(&mut s, T0 + 2, &queue), None, "still backing off");
        s.online();
        assert!(
            send_due(&mut s, T0 + 3, &queue).is_some(),
            "online retries now"
        );
    }

    #[test]
    fn hide_flushes_everything_in_keepalive_requests_once() {
        let mut s = schedule();
        let queue = events(120, 0);
        let flushed = flush(&mut s, queue.clone(), T0 + 5);
        assert_eq!(
            flushed.iter().map(|b| b.ids.len()).collect::<Vec<_>>(),
            vec![50, 50, 20],
            "the normal batching, without waiting"
        );
        assert!(
            flush(&mut s, queue.clone(), T0 + 6).is_empty(),
            "already on their way"
        );
        // What is in a keepalive request is not sent again by a normal batch.
        assert_eq!(s.woke(T0 + 5_000, None, |_| queue.clone()).send, None);
        s.keepalive_answered(&flushed[0]);
        assert_eq!(
            flush(&mut s, queue.clone(), T0 + 7).len(),
            1,
            "answered ids may go again"
        );
        assert_eq!(s.woke(T0 + 5_000, None, |_| queue.clone()).send, None);
        for b in &flushed {
            s.keepalive_answered(b);
        }
        assert_eq!(
            s.keepalive_bytes, 0,
            "the re-sent request had the same size"
        );
        assert!(s.woke(T0 + 5_000, None, |_| queue.clone()).send.is_some());
    }

    #[test]
    fn ids_in_a_request_are_handed_to_the_queue_so_the_bound_spares_them() {
        let mut s = schedule();
        let queue = events(60, 0);
        let flushed = flush(&mut s, queue[50..].to_vec(), T0);
        let (_, sent) = send_due(&mut s, T0, &queue).expect("sent");
        let mut seen = Vec::new();
        let _ = s.woke(T0 + 1, None, |busy| {
            seen = busy.to_vec();
            Vec::new()
        });
        let mut expected = [sent, flushed[0].ids.clone()].concat();
        expected.sort();
        assert_eq!(seen, expected);
    }

    #[test]
    fn the_events_of_a_request_without_an_answer_are_spared_until_answered() {
        let mut s = schedule();
        let queue = events(60, 0);
        let (seq, sent) = send_due(&mut s, T0, &queue).expect("sent");
        let lost = settle(batch::classify(None, "", None));
        s.answered(seq, &lost, T0 + 1, 0.0);
        let mut spared = Vec::new();
        let next = s.woke(T0 + 2, None, |spare| {
            spared = spare.to_vec();
            queue.clone()
        });
        assert_eq!(spared, sent, "maybe stored: the bound must not count them");
        let again = next.send.expect("they go again");
        assert_eq!(ids(&again), sent);
        let seq = s.sending(T0 + 2, &sent);
        s.answered(seq, &done(), T0 + 3, 0.5);
        let _ = s.woke(T0 + 4, None, |spare| {
            spared = spare.to_vec();
            Vec::new()
        });
        assert!(spared.is_empty(), "answered: nothing left to spare");
    }

    #[test]
    fn hide_stops_at_the_keepalive_budget_and_changes_no_backoff() {
        let mut s = schedule();
        let big = |n: u16| {
            let mut e = event(n, 0);
            e.json = format!(r#"{{"id":"{}","p":"{}"}}"#, e.id, "x".repeat(30_000));
            e
        };
        let flushed = flush(&mut s, vec![big(1), big(2), big(3)], T0);
        // Two fit one request (under 64 KB); the second request would pass 64 KB in flight.
        assert_eq!(flushed.len(), 1);
        assert_eq!(flushed[0].ids.len(), 2);
        assert!(s.keepalive_bytes <= KEEPALIVE_BUDGET);
        for b in &flushed {
            s.keepalive_answered(b);
        }
        assert_eq!(s.keepalive_bytes, 0);
        assert_eq!((s.attempt, s.not_before), (0, 0));
    }

    #[test]
    fn a_long_wait_is_clamped_to_what_set_timeout_takes() {
        let mut s = Schedule::new(&Config {
            tick_ms: u64::MAX,
            ..Config::default()
        });
        assert_eq!(s.woke(T0, None, |_| Vec::new()).wake_in, i32::MAX as u32);
    }
}
