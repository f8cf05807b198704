//! Validation: `RawCampaign` → `Campaign`, collecting every error with its field path; and
//! the way back, `RawCampaign::from(&Campaign)`: the authoring form of a validated campaign
//! (schedule as UTC instants, so it validates again without any time-zone data).
use super::model::*;
use super::raw::*;
use super::{ValidationError, ValidationErrorKind as Kind, ValidationErrors};
use crate::diagnostic::quote;
use crate::expr::{Condition, Glob};
use crate::stage::{Phase, Stage};
use std::collections::BTreeMap;

struct Errors(Vec<ValidationError>);

impl Errors {
    fn push(&mut self, path: impl Into<String>, kind: Kind, message: impl Into<String>) {
        self.0.push(ValidationError {
            path: path.into(),
            kind,
            message: message.into(),
            span: None,
        });
    }

    fn one_of<T: Copy>(&mut self, path: &str, value: &str, options: &[(&str, T)]) -> Option<T> {
        if let Some((_, v)) = options.iter().find(|(name, _)| *name == value) {
            return Some(*v);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        self.push(
            path,
            Kind::UnknownValue,
            format!(
                "unknown value {}: expected one of {}",
                quote(value),
                names.join(", ")
            ),
        );
        None
    }

    fn unused<T>(&mut self, path: &str, value: &Option<T>, what: &str) {
        if value.is_some() {
            self.push(
                path,
                Kind::Invalid,
                format!("not used by {what}: remove it"),
            );
        }
    }

    fn required<'a>(
        &mut self,
        path: &str,
        value: &'a Option<String>,
        what: &str,
    ) -> Option<&'a str> {
        match value.as_deref() {
            Some(v) if !v.trim().is_empty() => Some(v),
            Some(_) => {
                self.push(
                    path,
                    Kind::Invalid,
                    format!("expected a non-empty value for {what}"),
                );
                None
            }
            None => {
                self.push(path, Kind::Missing, format!("missing: {what} needs it"));
                None
            }
        }
    }

    /// `url` if a nudge may follow it (see [`crate::link`]), else an error at `path`.
    fn link<'a>(&mut self, path: &str, url: &'a str) -> Option<&'a str> {
        match crate::link::check(url) {
            Ok(()) => Some(url),
            Err(why) => {
                self.push(path, Kind::Invalid, why.to_string());
                None
            }
        }
    }
}

pub(crate) const GOALS: &[(&str, Goal)] = &[
    ("adoption", Goal::Adoption),
    ("announcement", Goal::Announcement),
    ("feedback", Goal::Feedback),
    ("renewal", Goal::Renewal),
    ("expansion", Goal::Expansion),
    ("advocacy", Goal::Advocacy),
];
pub(crate) const CATEGORIES: &[(&str, Category)] = &[
    ("service", Category::Service),
    ("marketing", Category::Marketing),
];
pub(crate) const STAGES: &[(&str, Stage)] = &[
    ("acquisition", Stage::Acquisition),
    ("service", Stage::Service),
    ("loyalty", Stage::Loyalty),
];
pub(crate) const TEAMS: &[(&str, Team)] = &[
    ("sales", Team::Sales),
    ("marketing", Team::Marketing),
    ("success", Team::Success),
];
pub(crate) const SCOPES: &[(&str, CapScope)] =
    &[("user", CapScope::User), ("account", CapScope::Account)];

pub(crate) const PHASES: [(&str, Phase); 7] = {
    let mut t = [("", Phase::Onboarding); 7];
    let mut i = 0;
    while i < 7 {
        t[i] = (Phase::ALL[i].as_str(), Phase::ALL[i]);
        i += 1;
    }
    t
};
pub(crate) const POSITIONS: &[(&str, BannerPosition)] = &[
    ("top", BannerPosition::Top),
    ("bottom", BannerPosition::Bottom),
];

/// Push `x` unless present; whether it was new (a Vec: lists here are short, and a set
/// type would add code to the widget's wasm).
fn insert_new<T: PartialEq>(v: &mut Vec<T>, x: T) -> bool {
    if v.contains(&x) {
        false
    } else {
        v.push(x);
        true
    }
}

