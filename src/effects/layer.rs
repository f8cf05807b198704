//! The browser's top layer, where no host style can displace or hide a nudge (issue 9). A
//! `position: fixed` overlay is fixed to the viewport only until an ancestor has a
//! `transform`, `filter`, `contain: paint` or `will-change: transform` (then it is placed
//! against that ancestor's box, possibly thousands of pixels down), and it competes with the
//! host's own `z-index`es. Elements in the top layer escape both: the modal is a `<dialog>`
//! opened with `showModal()` (its `::backdrop` dims the whole viewport and the page becomes
//! inert), and every other floating nudge is a `popover="manual"` element shown with
//! `showPopover()` (no light dismiss: the widget decides when it goes).
//!
//! Popovers are raised by one `MutationObserver` on the widget's root ([`keep_raised`])
//! rather than by each component: its callback runs as a microtask, before the browser
//! paints, and one observer costs the wasm far fewer bytes than a hook in every format.
//! Methods are called through `Reflect` rather than web-sys bindings, for the same reason. A
//! browser without them (or an element not in the document) leaves the nudge a fixed overlay
//! in the page, as before.
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, MutationObserver, MutationObserverInit};

/// Call `el.method()`, ignoring a missing method or a thrown error (see the module docs).
fn call(el: &Element, method: &str) {
    if let Ok(f) = js_sys::Reflect::get(el, &method.into()) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call0(el);
        }
    }
}

/// Show every popover under `root` that is not shown yet.
fn raise_all(root: &Element) {
    // A browser that does not know `:popover-open` throws here: nothing to raise there.
    let Ok(list) = root.query_selector_all("[popover]:not(:popover-open)") else {
        return;
    };
    for i in 0..list.length() {
        if let Some(el) = list.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            call(&el, "showPopover");
        }
    }
}

/// Keep every `popover` element rendered under `root` (the element Yew renders into) in the
/// top layer, from now on, for the page's lifetime.
pub fn keep_raised(root: &Element) {
    let target = root.clone();
    let on_change = Closure::<dyn FnMut()>::new(move || raise_all(&target));
    if let Ok(observer) = MutationObserver::new(on_change.as_ref().unchecked_ref()) {
        let init = MutationObserverInit::new();
        init.set_child_list(true);
        init.set_subtree(true);
        let _ = observer.observe_with_options(root, &init);
    }
    // The widget lives as long as the page: so do the observer and its callback.
    on_change.forget();
}

/// Open the `<dialog>` `el` as a modal in the top layer, unless it is open already.
pub fn open_modal(el: &Element) {
    if !el.has_attribute("open") {
        call(el, "showModal");
    }
}

/// Close the `<dialog>` `el` (leaving the top layer, so the page is no longer inert).
pub fn close_modal(el: &Element) {
    call(el, "close");
}
