//! The banner: a strip fixed to the top (or bottom) of the viewport, overlaying the page so
//! it causes no layout shift, with a title, a short Markdown body, calls to action and a
//! close button.
use crate::components::common::{body, close, ctas, NudgeProps};
use touchpoint_core::campaign::{BannerPosition, Format};
use yew::prelude::*;

/// A banner nudge.
#[function_component(Banner)]
pub fn banner(p: &NudgeProps) -> Html {
    let n = &p.nudge;
    let bottom = p.bottom
        || n.format
            == Format::Banner {
                position: BannerPosition::Bottom,
            };
    let class = classes!("tp-banner", bottom.then_some("tp-banner--bottom"));
    html! {
        <section {class} role="region" aria-label={p.title()} data-campaign={n.campaign_id.clone()}>
            <div class="tp-banner__text">
                <strong class="tp-banner__title">{ p.title() }</strong>
                <span class="tp-banner__body">{ body(&n.content.body, &p.vars) }</span>
            </div>
            { ctas(p) }
            { close(p) }
        </section>
    }
}
