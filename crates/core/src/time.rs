//! Instants as milliseconds since the Unix epoch (UTC), and their text forms.
//!
//! The core never reads a clock: callers pass `now` in. A plain integer instant keeps the
//! widget's wasm free of any time-zone database: schedules are resolved to instants on the
//! server, and the vendor's zone reaches the core as a table of offsets ([`crate::zone`]).
use crate::calendar::{civil_from_days, days_from_civil, digits, parse_date};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Milliseconds in one day.
pub const DAY_MS: i64 = 86_400_000;
/// Milliseconds in one hour.
pub const HOUR_MS: i64 = 3_600_000;
/// Milliseconds in one minute.
pub const MINUTE_MS: i64 = 60_000;

/// An instant: milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The instant `millis` milliseconds after the epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Midnight UTC of a civil date.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::Timestamp;
    /// assert_eq!(Timestamp::from_date(1970, 1, 2).as_millis(), 86_400_000);
    /// ```
    pub const fn from_date(year: i64, month: u32, day: u32) -> Self {
        Self(days_from_civil(year, month, day) * DAY_MS)
    }

    /// This instant moved by a whole number of days (saturating).
    pub const fn plus_days(self, days: i64) -> Self {
        Self(self.0.saturating_add(days.saturating_mul(DAY_MS)))
    }

    /// This instant moved by `ms` milliseconds (saturating).
    pub const fn plus_ms(self, ms: i64) -> Self {
        Self(self.0.saturating_add(ms))
    }

    /// Whole days since the epoch (floored), i.e. the UTC calendar day.
    pub const fn epoch_day(self) -> i64 {
        self.0.div_euclid(DAY_MS)
    }

    /// Whole 24-hour periods from `self` to `later`, floored (negative if `later` is
    /// earlier). Not calendar days: conditions and the lifecycle count those in the vendor's
    /// zone ([`crate::zone::Zone::day`]).
    pub const fn days_until(self, later: Timestamp) -> i64 {
        (later.0.saturating_sub(self.0)).div_euclid(DAY_MS)
    }

    /// Parse an RFC 3339 instant (`2026-05-01T09:00:00Z`, `...+02:00`, fractional seconds
    /// allowed) or a bare date `2026-05-01` (midnight UTC).
    ///
    /// # Errors
    /// Returns `None` when the text is neither form.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::Timestamp;
    /// let t = Timestamp::parse("2026-05-01T09:00:00+02:00").unwrap();
    /// assert_eq!(t.to_string(), "2026-05-01T07:00:00Z");
    /// ```
    pub fn parse(text: &str) -> Option<Timestamp> {
        let local = parse_local(text)?;
        match local.offset {
            Some(offset_ms) => Some(Timestamp(local.millis - offset_ms)),
            None if local.has_time => None,
            None => Some(Timestamp(local.millis)),
        }
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, with milliseconds only when they are not zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = self.0.div_euclid(DAY_MS);
        let ms = self.0.rem_euclid(DAY_MS);
        let (y, m, d) = civil_from_days(day);
        let (h, min, s, milli) = (
            ms / HOUR_MS,
            (ms % HOUR_MS) / MINUTE_MS,
            (ms % MINUTE_MS) / 1000,
            ms % 1000,
        );
        write!(f, "{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}")?;
        if milli != 0 {
            write!(f, ".{milli:03}")?;
        }
        f.write_str("Z")
    }
}

/// A date as a host's trait or a condition gives it: a calendar date, which is the same day
/// wherever it is read, or an instant, whose day depends on the time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moment {
    /// A calendar date (`2026-05-01`), as days since 1970-01-01.
    Date(i64),
    /// An instant (`2026-05-01T09:00:00Z`).
    Instant(Timestamp),
}

impl Moment {
    /// Read `2026-05-01` as a date, and RFC 3339 text as an instant (a date-time without
    /// offset is read as UTC), as traits carry dates; `None` for anything else.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::time::Moment;
    /// use touchpoint_core::Timestamp;
    /// assert_eq!(Moment::parse("2026-05-01"), Some(Moment::Date(20_574)));
    /// assert_eq!(
    ///     Moment::parse("2026-05-01T02:00:00+02:00"),
    ///     Some(Moment::Instant(Timestamp::from_date(2026, 5, 1)))
    /// );
    /// ```
    pub fn parse(text: &str) -> Option<Moment> {
        let l = parse_local(text)?;
        Some(if l.has_time {
            Moment::Instant(Timestamp(l.millis - l.offset.unwrap_or(0)))
        } else {
            Moment::Date(l.millis.div_euclid(DAY_MS))
        })
    }
}