/// Whether `s` is a slug: non-empty, at most 64 of `a-z`, `0-9`, `-`, `_`, not starting
/// with `-`.
pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('-')
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
}

fn is_locale(s: &str) -> bool {
    let mut parts = s.split(['-', '_']);
    let lang = parts.next().unwrap_or("");
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| !p.is_empty() && p.len() <= 8 && p.bytes().all(|c| c.is_ascii_alphanumeric()))
}

impl TryFrom<RawCampaign> for Campaign {
    type Error = ValidationErrors;

    /// Validate, collecting every error with its field path.
    ///
    /// # Errors
    /// All problems found, each with the path of the field at fault.
    fn try_from(raw: RawCampaign) -> Result<Self, Self::Error> {
        Campaign::try_from(&raw)
    }
}

impl TryFrom<&RawCampaign> for Campaign {
    type Error = ValidationErrors;

    fn try_from(raw: &RawCampaign) -> Result<Self, Self::Error> {
        let mut e = Errors(Vec::new());
        let c = build(raw, &mut e);
        match c {
            Some(c) if e.0.is_empty() => Ok(c),
            _ => Err(ValidationErrors(e.0)),
        }
    }
}

fn build(raw: &RawCampaign, e: &mut Errors) -> Option<Campaign> {
    if !is_slug(&raw.id) {
        e.push(
            "id",
            Kind::Invalid,
            format!(
                "expected a slug of a-z, 0-9, '-' and '_' (at most 64), found {}",
                quote(&raw.id)
            ),
        );
    }
    if raw.name.trim().is_empty() {
        e.push("name", Kind::Invalid, "expected a non-empty name");
    }
    let goal = e.one_of("goal", &raw.goal, GOALS);
    let category = match &raw.category {
        None => Some(Category::Service),
        Some(c) => e.one_of("category", c, CATEGORIES),
    };
    let holdout_bp = if raw.holdout.is_finite() && (0.0..=100.0).contains(&raw.holdout) {
        (raw.holdout * 100.0).round() as u32
    } else {
        e.push(
            "holdout",
            Kind::Invalid,
            "expected a percentage from 0 to 100",
        );
        0
    };
    let audience = audience(&raw.audience, e);
    let trigger = trigger(&raw.trigger, e);
    let format = format(&raw.format, e);
    let default_locale = raw
        .default_locale
        .clone()
        .unwrap_or_else(|| "en".to_owned());
    if !is_locale(&default_locale) {
        e.push(
            "default_locale",
            Kind::Invalid,
            format!(
                "expected a locale like `en` or `fr-CA`, found {}",
                quote(&default_locale)
            ),
        );
    }
    let content = content_map(&raw.content, "content", e);
    if !raw.content.contains_key(&default_locale) {
        e.push(
            "content",
            Kind::Missing,
            format!("missing content for the default locale `{default_locale}`: add a [content.{default_locale}] table"),
        );
    }
    let variants = variants(&raw.variants, e);
    let schedule = schedule(raw.schedule.as_ref(), e);
    let frequency = frequency(&raw.frequency, e);
    let conversion = raw.conversion.as_ref().map(|c| {
        if c.event.trim().is_empty() {
            e.push(
                "conversion.event",
                Kind::Invalid,
                "expected a tracked event name",
            );
        }
        if c.within_days == 0 {
            e.push(
                "conversion.within_days",
                Kind::Invalid,
                "expected at least 1 day",
            );
        }
        ConversionGoal {
            event: c.event.clone(),
            within_days: c.within_days,
        }
    });
    let leads = leads(&raw.leads, &content, format.as_ref(), e);
    Some(Campaign {
        id: raw.id.clone(),
        name: raw.name.clone(),
        owner: raw.owner.clone(),
        goal: goal?,
        category: category?,
        priority: raw.priority,
        holdout_bp,
        audience: audience?,
        trigger: trigger?,
        format: format?,
        default_locale,
        content,
        variants,
        schedule,
        frequency,
        conversion,
        leads,
    })
}

