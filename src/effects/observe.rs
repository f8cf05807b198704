//! Waiting on the host page: for an element that may be inserted late (a `MutationObserver`
//! bounded by a timeout), for elements to come into view (an `IntersectionObserver`: an
//! element-visible trigger, the launcher's feed items being seen), and for a delay (a
//! timer). Every wait is owned by a guard: dropping the guard (an anchored
//! component unmounting, a route change disarming the page's arms) disconnects the observer,
//! clears the timer and frees the callbacks, and a wait that ends does the same itself, so
//! nothing outlives the wait it belongs to. An arm takes the callback to run when it fires:
//! this module knows nothing of the runtime above it.
use gloo::timers::callback::Timeout;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use touchpoint_core::decide::Cue;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit,
    MutationObserver,
};

thread_local! {
    static ANCHOR_WAIT: Cell<u32> = const { Cell::new(ANCHOR_WAIT_MS) };
    /// What this page load armed; dropped (so cancelled) on [`disarm`].
    static ARMED: RefCell<Vec<Armed>> = const { RefCell::new(Vec::new()) };
}

/// How long an anchored nudge waits for its element before reporting `target_missing`,
/// unless the loader passes another (`start`'s `anchorWait`, from `data-anchor-wait="ms"`).
pub const ANCHOR_WAIT_MS: u32 = 8000;

/// The configured wait for anchored nudges, in milliseconds.
pub fn anchor_wait() -> u32 {
    ANCHOR_WAIT.with(Cell::get)
}

/// Configure the wait for anchored nudges (from `start`'s options).
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

/// Free `garbage` once the callback running now has returned. The callback that ends a wait
/// is one of the closures the wait owns, and a wasm-bindgen closure is not dropped while it
/// runs.
fn drop_later(garbage: Box<dyn Any>) {
    wasm_bindgen_futures::spawn_local(async move { drop(garbage) });
}

/// What an element wait holds: the observer, its callback and the timeout.
struct Watch {
    observer: Option<MutationObserver>,
    _on_mutation: Closure<dyn FnMut()>,
    _timer: Timeout,
}

impl Watch {
    /// No mutation callback after this: disconnecting also empties the record queue.
    fn stop(&self) {
        if let Some(observer) = &self.observer {
            observer.disconnect();
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // Then the fields drop: the callback is freed, the timer cleared and its callback freed.
        self.stop();
    }
}

type Done = Box<dyn FnOnce(Option<Element>)>;
type WaitSlot = RefCell<Option<(Watch, Done)>>;

/// A wait for an element, from [`wait_for`]. Dropping it cancels the wait: the observer is
/// disconnected, the timer cleared, every callback freed, and `done` is never called.
#[must_use = "dropping a Wait cancels it"]
pub struct Wait(Rc<WaitSlot>);

impl Wait {
    /// The element was found, or the time ran out.
    fn ended(&self) -> bool {
        self.0.borrow().is_none()
    }
}

/// Call `done` with the element matching `selector` as soon as it exists (at once when it
/// does now), or with `None` after `timeout_ms`, unless the returned [`Wait`] is dropped
/// first. A wait that ends frees what it held; the callbacks only hold it weakly.
pub fn wait_for(
    selector: &str,
    timeout_ms: u32,
    done: impl FnOnce(Option<Element>) + 'static,
) -> Wait {
    let wait = Wait(Rc::default());
    if let Some(e) = find(selector) {
        done(Some(e));
        return wait;
    }
    let Some(root) = document().and_then(|d| d.document_element()) else {
        done(None);
        return wait;
    };
    let on_mutation = {
        let slot = Rc::downgrade(&wait.0);
        let selector = selector.to_owned();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(e) = find(&selector) {
                finish(&slot, Some(e));
            }
        })
    };
    let timer = {
        let slot = Rc::downgrade(&wait.0);
        Timeout::new(timeout_ms, move || finish(&slot, None))
    };
    let observer = MutationObserver::new(on_mutation.as_ref().unchecked_ref()).ok();
    if let Some(observer) = &observer {
        let init = web_sys::MutationObserverInit::new();
        init.set_child_list(true);
        init.set_subtree(true);
        init.set_attributes(true);
        let _ = observer.observe_with_options(&root, &init);
    }
    let watch = Watch {
        observer,
        _on_mutation: on_mutation,
        _timer: timer,
    };
    *wait.0.borrow_mut() = Some((watch, Box::new(done)));
    wait
}

