//! The widget's state and its reducer: what the widget knows (campaigns, who is looking,
//! where, what they dismissed) and how each action changes it. Pure — the reducer returns the
//! effects it wants (events to emit, state to persist) instead of performing them, so every
//! rule here is testable without a browser.
use std::collections::BTreeSet;
use std::rc::Rc;
use touchpoint_core::{decide, Campaign, Context, EventKind, History, Timestamp};

/// Everything the widget knows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WidgetState {
    /// Campaigns from the server, validated.
    pub campaigns: Rc<Vec<Campaign>>,
    /// The identified user.
    pub user_id: Option<String>,
    /// Current page path.
    pub page_path: String,
    /// Campaigns this user dismissed (remembered across reloads).
    pub dismissed: BTreeSet<String>,
    /// The host called `hide()`.
    pub hidden: bool,
    /// Index into `campaigns` of the banner on screen.
    pub banner: Option<usize>,
}

/// Something that happened: from the host page (through the JS API), the server or the user.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The campaign catalog arrived.
    CampaignsLoaded(Vec<Campaign>),
    /// The dismissals remembered from an earlier visit were read.
    Restored {
        /// Campaign ids dismissed before.
        dismissed: BTreeSet<String>,
    },
    /// `touchpoint.identify(userId, ...)`.
    Identify {
        /// The host's user id.
        user_id: String,
    },
    /// `touchpoint.page()` or a detected route change.
    Page {
        /// The new path.
        path: String,
    },
    /// `touchpoint.hide()`.
    Hide,
    /// `touchpoint.reset()`: forget the user (logout).
    Reset,
    /// The user used call-to-action `cta` of the banner.
    Cta {
        /// Which CTA of the banner.
        cta: usize,
    },
    /// The user closed the banner.
    Dismiss,
}

/// An engagement to report, before the runtime gives it an id and sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Emit {
    /// What happened.
    pub kind: EventKind,
    /// The campaign it concerns.
    pub campaign_id: String,
}

/// What the runtime must do after a reduction.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Report an engagement event.
    Emit(Emit),
    /// Persist the dismissed set.
    SaveDismissed(BTreeSet<String>),
    /// Open a URL (a CTA's target).
    Open(String),
}

impl WidgetState {
    /// The banner campaign on screen, if any.
    pub fn banner(&self) -> Option<&Campaign> {
        self.banner.and_then(|i| self.campaigns.get(i))
    }

    /// Apply `action` at `now`; returns the effects the runtime must perform.
    pub fn reduce(&mut self, action: Action, now: Timestamp) -> Vec<Effect> {
        let mut effects = Vec::new();
        match action {
            Action::CampaignsLoaded(c) => self.campaigns = Rc::new(c),
            Action::Restored { dismissed } => self.dismissed.extend(dismissed),
            Action::Identify { user_id } => self.user_id = Some(user_id),
            Action::Page { path } => self.page_path = path,
            Action::Hide => self.hidden = true,
            Action::Reset => {
                self.user_id = None;
                self.dismissed.clear();
                effects.push(Effect::SaveDismissed(BTreeSet::new()));
            }
            Action::Cta { cta } => {
                if let Some(c) = self.banner() {
                    let id = c.id.clone();
                    let url = c.ctas.get(cta).and_then(|x| x.url.clone());
                    effects.push(Effect::Emit(Emit {
                        kind: EventKind::Cta,
                        campaign_id: id.clone(),
                    }));
                    self.dismissed.insert(id);
                    effects.push(Effect::SaveDismissed(self.dismissed.clone()));
                    effects.extend(url.map(Effect::Open));
                }
            }
            Action::Dismiss => {
                if let Some(c) = self.banner() {
                    let id = c.id.clone();
                    effects.push(Effect::Emit(Emit {
                        kind: EventKind::Dismiss,
                        campaign_id: id.clone(),
                    }));
                    self.dismissed.insert(id);
                    effects.push(Effect::SaveDismissed(self.dismissed.clone()));
                }
            }
        }
        let before = self.banner;
        self.banner = if self.hidden { None } else { self.decide(now) };
        if let Some(c) = self.banner().filter(|_| self.banner != before) {
            effects.push(Effect::Emit(Emit {
                kind: EventKind::Impression,
                campaign_id: c.id.clone(),
            }));
        }
        effects
    }

    fn decide(&self, now: Timestamp) -> Option<usize> {
        let ctx = Context {
            user_id: self.user_id.clone(),
            page_path: self.page_path.clone(),
        };
        let history = History {
            dismissed: self.dismissed.clone(),
        };
        decide(&self.campaigns, &ctx, &history, now)
            .shown
            .first()
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use touchpoint_core::RawCampaign;

    fn campaign(id: &str, priority: i32) -> Campaign {
        let raw: RawCampaign = serde_json::from_value(serde_json::json!({
            "id": id, "name": id, "format": "banner", "priority": priority,
            "content": { "title": "Hello", "ctas": [{ "label": "Go", "url": "/go" }] }
        }))
        .expect("raw campaign");
        Campaign::try_from(raw).expect("valid")
    }

    const NOW: Timestamp = Timestamp::from_millis(1_795_392_000_000);

    #[test]
    fn shows_the_highest_priority_banner_once_and_reports_one_impression() {
        let mut s = WidgetState::default();
        let fx = s.reduce(
            Action::CampaignsLoaded(vec![campaign("low", 1), campaign("high", 5)]),
            NOW,
        );
        assert_eq!(s.banner().map(|c| c.id.as_str()), Some("high"));
        assert_eq!(
            fx,
            vec![Effect::Emit(Emit {
                kind: EventKind::Impression,
                campaign_id: "high".into()
            })]
        );
        let fx = s.reduce(Action::Page { path: "/x".into() }, NOW);
        assert!(fx.is_empty(), "same banner, no second impression: {fx:?}");
    }

    #[test]
    fn cta_reports_opens_and_retires_the_banner() {
        let mut s = WidgetState::default();
        s.reduce(Action::CampaignsLoaded(vec![campaign("only", 1)]), NOW);
        let fx = s.reduce(Action::Cta { cta: 0 }, NOW);
        assert_eq!(
            fx[0],
            Effect::Emit(Emit {
                kind: EventKind::Cta,
                campaign_id: "only".into()
            })
        );
        assert!(fx.contains(&Effect::Open("/go".into())));
        assert!(fx.contains(&Effect::SaveDismissed(BTreeSet::from(["only".to_owned()]))));
        assert_eq!(s.banner, None);
    }

    #[test]
    fn restored_dismissals_keep_a_banner_away_and_hide_wins() {
        let mut s = WidgetState::default();
        s.reduce(
            Action::Restored {
                dismissed: BTreeSet::from(["high".to_owned()]),
            },
            NOW,
        );
        s.reduce(
            Action::CampaignsLoaded(vec![campaign("low", 1), campaign("high", 5)]),
            NOW,
        );
        assert_eq!(s.banner().map(|c| c.id.as_str()), Some("low"));
        s.reduce(Action::Hide, NOW);
        assert_eq!(s.banner, None);
    }
}
