//! Browser tests of the waits in `effects::observe` in headless Chromium: a wait that ends
//! (found, timed out) or is cancelled (its guard dropped, its component unmounted, its arm
//! disarmed) calls back at most once, frees its callback and stops observing the page.
//!
//! "Stops observing" is measured, not assumed. No uncaught error may reach the page (an
//! observer left connected to a freed closure throws when the page changes), and
//! `Document.prototype.querySelector` is wrapped to count the look-ups of each selector: a
//! wait's mutation observer looks its selector up on every change to the page, so a wait
//! still connected after it ended would count more.
#![cfg(target_arch = "wasm32")]

mod browser;
use browser::{document, sleep, until};

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use touchpoint::components::{NudgeProps, Tooltip};
use touchpoint::effects::observe;
use touchpoint_core::context::{Context, Occurrence};
use touchpoint_core::decide::Cue;
use touchpoint_core::{decide, History, Timestamp};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const looked = new Map();
const querySelector = Document.prototype.querySelector;
Document.prototype.querySelector = function (selector) {
  looked.set(selector, (looked.get(selector) || 0) + 1);
  return querySelector.call(this, selector);
};
let disconnects = 0;
const disconnect = IntersectionObserver.prototype.disconnect;
IntersectionObserver.prototype.disconnect = function () {
  disconnects += 1;
  return disconnect.call(this);
};
let errors = 0;
addEventListener("error", () => { errors += 1; });
addEventListener("unhandledrejection", () => { errors += 1; });
export function page_errors() { return errors; }
export function lookups(selector) { return looked.get(selector) || 0; }
export function intersection_disconnects() { return disconnects; }
"#)]
extern "C" {
    /// How many times `document.querySelector(selector)` ran so far.
    fn lookups(selector: &str) -> u32;
    /// How many times any `IntersectionObserver` was disconnected so far.
    fn intersection_disconnects() -> u32;
    /// How many errors reached the page uncaught so far (a callback the page still calls
    /// after its closure was freed throws).
    fn page_errors() -> u32;
}

/// No uncaught error reached the page since this was made.
struct Clean(u32);

impl Clean {
    fn new() -> Self {
        Clean(page_errors())
    }

    fn check(&self) {
        assert_eq!(page_errors(), self.0, "an uncaught error reached the page");
    }
}

/// Append `<div id=…>` to the body.
fn insert(id: &str) -> Element {
    let div = document().create_element("div").expect("div");
    div.set_id(id);
    document()
        .body()
        .expect("body")
        .append_child(&div)
        .expect("append");
    div
}

/// Change the page in ways a connected observer hears about: a child and an attribute.
async fn stir() {
    let div = insert("tp-stir");
    div.set_attribute("data-stir", "1").expect("attr");
    div.remove();
    sleep(50).await;
}

/// What a wait reported: the id of the element found, or `None` for a timeout.
type Calls = Rc<RefCell<Vec<Option<String>>>>;

/// A callback for `wait_for` that logs into `calls` and holds `token`, so whether the wait
/// still holds its callback can be read off the token's strong count.
fn logger(calls: &Calls, token: &Rc<()>) -> impl FnOnce(Option<Element>) + 'static {
    let calls = calls.clone();
    let token = token.clone();
    move |found: Option<Element>| {
        let _ = &token;
        calls.borrow_mut().push(found.map(|e| e.id()));
    }
}

#[wasm_bindgen_test]
async fn a_dropped_wait_never_calls_back_and_stops_observing() {
    let clean = Clean::new();
    let selector = "#tp-wait-dropped";
    let calls = Calls::default();
    let token = Rc::new(());
    let wait = observe::wait_for(selector, 150, logger(&calls, &token));
    assert_eq!(lookups(selector), 1, "one look now, then it observes");
    assert_eq!(Rc::strong_count(&token), 2, "the wait holds its callback");
    drop(wait);
    assert_eq!(
        Rc::strong_count(&token),
        1,
        "the dropped wait freed its callback"
    );
    insert("tp-wait-dropped");
    stir().await;
    sleep(300).await; // past the timeout as well
    assert!(
        calls.borrow().is_empty(),
        "no callback: {:?}",
        calls.borrow()
    );
    assert_eq!(lookups(selector), 1, "the observer was disconnected");
    clean.check();
}

/// After a wait has called back once: its callback is freed, and another matching element
/// (inserted now, then `ms` more waited) neither calls back again nor is looked up.
async fn assert_ended(calls: &Calls, token: &Rc<()>, selector: &str, ms: u64) {
    assert_eq!(
        Rc::strong_count(token),
        1,
        "the ended wait freed its callback"
    );
    let looked = lookups(selector);
    insert(selector.trim_start_matches('#'));
    stir().await;
    sleep(ms).await;
    assert_eq!(
        calls.borrow().len(),
        1,
        "one callback: {:?}",
        calls.borrow()
    );
    assert_eq!(lookups(selector), looked, "the observer was disconnected");
}

#[wasm_bindgen_test]
async fn a_wait_that_finds_its_element_calls_back_once_and_stops_observing() {
    let clean = Clean::new();
    let selector = "#tp-wait-found";
    let calls = Calls::default();
    let token = Rc::new(());
    let wait = observe::wait_for(selector, 400, logger(&calls, &token));
    stir().await;
    assert!(lookups(selector) > 1, "the observer looks on each change");
    assert!(calls.borrow().is_empty());
    insert("tp-wait-found");
    sleep(50).await;
    assert_eq!(*calls.borrow(), vec![Some("tp-wait-found".to_owned())]);
    assert_ended(&calls, &token, selector, 500).await; // past the timeout as well
    drop(wait);
    clean.check();
}

