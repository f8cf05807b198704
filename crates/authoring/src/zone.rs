//! Time zones, which only the server resolves: schedule wall-clock times into UTC instants,
//! and the vendor's zone into the core's offset table ([`table`]).
//!
//! Fixed offsets (`UTC`, `+02:00`) and named IANA zones (`Europe/Paris`, from jiff's bundled
//! tz database). The server sends campaigns to the widget with instants already in UTC, and
//! the vendor's zone as a table of offsets for the years [`TABLE_FROM_YEAR`] to
//! [`TABLE_UNTIL_YEAR`], so the widget's wasm carries no time-zone data (it does not depend
//! on this crate). The range is fixed rather than around the server's clock, so a catalog
//! is the same bytes (and ETag) whenever it is built.
use touchpoint_core::calendar::days_from_civil;
use touchpoint_core::time::{parse_local, parse_offset, Timestamp, DAY_MS};
use touchpoint_core::zone::Zone;

/// The first year the offset table covers (earlier instants take its first offset).
pub const TABLE_FROM_YEAR: i64 = 2000;
/// The year the offset table stops at (later instants keep its last offset).
pub const TABLE_UNTIL_YEAR: i64 = 2050;

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

/// The zone `zone` as the core's table: the offset in force on 1 January
/// [`TABLE_FROM_YEAR`] and every change of offset until [`TABLE_UNTIL_YEAR`].
///
/// # Errors
/// A message for a CS person when the zone is unknown.
///
/// # Example
/// ```
/// use touchpoint_authoring::zone::table;
/// let berlin = table("Europe/Berlin").unwrap();
/// assert_eq!(berlin.offset, 3600);
/// assert_eq!(berlin.transitions[0], (954_032_400_000, 7200)); // 2000-03-26T01:00:00Z
/// assert!(table("+05:30").unwrap().transitions.is_empty());
/// ```
pub fn table(zone: &str) -> Result<Zone, String> {
    if let Some(offset_ms) = parse_offset(zone) {
        return Ok(Zone::fixed(zone, (offset_ms / 1000) as i32));
    }
    let tz = named(zone)?;
    let instant = |year| {
        jiff::Timestamp::from_millisecond(days_from_civil(year, 1, 1) * DAY_MS)
            .expect("1 January of a year of this century is a valid instant")
    };
    let (from, until) = (instant(TABLE_FROM_YEAR), instant(TABLE_UNTIL_YEAR));
    let offset = tz.to_offset(from).seconds();
    let mut transitions: Vec<(i64, i32)> = Vec::new();
    for t in tz.following(from).take_while(|t| t.timestamp() < until) {
        let (at, to) = (t.timestamp().as_millisecond(), t.offset().seconds());
        // Some transitions change only the abbreviation or the DST flag, not the offset.
        if transitions.last().map_or(offset, |&(_, o)| o) != to {
            transitions.push((at, to));
        }
    }
    Ok(Zone {
        name: zone.to_owned(),
        offset,
        transitions,
    })
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
    fn the_offset_table_agrees_with_the_tz_database_over_its_whole_range() {
        let (from, until) = (
            days_from_civil(TABLE_FROM_YEAR, 1, 1) * DAY_MS,
            days_from_civil(TABLE_UNTIL_YEAR, 1, 1) * DAY_MS,
        );
        for name in [
            "America/New_York",
            "Europe/Berlin",
            "Pacific/Auckland",
            "Asia/Kolkata",
        ] {
            let zone = table(name).unwrap();
            let tz = named(name).unwrap();
            let jiff_ms = |ms: i64| {
                let t = jiff::Timestamp::from_millisecond(ms).unwrap();
                i64::from(tz.to_offset(t).seconds()) * 1000
            };
            let mut probes: Vec<i64> = (from..until).step_by(6 * 3_600_000).collect();
            for &(at, _) in &zone.transitions {
                probes.extend([at - 1, at]);
            }
            for ms in probes {
                assert_eq!(zone.offset_at(Timestamp(ms)), jiff_ms(ms), "{name} at {ms}");
            }
        }
        assert!(table("Asia/Kolkata").unwrap().transitions.is_empty());
        assert_eq!(table("UTC").unwrap(), Zone::utc());
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
