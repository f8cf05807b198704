//! The slideout: a panel in the bottom corner (the inline end: right, or left in RTL). It
//! does not take focus from the page; Esc inside it closes it. In the top layer, like every
//! floating format (see [`crate::effects::layer`]).
use crate::components::common::{body, card, ctas, head, Gesture, NudgeProps};
use yew::prelude::*;

/// A slideout nudge.
#[function_component(Slideout)]
pub fn slideout(p: &NudgeProps) -> Html {
    let panel = use_node_ref();
    let title_id = p.id("title");
    let on_escape = p.on.reform(|()| Gesture::Dismiss);
    let children = html! { <>
        { head(p, title_id.clone()) }
        { body(&p.nudge.content.body, &p.vars) }
        { ctas(p) }
    </> };
    card(
        p,
        "tp-card tp-slideout".into(),
        panel,
        title_id,
        on_escape,
        None,
        children,
    )
}