fn audience(raw: &RawAudience, e: &mut Errors) -> Option<Audience> {
    let stages: Vec<Stage> = raw
        .stages
        .iter()
        .enumerate()
        .filter_map(|(i, s)| e.one_of(&format!("audience.stages[{i}]"), s, STAGES))
        .collect();
    let phases: Vec<Phase> = raw
        .phases
        .iter()
        .enumerate()
        .filter_map(|(i, s)| e.one_of(&format!("audience.phases[{i}]"), s, &PHASES))
        .collect();
    let condition = match raw.condition.as_deref() {
        None => None,
        Some(src) => match Condition::parse(src) {
            Ok(c) => Some(c),
            Err(errs) => {
                for err in errs {
                    let kind = match err.kind {
                        crate::expr::ExprErrorKind::Type => Kind::Type,
                        _ => Kind::Syntax,
                    };
                    e.0.push(ValidationError {
                        path: "audience.condition".into(),
                        kind,
                        message: err.message,
                        span: Some(err.span),
                    });
                }
                return None;
            }
        },
    };
    Some(Audience {
        stages,
        phases,
        condition,
    })
}

fn trigger(raw: &RawTrigger, e: &mut Errors) -> Option<Trigger> {
    let kinds = [
        ("page_load", 0),
        ("event", 1),
        ("element_visible", 2),
        ("delay", 3),
        ("manual", 4),
    ];
    let kind = e.one_of("trigger.on", &raw.on, &kinds)?;
    let what = format!("`{}` triggers", raw.on);
    let url = raw.url.as_deref().map(Glob::new);
    if kind != 1 {
        e.unused("trigger.event", &raw.event, &what);
    }
    if kind != 2 {
        e.unused("trigger.selector", &raw.selector, &what);
    }
    if kind != 3 {
        e.unused("trigger.seconds", &raw.seconds, &what);
    }
    if kind == 1 || kind == 4 {
        e.unused("trigger.url", &raw.url, &what);
    }
    Some(match kind {
        0 => Trigger::PageLoad {
            url: url.unwrap_or_else(|| Glob::new("**")),
        },
        1 => Trigger::Event {
            name: e.required("trigger.event", &raw.event, &what)?.to_owned(),
        },
        2 => Trigger::ElementVisible {
            url,
            selector: e
                .required("trigger.selector", &raw.selector, &what)?
                .to_owned(),
        },
        3 => match raw.seconds {
            Some(seconds) => Trigger::Delay { url, seconds },
            None => {
                e.push(
                    "trigger.seconds",
                    Kind::Missing,
                    format!("missing: {what} need it"),
                );
                return None;
            }
        },
        _ => Trigger::Manual,
    })
}

