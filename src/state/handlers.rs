//! One handler per [`Action`]: each changes the state and asks for its effects through the
//! [`Emitter`]; the reducer's `match` says which occurrence (if any) the core decides on
//! next.
use super::reduce::Emitter;
#[cfg(doc)]
use super::Action;
use super::{Effect, Progress, WidgetState};
use crate::delivery::consent::{Category, Consent};
use std::rc::Rc;
use touchpoint_core::campaign::{CtaAction, Format, Slot};
use touchpoint_core::context::{Account, Page, Traits};
use touchpoint_core::{Campaign, Event, EventKind};

impl WidgetState {
    /// The campaign catalog arrived.
    pub(super) fn on_campaigns_loaded(&mut self, campaigns: Vec<Campaign>) {
        self.campaigns = Rc::new(campaigns);
    }

    /// What an earlier visit left in storage.
    pub(super) fn on_restored(
        &mut self,
        anonymous_id: String,
        session_id: String,
        journal: Vec<Event>,
    ) {
        self.user.anonymous_id = Some(anonymous_id);
        self.session_id = Some(session_id);
        self.journal = Rc::new(journal);
    }

    /// The server's history arrived.
    pub(super) fn on_remote_history(&mut self, events: Option<Vec<Event>>) {
        self.awaiting_history = false;
        if let Some(mut events) = events {
            // Drop what this browser already journals, once here rather than per decision.
            events.retain(|e| !self.journal.iter().any(|j| j.id == e.id));
            self.remote = Rc::new(events);
        }
    }

    /// `identify`: a new user forgets the last one's server history.
    pub(super) fn on_identify(
        &mut self,
        out: &mut Emitter<'_>,
        user_id: String,
        user_hash: Option<String>,
        traits: Traits,
        account: Option<(String, Traits)>,
    ) {
        if self.user.id.as_deref() != Some(user_id.as_str()) {
            self.remote = Rc::default();
        }
        self.user_hash = user_hash;
        if let Some(locale) = traits.get("locale").and_then(|v| v.as_str()) {
            self.locale = locale.to_owned();
        }
        self.user.id = Some(user_id);
        self.user.traits = traits;
        if let Some((id, traits)) = account {
            self.account = Account::from_traits(id, traits);
        }
        let e = self.event(out, EventKind::Identify);
        self.send(out, e, false);
        self.fetch_history(out);
    }

    /// Ask for the identified user's history from elsewhere; under consent `none` nothing
    /// about the user leaves the browser.
    fn fetch_history(&mut self, out: &mut Emitter<'_>) {
        if let (Some(user_id), true) = (&self.user.id, self.consent != Consent::None) {
            self.awaiting_history = true;
            out.effects.push(Effect::FetchHistory {
                user_id: user_id.clone(),
                user_hash: self.user_hash.clone(),
                account_id: self.account.id.clone(),
            });
        }
    }

    /// `page()` or a route change.
    pub(super) fn on_page(&mut self, out: &mut Emitter<'_>, page: Page) {
        self.page = page;
        let mut e = self.event(out, EventKind::Page);
        e.name = Some(self.page.path.clone());
        self.send(out, e, false);
    }

    /// `track(name, props, {category})`.
    pub(super) fn on_track(
        &mut self,
        out: &mut Emitter<'_>,
        name: &str,
        props: Traits,
        category: Category,
    ) {
        let mut e = self.event(out, EventKind::Track);
        e.name = Some(name.to_owned());
        e.props = props;
        self.send_as(out, e, true, category);
        self.tick_checklists(name);
    }

    /// `hide()`: nothing on screen or armed until `show(id)`.
    pub(super) fn on_hide(&mut self) {
        self.hidden = true;
        self.clear_screen();
    }

    /// Nothing on screen or armed.
    fn clear_screen(&mut self) {
        self.on_screen.clear();
        self.armed.clear();
        self.answered.clear();
        self.unseen.clear();
    }

