//! The sending schedule: when this page sends a batch, waits, backs off or flushes on hide.
//!
//! The browser layer owns the effects (storage, `fetch`, timers, listeners); this state machine
//! owns the decisions it used to make inline. Each method takes the current time (ms since the
//! epoch) and, where a choice is random, the draw, and says what to do; nothing here reads a
//! clock, a random generator or the browser, so every transition is tested natively.
//!
//! The rules:
//! - one normal batch in flight at a time; one left unanswered for [`STALE_MS`] is given up
//!   (its events go again with the same ids, and a late answer still settles them);
//! - a batch goes when [`batch::plan`] says so (up to `max_events` events, or once the oldest
//!   has waited `max_wait_ms`), never before the backoff's `not_before`;
//! - a retryable answer backs off with full jitter, never sooner than the `Retry-After`; a
//!   confirmed answer (or coming back online) resets the backoff;
//! - on hide, every event not already in a `keepalive` request goes in `keepalive` requests,
//!   within the browser's 64 KB budget for them; a keepalive answer changes no backoff;
//! - the page keeps one wake timer, for the earliest of: the next lease tick, the lease's own
//!   deadline, the retry time and the batch deadline.
use super::backoff::Backoff;
use super::batch::{self, Batch, BatchConfig, Plan};
use super::queue::Queued;
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
    /// [`Schedule::sending`] once it is on its way.
    pub send: Option<Vec<Queued>>,
    /// Set the wake timer to fire in this many ms, replacing the one set before.
    pub wake_in: u32,
}

/// The schedule's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    batch: BatchConfig,
    backoff: Backoff,
    tick_ms: u64,
    /// The normal batch in flight: its number and when it left.
    in_flight: Option<(u32, u64)>,
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
}

impl Schedule {
    /// An idle schedule with `config`'s batching, backoff and tick.
    pub fn new(config: &Config) -> Self {
        Self {
            batch: config.batch,
            backoff: config.backoff,
            tick_ms: config.tick_ms,
            in_flight: None,
            sent: 0,
            attempt: 0,
            not_before: 0,
            armed: None,
            keepalive: Vec::new(),
            keepalive_bytes: 0,
        }
    }

    /// An event was recorded: wake at once (a zero-delay timer, so a burst of events costs one
    /// look at the queue). The delay of the timer to set, or `None` if one is already set no
    /// later.
    pub fn recorded(&mut self, now: u64) -> Option<u32> {
        self.arm(now, now)
    }

    /// The wake timer fired (or something else asked for a look: an answer, `online`,
    /// `pageshow`). `lease_at` is when the lease needs a look sooner than the next tick, if it
    /// does; `pending` lists what this page may send (oldest first) and is only called when a
    /// batch could go now.
    pub fn woke(
        &mut self,
        now: u64,
        lease_at: Option<u64>,
        pending: impl FnOnce() -> Vec<Queued>,
    ) -> Next {
        // The timer that woke us (if any) is spent; a new one is set below.
        self.armed = None;
        let mut next = now.saturating_add(self.tick_ms);
        if let Some(at) = lease_at {
            next = next.min(at);
        }
        if self
            .in_flight
            .is_some_and(|(_, since)| now.saturating_sub(since) > STALE_MS)
        {
            self.in_flight = None;
        }
        let mut send = None;
        if self.not_before > now {
            next = next.min(self.not_before);
        } else if self.in_flight.is_none() {
            let mut pending = pending();
            pending.retain(|e| !self.keepalive.contains(&e.id));
            match batch::plan(&pending, now, self.not_before, &self.batch) {
                Plan::At(t) if t <= now => {
                    pending.truncate(self.batch.max_events);
                    send = Some(pending);
                }
                Plan::At(t) => next = next.min(t),
                Plan::Idle => {}
            }
        }
        Next {
            send,
            // Nothing is armed after the reset above, so `arm` always sets a timer.
            wake_in: self.arm(next, now).unwrap_or(0),
        }
    }

    /// The batch [`Schedule::woke`] asked for is on its way: its number, to give back with
    /// its answer. Nothing else goes until it is answered or stale.
    pub fn sending(&mut self, now: u64) -> u32 {
        self.sent = self.sent.wrapping_add(1);
        self.in_flight = Some((self.sent, now));
        self.sent
    }

