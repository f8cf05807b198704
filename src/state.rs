//! The widget's state and its reducer: what the widget knows (campaigns, who is looking and
//! where, what they did) and how each action changes it. Pure — no Yew, no web-sys, no clock,
//! no randomness: the time and entropy come in with each action, and the reducer returns the
//! effects it wants (events to send, state to persist, URLs to open) instead of performing
//! them, so every rule here is testable natively.
//!
//! Which nudges are on screen follows one rule: a page load decides afresh (nudges already on
//! screen stay if they are still eligible, without a second impression); a tracked event or
//! a `show(id)` only adds nudges to free slots; the user's dismiss/snooze/CTA and the host's
//! `hide()` take nudges away.
use crate::delivery::consent::Category;
use std::rc::Rc;
use touchpoint_core::campaign::{Category as CampaignCategory, CtaAction, Format, Slot};
use touchpoint_core::context::{Account, AccountDates, Occurrence, Page, Session, Traits, User};
use touchpoint_core::decide::Arm;
use touchpoint_core::history::event_stats;
use touchpoint_core::uuid::Uuid;
use touchpoint_core::{decide, Campaign, Context, Event, EventKind, History, Nudge, Timestamp};

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
    /// Campaigns whose holdout eligibility was already logged this session.
    pub holdout_logged: Ids,
    /// The host called `hide()`.
    pub hidden: bool,
    /// Nudges on screen, best first.
    pub on_screen: Vec<Nudge>,
    /// Nudges decided but waiting for their delay or element (see [`Effect::Arm`]).
    pub armed: Vec<Nudge>,
    /// Surveys answered while on screen (they show their thank-you until closed).
    pub answered: Ids,
    /// The page's `<html lang>`, used when `identify` gave no `locale` trait.
    pub page_lang: String,
    /// Tour steps and feed reads, persisted across reloads.
    pub progress: Progress,
}

/// What the user did inside nudges that is not an engagement event: where they are in each
/// tour and which feed items they have read. Persisted (see [`Effect::SaveProgress`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Current step (0-based) per tour campaign. A few entries at most: a `Vec` costs less
    /// wasm than another `BTreeMap` instantiation.
    pub tour_steps: Vec<(String, u32)>,
    /// Feed items the user has seen in the launcher.
    pub feed_seen: Vec<String>,
}

impl Progress {
    /// As stored: `{"tour_steps": [["id", 2]], "feed_seen": ["id"]}`. Through
    /// `serde_json::Value`, which the widget carries anyway, rather than derived serde code.
    pub fn to_json(&self) -> String {
        let steps = self
            .tour_steps
            .iter()
            .map(|(id, step)| serde_json::Value::Array(vec![id.as_str().into(), (*step).into()]))
            .collect::<Vec<serde_json::Value>>();
        let mut v = serde_json::Map::new();
        v.insert("tour_steps".into(), steps.into());
        v.insert("feed_seen".into(), self.feed_seen.clone().into());
        crate::json::stringify(&serde_json::Value::Object(v))
    }

    /// Read what [`Progress::to_json`] wrote; anything unreadable is skipped.
    pub fn from_json(text: &str) -> Progress {
        let v = crate::json::parse(text).unwrap_or_default();
        let tour_steps = v["tour_steps"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| {
                        let id = p[0].as_str()?.to_owned();
                        let step = u32::try_from(p[1].as_u64()?).ok()?;
                        Some((id, step))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let feed_seen = v["feed_seen"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Progress {
            tour_steps,
            feed_seen,
        }
    }
}

/// Something that happened: from the host page (through the JS API), the server or the user.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The campaign catalog arrived.
    CampaignsLoaded(Vec<Campaign>),
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
    /// The server's history for this user and account arrived.
    RemoteHistory(Vec<Event>),
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
    /// The user opened the launcher: every feed item on screen counts as read.
    FeedSeen,
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
        arm: Arm,
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

struct Emitter<'a> {
    tick: Tick,
    made: u8,
    effects: &'a mut Vec<Effect>,
}

impl Emitter<'_> {
    fn id(&mut self) -> Uuid {
        let mut rand = self.tick.entropy;
        rand[9] ^= self.made;
        self.made = self.made.wrapping_add(1);
        Uuid::v7(self.tick.now.0.max(0).unsigned_abs(), rand)
    }
}

impl WidgetState {
    /// The banner on screen, if any.
    pub fn banner(&self) -> Option<&Nudge> {
        self.in_slot(Slot::Banner)
    }

    /// The nudge on screen in `slot`, if any (the first feed item for [`Slot::Feed`]).
    pub fn in_slot(&self, slot: Slot) -> Option<&Nudge> {
        self.on_screen.iter().find(|n| n.slot == slot)
    }