fn format(raw: &RawFormat, e: &mut Errors) -> Option<Format> {
    let kinds = [
        ("banner", 0),
        ("modal", 1),
        ("slideout", 2),
        ("tooltip", 3),
        ("hotspot", 4),
        ("tour", 5),
        ("checklist", 6),
        ("survey", 7),
        ("toast", 8),
        ("feed", 9),
    ];
    let kind = e.one_of("format.kind", &raw.kind, &kinds)?;
    let what = format!("`{}` format", raw.kind);
    if !matches!(kind, 3 | 4) {
        e.unused("format.anchor", &raw.anchor, &what);
    }
    if kind != 0 {
        e.unused("format.position", &raw.position, &what);
    }
    if kind != 1 {
        e.unused("format.scroll_lock", &raw.scroll_lock, &what);
    }
    let wait_seconds = raw.wait_seconds;
    if !matches!(kind, 3..=5) {
        e.unused("format.wait_seconds", &wait_seconds, &what);
    } else if wait_seconds.is_some_and(|s| !(1..=600).contains(&s)) {
        e.push(
            "format.wait_seconds",
            Kind::Invalid,
            "expected 1 to 600 seconds",
        );
    }
    if kind != 5 && !raw.steps.is_empty() {
        e.push(
            "format.steps",
            Kind::Invalid,
            format!("not used by {what}: remove it"),
        );
    }
    if kind != 6 && !raw.items.is_empty() {
        e.push(
            "format.items",
            Kind::Invalid,
            format!("not used by {what}: remove it"),
        );
    }
    if kind != 7 {
        e.unused("format.survey", &raw.survey, &what);
        e.unused("format.question", &raw.question, &what);
        if !raw.choices.is_empty() {
            e.push(
                "format.choices",
                Kind::Invalid,
                format!("not used by {what}: remove it"),
            );
        }
    }
    Some(match kind {
        0 => Format::Banner {
            position: match raw.position.as_deref() {
                None => BannerPosition::Top,
                Some(p) => e.one_of("format.position", p, POSITIONS)?,
            },
        },
        1 => Format::Modal {
            scroll_lock: raw.scroll_lock.unwrap_or(false),
        },
        2 => Format::Slideout,
        3 => Format::Tooltip {
            anchor: e.required("format.anchor", &raw.anchor, &what)?.to_owned(),
            wait_seconds,
        },
        4 => Format::Hotspot {
            anchor: e.required("format.anchor", &raw.anchor, &what)?.to_owned(),
            wait_seconds,
        },
        5 => {
            if raw.steps.is_empty() {
                e.push(
                    "format.steps",
                    Kind::Missing,
                    "a tour needs at least one [[format.steps]]",
                );
            }
            for (i, s) in raw.steps.iter().enumerate() {
                if s.anchor.trim().is_empty() {
                    e.push(
                        format!("format.steps[{i}].anchor"),
                        Kind::Invalid,
                        "expected a CSS selector",
                    );
                }
                if s.title.trim().is_empty() {
                    e.push(
                        format!("format.steps[{i}].title"),
                        Kind::Invalid,
                        "expected a non-empty title",
                    );
                }
            }
            Format::Tour {
                steps: raw
                    .steps
                    .iter()
                    .map(|s| TourStep {
                        anchor: s.anchor.clone(),
                        title: s.title.clone(),
                        body: s.body.clone(),
                    })
                    .collect(),
                wait_seconds,
            }
        }
        6 => {
            if raw.items.is_empty() {
                e.push(
                    "format.items",
                    Kind::Missing,
                    "a checklist needs at least one [[format.items]]",
                );
            }
            let mut seen = Vec::new();
            for (i, it) in raw.items.iter().enumerate() {
                if !is_slug(&it.id) {
                    e.push(
                        format!("format.items[{i}].id"),
                        Kind::Invalid,
                        format!("expected a slug, found {}", quote(&it.id)),
                    );
                } else if !insert_new(&mut seen, it.id.as_str()) {
                    e.push(
                        format!("format.items[{i}].id"),
                        Kind::Duplicate,
                        format!("duplicate item id `{}`", it.id),
                    );
                }
                if let Some(url) = &it.url {
                    e.link(&format!("format.items[{i}].url"), url);
                }
                if it.done_event.trim().is_empty() {
                    e.push(
                        format!("format.items[{i}].done_event"),
                        Kind::Invalid,
                        "expected a tracked event name",
                    );
                }
            }
            Format::Checklist {
                items: raw
                    .items
                    .iter()
                    .map(|it| ChecklistItem {
                        id: it.id.clone(),
                        label: it.label.clone(),
                        done_event: it.done_event.clone(),
                        url: it.url.clone(),
                    })
                    .collect(),
            }
        }
        7 => {
            let kinds = [
                ("nps", 0),
                ("csat", 1),
                ("single_choice", 2),
                ("free_text", 3),
            ];
            let question = e
                .required("format.question", &raw.question, &what)
                .map(str::to_owned);
            let survey = match raw.survey.as_deref() {
                None => {
                    e.push(
                        "format.survey",
                        Kind::Missing,
                        "missing: expected nps, csat, single_choice or free_text",
                    );
                    None
                }
                Some(s) => e.one_of("format.survey", s, &kinds),
            }?;
            if survey != 2 && !raw.choices.is_empty() {
                e.push(
                    "format.choices",
                    Kind::Invalid,
                    "only single_choice surveys have choices",
                );
            }
            if survey == 2 && raw.choices.len() < 2 {
                e.push(
                    "format.choices",
                    Kind::Missing,
                    "a single_choice survey needs at least two choices",
                );
            }
            let survey = match survey {
                0 => SurveyKind::Nps,
                1 => SurveyKind::Csat,
                2 => SurveyKind::SingleChoice {
                    choices: raw.choices.clone(),
                },
                _ => SurveyKind::FreeText,
            };
            Format::Survey(Survey {
                survey,
                question: question?,
            })
        }
        8 => Format::Toast,
        _ => Format::Feed,
    })
}

