//! The banner: a strip fixed to the top of the viewport, overlaying the page so it causes no
//! layout shift, with a title, a short body, calls to action and a close button.
use touchpoint_core::Nudge;
use yew::prelude::*;

/// Props of [`Banner`].
#[derive(Properties, PartialEq)]
pub struct BannerProps {
    /// The nudge to show.
    pub nudge: Nudge,
    /// Called with the id of the CTA used.
    pub on_cta: Callback<String>,
    /// Called when the user closes the banner.
    pub on_dismiss: Callback<()>,
}

/// A top banner nudge.
#[function_component(Banner)]
pub fn banner(props: &BannerProps) -> Html {
    let n = &props.nudge;
    let ctas = n.content.ctas.iter().map(|cta| {
        let on_cta = props.on_cta.clone();
        let id = cta.id.clone();
        html! {
            <button type="button" class="tp-btn tp-btn--primary" onclick={Callback::from(move |_| on_cta.emit(id.clone()))}>
                { &cta.label }
            </button>
        }
    });
    let on_dismiss = props.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <section class="tp-banner" role="region" aria-label={n.content.title.clone()} data-campaign={n.campaign_id.clone()}>
            <div class="tp-banner__text">
                <strong class="tp-banner__title">{ &n.content.title }</strong>
                if !n.content.body.is_empty() { <span class="tp-banner__body">{ &n.content.body }</span> }
            </div>
            <div class="tp-banner__actions">{ for ctas }</div>
            <button type="button" class="tp-close" aria-label="Close" onclick={on_dismiss}>{ "×" }</button>
        </section>
    }
}
