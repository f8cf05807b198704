//! The compiled catalog: validated campaigns as the server sends them to widgets.
//!
//! Campaign files are validated once, on the server (`touchpoint check`, at load and in the
//! workspace): conditions parsed and type-checked, references resolved, schedules converted
//! to UTC, defaults filled in. The widget needs none of that machinery, only the result, so
//! the server sends the validated model itself — conditions as compiled trees
//! ([`crate::expr::compiled`]), instants as milliseconds, every default explicit — and the
//! widget reads it with the small [`decode`] below. That keeps the lexer, parser, type
//! checker and validator out of the widget's wasm (about a fifth of it), and the widget no
//! longer re-parses every condition on every page load.
//!
//! The field names are those of the campaign files, so a catalog in the browser's network
//! tab reads like the files it came from. Decoding checks shapes and names, not meaning; a
//! malformed campaign is rejected with the path of the field at fault, and the others load.
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
use super::validate::{CATEGORIES, GOALS, PHASES, POSITIONS, SCOPES, STAGES, TEAMS};
use super::*;
use crate::expr::compiled::name_of;
use crate::expr::{Condition, Glob};
use crate::stage::{Phase, Stage};
use crate::time::Timestamp;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The catalog format this build writes and reads.
pub const VERSION: u64 = 1;

/// A field that could not be read, with its path (`format.steps[1].anchor`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}{message}", path, if path.is_empty() { "" } else { ": " })]
pub struct DecodeError {
    /// Path of the field at fault; empty for the value itself.
    pub path: String,
    /// What was expected.
    pub message: String,
}

impl DecodeError {
    fn new(message: impl Into<String>) -> Self {
        DecodeError {
            path: String::new(),
            message: message.into(),
        }
    }

    /// The same error, one level further out.
    fn within(mut self, outer: &str) -> Self {
        self.path = match self.path.as_str() {
            "" => outer.to_owned(),
            p if p.starts_with('[') => format!("{outer}{p}"),
            p => format!("{outer}.{p}"),
        };
        self
    }
}

type Result<T> = std::result::Result<T, DecodeError>;

// ---- encoding (the server) ----

/// The compiled form of one campaign.
pub fn encode(c: &Campaign) -> Value {
    let mut v = json!({
        "id": c.id,
        "name": c.name,
        "goal": name_of(GOALS, c.goal),
        "category": name_of(CATEGORIES, c.category),
        "priority": c.priority,
        "holdout_bp": c.holdout_bp,
        "audience": {
            "stages": c.audience.stages.iter().map(|s| name_of(STAGES, *s)).collect::<Vec<_>>(),
            "phases": c.audience.phases.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        },
        "trigger": encode_trigger(&c.trigger),
        "format": encode_format(&c.format),
        "default_locale": c.default_locale,
        "content": encode_contents(&c.content),
        "variants": c.variants.iter().map(|v| json!({
            "id": v.id, "weight": v.weight, "content": encode_contents(&v.content),
        })).collect::<Vec<_>>(),
        "schedule": {},
        "frequency": {
            "snooze_days": c.frequency.snooze_days,
            "stop_after_conversion": c.frequency.stop_after_conversion,
            "caps": c.frequency.caps.iter().map(|cap| {
                let mut o = json!({"scope": name_of(SCOPES, cap.scope), "max": cap.max});
                put(&mut o, "within_days", cap.within_days);
                o
            }).collect::<Vec<_>>(),
        },
        "leads": c.leads.iter().map(encode_lead).collect::<Vec<_>>(),
    });
    put(&mut v, "owner", c.owner.as_ref());
    if let Some(cond) = &c.audience.condition {
        v["audience"]["condition"] = json!({
            "source": cond.source(),
            "tree": crate::expr::compiled::encode(cond.root()),
        });
    }
    put(&mut v["schedule"], "start", c.schedule.start.map(|t| t.0));
    put(&mut v["schedule"], "end", c.schedule.end.map(|t| t.0));
    put(&mut v["frequency"], "max_views", c.frequency.max_views);
    put(
        &mut v["frequency"],
        "recontact_days",
        c.frequency.recontact_days,
    );
    if let Some(goal) = &c.conversion {
        v["conversion"] = json!({"event": goal.event, "within_days": goal.within_days});
    }
    v
}

