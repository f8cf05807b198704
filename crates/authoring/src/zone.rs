//! Turning schedule wall-clock times into UTC instants.
//!
//! Fixed offsets (`UTC`, `+02:00`) and named IANA zones (`Europe/Paris`, from jiff's bundled
//! tz database). Only the server resolves zones: it sends campaigns to the widget with
//! instants already in UTC, so the widget's wasm carries no time-zone data (it does not
//! depend on this crate).
use touchpoint_core::time::{parse_local, parse_offset, Timestamp, DAY_MS};

/// Check that `zone` can be resolved by this build.
///
/// # Errors
/// A message for a CS person when the zone is unknown.
pub fn check_zone(zone: &str) -> Result<(), String> {
    if parse_offset(zone).is_some() {
        return Ok(());
    }
    named(zone).map(|_| ())
}

/// Resolve a schedule time written in `zone` to an instant. Text with its own offset
/// (`...Z`, `...+02:00`) ignores `zone`.
///
/// # Errors
/// A message when the text is not a date/time or the zone cannot be resolved.
pub fn resolve(text: &str, zone: &str) -> Result<Timestamp, String> {
    let local = parse_local(text).ok_or_else(|| {
        format!(
            "expected a date `2026-05-01`, a local time `2026-05-01T09:00` or an RFC 3339 \
             instant `2026-05-01T09:00:00Z`, found {}",
            crate::diagnostic::quote(text)
        )
    })?;
    if let Some(offset) = local.offset {
        return Ok(Timestamp(local.millis - offset));
    }
    if let Some(offset) = parse_offset(zone) {
        return Ok(Timestamp(local.millis - offset));
    }
    to_instant(&named(zone)?, local.millis)
}

fn named(zone: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(zone).map_err(|_| {
        format!("unknown time zone `{zone}`: expected an IANA name like `Europe/Paris`, `UTC` or an offset like `+02:00`")
    })
}

fn to_instant(tz: &jiff::tz::TimeZone, wall_ms: i64) -> Result<Timestamp, String> {
    let (y, m, d) = touchpoint_core::calendar::civil_from_days(wall_ms.div_euclid(DAY_MS));
    let ms = wall_ms.rem_euclid(DAY_MS);
    let out_of_range = || "date out of range".to_owned();
    let dt = jiff::civil::DateTime::new(
        i16::try_from(y).map_err(|_| out_of_range())?,
        m as i8,
        d as i8,
        (ms / 3_600_000) as i8,
        ((ms / 60_000) % 60) as i8,
        ((ms / 1000) % 60) as i8,
        ((ms % 1000) * 1_000_000) as i32,
    )
    .map_err(|e| e.to_string())?;
    // `compatible`: a time skipped by a DST gap moves forward, a repeated one takes the
    // earlier instant (RFC 5545 behaviour).
    let zoned = tz
        .to_ambiguous_zoned(dt)
        .compatible()
        .map_err(|e| e.to_string())?;
    Ok(Timestamp(zoned.timestamp().as_millisecond()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_offsets_everywhere() {
        assert_eq!(
            resolve("2026-05-01T09:00", "+02:00").unwrap().to_string(),
            "2026-05-01T07:00:00Z"
        );
        assert_eq!(
            resolve("2026-05-01", "UTC").unwrap().to_string(),
            "2026-05-01T00:00:00Z"
        );
        assert_eq!(
            resolve("2026-05-01T09:00:00Z", "Europe/Paris")
                .unwrap()
                .to_string(),
            "2026-05-01T09:00:00Z"
        );
        assert!(resolve("May 1st", "UTC").is_err());
    }

    #[test]
    fn named_zones() {
        assert_eq!(
            resolve("2026-05-01T09:00", "Europe/Paris")
                .unwrap()
                .to_string(),
            "2026-05-01T07:00:00Z"
        );
        assert_eq!(
            resolve("2026-01-15T09:00", "America/New_York")
                .unwrap()
                .to_string(),
            "2026-01-15T14:00:00Z"
        );
        assert!(check_zone("Europe/Pariss")
            .unwrap_err()
            .contains("unknown time zone"));
    }
}
