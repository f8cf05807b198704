//! The validated campaign: every value parsed, every reference checked. Only
//! `Campaign::try_from(RawCampaign)` builds one, so the decision never meets a bad campaign.
use crate::expr::{Condition, Glob};
use crate::stage::{Phase, Stage};
use crate::time::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the campaign is for (reporting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    /// Drive feature adoption.
    Adoption,
    /// Announce something.
    Announcement,
    /// Collect feedback.
    Feedback,
    /// Secure the renewal.
    Renewal,
    /// Sell more.
    Expansion,
    /// Turn promoters into advocates.
    Advocacy,
}

/// Consent category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Part of the service; always allowed.
    Service,
    /// Marketing; needs consent.
    Marketing,
}

/// Who the campaign is for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Audience {
    /// Allowed stages; empty means any.
    pub stages: Vec<Stage>,
    /// Allowed phases (time phase or active signal); empty means any.
    pub phases: Vec<Phase>,
    /// Targeting condition.
    pub condition: Option<Condition>,
}

/// What makes a campaign appear.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// A page load whose URL matches.
    PageLoad {
        /// URL glob.
        url: Glob,
    },
    /// A tracked event.
    Event {
        /// Event name.
        name: String,
    },
    /// An element becoming visible (armed by the widget on a matching page load).
    ElementVisible {
        /// URL glob, if restricted.
        url: Option<Glob>,
        /// CSS selector.
        selector: String,
    },
    /// A delay after a matching page load (armed by the widget).
    Delay {
        /// URL glob, if restricted.
        url: Option<Glob>,
        /// Seconds to wait.
        seconds: u32,
    },
    /// Only an explicit `show(id)` from the host.
    Manual,
}

/// How a nudge is presented.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Format {
    /// A strip across the page.
    Banner {
        /// Which edge of the viewport it sits on.
        position: BannerPosition,
    },
    /// A centred dialog.
    Modal {
        /// Stop the host page scrolling while open (off by default: a nudge should not
        /// take the page away from the user).
        scroll_lock: bool,
    },
    /// A panel sliding in from the side.
    Slideout,
    /// A tooltip anchored to a host element.
    Tooltip {
        /// CSS selector.
        anchor: String,
        /// Seconds to wait for the element, if not the page's default.
        #[serde(skip_serializing_if = "Option::is_none")]
        wait_seconds: Option<u32>,
    },
    /// A pulsing hotspot on a host element.
    Hotspot {
        /// CSS selector.
        anchor: String,
        /// Seconds to wait for the element, if not the page's default.
        #[serde(skip_serializing_if = "Option::is_none")]
        wait_seconds: Option<u32>,
    },
    /// A multi-step tour.
    Tour {
        /// The steps.
        steps: Vec<TourStep>,
        /// Seconds each step waits for its element, if not the widget's default.
        #[serde(skip_serializing_if = "Option::is_none")]
        wait_seconds: Option<u32>,
    },
    /// A checklist whose items complete on tracked events.
    Checklist {
        /// The items.
        items: Vec<ChecklistItem>,
    },
    /// A survey.
    Survey(Survey),
    /// A short-lived notice.
    Toast,
    /// An item in the always-available feed.
    Feed,
}

/// Which edge of the viewport a banner sits on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BannerPosition {
    /// The top (the default).
    #[default]
    Top,
    /// The bottom.
    Bottom,
}

/// One tour step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TourStep {
    /// CSS selector.
    pub anchor: String,
    /// Title.
    pub title: String,
    /// Markdown body.
    pub body: String,
}

/// One checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    /// Slug.
    pub id: String,
    /// Label.
    pub label: String,
    /// Completing event.
    pub done_event: String,
    /// Where to do it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Survey {
    /// Which kind.
    pub survey: SurveyKind,
    /// The question.
    pub question: String,
}

/// The kind of survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SurveyKind {
    /// Net Promoter Score, 0–10.
    Nps,
    /// Customer satisfaction, 1–5.
    Csat,
    /// One of the choices.
    SingleChoice {
        /// The choices.
        choices: Vec<String>,
    },
    /// Free text.
    FreeText,
}

/// The placement slot a format occupies; one nudge per slot, except the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    /// Modal, slideout, survey, tour: one at a time, and counted per session.
    Overlay,
    /// Banner.
    Banner,
    /// Tooltip or hotspot.
    Anchored,
    /// Checklist launcher.
    Checklist,
    /// Toast.
    Toast,
    /// Feed: any number.
    Feed,
}

impl Slot {
    /// Whether a nudge in this slot interrupts the user and so counts towards the weekly
    /// nudge limit (feed items and the checklist launcher do not).
    pub fn is_nudge(self) -> bool {
        !matches!(self, Slot::Feed | Slot::Checklist)
    }
}

impl Format {
    /// The slot this format occupies.
    pub fn slot(&self) -> Slot {
        match self {
            Format::Modal { .. } | Format::Slideout | Format::Tour { .. } | Format::Survey(_) => {
                Slot::Overlay
            }
            Format::Banner { .. } => Slot::Banner,
            Format::Tooltip { .. } | Format::Hotspot { .. } => Slot::Anchored,
            Format::Checklist { .. } => Slot::Checklist,
            Format::Toast => Slot::Toast,
            Format::Feed => Slot::Feed,
        }
    }

    /// The snake_case name used in files.
    pub fn name(&self) -> &'static str {
        match self {
            Format::Banner { .. } => "banner",
            Format::Modal { .. } => "modal",
            Format::Slideout => "slideout",
            Format::Tooltip { .. } => "tooltip",
            Format::Hotspot { .. } => "hotspot",
            Format::Tour { .. } => "tour",
            Format::Checklist { .. } => "checklist",
            Format::Survey(_) => "survey",
            Format::Toast => "toast",
            Format::Feed => "feed",
        }
    }
}

