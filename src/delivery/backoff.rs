//! When to try again after a failed send: exponential backoff with full jitter, honouring the
//! collector's `Retry-After`.
//!
//! Full jitter (a uniform draw between zero and the exponential ceiling) spreads the retries
//! of many browsers that lost the collector at the same moment, so they do not come back in
//! lockstep when it returns. The random draw is an argument, so the schedule is reproducible
//! in tests; the browser layer draws it from `Math.random`.

/// Backoff settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The ceiling of the first retry, in ms; it doubles with each failed attempt.
    pub base_ms: u64,
    /// The largest ceiling, in ms.
    pub cap_ms: u64,
    /// The longest `Retry-After` obeyed, in ms (a wrong header must not park the queue for
    /// days).
    pub max_retry_after_ms: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base_ms: 1_000,
            cap_ms: 30_000,
            max_retry_after_ms: 3_600_000,
        }
    }
}

impl Backoff {
    /// The wait before retry number `attempt` (0 for the first retry), given a uniform `draw`
    /// in `[0, 1)` and the server's `Retry-After` in ms, if it sent one: the later of the
    /// two.
    ///
    /// # Example
    /// ```
    /// use touchpoint::delivery::backoff::Backoff;
    /// let b = Backoff::default();
    /// assert_eq!(b.delay_ms(3, 0.5, None), 4_000); // half of 1 s × 2³
    /// assert_eq!(b.delay_ms(0, 0.0, Some(5_000)), 5_000);
    /// ```
    pub fn delay_ms(&self, attempt: u32, draw: f64, retry_after_ms: Option<u64>) -> u64 {
        let ceiling = self
            .base_ms
            .saturating_mul(1u64 << attempt.min(32))
            .min(self.cap_ms);
        let draw = if draw.is_finite() {
            draw.clamp(0.0, 1.0)
        } else {
            0.0
        };
        // `ceiling` is at most `cap_ms`, far inside f64's exact integers.
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let jittered = (draw * ceiling as f64) as u64;
        let told = retry_after_ms.map_or(0, |ms| ms.min(self.max_retry_after_ms));
        jittered.max(told)
    }
}

/// Read a `Retry-After` value given in seconds (`"120"`) as milliseconds. The HTTP-date
/// form needs a date parser and is read by the browser layer.
pub fn retry_after_seconds(value: &str) -> Option<u64> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<u64>().ok().map(|s| s.saturating_mul(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_then_caps() {
        let b = Backoff::default();
        let top = |attempt| b.delay_ms(attempt, 0.999_999_9, None);
        assert_eq!(top(0), 999);
        assert_eq!(top(1), 1_999);
        assert_eq!(top(4), 15_999);
        assert_eq!(top(5), 29_999, "capped at 30 s");
        assert_eq!(top(200), 29_999, "huge attempts do not overflow");
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        let b = Backoff::default();
        assert_eq!(b.delay_ms(2, 0.0, None), 0);
        assert_eq!(b.delay_ms(2, 0.25, None), 1_000);
        assert_eq!(
            b.delay_ms(2, f64::NAN, None),
            0,
            "a bad draw is not a panic"
        );
        assert_eq!(
            b.delay_ms(2, 7.0, None),
            4_000,
            "draws are clamped to [0, 1]"
        );
    }

    #[test]
    fn retry_after_is_a_floor_and_is_bounded() {
        let b = Backoff::default();
        assert_eq!(b.delay_ms(0, 0.9, Some(10_000)), 10_000);
        assert_eq!(
            b.delay_ms(5, 0.9, Some(1_000)),
            27_000,
            "jitter larger wins"
        );
        assert_eq!(b.delay_ms(0, 0.0, Some(u64::MAX)), 3_600_000);
    }

    #[test]
    fn reads_retry_after_seconds() {
        assert_eq!(retry_after_seconds("120"), Some(120_000));
        assert_eq!(retry_after_seconds(" 3 "), Some(3_000));
        assert_eq!(retry_after_seconds("-1"), None);
        assert_eq!(retry_after_seconds("Wed, 21 Oct 2026 07:28:00 GMT"), None);
        assert_eq!(retry_after_seconds(""), None);
    }
}
