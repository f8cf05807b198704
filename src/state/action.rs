//! What can happen to the widget: from the host page (through the JS API), the server or the
//! user; and the time and entropy each action happens with.
use super::Progress;
use crate::delivery::consent::{Category, Consent};
use std::rc::Rc;
use touchpoint_core::context::{Page, Traits};
use touchpoint_core::{Campaign, Event, Policy, Timestamp};

/// Something that happened: from the host page (through the JS API), the server or the user.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The campaign catalog arrived.
    CampaignsLoaded(Vec<Campaign>),
    /// The catalog's policy arrived (just before its campaigns, which decide under it).
    PolicyLoaded(Rc<Policy>),
    /// What an earlier visit left in storage.
    Restored {
        /// This browser's anonymous id.
        anonymous_id: String,
        /// This tab's session id (kept for the life of the tab, across reloads).
        session_id: String,
        /// The journal persisted before.
        journal: Vec<Event>,
    },
    /// `touchpoint.identify(userId, traits, {account, userHash})`.
    Identify {
        /// The host's user id.
        user_id: String,
        /// `HMAC-SHA256(secret, user_id)` from the vendor's backend, if given.
        user_hash: Option<String>,
        /// User traits.
        traits: Traits,
        /// Account id and traits, if given.
        account: Option<(String, Traits)>,
    },
    /// `touchpoint.page()` or a detected route change.
    Page(Page),
    /// The server's history for this user and account arrived (`None`: it could not be
    /// loaded; decide without it).
    RemoteHistory(Option<Vec<Event>>),
    /// `touchpoint.track(name, props, {category})`.
    Track {
        /// Event name.
        name: String,
        /// Properties.
        props: Traits,
        /// The consent category the host chose (`service` unless it said `marketing`).
        category: Category,
    },
    /// `touchpoint.show(campaignId)`.
    Show(String),
    /// `touchpoint.hide()`.
    Hide,
    /// `touchpoint.reset()`: forget the user (logout).
    Reset,
    /// The user used a call to action.
    Cta {
        /// Which nudge.
        campaign_id: String,
        /// Which CTA (its id).
        cta_id: String,
    },
    /// The user closed a nudge.
    Dismiss {
        /// Which nudge.
        campaign_id: String,
    },
    /// Tour steps and feed reads remembered from an earlier visit.
    ProgressRestored(Progress),
    /// The page's `<html lang>`.
    PageLang(String),
    /// An armed nudge's delay passed or its element became visible.
    Fire {
        /// Which nudge.
        campaign_id: String,
    },
    /// The user answered a survey: `{score, comment}` or `{answer}`.
    Answer {
        /// Which survey.
        campaign_id: String,
        /// The answer, reported as the event's `props`.
        props: Traits,
    },
    /// The user moved to another tour step (0-based).
    TourStep {
        /// Which tour.
        campaign_id: String,
        /// The step now shown.
        step: u32,
    },
    /// The user finished a tour (its last step's Done).
    TourDone {
        /// Which tour.
        campaign_id: String,
    },
    /// A toast closed by itself: a dismissal with `props.auto = true`.
    Expire {
        /// Which toast.
        campaign_id: String,
    },
    /// The view showed a nudge to the user (a feed item in view in the open launcher, a
    /// tooltip or hotspot next to its element, a tour's first step displayed): its
    /// impression is counted now, once per showing, and a feed item counts as read.
    Seen {
        /// Which nudge.
        campaign_id: String,
    },
    /// `touchpoint.consent(state)`, or the state remembered from an earlier visit.
    Consent(Consent),
    /// An anchored nudge's element never appeared: take it off screen, tell the host.
    TargetMissing {
        /// Which nudge.
        campaign_id: String,
        /// The selector that found nothing.
        selector: String,
    },
}

/// The time and entropy an action happens with (the runtime reads the clock and the random
/// source; the reducer stays pure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// Now.
    pub now: Timestamp,
    /// Ten random bytes for the ids of events made by this action.
    pub entropy: [u8; 10],
}
