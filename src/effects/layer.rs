//! The browser's top layer, where no host style can displace or hide a nudge (issue 9). A
//! `position: fixed` overlay is fixed to the viewport only until an ancestor has a
//! `transform`, `filter`, `contain: paint` or `will-change: transform` (then it is placed
//! against that ancestor's box, possibly thousands of pixels down), and it competes with the
//! host's own `z-index`es. Elements in the top layer escape both: the modal is a `<dialog>`
//! opened with `showModal()` (its `::backdrop` dims the whole viewport and the page becomes
//! inert), and every other floating nudge is a `popover="manual"` element shown with
//! `showPopover()` (no light dismiss: the widget decides when it goes).
//!
//! Called through `Reflect` rather than web-sys bindings: two string lookups cost fewer
//! bytes than two bindings. A browser without these methods (or an element not in the
//! document) leaves the nudge a fixed overlay in the page, as before.
use wasm_bindgen::JsCast;
use web_sys::Element;

/// Call `el.method()`, ignoring a missing method or a thrown error (see the module docs).
fn call(el: &Element, method: &str) {
    if let Ok(f) = js_sys::Reflect::get(el, &method.into()) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call0(el);
        }
    }
}

/// Show `el` in the top layer if it is a popover not shown yet; harmless to call after every
/// render.
pub fn raise(el: &Element) {
    // `matches` throws on a browser that does not know `:popover-open`: nothing to do there.
    if el.has_attribute("popover") && !el.matches(":popover-open").unwrap_or(true) {
        call(el, "showPopover");
    }
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
