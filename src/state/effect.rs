//! What the reducer asks the runtime to do: it performs nothing itself.
#[cfg(doc)]
use super::Action;
use super::Progress;
use crate::delivery::consent::Category;
use std::rc::Rc;
use touchpoint_core::decide::Cue;
use touchpoint_core::Event;

/// What the runtime must do after a reduction.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Report an engagement event to the collector (and to the host's listeners).
    Send {
        /// The event.
        event: Event,
        /// Its consent category: its campaign's for campaign events, the host's choice for
        /// `track` events, `service` otherwise.
        category: Category,
        /// The identity signature, riding along with events of the signed user (the
        /// collector checks and strips it).
        user_hash: Option<String>,
    },
    /// Persist the journal.
    SaveJournal(Rc<Vec<Event>>),
    /// Open a URL (a CTA's target).
    Open(String),
    /// Ask the server for this user's and account's history from elsewhere.
    FetchHistory {
        /// The user.
        user_id: String,
        /// Their signature, if any.
        user_hash: Option<String>,
        /// Their account, if any.
        account_id: Option<String>,
    },
    /// Persist tour steps and feed reads.
    SaveProgress(Progress),
    /// Wait for a delay or an element, then dispatch [`Action::Fire`] for this campaign.
    /// Arms made by an earlier page load are stale: the runtime cancels them on `Disarm`.
    Arm {
        /// Which nudge.
        campaign_id: String,
        /// What to wait for.
        cue: Cue,
    },
    /// A page load re-decided: every earlier arm is stale.
    Disarm,
    /// Tell the host page's listeners (and the console) something that is not an event for
    /// the collector, e.g. `target_missing`.
    Notify {
        /// Listener event name.
        name: &'static str,
        /// Which campaign.
        campaign_id: String,
        /// Detail (a selector...).
        detail: String,
    },
}