/// The compiled catalog: `{"version": 1, "campaigns": [...]}`.
pub fn encode_catalog(campaigns: &[Campaign]) -> Value {
    json!({
        "version": VERSION,
        "campaigns": campaigns.iter().map(encode).collect::<Vec<_>>(),
    })
}

fn put<T: serde::Serialize>(o: &mut Value, key: &str, v: Option<T>) {
    if let Some(v) = v {
        o[key] = json!(v);
    }
}

fn encode_trigger(t: &Trigger) -> Value {
    let url = |g: &Option<Glob>| g.as_ref().map(|g| g.as_str().to_owned());
    let mut v = match t {
        Trigger::PageLoad { url } => json!({"on": "page_load", "url": url.as_str()}),
        Trigger::Event { name } => json!({"on": "event", "name": name}),
        Trigger::ElementVisible { selector, .. } => {
            json!({"on": "element_visible", "selector": selector})
        }
        Trigger::Delay { seconds, .. } => json!({"on": "delay", "seconds": seconds}),
        Trigger::Manual => json!({"on": "manual"}),
    };
    if let Trigger::ElementVisible { url: u, .. } | Trigger::Delay { url: u, .. } = t {
        put(&mut v, "url", url(u));
    }
    v
}

fn encode_format(f: &Format) -> Value {
    let mut v = json!({"kind": f.name()});
    match f {
        Format::Banner { position } => v["position"] = json!(name_of(POSITIONS, *position)),
        Format::Tooltip {
            anchor,
            wait_seconds,
        }
        | Format::Hotspot {
            anchor,
            wait_seconds,
        } => {
            v["anchor"] = json!(anchor);
            put(&mut v, "wait_seconds", *wait_seconds);
        }
        Format::Tour {
            steps,
            wait_seconds,
        } => {
            v["steps"] = steps
                .iter()
                .map(|s| json!({"anchor": s.anchor, "title": s.title, "body": s.body}))
                .collect();
            put(&mut v, "wait_seconds", *wait_seconds);
        }
        Format::Checklist { items } => {
            v["items"] = items
                .iter()
                .map(|i| {
                    let mut o = json!({"id": i.id, "label": i.label, "done_event": i.done_event});
                    put(&mut o, "url", i.url.as_ref());
                    o
                })
                .collect();
        }
        Format::Survey(s) => {
            v["question"] = json!(s.question);
            v["survey"] = json!(match &s.survey {
                SurveyKind::Nps => "nps",
                SurveyKind::Csat => "csat",
                SurveyKind::SingleChoice { choices } => {
                    v["choices"] = json!(choices);
                    "single_choice"
                }
                SurveyKind::FreeText => "free_text",
            });
        }
        Format::Modal { scroll_lock } => v["scroll_lock"] = json!(scroll_lock),
        Format::Slideout | Format::Toast | Format::Feed => {}
    }
    v
}

fn encode_contents(m: &BTreeMap<String, Content>) -> Value {
    let content = |c: &Content| {
        let ctas: Vec<Value> = c
            .ctas
            .iter()
            .map(|cta| {
                let mut o = json!({"id": cta.id, "label": cta.label});
                o["action"] = json!(match &cta.action {
                    CtaAction::OpenUrl { url } => {
                        o["url"] = json!(url);
                        "open_url"
                    }
                    CtaAction::BookMeeting { url } => {
                        o["url"] = json!(url);
                        "book_meeting"
                    }
                    CtaAction::Track { event } => {
                        o["event"] = json!(event);
                        "track"
                    }
                    CtaAction::Dismiss => "dismiss",
                    CtaAction::Snooze => "snooze",
                });
                o
            })
            .collect();
        json!({"title": c.title, "body": c.body, "ctas": ctas})
    };
    m.iter().map(|(k, c)| (k.clone(), content(c))).collect()
}