    /// `reset()`: forget the user, keep the catalog and the page's language. The visitor
    /// gets a new anonymous id for the rest of the page's life (a reload reads the stored
    /// one again), rather than none: a visitor without an id would be left unbucketed and
    /// their events refused.
    pub(super) fn on_reset(&mut self, out: &mut Emitter<'_>) {
        let anonymous_id = format!("anon-{}", out.id());
        *self = WidgetState {
            campaigns: self.campaigns.clone(),
            policy: self.policy.clone(),
            page_lang: std::mem::take(&mut self.page_lang),
            ..WidgetState::default()
        };
        self.user.anonymous_id = Some(anonymous_id);
        out.effects.push(Effect::SaveJournal(Rc::default()));
        out.effects.push(Effect::SaveProgress(Progress::default()));
    }

    /// The user used a call to action: report it, then do what it says. A CTA is not a
    /// conversion: the server attributes those from the campaign's goal event.
    pub(super) fn on_cta(&mut self, out: &mut Emitter<'_>, campaign_id: &str, cta_id: &str) {
        let Some(nudge) = self.on_screen.iter().find(|n| n.campaign_id == campaign_id) else {
            return;
        };
        let Some(cta) = nudge.content.ctas.iter().find(|c| c.id == cta_id).cloned() else {
            return;
        };
        let mut e = self.campaign_event(out, EventKind::Cta, nudge);
        e.props.insert("cta".into(), cta_id.into());
        self.send(out, e, true);
        match cta.action {
            CtaAction::OpenUrl { url } | CtaAction::BookMeeting { url } => {
                self.take_off(campaign_id);
                // Tokens filled as URL components; the runtime checks the result again.
                let vars = crate::markdown::Vars {
                    user: self.user.traits.clone(),
                    account: self.account.traits.clone(),
                };
                out.effects
                    .push(Effect::Open(crate::markdown::personalize_url(&url, &vars)));
            }
            CtaAction::Track { event } => {
                self.take_off(campaign_id);
                let mut t = self.event(out, EventKind::Track);
                t.name = Some(event);
                self.send(out, t, true);
            }
            CtaAction::Dismiss => self.retire(out, campaign_id, EventKind::Dismiss),
            CtaAction::Snooze => self.snooze(out, campaign_id),
        }
    }

    /// Tick the items of checklists on screen that `event` completes (the core counts them
    /// from the journal on the next page load; the panel should not wait for it).
    fn tick_checklists(&mut self, event: &str) {
        for nudge in &mut self.on_screen {
            if let Format::Checklist { items } = &nudge.format {
                for item in items.iter().filter(|i| i.done_event == event) {
                    if !nudge.completed_items.contains(&item.id) {
                        nudge.completed_items.push(item.id.clone());
                    }
                }
            }
        }
    }

    /// Snooze for the campaign's snooze length: `props.until` tells the core (and other
    /// devices) when it may come back.
    fn snooze(&mut self, out: &mut Emitter<'_>, campaign_id: &str) {
        let days = self
            .campaigns
            .iter()
            .find(|c| c.id == campaign_id)
            .map_or(0, |c| c.frequency.snooze_days);
        let mut props = Traits::new();
        if days > 0 {
            let until = out.tick.now.0.saturating_add(i64::from(days) * 86_400_000);
            props.insert("until".into(), until.into());
        }
        self.retire_with(out, campaign_id, EventKind::Snooze, props);
    }

    /// The user closed a nudge.
    pub(super) fn on_dismiss(&mut self, out: &mut Emitter<'_>, campaign_id: &str) {
        if self.answered.remove(campaign_id) {
            // Closing a survey's thank-you is not a dismissal: it was answered.
            self.on_screen.retain(|n| n.campaign_id != campaign_id);
        } else {
            self.retire(out, campaign_id, EventKind::Dismiss);
        }
    }

    /// An armed nudge's delay passed or its element became visible: show it if its slot is
    /// free (a stale fire, for a nudge no longer armed, does nothing).
    pub(super) fn on_fire(&mut self, out: &mut Emitter<'_>, campaign_id: &str) {
        let Some(pos) = self.armed.iter().position(|n| n.campaign_id == campaign_id) else {
            return;
        };
        let nudge = self.armed.remove(pos);
        if !self.hidden {
            let mut next = std::mem::take(&mut self.on_screen);
            if Self::fits(&next, &nudge) {
                next.push(nudge.clone());
                self.placed(out, &nudge);
            }
            self.on_screen = next;
        }
    }

