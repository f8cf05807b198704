//! The toast: a short notice in a polite live region (the region is always in the DOM, so
//! screen readers announce what appears in it), with a close button.
use crate::components::common::{body, close, ctas, NudgeProps};
use yew::prelude::*;

/// A toast nudge (render it inside the live region).
#[function_component(Toast)]
pub fn toast(p: &NudgeProps) -> Html {
    html! {
        <div class="tp-card tp-toast" data-campaign={p.nudge.campaign_id.clone()}>
            <div class="tp-head">
                <p class="tp-title">{ p.title() }</p>
                { close(p) }
            </div>
            { body(&p.nudge.content.body, &p.vars) }
            { ctas(p, false) }
        </div>
    }
}