    /// Feed items on screen.
    pub fn feed(&self) -> impl Iterator<Item = &Nudge> {
        self.on_screen.iter().filter(|n| n.slot == Slot::Feed)
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

    /// Apply `action` at `tick`; returns the effects the runtime must perform.
    pub fn reduce(&mut self, action: Action, tick: Tick) -> Vec<Effect> {
        let mut effects = Vec::new();
        let mut out = Emitter {
            tick,
            made: 0,
            effects: &mut effects,
        };
        let occurrence = match action {
            Action::CampaignsLoaded(c) => {
                self.campaigns = Rc::new(c);
                Some(Occurrence::PageLoad)
            }
            Action::Restored {
                anonymous_id,
                session_id,
                journal,
            } => {
                self.user.anonymous_id = Some(anonymous_id);
                self.session_id = Some(session_id);
                self.journal = Rc::new(journal);
                Some(Occurrence::PageLoad)
            }
            Action::RemoteHistory(mut events) => {
                // Drop what this browser already journals, once here rather than per decision.
                events.retain(|e| !self.journal.iter().any(|j| j.id == e.id));
                self.remote = Rc::new(events);
                Some(Occurrence::PageLoad)
            }
            Action::Identify {
                user_id,
                user_hash,
                traits,
                account,
            } => {
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
                    self.account.dates = AccountDates::from_traits(&traits);
                    self.account.id = Some(id);
                    self.account.traits = traits;
                }
                let e = self.event(&mut out, EventKind::Identify);
                self.send(&mut out, e, false);
                out.effects.push(Effect::FetchHistory {
                    user_id: self.user.id.clone().unwrap_or_default(),
                    user_hash: self.user_hash.clone(),
                    account_id: self.account.id.clone(),
                });
                Some(Occurrence::PageLoad)
            }
            Action::Page(page) => {
                self.page = page;
                let mut e = self.event(&mut out, EventKind::Page);
                e.name = Some(self.page.path.clone());
                self.send(&mut out, e, false);
                Some(Occurrence::PageLoad)
            }
            Action::Track {
                name,
                props,
                category,
            } => {
                let mut e = self.event(&mut out, EventKind::Track);
                e.name = Some(name.clone());
                e.props = props;
                self.send_as(&mut out, e, true, category);
                self.tick_checklists(&name);
                Some(Occurrence::Track { name })
            }
            Action::Show(campaign_id) => {
                self.hidden = false;
                Some(Occurrence::Show { campaign_id })
            }
            Action::Hide => {
                self.hidden = true;
                self.on_screen.clear();
                self.armed.clear();
                self.answered.clear();
                None
            }
            Action::Reset => {
                *self = WidgetState {
                    campaigns: self.campaigns.clone(),
                    page_lang: std::mem::take(&mut self.page_lang),
                    ..WidgetState::default()
                };
                out.effects.push(Effect::SaveJournal(Rc::default()));
                out.effects.push(Effect::SaveProgress(Progress::default()));
                None
            }
            Action::Cta {
                campaign_id,
                cta_id,
            } => {
                self.cta(&mut out, &campaign_id, &cta_id);
                None
            }
            Action::Dismiss { campaign_id } => {
                if self.answered.remove(&campaign_id) {
                    // Closing a survey's thank-you is not a dismissal: it was answered.
                    self.on_screen.retain(|n| n.campaign_id != campaign_id);
                } else {
                    self.retire(&mut out, &campaign_id, EventKind::Dismiss);
                }
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
                if let Some(pos) = self.armed.iter().position(|n| n.campaign_id == campaign_id) {
                    let nudge = self.armed.remove(pos);
                    if !self.hidden {
                        let mut next = std::mem::take(&mut self.on_screen);
                        if Self::fits(&next, &nudge) {
                            next.push(nudge.clone());
                            self.impression(&mut out, &nudge);
                        }
                        self.on_screen = next;
                    }
                }
                None
            }
            Action::Answer { campaign_id, props } => {
                let nudge = self
                    .on_screen
                    .iter()
                    .find(|n| n.campaign_id == campaign_id)
                    .cloned();
                if let Some(nudge) = nudge {
                    if self.answered.insert(campaign_id.clone()) {
                        let mut e =
                            self.campaign_event(&mut out, EventKind::SurveyResponse, &nudge);
                        e.props = props;
                        self.send(&mut out, e, true);
                    }
                }
                None
            }
            Action::TourStep { campaign_id, step } => {
                let nudge = self
                    .on_screen
                    .iter()
                    .find(|n| n.campaign_id == campaign_id)
                    .cloned();
                if let Some(nudge) = nudge {
                    // Each step shown is an engagement: a `cta` event without `props.cta`, so
                    // it counts as neither a view nor a dismissal, and is not journaled.
                    let from = self.tour_step(&campaign_id);
                    if step != from {
                        let mut e = self.campaign_event(&mut out, EventKind::Cta, &nudge);
                        e.props.insert("step".into(), step.into());
                        let action = if step > from { "next" } else { "back" };
                        e.props.insert("action".into(), action.into());
                        self.send(&mut out, e, false);
                    }
                    self.progress
                        .tour_steps
                        .retain(|(id, _)| *id != campaign_id);
                    self.progress.tour_steps.push((campaign_id, step));
                    out.effects
                        .push(Effect::SaveProgress(self.progress.clone()));
                }
                None
            }
            Action::TourDone { campaign_id } => {
                let mut props = Traits::new();
                props.insert("completed".into(), true.into());
                self.retire_with(&mut out, &campaign_id, EventKind::Dismiss, props);
                let before = self.progress.tour_steps.len();
                self.progress
                    .tour_steps
                    .retain(|(id, _)| *id != campaign_id);
                if self.progress.tour_steps.len() != before {
                    out.effects
                        .push(Effect::SaveProgress(self.progress.clone()));
                }
                None
            }
            Action::Expire { campaign_id } => {
                let mut props = Traits::new();
                props.insert("auto".into(), true.into());
                self.retire_with(&mut out, &campaign_id, EventKind::Dismiss, props);
                None
            }
            Action::FeedSeen => {
                let unread: Vec<String> = self
                    .feed()
                    .map(|n| n.campaign_id.clone())
                    .filter(|id| !self.progress.feed_seen.contains(id))
                    .collect();
                if !unread.is_empty() {
                    self.progress.feed_seen.extend(unread);
                    out.effects
                        .push(Effect::SaveProgress(self.progress.clone()));
                }
                None
            }
            Action::TargetMissing {
                campaign_id,
                selector,
            } => {
                let before = self.on_screen.len();
                self.on_screen.retain(|n| n.campaign_id != campaign_id);
                if self.on_screen.len() != before {
                    out.effects.push(Effect::Notify {
                        name: "target_missing",
                        campaign_id,
                        detail: selector,
                    });
                }
                None
            }
        };
        if let Some(occurrence) = occurrence.filter(|_| !self.hidden) {
            self.decide(&mut out, occurrence);
        }
        effects
    }

