//! The toast: a short notice in a polite live region (the region is always in the DOM, so
//! screen readers announce what appears in it), with a close button. It closes by itself
//! after `toast_ms`, but never while the pointer is over it or focus is inside it (WCAG
//! 2.2.1): leaving starts the full time again. The card sits in the top layer; the region
//! stays in the page.
use crate::components::common::{body, close, ctas, Gesture, NudgeProps};
use yew::prelude::*;

/// A toast nudge (render it inside the live region).
#[function_component(Toast)]
pub fn toast(p: &NudgeProps) -> Html {
    let hovered = use_state_eq(|| false);
    let focused = use_state_eq(|| false);
    let held = *hovered || *focused;
    {
        let on = p.on.clone();
        use_effect_with((held, p.toast_ms), move |&(held, ms)| {
            let timer = (!held && ms > 0).then(|| {
                gloo::timers::callback::Timeout::new(ms, move || on.emit(Gesture::Expire))
            });
            move || drop(timer)
        });
    }
    html! {
        <div class="tp-card tp-toast" popover="manual" data-campaign={p.nudge.campaign_id.clone()}
            onmouseenter={hold(&hovered, true)} onmouseleave={hold(&hovered, false)}
            onfocusin={hold(&focused, true)} onfocusout={hold(&focused, false)}>
            <div class="tp-head">
                <p class="tp-title">{ p.title() }</p>
                { close(p) }
            </div>
            { body(&p.nudge.content.body, &p.vars) }
            { ctas(p) }
        </div>
    }
}

fn hold<E>(state: &UseStateHandle<bool>, value: bool) -> Callback<E> {
    let state = state.clone();
    Callback::from(move |_| state.set(value))
}
