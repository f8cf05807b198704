//! Writing the audit log: who did what to which subject, with details as JSON. Every change a
//! workspace page, the workspace API or the CLI makes goes through [`record`].
use crate::state::AppState;
use crate::store::{AuditEntry, StoreError};

/// Append one entry at the state's clock.
///
/// # Errors
/// When storage fails.
pub async fn record(
    state: &AppState,
    actor: &str,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    tracing::info!(actor, action, subject, %detail, "audit");
    state
        .store
        .append_audit(&AuditEntry {
            at: state.now_millis(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            detail: detail.to_string(),
        })
        .await
}

/// Unix millis as `2026-11-23 09:05 UTC`, how the pages show times.
pub fn utc(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let (y, m, d) = touchpoint_core::calendar::civil_from_days(secs.div_euclid(86_400));
    let in_day = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        in_day / 3600,
        in_day % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_read_as_utc() {
        assert_eq!(
            super::utc(1_795_392_000_000 + 9 * 3_600_000 + 5 * 60_000),
            "2026-11-23 09:05 UTC"
        );
    }
}
