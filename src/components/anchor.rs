//! Hooks for formats anchored to a host element: find the element (waiting for one the host
//! inserts late, up to a time limit) and keep a card placed next to it as the page scrolls
//! and resizes, reporting the nudge seen the first time it is shown next to its element in
//! view.
use crate::components::common::Gesture;
use crate::effects::observe;
use gloo::events::{EventListener, EventListenerOptions};
use std::cell::Cell;
use std::rc::Rc;
use web_sys::Element;
use yew::prelude::*;

/// Where the search for a host element stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Anchor {
    /// Still looking.
    Waiting,
    /// Found.
    Found(Element),
    /// Never appeared within the time limit.
    Missing,
}

/// Look for `selector` now and for `wait_ms` after; `on_missing` hears about a miss.
#[hook]
pub fn use_anchor(selector: &str, wait_ms: u32, on_missing: Callback<String>) -> Anchor {
    let state = use_state(|| Anchor::Waiting);
    {
        let state = state.clone();
        use_effect_with(selector.to_owned(), move |selector| {
            let wait = if let Some(e) = observe::find(selector) {
                state.set(Anchor::Found(e));
                None
            } else {
                state.set(Anchor::Waiting);
                let missing = selector.clone();
                Some(observe::wait_for(
                    selector,
                    wait_ms,
                    move |found| match found {
                        Some(e) => state.set(Anchor::Found(e)),
                        None => {
                            state.set(Anchor::Missing);
                            on_missing.emit(missing);
                        }
                    },
                ))
            };
            // Unmounting, or another selector, cancels the wait: no callback after this.
            move || drop(wait)
        });
    }
    (*state).clone()
}

/// Run `place` with the anchor now, after every change of `version`, and on every scroll
/// (any scroll container, so capture phase) and resize. The first time `place` says the
/// nudge is shown next to its anchor (in view), `on` hears [`Gesture::Seen`]: once per
/// `version`, and the reducer counts one impression per showing.
#[hook]
pub fn use_follow(
    anchor: Option<Element>,
    version: u32,
    place: Rc<dyn Fn(&Element) -> bool>,
    on: Callback<Gesture>,
) {
    use_effect_with((anchor, version), move |(anchor, _)| {
        let mut listeners = Vec::new();
        if let (Some(anchor), Some(window)) = (anchor.clone(), web_sys::window()) {
            let seen = Cell::new(false);
            let follow = Rc::new(move || {
                if place(&anchor) && !seen.replace(true) {
                    on.emit(Gesture::Seen);
                }
            });
            follow();
            for event in ["scroll", "resize"] {
                let follow = follow.clone();
                listeners.push(EventListener::new_with_options(
                    &window,
                    event,
                    EventListenerOptions::run_in_capture_phase(),
                    move |_| follow(),
                ));
            }
        }
        move || drop(listeners)
    });
}
