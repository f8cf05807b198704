//! The compiled catalog: validated campaigns as the server sends them to widgets.
//!
//! Campaign files are validated once, on the server (`touchpoint check`, at load and in the
//! workspace): conditions parsed and type-checked, references resolved, schedules converted
//! to UTC, defaults filled in. The widget needs none of that machinery, only the result, so
//! the server sends the validated model itself — conditions as compiled trees
//! ([`crate::expr::compiled`]), instants as milliseconds, every default explicit — and the
//! widget reads it with the small [`decode`] below. The lexer, parser, type checker and
//! validator live in the `touchpoint-authoring` crate, which the widget does not depend on.
//!
//! One codec: the server writes the form with the model's `Serialize` derives
//! ([`Catalog`]); the widget reads it with this hand-written reader (serde's derived
//! `Deserialize` costs far more wasm). The field names are those of the campaign files
//! (except `trigger.name`, an event trigger's event), so a catalog in the browser's network
//! tab reads like the files it came from. Decoding checks shapes and names, then every
//! invariant of a validated campaign ([`Campaign::new`]); a campaign that fails is rejected
//! with the path of the field at fault, and the others load. The vendor's `policy` rides along ([`decode_policy`]).
//!
//! ```json
//! {"version": 1, "campaigns": [{"id": "nps-q3", "name": "NPS", "goal": "feedback",
//!   "category": "service", "priority": 0, "holdout_bp": 1000,
//!   "audience": {"stages": ["service"], "phases": [],
//!                "condition": {"source": "user.role == 'admin'", "tree": ["==", ["user", "role"], "admin"]}},
//!   "trigger": {"on": "page_load", "url": "/app/**"},
//!   "format": {"kind": "survey", "survey": "nps", "question": "How likely…?"},
//!   "default_locale": "en", "content": {"en": {"title": "…", "body": "", "ctas": []}},
//!   "variants": [{"id": "control", "weight": 100, "content": {}}],
//!   "schedule": {"start": 1777593600000}, "frequency": {"snooze_days": 7, "caps": []}}]}
//! ```
use super::*;
use crate::expr::{Condition, Glob};
use crate::policy::{LifecyclePolicy, Policy};
use crate::time::Timestamp;
use crate::vocab::{Phase, Stage};
use crate::zone::Zone;
use serde_json::Value;
use std::collections::BTreeMap;

/// The catalog format this build writes and reads.
pub const VERSION: u64 = 1;

/// A field that could not be read, or an invariant that does not hold, with its path.
pub type DecodeError = FieldError;

type Result<T> = std::result::Result<T, DecodeError>;

/// The compiled catalog as the server writes it: `{"version": 1, "policy": {...},
/// "campaigns": [...]}` (the policy's form is [`Policy`]'s `Serialize`).
///
/// # Example
/// ```
/// use touchpoint_core::campaign::compiled::{decode_catalog, Catalog};
/// let json = serde_json::to_value(Catalog::new(&[])).unwrap();
/// assert_eq!(json, serde_json::json!({"version": 1, "campaigns": []}));
/// assert_eq!(decode_catalog(&json).unwrap().0, []);
/// ```
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Catalog<'a> {
    /// Always [`VERSION`].
    pub version: u64,
    /// The vendor's decision policy; without it, readers decide under `Policy::default()`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<&'a Policy>,
    /// The campaigns, each in its compiled form (the model's `Serialize`).
    pub campaigns: &'a [Campaign],
}

impl<'a> Catalog<'a> {
    /// The catalog of these campaigns, without a policy.
    pub fn new(campaigns: &'a [Campaign]) -> Self {
        Catalog {
            version: VERSION,
            policy: None,
            campaigns,
        }
    }

    /// The same catalog, carrying `policy`.
    #[must_use]
    pub fn with_policy(self, policy: &'a Policy) -> Self {
        Catalog {
            policy: Some(policy),
            ..self
        }
    }
}