    fn cta(&mut self, out: &mut Emitter<'_>, campaign_id: &str, cta_id: &str) {
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
                self.retire(out, campaign_id, EventKind::Conversion);
                // Tokens filled as URL components; the runtime checks the result again.
                let vars = crate::markdown::Vars {
                    user: self.user.traits.clone(),
                    account: self.account.traits.clone(),
                };
                out.effects
                    .push(Effect::Open(crate::markdown::personalize_url(&url, &vars)));
            }
            CtaAction::Track { event } => {
                self.retire(out, campaign_id, EventKind::Conversion);
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

    /// Take a nudge off screen, recording why (dismiss, snooze, or conversion through a CTA).
    fn retire(&mut self, out: &mut Emitter<'_>, campaign_id: &str, why: EventKind) {
        self.retire_with(out, campaign_id, why, Traits::new());
    }

    fn retire_with(
        &mut self,
        out: &mut Emitter<'_>,
        campaign_id: &str,
        why: EventKind,
        props: Traits,
    ) {
        let Some(pos) = self
            .on_screen
            .iter()
            .position(|n| n.campaign_id == campaign_id)
        else {
            return;
        };
        let nudge = self.on_screen.remove(pos);
        self.answered.remove(campaign_id);
        let mut e = self.campaign_event(out, why, &nudge);
        e.props = props;
        self.send(out, e, true);
    }

    /// Whether `nudge` may join `on_screen`: its slot is free (the feed takes any number)
    /// and it is not there already.
    fn fits(on_screen: &[Nudge], nudge: &Nudge) -> bool {
        let slot_free = nudge.slot == Slot::Feed || !on_screen.iter().any(|n| n.slot == nudge.slot);
        slot_free && !on_screen.iter().any(|n| n.campaign_id == nudge.campaign_id)
    }

    /// Count a nudge as shown this session and report its impression.
    fn impression(&mut self, out: &mut Emitter<'_>, nudge: &Nudge) {
        if nudge.slot == Slot::Overlay {
            self.session.modals_shown += 1;
        }
        if !self.session.shown.contains(&nudge.campaign_id) {
            self.session.shown.push(nudge.campaign_id.clone());
        }
        let e = self.campaign_event(out, EventKind::Impression, nudge);
        self.send(out, e, true);
    }

    fn decide(&mut self, out: &mut Emitter<'_>, occurrence: Occurrence) {
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
            ..Context::default()
        };
        let decision = decide(&self.campaigns, &ctx, &history, out.tick.now);
        for (campaign_id, variant) in decision.held_out() {
            if self.holdout_logged.insert(campaign_id.to_owned()) {
                let mut e = self.event(out, EventKind::Impression);
                e.campaign_id = Some(campaign_id.to_owned());
                e.variant = Some(variant.to_owned());
                e.holdout = true;
                self.send(out, e, true);
            }
        }
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
            if let Some(arm) = nudge
                .arm
                .clone()
                .filter(|_| !on_screen.contains(&nudge.campaign_id))
            {
                // A delay or an element to wait for: render (and count a view) only when it
                // fires; a track or show() does not re-arm what already waits.
                if !self
                    .armed
                    .iter()
                    .any(|n| n.campaign_id == nudge.campaign_id)
                {
                    out.effects.push(Effect::Arm {
                        campaign_id: nudge.campaign_id.clone(),
                        arm,
                    });
                    self.armed.push(nudge);
                }
                continue;
            }
            if Self::fits(&next, &nudge) {
                next.push(nudge);
            }
        }
        // Answered surveys stay for their thank-you until closed or the page changes.
        self.answered
            .0
            .retain(|id| next.iter().any(|n| &n.campaign_id == id));
        let fresh: Vec<Nudge> = next
            .iter()
            .filter(|n| !on_screen.contains(&n.campaign_id))
            .cloned()
            .collect();
        for nudge in &fresh {
            self.impression(out, nudge);
        }
        self.on_screen = next;
    }

