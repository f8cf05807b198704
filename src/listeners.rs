//! `touchpoint.on(name, fn)` / `off(name, fn)`: the host page's listeners for what happens
//! in the widget (`shown`, `dismissed`, `snoozed`, `cta`, `survey_response`,
//! `target_missing`, or `*` for all; conversions are the collector's, attributed from stored
//! events, so the page hears of none). Each is called with a plain object; a listener that
//! throws is reported once on the console and never breaks the widget or the other listeners.
use std::cell::RefCell;
use touchpoint_core::{Event, EventKind};
use wasm_bindgen::JsValue;

thread_local! {
    static LISTENERS: RefCell<Vec<(String, js_sys::Function)>> = const { RefCell::new(Vec::new()) };
}

/// Add a listener.
pub fn on(name: String, f: js_sys::Function) {
    LISTENERS.with(|l| l.borrow_mut().push((name, f)));
}

/// Remove a listener (the same function for the same name).
pub fn off(name: &str, f: &js_sys::Function) {
    LISTENERS.with(|l| {
        l.borrow_mut()
            .retain(|(n, g)| !(n == name && JsValue::from(g) == JsValue::from(f)));
    });
}

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Call the listeners of `name` with `{type: name, ...detail}`.
pub fn emit(name: &str, campaign_id: Option<&str>, fill: impl Fn(&js_sys::Object)) {
    let targets: Vec<js_sys::Function> = LISTENERS.with(|l| {
        l.borrow()
            .iter()
            .filter(|(n, _)| n == name || n == "*")
            .map(|(_, f)| f.clone())
            .collect()
    });
    for f in targets {
        let detail = js_sys::Object::new();
        set(&detail, "type", &JsValue::from_str(name));
        if let Some(id) = campaign_id {
            set(&detail, "campaign_id", &JsValue::from_str(id));
        }
        fill(&detail);
        if let Err(e) = f.call1(&JsValue::UNDEFINED, &detail) {
            crate::effects::platform::warn(&format!(
                "a touchpoint.on(\"{name}\") listener threw: {}",
                crate::effects::platform::js_message(&e)
            ));
        }
    }
}

/// Tell listeners about an engagement event the widget reports.
pub fn event(e: &Event) {
    let name = match e.kind {
        EventKind::Impression if !e.holdout => "shown",
        EventKind::Dismiss => "dismissed",
        EventKind::Snooze => "snoozed",
        EventKind::Cta => "cta",
        EventKind::SurveyResponse => "survey_response",
        _ => return,
    };
    let has_listeners = LISTENERS.with(|l| !l.borrow().is_empty());
    if !has_listeners {
        return;
    }
    let props = crate::json::to_js(&serde_json::Value::Object(e.props.clone()));
    emit(name, e.campaign_id.as_deref(), |o| {
        if let Some(v) = &e.variant {
            set(o, "variant", &JsValue::from_str(v));
        }
        set(o, "props", &props);
        set(o, "event_id", &JsValue::from_str(&e.id.to_string()));
    });
}
