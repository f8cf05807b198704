//! Reading a raw campaign from a JSON value by hand (campaigns authored as JSON: the API and
//! tests; files go through `files`, which keeps TOML spans).
//!
//! Unlike serde's derived `Deserialize`, which stops at the first problem, this small walker
//! over `serde_json::Value` reports *every* unknown field, wrong type and missing field with
//! its path. Tests pin it to the derived implementation on the whole example playbook. (It
//! was first written for the widget's wasm size; the widget now reads the compiled catalog,
//! see [`super::compiled`].)
use super::raw::*;
use super::{ValidationError, ValidationErrorKind as Kind, ValidationErrors};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

struct Walk {
    errors: Vec<ValidationError>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl Walk {
    fn err(&mut self, path: String, kind: Kind, message: String) {
        self.errors.push(ValidationError {
            path,
            kind,
            message,
            span: None,
        });
    }

    /// The object at `path`, reporting keys not in `known`.
    fn object<'v>(
        &mut self,
        v: &'v Value,
        path: &str,
        known: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let Some(m) = v.as_object() else {
            self.err(
                path.to_owned(),
                Kind::Parse,
                "invalid type: expected a table/object".into(),
            );
            return None;
        };
        for key in m.keys() {
            if !known.contains(&key.as_str()) {
                let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                self.err(
                    join(path, key),
                    Kind::UnknownField,
                    format!("unknown field `{key}`, expected one of {}", list.join(", ")),
                );
            }
        }
        Some(m)
    }

