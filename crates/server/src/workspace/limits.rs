//! Sign-in rate limits, per account (the email typed) and per client IP, so that guessing one
//! person's password and spraying many accounts from one address are both slow. In memory,
//! per process (governor's keyed GCRA); the attempts themselves are in `login_attempts`.
use crate::config::WorkspaceConfig;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// Keys held before the limiters drop those back at full budget.
const MAX_KEYS: usize = 10_000;

/// The two limiters.
#[derive(Debug)]
pub struct LoginLimiters {
    per_email: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl LoginLimiters {
    /// Limiters with the configured quotas.
    pub fn new(config: &WorkspaceConfig) -> Self {
        Self {
            per_email: RateLimiter::keyed(per_minute(config.login_per_email_per_minute)),
            per_ip: RateLimiter::keyed(per_minute(config.login_per_ip_per_minute)),
        }
    }

    /// Count one attempt; `Err(seconds)` until a retry can succeed when either limit is
    /// reached.
    ///
    /// # Errors
    /// The wait, in whole seconds (at least 1).
    pub fn check(&self, ip: Option<IpAddr>, email: &str) -> Result<(), u64> {
        let now = DefaultClock::default().now();
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
        let l = LoginLimiters::new(&WorkspaceConfig::default());
        let ip = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..5 {
            assert_eq!(l.check(ip, "ada@example.com"), Ok(()));
        }
        let wait = l.check(ip, "ada@example.com").expect_err("limited");
        assert!((1..=12).contains(&wait), "{wait}");
        // Another account from the same address still has its own budget.
        assert_eq!(l.check(ip, "bob@example.com"), Ok(()));
    }
}
