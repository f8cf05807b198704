//! The widget's state and its reducer: what the widget knows (campaigns, who is looking and
//! where, what they did) and how each action changes it. Pure — no Yew, no web-sys, no clock,
//! no randomness: the time and entropy come in with each action, and the reducer returns the
//! effects it wants (events to send, state to persist, URLs to open) instead of performing
//! them, so every rule here is testable natively.
//!
//! Laid out as Yew's function_todomvc example lays out its state: this module is the state
//! and its queries; [`action`] is what can happen, [`effect`] what the runtime must do
//! about it; `reduce` runs one handler per action (in `handlers`) and keeps the events they
//! make; `decide` is the bridge to the core's decision; [`progress`] is the stored tour and
//! feed progress; the tests sit in their own file.
//!
//! Which nudges are on screen follows one rule: a page load decides afresh (nudges already on
//! screen stay if they are still eligible, without a second impression); a tracked event or
//! a `show(id)` only adds nudges to free slots; the user's dismiss/snooze/CTA and the host's
//! `hide()` take nudges away. A change of consent decides afresh too, as a page load does.
//!
//! On screen is not yet seen: a nudge's impression is counted when the user can see it (the
//! README's "When a nudge counts as seen"). Banners, modals, slideouts, surveys, toasts and
//! checklists are seen when placed, since they render at once where nothing covers them;
//! feed items, tooltips, hotspots and tours wait in [`WidgetState::unseen`] until the view
//! reports them seen ([`Action::Seen`]).
//!
//! Consent gates both what is shown and what is recorded: `essential` shows no marketing
//! campaign (the core's `Context.consent`), `none` shows nothing, and an event consent does
//! not allow is never made: not journaled, not handed to delivery, not told to listeners.
use crate::delivery::consent::Consent;
use std::rc::Rc;
use touchpoint_core::campaign::Slot;
use touchpoint_core::context::{Account, Page, Session, User};
use touchpoint_core::decide::Arm;
use touchpoint_core::{Campaign, Event, Nudge, Policy};

pub mod action;
mod decide;
pub mod effect;
mod handlers;
#[cfg(test)]
mod policy_tests;
pub mod progress;
mod reduce;
#[cfg(test)]
mod tests;

pub use action::{Action, Tick};
pub use effect::Effect;
pub use progress::Progress;

/// How many of the user's own events the widget keeps to rebuild history and event counts.
pub const JOURNAL_LIMIT: usize = 500;

/// A small set of campaign ids. A list rather than a `BTreeSet`: these hold a handful of
/// ids, and each distinct collection type costs the widget's wasm kilobytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids(pub Vec<String>);

impl Ids {
    /// Whether `id` is in the set.
    pub fn contains(&self, id: &str) -> bool {
        self.0.iter().any(|x| x == id)
    }

    /// Add `id`; `false` if it was there already.
    pub fn insert(&mut self, id: String) -> bool {
        let new = !self.contains(&id);
        if new {
            self.0.push(id);
        }
        new
    }

    /// Remove `id`; `false` if it was not there.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|x| x != id);
        self.0.len() != before
    }

    /// Empty the set.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// Everything the widget knows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WidgetState {
    /// Campaigns from the server's compiled catalog, each checked by `Campaign::new`.
    pub campaigns: Rc<Vec<Campaign>>,
    /// The vendor's policy from the same catalog (lifecycle windows and signals, time zone,
    /// global limits); the default one until a catalog arrives.
    pub policy: Rc<Policy>,
    /// Who is looking.
    pub user: User,
    /// Their account.
    pub account: Account,
    /// Where.
    pub page: Page,
    /// Their locale (`identify`'s `locale` trait, else the page's `lang`).
    pub locale: String,
    /// The user's own campaign and track events made in this browser (persisted, newest last).
    /// Shared, like `remote`, so that the snapshot the view gets on every action does not
    /// copy up to a thousand events.
    pub journal: Rc<Vec<Event>>,
    /// Campaign events the server reported: this user's on other devices and their
    /// colleagues' (for account caps). Merged with the journal by event id.
    pub remote: Rc<Vec<Event>>,
    /// The identity signature the host passed to `identify` (sent with every event).
    pub user_hash: Option<String>,
    /// This tab's session id, sent with every event.
    pub session_id: Option<String>,
    /// This session's facts.
    pub session: Session,
    /// The host called `hide()`.
    pub hidden: bool,
    /// The user's history was asked of the collector and has not arrived: nothing is
    /// decided until it has (or failed), so that what the user did on another device — a
    /// dismissal, a conversion the collector attributed — holds from the first decision.
    pub awaiting_history: bool,
    /// Nudges on screen, best first, holdout placeholders included: a holdout member's
    /// nudge holds its slot as the nudge would, and renders nothing (the view reads
    /// [`Self::in_slot`] and [`Self::feed`], which skip them, but for the invisible
    /// stand-ins of held-out tooltips, hotspots and tours waiting to be seen).
    pub on_screen: Vec<Nudge>,
    /// Nudges decided but waiting for their delay or element (see [`Effect::Arm`]).
    pub armed: Vec<Nudge>,
    /// Nudges on screen whose impression waits until the view reports them seen
    /// ([`Action::Seen`]): feed items, tooltips, hotspots and tours.
    pub unseen: Ids,
    /// The consent in force (`touchpoint.consent`, remembered across visits).
    pub consent: Consent,
    /// Surveys answered while on screen (they show their thank-you until closed).
    pub answered: Ids,
    /// The page's `<html lang>`, used when `identify` gave no `locale` trait.
    pub page_lang: String,
    /// Tour steps and feed reads, persisted across reloads.
    pub progress: Progress,
}

impl WidgetState {
    /// The banner on screen, if any.
    pub fn banner(&self) -> Option<&Nudge> {
        self.in_slot(Slot::Banner)
    }

    /// The nudge to render in `slot`, if any (the first feed item for [`Slot::Feed`]); a
    /// holdout placeholder holds the slot but renders nothing.
    pub fn in_slot(&self, slot: Slot) -> Option<&Nudge> {
        self.rendered().find(|n| n.slot == slot)
    }

    /// Feed items to render.
    pub fn feed(&self) -> impl Iterator<Item = &Nudge> {
        self.rendered().filter(|n| n.slot == Slot::Feed)
    }

    /// Nudges on screen that render: the treatment arm's, and the held-out tooltips,
    /// hotspots and tours not yet seen — each an invisible stand-in that only looks for its
    /// element, so that the would-be view counts when the nudge would have been seen (or
    /// not at all, when its element never appears).
    fn rendered(&self) -> impl Iterator<Item = &Nudge> {
        self.on_screen
            .iter()
            .filter(|n| n.arm == Arm::Treatment || self.unseen.contains(&n.campaign_id))
    }

    /// Feed items the user has not seen in the launcher yet.
    pub fn unread(&self) -> usize {
        self.feed()
            .filter(|n| !self.progress.feed_seen.contains(&n.campaign_id))
            .count()
    }

    /// The locale for the widget's own strings and content: `identify`'s `locale` trait,
    /// else the page's `<html lang>`, else English.
    pub fn ui_locale(&self) -> &str {
        if !self.locale.is_empty() {
            &self.locale
        } else if !self.page_lang.is_empty() {
            &self.page_lang
        } else {
            "en"
        }
    }

    /// The tour step (0-based) the user is at in `campaign_id`.
    pub fn tour_step(&self, campaign_id: &str) -> u32 {
        self.progress
            .tour_steps
            .iter()
            .find(|(id, _)| id == campaign_id)
            .map_or(0, |(_, step)| *step)
    }
}
