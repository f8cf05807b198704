//! The validated campaign: every value parsed, every reference checked.
//!
//! [`Campaign`] can only be built by [`Campaign::new`], which checks every invariant the
//! decision relies on (see [`super::check`]); its parts are readable through `Deref` but
//! not writable. Both ways in go through it: the authoring crate's validator (campaign
//! files on the server) and the compiled catalog's decoder (the widget).
//!
//! `Serialize` writes the compiled catalog's form of each type (see [`super::compiled`]):
//! the derives below are that form's encoder, and the variant names come from the tables
//! in [`crate::vocab`] (a test pins each derived tag to its table).
use crate::expr::{Condition, Glob};
use crate::time::Timestamp;
use crate::vocab::{
    ActionKind, BannerPosition, CapScope, Category, FormatKind, Goal, Phase, Stage, SurveyType,
    Team, TriggerKind,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::Deref;

/// Who the campaign is for.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Audience {
    /// Allowed stages; empty means any.
    pub stages: Vec<Stage>,
    /// Allowed phases (time phase or active signal); empty means any.
    pub phases: Vec<Phase>,
    /// Targeting condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
}

/// What makes a campaign appear.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "on", rename_all = "snake_case")]
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
        #[serde(skip_serializing_if = "Option::is_none")]
        url: Option<Glob>,
        /// CSS selector.
        selector: String,
    },
    /// A delay after a matching page load (armed by the widget).
    Delay {
        /// URL glob, if restricted.
        #[serde(skip_serializing_if = "Option::is_none")]
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
    #[serde(flatten)]
    pub survey: SurveyKind,
    /// The question.
    pub question: String,
}

/// The kind of survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "survey", rename_all = "snake_case")]
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

    /// Which kind of format this is.
    pub fn kind(&self) -> FormatKind {
        match self {
            Format::Banner { .. } => FormatKind::Banner,
            Format::Modal { .. } => FormatKind::Modal,
            Format::Slideout => FormatKind::Slideout,
            Format::Tooltip { .. } => FormatKind::Tooltip,
            Format::Hotspot { .. } => FormatKind::Hotspot,
            Format::Tour { .. } => FormatKind::Tour,
            Format::Checklist { .. } => FormatKind::Checklist,
            Format::Survey(_) => FormatKind::Survey,
            Format::Toast => FormatKind::Toast,
            Format::Feed => FormatKind::Feed,
        }
    }

    /// The name used in files (`banner`, `tour`...).
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }
}

impl Trigger {
    /// Which kind of trigger this is.
    pub fn kind(&self) -> TriggerKind {
        match self {
            Trigger::PageLoad { .. } => TriggerKind::PageLoad,
            Trigger::Event { .. } => TriggerKind::Event,
            Trigger::ElementVisible { .. } => TriggerKind::ElementVisible,
            Trigger::Delay { .. } => TriggerKind::Delay,
            Trigger::Manual => TriggerKind::Manual,
        }
    }
}

impl SurveyKind {
    /// Which type of survey this is.
    pub fn kind(&self) -> SurveyType {
        match self {
            SurveyKind::Nps => SurveyType::Nps,
            SurveyKind::Csat => SurveyType::Csat,
            SurveyKind::SingleChoice { .. } => SurveyType::SingleChoice,
            SurveyKind::FreeText => SurveyType::FreeText,
        }
    }
}

impl CtaAction {
    /// Which kind of action this is.
    pub fn kind(&self) -> ActionKind {
        match self {
            CtaAction::OpenUrl { .. } => ActionKind::OpenUrl,
            CtaAction::Track { .. } => ActionKind::Track,
            CtaAction::Dismiss => ActionKind::Dismiss,
            CtaAction::Snooze => ActionKind::Snooze,
            CtaAction::BookMeeting { .. } => ActionKind::BookMeeting,
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
    #[serde(flatten)]
    pub action: CtaAction,
}

/// What a CTA does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// Slug.
    pub id: String,
    /// Percent weight.
    pub weight: u32,
    /// Per-locale content overriding the campaign's.
    pub content: BTreeMap<String, Content>,
}

/// When a campaign may run, as UTC instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Schedule {
    /// Inclusive start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Timestamp>,
    /// Exclusive end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
}

/// At most `max` views per `scope` within `within_days` (lifetime if `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Cap {
    /// Who is counted.
    pub scope: CapScope,
    /// Views allowed.
    pub max: u32,
    /// Rolling window in days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
}

