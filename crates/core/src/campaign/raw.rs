//! The raw campaign: exactly what TOML files, the admin API and the widget's JSON carry.
//!
//! Enumerations are plain strings here so that validation can report *every* bad value with
//! its field path in one pass (serde would stop at the first); only unknown fields and
//! wrong value types are rejected by serde itself. Optional parts are skipped when
//! serialising, so the wire JSON stays small.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A campaign as authored: unvalidated. Convert with `Campaign::try_from`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCampaign {
    /// Stable slug (`a-z`, `0-9`, `-`).
    pub id: String,
    /// Human name.
    pub name: String,
    /// Who owns it (a person or team).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// adoption, announcement, feedback, renewal, expansion or advocacy.
    pub goal: String,
    /// service (default) or marketing; marketing needs consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Higher wins conflicts (default 0).
    #[serde(default)]
    pub priority: i32,
    /// Percent of the audience held out (0–100, default 0).
    #[serde(default)]
    pub holdout: f64,
    /// Who it is for.
    #[serde(default)]
    pub audience: RawAudience,
    /// What makes it appear.
    pub trigger: RawTrigger,
    /// How it is presented.
    pub format: RawFormat,
    /// The locale used when the user's has no content (default `en`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_locale: Option<String>,
    /// Content per locale (`[content.en]`).
    pub content: BTreeMap<String, RawContent>,
    /// A/B variants; none means one variant, `control`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<RawVariant>,
    /// When it may run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<RawSchedule>,
    /// How often.
    #[serde(default)]
    pub frequency: RawFrequency,
    /// What counts as success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion: Option<RawConversion>,
    /// Which CTA or answer raises which lead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leads: Vec<RawLead>,
}

/// Audience as authored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAudience {
    /// Stages (acquisition, service, loyalty); empty means any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<String>,
    /// Phases (onboarding, adoption, steady_state, growth, renewal, expansion, advocacy);
    /// empty means any. With both, the account must match both.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<String>,
    /// Targeting condition in the targeting language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// Trigger as authored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrigger {
    /// page_load, event, element_visible, delay or manual.
    pub on: String,
    /// URL glob (`/invoices/**`); matched against the path when it starts with `/`,
    /// else against the full URL. For page_load, element_visible and delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Tracked event name (event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// CSS selector (element_visible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Seconds after the page load (delay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
}

/// Format as authored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFormat {
    /// banner, modal, slideout, tooltip, hotspot, tour, checklist, survey, toast or feed.
    pub kind: String,
    /// CSS selector of the host element (tooltip, hotspot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// Tooltip, hotspot, tour: seconds to wait for the anchor element (else the page's
    /// default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_seconds: Option<u32>,
    /// Banner: `top` (the default) or `bottom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// Modal: stop the host page scrolling while it is open (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scroll_lock: Option<bool>,
    /// Tour steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<RawStep>,
    /// Checklist items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<RawItem>,
    /// Survey type: nps, csat, single_choice or free_text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<String>,
    /// Survey question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// Choices (single_choice).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

/// A tour step as authored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    /// CSS selector the step points at.
    pub anchor: String,
    /// Step title.
    pub title: String,
    /// Markdown body.
    #[serde(default)]
    pub body: String,
}

/// A checklist item as authored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    /// Slug.
    pub id: String,
    /// What to do.
    pub label: String,
    /// The tracked event that completes it.
    pub done_event: String,
    /// Where to go to do it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Content as authored (one locale).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContent {
    /// Headline.
    pub title: String,
    /// Markdown body.
    #[serde(default)]
    pub body: String,
    /// Calls to action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ctas: Vec<RawCta>,
}

/// A call to action as authored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCta {
    /// Slug, referenced by leads (defaults to `cta-N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Button label.
    pub label: String,
    /// open_url, track, dismiss, snooze or book_meeting.
    pub action: String,
    /// URL (open_url, book_meeting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Event name (track).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

/// A variant as authored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVariant {
    /// Slug.
    pub id: String,
    /// Percent of the (non-holdout) audience; all weights sum to 100.
    pub weight: u32,
    /// Per-locale content replacing the campaign's for this variant.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub content: BTreeMap<String, RawContent>,
}

/// Schedule as authored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSchedule {
    /// `2026-05-01`, `2026-05-01T09:00` (in `timezone`) or RFC 3339 with offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Same forms as `start`; exclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// IANA name (needs feature `tz`), `UTC` or a fixed offset `+02:00`. Default UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// Frequency as authored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFrequency {
    /// Lifetime views per user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_views: Option<u32>,
    /// Days before showing again after a dismissal; absent: never again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recontact_days: Option<u32>,
    /// Snooze length in days (default 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snooze_days: Option<u32>,
    /// Stop showing once the user converted (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_after_conversion: Option<bool>,
    /// Windowed caps per user or per account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caps: Vec<RawCap>,
}

/// A windowed cap as authored: at most `max` views per `scope` within `within_days`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCap {
    /// user or account.
    pub scope: String,
    /// Views allowed.
    pub max: u32,
    /// Rolling window in days; absent means lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
}

/// Conversion goal as authored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConversion {
    /// Tracked event that counts as success.
    pub event: String,
    /// Days after a view in which it counts.
    pub within_days: u32,
}

/// Lead routing as authored: exactly one of `cta`, `min_score`, `answers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLead {
    /// sales, marketing or success.
    pub team: String,
    /// A CTA id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cta: Option<String>,
    /// A survey score at or above this (nps, csat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_score: Option<u32>,
    /// Single-choice answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<String>,
}
