//! The optional scroll lock of a modal (`format.scroll_lock = true`; off by default, since a
//! nudge should not take the page away from the user).
//!
//! The host's `<html>` gets `overflow: hidden` through the CSSOM, which a strict CSP allows
//! (unlike a `style` attribute), and gets back exactly the inline values it had when the lock
//! is dropped. Where the page had a vertical scrollbar, `scrollbar-gutter: stable` keeps its
//! space, so the page does not shift sideways.
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// A held lock; dropping it gives the page its scrolling back.
#[derive(Debug)]
pub struct ScrollLock {
    root: HtmlElement,
    overflow: String,
    gutter: String,
}

/// Lock the host page's scrolling, or `None` where there is no page to lock.
pub fn lock() -> Option<ScrollLock> {
    let window = web_sys::window()?;
    let root: HtmlElement = window.document()?.document_element()?.dyn_into().ok()?;
    let style = root.style();
    let lock = ScrollLock {
        overflow: style.get_property_value("overflow").ok()?,
        gutter: style.get_property_value("scrollbar-gutter").ok()?,
        root,
    };
    let width = window.inner_width().ok()?.as_f64()?;
    if width > f64::from(lock.root.client_width()) && lock.gutter.is_empty() {
        let _ = style.set_property("scrollbar-gutter", "stable");
    }
    let _ = style.set_property("overflow", "hidden");
    Some(lock)
}

impl Drop for ScrollLock {
    fn drop(&mut self) {
        let style = self.root.style();
        for (name, value) in [
            ("overflow", &self.overflow),
            ("scrollbar-gutter", &self.gutter),
        ] {
            let _ = if value.is_empty() {
                style.remove_property(name).map(drop)
            } else {
                style.set_property(name, value)
            };
        }
    }
}
