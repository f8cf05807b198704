//! Browser tests of the banner component in headless Chromium: the DOM it renders, and that its
//! buttons report the gesture.
#![cfg(target_arch = "wasm32")]

mod browser;
use browser::root;

use std::cell::RefCell;
use std::rc::Rc;
use touchpoint::components::{Banner, Gesture, NudgeProps};
use touchpoint_core::context::Context;
use touchpoint_core::{decide, History, Nudge, Timestamp};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

fn nudge() -> Nudge {
    let campaign = browser::campaign(serde_json::json!({
        "id": "welcome", "name": "Welcome", "goal": "adoption",
        "trigger": { "on": "manual" },
        "format": { "kind": "banner" },
        "content": { "en": {
            "title": "Welcome <b>aboard</b>",
            "body": "Send your first invoice.",
            "ctas": [
                { "id": "start", "label": "Start", "action": "open_url", "url": "/start" },
                { "id": "later", "label": "Later", "action": "snooze" }
            ]
        } }
    }));
    let mut ctx = Context::default();
    ctx.user.id = Some("u1".into());
    ctx.trigger = touchpoint_core::context::Occurrence::Show {
        campaign_id: "welcome".into(),
    };
    decide(&[campaign], &ctx, &History::new(), Timestamp(0))
        .shown
        .remove(0)
}

fn props(on: Callback<Gesture>) -> NudgeProps {
    yew::props!(NudgeProps { nudge: nudge(), on })
}

async fn tick() {
    browser::sleep(0).await;
}

#[wasm_bindgen_test]
async fn banner_renders_title_body_ctas_and_close() {
    let div = root();
    let props = props(Callback::noop());
    yew::Renderer::<Banner>::with_root_and_props(div.clone(), props).render();
    tick().await;

    let section = div
        .query_selector("section.tp-banner")
        .expect("query")
        .expect("banner rendered");
    assert_eq!(section.get_attribute("role").as_deref(), Some("region"));
    assert_eq!(
        section.get_attribute("data-campaign").as_deref(),
        Some("welcome")
    );
    let title = div
        .query_selector(".tp-banner__title")
        .expect("query")
        .expect("title");
    // Content is text, never markup.
    assert_eq!(
        title.text_content().as_deref(),
        Some("Welcome <b>aboard</b>")
    );
    assert!(div.query_selector("b").expect("query").is_none());
    let buttons = div.query_selector_all(".tp-btn").expect("query");
    assert_eq!(
        buttons.length(),
        2,
        "two CTAs; the snooze CTA replaces the snooze button"
    );
    let close = div
        .query_selector(".tp-close")
        .expect("query")
        .expect("close button");
    assert_eq!(close.get_attribute("aria-label").as_deref(), Some("Close"));
}

#[wasm_bindgen_test]
async fn buttons_report_which_cta_and_dismiss() {
    let div = root();
    let used = Rc::new(RefCell::new(Vec::new()));
    let dismissed = Rc::new(RefCell::new(0));
    let props = props({
        let (used, dismissed) = (used.clone(), dismissed.clone());
        Callback::from(move |g| match g {
            Gesture::Cta(id) => used.borrow_mut().push(id),
            Gesture::Dismiss => *dismissed.borrow_mut() += 1,
            _ => {}
        })
    });
    yew::Renderer::<Banner>::with_root_and_props(div.clone(), props).render();
    tick().await;

    let buttons = div.query_selector_all(".tp-btn").expect("query");
    let second: HtmlElement = buttons
        .get(1)
        .expect("second cta")
        .dyn_into()
        .expect("html element");
    second.click();
    let close: HtmlElement = div
        .query_selector(".tp-close")
        .expect("q")
        .expect("close")
        .dyn_into()
        .expect("html");
    close.click();
    assert_eq!(*used.borrow(), vec!["later".to_owned()]);
    assert_eq!(*dismissed.borrow(), 1);
}