fn content_map(
    raw: &BTreeMap<String, RawContent>,
    path: &str,
    e: &mut Errors,
) -> BTreeMap<String, Content> {
    let mut out = BTreeMap::new();
    for (locale, c) in raw {
        let p = format!("{path}.{locale}");
        if !is_locale(locale) {
            e.push(
                p.clone(),
                Kind::Invalid,
                format!(
                    "expected a locale like `en` or `fr-CA`, found {}",
                    quote(locale)
                ),
            );
        }
        if c.title.trim().is_empty() {
            e.push(
                format!("{p}.title"),
                Kind::Invalid,
                "expected a non-empty title",
            );
        }
        let mut ids = Vec::new();
        let mut ctas = Vec::new();
        for (i, cta) in c.ctas.iter().enumerate() {
            let cp = format!("{p}.ctas[{i}]");
            let id = cta.id.clone().unwrap_or_else(|| format!("cta-{}", i + 1));
            if !is_slug(&id) {
                e.push(
                    format!("{cp}.id"),
                    Kind::Invalid,
                    format!("expected a slug, found {}", quote(&id)),
                );
            } else if !insert_new(&mut ids, id.clone()) {
                e.push(
                    format!("{cp}.id"),
                    Kind::Duplicate,
                    format!("duplicate CTA id `{id}`"),
                );
            }
            if cta.label.trim().is_empty() {
                e.push(
                    format!("{cp}.label"),
                    Kind::Invalid,
                    "expected a non-empty label",
                );
            }
            let kinds = [
                ("open_url", 0),
                ("track", 1),
                ("dismiss", 2),
                ("snooze", 3),
                ("book_meeting", 4),
            ];
            let Some(kind) = e.one_of(&format!("{cp}.action"), &cta.action, &kinds) else {
                continue;
            };
            let what = format!("`{}` actions", cta.action);
            if !matches!(kind, 0 | 4) {
                e.unused(&format!("{cp}.url"), &cta.url, &what);
            }
            if kind != 1 {
                e.unused(&format!("{cp}.event"), &cta.event, &what);
            }
            let action = match kind {
                0 => e
                    .required(&format!("{cp}.url"), &cta.url, &what)
                    .and_then(|u| e.link(&format!("{cp}.url"), u))
                    .map(|u| CtaAction::OpenUrl { url: u.into() }),
                1 => e
                    .required(&format!("{cp}.event"), &cta.event, &what)
                    .map(|v| CtaAction::Track { event: v.into() }),
                2 => Some(CtaAction::Dismiss),
                3 => Some(CtaAction::Snooze),
                _ => e
                    .required(&format!("{cp}.url"), &cta.url, &what)
                    .and_then(|u| e.link(&format!("{cp}.url"), u))
                    .map(|u| CtaAction::BookMeeting { url: u.into() }),
            };
            if let Some(action) = action {
                ctas.push(Cta {
                    id,
                    label: cta.label.clone(),
                    action,
                });
            }
        }
        out.insert(
            locale.clone(),
            Content {
                title: c.title.clone(),
                body: c.body.clone(),
                ctas,
            },
        );
    }
    out
}

