//! A campaign's lifecycle, split in two on purpose.
//!
//! What people decide is stored: [`CampaignState`] — draft, published, paused, archived —
//! and changes only through [`CampaignState::publish`] and [`CampaignState::change_to`],
//! which refuse an illegal move with a [`TransitionError`] naming both ends.
//!
//! What time decides is derived: a published campaign is *scheduled* before its
//! `[schedule] start`, *live* inside its window and *ended* after its `end`
//! ([`Status::derive`]). The schedule lives in the campaign's own TOML, and the widget
//! already enforces it from the compiled catalog, so storing "scheduled"/"live"/"ended" would
//! be a second copy of the same fact that a background job would have to keep in step — and
//! that could disagree with what the widget does. Deriving it at read time cannot.
use serde::{Deserialize, Serialize};
use std::fmt;
use touchpoint_core::campaign::Schedule;

/// The stored state of a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignState {
    /// Has versions, none of which was ever published.
    Draft,
    /// Its live version is in the catalog (subject to its own schedule).
    #[serde(alias = "live")]
    Published,
    /// Kept out of the catalog until resumed; keeps its live version.
    Paused,
    /// Out of the catalog and out of the way; no publish until restored (to paused).
    Archived,
}

/// A move the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("campaign `{campaign}` cannot go from {from} to {to}{}", hint(*.from, *.to))]
pub struct TransitionError {
    /// The campaign.
    pub campaign: String,
    /// Its state.
    pub from: CampaignState,
    /// The state asked for.
    pub to: CampaignState,
}

fn hint(from: CampaignState, to: CampaignState) -> &'static str {
    use CampaignState as S;
    match (from, to) {
        (S::Archived, _) => ": restore it to paused first",
        (S::Draft, S::Paused) => ": publish it first",
        (a, b) if a == b => ": it already is",
        _ => "",
    }
}

impl CampaignState {
    /// The spelling stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Paused => "paused",
            Self::Archived => "archived",
        }
    }

    /// Read the stored spelling back.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => Self::Draft,
            "published" | "live" => Self::Published,
            "paused" => Self::Paused,
            "archived" => Self::Archived,
            _ => return None,
        })
    }

    /// The state after a new version is published. A draft becomes published; a paused
    /// campaign stays paused (pausing is an operational decision an edit does not undo);
    /// an archived one refuses.
    ///
    /// # Errors
    /// From archived.
    pub fn publish(self, campaign: &str) -> Result<Self, TransitionError> {
        match self {
            Self::Draft | Self::Published => Ok(Self::Published),
            Self::Paused => Ok(Self::Paused),
            Self::Archived => Err(self.refuse(campaign, Self::Published)),
        }
    }

    /// The state after someone asks for `to` (pause, resume, archive, restore).
    ///
    /// # Errors
    /// Anything but published ↔ paused, draft → published, not-archived → archived and
    /// archived → paused.
    pub fn change_to(self, campaign: &str, to: Self) -> Result<Self, TransitionError> {
        use CampaignState as S;
        match (self, to) {
            (S::Published, S::Paused)
            | (S::Paused | S::Draft, S::Published)
            | (S::Draft | S::Published | S::Paused, S::Archived)
            | (S::Archived, S::Paused) => Ok(to),
            _ => Err(self.refuse(campaign, to)),
        }
    }

    /// Whether the live version belongs in the widget's catalog.
    pub fn in_catalog(self) -> bool {
        self == Self::Published
    }

    fn refuse(self, campaign: &str, to: Self) -> TransitionError {
        TransitionError {
            campaign: campaign.to_owned(),
            from: self,
            to,
        }
    }
}

impl fmt::Display for CampaignState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a person sees in a list: the stored state with time's part filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Never published.
    Draft,
    /// Published, before its schedule's start.
    Scheduled,
    /// Published and inside its schedule (or without one).
    Live,
    /// Paused.
    Paused,
    /// Published, at or after its schedule's end.
    Ended,
    /// Archived.
    Archived,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Self; 6] = [
        Self::Draft,
        Self::Scheduled,
        Self::Live,
        Self::Paused,
        Self::Ended,
        Self::Archived,
    ];

    /// The spelling the API and the workspace's filters use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Live => "live",
            Self::Paused => "paused",
            Self::Ended => "ended",
            Self::Archived => "archived",
        }
    }

    /// Derive the status from the stored state and the live version's schedule at `now`
    /// (unix millis). The schedule's start is inclusive, its end exclusive, as the widget
    /// reads them.
    pub fn derive(state: CampaignState, schedule: Schedule, now: i64) -> Self {
        match state {
            CampaignState::Draft => Self::Draft,
            CampaignState::Paused => Self::Paused,
            CampaignState::Archived => Self::Archived,
            CampaignState::Published => {
                if schedule.start.is_some_and(|s| now < s.0) {
                    Self::Scheduled
                } else if schedule.end.is_some_and(|e| now >= e.0) {
                    Self::Ended
                } else {
                    Self::Live
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CampaignState as S;
    use super::*;
    use touchpoint_core::time::Timestamp;

    #[test]
    fn the_lifecycle_allows_only_its_moves() {
        assert_eq!(S::Draft.change_to("c", S::Published), Ok(S::Published));
        assert_eq!(S::Published.change_to("c", S::Paused), Ok(S::Paused));
        assert_eq!(S::Paused.change_to("c", S::Published), Ok(S::Published));
        assert_eq!(S::Paused.change_to("c", S::Archived), Ok(S::Archived));
        assert_eq!(S::Archived.change_to("c", S::Paused), Ok(S::Paused));
        let e = S::Archived.change_to("c", S::Published).unwrap_err();
        assert_eq!(
            e.to_string(),
            "campaign `c` cannot go from archived to published: restore it to paused first"
        );
        let e = S::Draft.change_to("c", S::Paused).unwrap_err();
        assert_eq!(
            e.to_string(),
            "campaign `c` cannot go from draft to paused: publish it first"
        );
        assert!(S::Paused.change_to("c", S::Paused).is_err());
    }

    #[test]
    fn publishing_keeps_a_pause_and_refuses_an_archive() {
        assert_eq!(S::Draft.publish("c"), Ok(S::Published));
        assert_eq!(S::Paused.publish("c"), Ok(S::Paused));
        assert!(S::Archived.publish("c").is_err());
    }

    #[test]
    fn time_decides_scheduled_live_and_ended() {
        let window = Schedule {
            start: Some(Timestamp(100)),
            end: Some(Timestamp(200)),
        };
        assert_eq!(Status::derive(S::Published, window, 99), Status::Scheduled);
        assert_eq!(Status::derive(S::Published, window, 100), Status::Live);
        assert_eq!(Status::derive(S::Published, window, 200), Status::Ended);
        assert_eq!(Status::derive(S::Paused, window, 150), Status::Paused);
        assert_eq!(
            Status::derive(S::Published, Schedule::default(), 0),
            Status::Live
        );
    }

    #[test]
    fn spellings_round_trip() {
        for s in [S::Draft, S::Published, S::Paused, S::Archived] {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        assert_eq!(S::parse("live"), Some(S::Published));
    }
}