    fn event(&self, out: &mut Emitter<'_>, kind: EventKind) -> Event {
        let mut e = Event::new(out.id(), kind, out.tick.now);
        e.user_id.clone_from(&self.user.id);
        e.anonymous_id.clone_from(&self.user.anonymous_id);
        e.session_id.clone_from(&self.session_id);
        e.account_id.clone_from(&self.account.id);
        e
    }

    fn campaign_event(&self, out: &mut Emitter<'_>, kind: EventKind, nudge: &Nudge) -> Event {
        let mut e = self.event(out, kind);
        e.campaign_id = Some(nudge.campaign_id.clone());
        e.variant = Some(nudge.variant.clone());
        e
    }

    /// Send an event in the category its campaign gives it (`service` without one); keep it
    /// in the journal when history or event counts need it.
    fn send(&mut self, out: &mut Emitter<'_>, event: Event, journal: bool) {
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

    /// [`Self::send`] in `category`.
    fn send_as(&mut self, out: &mut Emitter<'_>, event: Event, journal: bool, category: Category) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A campaign as the widget receives it: the compiled form, read by the core's decoder
    /// (every default written out, as the server writes them).
    fn compiled(fields: serde_json::Value) -> Campaign {
        let mut v = serde_json::json!({
            "category": "service", "priority": 0, "holdout_bp": 0,
            "audience": { "stages": [], "phases": [] }, "default_locale": "en",
            "variants": [{ "id": "control", "weight": 100, "content": {} }], "schedule": {},
            "frequency": { "snooze_days": 7, "stop_after_conversion": true, "caps": [] },
            "leads": []
        });
        for (k, x) in fields.as_object().expect("an object") {
            v[k] = x.clone();
        }
        touchpoint_core::campaign::compiled::decode(&v).expect("valid campaign")
    }

    fn campaign(id: &str, priority: i32, url: &str) -> Campaign {
        compiled(serde_json::json!({
            "id": id, "name": id, "goal": "announcement", "priority": priority,
            "trigger": { "on": "page_load", "url": url },
            "format": { "kind": "banner", "position": "top" },
            "content": { "en": { "title": "Hello", "body": "", "ctas": [
                { "id": "go", "label": "Go", "action": "open_url", "url": "/go" },
                { "id": "later", "label": "Later", "action": "snooze" }
            ] } }
        }))
    }

    const T: Tick = Tick {
        now: Timestamp(1_795_392_000_000),
        entropy: [7; 10],
    };

    fn sent(fx: &[Effect]) -> Vec<(EventKind, Option<String>)> {
        fx.iter()
            .filter_map(|f| match f {
                Effect::Send { event: e, .. } => Some((e.kind, e.campaign_id.clone())),
                _ => None,
            })
            .collect()
    }

    /// A page load of `path`.
    fn goto(s: &mut WidgetState, path: &str) -> Vec<Effect> {
        s.reduce(
            Action::Page(Page {
                path: path.into(),
                ..Page::default()
            }),
            T,
        )
    }

    fn loaded(campaigns: Vec<Campaign>) -> WidgetState {
        let mut s = WidgetState::default();
        s.reduce(
            Action::Restored {
                anonymous_id: "anon-1".into(),
                session_id: "s-1".into(),
                journal: Vec::new(),
            },
            T,
        );
        goto(&mut s, "/app/invoices");
        s.reduce(Action::CampaignsLoaded(campaigns), T);
        s
    }

    #[test]
    fn shows_the_highest_priority_banner_with_one_impression() {
        let mut s = WidgetState::default();
        s.reduce(
            Action::Restored {
                anonymous_id: "anon-1".into(),
                session_id: "s-1".into(),
                journal: Vec::new(),
            },
            T,
        );
        goto(&mut s, "/app/invoices");
        let fx = s.reduce(
            Action::CampaignsLoaded(vec![
                campaign("low", 1, "/app/**"),
                campaign("high", 5, "/app/**"),
            ]),
            T,
        );
        assert_eq!(s.banner().map(|n| n.campaign_id.as_str()), Some("high"));
        assert_eq!(
            sent(&fx),
            vec![(EventKind::Impression, Some("high".into()))]
        );
        let fx = s.reduce(
            Action::Track {
                name: "clicked".into(),
                props: Traits::new(),
                category: Category::Service,
            },
            T,
        );
        assert_eq!(
            sent(&fx),
            vec![(EventKind::Track, None)],
            "no second impression"
        );
        assert_eq!(
            s.banner().map(|n| n.campaign_id.as_str()),
            Some("high"),
            "a track keeps the banner"
        );
    }

    #[test]
    fn every_event_carries_the_tab_session_id() {
        // Issue 9: `session_id` was always null in stored events.
        let mut s = loaded(vec![campaign("a", 1, "/app/**")]);
        let fx = s.reduce(
            Action::Track {
                name: "clicked".into(),
                props: Traits::new(),
                category: Category::Service,
            },
            T,
        );
        let sessions: Vec<_> = fx
            .iter()
            .filter_map(|f| match f {
                Effect::Send { event: e, .. } => Some(e.session_id.as_deref()),
                _ => None,
            })
            .collect();
        assert_eq!(sessions, vec![Some("s-1")]);
    }

    #[test]
    fn event_ids_within_one_action_are_distinct() {
        let mut s = loaded(vec![campaign("a", 1, "/app/**")]);
        let fx = s.reduce(
            Action::Cta {
                campaign_id: "a".into(),
                cta_id: "go".into(),
            },
            T,
        );
        let ids: std::collections::BTreeSet<String> = fx
            .iter()
            .filter_map(|f| {
                if let Effect::Send { event: e, .. } = f {
                    Some(e.id.to_string())
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(
            ids.len(),
            2,
            "cta and conversion have different ids: {fx:?}"
        );
    }

    #[test]
    fn cta_reports_converts_opens_and_retires_the_banner() {
        let mut s = loaded(vec![campaign("a", 1, "/app/**")]);
        let fx = s.reduce(
            Action::Cta {
                campaign_id: "a".into(),
                cta_id: "go".into(),
            },
            T,
        );
        assert_eq!(
            sent(&fx),
            vec![
                (EventKind::Cta, Some("a".into())),
                (EventKind::Conversion, Some("a".into()))
            ]
        );
        assert!(fx.contains(&Effect::Open("/go".into())));
        assert!(s.banner().is_none());
        // A new page load in the same session does not bring it back.
        goto(&mut s, "/app/other");
        assert!(s.banner().is_none());
    }

    #[test]
    fn cta_url_tokens_are_filled_as_url_components_issue_9() {
        let c = compiled(serde_json::json!({
            "id": "t", "name": "t", "goal": "announcement",
            "trigger": { "on": "page_load", "url": "/app/**" },
            "format": { "kind": "banner", "position": "top" },
            "content": { "en": { "title": "Hi", "body": "", "ctas": [
                { "id": "go", "label": "Go", "action": "open_url",
                  "url": "/app/{{user.website}}?plan={{account.plan | free}}" }
            ] } }
        }));
        let mut s = loaded(vec![c]);
        let mut traits = Traits::new();
        traits.insert("website".into(), "a b/../x".into());
        s.reduce(
            Action::Identify {
                user_id: "u1".into(),
                user_hash: None,
                traits,
                account: None,
            },
            T,
        );
        let fx = s.reduce(
            Action::Cta {
                campaign_id: "t".into(),
                cta_id: "go".into(),
            },
            T,
        );
        assert!(
            fx.contains(&Effect::Open("/app/a%20b%2F..%2Fx?plan=free".into())),
            "{fx:?}"
        );
    }

    #[test]
    fn a_dismissal_in_the_journal_keeps_the_banner_away_after_reload() {
        let mut s = loaded(vec![campaign("a", 1, "/app/**")]);
        let fx = s.reduce(
            Action::Dismiss {
                campaign_id: "a".into(),
            },
            T,
        );
        let journal = fx
            .iter()
            .rev()
            .find_map(|f| {
                if let Effect::SaveJournal(j) = f {
                    Some(j.to_vec())
                } else {
                    None
                }
            })
            .expect("journal saved");
        let mut reloaded = WidgetState::default();
        reloaded.reduce(
            Action::Restored {
                anonymous_id: "anon-1".into(),
                session_id: "s-1".into(),
                journal,
            },
            T,
        );
        goto(&mut reloaded, "/app/invoices");
        reloaded.reduce(
            Action::CampaignsLoaded(vec![campaign("a", 1, "/app/**")]),
            T,
        );
        assert!(reloaded.banner().is_none());
    }

    #[test]
    fn a_dismissal_on_another_device_keeps_the_banner_away() {
        let mut s = loaded(vec![campaign("a", 1, "/app/**")]);
        let fx = s.reduce(
            Action::Identify {
                user_id: "u1".into(),
                user_hash: Some("abc".into()),
                traits: Traits::new(),
                account: Some(("acme".into(), Traits::new())),
            },
            T,
        );
        assert!(fx.contains(&Effect::FetchHistory {
            user_id: "u1".into(),
            user_hash: Some("abc".into()),
            account_id: Some("acme".into()),
        }));
        let mut dismissed = Event::new(
            Uuid::v7(1, [1; 10]),
            EventKind::Dismiss,
            Timestamp(T.now.0 - 1000),
        );
        dismissed.user_id = Some("u1".into());
        dismissed.campaign_id = Some("a".into());
        let mut fresh = WidgetState::default();
        fresh.reduce(
            Action::Restored {
                anonymous_id: "anon-2".into(),
                session_id: "s-1".into(),
                journal: Vec::new(),
            },
            T,
        );
        fresh.reduce(
            Action::Identify {
                user_id: "u1".into(),
                user_hash: None,
                traits: Traits::new(),
                account: None,
            },
            T,
        );
        fresh.reduce(Action::RemoteHistory(vec![dismissed]), T);
        goto(&mut fresh, "/app/invoices");
        fresh.reduce(
            Action::CampaignsLoaded(vec![campaign("a", 1, "/app/**")]),
            T,
        );
        assert!(fresh.banner().is_none());
    }

    #[test]
    fn page_outside_the_trigger_url_takes_the_banner_away_and_hide_wins() {
        let mut s = loaded(vec![campaign("a", 1, "/app/invoices")]);
        assert!(s.banner().is_some());
        goto(&mut s, "/app/settings");
        assert!(s.banner().is_none());
        goto(&mut s, "/app/invoices");
        assert!(
            s.banner().is_none(),
            "a nudge that left the screen is not shown again this session"
        );
        let mut fresh = loaded(vec![campaign("a", 1, "/app/invoices")]);
        fresh.reduce(Action::Hide, T);
        assert!(fresh.banner().is_none());
        goto(&mut fresh, "/app/invoices");
        assert!(fresh.banner().is_none(), "hidden until show()");
    }

    fn with_format(id: &str, trigger: serde_json::Value, format: serde_json::Value) -> Campaign {
        compiled(serde_json::json!({
            "id": id, "name": id, "goal": "feedback",
            "trigger": trigger, "format": format,
            "frequency": { "snooze_days": 3, "stop_after_conversion": true, "caps": [] },
            "content": { "en": { "title": "Hi", "body": "", "ctas": [
                { "id": "later", "label": "Later", "action": "snooze" }
            ] } }
        }))
    }

    fn page_load() -> serde_json::Value {
        serde_json::json!({ "on": "page_load", "url": "/app/**" })
    }

    fn props_of(fx: &[Effect], kind: EventKind) -> Option<Traits> {
        fx.iter().find_map(|f| match f {
            Effect::Send { event: e, .. } if e.kind == kind => Some(e.props.clone()),
            _ => None,
        })
    }

    #[test]
    fn an_expired_toast_is_dismissed_with_auto() {
        let mut s = loaded(vec![with_format(
            "t",
            page_load(),
            serde_json::json!({ "kind": "toast" }),
        )]);
        assert!(s.in_slot(Slot::Toast).is_some());
        let fx = s.reduce(
            Action::Expire {
                campaign_id: "t".into(),
            },
            T,
        );
        let props = props_of(&fx, EventKind::Dismiss).expect("dismiss event");
        assert_eq!(props["auto"], serde_json::json!(true));
        assert!(s.in_slot(Slot::Toast).is_none());
    }

    #[test]
    fn snooze_reports_until_from_the_campaign_snooze_length() {
        let mut s = loaded(vec![with_format(
            "m",
            page_load(),
            serde_json::json!({ "kind": "modal" }),
        )]);
        assert!(s.in_slot(Slot::Overlay).is_some());
        let fx = s.reduce(
            Action::Cta {
                campaign_id: "m".into(),
                cta_id: "later".into(),
            },
            T,
        );
        let props = props_of(&fx, EventKind::Snooze).expect("snooze event");
        assert_eq!(props["until"], serde_json::json!(T.now.0 + 3 * 86_400_000));
        assert!(s.in_slot(Slot::Overlay).is_none());
    }

    #[test]
    fn a_survey_answer_is_reported_once_and_its_thank_you_closes_without_a_dismissal() {
        let nps =
            serde_json::json!({ "kind": "survey", "survey": "nps", "question": "Recommend us?" });
        let mut s = loaded(vec![with_format("nps", page_load(), nps)]);
        let mut props = Traits::new();
        props.insert("score".into(), 9.into());
        let fx = s.reduce(
            Action::Answer {
                campaign_id: "nps".into(),
                props: props.clone(),
            },
            T,
        );
        assert_eq!(
            props_of(&fx, EventKind::SurveyResponse),
            Some(props.clone())
        );
        assert!(s.answered.contains("nps"), "thank-you stays on screen");
        let again = s.reduce(
            Action::Answer {
                campaign_id: "nps".into(),
                props,
            },
            T,
        );
        assert!(sent(&again).is_empty(), "a second submit sends nothing");
        let fx = s.reduce(
            Action::Dismiss {
                campaign_id: "nps".into(),
            },
            T,
        );
        assert!(
            sent(&fx).is_empty(),
            "closing the thank-you is not a dismissal"
        );
        assert!(s.in_slot(Slot::Overlay).is_none());
    }

    #[test]
    fn armed_nudges_wait_for_their_trigger_and_count_the_view_when_they_fire() {
        let delayed = with_format(
            "later",
            serde_json::json!({ "on": "delay", "url": "/app/**", "seconds": 2 }),
            serde_json::json!({ "kind": "slideout" }),
        );
        let mut s = WidgetState::default();
        goto(&mut s, "/app/x");
        let fx = s.reduce(Action::CampaignsLoaded(vec![delayed]), T);
        assert!(fx.iter().any(|f| matches!(f, Effect::Arm { campaign_id, arm: Arm::Delay { seconds: 2 } } if campaign_id == "later")));
        assert!(sent(&fx).is_empty(), "no impression before it fires");
        assert!(s.on_screen.is_empty());
        let fx = s.reduce(
            Action::Fire {
                campaign_id: "later".into(),
            },
            T,
        );
        assert_eq!(
            sent(&fx),
            vec![(EventKind::Impression, Some("later".into()))]
        );
        assert!(s.in_slot(Slot::Overlay).is_some());
        let fx = s.reduce(
            Action::Fire {
                campaign_id: "later".into(),
            },
            T,
        );
        assert!(sent(&fx).is_empty(), "a second fire does nothing");
    }

    #[test]
    fn a_route_change_disarms_what_an_earlier_page_armed() {
        let visible = with_format(
            "tip",
            serde_json::json!({ "on": "element_visible", "url": "/app/a", "selector": "#x" }),
            serde_json::json!({ "kind": "tooltip", "anchor": "#x" }),
        );
        let mut s = WidgetState::default();
        goto(&mut s, "/app/a");
        s.reduce(Action::CampaignsLoaded(vec![visible]), T);
        assert_eq!(s.armed.len(), 1);
        let fx = s.reduce(
            Action::Page(Page {
                path: "/app/b".into(),
                ..Page::default()
            }),
            T,
        );
        assert!(fx.contains(&Effect::Disarm));
        assert!(s.armed.is_empty());
        s.reduce(
            Action::Fire {
                campaign_id: "tip".into(),
            },
            T,
        );
        assert!(s.on_screen.is_empty(), "a stale fire shows nothing");
    }

    #[test]
    fn tour_steps_are_reported_and_persisted_and_done_dismisses_as_completed() {
        let tour = serde_json::json!({ "kind": "tour", "steps": [
            { "anchor": "#a", "title": "One", "body": "" },
            { "anchor": "#b", "title": "Two", "body": "" }
        ] });
        let mut s = loaded(vec![with_format("tour", page_load(), tour)]);
        let fx = s.reduce(
            Action::TourStep {
                campaign_id: "tour".into(),
                step: 1,
            },
            T,
        );
        let saved = fx.iter().find_map(|f| match f {
            Effect::SaveProgress(p) => Some(p.clone()),
            _ => None,
        });
        assert_eq!(
            saved.map(|p| p.tour_steps),
            Some(vec![("tour".to_owned(), 1)])
        );
        assert_eq!(sent(&fx), [(EventKind::Cta, Some("tour".into()))]);
        assert_eq!(
            props_of(&fx, EventKind::Cta),
            Some(serde_json::from_value(serde_json::json!({"step": 1, "action": "next"})).unwrap())
        );
        assert!(
            !fx.iter().any(|f| matches!(f, Effect::SaveJournal(_))),
            "a step is not kept in the journal, so history never counts it"
        );
        assert_eq!(s.tour_step("tour"), 1);
        let fx = s.reduce(
            Action::TourStep {
                campaign_id: "tour".into(),
                step: 0,
            },
            T,
        );
        assert_eq!(
            props_of(&fx, EventKind::Cta),
            Some(serde_json::from_value(serde_json::json!({"step": 0, "action": "back"})).unwrap())
        );
        s.reduce(
            Action::TourStep {
                campaign_id: "tour".into(),
                step: 1,
            },
            T,
        );
        let fx = s.reduce(
            Action::TourDone {
                campaign_id: "tour".into(),
            },
            T,
        );
        assert_eq!(
            props_of(&fx, EventKind::Dismiss).map(|p| p["completed"].clone()),
            Some(serde_json::json!(true))
        );
        assert_eq!(s.tour_step("tour"), 0);
    }

    #[test]
    fn feed_items_are_unread_until_the_launcher_opens() {
        let mut s = loaded(vec![
            with_format("f1", page_load(), serde_json::json!({ "kind": "feed" })),
            with_format("f2", page_load(), serde_json::json!({ "kind": "feed" })),
        ]);
        assert_eq!(s.feed().count(), 2);
        assert_eq!(s.unread(), 2);
        let fx = s.reduce(Action::FeedSeen, T);
        assert!(fx.iter().any(|f| matches!(f, Effect::SaveProgress(_))));
        assert_eq!(s.unread(), 0);
    }

    #[test]
    fn a_missing_target_takes_the_nudge_away_and_notifies() {
        let tip = with_format(
            "tip",
            page_load(),
            serde_json::json!({ "kind": "tooltip", "anchor": "#nope" }),
        );
        let mut s = loaded(vec![tip]);
        assert!(s.in_slot(Slot::Anchored).is_some());
        let fx = s.reduce(
            Action::TargetMissing {
                campaign_id: "tip".into(),
                selector: "#nope".into(),
            },
            T,
        );
        assert!(matches!(
            &fx[..],
            [Effect::Notify {
                name: "target_missing",
                ..
            }]
        ));
        assert!(s.in_slot(Slot::Anchored).is_none());
    }

    #[test]
    fn the_page_language_chooses_the_locale_unless_identify_says_otherwise() {
        let mut s = WidgetState::default();
        assert_eq!(s.ui_locale(), "en");
        s.reduce(Action::PageLang("de-DE".into()), T);
        assert_eq!(s.ui_locale(), "de-DE");
        let mut traits = Traits::new();
        traits.insert("locale".into(), "ar".into());
        s.reduce(
            Action::Identify {
                user_id: "u".into(),
                user_hash: None,
                traits,
                account: None,
            },
            T,
        );
        assert_eq!(s.ui_locale(), "ar");
    }

    #[test]
    fn a_tracked_event_ticks_the_checklist_item_it_completes() {
        let checklist = serde_json::json!({ "kind": "checklist", "items": [
            { "id": "a", "label": "A", "done_event": "a_done" },
            { "id": "b", "label": "B", "done_event": "b_done" }
        ] });
        let mut s = loaded(vec![with_format("plan", page_load(), checklist)]);
        assert!(s
            .in_slot(Slot::Checklist)
            .is_some_and(|n| n.completed_items.is_empty()));
        s.reduce(
            Action::Track {
                name: "b_done".into(),
                props: Traits::new(),
                category: Category::Service,
            },
            T,
        );
        assert_eq!(
            s.in_slot(Slot::Checklist)
                .map(|n| n.completed_items.clone()),
            Some(vec!["b".to_owned()])
        );
    }

    #[test]
    fn a_modal_on_screen_survives_a_re_decision_under_the_session_overlay_limit() {
        let mut s = loaded(vec![with_format(
            "m",
            page_load(),
            serde_json::json!({ "kind": "modal" }),
        )]);
        assert!(s.in_slot(Slot::Overlay).is_some());
        // The server's history arrives later and re-decides as a page load.
        s.reduce(Action::RemoteHistory(Vec::new()), T);
        assert!(s.in_slot(Slot::Overlay).is_some(), "still on screen");
        goto(&mut s, "/app/other");
        assert!(
            s.in_slot(Slot::Overlay).is_some(),
            "and on the next route of the same app"
        );
    }

    #[test]
    fn progress_round_trips_through_its_stored_form() {
        let p = Progress {
            tour_steps: vec![("tour".into(), 2)],
            feed_seen: vec!["f1".into()],
        };
        assert_eq!(Progress::from_json(&p.to_json()), p);
        assert_eq!(Progress::from_json("not json"), Progress::default());
    }
}
