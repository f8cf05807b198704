//! The decision: which nudges this user sees now, and why each other campaign is not shown.
//!
//! [`decide`] is a pure function of its inputs, so the widget (after every identify, page
//! and track), the server (previews, journey simulations) and the tests all get the same
//! answer. Each campaign passes these gates in order; the first that fails is its reason:
//!
//! 1. schedule · 2. lifecycle stage/phase · 3. consent (marketing category) · 4. trigger ·
//! 5. not already shown this session (unless the host's `show(id)` asks for it) · 6. condition (must be *true*; unknown never matches) ·
//! 7. checklist not yet complete · 8. conversion, survey response, dismissal, snooze ·
//! 9. per-user and per-account caps · 10. the weekly nudge limit (global policy).
//!
//! The eligible campaigns are ranked by priority (then id, for determinism) and placed in
//! that order: one nudge per slot (overlay, banner, anchored, checklist, toast; the feed
//! takes any number), overlays limited per session, and the weekly nudge budget spent in
//! rank order (feed items and the checklist launcher are persistent surfaces, not nudges:
//! they do not spend the budget). Only a placed campaign is assigned its [`Arm`] and
//! variant — the ones recorded at the user's first exposure, else the stable hash (a user
//! without any id cannot be hashed: a campaign that needs a hash is then
//! [`Reason::Unidentified`] and takes no slot) — so a holdout member is exactly a user who
//! would have been shown the nudge: it comes back in
//! [`Decision::shown`] with [`Arm::Holdout`], takes its slot and spends the budget like a
//! treatment nudge, and the widget renders nothing for it (logging its exposure when the
//! nudge would have appeared).
//!
//! The history is looked up at most once per campaign in each of two passes (one probe of
//! its hash index), and the week's views are counted once, so the work per campaign is the
//! same at 10 and at 10,000 campaigns.
use crate::bucket::{in_holdout, pick_variant, Unit};
use crate::campaign::{
    Campaign, CapScope, Category, Content, Format, LeadRule, Slot, SurveyKind, Trigger, Variant,
};
use crate::context::{Context, Occurrence};
use crate::expr::Tri;
use crate::history::{CampaignHistory, History};
use crate::stage::{self, Lifecycle, Phase, Stage};
use crate::time::Timestamp;
pub use crate::vocab::Arm;
use serde::Serialize;

/// The cue the widget must still wait for before rendering a nudge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Cue {
    /// Render after this many seconds on the page.
    Delay {
        /// Seconds.
        seconds: u32,
    },
    /// Render when this element becomes visible.
    ElementVisible {
        /// CSS selector.
        selector: String,
    },
}

/// A nudge to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nudge {
    /// Which campaign.
    pub campaign_id: String,
    /// Which variant (log it with every event).
    pub variant: String,
    /// Treatment (render it) or holdout (render nothing, but hold the slot and log the
    /// exposure as an impression with `holdout: true` when it would have appeared).
    pub arm: Arm,
    /// The locale of `content` (after fallback).
    pub locale: String,
    /// What to render.
    pub content: Content,
    /// How to render it.
    pub format: Format,
    /// Where it goes.
    pub slot: Slot,
    /// Its priority.
    pub priority: i32,
    /// Consent category.
    pub category: Category,
    /// The cue to wait for, if any (a holdout member waits too: its exposure is the moment
    /// the nudge would have appeared).
    pub cue: Option<Cue>,
    /// Checklist items already done (by their events).
    pub completed_items: Vec<String>,
    /// Lead routing for its CTAs and answers.
    pub leads: Vec<LeadRule>,
}

/// A cap that was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "cap", rename_all = "snake_case")]
pub enum CapHit {
    /// The user's lifetime `max_views`.
    MaxViews {
        /// The limit.
        max: u32,
    },
    /// A windowed cap.
    Window {
        /// User or account.
        scope: CapScope,
        /// The limit.
        max: u32,
        /// The window, if any.
        within_days: Option<u32>,
        /// When the oldest counted view leaves the window (a new view becomes possible).
        until: Option<Timestamp>,
    },
    /// The global policy's nudges per rolling 7 days.
    Weekly {
        /// The limit.
        max: u32,
    },
    /// The global policy's overlays per session.
    SessionOverlays {
        /// The limit.
        max: u32,
    },
}

