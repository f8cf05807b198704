//! What one connection is doing, and when it has to be closed for doing too little of it.
//!
//! A connection is always in one [`Phase`]: waiting for a request (nothing received yet),
//! receiving a request head, or answering requests. Each phase but the last has a deadline;
//! the serving loop sleeps until it and closes the connection if the phase has not moved on
//! by then. The transitions are pure functions of the phase and the time they are told, so
//! they are tested here without a socket or a real clock; [`Activity`] is the shared cell the
//! socket wrapper, the request service and the serving loop update and watch.
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// The phase of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nothing received since `since`: the connection's start (`first`), or the end of the
    /// last response.
    Waiting {
        /// When the wait began.
        since: Instant,
        /// Whether no request has been made on this connection yet.
        first: bool,
    },
    /// Part of a request head has arrived; it must be complete by `since` + the head timeout.
    Head {
        /// When the head began (for a first request: when the connection opened).
        since: Instant,
    },
    /// Requests being answered (the body deadline belongs to each request, not here).
    Busy {
        /// How many (HTTP/1.1 pipelining may start the next before the last one's body has
        /// been dropped).
        requests: usize,
    },
}

/// Why a connection was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// The request head did not arrive within the header read timeout.
    Head,
    /// The connection sat idle between requests for the idle timeout.
    Idle,
}

/// The two connection-level timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// For a request head: from the connection's start for the first request (a client that
    /// connects owes a request), from its first byte for later ones.
    pub head: Duration,
    /// Between requests on a keep-alive connection.
    pub idle: Duration,
}

impl Phase {
    /// A connection that has just been accepted.
    pub fn opened(now: Instant) -> Self {
        Self::Waiting {
            since: now,
            first: true,
        }
    }

    /// When the connection must be closed if nothing changes, and why.
    pub fn deadline(self, t: Timeouts) -> Option<(Instant, Expiry)> {
        match self {
            Self::Waiting { since, first: true } | Self::Head { since } => {
                Some((since + t.head, Expiry::Head))
            }
            Self::Waiting {
                since,
                first: false,
            } => Some((since + t.idle, Expiry::Idle)),
            Self::Busy { .. } => None,
        }
    }

    /// Bytes arrived from the client.
    #[must_use]
    pub fn on_read(self, now: Instant) -> Self {
        match self {
            Self::Waiting { since, first: true } => Self::Head { since },
            Self::Waiting { first: false, .. } => Self::Head { since: now },
            other => other,
        }
    }

    /// A request head was complete and the request handed to the router.
    #[must_use]
    pub fn on_request(self) -> Self {
        match self {
            Self::Busy { requests } => Self::Busy {
                requests: requests + 1,
            },
            _ => Self::Busy { requests: 1 },
        }
    }

    /// A response was written (or abandoned) in full.
    #[must_use]
    pub fn on_response_done(self, now: Instant) -> Self {
        match self {
            Self::Busy { requests } if requests > 1 => Self::Busy {
                requests: requests - 1,
            },
            Self::Busy { .. } => Self::Waiting {
                since: now,
                first: false,
            },
            other => other,
        }
    }
}

/// The phase of one connection, shared by the socket wrapper (bytes read), the request
/// service (request started, response done) and the serving loop (which waits on changes).
#[derive(Debug)]
pub struct Activity {
    phase: Mutex<Phase>,
    changed: Notify,
}

impl Activity {
    /// A connection accepted at `now`.
    pub fn new(now: Instant) -> Self {
        Self {
            phase: Mutex::new(Phase::opened(now)),
            changed: Notify::new(),
        }
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        *self.phase.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Apply a transition; wakes the serving loop when the phase changed.
    pub fn update(&self, step: impl FnOnce(Phase) -> Phase) {
        let mut phase = self.phase.lock().unwrap_or_else(PoisonError::into_inner);
        let next = step(*phase);
        if next != *phase {
            *phase = next;
            drop(phase);
            // `notify_one` keeps a permit when the loop is not waiting yet, so no change is
            // missed between reading the phase and starting to wait.
            self.changed.notify_one();
        }
    }

    /// Resolves after the next change (or at once if one happened since the last wait).
    pub async fn changed(&self) {
        self.changed.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timeouts = Timeouts {
        head: Duration::from_secs(10),
        idle: Duration::from_secs(60),
    };

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn a_new_connection_owes_a_head_within_the_head_timeout() {
        let t0 = Instant::now();
        let p = Phase::opened(t0);
        assert_eq!(p.deadline(T), Some((t0 + secs(10), Expiry::Head)));
        // Bytes that trickle in do not buy more time: the head counts from the start.
        let p = p.on_read(t0 + secs(9));
        assert_eq!(p.deadline(T), Some((t0 + secs(10), Expiry::Head)));
    }

    #[test]
    fn between_requests_the_idle_timeout_applies_then_the_head_timeout_from_the_first_byte() {
        let t0 = Instant::now();
        let p = Phase::opened(t0).on_read(t0).on_request();
        assert_eq!(
            p.deadline(T),
            None,
            "no connection deadline while answering"
        );
        let p = p.on_response_done(t0 + secs(1));
        assert_eq!(p.deadline(T), Some((t0 + secs(61), Expiry::Idle)));
        let p = p.on_read(t0 + secs(50));
        assert_eq!(p.deadline(T), Some((t0 + secs(60), Expiry::Head)));
        let p = p.on_read(t0 + secs(55));
        assert_eq!(p.deadline(T), Some((t0 + secs(60), Expiry::Head)));
    }

    #[test]
    fn pipelined_requests_keep_the_connection_busy_until_the_last_response() {
        let t0 = Instant::now();
        let p = Phase::opened(t0).on_request().on_request();
        let p = p.on_response_done(t0);
        assert_eq!(p, Phase::Busy { requests: 1 });
        assert_eq!(
            p.on_read(t0),
            p,
            "body bytes do not change a busy connection"
        );
        assert!(matches!(
            p.on_response_done(t0),
            Phase::Waiting { first: false, .. }
        ));
    }
}
