//! The banner: a strip fixed to the top of the viewport, overlaying the page so it causes no
//! layout shift, with a title, a short body, calls to action and a close button.
use touchpoint_core::Campaign;
use yew::prelude::*;

/// Props of [`Banner`].
#[derive(Properties, PartialEq)]
pub struct BannerProps {
    /// The campaign to show.
    pub campaign: Campaign,
    /// Called with the index of the CTA used.
    pub on_cta: Callback<usize>,
    /// Called when the user closes the banner.
    pub on_dismiss: Callback<()>,
}

/// A top banner nudge.
#[function_component(Banner)]
pub fn banner(props: &BannerProps) -> Html {
    let c = &props.campaign;
    let ctas = c.ctas.iter().enumerate().map(|(i, cta)| {
        let on_cta = props.on_cta.clone();
        html! {
            <button type="button" class="tp-btn tp-btn--primary" onclick={Callback::from(move |_| on_cta.emit(i))}>
                { &cta.label }
            </button>
        }
    });
    let on_dismiss = props.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <section class="tp-banner" role="region" aria-label={c.title.clone()} data-campaign={c.id.clone()}>
            <div class="tp-banner__text">
                <strong class="tp-banner__title">{ &c.title }</strong>
                if !c.body.is_empty() { <span class="tp-banner__body">{ &c.body }</span> }
            </div>
            <div class="tp-banner__actions">{ for ctas }</div>
            <button type="button" class="tp-close" aria-label="Close" onclick={on_dismiss}>{ "×" }</button>
        </section>
    }
}