// ---- decoding (the widget) ----
//
// A reader that keeps the first error and goes on with defaults, instead of returning at the
// first `?`: the early returns would each drop every field built so far, and that drop code
// is most of a decoder's size in wasm.

static NULL: Value = Value::Null;

struct Reader {
    /// Path of the value being read (`format.steps[1]`).
    path: String,
    error: Option<DecodeError>,
}

impl Reader {
    /// Keep `message` about the field `key` of the current path, unless an error is kept
    /// already (not generic: one copy in the wasm).
    fn fail(&mut self, key: &str, message: &str) {
        if self.error.is_none() {
            let mut path = self.path.clone();
            super::join(&mut path, key);
            self.error = Some(DecodeError {
                path,
                message: message.to_owned(),
            });
        }
    }

    /// Step into `segment` (`audience`, `content.en`) of the current path; returns the length
    /// to [`Reader::leave`] it by. Not a closure-taking helper: each closure type would be
    /// another copy in the wasm.
    fn enter(&mut self, segment: &str) -> usize {
        let len = self.path.len();
        super::join(&mut self.path, segment);
        len
    }

    /// Step back out to the path of length `len`.
    fn leave(&mut self, len: usize) {
        self.path.truncate(len);
    }

    /// Read inside `segment` of the current path.
    fn within<T>(&mut self, segment: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let len = self.enter(segment);
        let out = f(self);
        self.leave(len);
        out
    }