/// Why a campaign is not shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// Before its start or after its end.
    OutOfSchedule {
        /// Start, if not yet reached.
        starts: Option<Timestamp>,
        /// End, if passed.
        ended: Option<Timestamp>,
    },
    /// The account is not in the campaign's stages/phases (or its lifecycle is unknown).
    NotInStage {
        /// The account's stage, if known.
        stage: Option<Stage>,
        /// The account's time phase, if known.
        phase: Option<Phase>,
    },
    /// A marketing campaign without marketing consent.
    NoConsent,
    /// The current occurrence is not the campaign's trigger.
    TriggerNotMatched,
    /// Already shown in this session.
    ShownThisSession,
    /// The condition is false.
    ConditionFalse,
    /// The condition is unknown (missing or mistyped traits).
    ConditionUnknown,
    /// Every checklist item is done.
    ChecklistComplete,
    /// The user converted.
    Converted {
        /// When.
        at: Timestamp,
    },
    /// The user answered this survey.
    Responded {
        /// When.
        at: Timestamp,
        /// When it may be asked again (`None`: never).
        until: Option<Timestamp>,
    },
    /// The user dismissed it.
    Dismissed {
        /// When it may be shown again (`None`: never).
        until: Option<Timestamp>,
    },
    /// The user snoozed it.
    Snoozed {
        /// Until when.
        until: Timestamp,
    },
    /// A frequency cap was hit.
    Capped(CapHit),
    /// The campaign has a holdout or variants, and the user has neither a user id nor an
    /// anonymous id to be assigned by (nor an arm recorded at an earlier exposure).
    Unidentified,
    /// Eligible, but a higher-ranked nudge took the slot.
    SlotTaken {
        /// The slot.
        slot: Slot,
        /// The campaign that took it.
        by: String,
    },
}

/// A campaign not shown, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotShown {
    /// Which campaign.
    pub campaign_id: String,
    /// Why.
    #[serde(flatten)]
    pub reason: Reason,
}

/// The outcome of [`decide`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Decision {
    /// The account's lifecycle, if known.
    pub lifecycle: Option<Lifecycle>,
    /// Nudges to show, best first.
    pub shown: Vec<Nudge>,
    /// Every other campaign, in input order, with its reason.
    pub not_shown: Vec<NotShown>,
}

impl Decision {
    /// Why `campaign_id` was not shown (`None` if it was shown or is unknown).
    pub fn reason(&self, campaign_id: &str) -> Option<&Reason> {
        self.not_shown
            .iter()
            .find(|n| n.campaign_id == campaign_id)
            .map(|n| &n.reason)
    }

    /// The placed nudges of the holdout arm (campaign and variant): shown nothing, but
    /// exposed when they would have appeared.
    pub fn held_out(&self) -> impl Iterator<Item = (&str, &str)> {
        self.shown
            .iter()
            .filter(|n| n.arm == Arm::Holdout)
            .map(|n| (n.campaign_id.as_str(), n.variant.as_str()))
    }
}

fn url_matches(glob: &crate::expr::Glob, ctx: &Context) -> bool {
    if glob.as_str().starts_with('/') {
        glob.is_match(&ctx.page.path)
    } else {
        glob.is_match(&ctx.page.url)
    }
}

/// Whether the occurrence fires the campaign's trigger; `Some(cue)` when it does.
fn trigger_fires(c: &Campaign, ctx: &Context) -> Option<Option<Cue>> {
    match (&ctx.trigger, &c.trigger) {
        (Occurrence::Show { campaign_id }, _) => (campaign_id == &c.id).then_some(None),
        (Occurrence::PageLoad, Trigger::PageLoad { url }) => url_matches(url, ctx).then_some(None),
        (Occurrence::PageLoad, Trigger::ElementVisible { url, selector }) => {
            url.as_ref().is_none_or(|u| url_matches(u, ctx)).then(|| {
                Some(Cue::ElementVisible {
                    selector: selector.clone(),
                })
            })
        }
        (Occurrence::PageLoad, Trigger::Delay { url, seconds }) => url
            .as_ref()
            .is_none_or(|u| url_matches(u, ctx))
            .then_some(Some(Cue::Delay { seconds: *seconds })),
        (Occurrence::Track { name }, Trigger::Event { name: want }) => {
            (name == want).then_some(None)
        }
        _ => None,
    }
}