    /// Normal batch `seq` was answered, settled as `settlement` (see [`batch::settle`]);
    /// `draw` is a uniform draw in `[0, 1)` for the backoff's jitter. Wake afterwards.
    pub fn answered(&mut self, seq: u32, settlement: &batch::Settlement, now: u64, draw: f64) {
        if self.in_flight.is_some_and(|(s, _)| s == seq) {
            self.in_flight = None;
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
        for chunk in batch::chunks(&events, 0, now, &self.batch) {
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
    fn event(n: u8, at: u64) -> Queued {
        let id = touchpoint_core::event::uuid_v7((T0 + at) as i64, [n; 10]);
        Queued {
            json: format!(r#"{{"id":"{id}"}}"#),
            id,
            category: Category::Service,
        }
    }

    fn events(count: u8, at: u64) -> Vec<Queued> {
        (0..count).map(|n| event(n, at)).collect()
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
        settle(Outcome::Retry { retry_after_ms }, 0)
    }

    fn done() -> batch::Settlement {
        settle(Outcome::Done { rejected: vec![] }, 0)
    }

    /// Wake with the queue holding `queue`, and send what is due: the batch's number.
    fn send_due(s: &mut Schedule, now: u64, queue: &[Queued]) -> Option<u32> {
        s.woke(now, None, || queue.to_vec())
            .send
            .map(|_| s.sending(now))
    }

    #[test]
    fn a_recorded_event_wakes_at_once_and_a_burst_sets_one_timer() {
        let mut s = schedule();
        assert_eq!(s.recorded(T0), Some(0));
        assert_eq!(s.recorded(T0), None, "a wake is already set for now");
        assert_eq!(s.recorded(T0 + 5), None);
    }

    #[test]
    fn a_partial_batch_waits_for_the_oldest_event_to_be_one_second_old() {
        let mut s = schedule();
        let queue = events(3, 0);
        let next = s.woke(T0 + 10, None, || queue.clone());
        assert_eq!(next.send, None);
        assert_eq!(next.wake_in, 990, "wakes when the oldest is 1 s old");
        let next = s.woke(T0 + 1_000, None, || queue.clone());
        assert_eq!(next.send, Some(queue));
    }

    #[test]
    fn fifty_events_go_at_once_and_a_batch_carries_at_most_fifty() {
        let mut s = schedule();
        let queue = events(60, 0);
        let next = s.woke(T0 + 1, None, || queue.clone());
        assert_eq!(next.send.map(|b| b.len()), Some(50));
        assert_eq!(next.wake_in, 1_000, "the next lease tick");
        let mut s = schedule();
        let next = s.woke(T0 + 1, None, || events(50, 0));
        assert!(next.send.is_some(), "a full batch does not wait");
    }

    #[test]
    fn nothing_queued_wakes_at_the_next_tick_or_the_lease_deadline() {
        let mut s = schedule();
        let next = s.woke(T0, None, Vec::new);
        assert_eq!(next.send, None);
        assert_eq!(next.wake_in, 1_000);
        let next = s.woke(T0, Some(T0 + 250), Vec::new);
        assert_eq!(next.wake_in, 250, "the lease needs a look first");
    }

    #[test]
    fn no_second_batch_while_one_is_in_flight() {
        let mut s = schedule();
        let queue = events(50, 0);
        let first = send_due(&mut s, T0 + 1, &queue).expect("sent");
        let next = s.woke(T0 + 2, None, || panic!("the queue is not read while busy"));
        assert_eq!(next.send, None);
        assert_eq!(next.wake_in, 1_000);
        s.answered(first, &done(), T0 + 3, 0.5);
        assert_eq!(send_due(&mut s, T0 + 4, &queue), Some(first + 1));
    }

    #[test]
    fn a_batch_unanswered_for_thirty_seconds_is_given_up_and_its_events_go_again() {
        let mut s = schedule();
        let queue = events(50, 0);
        let first = send_due(&mut s, T0, &queue).expect("sent");
        assert_eq!(
            send_due(&mut s, T0 + STALE_MS, &queue),
            None,
            "not stale yet"
        );
        let second = send_due(&mut s, T0 + STALE_MS + 1, &queue).expect("sent again");
        assert_ne!(first, second);
        // A late answer to the first batch does not free the second one's slot.
        s.answered(first, &done(), T0 + STALE_MS + 2, 0.5);
        assert_eq!(send_due(&mut s, T0 + STALE_MS + 3, &queue), None);
    }

    #[test]
    fn retry_after_is_honoured_exactly() {
        let mut s = schedule();
        let queue = events(50, 0);
        let seq = send_due(&mut s, T0, &queue).expect("sent");
        s.answered(seq, &retry(Some(7_000)), T0 + 100, 0.0);
        let next = s.woke(T0 + 100, None, || panic!("no look during a backoff"));
        assert_eq!(next.send, None);
        let next = s.woke(T0 + 6_200, None, Vec::new);
        assert_eq!(
            next.wake_in, 900,
            "wakes at the retry time, before the tick"
        );
        assert_eq!(send_due(&mut s, T0 + 7_099, &queue), None, "1 ms early");
        assert!(send_due(&mut s, T0 + 7_100, &queue).is_some(), "on the dot");
    }

    #[test]
    fn backoff_grows_with_each_failure_by_the_injected_draw_and_resets_on_success() {
        let mut s = schedule();
        let queue = events(50, 0);
        let mut now = T0;
        // With a draw just under 1 the wait is the whole ceiling: 1 s, 2 s, 4 s, 8 s.
        for ceiling in [1_000, 2_000, 4_000, 8_000] {
            let seq = send_due(&mut s, now, &queue).expect("due");
            s.answered(seq, &retry(None), now, 0.999_999_9);
            assert_eq!(send_due(&mut s, now + ceiling - 2, &queue), None);
            now += ceiling - 1;
        }
        // A draw of a half halves the next ceiling (16 s).
        let seq = send_due(&mut s, now, &queue).expect("due");
        s.answered(seq, &retry(None), now, 0.5);
        assert_eq!(send_due(&mut s, now + 7_999, &queue), None);
        let seq = send_due(&mut s, now + 8_000, &queue).expect("due");
        now += 8_000;
        // A confirmed batch resets it: the next failure waits at most 1 s again.
        s.answered(seq, &done(), now, 0.5);
        let seq = send_due(&mut s, now, &queue).expect("due");
        s.answered(seq, &retry(None), now, 0.999_999_9);
        assert!(send_due(&mut s, now + 999, &queue).is_some());
    }

    #[test]
    fn an_answer_that_forgets_nothing_keeps_the_backoff_and_online_resets_it() {
        let mut s = schedule();
        let queue = events(50, 0);
        let seq = send_due(&mut s, T0, &queue).expect("sent");
        s.answered(seq, &retry(Some(60_000)), T0, 0.0);
        let refused = settle(
            Outcome::Refused {
                reason: "no".into(),
            },
            3,
        );
        s.answered(seq, &refused, T0 + 1, 0.0);
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
        assert!(flushed.iter().all(|b| b.dropped == 0));
        assert!(
            flush(&mut s, queue.clone(), T0 + 6).is_empty(),
            "already on their way"
        );
        // What is in a keepalive request is not sent again by a normal batch.
        assert_eq!(s.woke(T0 + 5_000, None, || queue.clone()).send, None);
        s.keepalive_answered(&flushed[0]);
        assert_eq!(
            flush(&mut s, queue.clone(), T0 + 7).len(),
            1,
            "answered ids may go again"
        );
        assert_eq!(s.woke(T0 + 5_000, None, || queue.clone()).send, None);
        for b in &flushed {
            s.keepalive_answered(b);
        }
        assert_eq!(
            s.keepalive_bytes, 0,
            "the re-sent request had the same size"
        );
        assert!(s.woke(T0 + 5_000, None, || queue.clone()).send.is_some());
    }

    #[test]
    fn hide_stops_at_the_keepalive_budget_and_changes_no_backoff() {
        let mut s = schedule();
        let big = |n: u8| {
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
        assert_eq!(s.woke(T0, None, Vec::new).wake_in, i32::MAX as u32);
    }
}
