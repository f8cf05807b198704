//! Tooltip and hotspot: a card (tooltip) or a pulsing dot that opens one (hotspot), anchored
//! to a host element by CSS selector. Waits for an element the host inserts late; if it never
//! appears, reports `target_missing` and renders nothing. The card flips above the element
//! when there is no room below and follows scrolling and resizing; both dot and card sit in
//! the top layer, so viewport coordinates are theirs whatever the host's styles. Either is
//! seen once its element is found (a tooltip waiting for its element, or whose element never
//! appears, was never seen). For a holdout member it is an invisible stand-in: it looks for
//! the element and reports the find, so the would-be view counts when the nudge would have
//! been seen.
use crate::components::anchor::{use_anchor, use_follow, Anchor};
use crate::components::common::{
    self, body, ctas, head, place, place_dot, Gesture, NudgeProps, SEEN,
};
use crate::i18n::is_rtl;
use std::rc::Rc;
use touchpoint_core::campaign::Format;
use touchpoint_core::Arm;
use web_sys::HtmlElement;
use yew::prelude::*;

/// A tooltip or hotspot nudge.
#[function_component(Tooltip)]
pub fn tooltip(p: &NudgeProps) -> Html {
    let (selector, hotspot, wait) = match &p.nudge.format {
        Format::Tooltip {
            anchor,
            wait_seconds,
        } => (anchor.clone(), false, *wait_seconds),
        Format::Hotspot {
            anchor,
            wait_seconds,
        } => (anchor.clone(), true, *wait_seconds),
        _ => (String::new(), false, None),
    };
    // The campaign's own wait, else the page's (`data-anchor-wait`).
    let wait_ms = wait.map_or(p.wait_ms, |s| s.saturating_mul(1000));
    let open = use_state(|| !hotspot);
    let card = use_node_ref();
    let dot = use_node_ref();
    // As a fn pointer: one `reform` in the wasm for this and the tour's.
    let on_missing = p.on.reform(Gesture::TargetMissing as fn(String) -> Gesture);
    let anchor = use_anchor(&selector, wait_ms, p.on.reform(SEEN), on_missing);
    let found = match &anchor {
        Anchor::Found(e) => Some(e.clone()),
        _ => None,
    };
    let rtl = is_rtl(&p.locale);
    {
        let (card, dot) = (card.clone(), dot.clone());
        use_follow(
            found.clone(),
            u32::from(*open),
            Rc::new(move |a| {
                if let Some(c) = card.cast::<HtmlElement>() {
                    place(&c, a);
                }
                if let Some(d) = dot.cast::<HtmlElement>() {
                    place_dot(&d, a, rtl);
                }
            }),
        );
    }
    // A holdout member's stand-in renders nothing: it only reports the find.
    if found.is_none() || p.nudge.arm == Arm::Holdout {
        return html! {};
    }
    let title_id = p.id("title");
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let dot_html = hotspot.then(|| {
        html! {
            <button type="button" class="tp-hotspot" popover="manual" ref={dot.clone()} aria-expanded={(*open).to_string()}
                aria-label={p.title()} onclick={toggle.clone()}>
                <span class="tp-hotspot__pulse" aria-hidden="true"></span>
            </button>
        }
    });
    let on_escape = {
        let (open, on) = (open.clone(), p.on.clone());
        Callback::from(move |()| {
            if hotspot {
                open.set(false);
            } else {
                on.emit(Gesture::Dismiss);
            }
        })
    };
    let card_html = (*open).then(|| {
        let children = html! { <>
            <span class="tp-arrow" aria-hidden="true"></span>
            { head(p, title_id.clone()) }
            { body(&p.nudge.content.body, &p.vars) }
            { ctas(p) }
        </> };
        common::card(
            p,
            "tp-card tp-tooltip".into(),
            card.clone(),
            title_id.clone(),
            on_escape,
            None,
            children,
        )
    });
    html! { <>{ for dot_html }{ for card_html }</> }
}
