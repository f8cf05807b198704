//! JSON text ↔ `serde_json::Value`, for everything the widget stores, sends and receives.
//!
//! In the browser the engine's own `JSON.parse` and `JSON.stringify` do the text work and a
//! short walk converts between JS values and `Value`; serde_json's parser, serializer and
//! their error messages (about 20 KB of wasm before compression) are then never linked.
//! Natively (the pure modules' tests) serde_json does the same job.
//!
//! Numbers: JS has one number type, so whole numbers come back as integers (what
//! `as_u64`/`as_i64` read) and others as floats; integers beyond 2^53 are not exact, which
//! nothing the widget handles comes near (timestamps are milliseconds, counts are small).
#[cfg(not(target_arch = "wasm32"))]
use serde_json::Value;

/// Parse JSON text; `None` when it is not JSON.
#[cfg(not(target_arch = "wasm32"))]
pub fn parse(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// The JSON text of a value.
#[cfg(not(target_arch = "wasm32"))]
pub fn stringify(v: &Value) -> String {
    v.to_string()
}

#[cfg(target_arch = "wasm32")]
pub use browser::*;

#[cfg(target_arch = "wasm32")]
mod browser {
    use js_sys::{Array, Object, Reflect, JSON};
    use serde_json::{Map, Number, Value};
    use wasm_bindgen::{JsCast, JsValue};

    /// Parse JSON text; `None` when it is not JSON.
    pub fn parse(text: &str) -> Option<Value> {
        JSON::parse(text).ok().map(|v| from_js(&v))
    }

    /// The JSON text of a value.
    pub fn stringify(v: &Value) -> String {
        JSON::stringify(&to_js(v))
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }

    /// A JS value as JSON data: functions, symbols and `undefined` become null, as
    /// `JSON.stringify` would drop or null them.
    pub fn from_js(v: &JsValue) -> Value {
        if let Some(b) = v.as_bool() {
            Value::Bool(b)
        } else if let Some(n) = v.as_f64() {
            number(n)
        } else if let Some(s) = v.as_string() {
            Value::String(s)
        } else if Array::is_array(v) {
            Value::Array(
                v.unchecked_ref::<Array>()
                    .iter()
                    .map(|x| from_js(&x))
                    .collect(),
            )
        } else if v.is_object() && !v.is_function() {
            let mut map = Map::new();
            for entry in Object::entries(v.unchecked_ref::<Object>()).iter() {
                let entry: Array = entry.unchecked_into();
                if let Some(key) = entry.get(0).as_string() {
                    map.insert(key, from_js(&entry.get(1)));
                }
            }
            Value::Object(map)
        } else {
            Value::Null
        }
    }

    /// Whole numbers (within the exact range of a double) as integers, others as floats;
    /// NaN and infinities, which JSON cannot hold, as null.
    fn number(n: f64) -> Value {
        const EXACT: f64 = 9_007_199_254_740_992.0;
        if n.fract() == 0.0 && n.abs() <= EXACT {
            if n >= 0.0 {
                Value::from(n as u64)
            } else {
                Value::from(n as i64)
            }
        } else {
            Number::from_f64(n).map_or(Value::Null, Value::Number)
        }
    }

    /// A value as a plain JS value (objects, arrays, strings, numbers, booleans, null).
    pub fn to_js(v: &Value) -> JsValue {
        match v {
            Value::Null => JsValue::NULL,
            Value::Bool(b) => JsValue::from_bool(*b),
            Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or_default()),
            Value::String(s) => JsValue::from_str(s),
            Value::Array(items) => items.iter().map(to_js).collect::<Array>().into(),
            Value::Object(map) => {
                let o = Object::new();
                for (k, x) in map {
                    let _ = Reflect::set(&o, &JsValue::from_str(k), &to_js(x));
                }
                o.into()
            }
        }
    }
}

// Only on wasm32, where `parse` and `stringify` go through the JavaScript engine's own JSON
// (the oracle here). Natively they are serde_json itself, so the same tests would check
// serde_json against serde_json (issue 10).
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use serde_json::json;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn round_trips_what_the_widget_stores() {
        let v = json!({
            "id": "0190a0b0-0000-7000-8000-000000000000", "at": 1_777_593_600_123_u64,
            "props": {"score": 9, "ratio": 0.85, "neg": -3, "ok": true, "none": null,
                      "text": "quote \" backslash \\ newline \n emoji 🙂 <b>"},
            "list": [1, "two", [3], {}]
        });
        let text = stringify(&v);
        assert_eq!(parse(&text), Some(v.clone()));
        assert_eq!(
            parse(&text).and_then(|p| p["at"].as_u64()),
            Some(1_777_593_600_123)
        );
        assert_eq!(
            parse(&text).and_then(|p| p["props"]["neg"].as_i64()),
            Some(-3)
        );
        assert_eq!(
            parse(&text).and_then(|p| p["props"]["ratio"].as_f64()),
            Some(0.85)
        );
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in ["", "{", "{'a': 1}", "[1,]", "undefined", "NaN"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