    /// The field `key` of `v`; absent or null is `None`, and an error when `required`.
    fn get<'v>(&mut self, v: &'v Value, key: &str, required: bool) -> Option<&'v Value> {
        match v.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(key, "missing");
                }
                None
            }
            found => found,
        }
    }

    /// The object at `key` (null when missing or not an object, with an error).
    fn object<'v>(&mut self, v: &'v Value, key: &str) -> &'v Value {
        match self.get(v, key, true) {
            Some(o) if o.is_object() => o,
            Some(_) => {
                self.fail(key, "expected an object");
                &NULL
            }
            None => &NULL,
        }
    }

    /// The list at `key` (empty when missing or not a list, with an error).
    fn list<'v>(&mut self, v: &'v Value, key: &str) -> &'v [Value] {
        match self.get(v, key, true).map(Value::as_array) {
            Some(Some(items)) => items,
            Some(None) => {
                self.fail(key, "expected a list");
                &[]
            }
            None => &[],
        }
    }

    /// Each item of the list at `key`, read by `f` inside `key[i]`.
    fn each<T>(&mut self, v: &Value, key: &str, f: fn(&mut Self, &Value) -> T) -> Vec<T> {
        let items = self.list(v, key);
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let len = self.enter(key);
            super::push_index(&mut self.path, i);
            out.push(f(self, item));
            self.leave(len);
        }
        out
    }

    fn opt_string(&mut self, v: &Value, key: &str, required: bool) -> Option<String> {
        match self.get(v, key, required)?.as_str() {
            Some(s) => Some(s.to_owned()),
            None => {
                self.fail(key, "expected a string");
                None
            }
        }
    }

    fn string(&mut self, v: &Value, key: &str) -> String {
        self.opt_string(v, key, true).unwrap_or_default()
    }

    fn strings(&mut self, v: &Value, key: &str) -> Vec<String> {
        self.each(v, key, |r, s| {
            s.as_str().map(str::to_owned).unwrap_or_else(|| {
                r.fail("", "expected a string");
                String::new()
            })
        })
    }

    fn opt_int(&mut self, v: &Value, key: &str, required: bool, max: i64) -> Option<i64> {
        match self.get(v, key, required)?.as_i64() {
            Some(n) if (-max - 1..=max).contains(&n) => Some(n),
            _ => {
                self.fail(key, &format!("expected a whole number up to {max}"));
                None
            }
        }
    }

    fn opt_uint(&mut self, v: &Value, key: &str, required: bool) -> Option<u32> {
        let n = self.opt_int(v, key, required, u32::MAX.into())?;
        u32::try_from(n).ok().or_else(|| {
            self.fail(key, "expected a whole number from 0");
            None
        })
    }

    fn uint(&mut self, v: &Value, key: &str) -> u32 {
        self.opt_uint(v, key, true).unwrap_or_default()
    }

    fn opt_pick<T: Copy>(
        &mut self,
        v: &Value,
        key: &str,
        required: bool,
        table: &[(&'static str, T)],
    ) -> Option<T> {
        let found = self.get(v, key, required)?;
        self.name_in(found, key, table)
    }

    /// The entry of `table` named by `found` (the value at `key`).
    fn name_in<T: Copy>(
        &mut self,
        found: &Value,
        key: &str,
        table: &[(&'static str, T)],
    ) -> Option<T> {
        let i = self.name_index(found, key, &|i| table.get(i).map(|(n, _)| *n))?;
        table.get(i).map(|(_, t)| *t)
    }

    /// The index of `found` among the names `name(0)`, `name(1)`... (not generic: one copy
    /// for every table in the widget's wasm).
    fn name_index(
        &mut self,
        found: &Value,
        key: &str,
        name: &dyn Fn(usize) -> Option<&'static str>,
    ) -> Option<usize> {
        let wanted = found.as_str().unwrap_or_default();
        let names = || (0..).map_while(name);
        if let Some(i) = names().position(|n| n == wanted) {
            return Some(i);
        }
        let list: Vec<&str> = names().collect();
        self.fail(
            key,
            &format!(
                "expected one of {}, found {}",
                list.join(", "),
                crate::expr::compiled::describe(found)
            ),
        );
        None
    }

    /// A name from `table`; on error the first entry, so reading goes on.
    fn pick<T: Copy>(&mut self, v: &Value, key: &str, table: &[(&'static str, T)]) -> T {
        self.opt_pick(v, key, true, table).unwrap_or(table[0].1)
    }

    fn opt_glob(&mut self, v: &Value, key: &str, required: bool) -> Option<Glob> {
        self.opt_string(v, key, required).map(|s| Glob::new(&s))
    }

    fn campaign(&mut self, v: &Value) -> CampaignParts {
        if !v.is_object() {
            self.fail("", "expected an object");
        }
        let audience = self.object(v, "audience");
        let schedule = self.object(v, "schedule");
        let frequency = self.object(v, "frequency");
        CampaignParts {
            id: self.string(v, "id"),
            name: self.string(v, "name"),
            owner: self.opt_string(v, "owner", false),
            goal: self.pick(v, "goal", Goal::NAMES),
            category: self.pick(v, "category", Category::NAMES),
            priority: self
                .opt_int(v, "priority", true, i32::MAX.into())
                .and_then(|n| i32::try_from(n).ok())
                .unwrap_or_default(),
            holdout_bp: self.uint(v, "holdout_bp"),
            audience: self.within("audience", |r| Audience {
                stages: r.each(audience, "stages", |r, s| {
                    r.name_in(s, "", Stage::NAMES).unwrap_or(Stage::Service)
                }),
                phases: r.each(audience, "phases", |r, s| {
                    r.name_in(s, "", Phase::NAMES).unwrap_or(Phase::Adoption)
                }),
                condition: r.condition(audience, "condition"),
            }),
            trigger: self.within("trigger", |r| r.trigger(v)),
            format: self.within("format", |r| r.format(v)),
            default_locale: self.string(v, "default_locale"),
            content: self.contents(v),
            variants: self.each(v, "variants", |r, v| Variant {
                id: r.string(v, "id"),
                weight: r.uint(v, "weight"),
                content: r.contents(v),
            }),
            schedule: self.within("schedule", |r| Schedule {
                start: r.opt_int(schedule, "start", false, i64::MAX).map(Timestamp),
                end: r.opt_int(schedule, "end", false, i64::MAX).map(Timestamp),
            }),
            frequency: self.within("frequency", |r| Frequency {
                max_views: r.opt_uint(frequency, "max_views", false),
                recontact_days: r.opt_uint(frequency, "recontact_days", false),
                snooze_days: r.uint(frequency, "snooze_days"),
                stop_after_conversion: r
                    .get(frequency, "stop_after_conversion", false)
                    .is_some_and(|b| b == &Value::Bool(true)),
                caps: r.each(frequency, "caps", |r, v| Cap {
                    scope: r.pick(v, "scope", CapScope::NAMES),
                    max: r.uint(v, "max"),
                    within_days: r.opt_uint(v, "within_days", false),
                }),
            }),
            // The goal is the server's (conversions are attributed from stored events).
            conversion: None,
            leads: self.each(v, "leads", Reader::lead),
        }
    }

    /// The optional condition `{"source", "tree"}` at `key` of `v`.
    fn condition(&mut self, v: &Value, key: &str) -> Option<Condition> {
        let c = self.get(v, key, false)?;
        self.within(key, |r| {
            let source = r.string(c, "source");
            match crate::expr::compiled::decode_condition(&source, c.get("tree").unwrap_or(&NULL)) {
                Ok(c) => Some(c),
                Err(e) => {
                    r.fail("tree", &e);
                    None
                }
            }
        })
    }

    fn policy(&mut self, p: &Value) -> Policy {
        // Stepped into with `enter`/`leave` rather than `within`: each closure would be
        // another copy of it in the widget's wasm.
        let lifecycle = self.object(p, "lifecycle");
        let len = self.enter("lifecycle");
        let onboarding_days = self.uint(lifecycle, "onboarding_days").into();
        let adoption_days = self.uint(lifecycle, "adoption_days").into();
        let renewal_window_days = self.uint(lifecycle, "renewal_window_days").into();
        self.leave(len);
        let signals = self.get(p, "signals", false).unwrap_or(&NULL);
        let len = self.enter("signals");
        let growth = self.condition(signals, "growth");
        let expansion = self.condition(signals, "expansion");
        let advocacy = self.condition(signals, "advocacy");
        self.leave(len);
        let z = self.object(p, "time_zone");
        let len = self.enter("time_zone");
        let zone = self.zone(z);
        self.leave(len);
        Policy {
            lifecycle: LifecyclePolicy {
                onboarding_days,
                adoption_days,
                renewal_window_days,
                growth,
                expansion,
                advocacy,
            },
            zone,
            max_modals_per_session: self.uint(p, "max_overlays_per_session"),
            max_nudges_per_week: self.uint(p, "max_nudges_per_week"),
        }
    }

    /// The offset table `z` (see [`crate::zone`]).
    fn zone(&mut self, z: &Value) -> Zone {
        const MAX_OFFSET: i64 = 18 * 3600;
        let mut transitions: Vec<(i64, i32)> = Vec::new();
        for t in self.list(z, "transitions") {
            let pair = t.as_array().and_then(|a| match a.as_slice() {
                [at, off] => Some((at.as_i64()?, off.as_i64()?)),
                _ => None,
            });
            match pair {
                Some((at, off))
                    if off.abs() <= MAX_OFFSET
                        && transitions.last().is_none_or(|&(last, _)| last < at) =>
                {
                    transitions.push((at, off as i32));
                }
                _ => {
                    self.fail(
                        "transitions",
                        "expected [instant in ms, offset in seconds] pairs, in order",
                    );
                    break;
                }
            }
        }
        Zone {
            name: self.string(z, "name"),
            offset: self
                .opt_int(z, "offset", true, MAX_OFFSET)
                .unwrap_or_default() as i32,
            transitions,
        }
    }

    fn trigger(&mut self, campaign: &Value) -> Trigger {
        let t = self.object(campaign, "trigger");
        match self.opt_pick(t, "on", true, TriggerKind::NAMES) {
            Some(TriggerKind::PageLoad) => Trigger::PageLoad {
                url: self
                    .opt_glob(t, "url", true)
                    .unwrap_or_else(|| Glob::new("")),
            },
            Some(TriggerKind::Event) => Trigger::Event {
                name: self.string(t, "name"),
            },
            Some(TriggerKind::ElementVisible) => Trigger::ElementVisible {
                url: self.opt_glob(t, "url", false),
                selector: self.string(t, "selector"),
            },
            Some(TriggerKind::Delay) => Trigger::Delay {
                url: self.opt_glob(t, "url", false),
                seconds: self.uint(t, "seconds"),
            },
            Some(TriggerKind::Manual) | None => Trigger::Manual,
        }
    }

    fn format(&mut self, campaign: &Value) -> Format {
        let f = self.object(campaign, "format");
        let wait_seconds = self.opt_uint(f, "wait_seconds", false);
        match self.opt_pick(f, "kind", true, FormatKind::NAMES) {
            Some(FormatKind::Banner) => Format::Banner {
                position: self
                    .opt_pick(f, "position", false, BannerPosition::NAMES)
                    .unwrap_or_default(),
            },
            Some(FormatKind::Modal) => Format::Modal {
                scroll_lock: f.get("scroll_lock") == Some(&Value::Bool(true)),
            },
            Some(FormatKind::Slideout) => Format::Slideout,
            Some(FormatKind::Toast) | None => Format::Toast,
            Some(FormatKind::Feed) => Format::Feed,
            Some(FormatKind::Tooltip) => Format::Tooltip {
                anchor: self.string(f, "anchor"),
                wait_seconds,
            },
            Some(FormatKind::Hotspot) => Format::Hotspot {
                anchor: self.string(f, "anchor"),
                wait_seconds,
            },
            Some(FormatKind::Tour) => Format::Tour {
                steps: self.each(f, "steps", |r, s| TourStep {
                    anchor: r.string(s, "anchor"),
                    title: r.string(s, "title"),
                    body: r.string(s, "body"),
                }),
                wait_seconds,
            },
            Some(FormatKind::Checklist) => Format::Checklist {
                items: self.each(f, "items", |r, i| ChecklistItem {
                    id: r.string(i, "id"),
                    label: r.string(i, "label"),
                    done_event: r.string(i, "done_event"),
                    url: r.opt_string(i, "url", false),
                }),
            },
            Some(FormatKind::Survey) => Format::Survey(Survey {
                question: self.string(f, "question"),
                survey: match self.opt_pick(f, "survey", true, SurveyType::NAMES) {
                    Some(SurveyType::Nps) => SurveyKind::Nps,
                    Some(SurveyType::Csat) => SurveyKind::Csat,
                    Some(SurveyType::FreeText) | None => SurveyKind::FreeText,
                    Some(SurveyType::SingleChoice) => SurveyKind::SingleChoice {
                        choices: self.strings(f, "choices"),
                    },
                },
            }),
        }
    }

    /// The `content` map of `v`: locale → title, body, CTAs.
    fn contents(&mut self, v: &Value) -> BTreeMap<String, Content> {
        let mut out = BTreeMap::new();
        let Some(m) = self.object(v, "content").as_object() else {
            return out;
        };
        for (locale, c) in m {
            let len = self.enter("content");
            self.enter(locale);
            let content = Content {
                title: self.string(c, "title"),
                body: self.string(c, "body"),
                ctas: self.each(c, "ctas", Reader::cta),
            };
            self.leave(len);
            out.insert(locale.clone(), content);
        }
        out
    }

    fn cta(&mut self, v: &Value) -> Cta {
        Cta {
            id: self.string(v, "id"),
            label: self.string(v, "label"),
            action: match self.opt_pick(v, "action", true, ActionKind::NAMES) {
                Some(ActionKind::OpenUrl) => CtaAction::OpenUrl {
                    url: self.string(v, "url"),
                },
                Some(ActionKind::BookMeeting) => CtaAction::BookMeeting {
                    url: self.string(v, "url"),
                },
                Some(ActionKind::Track) => CtaAction::Track {
                    event: self.string(v, "event"),
                },
                Some(ActionKind::Dismiss) | None => CtaAction::Dismiss,
                Some(ActionKind::Snooze) => CtaAction::Snooze,
            },
        }
    }

    fn lead(&mut self, v: &Value) -> LeadRule {
        let team = self.pick(v, "team", Team::NAMES);
        let source = if let Some(cta) = self.opt_string(v, "cta", false) {
            LeadSource::Cta { cta }
        } else if let Some(min_score) = self.opt_uint(v, "min_score", false) {
            LeadSource::MinScore { min_score }
        } else if v.get("answers").is_some() {
            LeadSource::Answers {
                answers: self.strings(v, "answers"),
            }
        } else {
            self.fail("", "expected `cta`, `min_score` or `answers`");
            LeadSource::Answers {
                answers: Vec::new(),
            }
        };
        LeadRule { team, source }
    }
}

/// Read one compiled campaign and check it ([`Campaign::new`]).
///
/// # Errors
/// The first field that is missing, of the wrong type or not one of the known names, or
/// else the first broken invariant, with its path.
pub fn decode(v: &Value) -> Result<Campaign> {
    let mut r = Reader {
        path: String::new(),
        error: None,
    };
    let parts = r.campaign(v);
    match r.error {
        Some(e) => Err(e),
        None => Campaign::new(parts),
    }
}

/// A campaign of the catalog that could not be read; the others still load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Its id, or `?` when even that is unreadable.
    pub id: String,
    /// Why.
    pub error: DecodeError,
}

/// Read a compiled catalog: the campaigns that decode, and the ones that do not.
///
/// # Errors
/// When the value is not a catalog of this [`VERSION`] (a widget and server of different
/// releases): nothing can be trusted then.
pub fn decode_catalog(v: &Value) -> Result<(Vec<Campaign>, Vec<Rejected>)> {
    let mut r = Reader {
        path: String::new(),
        error: None,
    };
    match r.opt_int(v, "version", true, i64::MAX) {
        Some(n) if n == VERSION as i64 => {}
        Some(n) => r.fail(
            "version",
            &format!("this widget reads version {VERSION}, not {n}"),
        ),
        None => {}
    }
    let items = r.list(v, "campaigns");
    if let Some(e) = r.error {
        return Err(e);
    }
    let mut ok = Vec::new();
    let mut rejected = Vec::new();
    for (i, v) in items.iter().enumerate() {
        match decode(v) {
            Ok(c) => ok.push(c),
            Err(error) => rejected.push(Rejected {
                id: v
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_owned(),
                error: {
                    let mut outer = String::from("campaigns");
                    super::push_index(&mut outer, i);
                    error.within(&outer)
                },
            }),
        }
    }
    Ok((ok, rejected))
}

/// Read the policy of a compiled catalog; a catalog without one (from an older collector)
/// decides under [`Policy::default`].
///
/// # Errors
/// The first field of `policy` that is missing, of the wrong type or out of range, with its
/// path (`policy.lifecycle`, `policy.signals.growth.tree`).
///
/// # Example
/// ```
/// use touchpoint_core::campaign::compiled::{decode_policy, Catalog};
/// use touchpoint_core::Policy;
/// let mut policy = Policy::default();
/// policy.max_nudges_per_week = 3;
/// let json = serde_json::to_value(Catalog::new(&[]).with_policy(&policy)).unwrap();
/// assert_eq!(decode_policy(&json), Ok(policy));
/// let older = serde_json::json!({"version": 1, "campaigns": []});
/// assert_eq!(decode_policy(&older), Ok(Policy::default()));
/// ```
pub fn decode_policy(catalog: &Value) -> Result<Policy> {
    let mut r = Reader {
        path: String::new(),
        error: None,
    };
    let Some(p) = r.get(catalog, "policy", false) else {
        return Ok(Policy::default());
    };
    let policy = r.within("policy", |r| r.policy(p));
    match r.error {
        Some(e) => Err(e),
        None => Ok(policy),
    }
}