fn variants(raw: &[RawVariant], e: &mut Errors) -> Vec<Variant> {
    if raw.is_empty() {
        return vec![Variant {
            id: "control".into(),
            weight: 100,
            content: BTreeMap::new(),
        }];
    }
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (i, v) in raw.iter().enumerate() {
        if !is_slug(&v.id) {
            e.push(
                format!("variants[{i}].id"),
                Kind::Invalid,
                format!("expected a slug, found {}", quote(&v.id)),
            );
        } else if !insert_new(&mut seen, v.id.as_str()) {
            e.push(
                format!("variants[{i}].id"),
                Kind::Duplicate,
                format!("duplicate variant id `{}`", v.id),
            );
        }
        let content = content_map(&v.content, &format!("variants[{i}].content"), e);
        out.push(Variant {
            id: v.id.clone(),
            weight: v.weight,
            content,
        });
    }
    let sum: u64 = raw.iter().map(|v| u64::from(v.weight)).sum();
    if sum != 100 {
        let list: Vec<String> = raw
            .iter()
            .map(|v| format!("{}={}", v.id, v.weight))
            .collect();
        e.push(
            "variants",
            Kind::Weights,
            format!(
                "variant weights must sum to 100, but {} sum to {sum}",
                list.join(" + ")
            ),
        );
    }
    out
}

fn schedule(raw: Option<&RawSchedule>, e: &mut Errors) -> Schedule {
    let Some(raw) = raw else {
        return Schedule::default();
    };
    let zone = raw.timezone.as_deref().unwrap_or("UTC");
    if let Err(m) = super::zone::check_zone(zone) {
        e.push("schedule.timezone", Kind::TimeZone, m);
        return Schedule::default();
    }
    let mut at = |field: &str, v: &Option<String>| {
        v.as_deref()
            .and_then(|t| match super::zone::resolve(t, zone) {
                Ok(ts) => Some(ts),
                Err(m) => {
                    e.push(format!("schedule.{field}"), Kind::Invalid, m);
                    None
                }
            })
    };
    let start = at("start", &raw.start);
    let end = at("end", &raw.end);
    if let (Some(s), Some(en)) = (start, end) {
        if en <= s {
            e.push(
                "schedule.end",
                Kind::Invalid,
                format!("the end ({en}) must be after the start ({s})"),
            );
        }
    }
    Schedule { start, end }
}

fn frequency(raw: &RawFrequency, e: &mut Errors) -> Frequency {
    if raw.max_views == Some(0) {
        e.push(
            "frequency.max_views",
            Kind::Invalid,
            "expected at least 1 (to stop a campaign, end its schedule)",
        );
    }
    if raw.snooze_days == Some(0) {
        e.push(
            "frequency.snooze_days",
            Kind::Invalid,
            "expected at least 1 day",
        );
    }
    let caps = raw
        .caps
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            if c.max == 0 {
                e.push(
                    format!("frequency.caps[{i}].max"),
                    Kind::Invalid,
                    "expected at least 1",
                );
            }
            if c.within_days == Some(0) {
                e.push(
                    format!("frequency.caps[{i}].within_days"),
                    Kind::Invalid,
                    "expected at least 1 day",
                );
            }
            let scope = e.one_of(&format!("frequency.caps[{i}].scope"), &c.scope, SCOPES)?;
            Some(Cap {
                scope,
                max: c.max,
                within_days: c.within_days,
            })
        })
        .collect();
    Frequency {
        max_views: raw.max_views,
        recontact_days: raw.recontact_days,
        snooze_days: raw.snooze_days.unwrap_or(7),
        stop_after_conversion: raw.stop_after_conversion.unwrap_or(true),
        caps,
    }
}

