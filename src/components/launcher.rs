//! The launcher: a round button in the bottom corner with an unread badge, opening a panel
//! with the feed — current announcements and nudges that live in the feed slot. Esc closes
//! it and returns focus to the button. Button and panel sit in the top layer (the panel is
//! `hidden` while closed).
//!
//! A feed item is seen (its impression, and read) only while the panel is open, once at
//! least half of it is inside the viewport: an intersection observer watches the items the
//! panel opened with until it closes, so an item below the panel's scroll, or in a closed
//! launcher, is not.
use crate::components::common::{body, ctas, keys, Gesture, NudgeProps};
use crate::effects::observe;
use crate::i18n::{t, tf, Text};
use crate::markdown::{personalize, Vars};
use std::cell::RefCell;
use std::rc::Rc;
use touchpoint_core::Nudge;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// Props of [`Launcher`].
#[derive(Properties, PartialEq)]
pub struct LauncherProps {
    /// Feed items, best first.
    pub items: Vec<Nudge>,
    /// How many are unread.
    pub unread: usize,
    /// Personalisation values.
    #[prop_or_default]
    pub vars: Rc<Vars>,
    /// Locale of the widget's own strings.
    #[prop_or(AttrValue::Static("en"))]
    pub locale: AttrValue,
    /// A feed item's gesture: (campaign id, gesture); [`Gesture::Seen`] when it comes into
    /// view in the open panel.
    #[prop_or_default]
    pub on: Callback<(String, Gesture)>,
}

/// How much of a feed item must be inside the viewport for it to count as seen.
const SEEN_RATIO: f64 = 0.5;

thread_local! {
    /// The watch on the open panel's items (a page has one launcher): set when it opens,
    /// dropped when it closes. A launcher that leaves the screen while open leaves it
    /// watching detached items, which never come into view, until the next open or close.
    static WATCH: RefCell<Option<observe::Sight>> = const { RefCell::new(None) };
}

/// Replace the watch on the panel's items (the old one stops once out of the slot).
fn rewatch(sight: Option<observe::Sight>) {
    let old = WATCH.with(|w| w.replace(sight));
    drop(old);
}

/// The launcher button and feed panel.
#[function_component(Launcher)]
pub fn launcher(p: &LauncherProps) -> Html {
    let open = use_state(|| false);
    let button = use_node_ref();
    let panel = use_node_ref();
    let toggle = {
        let (open, panel, on) = (open.clone(), panel.clone(), p.on.clone());
        Callback::from(move |_| {
            if *open {
                rewatch(None);
                return open.set(false);
            }
            // Watched from now until the panel closes; the items can be in view once the
            // panel shows, at the next render.
            let on = on.clone();
            let sight = observe::watch_in_view(
                SEEN_RATIO,
                Box::new(move |item| {
                    if let Some(id) = item.get_attribute("data-campaign") {
                        on.emit((id, Gesture::Seen));
                    }
                }),
            );
            if let Some(list) = panel
                .cast::<Element>()
                .and_then(|panel| panel.query_selector_all(".tp-feed-item").ok())
            {
                for i in 0..list.length() {
                    if let Some(item) = list.get(i) {
                        sight.watch(item.unchecked_ref());
                    }
                }
            }
            rewatch(Some(sight));
            open.set(true);
        })
    };
    let close = {
        let (open, button) = (open.clone(), button.clone());
        Callback::from(move |()| {
            rewatch(None);
            open.set(false);
            if let Some(b) = button.cast::<HtmlElement>() {
                let _ = b.focus();
            }
        })
    };
    let title = t(&p.locale, Text::WhatsNew);
    let label = if p.unread > 0 {
        format!("{title}, {}", tf(&p.locale, Text::Unread, &[&p.unread]))
    } else {
        title.to_owned()
    };
    let items = p.items.iter().map(|n| {
        let id = n.campaign_id.clone();
        let props = NudgeProps {
            nudge: n.clone(),
            vars: p.vars.clone(),
            locale: p.locale.clone(),
            on: p.on.reform(move |g| (id.clone(), g)),
            step: 0,
            answered: false,
            inline: false,
            wait_ms: 0,
            toast_ms: 0,
        };
        html! {
            <li class="tp-feed-item" data-campaign={n.campaign_id.clone()}>
                <h3 class="tp-title">{ personalize(&n.content.title, &p.vars) }</h3>
                { body(&n.content.body, &p.vars) }
                { ctas(&props) }
            </li>
        }
    });
    html! {
        <>
            <button type="button" class="tp-launcher" popover="manual" ref={button} aria-expanded={(*open).to_string()}
                aria-controls="tp-feed" aria-label={label} onclick={toggle}>
                <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
                    <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"/>
                </svg>
                if p.unread > 0 { <span class="tp-badge" aria-hidden="true">{ p.unread.to_string() }</span> }
            </button>
            <section id="tp-feed" class="tp-card tp-feed" popover="manual" aria-label={title} ref={panel.clone()} hidden={!*open}
                onkeydown={keys(panel, false, close)}>
                <h2 class="tp-title">{ title }</h2>
                if p.items.is_empty() {
                    <p>{ t(&p.locale, Text::NothingNew) }</p>
                } else {
                    <ul class="tp-feed-list">{ for items }</ul>
                }
            </section>
        </>
    }
}
