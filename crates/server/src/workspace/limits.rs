//! Sign-in rate limits, per account (the email typed) and per client IP, so that guessing one
//! person's password and spraying many accounts from one address are both slow. In memory,
//! per process (governor's keyed GCRA) on the state's clock, so tests move time rather than
//! wait; the attempts themselves are in `login_attempts`.
use crate::clock::Clock;
use crate::config::WorkspaceConfig;
use governor::clock::Clock as _;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// Keys held before the limiters drop those back at full budget.
const MAX_KEYS: usize = 10_000;

/// The state's clock (unix millis) as governor reads time.
#[derive(Clone)]
struct Millis(Clock);

impl governor::clock::Clock for Millis {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(Duration::from_millis(
            u64::try_from((self.0)()).unwrap_or(0),
        ))
    }
}

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, Millis, NoOpMiddleware<Nanos>>;

/// The two limiters.
pub struct LoginLimiters {
    clock: Millis,
    per_email: Keyed<String>,
    per_ip: Keyed<IpAddr>,
}

impl std::fmt::Debug for LoginLimiters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginLimiters").finish_non_exhaustive()
    }
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl LoginLimiters {
    /// Limiters with the configured quotas on `clock`.
    pub fn new(config: &WorkspaceConfig, clock: Clock) -> Self {
        let clock = Millis(clock);
        Self {
            per_email: RateLimiter::new(
                per_minute(config.login_per_email_per_minute),
                DefaultKeyedStateStore::default(),
                clock.clone(),
            ),
            per_ip: RateLimiter::new(
                per_minute(config.login_per_ip_per_minute),
                DefaultKeyedStateStore::default(),
                clock.clone(),
            ),
            clock,
        }
    }

    /// Count one attempt; `Err(seconds)` until a retry can succeed when either limit is
    /// reached.
    ///
    /// # Errors
    /// The wait, in whole seconds (at least 1).
    pub fn check(&self, ip: Option<IpAddr>, email: &str) -> Result<(), u64> {
        let now = self.clock.now();
        // Emails typed by a guesser are keys too: forget the ones whose budget is full again.
        if self.per_email.len() > MAX_KEYS {
            self.per_email.retain_recent();
        }
        if self.per_ip.len() > MAX_KEYS {
            self.per_ip.retain_recent();
        }
        let verdicts = [
            ip.map(|ip| self.per_ip.check_key(&ip)),
            Some(self.per_email.check_key(&email.to_owned())),
        ];
        for verdict in verdicts.into_iter().flatten() {
            if let Err(not_until) = verdict {
                let wait = not_until.wait_time_from(now).max(Duration::from_secs(1));
                return Err(wait.as_secs_f64().ceil() as u64);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_in_a_minute_waits() {
        let now = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(1_000_000));
        let t = now.clone();
        let l = LoginLimiters::new(
            &WorkspaceConfig::default(),
            std::sync::Arc::new(move || t.load(std::sync::atomic::Ordering::SeqCst)),
        );
        let ip = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..5 {
            assert_eq!(l.check(ip, "ada@example.com"), Ok(()));
        }
        let wait = l.check(ip, "ada@example.com").expect_err("limited");
        assert!((1..=12).contains(&wait), "{wait}");
        assert_eq!(wait, 12, "one more every 12 s");
        // Another account from the same address still has its own budget.
        assert_eq!(l.check(ip, "bob@example.com"), Ok(()));
        now.fetch_add(12_000, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(l.check(ip, "ada@example.com"), Ok(()), "12 s later");
    }
}