/// A date-time as written in a file: wall-clock milliseconds (as if UTC) and the explicit
/// offset, if the text carried one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalDateTime {
    /// Wall-clock time as if it were UTC.
    pub millis: i64,
    /// Explicit offset east of UTC in milliseconds (`Z` is zero).
    pub offset: Option<i64>,
    /// Whether a time of day was present (a bare date is midnight).
    pub has_time: bool,
}

/// Parse `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` (or a space instead of `T`), with an
/// optional `Z` / `±HH:MM` suffix.
pub fn parse_local(text: &str) -> Option<LocalDateTime> {
    let text = text.trim();
    let date = parse_date(text.get(0..10)?)?;
    let rest = &text[10..];
    let mut millis = date * DAY_MS;
    if rest.is_empty() {
        return Some(LocalDateTime {
            millis,
            offset: None,
            has_time: false,
        });
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let b = rest.as_bytes();
    if b.len() < 5 || b[2] != b':' {
        return None;
    }
    let h = digits(&b[0..2])?;
    let min = digits(&b[3..5])?;
    let mut i = 5;
    let mut sec = 0;
    let mut frac = 0;
    if b.get(i) == Some(&b':') {
        sec = digits(b.get(i + 1..i + 3)?)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            let mut end = start;
            while end < b.len() && b[end].is_ascii_digit() {
                end += 1;
            }
            if end == start {
                return None;
            }
            let ms_digits = &b[start..end.min(start + 3)];
            frac = digits(ms_digits)? * 10u32.pow(3 - ms_digits.len() as u32);
            i = end;
        }
    }
    if h > 23 || min > 59 || sec > 60 {
        return None;
    }
    millis += i64::from(h) * HOUR_MS + i64::from(min) * MINUTE_MS + i64::from(sec.min(59)) * 1000;
    millis += i64::from(frac);
    let offset = match &rest[i..] {
        "" => None,
        "Z" | "z" => Some(0),
        suffix => Some(parse_offset(suffix)?),
    };
    Some(LocalDateTime {
        millis,
        offset,
        has_time: true,
    })
}

/// Parse a fixed offset `+HH:MM`, `-HH:MM`, `+HH`, optionally prefixed by `UTC`, into
/// milliseconds east of UTC. `UTC`, `Z` and `Etc/UTC` are zero.
pub fn parse_offset(text: &str) -> Option<i64> {
    let t = text.trim();
    if matches!(t, "UTC" | "Z" | "z" | "Etc/UTC" | "GMT" | "utc") {
        return Some(0);
    }
    let t = t
        .strip_prefix("UTC")
        .or_else(|| t.strip_prefix("GMT"))
        .unwrap_or(t);
    let (sign, body) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let b = body.as_bytes();
    let (h, m) = match b.len() {
        1 | 2 => (digits(b)?, 0),
        4 => (digits(&b[0..2])?, digits(&b[2..4])?),
        5 if b[2] == b':' => (digits(&b[0..2])?, digits(&b[3..5])?),
        _ => return None,
    };
    if h > 18 || m > 59 {
        return None;
    }
    Some(sign * (i64::from(h) * HOUR_MS + i64::from(m) * MINUTE_MS))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn formats_and_parses_rfc3339() {
        let t = Timestamp::parse("2026-05-01T09:30:15.250+02:00").unwrap();
        assert_eq!(t.to_string(), "2026-05-01T07:30:15.250Z");
        assert_eq!(Timestamp::parse(&t.to_string()), Some(t));
        assert_eq!(
            Timestamp::parse("2026-05-01"),
            Some(Timestamp::from_date(2026, 5, 1))
        );
        assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn rejects_local_time_without_offset_and_garbage() {
        assert_eq!(Timestamp::parse("2026-05-01T09:00"), None);
        assert_eq!(Timestamp::parse("2026-05-01T25:00Z"), None);
        assert_eq!(Timestamp::parse("2026-05-01Tx"), None);
        assert_eq!(Timestamp::parse(""), None);
        assert_eq!(Timestamp::parse("2026-05-01T09:00:00.Z"), None);
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+02:00"), Some(2 * HOUR_MS));
        assert_eq!(
            parse_offset("UTC-05:30"),
            Some(-(5 * HOUR_MS + 30 * MINUTE_MS))
        );
        assert_eq!(parse_offset("UTC"), Some(0));
        assert_eq!(parse_offset("Europe/Paris"), None);
    }

    #[test]
    fn day_arithmetic() {
        let a = Timestamp::from_date(2026, 1, 1);
        assert_eq!(a.days_until(a.plus_days(10)), 10);
        assert_eq!(a.days_until(Timestamp(a.0 - 1)), -1);
    }
}