    fn get<'v>(m: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
        m.get(key).filter(|v| !v.is_null())
    }

    fn string(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> String {
        match m.get(key) {
            None | Some(Value::Null) => {
                self.err(
                    path.to_owned(),
                    Kind::Missing,
                    format!("missing field `{key}`"),
                );
                String::new()
            }
            Some(v) => self.as_string(v, &join(path, key)),
        }
    }

    fn as_string(&mut self, v: &Value, path: &str) -> String {
        match v.as_str() {
            Some(s) => s.to_owned(),
            None => {
                self.err(
                    path.to_owned(),
                    Kind::Parse,
                    "invalid type: expected a string".into(),
                );
                String::new()
            }
        }
    }

    fn opt_string(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> Option<String> {
        Self::get(m, key).map(|v| self.as_string(v, &join(path, key)))
    }

    fn opt_u32(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> Option<u32> {
        let v = Self::get(m, key)?;
        match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(n),
            None => {
                self.err(
                    join(path, key),
                    Kind::Parse,
                    "invalid type: expected a whole number from 0 to 4294967295".into(),
                );
                None
            }
        }
    }

    fn u32(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> u32 {
        if Self::get(m, key).is_none() {
            self.err(
                path.to_owned(),
                Kind::Missing,
                format!("missing field `{key}`"),
            );
            return 0;
        }
        self.opt_u32(m, key, path).unwrap_or(0)
    }

    fn opt_bool(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> Option<bool> {
        let v = Self::get(m, key)?;
        if v.as_bool().is_none() {
            self.err(
                join(path, key),
                Kind::Parse,
                "invalid type: expected true or false".into(),
            );
        }
        v.as_bool()
    }

    fn strings(&mut self, m: &Map<String, Value>, key: &str, path: &str) -> Vec<String> {
        self.list(m, key, path, |w, v, p| w.as_string(v, p))
    }

    fn list<T>(
        &mut self,
        m: &Map<String, Value>,
        key: &str,
        path: &str,
        mut f: impl FnMut(&mut Self, &Value, &str) -> T,
    ) -> Vec<T> {
        let Some(v) = Self::get(m, key) else {
            return Vec::new();
        };
        let p = join(path, key);
        let Some(items) = v.as_array() else {
            self.err(p, Kind::Parse, "invalid type: expected a list".into());
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| f(self, item, &format!("{p}[{i}]")))
            .collect()
    }

    fn contents(
        &mut self,
        m: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> BTreeMap<String, RawContent> {
        let mut out = BTreeMap::new();
        let Some(v) = Self::get(m, key) else {
            return out;
        };
        let p = join(path, key);
        let Some(locales) = v.as_object() else {
            self.err(
                p,
                Kind::Parse,
                "invalid type: expected a table of locales".into(),
            );
            return out;
        };
        for (locale, c) in locales {
            let lp = join(&p, locale);
            if let Some(cm) = self.object(c, &lp, &["title", "body", "ctas"]) {
                let content = RawContent {
                    title: self.string(cm, "title", &lp),
                    body: self.opt_string(cm, "body", &lp).unwrap_or_default(),
                    ctas: self.list(cm, "ctas", &lp, |w, v, p| w.cta(v, p)),
                };
                out.insert(locale.clone(), content);
            }
        }
        out
    }

    fn cta(&mut self, v: &Value, p: &str) -> RawCta {
        let Some(m) = self.object(v, p, &["id", "label", "action", "url", "event"]) else {
            return RawCta::default();
        };
        RawCta {
            id: self.opt_string(m, "id", p),
            label: self.string(m, "label", p),
            action: self.string(m, "action", p),
            url: self.opt_string(m, "url", p),
            event: self.opt_string(m, "event", p),
        }
    }

    fn campaign(&mut self, v: &Value) -> RawCampaign {
        const TOP: &[&str] = &[
            "id",
            "name",
            "owner",
            "goal",
            "category",
            "priority",
            "holdout",
            "audience",
            "trigger",
            "format",
            "default_locale",
            "content",
            "variants",
            "schedule",
            "frequency",
            "conversion",
            "leads",
        ];
        let Some(m) = self.object(v, "", TOP) else {
            return RawCampaign::default();
        };
        let priority = match Self::get(m, "priority") {
            None => 0,
            Some(p) => p
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .unwrap_or_else(|| {
                    self.err(
                        "priority".into(),
                        Kind::Parse,
                        "invalid type: expected a whole number".into(),
                    );
                    0
                }),
        };
        let holdout = match Self::get(m, "holdout") {
            None => 0.0,
            Some(h) => h.as_f64().unwrap_or_else(|| {
                self.err(
                    "holdout".into(),
                    Kind::Parse,
                    "invalid type: expected a number".into(),
                );
                0.0
            }),
        };
        let audience = match Self::get(m, "audience") {
            None => RawAudience::default(),
            Some(a) => match self.object(a, "audience", &["stages", "phases", "condition"]) {
                None => RawAudience::default(),
                Some(am) => RawAudience {
                    stages: self.strings(am, "stages", "audience"),
                    phases: self.strings(am, "phases", "audience"),
                    condition: self.opt_string(am, "condition", "audience"),
                },
            },
        };
        let trigger = match m.get("trigger") {
            None => {
                self.err(
                    String::new(),
                    Kind::Missing,
                    "missing field `trigger`".into(),
                );
                RawTrigger::default()
            }
            Some(t) => {
                match self.object(t, "trigger", &["on", "url", "event", "selector", "seconds"]) {
                    None => RawTrigger::default(),
                    Some(tm) => RawTrigger {
                        on: self.string(tm, "on", "trigger"),
                        url: self.opt_string(tm, "url", "trigger"),
                        event: self.opt_string(tm, "event", "trigger"),
                        selector: self.opt_string(tm, "selector", "trigger"),
                        seconds: self.opt_u32(tm, "seconds", "trigger"),
                    },
                }
            }
        };
        let format = match m.get("format") {
            None => {
                self.err(
                    String::new(),
                    Kind::Missing,
                    "missing field `format`".into(),
                );
                RawFormat::default()
            }
            Some(f) => self.format(f),
        };
        if Self::get(m, "content").is_none() {
            self.err(
                String::new(),
                Kind::Missing,
                "missing field `content`".into(),
            );
        }
        let content = self.contents(m, "content", "");
        let variants = self.list(m, "variants", "", |w, v, p| {
            let Some(vm) = w.object(v, p, &["id", "weight", "content"]) else {
                return RawVariant::default();
            };
            RawVariant {
                id: w.string(vm, "id", p),
                weight: w.u32(vm, "weight", p),
                content: w.contents(vm, "content", p),
            }
        });
        let schedule = Self::get(m, "schedule").map(|s| {
            match self.object(s, "schedule", &["start", "end", "timezone"]) {
                None => RawSchedule::default(),
                Some(sm) => RawSchedule {
                    start: self.opt_string(sm, "start", "schedule"),
                    end: self.opt_string(sm, "end", "schedule"),
                    timezone: self.opt_string(sm, "timezone", "schedule"),
                },
            }
        });
        let frequency = match Self::get(m, "frequency") {
            None => RawFrequency::default(),
            Some(f) => {
                let known = [
                    "max_views",
                    "recontact_days",
                    "snooze_days",
                    "stop_after_conversion",
                    "caps",
                ];
                match self.object(f, "frequency", &known) {
                    None => RawFrequency::default(),
                    Some(fm) => RawFrequency {
                        max_views: self.opt_u32(fm, "max_views", "frequency"),
                        recontact_days: self.opt_u32(fm, "recontact_days", "frequency"),
                        snooze_days: self.opt_u32(fm, "snooze_days", "frequency"),
                        stop_after_conversion: self.opt_bool(
                            fm,
                            "stop_after_conversion",
                            "frequency",
                        ),
                        caps: self.list(fm, "caps", "frequency", |w, v, p| {
                            let Some(cm) = w.object(v, p, &["scope", "max", "within_days"]) else {
                                return RawCap::default();
                            };
                            RawCap {
                                scope: w.string(cm, "scope", p),
                                max: w.u32(cm, "max", p),
                                within_days: w.opt_u32(cm, "within_days", p),
                            }
                        }),
                    },
                }
            }
        };
        let conversion = Self::get(m, "conversion").map(|c| {
            match self.object(c, "conversion", &["event", "within_days"]) {
                None => RawConversion::default(),
                Some(cm) => RawConversion {
                    event: self.string(cm, "event", "conversion"),
                    within_days: self.u32(cm, "within_days", "conversion"),
                },
            }
        });
        let leads = self.list(m, "leads", "", |w, v, p| {
            let Some(lm) = w.object(v, p, &["team", "cta", "min_score", "answers"]) else {
                return RawLead::default();
            };
            RawLead {
                team: w.string(lm, "team", p),
                cta: w.opt_string(lm, "cta", p),
                min_score: w.opt_u32(lm, "min_score", p),
                answers: w.strings(lm, "answers", p),
            }
        });
        RawCampaign {
            id: self.string(m, "id", ""),
            name: self.string(m, "name", ""),
            owner: self.opt_string(m, "owner", ""),
            goal: self.string(m, "goal", ""),
            category: self.opt_string(m, "category", ""),
            priority,
            holdout,
            audience,
            trigger,
            format,
            default_locale: self.opt_string(m, "default_locale", ""),
            content,
            variants,
            schedule,
            frequency,
            conversion,
            leads,
        }
    }

    fn format(&mut self, v: &Value) -> RawFormat {
        let known = [
            "kind",
            "anchor",
            "wait_seconds",
            "position",
            "scroll_lock",
            "steps",
            "items",
            "survey",
            "question",
            "choices",
        ];
        let Some(m) = self.object(v, "format", &known) else {
            return RawFormat::default();
        };
        let p = "format";
        RawFormat {
            kind: self.string(m, "kind", p),
            anchor: self.opt_string(m, "anchor", p),
            wait_seconds: self.opt_u32(m, "wait_seconds", p),
            position: self.opt_string(m, "position", p),
            scroll_lock: self.opt_bool(m, "scroll_lock", p),
            steps: self.list(m, "steps", p, |w, v, p| {
                let Some(sm) = w.object(v, p, &["anchor", "title", "body"]) else {
                    return RawStep::default();
                };
                RawStep {
                    anchor: w.string(sm, "anchor", p),
                    title: w.string(sm, "title", p),
                    body: w.opt_string(sm, "body", p).unwrap_or_default(),
                }
            }),
            items: self.list(m, "items", p, |w, v, p| {
                let Some(im) = w.object(v, p, &["id", "label", "done_event", "url"]) else {
                    return RawItem::default();
                };
                RawItem {
                    id: w.string(im, "id", p),
                    label: w.string(im, "label", p),
                    done_event: w.string(im, "done_event", p),
                    url: w.opt_string(im, "url", p),
                }
            }),
            survey: self.opt_string(m, "survey", p),
            question: self.opt_string(m, "question", p),
            choices: self.strings(m, "choices", p),
        }
    }
}

impl RawCampaign {
    /// Read a raw campaign from a JSON value, reporting every unknown field, wrong type and
    /// missing field with its path (the derived `Deserialize` stops at the first).
    ///
    /// # Errors
    /// Every structural problem found.
    ///
    /// # Example
    /// ```
    /// use touchpoint_core::RawCampaign;
    /// let v = serde_json::json!({"id": "x", "nme": "X", "goal": "adoption",
    ///     "trigger": {"on": "manual", "colour": 1}, "format": {"kind": "toast"},
    ///     "content": {"en": {"title": "Hi"}}});
    /// let errs = RawCampaign::from_json_value(&v).unwrap_err();
    /// let paths: Vec<&str> = errs.0.iter().map(|e| e.path.as_str()).collect();
    /// assert_eq!(paths, ["nme", "trigger.colour", ""]);
    /// ```
    pub fn from_json_value(v: &Value) -> Result<RawCampaign, ValidationErrors> {
        let mut w = Walk { errors: Vec::new() };
        let raw = w.campaign(v);
        if w.errors.is_empty() {
            Ok(raw)
        } else {
            Err(ValidationErrors(w.errors))
        }
    }
}