#[wasm_bindgen_test]
async fn a_wait_that_times_out_calls_back_once_and_stops_observing() {
    let clean = Clean::new();
    let selector = "#tp-wait-timeout";
    let calls = Calls::default();
    let token = Rc::new(());
    let wait = observe::wait_for(selector, 100, logger(&calls, &token));
    sleep(250).await;
    assert_eq!(*calls.borrow(), vec![None]);
    assert_ended(&calls, &token, selector, 0).await;
    drop(wait);
    clean.check();
}

#[wasm_bindgen_test]
async fn an_element_there_already_is_reported_at_once_without_observing() {
    let clean = Clean::new();
    insert("tp-wait-present");
    let selector = "#tp-wait-present";
    let calls = Calls::default();
    let token = Rc::new(());
    let _wait = observe::wait_for(selector, 100, logger(&calls, &token));
    assert_eq!(*calls.borrow(), vec![Some("tp-wait-present".to_owned())]);
    assert_eq!(Rc::strong_count(&token), 1);
    stir().await;
    sleep(200).await;
    assert_eq!(calls.borrow().len(), 1);
    assert_eq!(lookups(selector), 1);
    clean.check();
}

#[wasm_bindgen_test]
async fn unmounting_a_tooltip_cancels_its_wait_for_the_anchor() {
    let clean = Clean::new();
    let selector = "#tp-anchor-unmounted";
    let campaign = browser::campaign(serde_json::json!({
        "id": "c1", "name": "C", "goal": "adoption",
        "trigger": { "on": "manual" },
        "format": { "kind": "tooltip", "anchor": selector },
        "content": { "en": { "title": "Tip" } }
    }));
    let ctx = Context {
        trigger: Occurrence::Show {
            campaign_id: "c1".into(),
        },
        ..Context::default()
    };
    let nudge = decide(&[campaign], &ctx, &History::new(), Timestamp(0))
        .shown
        .remove(0);
    let gestures = Rc::new(RefCell::new(Vec::new()));
    let log = gestures.clone();
    let on = yew::Callback::from(move |g| log.borrow_mut().push(g));
    let mut props = yew::props!(NudgeProps { nudge, on });
    props.wait_ms = 300;
    let root = insert("tp-tooltip-root");
    let app = yew::Renderer::<Tooltip>::with_root_and_props(root, props).render();
    sleep(50).await;
    stir().await;
    let looked = lookups(selector);
    assert!(looked > 1, "the tooltip waits for its anchor");
    app.destroy();
    sleep(20).await;
    let looked = lookups(selector);
    stir().await;
    insert("tp-anchor-unmounted");
    sleep(500).await; // past the wait as well
    assert_eq!(lookups(selector), looked, "the wait ended with the tooltip");
    assert!(gestures.borrow().is_empty(), "{:?}", gestures.borrow());
    clean.check();
}

/// Counts the calls of an arm's callback (the runtime's would dispatch `Fire`).
#[derive(Default, Clone)]
struct Fired(Rc<Cell<u32>>);

impl Fired {
    fn callback(&self) -> impl Fn() + 'static {
        let count = self.0.clone();
        move || count.set(count.get() + 1)
    }

    fn count(&self) -> u32 {
        self.0.get()
    }
}

#[wasm_bindgen_test]
async fn disarm_cancels_an_element_visible_arm_still_waiting_for_its_element() {
    let clean = Clean::new();
    let selector = "#tp-arm-late";
    let fired = Fired::default();
    observe::arm(
        Cue::ElementVisible {
            selector: selector.into(),
        },
        fired.callback(),
    );
    stir().await;
    assert!(lookups(selector) > 1, "the arm waits for its element");
    observe::disarm();
    let looked = lookups(selector);
    insert("tp-arm-late");
    stir().await;
    assert_eq!(
        lookups(selector),
        looked,
        "disarm disconnected the observer"
    );
    assert_eq!(fired.count(), 0, "a cancelled arm never fires");
    clean.check();
}

#[wasm_bindgen_test]
async fn disarm_disconnects_an_element_visible_arm_watching_its_element() {
    let clean = Clean::new();
    let hidden = insert("tp-arm-hidden");
    hidden
        .set_attribute("style", "display: none")
        .expect("style");
    let before = intersection_disconnects();
    let fired = Fired::default();
    observe::arm(
        Cue::ElementVisible {
            selector: "#tp-arm-hidden".into(),
        },
        fired.callback(),
    );
    sleep(100).await;
    assert_eq!(intersection_disconnects(), before, "still watching");
    observe::disarm();
    assert_eq!(
        intersection_disconnects(),
        before + 1,
        "disarm disconnected the intersection observer"
    );
    assert_eq!(fired.count(), 0, "a cancelled arm never fires");
    clean.check();
}

#[wasm_bindgen_test]
async fn an_element_visible_arm_that_fired_lets_go_of_its_observer() {
    let clean = Clean::new();
    let shown = insert("tp-arm-visible");
    shown
        .set_attribute(
            "style",
            "position: fixed; top: 0; left: 0; width: 10px; height: 10px",
        )
        .expect("style");
    let before = intersection_disconnects();
    let fired = Fired::default();
    observe::arm(
        Cue::ElementVisible {
            selector: "#tp-arm-visible".into(),
        },
        fired.callback(),
    );
    // Polled with a bound no load can reach, rather than one fixed sleep (issue 10).
    until(|| fired.count() > 0).await;
    let after = intersection_disconnects();
    assert!(after > before, "it fired and disconnected");
    assert_eq!(fired.count(), 1, "its callback ran once");
    observe::disarm();
    assert_eq!(
        intersection_disconnects(),
        after,
        "nothing left to cancel: the fired arm let go of its observer"
    );
    clean.check();
}