fn encode_lead(l: &LeadRule) -> Value {
    let mut v = json!({"team": name_of(TEAMS, l.team)});
    match &l.source {
        LeadSource::Cta { cta } => v["cta"] = json!(cta),
        LeadSource::MinScore { min_score } => v["min_score"] = json!(min_score),
        LeadSource::Answers { answers } => v["answers"] = json!(answers),
    }
    v
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
    fn fail(&mut self, key: &str, message: impl Into<String>) {
        if self.error.is_none() {
            let mut e = DecodeError::new(message);
            if !key.is_empty() {
                e = e.within(key);
            }
            if !self.path.is_empty() {
                e = e.within(&self.path);
            }
            self.error = Some(e);
        }
    }

    /// Read inside `segment` (`audience`, `steps[1]`) of the current path.
    fn within<T>(&mut self, segment: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let len = self.path.len();
        if !self.path.is_empty() && !segment.starts_with('[') {
            self.path.push('.');
        }
        self.path.push_str(segment);
        let out = f(self);
        self.path.truncate(len);
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
            out.push(self.within(&format!("{key}[{i}]"), |r| f(r, item)));
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
                self.fail(key, format!("expected a whole number up to {max}"));
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
        table: &[(&str, T)],
    ) -> Option<T> {
        let found = self.get(v, key, required)?;
        self.name_in(found, key, table)
    }

    /// The entry of `table` named by `found` (the value at `key`).
    fn name_in<T: Copy>(&mut self, found: &Value, key: &str, table: &[(&str, T)]) -> Option<T> {
        let name = found.as_str().unwrap_or_default();
        match table.iter().find(|(n, _)| *n == name) {
            Some((_, t)) => Some(*t),
            None => {
                let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
                self.fail(
                    key,
                    format!(
                        "expected one of {}, found {}",
                        names.join(", "),
                        crate::expr::compiled::describe(found)
                    ),
                );
                None
            }
        }
    }

    /// A name from `table`; on error the first entry, so reading goes on.
    fn pick<T: Copy>(&mut self, v: &Value, key: &str, table: &[(&str, T)]) -> T {
        self.opt_pick(v, key, true, table).unwrap_or(table[0].1)
    }

    fn opt_glob(&mut self, v: &Value, key: &str, required: bool) -> Option<Glob> {
        self.opt_string(v, key, required).map(|s| Glob::new(&s))
    }

    fn campaign(&mut self, v: &Value) -> Campaign {
        if !v.is_object() {
            self.fail("", "expected an object");
        }
        let audience = self.object(v, "audience");
        let schedule = self.object(v, "schedule");
        let frequency = self.object(v, "frequency");
        Campaign {
            id: self.string(v, "id"),
            name: self.string(v, "name"),
            owner: self.opt_string(v, "owner", false),
            goal: self.pick(v, "goal", GOALS),
            category: self.pick(v, "category", CATEGORIES),
            priority: self
                .opt_int(v, "priority", true, i32::MAX.into())
                .and_then(|n| i32::try_from(n).ok())
                .unwrap_or_default(),
            holdout_bp: self.uint(v, "holdout_bp"),
            audience: self.within("audience", |r| Audience {
                stages: r.each(audience, "stages", |r, s| {
                    r.name_in(s, "", STAGES).unwrap_or(Stage::Service)
                }),
                phases: r.each(audience, "phases", |r, s| {
                    r.name_in(s, "", &PHASES).unwrap_or(Phase::Adoption)
                }),
                condition: r.condition(audience),
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
                    scope: r.pick(v, "scope", SCOPES),
                    max: r.uint(v, "max"),
                    within_days: r.opt_uint(v, "within_days", false),
                }),
            }),
            conversion: self.get(v, "conversion", false).map(|goal| {
                self.within("conversion", |r| ConversionGoal {
                    event: r.string(goal, "event"),
                    within_days: r.uint(goal, "within_days"),
                })
            }),
            leads: self.each(v, "leads", Reader::lead),
        }
    }

    fn condition(&mut self, audience: &Value) -> Option<Condition> {
        let c = self.get(audience, "condition", false)?;
        let source = self.within("condition", |r| r.string(c, "source"));
        match Condition::from_compiled(&source, c.get("tree").unwrap_or(&NULL)) {
            Ok(c) => Some(c),
            Err(e) => {
                self.fail("condition.tree", e);
                None
            }
        }
    }

    fn trigger(&mut self, campaign: &Value) -> Trigger {
        let t = self.object(campaign, "trigger");
        match self.string(t, "on").as_str() {
            "page_load" => Trigger::PageLoad {
                url: self
                    .opt_glob(t, "url", true)
                    .unwrap_or_else(|| Glob::new("")),
            },
            "event" => Trigger::Event {
                name: self.string(t, "name"),
            },
            "element_visible" => Trigger::ElementVisible {
                url: self.opt_glob(t, "url", false),
                selector: self.string(t, "selector"),
            },
            "delay" => Trigger::Delay {
                url: self.opt_glob(t, "url", false),
                seconds: self.uint(t, "seconds"),
            },
            "manual" => Trigger::Manual,
            other => {
                self.fail("on", format!("unknown trigger `{other}`"));
                Trigger::Manual
            }
        }
    }

    fn format(&mut self, campaign: &Value) -> Format {
        let f = self.object(campaign, "format");
        let wait_seconds = self.opt_uint(f, "wait_seconds", false);
        match self.string(f, "kind").as_str() {
            "banner" => Format::Banner {
                position: self
                    .opt_pick(f, "position", false, POSITIONS)
                    .unwrap_or_default(),
            },
            "modal" => Format::Modal {
                scroll_lock: f.get("scroll_lock") == Some(&Value::Bool(true)),
            },
            "slideout" => Format::Slideout,
            "toast" => Format::Toast,
            "feed" => Format::Feed,
            "tooltip" => Format::Tooltip {
                anchor: self.string(f, "anchor"),
                wait_seconds,
            },
            "hotspot" => Format::Hotspot {
                anchor: self.string(f, "anchor"),
                wait_seconds,
            },
            "tour" => Format::Tour {
                steps: self.each(f, "steps", |r, s| TourStep {
                    anchor: r.string(s, "anchor"),
                    title: r.string(s, "title"),
                    body: r.string(s, "body"),
                }),
                wait_seconds,
            },
            "checklist" => Format::Checklist {
                items: self.each(f, "items", |r, i| ChecklistItem {
                    id: r.string(i, "id"),
                    label: r.string(i, "label"),
                    done_event: r.string(i, "done_event"),
                    url: r.opt_string(i, "url", false),
                }),
            },
            "survey" => Format::Survey(Survey {
                question: self.string(f, "question"),
                survey: match self.string(f, "survey").as_str() {
                    "nps" => SurveyKind::Nps,
                    "csat" => SurveyKind::Csat,
                    "free_text" => SurveyKind::FreeText,
                    "single_choice" => SurveyKind::SingleChoice {
                        choices: self.strings(f, "choices"),
                    },
                    other => {
                        self.fail("survey", format!("unknown survey `{other}`"));
                        SurveyKind::FreeText
                    }
                },
            }),
            other => {
                self.fail("kind", format!("unknown format `{other}`"));
                Format::Toast
            }
        }
    }

    /// The `content` map of `v`: locale → title, body, CTAs.
    fn contents(&mut self, v: &Value) -> BTreeMap<String, Content> {
        let mut out = BTreeMap::new();
        let Some(m) = self.object(v, "content").as_object() else {
            return out;
        };
        for (locale, c) in m {
            let content = self.within(&format!("content.{locale}"), |r| Content {
                title: r.string(c, "title"),
                body: r.string(c, "body"),
                ctas: r.each(c, "ctas", Reader::cta),
            });
            out.insert(locale.clone(), content);
        }
        out
    }

    fn cta(&mut self, v: &Value) -> Cta {
        Cta {
            id: self.string(v, "id"),
            label: self.string(v, "label"),
            action: match self.string(v, "action").as_str() {
                "open_url" => CtaAction::OpenUrl {
                    url: self.string(v, "url"),
                },
                "book_meeting" => CtaAction::BookMeeting {
                    url: self.string(v, "url"),
                },
                "track" => CtaAction::Track {
                    event: self.string(v, "event"),
                },
                "dismiss" => CtaAction::Dismiss,
                "snooze" => CtaAction::Snooze,
                other => {
                    self.fail("action", format!("unknown action `{other}`"));
                    CtaAction::Dismiss
                }
            },
        }
    }

    fn lead(&mut self, v: &Value) -> LeadRule {
        let team = self.pick(v, "team", TEAMS);
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

/// Read one compiled campaign.
///
/// # Errors
/// The first field that is missing, of the wrong type or not one of the known names, with
/// its path.
pub fn decode(v: &Value) -> Result<Campaign> {
    let mut r = Reader {
        path: String::new(),
        error: None,
    };
    let c = r.campaign(v);
    r.error.map_or(Ok(c), Err)
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
            format!("this widget reads version {VERSION}, not {n}"),
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
                error: error.within(&format!("campaigns[{i}]")),
            }),
        }
    }
    Ok((ok, rejected))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn tour() -> Value {
        let c = Campaign::from_json_value(&json!({
            "id": "tour", "name": "Tour", "goal": "adoption", "holdout": 10,
            "audience": {"stages": ["service"], "condition": "user.role in ['admin']"},
            "trigger": {"on": "page_load", "url": "/app/**"},
            "format": {"kind": "tour", "steps": [
                {"anchor": "#a", "title": "A", "body": "a"},
                {"anchor": "#b", "title": "B", "body": "b"}]},
            "content": {"en": {"title": "T", "ctas": [{"id": "go", "label": "Go", "action": "open_url", "url": "/x"}]}},
            "leads": [{"team": "sales", "cta": "go"}]
        }))
        .unwrap();
        encode(&c)
    }

    fn error(v: &Value) -> String {
        decode(v).unwrap_err().to_string()
    }

    #[test]
    fn reads_back_what_it_wrote() {
        let v = tour();
        let c = decode(&v).unwrap();
        assert_eq!(encode(&c), v);
        assert_eq!(c.holdout_bp, 1000);
        assert_eq!(
            v["audience"]["condition"]["tree"],
            json!(["in", ["user", "role"], ["list", "admin"]])
        );
    }

    #[test]
    fn names_the_field_at_fault() {
        let cases: [(&str, Value, &str); 8] = [
            ("/name", Value::Null, "name: missing"),
            ("/priority", json!("high"), "priority: expected a whole number up to 2147483647"),
            ("/holdout_bp", json!(-1), "holdout_bp: expected a whole number from 0"),
            ("/format/steps/1/anchor", json!(3), "format.steps[1].anchor: expected a string"),
            ("/format/kind", json!("popup"), "format.kind: unknown format `popup`"),
            ("/content/en/ctas/0/action", json!("call"), "content.en.ctas[0].action: unknown action `call`"),
            ("/audience/condition/tree", json!(["user"]), "audience.condition.tree: malformed `user` node"),
            ("/audience/stages/0", json!("churned"), "audience.stages[0]: expected one of acquisition, service, loyalty, found \"churned\""),
        ];
        for (pointer, value, message) in cases {
            let mut v = tour();
            *v.pointer_mut(pointer).unwrap() = value;
            assert_eq!(error(&v), message, "{pointer}");
        }
        assert_eq!(error(&json!([])), "expected an object");
    }

    #[test]
    fn a_bad_campaign_is_rejected_alone() {
        let mut bad = tour();
        bad["trigger"]["on"] = json!("hover");
        let catalog = json!({"version": 1, "campaigns": [tour(), bad]});
        let (ok, rejected) = decode_catalog(&catalog).unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(
            rejected,
            [Rejected {
                id: "tour".into(),
                error: DecodeError {
                    path: "campaigns[1].trigger.on".into(),
                    message: "unknown trigger `hover`".into(),
                },
            }]
        );
    }

    #[test]
    fn another_version_is_refused_whole() {
        let e = decode_catalog(&json!({"version": 2, "campaigns": [tour()]})).unwrap_err();
        assert_eq!(e.to_string(), "version: this widget reads version 1, not 2");
        let e = decode_catalog(&json!({"campaigns": []})).unwrap_err();
        assert_eq!(e.to_string(), "version: missing");
        let e = decode_catalog(&json!({"version": 1})).unwrap_err();
        assert_eq!(e.to_string(), "campaigns: missing");
    }
}