/// End the wait in `slot`, if it is still on: stop observing, free its callbacks once the one
/// running now has returned, and tell the waiter.
fn finish(slot: &Weak<WaitSlot>, found: Option<Element>) {
    let Some(slot) = slot.upgrade() else {
        return;
    };
    let taken = slot.borrow_mut().take();
    if let Some((watch, done)) = taken {
        watch.stop();
        drop_later(Box::new(watch));
        done(found);
    }
}

/// What an arm holds until it fires: its timer, or its intersection observer once its
/// element exists.
type Held = RefCell<Option<Box<dyn Any>>>;

/// One arm of this page load. Dropping it cancels the arm.
struct Armed {
    wait: Option<Wait>,
    held: Rc<Held>,
}

impl Armed {
    /// Fired (or can never fire): nothing left to cancel.
    fn spent(&self) -> bool {
        self.held.borrow().is_none() && self.wait.as_ref().is_none_or(Wait::ended)
    }
}

/// The arm whose slot this is fires: take what it held (the callback running now is part of
/// it) to free it once that callback has returned. False when it was already spent.
fn spend(slot: &Weak<Held>) -> bool {
    let Some(slot) = slot.upgrade() else {
        return false;
    };
    let taken = slot.borrow_mut().take();
    taken.map(drop_later).is_some()
}

/// Elements watched until each comes into view, from [`watch_in_view`]. Dropping it stops
/// the watch: the observer is disconnected and its callback freed, never called again.
#[must_use = "dropping a Sight stops watching"]
pub struct Sight {
    /// `None` when the browser refused the observer: nothing is ever reported.
    observer: Option<IntersectionObserver>,
    _on_seen: Closure<dyn FnMut(js_sys::Array, IntersectionObserver)>,
}

impl Drop for Sight {
    fn drop(&mut self) {
        if let Some(observer) = &self.observer {
            observer.disconnect();
            // Entries queued before the disconnect would still be delivered: discard them, so
            // the callback, freed next, is never called.
            observer.take_records();
        }
    }
}

impl Sight {
    /// Watch `target` too.
    pub fn watch(&self, target: &Element) {
        if let Some(observer) = &self.observer {
            observer.observe(target);
        }
    }
}

/// Call `seen` with each element the returned [`Sight`] watches ([`Sight::watch`]) the first
/// time at least `ratio` of it (0: any part) is inside the viewport: laid out, not clipped
/// away by a scrolling ancestor, not under a `display: none` one. Each is reported once, then
/// no longer watched.
pub fn watch_in_view(ratio: f64, seen: Box<dyn Fn(Element)>) -> Sight {
    let on_seen = Closure::<dyn FnMut(js_sys::Array, IntersectionObserver)>::new(
        move |entries: js_sys::Array, observer: IntersectionObserver| {
            for e in entries.iter() {
                let e = e.unchecked_into::<IntersectionObserverEntry>();
                if e.is_intersecting() && e.intersection_ratio() >= ratio {
                    let target = e.target();
                    observer.unobserve(&target);
                    seen(target);
                }
            }
        },
    );
    let options = IntersectionObserverInit::new();
    options.set_threshold(&ratio.into());
    let observer =
        IntersectionObserver::new_with_options(on_seen.as_ref().unchecked_ref(), &options).ok();
    Sight {
        observer,
        _on_seen: on_seen,
    }
}

/// Start waiting for `cue`; call `fire` when it is met, unless [`disarm`] comes first.
pub fn arm(cue: Cue, fire: impl Fn() + 'static) {
    let held = Rc::<Held>::default();
    let slot = Rc::downgrade(&held);
    let wait = match cue {
        Cue::Delay { seconds } => {
            let timer = Timeout::new(seconds.saturating_mul(1000), move || {
                if spend(&slot) {
                    fire();
                }
            });
            *held.borrow_mut() = Some(Box::new(timer));
            None
        }
        // An element-visible trigger waits as long as the page lives.
        Cue::ElementVisible { selector } => Some(wait_for(&selector, u32::MAX / 2, move |found| {
            if let (Some(element), Some(held)) = (found, slot.upgrade()) {
                let slot = Rc::downgrade(&held);
                let sight = watch_in_view(
                    0.0,
                    Box::new(move |_| {
                        if spend(&slot) {
                            fire();
                        }
                    }),
                );
                sight.watch(&element);
                *held.borrow_mut() = Some(Box::new(sight));
            }
        })),
    };
    ARMED.with(|a| {
        let mut armed = a.borrow_mut();
        armed.retain(|arm| !arm.spent());
        armed.push(Armed { wait, held });
    });
}

/// Cancel every arm made so far (a new page load decided afresh): timers cleared, observers
/// disconnected, callbacks freed.
pub fn disarm() {
    let armed = ARMED.with(|a| std::mem::take(&mut *a.borrow_mut()));
    drop(armed);
}
