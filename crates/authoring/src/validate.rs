//! Validation: `RawCampaign` → `Campaign`, collecting every error with its field path.
//!
//! The checks here say, in words a CS person can act on, everything that is wrong with a
//! campaign file. What they guarantee is restated as the core's invariants
//! (`touchpoint_core::campaign::check`), and the campaign is built by the core's
//! `Campaign::new`, which checks those again: a campaign this module accepts is one the
//! widget accepts, and a gap between the two shows up here as an error, not in a browser.
use crate::diagnostic::quote;
use crate::raw::*;
use crate::{ValidationError, ValidationErrorKind as Kind, ValidationErrors};
use std::collections::BTreeMap;
use touchpoint_core::campaign::check::{is_locale, is_slug};
use touchpoint_core::campaign::*;
use touchpoint_core::expr::Glob;
use touchpoint_core::vocab::{Phase, Stage};

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

    /// `url` if a nudge may follow it (see [`touchpoint_core::link`]), else an error at `path`.
    fn link<'a>(&mut self, path: &str, url: &'a str) -> Option<&'a str> {
        match touchpoint_core::link::check(url) {
            Ok(()) => Some(url),
            Err(why) => {
                self.push(path, Kind::Invalid, why.to_string());
                None
            }
        }
    }
}

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
        let parts = build(raw, &mut e);
        match parts {
            Some(parts) if e.0.is_empty() => Campaign::new(parts).map_err(|broken| {
                // A campaign the checks above let through but the core refuses: report it
                // rather than serve a campaign the widget would skip.
                ValidationErrors(vec![ValidationError {
                    path: broken.path,
                    kind: Kind::Invalid,
                    message: broken.message,
                    span: None,
                }])
            }),
            _ => Err(ValidationErrors(e.0)),
        }
    }
}

