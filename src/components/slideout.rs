//! The slideout: a panel in the bottom corner (the inline end: right, or left in RTL). It
//! does not take focus from the page; Esc inside it closes it. In the top layer, like every
//! floating format (see [`crate::effects::layer`]).
use crate::components::common::{body, ctas, head, keys, Gesture, NudgeProps};
use yew::prelude::*;

/// A slideout nudge.
#[function_component(Slideout)]
pub fn slideout(p: &NudgeProps) -> Html {
    let panel = use_node_ref();
    let title_id = p.id("title");
    let on_escape = p.on.reform(|()| Gesture::Dismiss);
    html! {
        <div class="tp-card tp-slideout" popover="manual" role="dialog" aria-labelledby={title_id.clone()} ref={panel.clone()}
            data-campaign={p.nudge.campaign_id.clone()} onkeydown={keys(panel, false, on_escape)}>
            { head(p, title_id) }
            { body(&p.nudge.content.body, &p.vars) }
            { ctas(p) }
        </div>
    }
}