/// Resolved content in one locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Content {
    /// Headline.
    pub title: String,
    /// Markdown body (rendered by the widget, never as raw HTML).
    pub body: String,
    /// Calls to action.
    pub ctas: Vec<Cta>,
}

/// A call to action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cta {
    /// Slug (referenced by leads and logged in `cta` events).
    pub id: String,
    /// Button label.
    pub label: String,
    /// What it does.
    pub action: CtaAction,
}

/// What a CTA does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CtaAction {
    /// Open a URL.
    OpenUrl {
        /// Where.
        url: String,
    },
    /// Track an event.
    Track {
        /// Event name.
        event: String,
    },
    /// Dismiss the nudge.
    Dismiss,
    /// Snooze the nudge.
    Snooze,
    /// Book a meeting (a scheduling link).
    BookMeeting {
        /// Scheduling URL.
        url: String,
    },
}

/// An A/B variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Slug.
    pub id: String,
    /// Percent weight.
    pub weight: u32,
    /// Per-locale content overriding the campaign's.
    pub content: BTreeMap<String, Content>,
}

/// When a campaign may run, as UTC instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Schedule {
    /// Inclusive start.
    pub start: Option<Timestamp>,
    /// Exclusive end.
    pub end: Option<Timestamp>,
}

/// Per-user or per-account cap scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CapScope {
    /// This user.
    User,
    /// All users of the account together.
    Account,
}

/// At most `max` views per `scope` within `within_days` (lifetime if `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Cap {
    /// Who is counted.
    pub scope: CapScope,
    /// Views allowed.
    pub max: u32,
    /// Rolling window in days.
    pub within_days: Option<u32>,
}

/// How often a campaign may be shown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frequency {
    /// Lifetime views per user.
    pub max_views: Option<u32>,
    /// Days after a dismissal before showing again; `None`: never again.
    pub recontact_days: Option<u32>,
    /// Snooze length in days.
    pub snooze_days: u32,
    /// Stop once converted.
    pub stop_after_conversion: bool,
    /// Windowed caps.
    pub caps: Vec<Cap>,
}

/// A conversion goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionGoal {
    /// Tracked event.
    pub event: String,
    /// Window after a view, in days.
    pub within_days: u32,
}

/// Which team a lead goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Team {
    /// Sales (expansion).
    Sales,
    /// Marketing (advocacy).
    Marketing,
    /// Customer success.
    Success,
}

/// What raises a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LeadSource {
    /// Using this CTA.
    Cta {
        /// CTA id.
        cta: String,
    },
    /// A survey score at or above.
    MinScore {
        /// Threshold.
        min_score: u32,
    },
    /// One of these single-choice answers.
    Answers {
        /// Answers.
        answers: Vec<String>,
    },
}

/// A lead routing rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadRule {
    /// Destination team.
    pub team: Team,
    /// Trigger.
    #[serde(flatten)]
    pub source: LeadSource,
}

/// A validated campaign.
///
/// Serde goes through the wire form: serialising writes [`RawCampaign::from`]`(&campaign)`
/// (schedule in UTC) and deserialising validates with `TryFrom<RawCampaign>`, so
/// `serde_json::from_str::<Vec<Campaign>>` cannot produce an invalid campaign.
///
/// [`RawCampaign::from`]: super::RawCampaign
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(try_from = "super::RawCampaign", into = "super::RawCampaign")]
pub struct Campaign {
    /// Stable slug.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Owner.
    pub owner: Option<String>,
    /// Goal.
    pub goal: Goal,
    /// Consent category.
    pub category: Category,
    /// Higher wins conflicts.
    pub priority: i32,
    /// Holdout in basis points (0–10 000).
    pub holdout_bp: u32,
    /// Audience.
    pub audience: Audience,
    /// Trigger.
    pub trigger: Trigger,
    /// Format.
    pub format: Format,
    /// Fallback locale.
    pub default_locale: String,
    /// Content per locale.
    pub content: BTreeMap<String, Content>,
    /// Variants (at least one; `control` when none were written).
    pub variants: Vec<Variant>,
    /// Schedule in UTC.
    pub schedule: Schedule,
    /// Frequency.
    pub frequency: Frequency,
    /// Conversion goal.
    pub conversion: Option<ConversionGoal>,
    /// Lead routing.
    pub leads: Vec<LeadRule>,
}

impl Campaign {
    /// The content for `locale` in `variant`: exact locale, then its language (`fr` for
    /// `fr-CA`), then the default locale; a variant's content wins over the campaign's at
    /// each step. Returns the locale actually used.
    pub fn content_for<'a>(&'a self, variant: &'a Variant, locale: &str) -> (&'a str, &'a Content) {
        let lang = locale.split(['-', '_']).next().unwrap_or(locale);
        for candidate in [locale, lang, self.default_locale.as_str()] {
            if let Some((k, c)) = variant.content.get_key_value(candidate) {
                return (k, c);
            }
            if let Some((k, c)) = self.content.get_key_value(candidate) {
                return (k, c);
            }
        }
        // Validation guarantees content for the default locale; this is a safe fallback.
        let (k, c) = self
            .content
            .iter()
            .next()
            .unwrap_or((&self.default_locale, &FALLBACK));
        (k, c)
    }
}

static FALLBACK: Content = Content {
    title: String::new(),
    body: String::new(),
    ctas: Vec::new(),
};