fn build(raw: &RawCampaign, e: &mut Errors) -> Option<CampaignParts> {
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
    let goal = e.one_of("goal", &raw.goal, Goal::NAMES);
    let category = match &raw.category {
        None => Some(Category::Service),
        Some(c) => e.one_of("category", c, Category::NAMES),
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
    let conversion = raw
        .conversion
        .as_ref()
        .and_then(|c| conversion(c, holdout_bp, &content, e));
    let leads = leads(&raw.leads, &content, format.as_ref(), e);
    Some(CampaignParts {
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
        .filter_map(|(i, s)| e.one_of(&format!("audience.stages[{i}]"), s, Stage::NAMES))
        .collect();
    let phases: Vec<Phase> = raw
        .phases
        .iter()
        .enumerate()
        .filter_map(|(i, s)| e.one_of(&format!("audience.phases[{i}]"), s, Phase::NAMES))
        .collect();
    let condition = match raw.condition.as_deref() {
        None => None,
        Some(src) => match crate::expr::parse_condition(src) {
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
    use TriggerKind as K;
    let kind = e.one_of("trigger.on", &raw.on, K::NAMES)?;
    let what = format!("`{}` triggers", raw.on);
    let url = raw.url.as_deref().map(Glob::new);
    if kind != K::Event {
        e.unused("trigger.event", &raw.event, &what);
    }
    if kind != K::ElementVisible {
        e.unused("trigger.selector", &raw.selector, &what);
    }
    if kind != K::Delay {
        e.unused("trigger.seconds", &raw.seconds, &what);
    }
    if matches!(kind, K::Event | K::Manual) {
        e.unused("trigger.url", &raw.url, &what);
    }
    Some(match kind {
        K::PageLoad => Trigger::PageLoad {
            url: url.unwrap_or_else(|| Glob::new("**")),
        },
        K::Event => Trigger::Event {
            name: e.required("trigger.event", &raw.event, &what)?.to_owned(),
        },
        K::ElementVisible => Trigger::ElementVisible {
            url,
            selector: e
                .required("trigger.selector", &raw.selector, &what)?
                .to_owned(),
        },
        K::Delay => match raw.seconds {
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
        K::Manual => Trigger::Manual,
    })
}

fn format(raw: &RawFormat, e: &mut Errors) -> Option<Format> {
    use FormatKind as K;
    let kind = e.one_of("format.kind", &raw.kind, K::NAMES)?;
    let what = format!("`{}` format", raw.kind);
    if !matches!(kind, K::Tooltip | K::Hotspot) {
        e.unused("format.anchor", &raw.anchor, &what);
    }
    if kind != K::Banner {
        e.unused("format.position", &raw.position, &what);
    }
    if kind != K::Modal {
        e.unused("format.scroll_lock", &raw.scroll_lock, &what);
    }
    let wait_seconds = raw.wait_seconds;
    if !matches!(kind, K::Tooltip | K::Hotspot | K::Tour) {
        e.unused("format.wait_seconds", &wait_seconds, &what);
    } else if wait_seconds.is_some_and(|s| !(1..=600).contains(&s)) {
        e.push(
            "format.wait_seconds",
            Kind::Invalid,
            "expected 1 to 600 seconds",
        );
    }
    if kind != K::Tour && !raw.steps.is_empty() {
        e.push(
            "format.steps",
            Kind::Invalid,
            format!("not used by {what}: remove it"),
        );
    }
    if kind != K::Checklist && !raw.items.is_empty() {
        e.push(
            "format.items",
            Kind::Invalid,
            format!("not used by {what}: remove it"),
        );
    }
    if kind != K::Survey {
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
        K::Banner => Format::Banner {
            position: match raw.position.as_deref() {
                None => BannerPosition::Top,
                Some(p) => e.one_of("format.position", p, BannerPosition::NAMES)?,
            },
        },
        K::Modal => Format::Modal {
            scroll_lock: raw.scroll_lock.unwrap_or(false),
        },
        K::Slideout => Format::Slideout,
        K::Tooltip => Format::Tooltip {
            anchor: e.required("format.anchor", &raw.anchor, &what)?.to_owned(),
            wait_seconds,
        },
        K::Hotspot => Format::Hotspot {
            anchor: e.required("format.anchor", &raw.anchor, &what)?.to_owned(),
            wait_seconds,
        },
        K::Tour => {
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
        K::Checklist => {
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
        K::Survey => {
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
                Some(s) => e.one_of("format.survey", s, SurveyType::NAMES),
            }?;
            if survey != SurveyType::SingleChoice && !raw.choices.is_empty() {
                e.push(
                    "format.choices",
                    Kind::Invalid,
                    "only single_choice surveys have choices",
                );
            }
            if survey == SurveyType::SingleChoice && raw.choices.len() < 2 {
                e.push(
                    "format.choices",
                    Kind::Missing,
                    "a single_choice survey needs at least two choices",
                );
            }
            let survey = match survey {
                SurveyType::Nps => SurveyKind::Nps,
                SurveyType::Csat => SurveyKind::Csat,
                SurveyType::SingleChoice => SurveyKind::SingleChoice {
                    choices: raw.choices.clone(),
                },
                SurveyType::FreeText => SurveyKind::FreeText,
            };
            Format::Survey(Survey {
                survey,
                question: question?,
            })
        }
        K::Toast => Format::Toast,
        K::Feed => Format::Feed,
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
            use ActionKind as K;
            let Some(kind) = e.one_of(&format!("{cp}.action"), &cta.action, K::NAMES) else {
                continue;
            };
            let what = format!("`{}` actions", cta.action);
            if !matches!(kind, K::OpenUrl | K::BookMeeting) {
                e.unused(&format!("{cp}.url"), &cta.url, &what);
            }
            if kind != K::Track {
                e.unused(&format!("{cp}.event"), &cta.event, &what);
            }
            let action = match kind {
                K::OpenUrl => e
                    .required(&format!("{cp}.url"), &cta.url, &what)
                    .and_then(|u| e.link(&format!("{cp}.url"), u))
                    .map(|u| CtaAction::OpenUrl { url: u.into() }),
                K::Track => e
                    .required(&format!("{cp}.event"), &cta.event, &what)
                    .map(|v| CtaAction::Track { event: v.into() }),
                K::Dismiss => Some(CtaAction::Dismiss),
                K::Snooze => Some(CtaAction::Snooze),
                K::BookMeeting => e
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
    if let Err(m) = crate::zone::check_zone(zone) {
        e.push("schedule.timezone", Kind::TimeZone, m);
        return Schedule::default();
    }
    let mut at = |field: &str, v: &Option<String>| {
        v.as_deref()
            .and_then(|t| match crate::zone::resolve(t, zone) {
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
            let scope = e.one_of(
                &format!("frequency.caps[{i}].scope"),
                &c.scope,
                CapScope::NAMES,
            )?;
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

/// The `[conversion]` table: exactly one target, at least a day, and no CTA goal beside a
/// holdout (whose members never see the CTA).
fn conversion(
    raw: &RawConversion,
    holdout_bp: u32,
    content: &BTreeMap<String, Content>,
    e: &mut Errors,
) -> Option<ConversionGoal> {
    if raw.within_days == 0 {
        e.push(
            "conversion.within_days",
            Kind::Invalid,
            "expected at least 1 day",
        );
    }
    let scope = match raw.scope.as_deref() {
        None => Some(CapScope::User),
        Some(s) => e.one_of("conversion.scope", s, CapScope::NAMES),
    };
    let target = match (&raw.event, &raw.cta) {
        (Some(event), None) => {
            if event.trim().is_empty() {
                e.push(
                    "conversion.event",
                    Kind::Invalid,
                    "expected a tracked event name",
                );
            }
            Some(GoalTarget::Event {
                event: event.clone(),
            })
        }
        (None, Some(cta)) => {
            if !content
                .values()
                .any(|c| c.ctas.iter().any(|x| &x.id == cta))
            {
                e.push(
                    "conversion.cta",
                    Kind::Reference,
                    format!("no CTA has id `{cta}`"),
                );
            } else if holdout_bp > 0 {
                e.push(
                    "conversion.cta",
                    Kind::Invalid,
                    "a holdout never sees the CTA, so a CTA goal cannot be compared with it: \
                     track the outcome the CTA leads to (`event = \"...\"`) or set `holdout = 0`",
                );
            }
            Some(GoalTarget::Cta { cta: cta.clone() })
        }
        _ => {
            e.push(
                "conversion",
                Kind::Invalid,
                "expected exactly one of `event` (a tracked event) or `cta` (a CTA of this campaign)",
            );
            None
        }
    };
    Some(ConversionGoal {
        target: target?,
        within_days: raw.within_days,
        scope: scope?,
    })
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
        let team = e.one_of(&format!("{p}.team"), &l.team, Team::NAMES);
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
