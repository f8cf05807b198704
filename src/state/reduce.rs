//! The reducer: one `match` that hands each action to its handler (`handlers`; a one-line
//! change stays in the arm) and names the occurrence the core then decides on, if any; and what every handler
//! shares: making events, sending them (with their consent category and the user's
//! signature), taking nudges off screen.
use super::{Action, Effect, Tick, WidgetState, JOURNAL_LIMIT};
use crate::delivery::consent::{Category, Consent};
use std::rc::Rc;
use touchpoint_core::campaign::Category as CampaignCategory;
use touchpoint_core::context::{Occurrence, Traits};
use touchpoint_core::uuid::Uuid;
use touchpoint_core::{Event, EventKind, Nudge};

/// Where one reduction's effects go, and the source of its event ids (each distinct: the
/// tick's entropy, varied per event made).
pub(super) struct Emitter<'a> {
    pub(super) tick: Tick,
    made: u8,
    pub(super) effects: &'a mut Vec<Effect>,
}

impl Emitter<'_> {
    /// A fresh event id.
    pub(super) fn id(&mut self) -> Uuid {
        let mut rand = self.tick.entropy;
        rand[9] ^= self.made;
        self.made = self.made.wrapping_add(1);
        Uuid::v7(self.tick.now.0.max(0).unsigned_abs(), rand)
    }
}

impl WidgetState {
    /// Apply `action` at `tick`; returns the effects the runtime must perform.
    pub fn reduce(&mut self, action: Action, tick: Tick) -> Vec<Effect> {
        let mut effects = Vec::new();
        let out = &mut Emitter {
            tick,
            made: 0,
            effects: &mut effects,
        };
        let page_load = Some(Occurrence::PageLoad);
        let occurrence = match action {
            Action::CampaignsLoaded(campaigns) => {
                self.on_campaigns_loaded(campaigns);
                page_load
            }
            Action::PolicyLoaded(policy) => {
                self.policy = policy;
                None
            }
            Action::Restored {
                anonymous_id,
                session_id,
                journal,
            } => {
                self.on_restored(anonymous_id, session_id, journal);
                page_load
            }
            Action::RemoteHistory(events) => {
                self.on_remote_history(events);
                page_load
            }
            Action::Identify {
                user_id,
                user_hash,
                traits,
                account,
            } => {
                self.on_identify(out, user_id, user_hash, traits, account);
                page_load
            }
            Action::Page(page) => {
                self.on_page(out, page);
                page_load
            }
            Action::Track {
                name,
                props,
                category,
            } => {
                self.on_track(out, &name, props, category);
                Some(Occurrence::Track { name })
            }
            Action::Show(campaign_id) => {
                self.hidden = false;
                Some(Occurrence::Show { campaign_id })
            }
            Action::Hide => {
                self.on_hide();
                None
            }
            Action::Reset => {
                self.on_reset(out);
                None
            }
            Action::Cta {
                campaign_id,
                cta_id,
            } => {
                self.on_cta(out, &campaign_id, &cta_id);
                None
            }
            Action::Dismiss { campaign_id } => {
                self.on_dismiss(out, &campaign_id);
                None
            }
            Action::ProgressRestored(progress) => {
                self.progress = progress;
                None
            }
            Action::PageLang(lang) => {
                self.page_lang = lang;
                None
            }
            Action::Fire { campaign_id } => {
                self.on_fire(out, &campaign_id);
                None
            }
            Action::Answer { campaign_id, props } => {
                self.on_answer(out, campaign_id, props);
                None
            }
            Action::TourStep { campaign_id, step } => {
                self.on_tour_step(out, campaign_id, step);
                None
            }
            Action::TourDone { campaign_id } => {
                self.on_tour_done(out, &campaign_id);
                None
            }
            Action::Expire { campaign_id } => {
                self.on_expire(out, &campaign_id);
                None
            }
            Action::Seen { campaign_id } => {
                self.on_seen(out, &campaign_id);
                None
            }
            Action::Consent(consent) => {
                self.on_consent(out, consent);
                page_load
            }
            Action::TargetMissing {
                campaign_id,
                selector,
            } => {
                self.on_target_missing(out, campaign_id, selector);
                None
            }
        };
        // Under consent `none` nothing is shown, so there is nothing to decide; nor while
        // the user's history is on its way.
        let shows = !self.hidden && self.consent != Consent::None && !self.awaiting_history;
        if let Some(occurrence) = occurrence.filter(|_| shows) {
            self.decide(out, occurrence);
        }
        effects
    }

