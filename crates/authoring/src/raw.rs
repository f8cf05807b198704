//! The raw campaign: exactly what TOML campaign files hold.
//!
//! Enumerations are plain strings here so that validation can report *every* bad value with
//! its field path in one pass (serde would stop at the first); only unknown fields and
//! wrong value types are rejected by serde itself. This form is only read (by
//! [`crate::files`] from TOML, by tests from JSON): the server sends widgets the compiled
//! form of the validated campaign, never this one.
use serde::Deserialize;
use std::collections::BTreeMap;

/// A campaign as authored: unvalidated. Convert with `Campaign::try_from`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCampaign {
    /// Stable slug (`a-z`, `0-9`, `-`).
    pub id: String,
    /// Human name.
    pub name: String,
    /// Who owns it (a person or team).
    #[serde(default)]
    pub owner: Option<String>,
    /// adoption, announcement, feedback, renewal, expansion or advocacy.
    pub goal: String,
    /// service (default) or marketing; marketing needs consent.
    #[serde(default)]
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
    #[serde(default)]
    pub default_locale: Option<String>,
    /// Content per locale (`[content.en]`).
    pub content: BTreeMap<String, RawContent>,
    /// A/B variants; none means one variant, `control`.
    #[serde(default)]
    pub variants: Vec<RawVariant>,
    /// When it may run.
    #[serde(default)]
    pub schedule: Option<RawSchedule>,
    /// How often.
    #[serde(default)]
    pub frequency: RawFrequency,
    /// What counts as success.
    #[serde(default)]
    pub conversion: Option<RawConversion>,
    /// Which CTA or answer raises which lead.
    #[serde(default)]
    pub leads: Vec<RawLead>,
}

/// Audience as authored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAudience {
    /// Stages (acquisition, service, loyalty, lapsed); empty means any.
    #[serde(default)]
    pub stages: Vec<String>,
    /// Phases (onboarding, adoption, steady_state, growth, renewal, expansion, advocacy);
    /// empty means any. With both, the account must match both.
    #[serde(default)]
    pub phases: Vec<String>,
    /// Targeting condition in the targeting language.
    #[serde(default)]
    pub condition: Option<String>,
}

/// Trigger as authored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrigger {
    /// page_load, event, element_visible, delay or manual.
    pub on: String,
    /// URL glob (`/invoices/**`); matched against the path when it starts with `/`,
    /// else against the full URL. For page_load, element_visible and delay.
    #[serde(default)]
    pub url: Option<String>,
    /// Tracked event name (event).
    #[serde(default)]
    pub event: Option<String>,
    /// CSS selector (element_visible).
    #[serde(default)]
    pub selector: Option<String>,
    /// Seconds after the page load (delay).
    #[serde(default)]
    pub seconds: Option<u32>,
}

/// Format as authored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFormat {
    /// banner, modal, slideout, tooltip, hotspot, tour, checklist, survey, toast or feed.
    pub kind: String,
    /// CSS selector of the host element (tooltip, hotspot).
    #[serde(default)]
    pub anchor: Option<String>,
    /// Tooltip, hotspot, tour: seconds to wait for the anchor element (else the page's
    /// default).
    #[serde(default)]
    pub wait_seconds: Option<u32>,
    /// Banner: `top` (the default) or `bottom`.
    #[serde(default)]
    pub position: Option<String>,
    /// Modal: stop the host page scrolling while it is open (default false).
    #[serde(default)]
    pub scroll_lock: Option<bool>,
    /// Tour steps.
    #[serde(default)]
    pub steps: Vec<RawStep>,
    /// Checklist items.
    #[serde(default)]
    pub items: Vec<RawItem>,
    /// Survey type: nps, csat, single_choice or free_text.
    #[serde(default)]
    pub survey: Option<String>,
    /// Survey question.
    #[serde(default)]
    pub question: Option<String>,
    /// Choices (single_choice).
    #[serde(default)]
    pub choices: Vec<String>,
}

/// A tour step as authored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    /// Slug.
    pub id: String,
    /// What to do.
    pub label: String,
    /// The tracked event that completes it.
    pub done_event: String,
    /// Where to go to do it.
    #[serde(default)]
    pub url: Option<String>,
}

/// Content as authored (one locale).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContent {
    /// Headline.
    pub title: String,
    /// Markdown body.
    #[serde(default)]
    pub body: String,
    /// Calls to action.
    #[serde(default)]
    pub ctas: Vec<RawCta>,
}

/// A call to action as authored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCta {
    /// Slug, referenced by leads (defaults to `cta-N`).
    #[serde(default)]
    pub id: Option<String>,
    /// Button label.
    pub label: String,
    /// open_url, track, dismiss, snooze or book_meeting.
    pub action: String,
    /// URL (open_url, book_meeting).
    #[serde(default)]
    pub url: Option<String>,
    /// Event name (track).
    #[serde(default)]
    pub event: Option<String>,
}

/// A variant as authored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVariant {
    /// Slug.
    pub id: String,
    /// Percent of the (non-holdout) audience; all weights sum to 100.
    pub weight: u32,
    /// Per-locale content replacing the campaign's for this variant.
    #[serde(default)]
    pub content: BTreeMap<String, RawContent>,
}

/// Schedule as authored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSchedule {
    /// `2026-05-01`, `2026-05-01T09:00` (in `timezone`) or RFC 3339 with offset.
    #[serde(default)]
    pub start: Option<String>,
    /// Same forms as `start`; exclusive.
    #[serde(default)]
    pub end: Option<String>,
    /// IANA name (needs feature `tz`), `UTC` or a fixed offset `+02:00`. Default UTC.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// Frequency as authored.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFrequency {
    /// Lifetime views per user.
    #[serde(default)]
    pub max_views: Option<u32>,
    /// Days before showing again after a dismissal; absent: never again.
    #[serde(default)]
    pub recontact_days: Option<u32>,
    /// Snooze length in days (default 7).
    #[serde(default)]
    pub snooze_days: Option<u32>,
    /// Stop showing once the user converted (default true).
    #[serde(default)]
    pub stop_after_conversion: Option<bool>,
    /// Windowed caps per user or per account.
    #[serde(default)]
    pub caps: Vec<RawCap>,
}

/// A windowed cap as authored: at most `max` views per `scope` within `within_days`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCap {
    /// user or account.
    pub scope: String,
    /// Views allowed.
    pub max: u32,
    /// Rolling window in days; absent means lifetime.
    #[serde(default)]
    pub within_days: Option<u32>,
}

/// Conversion goal as authored: exactly one of `event` and `cta`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConversion {
    /// Tracked event that counts as success.
    #[serde(default)]
    pub event: Option<String>,
    /// Or: a CTA of the campaign whose use counts as success.
    #[serde(default)]
    pub cta: Option<String>,
    /// Days after an exposure in which it counts.
    pub within_days: u32,
    /// `user` (the default) or `account`: whose goal event counts.
    #[serde(default)]
    pub scope: Option<String>,
}

/// Lead routing as authored: exactly one of `cta`, `min_score`, `answers`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLead {
    /// sales, marketing or success.
    pub team: String,
    /// A CTA id.
    #[serde(default)]
    pub cta: Option<String>,
    /// A survey score at or above this (nps, csat).
    #[serde(default)]
    pub min_score: Option<u32>,
    /// Single-choice answers.
    #[serde(default)]
    pub answers: Vec<String>,
}
