//! The bridge to the core's decision: the widget's state as the core's `Context` (the
//! consent in force included) and `History`, and the decision applied to the screen (what is
//! shown, armed, counted, and what waits to be seen before it counts).
use super::reduce::Emitter;
use super::{Effect, Ids, WidgetState};
use crate::delivery::consent::Category;
use touchpoint_core::campaign::{Format, Slot};
use touchpoint_core::context::{Consent, Occurrence};
use touchpoint_core::decide::Arm;
use touchpoint_core::history::event_stats;
use touchpoint_core::{decide, Context, EventKind, History, Nudge};

impl WidgetState {
    /// Whether `nudge` may join `on_screen`: its slot is free (the feed takes any number)
    /// and it is not there already.
    pub(super) fn fits(on_screen: &[Nudge], nudge: &Nudge) -> bool {
        let slot_free = nudge.slot == Slot::Feed || !on_screen.iter().any(|n| n.slot == nudge.slot);
        slot_free && !on_screen.iter().any(|n| n.campaign_id == nudge.campaign_id)
    }

    /// A nudge was put on screen: its impression now if it is seen as soon as it renders,
    /// else once the view reports it seen (README, "When a nudge counts as seen").
    pub(super) fn placed(&mut self, out: &mut Emitter<'_>, nudge: &Nudge) {
        // A feed item until the open launcher shows it, a tooltip or hotspot until its
        // element is found, a tour until its first step is displayed. (A checklist opens
        // expanded in the top layer: seen as placed.) A held-out tooltip, hotspot or tour
        // waits the same way, in an invisible stand-in that looks for its element (see
        // `WidgetState::rendered`); a held-out feed item counts as placed (a holdout member
        // may have no launcher to open).
        let waits = nudge.slot == Slot::Anchored
            || matches!(nudge.format, Format::Tour { .. })
            || (nudge.slot == Slot::Feed && nudge.arm == Arm::Treatment);
        if waits {
            self.unseen.insert(nudge.campaign_id.clone());
        } else {
            self.impression(out, nudge);
        }
    }

    /// Count a nudge as shown this session and report its impression: the moment it
    /// appears, or for a holdout member the moment it would have (`holdout: true`; the
    /// placeholder holds the slot and renders nothing).
    pub(super) fn impression(&mut self, out: &mut Emitter<'_>, nudge: &Nudge) {
        if nudge.slot == Slot::Overlay {
            self.session.modals_shown += 1;
        }
        if !self.session.shown.contains(&nudge.campaign_id) {
            self.session.shown.push(nudge.campaign_id.clone());
        }
        let mut e = self.campaign_event(out, EventKind::Impression, nudge);
        e.holdout = nudge.arm == Arm::Holdout;
        self.send(out, e, true);
    }

    pub(super) fn decide(&mut self, out: &mut Emitter<'_>, occurrence: Occurrence) {
        let user = self.user.clone();
        let merged = self.journal.iter().chain(self.remote.iter());
        let history = History::from_events(merged, &user, self.account.id.as_deref());
        let page_load = occurrence == Occurrence::PageLoad;
        let on_screen: Ids = Ids(self
            .on_screen
            .iter()
            .map(|n| n.campaign_id.clone())
            .collect());
        let mut session = self.session.clone();
        // Nudges on screen are judged afresh, not as "already shown this session", and an
        // overlay on screen does not count against the per-session overlay limit it is
        // already within (else a late history fetch would take a modal away mid-use).
        session.shown.retain(|id| !on_screen.contains(id));
        let overlays_on_screen = self
            .on_screen
            .iter()
            .filter(|n| n.slot == Slot::Overlay)
            .count();
        session.modals_shown = session
            .modals_shown
            .saturating_sub(u32::try_from(overlays_on_screen).unwrap_or(u32::MAX));
        let ctx = Context {
            user,
            account: self.account.clone(),
            page: self.page.clone(),
            locale: self.ui_locale().to_owned(),
            events: event_stats(self.journal.iter(), &self.user),
            session,
            trigger: occurrence,
            policy: self.policy.clone(),
            consent: Consent {
                marketing: self.consent.allows(Category::Marketing),
            },
        };
        let decision = decide(&self.campaigns, &ctx, &history, out.tick.now);
        let mut next = if page_load {
            Vec::new()
        } else {
            std::mem::take(&mut self.on_screen)
        };
        if page_load && !self.armed.is_empty() {
            self.armed.clear();
            out.effects.push(Effect::Disarm);
        }
        for nudge in decision.shown {
            if let Some(cue) = nudge
                .cue
                .clone()
                .filter(|_| !on_screen.contains(&nudge.campaign_id))
            {
                // A delay or an element to wait for: render (and count a view) only when it
                // fires — a holdout member's exposure too; a track or show() does not re-arm
                // what already waits.
                if !self
                    .armed
                    .iter()
                    .any(|n| n.campaign_id == nudge.campaign_id)
                {
                    out.effects.push(Effect::Arm {
                        campaign_id: nudge.campaign_id.clone(),
                        cue,
                    });
                    self.armed.push(nudge);
                }
                continue;
            }
            if Self::fits(&next, &nudge) {
                next.push(nudge);
            }
        }
        // Answered surveys stay for their thank-you until closed or the page changes; a
        // nudge not seen before it left is forgotten unseen.
        for ids in [&mut self.answered, &mut self.unseen] {
            ids.0.retain(|id| next.iter().any(|n| &n.campaign_id == id));
        }
        let fresh: Vec<Nudge> = next
            .iter()
            .filter(|n| !on_screen.contains(&n.campaign_id))
            .cloned()
            .collect();
        for nudge in &fresh {
            self.placed(out, nudge);
        }
        self.on_screen = next;
    }
}
