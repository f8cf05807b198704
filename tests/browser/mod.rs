//! Helpers the widget's browser test files share (each file under `tests/` is its own crate
//! and includes this module).
#![allow(dead_code)]

/// Let Yew render and timers run for `ms` milliseconds.
pub async fn sleep(ms: u64) {
    yew::platform::time::sleep(std::time::Duration::from_millis(ms)).await;
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