fn leads(
    raw: &[RawLead],
    content: &BTreeMap<String, Content>,
    format: Option<&Format>,
    e: &mut Errors,
) -> Vec<LeadRule> {
    let mut out = Vec::new();
    for (i, l) in raw.iter().enumerate() {
        let p = format!("leads[{i}]");
        let team = e.one_of(&format!("{p}.team"), &l.team, TEAMS);
        let n = usize::from(l.cta.is_some())
            + usize::from(l.min_score.is_some())
            + usize::from(!l.answers.is_empty());
        if n != 1 {
            e.push(
                p.clone(),
                Kind::Invalid,
                "expected exactly one of `cta`, `min_score` or `answers`",
            );
            continue;
        }
        let survey = match format {
            Some(Format::Survey(s)) => Some(&s.survey),
            _ => None,
        };
        let source = if let Some(cta) = &l.cta {
            if !content
                .values()
                .any(|c| c.ctas.iter().any(|x| &x.id == cta))
            {
                e.push(
                    format!("{p}.cta"),
                    Kind::Reference,
                    format!("no CTA has id `{cta}`"),
                );
            }
            LeadSource::Cta { cta: cta.clone() }
        } else if let Some(min) = l.min_score {
            match survey {
                Some(SurveyKind::Nps) if min <= 10 => {}
                Some(SurveyKind::Csat) if (1..=5).contains(&min) => {}
                Some(SurveyKind::Nps | SurveyKind::Csat) => e.push(
                    format!("{p}.min_score"),
                    Kind::Invalid,
                    "out of the survey's scale (NPS 0–10, CSAT 1–5)",
                ),
                _ if format.is_some() => e.push(
                    format!("{p}.min_score"),
                    Kind::Invalid,
                    "`min_score` needs an nps or csat survey format",
                ),
                _ => {}
            }
            LeadSource::MinScore { min_score: min }
        } else {
            match survey {
                Some(SurveyKind::SingleChoice { choices }) => {
                    for (j, a) in l.answers.iter().enumerate() {
                        if !choices.contains(a) {
                            e.push(
                                format!("{p}.answers[{j}]"),
                                Kind::Reference,
                                format!("{} is not one of the survey's choices", quote(a)),
                            );
                        }
                    }
                }
                _ if format.is_some() => e.push(
                    format!("{p}.answers"),
                    Kind::Invalid,
                    "`answers` needs a single_choice survey format",
                ),
                _ => {}
            }
            LeadSource::Answers {
                answers: l.answers.clone(),
            }
        };
        if let Some(team) = team {
            out.push(LeadRule { team, source });
        }
    }
    out
}

fn raw_content(c: &Content) -> RawContent {
    RawContent {
        title: c.title.clone(),
        body: c.body.clone(),
        ctas: c
            .ctas
            .iter()
            .map(|cta| {
                let (action, url, event) = match &cta.action {
                    CtaAction::OpenUrl { url } => ("open_url", Some(url.clone()), None),
                    CtaAction::Track { event } => ("track", None, Some(event.clone())),
                    CtaAction::Dismiss => ("dismiss", None, None),
                    CtaAction::Snooze => ("snooze", None, None),
                    CtaAction::BookMeeting { url } => ("book_meeting", Some(url.clone()), None),
                };
                RawCta {
                    id: Some(cta.id.clone()),
                    label: cta.label.clone(),
                    action: action.into(),
                    url,
                    event,
                }
            })
            .collect(),
    }
}