    /// A survey answer, reported once.
    pub(super) fn on_answer(&mut self, out: &mut Emitter<'_>, campaign_id: String, props: Traits) {
        let nudge = self
            .on_screen
            .iter()
            .find(|n| n.campaign_id == campaign_id)
            .cloned();
        let Some(nudge) = nudge else {
            return;
        };
        if self.answered.insert(campaign_id) {
            let mut e = self.campaign_event(out, EventKind::SurveyResponse, &nudge);
            e.props = props;
            self.send(out, e, true);
        }
    }

    /// The user moved to another tour step.
    pub(super) fn on_tour_step(&mut self, out: &mut Emitter<'_>, campaign_id: String, step: u32) {
        let nudge = self
            .on_screen
            .iter()
            .find(|n| n.campaign_id == campaign_id)
            .cloned();
        let Some(nudge) = nudge else {
            return;
        };
        // Each step shown is an engagement: a `cta` event without `props.cta`, so it counts
        // as neither a view nor a dismissal, and is not journaled.
        let from = self.tour_step(&campaign_id);
        if step != from {
            let mut e = self.campaign_event(out, EventKind::Cta, &nudge);
            e.props.insert("step".into(), step.into());
            let action = if step > from { "next" } else { "back" };
            e.props.insert("action".into(), action.into());
            self.send(out, e, false);
        }
        self.progress
            .tour_steps
            .retain(|(id, _)| *id != campaign_id);
        self.progress.tour_steps.push((campaign_id, step));
        out.effects
            .push(Effect::SaveProgress(self.progress.clone()));
    }

    /// The user finished a tour: a dismissal with `props.completed`, its progress forgotten.
    pub(super) fn on_tour_done(&mut self, out: &mut Emitter<'_>, campaign_id: &str) {
        let mut props = Traits::new();
        props.insert("completed".into(), true.into());
        self.retire_with(out, campaign_id, EventKind::Dismiss, props);
        let before = self.progress.tour_steps.len();
        self.progress
            .tour_steps
            .retain(|(id, _)| *id != campaign_id);
        if self.progress.tour_steps.len() != before {
            out.effects
                .push(Effect::SaveProgress(self.progress.clone()));
        }
    }

    /// A toast closed by itself: a dismissal with `props.auto`.
    pub(super) fn on_expire(&mut self, out: &mut Emitter<'_>, campaign_id: &str) {
        let mut props = Traits::new();
        props.insert("auto".into(), true.into());
        self.retire_with(out, campaign_id, EventKind::Dismiss, props);
    }

    /// The view showed a nudge: its impression, if it was waiting for this (once per
    /// showing); a feed item also counts as read.
    pub(super) fn on_seen(&mut self, out: &mut Emitter<'_>, campaign_id: &str) {
        let Some(nudge) = self
            .on_screen
            .iter()
            .find(|n| n.campaign_id == campaign_id)
            .cloned()
        else {
            return;
        };
        let read = &mut self.progress.feed_seen;
        if nudge.slot == Slot::Feed && !read.iter().any(|id| id == campaign_id) {
            read.push(nudge.campaign_id.clone());
            out.effects
                .push(Effect::SaveProgress(self.progress.clone()));
        }
        if self.unseen.remove(campaign_id) {
            self.impression(out, &nudge);
        }
    }

    /// `consent(state)`: `none` takes everything off screen (the reducer then decides
    /// nothing); coming back from `none`, the user's history is fetched, as `identify` does.
    /// Every other change re-decides as a page load, so a marketing nudge on screen leaves
    /// under `essential`.
    pub(super) fn on_consent(&mut self, out: &mut Emitter<'_>, consent: Consent) {
        let was = std::mem::replace(&mut self.consent, consent);
        if consent == Consent::None {
            self.clear_screen();
        } else if was == Consent::None {
            self.fetch_history(out);
        }
    }

    /// An anchored nudge's element never appeared: off screen, and the host is told.
    pub(super) fn on_target_missing(
        &mut self,
        out: &mut Emitter<'_>,
        campaign_id: String,
        selector: String,
    ) {
        let before = self.on_screen.len();
        self.on_screen.retain(|n| n.campaign_id != campaign_id);
        if self.on_screen.len() != before {
            out.effects.push(Effect::Notify {
                name: "target_missing",
                campaign_id,
                detail: selector,
            });
        }
    }
}
