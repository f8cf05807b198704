//! Engagement events: the schema shared by the widget and the collector.
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A nudge was rendered.
    Impression,
    /// A call to action was used.
    Cta,
    /// The user dismissed a nudge.
    Dismiss,
    /// The host reported something the user did (`touchpoint.track`).
    Track,
}

/// One engagement event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Client-generated unique id (UUIDv7).
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// When the client saw it happen.
    pub ts: Timestamp,
    /// Who.
    pub user_id: Option<String>,
    /// Which campaign.
    pub campaign_id: Option<String>,
}

/// Format a UUIDv7 from a unix-millis timestamp and 10 random bytes (the caller supplies the
/// randomness; the core draws none).
pub fn uuid_v7(millis: i64, random: [u8; 10]) -> String {
    let ms = millis.clamp(0, (1 << 48) - 1).unsigned_abs().to_be_bytes();
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&ms[2..]);
    b[6..].copy_from_slice(&random);
    b[6] = 0x70 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
