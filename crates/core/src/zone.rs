//! The vendor's time zone as the core knows it: a short table of UTC offsets, so that
//! "days until the renewal" counts calendar days where the vendor's customers live.
//!
//! The core has no time-zone database (it would cost the widget's wasm dearly) and needs
//! only one question answered: which local calendar day is this instant? The server
//! resolves the vendor's named IANA zone (`touchpoint-authoring`, with jiff) into the offset
//! in force before a range of years and every change of offset inside it, and sends that
//! table in the catalog's policy. A fixed offset (`UTC`, `+05:30`) is a table without
//! changes. Outside the range the nearest offset holds, which can only move an instant
//! within an hour of midnight on a daylight-saving day of a far year by one day.
//!
//! Wire form (in the catalog's `policy.time_zone`): offsets in seconds east of UTC, change
//! instants in milliseconds since the epoch, sorted:
//! `{"name": "Europe/Berlin", "offset": 3600, "transitions": [[1774746000000, 7200], ...]}`.
use crate::time::{Moment, Timestamp, DAY_MS};
use serde::Serialize;

/// A time zone as a table of offsets (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Zone {
    /// The zone as the vendor named it (`America/New_York`, `+02:00`), for people.
    pub name: String,
    /// Offset east of UTC, in seconds, before the first transition.
    pub offset: i32,
    /// `(instant in ms, offset in seconds from then on)`, sorted by instant.
    pub transitions: Vec<(i64, i32)>,
}

impl Zone {
    /// Coordinated Universal Time (also the [`Default`], with an empty name).
    pub fn utc() -> Zone {
        Zone::fixed("UTC", 0)
    }

    /// A zone that is always `offset` seconds east of UTC.
    pub fn fixed(name: &str, offset: i32) -> Zone {
        Zone {
            name: name.to_owned(),
            offset,
            transitions: Vec::new(),
        }
    }

    /// The offset in force at `t`, in milliseconds east of UTC.
    pub fn offset_at(&self, t: Timestamp) -> i64 {
        // A scan, not a binary search: the table is short, and this is less wasm.
        let mut secs = self.offset;
        for &(at, offset) in &self.transitions {
            if at > t.0 {
                break;
            }
            secs = offset;
        }
        i64::from(secs) * 1000
    }

    /// The local calendar day of `t` (days since 1970-01-01 of the local date).
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::zone::Zone;
    /// use touchpoint_core::Timestamp;
    /// let tokyo = Zone::fixed("+09:00", 9 * 3600);
    /// let t = Timestamp::parse("2026-05-01T20:00:00Z").unwrap();
    /// assert_eq!(tokyo.day(t), Timestamp::from_date(2026, 5, 2).epoch_day());
    /// assert_eq!(Zone::utc().day(t), Timestamp::from_date(2026, 5, 1).epoch_day());
    /// ```
    pub fn day(&self, t: Timestamp) -> i64 {
        self.wall(t).div_euclid(DAY_MS)
    }

    /// The local calendar day of a date or instant: a date is its own day in every zone.
    pub fn day_of(&self, m: Moment) -> i64 {
        match m {
            Moment::Date(day) => day,
            Moment::Instant(t) => self.day(t),
        }
    }

    /// `t` on the local wall clock: milliseconds since the epoch as if local time were UTC.
    pub fn wall(&self, t: Timestamp) -> i64 {
        t.0.saturating_add(self.offset_at(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_offset_changes_exactly_at_each_transition() {
        let z = Zone {
            name: "test".into(),
            offset: -5 * 3600,
            transitions: vec![(1000, -4 * 3600), (5000, -5 * 3600)],
        };
        assert_eq!(z.offset_at(Timestamp(999)), -5 * 3_600_000);
        assert_eq!(z.offset_at(Timestamp(1000)), -4 * 3_600_000);
        assert_eq!(z.offset_at(Timestamp(4999)), -4 * 3_600_000);
        assert_eq!(z.offset_at(Timestamp(5000)), -5 * 3_600_000);
        assert_eq!(z.offset_at(Timestamp(i64::MAX)), -5 * 3_600_000);
    }

    #[test]
    fn local_midnight_starts_the_local_day_on_both_sides() {
        let z = Zone::fixed("-05:00", -5 * 3600);
        let midnight = Timestamp::parse("2026-03-08T05:00:00Z").unwrap();
        let day = Timestamp::from_date(2026, 3, 8).epoch_day();
        assert_eq!(z.day(midnight), day);
        assert_eq!(z.day(midnight.plus_ms(-1)), day - 1);
        assert_eq!(Zone::default().day(Timestamp(-1)), -1);
    }
}