fn name_of<T: PartialEq + Copy>(options: &[(&'static str, T)], v: &T) -> String {
    crate::expr::compiled::name_of(options, *v).to_owned()
}

impl From<Campaign> for RawCampaign {
    fn from(c: Campaign) -> RawCampaign {
        RawCampaign::from(&c)
    }
}

impl From<&Campaign> for RawCampaign {
    /// The authoring form: validated content, schedule as UTC instants (`timezone = "UTC"`),
    /// so that it validates again without any time-zone database.
    fn from(c: &Campaign) -> RawCampaign {
        let contents = |m: &BTreeMap<String, Content>| {
            m.iter().map(|(k, v)| (k.clone(), raw_content(v))).collect()
        };
        let (on, url, event, selector, seconds) = match &c.trigger {
            Trigger::PageLoad { url } => {
                ("page_load", Some(url.as_str().to_owned()), None, None, None)
            }
            Trigger::Event { name } => ("event", None, Some(name.clone()), None, None),
            Trigger::ElementVisible { url, selector } => (
                "element_visible",
                url.as_ref().map(|g| g.as_str().to_owned()),
                None,
                Some(selector.clone()),
                None,
            ),
            Trigger::Delay { url, seconds } => (
                "delay",
                url.as_ref().map(|g| g.as_str().to_owned()),
                None,
                None,
                Some(*seconds),
            ),
            Trigger::Manual => ("manual", None, None, None, None),
        };
        let mut format = RawFormat {
            kind: c.format.name().into(),
            ..RawFormat::default()
        };
        match &c.format {
            Format::Banner {
                position: BannerPosition::Bottom,
            } => format.position = Some("bottom".into()),
            Format::Modal { scroll_lock: true } => format.scroll_lock = Some(true),
            Format::Tooltip {
                anchor,
                wait_seconds,
            }
            | Format::Hotspot {
                anchor,
                wait_seconds,
            } => {
                format.anchor = Some(anchor.clone());
                format.wait_seconds = *wait_seconds;
            }
            Format::Tour {
                steps,
                wait_seconds,
            } => {
                format.wait_seconds = *wait_seconds;
                format.steps = steps
                    .iter()
                    .map(|s| RawStep {
                        anchor: s.anchor.clone(),
                        title: s.title.clone(),
                        body: s.body.clone(),
                    })
                    .collect();
            }
            Format::Checklist { items } => {
                format.items = items
                    .iter()
                    .map(|i| RawItem {
                        id: i.id.clone(),
                        label: i.label.clone(),
                        done_event: i.done_event.clone(),
                        url: i.url.clone(),
                    })
                    .collect();
            }
            Format::Survey(s) => {
                format.question = Some(s.question.clone());
                format.survey = Some(
                    match &s.survey {
                        SurveyKind::Nps => "nps",
                        SurveyKind::Csat => "csat",
                        SurveyKind::SingleChoice { choices } => {
                            format.choices = choices.clone();
                            "single_choice"
                        }
                        SurveyKind::FreeText => "free_text",
                    }
                    .into(),
                );
            }
            _ => {}
        }
        let default_variants = c.variants.len() == 1
            && c.variants[0].id == "control"
            && c.variants[0].weight == 100
            && c.variants[0].content.is_empty();
        let schedule =
            (c.schedule.start.is_some() || c.schedule.end.is_some()).then(|| RawSchedule {
                start: c.schedule.start.map(|t| t.to_string()),
                end: c.schedule.end.map(|t| t.to_string()),
                timezone: Some("UTC".into()),
            });
        RawCampaign {
            id: c.id.clone(),
            name: c.name.clone(),
            owner: c.owner.clone(),
            goal: name_of(GOALS, &c.goal),
            category: Some(name_of(CATEGORIES, &c.category)),
            priority: c.priority,
            holdout: f64::from(c.holdout_bp) / 100.0,
            audience: RawAudience {
                stages: c
                    .audience
                    .stages
                    .iter()
                    .map(|s| s.as_str().to_owned())
                    .collect(),
                phases: c
                    .audience
                    .phases
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect(),
                condition: c.audience.condition.as_ref().map(|x| x.source().to_owned()),
            },
            trigger: RawTrigger {
                on: on.into(),
                url,
                event,
                selector,
                seconds,
            },
            format,
            default_locale: Some(c.default_locale.clone()),
            content: contents(&c.content),
            variants: if default_variants {
                Vec::new()
            } else {
                c.variants
                    .iter()
                    .map(|v| RawVariant {
                        id: v.id.clone(),
                        weight: v.weight,
                        content: contents(&v.content),
                    })
                    .collect()
            },
            schedule,
            frequency: RawFrequency {
                max_views: c.frequency.max_views,
                recontact_days: c.frequency.recontact_days,
                snooze_days: Some(c.frequency.snooze_days),
                stop_after_conversion: Some(c.frequency.stop_after_conversion),
                caps: c
                    .frequency
                    .caps
                    .iter()
                    .map(|cap| RawCap {
                        scope: name_of(SCOPES, &cap.scope),
                        max: cap.max,
                        within_days: cap.within_days,
                    })
                    .collect(),
            },
            conversion: c.conversion.as_ref().map(|g| RawConversion {
                event: g.event.clone(),
                within_days: g.within_days,
            }),
            leads: c
                .leads
                .iter()
                .map(|l| {
                    let mut r = RawLead {
                        team: name_of(TEAMS, &l.team),
                        ..RawLead::default()
                    };
                    match &l.source {
                        LeadSource::Cta { cta } => r.cta = Some(cta.clone()),
                        LeadSource::MinScore { min_score } => r.min_score = Some(*min_score),
                        LeadSource::Answers { answers } => r.answers = answers.clone(),
                    }
                    r
                })
                .collect(),
        }
    }
}
