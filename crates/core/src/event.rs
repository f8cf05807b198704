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