    /// Take a nudge off screen, recording why (a dismissal or a snooze).
    pub(super) fn retire(&mut self, out: &mut Emitter<'_>, campaign_id: &str, why: EventKind) {
        self.retire_with(out, campaign_id, why, Traits::new());
    }

    pub(super) fn retire_with(
        &mut self,
        out: &mut Emitter<'_>,
        campaign_id: &str,
        why: EventKind,
        props: Traits,
    ) {
        let Some(nudge) = self.take_off(campaign_id) else {
            return;
        };
        let mut e = self.campaign_event(out, why, &nudge);
        e.props = props;
        self.send(out, e, true);
    }

    /// Take a nudge off screen without recording anything (a used CTA was reported already).
    pub(super) fn take_off(&mut self, campaign_id: &str) -> Option<Nudge> {
        let pos = self
            .on_screen
            .iter()
            .position(|n| n.campaign_id == campaign_id)?;
        self.answered.remove(campaign_id);
        Some(self.on_screen.remove(pos))
    }

    /// An event of `kind` by the current user, now.
    pub(super) fn event(&self, out: &mut Emitter<'_>, kind: EventKind) -> Event {
        let mut e = Event::new(out.id(), kind, out.tick.now);
        e.user_id.clone_from(&self.user.id);
        e.anonymous_id.clone_from(&self.user.anonymous_id);
        e.session_id.clone_from(&self.session_id);
        e.account_id.clone_from(&self.account.id);
        e
    }

    /// An event of `kind` about `nudge`.
    pub(super) fn campaign_event(
        &self,
        out: &mut Emitter<'_>,
        kind: EventKind,
        nudge: &Nudge,
    ) -> Event {
        let mut e = self.event(out, kind);
        e.campaign_id = Some(nudge.campaign_id.clone());
        e.variant = Some(nudge.variant.clone());
        e
    }

    /// Send an event in the category its campaign gives it (`service` without one); keep it
    /// in the journal when history or event counts need it.
    pub(super) fn send(&mut self, out: &mut Emitter<'_>, event: Event, journal: bool) {
        let campaign = event
            .campaign_id
            .as_deref()
            .and_then(|id| self.campaigns.iter().find(|c| c.id == id));
        let category = match campaign.map(|c| c.category) {
            Some(CampaignCategory::Marketing) => Category::Marketing,
            Some(CampaignCategory::Service) | None => Category::Service,
        };
        self.send_as(out, event, journal, category);
    }

    /// [`Self::send`] in `category`; an event the consent in force does not allow is not
    /// made at all (not journaled, not sent, not told to the host's listeners).
    pub(super) fn send_as(
        &mut self,
        out: &mut Emitter<'_>,
        event: Event,
        journal: bool,
        category: Category,
    ) {
        if !self.consent.allows(category) {
            return;
        }
        if journal {
            let journal = Rc::make_mut(&mut self.journal);
            journal.push(event.clone());
            if journal.len() > JOURNAL_LIMIT {
                let excess = journal.len() - JOURNAL_LIMIT;
                journal.drain(..excess);
            }
            out.effects.push(Effect::SaveJournal(self.journal.clone()));
        }
        // Every event is made for the current user, so the signature is theirs.
        let user_hash = self.user_hash.clone().filter(|_| event.user_id.is_some());
        out.effects.push(Effect::Send {
            event,
            category,
            user_hash,
        });
    }
}
