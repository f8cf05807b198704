//! Helpers the widget's browser test files share (each file under `tests/` is its own crate
//! and includes this module).
#![allow(dead_code)]

/// Let Yew render and timers run for `ms` milliseconds.
pub async fn sleep(ms: u64) {
    yew::platform::time::sleep(std::time::Duration::from_millis(ms)).await;
}

/// Wait until `done()` holds, looking every 20 ms, for at most 10 s: a bound no machine's
/// load reaches, where a fixed sleep raced a real timer (issue 10). Returns whether it held.
pub async fn until(done: impl Fn() -> bool) -> bool {
    for _ in 0..500 {
        if done() {
            return true;
        }
        sleep(20).await;
    }
    done()
}

/// `performance.now()`: milliseconds on the page's monotonic clock.
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The test page's document.
pub fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("document")
}

/// A fresh `<div>` appended to the body, to render into; popovers rendered in it are raised
/// into the top layer as in the widget's own root.
pub fn root() -> web_sys::Element {
    let div = document().create_element("div").expect("div");
    document()
        .body()
        .expect("body")
        .append_child(&div)
        .expect("append");
    touchpoint::effects::layer::keep_raised(&div);
    div
}

/// A campaign as the widget receives it, read by the core's compiled-catalog decoder:
/// `fields` are the compiled form's, and the defaults the server always writes out are
/// filled in (each content's `body` and `ctas` too). No authoring crate: the widget's tests
/// depend on the core alone, as the widget does.
pub fn campaign(fields: serde_json::Value) -> touchpoint_core::Campaign {
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
    if let Some(content) = v["content"].as_object_mut() {
        for c in content.values_mut() {
            for (k, empty) in [
                ("body", serde_json::json!("")),
                ("ctas", serde_json::json!([])),
            ] {
                if c.get(k).is_none() {
                    c[k] = empty;
                }
            }
        }
    }
    touchpoint_core::campaign::compiled::decode(&v).expect("valid compiled campaign")
}