/// Whether the campaign's audience admits the lifecycle; `held` has a bit set for each
/// phase the account is in (see [`crate::campaign::Gates`]).
fn in_stage(c: &Campaign, lifecycle: Option<&Lifecycle>, held: u8) -> bool {
    let g = &c.gates;
    if g.stages == 0 && g.phases == 0 {
        return true;
    }
    let Some(l) = lifecycle else { return false };
    (g.stages == 0 || g.stages & 1 << l.stage as u8 != 0) && (g.phases == 0 || g.phases & held != 0)
}

/// Gates 1–9 for one campaign; `Ok` with its cue and its history when eligible. The
/// history is looked up only once the gates of the moment (1–7) have passed.
fn gate<'h>(
    c: &Campaign,
    ctx: &Context,
    history: &'h History,
    lifecycle: Option<&Lifecycle>,
    held: u8,
    now: Timestamp,
) -> Result<(Option<Cue>, &'h CampaignHistory), Reason> {
    let s = c.gates.schedule;
    if s.start.is_some_and(|t| now < t) || s.end.is_some_and(|t| now >= t) {
        return Err(Reason::OutOfSchedule {
            starts: s.start.filter(|&t| now < t),
            ended: s.end.filter(|&t| now >= t),
        });
    }
    if !in_stage(c, lifecycle, held) {
        return Err(Reason::NotInStage {
            stage: lifecycle.map(|l| l.stage),
            phase: lifecycle.and_then(|l| l.phase),
        });
    }
    if c.gates.category == Category::Marketing && !ctx.consent.marketing {
        return Err(Reason::NoConsent);
    }
    let cue = trigger_fires(c, ctx).ok_or(Reason::TriggerNotMatched)?;
    // An explicit `show(id)` from the host may repeat a nudge within the session.
    let explicit = matches!(&ctx.trigger, Occurrence::Show { campaign_id } if campaign_id == &c.id);
    if !explicit && ctx.session.shown.iter().any(|id| id == &c.id) {
        return Err(Reason::ShownThisSession);
    }
    if let Some(cond) = &c.audience.condition {
        match cond.eval(&ctx.eval_context(now)) {
            Tri::True => {}
            Tri::False => return Err(Reason::ConditionFalse),
            Tri::Unknown => return Err(Reason::ConditionUnknown),
        }
    }
    if let Format::Checklist { items } = &c.format {
        if items
            .iter()
            .all(|i| ctx.events.get(&i.done_event).is_some_and(|s| s.count > 0))
        {
            return Err(Reason::ChecklistComplete);
        }
    }
    let h = history.hashed(&c.id, c.gates.id_hash);
    let f = &c.frequency;
    if f.stop_after_conversion {
        if let Some(&at) = h.user.conversions.iter().max() {
            return Err(Reason::Converted { at });
        }
    }
    if matches!(c.format, Format::Survey(_)) {
        if let Some(at) = h.user.last_response() {
            let until = f.recontact_days.map(|d| at.plus_days(i64::from(d)));
            if until.is_none_or(|u| now < u) {
                return Err(Reason::Responded { at, until });
            }
        }
    }
    if let Some(at) = h.user.last_dismissal() {
        let until = f.recontact_days.map(|d| at.plus_days(i64::from(d)));
        if until.is_none_or(|u| now < u) {
            return Err(Reason::Dismissed { until });
        }
    }
    if let Some(sn) = h.user.last_snooze() {
        let until = sn
            .until
            .unwrap_or(sn.at.plus_days(i64::from(f.snooze_days)));
        if now < until {
            return Err(Reason::Snoozed { until });
        }
    }
    if let Some(max) = f.max_views {
        if h.user.views().len() >= max as usize {
            return Err(Reason::Capped(CapHit::MaxViews { max }));
        }
    }
    for cap in &f.caps {
        let exposure = match cap.scope {
            CapScope::User => &h.user,
            CapScope::Account => &h.account,
        };
        let since = cap.within_days.map_or(Timestamp(i64::MIN), |d| {
            now.plus_days(-i64::from(d)).plus_ms(1)
        });
        let window = exposure.views_between(since, now);
        if window.len() >= cap.max as usize {
            // The view whose expiry frees a place: the (count - max + 1)-th oldest in the
            // window (the window is in time order).
            let freeing = window.get(window.len() - cap.max as usize).copied();
            let until = cap
                .within_days
                .zip(freeing)
                .map(|(d, t)| t.plus_days(i64::from(d)));
            return Err(Reason::Capped(CapHit::Window {
                scope: cap.scope,
                max: cap.max,
                within_days: cap.within_days,
                until,
            }));
        }
    }
    Ok((cue, h))
}

