//! JSON values that remember a key given twice. `serde_json::Value` keeps the last of two
//! equal keys without a word, so `{"type": "cta", "type": "conversion"}` would be stored as a
//! conversion; the collector rejects such an event instead, naming the key. [`Checked`]
//! parses any JSON value like `Value` does and also records where the first duplicate key is
//! (at any depth), so the caller decides what a duplicate means in its place.
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// A JSON value, and the path of the first key that appeared twice in it (if one did).
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The value; of two equal keys, the first one's value is kept.
    pub value: Value,
    /// Where the first duplicate key is, relative to this value.
    pub duplicate: Option<KeyPath>,
}

/// The place of a key inside a value: `props.score`, `items[2].id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPath {
    /// Innermost first (a path is built on the way out of the parse).
    reversed: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

impl KeyPath {
    fn key(key: String) -> Self {
        Self {
            reversed: vec![Step::Key(key)],
        }
    }

    fn under(mut self, step: Step) -> Self {
        self.reversed.push(step);
        self
    }

    /// The duplicated key itself (the path's last key).
    pub fn last_key(&self) -> &str {
        match self.reversed.first() {
            Some(Step::Key(k)) => k,
            _ => "",
        }
    }

    /// Whether the duplicate is a top-level key named `key`.
    pub fn is_top_level(&self, key: &str) -> bool {
        matches!(self.reversed.as_slice(), [Step::Key(k)] if k == key)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.reversed.iter().rev().enumerate() {
            match step {
                Step::Key(k) if i == 0 => write!(f, "{k}")?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl Checked {
    fn plain(value: Value) -> Self {
        Self {
            value,
            duplicate: None,
        }
    }
}

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Checked, E> {
        Ok(Checked::plain(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Checked, E> {
        Ok(Checked::plain(Value::Number(v.into())))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Checked, E> {
        Ok(Checked::plain(Value::Number(v.into())))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Checked, E> {
        // JSON has no NaN or infinity, so `from_f64` only fails on input JSON cannot carry.
        Ok(Checked::plain(
            Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }

    fn visit_str<E>(self, v: &str) -> Result<Checked, E> {
        Ok(Checked::plain(Value::String(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Checked, E> {
        Ok(Checked::plain(Value::String(v)))
    }

    fn visit_unit<E>(self) -> Result<Checked, E> {
        Ok(Checked::plain(Value::Null))
    }

    fn visit_none<E>(self) -> Result<Checked, E> {
        Ok(Checked::plain(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Checked, D::Error> {
        Checked::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        let mut duplicate = None;
        while let Some(item) = seq.next_element::<Checked>()? {
            if duplicate.is_none() {
                duplicate = item.duplicate.map(|p| p.under(Step::Index(items.len())));
            }
            items.push(item.value);
        }
        Ok(Checked {
            value: Value::Array(items),
            duplicate,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        let mut object = Map::new();
        let mut duplicate = None;
        while let Some(key) = map.next_key::<String>()? {
            let item: Checked = map.next_value()?;
            if object.contains_key(&key) {
                duplicate = duplicate.or_else(|| Some(KeyPath::key(key)));
                continue;
            }
            if duplicate.is_none() {
                duplicate = item.duplicate.map(|p| p.under(Step::Key(key.clone())));
            }
            object.insert(key, item.value);
        }
        Ok(Checked {
            value: Value::Object(object),
            duplicate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(text: &str) -> Checked {
        serde_json::from_str(text).expect("valid JSON")
    }

    #[test]
    fn a_value_without_duplicates_is_what_serde_json_reads() {
        let text = r#"{"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": {"d": []}}"#;
        let c = check(text);
        assert_eq!(c.duplicate, None);
        assert_eq!(
            c.value,
            serde_json::from_str::<Value>(text).expect("valid JSON")
        );
    }

    #[test]
    fn the_first_duplicate_is_found_at_any_depth_and_the_first_value_kept() {
        let c = check(r#"{"type": "cta", "type": "conversion"}"#);
        assert_eq!(
            c.duplicate.as_ref().map(ToString::to_string).as_deref(),
            Some("type")
        );
        assert!(c.duplicate.as_ref().is_some_and(|p| p.is_top_level("type")));
        assert_eq!(c.value, json!({ "type": "cta" }));

        let c = check(r#"{"props": {"score": 9, "score": 10}, "id": 1, "id": 2}"#);
        let p = c.duplicate.expect("a duplicate");
        assert_eq!(p.to_string(), "props.score");
        assert_eq!(p.last_key(), "score");
        assert!(!p.is_top_level("score"));

        let c = check(r#"{"items": [{"k": 1}, {"k": 1, "k": 2}]}"#);
        assert_eq!(
            c.duplicate.map(|p| p.to_string()).as_deref(),
            Some("items[1].k")
        );
        let c = check(r#"[[{"a": {"b": 1, "b": 1}}]]"#);
        assert_eq!(
            c.duplicate.map(|p| p.to_string()).as_deref(),
            Some("[0][0].a.b")
        );
    }
}
