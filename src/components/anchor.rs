//! Hooks for formats anchored to a host element: find the element (waiting for one the host
//! inserts late, up to a time limit; a find is when an anchored nudge counts as seen) and
//! keep a card placed next to it as the page scrolls and resizes.
use crate::effects::observe;
use gloo::events::{EventListener, EventListenerOptions};
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

/// Look for `selector` now and for `wait_ms` after; `on_found` hears about a find (the nudge
/// then shows next to it), `on_missing` about a miss.
#[hook]
pub fn use_anchor(
    selector: &str,
    wait_ms: u32,
    on_found: Callback<()>,
    on_missing: Callback<String>,
) -> Anchor {
    let state = use_state(|| Anchor::Waiting);
    {
        let state = state.clone();
        use_effect_with(selector.to_owned(), move |selector| {
            let wait = if let Some(e) = observe::find(selector) {
                state.set(Anchor::Found(e));
                on_found.emit(());
                None
            } else {
                state.set(Anchor::Waiting);
                let missing = selector.clone();
                Some(observe::wait_for(
                    selector,
                    wait_ms,
                    move |found| match found {
                        Some(e) => {
                            state.set(Anchor::Found(e));
                            on_found.emit(());
                        }
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
/// (any scroll container, so capture phase) and resize.
#[hook]
pub fn use_follow(anchor: Option<Element>, version: u32, place: Rc<dyn Fn(&Element)>) {
    use_effect_with((anchor, version), move |(anchor, _)| {
        let mut listeners = Vec::new();
        if let (Some(anchor), Some(window)) = (anchor.clone(), web_sys::window()) {
            place(&anchor);
            for event in ["scroll", "resize"] {
                let place = place.clone();
                let anchor = anchor.clone();
                listeners.push(EventListener::new_with_options(
                    &window,
                    event,
                    EventListenerOptions::run_in_capture_phase(),
                    move |_| place(&anchor),
                ));
            }
        }
        move || drop(listeners)
    });
}