/// The user's arm and variant in `c`: those recorded at their first exposure (sticky), else
/// the stable hash of their bucketing unit. A campaign without a holdout (any more) treats
/// everyone. `None` when a hash is needed and the user has no id to hash.
fn assign<'c>(
    c: &'c Campaign,
    h: &CampaignHistory,
    unit: Option<Unit<'_>>,
) -> Option<(Arm, &'c Variant)> {
    let first = h.first.as_ref();
    let recorded = first
        .and_then(|f| f.variant.as_deref())
        .and_then(|v| c.variants.iter().find(|x| x.id == v));
    let variant = match recorded {
        Some(v) => v,
        None if c.variants.len() <= 1 => c.variants.first()?,
        None => {
            let weights: Vec<u32> = c.variants.iter().map(|v| v.weight).collect();
            c.variants.get(pick_variant(&c.id, unit?, &weights))?
        }
    };
    let arm = match first.map(|f| f.arm) {
        _ if c.holdout_bp == 0 => Arm::Treatment,
        Some(arm) => arm,
        None if in_holdout(&c.id, unit?, c.holdout_bp) => Arm::Holdout,
        None => Arm::Treatment,
    };
    Some((arm, variant))
}

/// Rank the nudges this user should see now, and explain every campaign not shown.
///
/// Pure and deterministic: the same inputs always give the same decision, on the server
/// and in the widget. `ctx.policy` carries the vendor's lifecycle and global caps.
///
/// # Example
/// ```
/// use touchpoint_core::campaign::compiled;
/// use touchpoint_core::{decide, Context, History, Timestamp};
/// // A campaign as the widget receives it (the server validated and compiled it).
/// let c = compiled::decode(&serde_json::json!({
///     "id": "hello", "name": "Hello", "goal": "announcement", "category": "service",
///     "priority": 0, "holdout_bp": 0, "audience": {"stages": [], "phases": []},
///     "trigger": {"on": "page_load", "url": "/app/**"}, "format": {"kind": "banner"},
///     "default_locale": "en", "content": {"en": {"title": "Hi", "body": "", "ctas": []}},
///     "variants": [{"id": "control", "weight": 100, "content": {}}], "schedule": {},
///     "frequency": {"snooze_days": 7, "stop_after_conversion": true, "caps": []},
///     "leads": []
/// }))
/// .unwrap();
/// let mut ctx = Context::default();
/// ctx.user.id = Some("u1".into());
/// ctx.page.path = "/app/invoices".into();
/// let d = decide(&[c], &ctx, &History::new(), Timestamp(0));
/// assert_eq!(d.shown[0].campaign_id, "hello");
/// assert_eq!(d.shown[0].content.title, "Hi");
/// ```
pub fn decide(
    campaigns: &[Campaign],
    ctx: &Context,
    history: &History,
    now: Timestamp,
) -> Decision {
    let lifecycle = stage::derive(ctx, now);
    let held = lifecycle.as_ref().map_or(0, |l| {
        Phase::NAMES
            .iter()
            .filter(|(_, p)| l.has_phase(*p))
            .fold(0, |m, &(_, p)| m | 1 << p as u8)
    });
    let policy = &ctx.policy;
    let weekly = || {
        Reason::Capped(CapHit::Weekly {
            max: policy.max_nudges_per_week,
        })
    };
    // One pass over the campaigns, which at thousands do not stay in the cache: each
    // gated, its outcome written in input order (an eligible one's entry is settled when
    // placed), and the week's persistent-surface views counted on the way.
    let since = now.plus_days(-7).plus_ms(1);
    let mut persistent = 0;
    // Sized once: growing a list of thousands would copy it over and over.
    let mut not_shown = Vec::with_capacity(campaigns.len());
    let mut eligible: Vec<(usize, usize, Option<Cue>, &CampaignHistory)> = Vec::new();
    for (i, c) in campaigns.iter().enumerate() {
        if !c.gates.slot.is_nudge() {
            persistent += history
                .hashed(&c.id, c.gates.id_hash)
                .user
                .views_since(since);
        }
        let reason = match gate(c, ctx, history, lifecycle.as_ref(), held, now) {
            Err(r) => r,
            Ok((cue, h)) => {
                eligible.push((i, not_shown.len(), cue, h));
                // A stand-in: the entry is refused a place or, placed, dropped below.
                Reason::NoConsent
            }
        };
        not_shown.push(NotShown {
            campaign_id: c.id.clone(),
            reason,
        });
    }
    // The week's views: of every campaign the user saw (those no longer in the catalog
    // too), less the catalog's persistent surfaces (feed, checklist), which are not nudges.
    let week_views = history.user_views_since(since).saturating_sub(persistent);
    if week_views >= policy.max_nudges_per_week as usize {
        // Over the weekly limit from the start: no nudge is placed.
        eligible.retain(|&(i, at, ..)| {
            let nudge = campaigns[i].gates.slot.is_nudge();
            if nudge {
                not_shown[at].reason = weekly();
            }
            !nudge
        });
    }
    eligible.sort_unstable_by(|(a, ..), (b, ..)| {
        let (ca, cb) = (&campaigns[*a], &campaigns[*b]);
        // Index last: a total order, so the unstable sort stays deterministic.
        cb.priority
            .cmp(&ca.priority)
            .then_with(|| ca.id.cmp(&cb.id))
            .then_with(|| a.cmp(b))
    });
    let unit = ctx.user.bucketing_id();
    // Which campaign holds each single-occupancy slot (a short list: six slots at most).
    let mut taken: Vec<(Slot, usize)> = Vec::new();
    let mut budget = (policy.max_nudges_per_week as usize).saturating_sub(week_views);
    let mut overlays = ctx.session.modals_shown;
    let mut shown = Vec::new();
    for (i, at, cue, h) in eligible {
        let c = &campaigns[i];
        let slot = c.gates.slot;
        let refused = if let Some(&(_, by)) = taken.iter().find(|(s, _)| *s == slot) {
            Some(Reason::SlotTaken {
                slot,
                by: campaigns[by].id.clone(),
            })
        } else if slot == Slot::Overlay && overlays >= policy.max_modals_per_session {
            Some(Reason::Capped(CapHit::SessionOverlays {
                max: policy.max_modals_per_session,
            }))
        } else if slot.is_nudge() && budget == 0 {
            Some(weekly())
        } else {
            None
        };
        // Placed: only now is the user assigned (holdout members are placed like anyone).
        let assigned = match refused {
            Some(r) => Err(r),
            None => assign(c, h, unit).ok_or(Reason::Unidentified),
        };
        let (arm, variant) = match assigned {
            Ok(a) => a,
            Err(r) => {
                not_shown[at].reason = r;
                continue;
            }
        };
        if slot.is_nudge() {
            budget -= 1;
        }
        if slot != Slot::Feed {
            taken.push((slot, i));
        }
        if slot == Slot::Overlay {
            overlays += 1;
        }
        let (locale, content) = c.content_for(variant, &ctx.locale);
        let completed_items = match &c.format {
            Format::Checklist { items } => items
                .iter()
                .filter(|it| ctx.events.get(&it.done_event).is_some_and(|s| s.count > 0))
                .map(|it| it.id.clone())
                .collect(),
            _ => Vec::new(),
        };
        shown.push(Nudge {
            // Shown: its entry's id moves here, and the entry, left empty, is dropped below
            // (a campaign's id is never empty).
            campaign_id: std::mem::take(&mut not_shown[at].campaign_id),
            variant: variant.id.clone(),
            arm,
            locale: locale.to_owned(),
            content: content.clone(),
            format: c.format.clone(),
            slot,
            priority: c.priority,
            category: c.category,
            cue,
            completed_items,
            leads: c.leads.clone(),
        });
    }
    not_shown.retain(|n| !n.campaign_id.is_empty());
    Decision {
        lifecycle,
        shown,
        not_shown,
    }
}

/// Whether a survey answer or a used CTA raises leads, and for which teams.
///
/// `cta` is the id of the CTA used, `score` an NPS/CSAT score, `answer` a single-choice
/// answer; pass what the event carried.
pub fn leads_for(
    c: &Campaign,
    cta: Option<&str>,
    score: Option<u32>,
    answer: Option<&str>,
) -> Vec<crate::campaign::Team> {
    use crate::campaign::LeadSource;
    c.leads
        .iter()
        .filter(|l| match &l.source {
            LeadSource::Cta { cta: want } => cta == Some(want.as_str()),
            LeadSource::MinScore { min_score } => {
                matches!(&c.format, Format::Survey(s) if matches!(s.survey, SurveyKind::Nps | SurveyKind::Csat))
                    && score.is_some_and(|s| s >= *min_score)
            }
            LeadSource::Answers { answers } => answer.is_some_and(|a| answers.iter().any(|x| x == a)),
        })
        .map(|l| l.team)
        .collect()
}
