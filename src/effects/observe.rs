//! Waiting on the host page: for an element that may be inserted late (a `MutationObserver`
//! bounded by a timeout), for an element to become visible (an `IntersectionObserver`), and
//! for a delay (a timer). Arms belong to one page load: a route change disarms them all, and
//! a callback from a stale arm does nothing.
use crate::runtime;
use crate::state::Action;
use std::cell::{Cell, RefCell};
use touchpoint_core::decide::Arm;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, IntersectionObserver, IntersectionObserverEntry, MutationObserver};

thread_local! {
    static ANCHOR_WAIT: Cell<u32> = const { Cell::new(ANCHOR_WAIT_MS) };
    static GENERATION: Cell<u32> = const { Cell::new(0) };
    static OBSERVERS: RefCell<Vec<IntersectionObserver>> = const { RefCell::new(Vec::new()) };
}

/// How long an anchored nudge waits for its element before reporting `target_missing`,
/// unless the script tag says otherwise (`data-anchor-wait="ms"`).
pub const ANCHOR_WAIT_MS: u32 = 8000;

/// The configured wait for anchored nudges, in milliseconds.
pub fn anchor_wait() -> u32 {
    ANCHOR_WAIT.with(Cell::get)
}

/// Configure the wait for anchored nudges (from the loader's script tag).
pub fn set_anchor_wait(ms: u32) {
    ANCHOR_WAIT.with(|w| w.set(ms));
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// The first element matching `selector` (an invalid selector matches nothing).
pub fn find(selector: &str) -> Option<Element> {
    document()?.query_selector(selector).ok().flatten()
}

/// Resolve with the element matching `selector` as soon as it exists, or `None` after
/// `timeout_ms`.
pub async fn wait_for(selector: &str, timeout_ms: u32) -> Option<Element> {
    if let Some(e) = find(selector) {
        return Some(e);
    }
    let root = document()?.document_element()?;
    let selector = selector.to_owned();
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let done = std::rc::Rc::new(Cell::new(false));
        let observer_slot: std::rc::Rc<RefCell<Option<MutationObserver>>> = Default::default();
        let finish = {
            let done = done.clone();
            let slot = observer_slot.clone();
            move |value: &JsValue| {
                if !done.replace(true) {
                    if let Some(o) = slot.borrow_mut().take() {
                        o.disconnect();
                    }
                    let _ = resolve.call1(&JsValue::NULL, value);
                }
            }
        };
        let on_mutation = {
            let finish = finish.clone();
            let selector = selector.clone();
            Closure::<dyn FnMut()>::new(move || {
                if let Some(e) = find(&selector) {
                    finish(&e.into());
                }
            })
        };
        if let Ok(observer) = MutationObserver::new(on_mutation.as_ref().unchecked_ref()) {
            let init = web_sys::MutationObserverInit::new();
            init.set_child_list(true);
            init.set_subtree(true);
            init.set_attributes(true);
            if observer.observe_with_options(&root, &init).is_ok() {
                *observer_slot.borrow_mut() = Some(observer);
            }
        }
        on_mutation.forget();
        gloo::timers::callback::Timeout::new(timeout_ms, move || finish(&JsValue::NULL)).forget();
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.dyn_into::<Element>().ok())
}

/// Start waiting for `arm`; dispatch [`Action::Fire`] when it is met (unless disarmed first).
pub fn arm(campaign_id: String, arm: Arm) {
    let generation = GENERATION.with(Cell::get);
    let fire = move |campaign_id: String| {
        if GENERATION.with(Cell::get) == generation {
            runtime::dispatch(Action::Fire { campaign_id });
        }
    };
    match arm {
        Arm::Delay { seconds } => {
            gloo::timers::callback::Timeout::new(seconds.saturating_mul(1000), move || {
                fire(campaign_id);
            })
            .forget();
        }
        Arm::ElementVisible { selector } => {
            wasm_bindgen_futures::spawn_local(async move {
                // An element-visible trigger waits as long as the page lives.
                let Some(element) = wait_for(&selector, u32::MAX / 2).await else {
                    return;
                };
                if GENERATION.with(Cell::get) != generation {
                    return;
                }
                let fire = std::rc::Rc::new(fire);
                let on_seen = Closure::<dyn FnMut(js_sys::Array, IntersectionObserver)>::new(
                    move |entries: js_sys::Array, observer: IntersectionObserver| {
                        let visible = entries.iter().any(|e| {
                            e.dyn_into::<IntersectionObserverEntry>()
                                .is_ok_and(|e| e.is_intersecting())
                        });
                        if visible {
                            observer.disconnect();
                            fire(campaign_id.clone());
                        }
                    },
                );
                if let Ok(observer) = IntersectionObserver::new(on_seen.as_ref().unchecked_ref()) {
                    observer.observe(&element);
                    OBSERVERS.with(|o| o.borrow_mut().push(observer));
                }
                on_seen.forget();
            });
        }
    }
}

/// Make every earlier arm stale (a new page load decided afresh).
pub fn disarm() {
    GENERATION.with(|g| g.set(g.get().wrapping_add(1)));
    for observer in OBSERVERS.with(|o| std::mem::take(&mut *o.borrow_mut())) {
        observer.disconnect();
    }
}