/// How often a campaign may be shown.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Frequency {
    /// Lifetime views per user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_views: Option<u32>,
    /// Days after a dismissal before showing again; `None`: never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recontact_days: Option<u32>,
    /// Snooze length in days.
    pub snooze_days: u32,
    /// Stop once converted.
    pub stop_after_conversion: bool,
    /// Windowed caps.
    pub caps: Vec<Cap>,
}

/// A conversion goal: the outcome a campaign is measured by, attributed on the server from
/// stored events ([`crate::attribution`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversionGoal {
    /// What counts as success.
    #[serde(flatten)]
    pub target: GoalTarget,
    /// Days after an exposure in which the goal still counts.
    pub within_days: u32,
    /// Whose goal event counts: the exposed user's, or any user's of their account.
    pub scope: CapScope,
}

/// What a conversion goal waits for; written as the one field that says so (`event` or
/// `cta`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum GoalTarget {
    /// A `track` event of this name (from the widget or the vendor's backend).
    Event {
        /// The tracked event's name.
        event: String,
    },
    /// This CTA of the campaign itself (a click-through goal: a holdout member never sees
    /// it, so such a goal is only allowed without a holdout).
    Cta {
        /// The CTA id.
        cta: String,
    },
}

/// What raises a lead; written as the one field that says so (`cta`, `min_score` or
/// `answers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
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

/// The parts of a campaign, as [`Campaign::new`] takes them and as a campaign reads
/// (through `Deref`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignParts {
    /// Stable slug.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Owner.
    #[serde(skip_serializing_if = "Option::is_none")]
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
    /// Content per locale (always has the default locale).
    pub content: BTreeMap<String, Content>,
    /// Variants (at least one, weights summing to 100; `control` when none were written).
    pub variants: Vec<Variant>,
    /// Schedule in UTC.
    pub schedule: Schedule,
    /// Frequency.
    pub frequency: Frequency,
    /// Conversion goal. The server's alone: conversions are attributed from stored events,
    /// so the compiled catalog does not carry it to widgets.
    #[serde(skip)]
    pub conversion: Option<ConversionGoal>,
    /// Lead routing.
    pub leads: Vec<LeadRule>,
}

/// A validated campaign: [`CampaignParts`] that passed [`Campaign::new`]'s checks.
///
/// Read its parts as fields (`campaign.id`, `campaign.variants`); they cannot be changed,
/// so the invariants hold for as long as the campaign exists.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
// `gates` first, at the start of a cache line: a campaign that fails the first gates is
// read in that one line (and its id, to name it).
#[repr(C, align(64))]
pub struct Campaign {
    #[serde(skip)]
    pub(crate) gates: Gates,
    parts: CampaignParts,
}

/// What [`decide`](crate::decide())'s first gates and the history lookup read, worked out
/// once by [`Campaign::new`] and kept together: walking thousands of campaigns, most fail
/// these gates, and each then costs one cache line rather than a chase through its parts
/// and their heap (stages and phases lists, the id's text).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Gates {
    /// The schedule.
    pub(crate) schedule: Schedule,
    /// [`crate::bucket::id_hash`] of the id.
    pub(crate) id_hash: u64,
    /// One bit per allowed stage (`1 << stage as u8`); 0: any.
    pub(crate) stages: u8,
    /// One bit per allowed phase; 0: any.
    pub(crate) phases: u8,
    /// The consent category.
    pub(crate) category: Category,
    /// The format's slot.
    pub(crate) slot: Slot,
}

impl Deref for Campaign {
    type Target = CampaignParts;

    fn deref(&self) -> &CampaignParts {
        &self.parts
    }
}

impl Campaign {
    /// Check `parts` against every invariant the decision and the widget rely on (see
    /// [`super::check`]) and make them a campaign.
    ///
    /// # Errors
    /// The first invariant that does not hold, with the path of the field at fault.
    pub fn new(parts: CampaignParts) -> Result<Campaign, super::FieldError> {
        super::check::check(&parts)?;
        let a = &parts.audience;
        let gates = Gates {
            schedule: parts.schedule,
            id_hash: crate::bucket::id_hash(&parts.id),
            stages: a.stages.iter().fold(0, |m, &s| m | 1 << s as u8),
            phases: a.phases.iter().fold(0, |m, &p| m | 1 << p as u8),
            category: parts.category,
            slot: parts.format.slot(),
        };
        Ok(Campaign { gates, parts })
    }

    /// The parts back, to change and check again.
    pub fn into_parts(self) -> CampaignParts {
        self.parts
    }

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
        // `Campaign::new` guarantees content for the default locale; this is a safe fallback.
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
